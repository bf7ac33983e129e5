#!/bin/bash
# After run-more.sh: is the sweep's lower depth-4 throughput on this machine already in 689efe0 (the commit that
# measured 1.008x 93a0dbc on the Intel machine, TRANSPORT.md "A pipelining head stays on the pipelined path")?
# Two rounds of the same sweep with three trees, order rotated: before (93a0dbc), 689efe0, now (1ae0269).
D=$(cd "$(dirname "$0")" && pwd)
log() { echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $D/run.log; }
for r in 7 8; do
  if [ $r -eq 7 ]; then order="689efe0 now before"; else order="before now 689efe0"; fi
  for t in $order; do
    log "sweep r$r $t"; pp-measure $D/scripts/sweep.sh $t r$r-$t $D
  done
done
log "689 finished"
