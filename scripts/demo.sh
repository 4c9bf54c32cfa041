#!/bin/sh
# make demo: a fresh claimd on a temporary store, loaded with the example
# narratives from examples/, and a tour of what it does.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLAIMD="$ROOT/$BUILD/daemon/claimd"
CLAIM="$ROOT/$BUILD/client/claim"
PY=/usr/bin/python3
tmp=$(mktemp -d)
pid=""
watch=""
cleanup() {
	[ -n "$watch" ] && kill "$watch" 2>/dev/null || true
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$CLAIM|claim|; s|$CLAIMD|claimd|; s|$tmp|\$TMP|g"; "$@"; }

step "Keys: an admin for the registry, a desk that signs claims"
echo '$ claim keygen --out admin.key; claim keygen --out desk.key'
"$CLAIM" keygen --out "$tmp/admin.key" > "$tmp/admin.pub"
"$CLAIM" keygen --out "$tmp/desk.key" > "$tmp/desk.pub"
echo "admin $(cat "$tmp/admin.pub")"
echo "desk  $(cat "$tmp/desk.pub")"

step "claimd on a temporary data folder (free loopback ports)"
"$CLAIMD" --data "$tmp/data" --api 'tcp://127.0.0.1:*' \
    --pub 'tcp://127.0.0.1:*' --admin-key "$(cat "$tmp/admin.pub")" \
    > "$tmp/claimd.out" 2> "$tmp/claimd.log" &
pid=$!
for _ in $(seq 50); do grep -q '^feed' "$tmp/claimd.out" 2>/dev/null && break; sleep 0.1; done
cat "$tmp/claimd.log"
CLAIM_SERVER=$(awk '/^api/ {print $2}' "$tmp/claimd.out")
export CLAIM_SERVER

step "A monitoring tool follows the feed from index 0"
"$CLAIM" watch --from 0 --json > "$tmp/watch.jsonl" &
watch=$!

step "The parties who speak in the seed documents, and the desk's grants"
$PY -c 'import json,sys
for p in json.load(open(sys.argv[1])): print(p["slug"] + "\t" + p["name"])' \
    "$ROOT/examples/parties.json" > "$tmp/parties.tsv"
while IFS="$(printf '\t')" read -r slug name; do
	"$CLAIM" --key "$tmp/admin.key" party add "$slug" --name "$name" > /dev/null
	"$CLAIM" --key "$tmp/admin.key" grant "$(cat "$tmp/desk.pub")" --party "$slug" > /dev/null
done < "$tmp/parties.tsv"
echo "$(wc -l < "$tmp/parties.tsv") parties added, the desk key granted for each"

step "The example narratives: claims, revisions and a retraction, pipelined"
echo '$ claim --key desk.key submit examples/narratives.jsonl --json'
"$CLAIM" --key "$tmp/desk.key" submit "$ROOT/examples/narratives.jsonl" --json > "$tmp/acks.jsonl"
echo "$(wc -l < "$tmp/acks.jsonl") acknowledged; the first three:"
head -3 "$tmp/acks.jsonl"

step "An unauthorized key is refused (exit 4)"
"$CLAIM" keygen --out "$tmp/stranger.key" > /dev/null
echo '{"party": "az-mfa", "topics": ["normalization"], "statement": "Planted."}' |
    "$CLAIM" --key "$tmp/stranger.key" submit - || echo "exit status $?"

step "Claims of one party"
run "$CLAIM" list --party am-mfa

id=$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a.get("version", 1) > 1: print(a["claim"]); break' "$tmp/acks.jsonl")
step "A revised claim: its history, and what changed"
run "$CLAIM" history "$(echo "$id" | cut -c1-12)"
run "$CLAIM" diff "$(echo "$id" | cut -c1-12)" --from 1 --to 2
step "...and the claim in full"
run "$CLAIM" show "$(echo "$id" | cut -c1-12)"

step "Two narratives side by side: who disputes whom on the Lachin checkpoint"
run "$CLAIM" diff --topic lachin-checkpoint --party az-mfa --party am-gov \
    --party gulshan-pashayeva --html "$tmp/lachin.html"
run "$CLAIM" diff --topic lachin-checkpoint --party az-mfa --party am-gov \
    --party gulshan-pashayeva
echo "(and as a page an editor can open: $(wc -c < "$tmp/lachin.html") bytes of HTML)"

chain=$($PY -c 'import json,sys
for n, l in enumerate(open(sys.argv[1]), 1):
    o = json.loads(l)
    s = o.get("sources", [])
    depth = lambda i: 1 + (depth(s[i]["derivation"]["from"]) if "derivation" in s[i] else 0)
    if "ref" in o and any(depth(i) >= 3 for i in range(len(s))): print(n); break' \
    "$ROOT/examples/narratives.jsonl")
cid=$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a.get("line") == int(sys.argv[2]): print(a["claim"][:12])' "$tmp/acks.jsonl" "$chain")
step "Where a claim's sources came from, down to the primary one"
run "$CLAIM" trace "$cid"

step "Is a quote really in the document it cites?"
seed="$ROOT/examples/seeds/004_adb72cefbd073b1c.txt"
run "$CLAIM" quote-check "$seed" --quote "grossly misinterpreted by the Armenian side"
run "$CLAIM" quote-check "$seed" --quote "grossly misrepresented by the Armenian side" || echo "exit status $?"

step "The feed the monitor saw: every index exactly once"
sleep 1
kill "$watch"; wait "$watch" 2>/dev/null || true; watch=""
$PY -c 'import json,sys
idx = [json.loads(l)["index"] for l in open(sys.argv[1])]
print("%d events, indexes %d..%d, each once: %s" % (len(idx), min(idx), max(idx), sorted(idx) == list(range(len(idx)))))' "$tmp/watch.jsonl"

step "Stats"
run "$CLAIM" stats

step "Auditing without trusting the daemon"
run "$CLAIM" log-key
"$CLAIM" checkpoint > "$tmp/checkpoint"
run "$CLAIM" checkpoint
"$CLAIM" export --out "$tmp/export.jsonl" 2>/dev/null
echo '$ claim export --out export.jsonl'
run "$CLAIM" verify "$tmp/export.jsonl" --checkpoint "$tmp/checkpoint" \
    --log-key "$("$CLAIM" log-key)" --admin-key "$(cat "$tmp/admin.pub")"
run "$CLAIM" prove inclusion "$(echo "$id" | cut -c1-12)"
run "$CLAIM" audit --state "$tmp/audit.json"
echo '{"party": "am-mfa", "topics": ["normalization"], "statement": "A later claim."}' |
    "$CLAIM" --key "$tmp/desk.key" submit - > /dev/null
run "$CLAIM" audit --state "$tmp/audit.json"

step "claimd stops cleanly, and its store checks sound"
kill "$pid"; wait "$pid" || true; pid=""
tail -1 "$tmp/claimd.log"
run "$CLAIMD" --check "$tmp/data"
