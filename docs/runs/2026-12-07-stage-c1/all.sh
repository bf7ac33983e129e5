#!/bin/bash
# Everything of this folder in one go, each run its own pp-measure hold (from /work/main):
# 1. arms.sh; 2. overhead-compare.sh at both sizes with the new default (3 rounds, 500 warm-up);
# 3. PipeliningTest old/new alternating, 3 rounds; 4. the sweep old/new, 3 rounds, order alternating.
here=$(cd "$(dirname "$0")" && pwd); D=/tmp/c1
cd /work/main
bash $here/arms.sh $D/arms > $D/arms.txt 2>&1
for m in "mobilenetv2 9" "resnet18 4"; do set -- $m
  REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
    --model $1 --split $2 --rounds 3 --out $D/overhead-$1-$2 > $D/overhead-$1-$2.txt 2>&1; sleep 10
done
for r in 1 2 3; do
  if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for a in $order; do pp-measure sh $here/pipetest.sh $a $D/pipelining-r$r-$a.txt; sleep 10; done
done
for r in 1 2 3; do
  if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for a in $order; do pp-measure sh $here/sweep.sh $a r$r-$a $D; sleep 20; done
done
echo all done $(date -u +%T)
