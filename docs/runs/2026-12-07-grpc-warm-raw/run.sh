#!/bin/bash
# Issue 24: our grpc transport against the raw grpc-java echo with the same copies (GrpcChunkBenchmark's whole), and
# nio, JIT-warm: the class's default warm-up (6 x 3 s), 5 x 2 s measured, 1 fork. 3 rounds, one pp-measure hold each,
# the variants' order reversed every other round, sleep 30 between.
# Usage: run.sh JAR OUTDIR
JAR=$1; OUT=$2
mkdir -p "$OUT"
for r in 1 2 3; do
  if [ $((r % 2)) -eq 1 ]; then V=nio,grpc-tuned,whole; else V=whole,grpc-tuned,nio; fi
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) variants $V"
  pp-measure java -jar "$JAR" GrpcChunkBenchmark -f 1 -p variant=$V -rf json -rff "$OUT/round$r.json" > "$OUT/round$r.txt" 2>&1
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt 3 ] && sleep 30
done
