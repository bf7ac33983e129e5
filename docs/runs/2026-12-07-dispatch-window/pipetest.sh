#!/bin/sh
# usage: pipetest.sh ARM OUTFILE -- runs PipeliningTest as surefire would (same JVM options, env, cwd):
# ARM before = 93a0dbc's test classes (/work/wt/base93), now = this commit's (/work/main)
here=$(cd "$(dirname "$0")" && pwd)
arm=$1; out=$2
case $arm in before) tree=/work/wt/base93 ;; now) tree=/work/main ;; *) echo "unknown arm $arm" >&2; exit 2 ;; esac
cd $tree/harness || exit 2
{ echo "arm=$arm start=$(date -u +%FT%TZ) uptime: $(uptime)"; } > "$out"
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -XX:MaxHeapFreeRatio=100 -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -cp "$(cat $here/classpath-$arm.txt)" $here/RunOne.java io.paretopipe.harness.driver.PipeliningTest >> "$out" 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> "$out"
exit $rc
