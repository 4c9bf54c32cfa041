#!/bin/sh
# make demo: what claimd does, on a temporary store. Grows with the project.
set -eu
BUILD=${1:-build}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Records signed in C (COSE_Sign1, Ed25519, deterministic CBOR)"
"$BUILD/tests/test_proto" --emit > "$tmp/records.txt"
echo "== ...verified by an independent Python implementation"
$PY tests/vectors/verify_records.py "$tmp/records.txt"
