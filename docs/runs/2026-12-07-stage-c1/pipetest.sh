#!/bin/sh
# usage: pipetest.sh ARM OUTFILE -- PipeliningTest as surefire runs it (same JVM options, env), this tree's classes:
# ARM old = -Dparetopipe.stageJvmOptions=none (spawned stage with the default JIT), new = the default (C1 only)
here=$(cd "$(dirname "$0")" && pwd)
arm=$1; out=$2
case $arm in old) prop=-Dparetopipe.stageJvmOptions=none ;; new) prop= ;; *) echo "unknown arm $arm" >&2; exit 2 ;; esac
cd /work/main/harness || exit 2
{ echo "arm=$arm start=$(date -u +%FT%TZ) uptime: $(uptime)"; } > "$out"
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -XX:MaxHeapFreeRatio=100 -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch $prop \
  -cp "$(cat $here/classpath.txt)" $here/../2026-12-07-dispatch-window/RunOne.java io.paretopipe.harness.driver.PipeliningTest >> "$out" 2>&1
rc=$?
echo "rc=$rc end=$(date -u +%FT%TZ) uptime: $(uptime)" >> "$out"
exit $rc
