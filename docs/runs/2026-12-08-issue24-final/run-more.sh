#!/bin/bash
# Three more sweep rounds (r4-r6) of run.sh's before/now sweep at mobilenetv2 splits 8-10, after its other checks:
# rounds 1-2's `now` sweeps had passes far below the rest (45-80 img/s) that round 3 and every `before` did not.
D=$(cd "$(dirname "$0")" && pwd)
export NOW=${NOW:-/work/main} BEFORE=${BEFORE:-/work/wt/before}
log() { echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $D/run.log; }
for r in 4 5 6; do
  if [ $((r % 2)) -eq 0 ]; then order="now before"; else order="before now"; fi
  for t in $order; do
    log "sweep r$r $t"; pp-measure $D/scripts/sweep.sh $t r$r-$t $D
  done
done
log "more finished"
