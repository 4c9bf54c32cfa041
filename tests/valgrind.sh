#!/bin/sh
# claimd and claim under valgrind's memcheck: a short session of every
# kind of request, over CurveZMQ with the ZAP allowlist, with a sealed
# (passphrase) key, refused input and a refused client key, with no
# memory error and no leak in either.
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
"$CLAIM" keygen --curve --out "$tmp/server.ck" > "$tmp/server.pub"
"$CLAIM" keygen --curve --out "$tmp/desk.ck" > "$tmp/allow"
"$CLAIM" keygen --curve --out "$tmp/stranger.ck" > /dev/null
$VG "$CLAIMD" --data "$tmp/data" --api 'tcp://127.0.0.1:*' \
    --pub 'tcp://127.0.0.1:*' --admin-key "$(cat "$tmp/admin.pub")" \
    --curve-key "$tmp/server.ck" --allow "$tmp/allow" \
    > "$tmp/out" 2> "$tmp/log" &
pid=$!
for _ in $(seq 300); do grep -q '^feed' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
CLAIM_SERVER=$(awk '/^api/ {print $2}' "$tmp/out")
CLAIM_SERVER_KEY=$(cat "$tmp/server.pub")
CLAIM_CURVE_KEY=$tmp/desk.ck
CLAIM_TIMEOUT=30000
CLAIM_KEY=$tmp/admin.key
export CLAIM_SERVER CLAIM_SERVER_KEY CLAIM_CURVE_KEY CLAIM_TIMEOUT CLAIM_KEY

c() { $VG "$CLAIM" "$@"; }
# Exit status want, or fail showing what the command said.
c_must() {
	want=$1
	shift
	got=0
	c "$@" > "$tmp/c.out" 2> "$tmp/c.err" || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "claim $*: exit $got, not $want" >&2
		cat "$tmp/c.out" "$tmp/c.err" >&2
		exit 1
	fi
}
# A key not on the allowlist is refused at the transport (exit 4).
c_must 4 --curve-key "$tmp/stranger.ck" stats
c party add am-mfa --name "Armenia MFA" > /dev/null
c grant "$(cat "$tmp/admin.pub")" --party am-mfa > /dev/null
# A sealed key: granted, used with its passphrase, refused without it.
echo "correct horse" > "$tmp/pass"
echo "wrong horse" > "$tmp/wrong"
chmod 600 "$tmp/pass" "$tmp/wrong" # claim refuses one others can read
"$CLAIM" keygen --passphrase --passphrase-file "$tmp/pass" \
    --out "$tmp/desk.key" > "$tmp/desk.pub"
c grant "$(cat "$tmp/desk.pub")" --party am-mfa > /dev/null
echo '{"party": "am-mfa", "topics": ["t"], "statement": "Sealed."}' |
    c --key "$tmp/desk.key" --passphrase-file "$tmp/pass" submit - > /dev/null
echo '{"party": "am-mfa", "topics": ["t"], "statement": "Wrong."}' > "$tmp/w"
c_must 2 --key "$tmp/desk.key" --passphrase-file "$tmp/wrong" submit "$tmp/w"
# Refused input: a record altered after signing, and a line that is not
# a claim.
c export --out "$tmp/one" 2> /dev/null
sed -i -E '$s/("record":"[^"]{60})[A-Ma-m]/\1N/; t; $s/("record":"[^"]{60})./\1A/' "$tmp/one"
c_must 4 submit --records "$tmp/one"
c_must 2 submit "$tmp/allow"
printf '%s\n' \
    '{"ref": "a", "party": "am-mfa", "topics": ["t"], "statement": "One."}' \
    '{"party": "am-mfa", "topics": ["t"], "statement": "Two.", "relations": [{"rel": "supports", "claim": "@a"}]}' \
    '{"revises": "@a", "topics": ["t"], "statement": "One, revised.", "note": "n"}' |
    c submit - --json > "$tmp/acks"
id=$(head -1 "$tmp/acks" | cut -d'"' -f4)
c show "$id" > /dev/null
c history "$id" > /dev/null
c retract "$id" --reason "a test" > /dev/null
c_must 4 retract "$id" --reason "again"
c reinstate "$id" --note "a test" > /dev/null
c diff "$id" --from 1 --to 2 > /dev/null
c diff --topic t --party am-mfa --party am-mfa > /dev/null
c diff --topic t --party am-mfa --party am-mfa --html "$tmp/page.html" > /dev/null
printf 'The ministry said: \342\200\234We agree.\342\200\235\n' > "$tmp/doc"
c quote-check "$tmp/doc" --quote '"We agree."' > /dev/null
c_must 1 quote-check "$tmp/doc" --quote '"We disagree."'
c list > /dev/null
c parties --json > /dev/null
c grants --party am-mfa > /dev/null
c topics > /dev/null
c_must 1 list --topic tt
c_must 1 grants --party am-mfx
c_must 1 diff --topic t --party am-mfa --party am-mfx
c trace "$id" > /dev/null
c independence "$id" > /dev/null
c independence --topic t --json > /dev/null
c_must 1 independence --topic tt
c watch --from 0 --count 5 --json > /dev/null
c stats --json > /dev/null
c checkpoint > "$tmp/cp"
c prove inclusion "$id" > /dev/null
c prove consistency --from 2 --to 5 > /dev/null
c prove inclusion "$id" --out "$tmp/bundle"
c verify-proof "$tmp/bundle" --log-key "$(c log-key)" --json > /dev/null
c prove consistency --old-checkpoint "$tmp/cp" --out "$tmp/bundle2"
c verify-proof "$tmp/bundle2" --log-key "$(c log-key)" \
    --old-checkpoint "$tmp/cp" > /dev/null
printf '{"type": "inclusion"}\n' > "$tmp/notbundle"
c_must 1 verify-proof "$tmp/notbundle" --log-key "$(c log-key)"
c export --out "$tmp/exp" 2> /dev/null
c independence --topic t --export "$tmp/exp" > /dev/null
c verify "$tmp/exp" --checkpoint "$tmp/cp" --log-key "$(c log-key)" \
    --admin-key "$(cat "$tmp/admin.pub")" > /dev/null
# The published site: pages and tiles, again (from the folder), checked,
# and a changed tile found.
c publish --out "$tmp/site" > /dev/null
c publish --out "$tmp/site" > /dev/null
c verify --tiles "$tmp/site" --log-key "$(c log-key)" \
    --admin-key "$(cat "$tmp/admin.pub")" > /dev/null
tile=$(find "$tmp/site/tile/0" -type f | head -n 1)
printf 'x' | dd of="$tile" bs=1 seek=5 conv=notrunc 2> /dev/null
c_must 1 verify --tiles "$tmp/site" --log-key "$(c log-key)"
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
