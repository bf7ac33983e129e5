#!/bin/bash
# Issue 24: does streaming a large tensor over grpc in chunks bring grpc closer to nio?
# GrpcChunkBenchmark, 3 rounds, one pp-measure hold each, sleep 30 between; JSON per round.
# Usage: run.sh JAR OUTDIR [ROUNDS]
JAR=$1; OUT=$2; ROUNDS=${3:-3}
mkdir -p "$OUT"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  pp-measure java -jar "$JAR" GrpcChunkBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 \
    -rf json -rff "$OUT/round$r.json" > "$OUT/round$r.txt" 2>&1
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$ROUNDS" ] && sleep 30
done
