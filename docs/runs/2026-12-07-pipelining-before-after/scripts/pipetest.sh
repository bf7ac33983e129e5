#!/bin/sh
here=$(cd "$(dirname "$0")" && pwd)
# usage: pipetest.sh TREE OUTFILE  -- runs PipeliningTest of /work/wt/TREE as surefire would (same JVM options, env, cwd)
t=$1; out=$2
cd /work/wt/$t/harness || exit 2
{ echo "tree=$t start=$(date -u +%FT%TZ) uptime: $(uptime)"; } > "$out"
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -XX:MaxHeapFreeRatio=100 -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -cp "$(cat $here/classpath-$([ $t = pipe24 ] && echo now || echo before).txt)" $here/RunOne.java io.paretopipe.harness.driver.PipeliningTest >> "$out" 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> "$out"
exit $rc
