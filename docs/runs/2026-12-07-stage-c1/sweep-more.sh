#!/bin/bash
# Three more sweep rounds (r4-r6) after final.sh, the first three having left the throughput ratio undecided
# (0.936 [0.866, 1.011] over 9 round-split ratios); order alternating, new first in r4 and r6.
here=$(cd "$(dirname "$0")" && pwd); D=/tmp/c1
for r in 4 5 6; do
  if [ $((r % 2)) = 0 ]; then order="new old"; else order="old new"; fi
  for a in $order; do pp-measure sh $here/sweep.sh $a r$r-$a $D; sleep 20; done
done
echo sweep-more done $(date -u +%T)
