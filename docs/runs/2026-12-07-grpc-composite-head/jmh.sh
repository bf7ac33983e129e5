#!/bin/bash
# usage (from the repository root, under pp-measure): jmh.sh ROUNDS OUTDIR
R=$1; D=$2
JAR=${JAR:-benchmarks/target/benchmarks.jar}
for r in $(seq 1 $R); do
  if [ $((r % 2)) = 1 ]; then order=("nio tuned" "grpc tuned" "grpc tuned-composite"); else order=("grpc tuned-composite" "grpc tuned" "nio tuned"); fi
  for cfg in "${order[@]}"; do
    set -- $cfg
    name=$1; [ $1 = grpc ] && name=$2
    echo "# $(date -u +%T) round $r $name loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> $D/jmh-log.txt
    java -jar $JAR TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 -p transport=$1 -p grpcTuning=$2 \
      -rf json -rff $D/jmh-r$r-$name.json > $D/jmh-r$r-$name.txt 2>&1
  done
done
echo "# $(date -u +%T) end loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> $D/jmh-log.txt
