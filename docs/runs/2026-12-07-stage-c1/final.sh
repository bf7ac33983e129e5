#!/bin/bash
# After all.sh: overhead-compare.sh with its new defaults (head and stage C1 only), 3 rounds per size, from /work/main
# with the jars of this commit (run --json with head_jit), one pp-measure hold per size.
D=/tmp/c1
cd /work/main
for m in "mobilenetv2 9" "resnet18 4"; do set -- $m
  REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
    --model $1 --split $2 --rounds 3 --out $D/final-$1-$2 > $D/final-$1-$2.txt 2>&1; sleep 10
done
echo final done $(date -u +%T)
