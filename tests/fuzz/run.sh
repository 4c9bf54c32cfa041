#!/bin/sh
# Runs the fuzz targets one after the other, each for a while (make fuzz).
#
#   tests/fuzz/run.sh BUILD [SECONDS [TARGET...]]
#
# BUILD is a build folder configured with -DCLAIMD_FUZZ=ON (build-fuzz);
# SECONDS (default 20) is each target's time; TARGETs are record, request
# and json (default: all three). Each target works on its own scratch
# corpus, BUILD/fuzz/TARGET/corpus, seeded from tests/fuzz/corpus/TARGET
# (which is never written to), and keeps growing it from run to run. First
# the target runs the reproducers of bugs found before (crashes/TARGET-*);
# one that fails stops the script. A crash, leak, sanitizer report or
# timeout while fuzzing is saved in
# BUILD/fuzz/TARGET/artifacts/ and makes the script exit 1, with the log's
# end printed; the whole log is BUILD/fuzz/TARGET/log.
set -eu

build=${1:?usage: run.sh BUILD [SECONDS [TARGET...]]}
seconds=${2:-20}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-record request json}
here=$(cd "$(dirname "$0")" && pwd)
status=0

for t in $targets; do
	case $t in
	record | request) max_len=70000 ;;
	json) max_len=16384 ;;
	*)
		echo "run.sh: no fuzz target \"$t\"" >&2
		exit 2
		;;
	esac
	bin=$build/tests/fuzz/fuzz_$t
	work=$build/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin missing; build with -DCLAIMD_FUZZ=ON" >&2
		exit 2
	fi
	mkdir -p "$work/corpus" "$work/artifacts"
	# Bugs found before: each reproducer must run clean.
	for f in "$here/crashes/$t"-*; do
		[ -e "$f" ] || continue
		if ! "$bin" "$f" >"$work/regress.log" 2>&1; then
			echo "fuzz_$t: REGRESSION on $f:" >&2
			tail -n 40 "$work/regress.log" >&2
			exit 1
		fi
	done
	cp "$here/corpus/$t/"* "$work/corpus/"
	if "$bin" -max_total_time="$seconds" -max_len="$max_len" \
	    -rss_limit_mb=2048 -timeout=25 -dict="$here/$t.dict" \
	    -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	    "$work/corpus" >"$work/log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
		cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
		echo "fuzz_$t: ${runs:-?} runs in ${seconds}s (${rate:-?}/s), $cov, no failure"
	else
		status=1
		echo "fuzz_$t: FAILED; log $work/log, input in $work/artifacts/:" >&2
		tail -n 40 "$work/log" >&2
	fi
done
exit $status
