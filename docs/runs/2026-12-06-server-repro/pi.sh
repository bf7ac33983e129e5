#!/bin/bash
cd /work/wt/openloop4
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
for k in 0 19; do
date -u
echo "== split $k pi-link"
timeout 300 java -Xmx2g -Dai.djl.offline=true -jar harness/target/paretopipe.jar run --model mobilenetv2 --split $k --batch 1 \
  --transport nio --link pi-link --depth 1 --requests 10 --warmup 3 --head-cpus 0 --tail-cpus 1
echo rc=$?
done
date -u
