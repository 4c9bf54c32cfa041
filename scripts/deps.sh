#!/bin/sh
# Installs the Debian packages claimd needs to build, test and demo, and
# only those that are missing. Uses sudo when not run as root. mandoc and
# systemd (for systemd-analyze) check the man pages and the unit that
# `make install` puts in place (tests/install.py). libcurl lets claim
# verify --tiles read a published log over HTTP(S); Go and its x/mod
# (golang.org/x/mod/sumdb/tlog) check the published tiles against an
# implementation of tlog-tiles that is not ours (tests/vectors/tiles.go);
# chromium, its driver and selenium load the published pages in a real
# browser (tests/site_browser.py).
set -eu

PACKAGES="
build-essential
cmake
pkg-config
clang
libzmq3-dev
libsodium-dev
liblmdb-dev
libcmocka-dev
libcbor-dev
nettle-dev
libjansson-dev
python3
python3-cbor2
python3-cryptography
python3-pyld
python3-prov
valgrind
mandoc
systemd
libcurl4-openssl-dev
golang-go
golang-golang-x-mod-dev
chromium
chromium-driver
python3-selenium
"
# The fuzzers' runtime (libFuzzer, the sanitizers) comes with the clang
# that `clang` stands for: 14 on Debian 12, newer on later releases.
clang_version=$(apt-cache depends clang 2>/dev/null |
	sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
PACKAGES="$PACKAGES libclang-rt-${clang_version:-14}-dev"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
