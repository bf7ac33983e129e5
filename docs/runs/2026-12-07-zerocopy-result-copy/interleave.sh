#!/bin/bash
# Alternates `run` of two checkouts' jars, order flipped every round, step trace on:
#   pp-measure interleave.sh ROUNDS BASE_CHECKOUT NEW_CHECKOUT OUT_DIR
# writes OUT_DIR/m-{base,new}-R.json (run --json) and OUT_DIR/m-{base,new}-R/ (PARETOPIPE_STEP_TRACE).
set -u
rounds=$1 base=$2 new=$3 out=$4
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then order="base new"; else order="new base"; fi
  for which in $order; do
    if [ "$which" = base ]; then dir=$base; else dir=$new; fi
    rm -rf "$out/m-$which-$r"
    (cd "$dir" && MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
      PARETOPIPE_STEP_TRACE="$out/m-$which-$r" java -Dai.djl.offline=true -jar harness/target/paretopipe.jar run \
      --model mobilenetv2 --split 9 --batch 8 --transport nio --tail spawn --depth 1 --requests 30 --warmup 5 \
      --head-cpus 0 --tail-cpus 1 --json > "$out/m-$which-$r.json") || echo "run $which $r failed"
  done
done
