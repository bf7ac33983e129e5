#!/bin/sh
# usage: sweep.sh before|now|689efe0 NAME DIR -- one closed-loop sweep of mobilenetv2 splits 8-10 (nio, loopback), the tree's jar
t=$1; name=$2; D=$3
case "$t" in
  now) tree=${NOW:-/work/main}; extra="--energy off" ;;
  689efe0) tree=${W689:-/work/wt/w689}; extra="--energy off" ;;
  *) tree=${BEFORE:-/work/wt/before}; extra="" ;;
esac
out=$D/sweep-$name; mkdir -p $out
log=$out/console.txt
cd $tree || exit 2
echo "tree=$t ($tree) start=$(date -u +%FT%TZ) uptime: $(uptime)" > $log
set -x
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --models mobilenetv2 --transports nio --links none --splits 8,9,10 --batch 8 --setting quick \
  --budget 4m --max-passes 12 --no-unit-profile --no-report $extra --out $out >> $log 2>&1
rc=$?
set +x
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> $log
exit $rc
