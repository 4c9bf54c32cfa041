#!/bin/sh
# claimd and claim under valgrind's memcheck: a short session of every
# kind of request, with no memory error and no leak in either.
#   valgrind.sh CLAIMD CLAIM
set -eu
CLAIMD=$1
CLAIM=$2
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

"$CLAIM" keygen --out "$tmp/admin.key" > "$tmp/admin.pub"
$VG "$CLAIMD" --data "$tmp/data" --api 'tcp://127.0.0.1:*' \
    --pub 'tcp://127.0.0.1:*' --admin-key "$(cat "$tmp/admin.pub")" \
    > "$tmp/out" 2> "$tmp/log" &
pid=$!
for _ in $(seq 300); do grep -q '^feed' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
CLAIM_SERVER=$(awk '/^api/ {print $2}' "$tmp/out")
CLAIM_TIMEOUT=30000
CLAIM_KEY=$tmp/admin.key
export CLAIM_SERVER CLAIM_TIMEOUT CLAIM_KEY

c() { $VG "$CLAIM" "$@"; }
c party add am-mfa --name "Armenia MFA" > /dev/null
c grant "$(cat "$tmp/admin.pub")" --party am-mfa > /dev/null
printf '%s\n' \
    '{"ref": "a", "party": "am-mfa", "topics": ["t"], "statement": "One."}' \
    '{"party": "am-mfa", "topics": ["t"], "statement": "Two.", "relations": [{"rel": "supports", "claim": "@a"}]}' \
    '{"revises": "@a", "topics": ["t"], "statement": "One, revised."}' |
    c submit - --json > "$tmp/acks"
id=$(head -1 "$tmp/acks" | cut -d'"' -f4)
c show "$id" > /dev/null
c history "$id" > /dev/null
c diff "$id" --from 1 --to 2 > /dev/null
c diff --topic t --party am-mfa --party am-mfa > /dev/null
c list > /dev/null
c trace "$id" > /dev/null
c watch --from 0 --count 5 --json > /dev/null
c stats --json > /dev/null
c checkpoint > "$tmp/cp"
c prove inclusion "$id" > /dev/null
c prove consistency --from 2 --to 5 > /dev/null
c export --out "$tmp/exp" 2> /dev/null
c verify "$tmp/exp" --checkpoint "$tmp/cp" --log-key "$(c log-key)" \
    --admin-key "$(cat "$tmp/admin.pub")" > /dev/null
c retract "$id" --reason "test" > /dev/null
c audit --state "$tmp/audit" > /dev/null 2>&1

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
if [ "$status" -ne 0 ]; then
	echo "claimd under valgrind: exit $status" >&2
	cat "$tmp/log" >&2
	exit 1
fi
$VG "$CLAIMD" --check "$tmp/data" > /dev/null
echo "valgrind: claimd and claim clean"
