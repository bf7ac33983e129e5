#!/bin/bash
# The default sweep's first group (mobilenetv2 over nio, every split, quick) for 3 passes, with and without a 5 s
# group warm-up at the group's lowest and highest split (--group-warmup 5s), alternated, one pp-measure hold per
# sweep, 2 rounds (off first in round 1, on first in round 2). Jar of the group-warmup branch (its default is off,
# so `off` is the sweep as it was). Usage: run.sh JAR_DIR
J=$1; D=$(cd "$(dirname "$0")" && pwd)
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
sweep() {  # ARM ROUND
  local w=0s; [ "$1" = on ] && w=5s
  echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) start $1 r$2" >> $D/run.log
  pp-measure java -Xmx2g -Dai.djl.offline=true -cp $J/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
      --reports-jar $J/paretopipe-reports.jar --transports nio --max-passes 3 --group-warmup $w \
      --out $D/sweep-r$2-$1 > $D/console-r$2-$1.txt 2>&1
  echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) end $1 r$2 rc=$?" >> $D/run.log
}
sweep off 1; sweep on 1; sweep on 2; sweep off 2
echo finished >> $D/run.log
