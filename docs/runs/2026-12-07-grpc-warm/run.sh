#!/bin/bash
# Issue 24, Done-when 3 with grpc JIT-warm: TransportBenchmark with 30 s of warm-up (10 x 3 s) instead of 3 x 1 s,
# 5 x 2 s measured, 1 fork, unpinned. Per round, one pp-measure hold: echo, nio and grpc tuned (one JMH run), then
# grpc default (a second run); sleep 30 between rounds. JSON and text per run.
# Usage: run.sh JAR OUTDIR FIRST LAST
JAR=$1; OUT=$2; FIRST=$3; LAST=$4
mkdir -p "$OUT"
FLAGS="-f 1 -wi 10 -w 3 -i 5 -r 2 -p bytes=4194304,16777216"
for r in $(seq "$FIRST" "$LAST"); do
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  pp-measure sh -c "java -jar $JAR TransportBenchmark $FLAGS -p transport=echo,nio,grpc -p grpcTuning=tuned \
      -rf json -rff $OUT/round$r-tuned.json > $OUT/round$r-tuned.txt 2>&1 && \
    java -jar $JAR TransportBenchmark $FLAGS -p transport=grpc -p grpcTuning=default \
      -rf json -rff $OUT/round$r-default.json > $OUT/round$r-default.txt 2>&1"
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$LAST" ] && sleep 30
done
