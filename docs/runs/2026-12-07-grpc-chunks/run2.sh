#!/bin/bash
# Rounds 4-6: the variants that matter (nio, grpc-tuned, whole, chunk-1m), 2 s iterations (the class's defaults:
# 3 x 2 s warm-up, 5 x 2 s), one pp-measure hold each, sleep 30 between.
# Usage: run2.sh JAR OUTDIR FIRST LAST
JAR=$1; OUT=$2; FIRST=$3; LAST=$4
mkdir -p "$OUT"
for r in $(seq "$FIRST" "$LAST"); do
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  pp-measure java -jar "$JAR" GrpcChunkBenchmark -f 1 -p variant=nio,grpc-tuned,whole,chunk-1m \
    -rf json -rff "$OUT/round$r.json" > "$OUT/round$r.txt" 2>&1
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$LAST" ] && sleep 30
done
