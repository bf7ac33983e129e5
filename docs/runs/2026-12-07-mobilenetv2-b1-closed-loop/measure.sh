#!/bin/sh
# mobilenetv2 batch 1, nio over loopback, every split, closed loop (JMH), with the unit profiles at batch 1
cd /work/wt/reports21
exec env MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 \
  java -Xmx2g -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.paretopipe.benchmarks.sweep.Sweep \
  --models mobilenetv2 --transports nio --links none --splits all --batch 1 --depth 4 \
  --setting quick --budget 5m --max-passes 3 --energy off --no-report --out runs
