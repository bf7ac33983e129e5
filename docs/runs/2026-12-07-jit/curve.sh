#!/bin/bash
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
PARETOPIPE_STEP_TRACE=/tmp/thp/curve java -jar /work/main/harness/target/paretopipe.jar run --model mobilenetv2 --split 9 --transport nio --tail spawn --batch 8 \
      --depth 1 --requests 1000 --warmup 0 --head-cpus 0 --tail-cpus 1 --json > /tmp/thp/curve.json 2>/tmp/thp/curve.err
