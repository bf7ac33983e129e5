#!/bin/bash
# usage: m.sh SPLIT TAG
cd /work/wt/openloop4
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
date -u
timeout 1000 java -Xmx2g -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --scenario server --slo p99:500ms --transports nio --links none --splits $1 --batch 1 \
  --probe-duration 10s --peak-precision 0.1 --max-probes 6 --max-outstanding 64 --warmup-requests 2000 --no-report --out /tmp/ol4/runs-$2
echo rc=$?
date -u
