#!/bin/sh
# usage: sweep.sh ARM NAME DIR -- one closed-loop sweep of mobilenetv2 splits 8-10 (nio, loopback, batch 8, depth 4).
# ARM: before = 93a0dbc's jar (the dispatch before issue 24: every request on the compute thread);
#      now = 689efe0's jar, default dispatch (run-to-completion with the pipelining-head window);
#      pipelined = 689efe0's jar with --stage-dispatch pipelined.
arm=$1; name=$2; D=$3
case $arm in
  before) jar=/tmp/disp2/benchmarks-before.jar; extra="" ;;
  now) jar=/tmp/disp2/benchmarks-now.jar; extra="--energy off" ;;
  pipelined) jar=/tmp/disp2/benchmarks-now.jar; extra="--energy off --stage-dispatch pipelined" ;;
  *) echo "unknown arm $arm" >&2; exit 2 ;;
esac
out=$D/sweep-$name; mkdir -p $out
log=$out/console.txt
cd /tmp/disp2 || exit 2
echo "arm=$arm start=$(date -u +%FT%TZ) uptime: $(uptime)" > $log
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -Dai.djl.offline=true -cp $jar io.paretopipe.benchmarks.sweep.Sweep \
  --models mobilenetv2 --transports nio --links none --splits 8,9,10 --batch 8 --setting quick \
  --budget 4m --max-passes 12 --no-unit-profile --no-report $extra --out $out >> $log 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> $log
exit $rc
