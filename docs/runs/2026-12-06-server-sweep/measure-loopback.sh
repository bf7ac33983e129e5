#!/bin/bash
# usage: m.sh SPLIT TAG  (from split 3 or 4 on: branch drift, stated intervals)
cd /tmp/ol5
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
date -u
timeout 900 java -Xmx2g -Dai.djl.offline=true -cp /tmp/ol5/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --scenario server --slo p99:500ms --transports nio --links none --splits $1 --batch 1 \
  --probe-duration 10s --peak-precision 0.1 --max-probes 6 --max-outstanding 64 --no-report --out /tmp/ol5/runs-$2
echo rc=$?
date -u
