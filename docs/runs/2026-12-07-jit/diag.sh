#!/bin/bash
# what runs beside the measured requests after 500 warm-up ones: JIT compilations and GC of both JVMs
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
cd /tmp/thp/diag
JAVA_TOOL_OPTIONS="-Xlog:jit+compilation=debug,gc:file=/tmp/thp/diag/jvm-%p.log:timenanos,pid" \
PARETOPIPE_STEP_TRACE=/tmp/thp/diag java -jar /work/main/harness/target/paretopipe.jar run --model mobilenetv2 --split 9 --transport nio --tail spawn --batch 8 \
      --depth 1 --requests 30 --warmup 500 --head-cpus 0 --tail-cpus 1 --json > /tmp/thp/diag/ours.json 2>/tmp/thp/diag/err.txt
