#!/bin/bash
# Issue 24: grpc tuned against tuned-composite (both ends' composite cumulator), JIT-warm as in ../2026-12-07-grpc-warm:
# TransportBenchmark 10 x 3 s warm-up, 5 x 2 s measured, 1 fork, unpinned. Per round, one pp-measure hold: nio, then
# grpc with both tunings (order of the tunings reversed every other round); sleep 30 between rounds.
# Usage: run.sh JAR OUTDIR FIRST LAST
JAR=$1; OUT=$2; FIRST=$3; LAST=$4
mkdir -p "$OUT"
FLAGS="-f 1 -wi 10 -w 3 -i 5 -r 2 -p bytes=4194304,16777216"
for r in $(seq "$FIRST" "$LAST"); do
  if [ $((r % 2)) -eq 1 ]; then T=tuned,tuned-composite; else T=tuned-composite,tuned; fi
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) tunings $T"
  pp-measure sh -c "java -jar $JAR TransportBenchmark $FLAGS -p transport=nio \
      -rf json -rff $OUT/round$r-nio.json > $OUT/round$r-nio.txt 2>&1 && \
    java -jar $JAR TransportBenchmark $FLAGS -p transport=grpc -p grpcTuning=$T \
      -rf json -rff $OUT/round$r-grpc.json > $OUT/round$r-grpc.txt 2>&1"
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$LAST" ] && sleep 30
done
