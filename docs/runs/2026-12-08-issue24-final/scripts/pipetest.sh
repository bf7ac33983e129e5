#!/bin/sh
# usage: pipetest.sh before|now OUTFILE -- PipeliningTest of the tree's compiled test classes as surefire runs it
# (same JVM options, environment and working directory), through JUnit's launcher (RunOne.java)
here=$(cd "$(dirname "$0")" && pwd)
t=$1; out=$2
if [ "$t" = now ]; then tree=${NOW:-/work/main}; else tree=${BEFORE:-/work/wt/before}; fi
cd $tree/harness || exit 2
echo "tree=$t ($tree) start=$(date -u +%FT%TZ) uptime: $(uptime)" > "$out"
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -XX:MaxHeapFreeRatio=100 -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -cp "$(cat $here/classpath-$t.txt)" $here/RunOne.java io.paretopipe.harness.driver.PipeliningTest >> "$out" 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> "$out"
exit $rc
