#!/bin/bash
# pi-link, p90 <= 2 s, splits 6..0, one search each (link-bound: run without the exclusive lock, see OPEN-LOOP.md)
cd /tmp/ol6
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
for s in "$@"; do
  {
  date -u
  timeout 1500 java -Xmx2g -Dai.djl.offline=true -cp /tmp/ol6/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
    --scenario server --slo p90:2s --transports nio --links pi-link --splits $s --batch 1 \
    --probe-duration 10s --peak-precision 0.1 --max-probes 6 --max-outstanding 64 --no-report --out /tmp/ol6/runs-P$s
  echo rc=$?
  date -u
  } > /tmp/ol6/P$s.log 2>&1
  sleep 20
done
echo ALLDONE > /tmp/ol6/done
