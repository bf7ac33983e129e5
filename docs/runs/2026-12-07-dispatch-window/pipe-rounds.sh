#!/bin/sh
# 4 rounds of PipeliningTest, before and now alternating (before first in odd rounds), one pp-measure hold each.
D=${1:-/tmp/disp2/out}; mkdir -p $D
P=$(dirname "$0")/pipetest.sh
for r in 1 2 3 4; do
  if [ $((r % 2)) = 1 ]; then order="before now"; else order="now before"; fi
  for a in $order; do
    pp-measure sh $P $a $D/pipelining-r$r-$a.txt; sleep 10
  done
done
echo done
