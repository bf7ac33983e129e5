#!/bin/bash
# usage (from the repository root, under pp-measure): cpu-loop.sh BYTES WARMUP OPS ROUNDS OUT
B=$1; W=$2; N=$3; R=$4; OUT=$5
JAR=${JAR:-benchmarks/target/benchmarks.jar}
for r in $(seq 1 $R); do
  if [ $((r % 2)) = 1 ]; then order=("nio tuned" "grpc tuned" "grpc tuned-composite"); else order=("grpc tuned-composite" "grpc tuned" "nio tuned"); fi
  for cfg in "${order[@]}"; do
    set -- $cfg
    echo "# $(date -u +%T) round $r loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT
    java -Xmx2g -XX:MaxDirectMemorySize=4g -cp $JAR io.paretopipe.benchmarks.TransportCpuBreakdown $1 $2 $B $W $N 1 2>/dev/null | grep round >> $OUT
  done
done
echo "# $(date -u +%T) end loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT
