#!/bin/bash
# pi-link, p99 <= 2 s, start rate given (the 662-query probes make low start rates cost minutes each).
# measure-pi-link-p99.sh TIMEOUT_S SPLIT RATE [SPLIT RATE ...]
# Environment: JAR (the benchmarks jar, default /tmp/ol6/benchmarks.jar), MAXP (--max-probes, 6),
# PREC (--peak-precision, 0.1), TAG (appended to the log's and run folder's names: Q<split><tag>).
# First session (splits 8-12, 15-17): TIMEOUT_S 1500, jar of 87c021a.
# Second session (2026-12-07 02:59-05:00 UTC): jar of d0223b1 (splits 5-7, 13, 14, 18, 19) and of ca8a070 (fail fast:
# the runs tagged f, splits 0-4 and 19).
cd /tmp/ol6
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
t=$1; shift
while [ $# -ge 2 ]; do
  s=$1; r=$2; shift 2
  {
  date -u
  timeout $t java -Xmx2g -Dai.djl.offline=true -cp ${JAR:-/tmp/ol6/benchmarks.jar} io.paretopipe.benchmarks.sweep.Sweep \
    --scenario server --slo p99:2s --transports nio --links pi-link --splits $s --batch 1 --rate $r \
    --probe-duration 10s --peak-precision ${PREC:-0.1} --max-probes ${MAXP:-6} --max-outstanding 64 --no-report \
    --out /tmp/ol6/runs-Q$s${TAG}
  echo rc=$?
  date -u
  } > /tmp/ol6/Q$s${TAG}.log 2>&1
  sleep 5
done
