#!/bin/bash
# Issue 24: the large-frames knob (SETTINGS_MAX_FRAME_SIZE 2^24 - 1 from both ends) on top of tuned-composite, against
# tuned and tuned-composite, and nio, JIT-warm: TransportBenchmark's defaults (6 x 3 s warm-up, 5 x 2 s measured,
# 1 fork, unpinned), 4 and 16 MiB. Per round, one pp-measure hold: nio, then grpc with the three tunings (one JMH run);
# every other round grpc first, tunings reversed. sleep 30 between rounds.
# Usage: run.sh JAR OUTDIR FIRST LAST
JAR=$1; OUT=$2; FIRST=$3; LAST=$4
mkdir -p "$OUT"
FLAGS="-f 1 -p bytes=4194304,16777216"
for r in $(seq "$FIRST" "$LAST"); do
  if [ $((r % 2)) -eq 1 ]; then T=tuned,tuned-composite,tuned-composite-large-frames; else T=tuned-composite-large-frames,tuned-composite,tuned; fi
  NIO="java -jar $JAR TransportBenchmark $FLAGS -p transport=nio -rf json -rff $OUT/round$r-nio.json > $OUT/round$r-nio.txt 2>&1"
  GRPC="java -jar $JAR TransportBenchmark $FLAGS -p transport=grpc -p grpcTuning=$T -rf json -rff $OUT/round$r-grpc.json > $OUT/round$r-grpc.txt 2>&1"
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) tunings $T"
  if [ $((r % 2)) -eq 1 ]; then pp-measure sh -c "$NIO; $GRPC"; else pp-measure sh -c "$GRPC; $NIO"; fi
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$LAST" ] && sleep 30
done
