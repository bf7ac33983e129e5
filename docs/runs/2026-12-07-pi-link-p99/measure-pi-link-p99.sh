#!/bin/bash
# pi-link, p99 <= 2 s, start rate given (the 662-query probes make low start rates cost minutes each)
cd /tmp/ol6
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
while [ $# -ge 2 ]; do
  s=$1; r=$2; shift 2
  {
  date -u
  timeout 1500 java -Xmx2g -Dai.djl.offline=true -cp /tmp/ol6/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
    --scenario server --slo p99:2s --transports nio --links pi-link --splits $s --batch 1 --rate $r \
    --probe-duration 10s --peak-precision 0.1 --max-probes 6 --max-outstanding 64 --no-report --out /tmp/ol6/runs-Q$s
  echo rc=$?
  date -u
  } > /tmp/ol6/Q$s.log 2>&1
  sleep 10
done
