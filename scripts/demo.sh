#!/bin/sh
# make demo: a fresh claimd on a new folder, loaded with the example
# narratives from examples/, and a tour of what it does.
#
# Every command it shows is the one it runs, shell-quoted: it pastes as
# it is into a shell in the demo's folder, after the `cd` and `export`
# lines shown first. The folder (keys, claimd's data, the page it
# writes, the site it publishes) is kept; the demo ends with the command
# that serves the site, and says how to go on with it or remove it.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in
/*) ;;
*) BUILD="$ROOT/$BUILD" ;;
esac
PY=/usr/bin/python3
dir=$(mktemp -d "${TMPDIR:-/tmp}/claimd-demo.XXXXXX")
cd "$dir"
PATH="$BUILD/client:$BUILD/daemon:$PATH"
export PATH
pid=""
watch=""
done=""
cleanup() {
	[ -n "$watch" ] && kill "$watch" 2>/dev/null || true
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	[ -n "$done" ] ||
	    printf '\nThe demo stopped; its folder is kept: %s (rm -rf %s removes it)\n' \
		"$dir" "$(quote "$dir")"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One word as a shell reads it back: in single quotes unless it holds
# only characters no shell treats specially.
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@%+,-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
		;;
	*) printf '%s' "$1" ;;
	esac
}
# A command line from words.
cmdline() {
	quote "$1"
	shift
	for w in "$@"; do
		printf ' '
		quote "$w"
	done
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
# Shows a command and runs it.
run() {
	show "$(cmdline "$@")"
	"$@"
}
# Shows a shell command line (a pipe, a redirection) and runs exactly it.
run_sh() {
	show "$1"
	sh -c "$1"
}

EXAMPLES="$ROOT/examples"
path_line="export PATH=$(quote "$BUILD/client"):$(quote "$BUILD/daemon"):\"\$PATH\""
step "The demo works in $dir, which it keeps; its commands paste after these"
show "cd $(quote "$dir")"
show "$path_line"

step "Keys: an admin for the registry, a desk that signs claims"
run_sh "claim keygen --out admin.key > admin.pub"
run_sh "claim keygen --out desk.key > desk.pub"
echo "admin $(cat admin.pub)"
echo "desk  $(cat desk.pub)"

step "claimd on a new data folder (free loopback ports)"
show "$(cmdline claimd --data data --api 'tcp://127.0.0.1:*' \
    --pub 'tcp://127.0.0.1:*' --admin-key "$(cat admin.pub)") > claimd.out 2> claimd.log &"
claimd --data data --api 'tcp://127.0.0.1:*' --pub 'tcp://127.0.0.1:*' \
    --admin-key "$(cat admin.pub)" > claimd.out 2> claimd.log &
pid=$!
for _ in $(seq 50); do grep -q '^feed' claimd.out 2>/dev/null && break; sleep 0.1; done
cat claimd.log
CLAIM_SERVER=$(awk '/^api/ {print $2}' claimd.out)
CLAIM_FEED=$(awk '/^feed/ {print $2}' claimd.out)
export CLAIM_SERVER
show "export CLAIM_SERVER=$(quote "$CLAIM_SERVER")"

step "A monitoring tool follows the feed from index 0"
show "claim watch --from 0 --json > watch.jsonl &"
claim watch --from 0 --json > watch.jsonl &
watch=$!

step "The parties who speak in the seed documents, and the desk's grants"
$PY -c 'import json,sys
for p in json.load(open(sys.argv[1])): print(p["slug"] + "\t" + p["name"])' \
    "$EXAMPLES/parties.json" > parties.tsv
first=yes
while IFS="$(printf '\t')" read -r slug name; do
	if [ -n "$first" ]; then
		run claim --key admin.key party add "$slug" --name "$name"
		run_sh "claim --key admin.key grant \"\$(cat desk.pub)\" --party $(quote "$slug")"
		first=""
	else
		claim --key admin.key party add "$slug" --name "$name" > /dev/null
		claim --key admin.key grant "$(cat desk.pub)" --party "$slug" > /dev/null
	fi
done < parties.tsv
echo "(and so for each of the $(wc -l < parties.tsv) parties in examples/parties.json)"

step "The example narratives: claims, revisions and a retraction, pipelined"
run_sh "claim --key desk.key submit $(quote "$EXAMPLES/narratives.jsonl") --json > acks.jsonl"
echo "$(wc -l < acks.jsonl) acknowledged; the first three:"
head -3 acks.jsonl

step "An unauthorized key is refused (exit 4)"
run_sh "claim keygen --out stranger.key > /dev/null"
run_sh "echo '{\"party\": \"az-mfa\", \"topics\": [\"normalization\"], \"statement\": \"Planted.\"}' | claim --key stranger.key submit -" ||
    echo "exit status $?"

step "Claims of one party"
run claim list --party am-mfa

id=$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a.get("version", 1) > 1: print(a["claim"][:12]); break' acks.jsonl)
step "A revised claim: its history, and what changed"
run claim history "$id"
run claim diff "$id" --from 1 --to 2
step "...and the claim in full"
run claim show "$id"

step "Two narratives side by side: who disputes whom on the Lachin checkpoint"
run claim diff --topic lachin-checkpoint --party az-mfa --party am-gov \
    --party gulshan-pashayeva --html lachin.html
run claim diff --topic lachin-checkpoint --party az-mfa --party am-gov \
    --party gulshan-pashayeva
echo "(and as a page an editor can open, $(wc -c < lachin.html) bytes of HTML, kept:"
echo " $dir/lachin.html)"

chain=$($PY -c 'import json,sys
for n, l in enumerate(open(sys.argv[1]), 1):
    o = json.loads(l)
    s = o.get("sources", [])
    depth = lambda i: 1 + (depth(s[i]["derivation"]["from"]) if "derivation" in s[i] else 0)
    if "ref" in o and any(depth(i) >= 3 for i in range(len(s))): print(n); break' \
    "$EXAMPLES/narratives.jsonl")
cid=$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a.get("line") == int(sys.argv[2]): print(a["claim"][:12])' acks.jsonl "$chain")
step "Where a claim's sources came from, down to the primary one"
run claim trace "$cid"

step "Is a quote really in the document it cites?"
seed="$EXAMPLES/seeds/004_adb72cefbd073b1c.txt"
run claim quote-check "$seed" --quote "grossly misinterpreted by the Armenian side"
run claim quote-check "$seed" --quote "grossly misrepresented by the Armenian side" ||
    echo "exit status $?"

step "The feed the monitor saw: every index exactly once"
sleep 1
kill "$watch"
wait "$watch" 2>/dev/null || true
watch=""
$PY -c 'import json,sys
idx = [json.loads(l)["index"] for l in open(sys.argv[1])]
print("%d events, indexes %d..%d, each once: %s" % (len(idx), min(idx), max(idx), sorted(idx) == list(range(len(idx)))))' watch.jsonl

step "Stats"
run claim stats

step "Auditing without trusting the daemon"
run claim log-key
run_sh "claim checkpoint | tee checkpoint"
run claim export --out export.jsonl
run_sh 'claim verify export.jsonl --checkpoint checkpoint --log-key "$(claim log-key)" --admin-key "$(cat admin.pub)"'
run claim prove inclusion "$id"
run claim audit --state audit.json
run_sh "echo '{\"party\": \"am-mfa\", \"topics\": [\"normalization\"], \"statement\": \"A later claim.\"}' | claim --key desk.key submit - > /dev/null"
run claim audit --state audit.json

step "The public face: every narrative as pages, the log as tlog-tiles beside them"
run claim publish --out site
run_sh 'claim verify --tiles site --log-key "$(claim log-key)" --admin-key "$(cat admin.pub)"'
echo "(a page per topic, claim and party: $(find site -name '*.html' | wc -l) pages; and the"
echo " checkpoint, hash tiles and entry bundles any web server or CDN can serve)"

step "claimd stops cleanly on SIGTERM, and its store checks sound"
show "kill $pid"
kill "$pid"
wait "$pid" || true
pid=""
tail -1 claimd.log
run claimd --check data

done=yes
step "The demo's folder is kept: $dir"
echo "It holds the keys, claimd's data folder (data/) and log, the export,"
echo "the page lachin.html and the published site (site/). To serve the site"
echo "at http://127.0.0.1:8000/ :"
show "$PY -m http.server 8000 --bind 127.0.0.1 --directory $(quote "$dir/site")"
echo "To go on with claimd, in a shell:"
show "cd $(quote "$dir")"
show "$path_line"
show "$(cmdline claimd --data data --api "$CLAIM_SERVER" --pub "$CLAIM_FEED") &"
show "export CLAIM_SERVER=$(quote "$CLAIM_SERVER")"
show "claim list --party am-mfa"
echo "To remove it:"
show "rm -rf $(quote "$dir")"
