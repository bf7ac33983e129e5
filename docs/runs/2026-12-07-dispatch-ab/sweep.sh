#!/bin/sh
# usage: sweep.sh DISPATCH NAME DIR -- one closed-loop sweep of mobilenetv2 splits 8-10 (nio, loopback), jar of 0e01402,
# shared stage server with --stage-dispatch DISPATCH
d=$1; name=$2; D=$3
out=$D/sweep-$name; mkdir -p $out
log=$out/console.txt
cd /work/main || exit 2
echo "dispatch=$d start=$(date -u +%FT%TZ) uptime: $(uptime)" > $log
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -Dai.djl.offline=true -cp /tmp/disp/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --models mobilenetv2 --transports nio --links none --splits 8,9,10 --batch 8 --setting quick \
  --budget 4m --max-passes 12 --no-unit-profile --no-report --energy off --stage-dispatch $d --out $out >> $log 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> $log
exit $rc
