#!/bin/sh
# make bench: every figure several times, median and spread, against the
# raw limits of this machine measured in the same run.
#   bench/run.sh BUILD [--quick] [--json] [--only SECTION]
# SECTION: raw ingest submit feed narrative independence big (claim
# independence --topic over 100,000 claims: --only independence).
set -eu
BUILD=${1:-build}
shift || true
exec "$BUILD/bench/claimbench" "$BUILD/daemon/claimd" "$BUILD/client/claim" "$@"
