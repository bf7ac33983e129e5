#!/bin/bash
cd /work/wt/spinwait
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
OUT=/tmp/spinwait-meas2
for round in 1 2 3; do
  for ms in "mobilenetv2 9" "resnet18 4"; do
    set -- $ms; model=$1; split=$2
    case $round in 1) modes="off auto wide";; 2) modes="wide off auto";; 3) modes="auto wide off";; esac
    for mode in $modes; do
      tag=$model-$split-$mode-r$round
      extra=""; sw=$mode
      if [ $mode = wide ]; then extra="-Dparetopipe.spinWait.maxSpinMicros=20000"; sw=auto; fi
      rm -rf $OUT/trace-$tag; mkdir -p $OUT/trace-$tag
      PARETOPIPE_STEP_TRACE=$OUT/trace-$tag java -Dai.djl.offline=true $extra -jar harness/target/paretopipe.jar run --model $model --split $split --batch 8 --transport nio --tail spawn --depth 1 --requests 30 --warmup 5 --head-cpus 0 --tail-cpus 1 --spin-wait $sw --json > $OUT/$tag.json 2> $OUT/$tag.err
      echo "$tag rc=$? $(date -u +%T)"
    done
  done
done
