#!/bin/bash
# usage: p.sh SPLIT TAG  (pi-link, p90 <= 2 s)
cd /tmp/ol5
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
date -u
timeout 900 java -Xmx2g -Dai.djl.offline=true -cp /tmp/ol5/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --scenario server --slo p90:2s --transports nio --links pi-link --splits $1 --batch 1 \
  --probe-duration 10s --peak-precision 0.1 --max-probes 6 --max-outstanding 64 --no-report --out /tmp/ol5/runs-$2
echo rc=$?
date -u
