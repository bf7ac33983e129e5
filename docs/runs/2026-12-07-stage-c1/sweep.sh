#!/bin/sh
# usage: sweep.sh ARM NAME DIR -- one closed-loop sweep of mobilenetv2 splits 8-10 (nio, loopback, batch 8, depth 4),
# the command of docs/runs/2026-12-07-dispatch-window/sweep.sh ("now" arm); ARM old = the shared stage servers with
# -Dparetopipe.stageJvmOptions=none (default JIT), new = the default (C1 only).
arm=$1; name=$2; D=$3
case $arm in old) prop=-Dparetopipe.stageJvmOptions=none ;; new) prop= ;; *) echo "unknown arm $arm" >&2; exit 2 ;; esac
out=$D/sweep-$name; mkdir -p $out
log=$out/console.txt
cd /tmp/c1 || exit 2
echo "arm=$arm start=$(date -u +%FT%TZ) uptime: $(uptime)" > $log
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -Dai.djl.offline=true $prop -cp /tmp/c1/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --models mobilenetv2 --transports nio --links none --splits 8,9,10 --batch 8 --setting quick \
  --budget 4m --max-passes 12 --no-unit-profile --no-report --energy off --out $out >> $log 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> $log
exit $rc
