#!/bin/sh
# alternates pipelined ("before": the dispatch before issue 24) and run-to-completion ("now"), order reversed every other round
D=/tmp/disp/out; mkdir -p $D
for r in 1 2 3 4; do
  if [ $((r % 2)) = 1 ]; then a=pipelined; an=before; b=run-to-completion; bn=now; else a=run-to-completion; an=now; b=pipelined; bn=before; fi
  [ $(date -u +%H%M) -lt 0515 ] || break
  pp-measure /tmp/disp/sweep.sh $a r$r-$an $D; sleep 20
  pp-measure /tmp/disp/sweep.sh $b r$r-$bn $D; sleep 20
done
echo done
