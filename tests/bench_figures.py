#!/usr/bin/python3
"""The benchmark's CPU figures are measured, not left at zero.

Runs claimbench's quick ingest and claim submit sections with a real
claimd and checks what they print in JSON: claimd's CPU per claim split
by component (the split reads claimd's named threads and its
verify_cpu_us stat, so a renamed thread or a lost counter shows here as
a zero), the load's CPU, and the bounds built from them. No figure is
judged against a speed: performance is make bench's, not a test's.

usage: bench_figures.py CLAIMBENCH CLAIMD CLAIM
"""
import json
import subprocess
import sys


def run(bench, claimd, claim, section):
    out = subprocess.run(
        [bench, claimd, claim, "--quick", "--json", "--only", section],
        check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, timeout=600).stdout
    last = out.strip().splitlines()[-1]
    return {k: v["median"] for k, v in json.loads(last).items()}


def positive(fig, keys):
    for k in keys:
        if k not in fig:
            sys.exit(f"bench_figures: {k} missing")
        if not fig[k] > 0:
            sys.exit(f"bench_figures: {k} is {fig[k]}, not measured")


def main():
    bench, claimd, claim = sys.argv[1:4]
    ing = run(bench, claimd, claim, "ingest")
    positive(ing, ["verify_2", "sign_1", "ingest_16", "ingest_cpu_us",
                   "ingest_cpu_verify_us", "ingest_cpu_commit_us",
                   "ingest_cpu_transport_us", "ingest_cpu_submitters_us",
                   "ingest_bound", "ingest_core", "ingest_alone"])
    if "ingest_cpu_idle_us" not in ing or ing["ingest_cpu_idle_us"] < 0:
        sys.exit("bench_figures: no idle figure")
    # Verification is part of claimd's CPU; each bound adds costs to the
    # one before it, so none exceeds it.
    if not ing["ingest_cpu_verify_us"] < ing["ingest_cpu_us"]:
        sys.exit("bench_figures: verification is not part of the whole")
    if not ing["ingest_core"] <= ing["ingest_bound"]:
        sys.exit("bench_figures: the bounds are out of order")
    sub = run(bench, claimd, claim, "submit")
    positive(sub, ["claim_submit", "submit_cpu_claimd_us",
                   "submit_cpu_verify_us", "submit_cpu_client_us",
                   "submit_bound", "submit_core"])
    if not sub["submit_cpu_verify_us"] < sub["submit_cpu_claimd_us"]:
        sys.exit("bench_figures: verification is not part of the whole")
    print("bench_figures: ok")


main()
