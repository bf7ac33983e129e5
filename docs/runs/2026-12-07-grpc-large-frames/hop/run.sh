#!/bin/bash
# Issue 24: HopBenchmark (one hop between two real forwards, head and tail pinned) with the new tuned (composite
# cumulator and large frames) beside tuned-write-buffer (the tuned before), nio and the cold floor, five sizes.
# JMH warm-up 6 x 2 s on top of the benchmark's warmupHops (at most 5 s), so that grpc's code is JIT-compiled also
# at 16 MiB (TransportBenchmark's grpc round trip kept speeding up for 12-15 s); 5 x 1 s measured; HopProfiler.
# Per round, one pp-measure hold: floor-cold and nio (one JMH run), then grpc with both tunings; every other round
# grpc first, tunings reversed. sleep 30 between rounds.
# Usage: run.sh JAR OUTDIR FIRST LAST
JAR=$1; OUT=$2; FIRST=$3; LAST=$4
mkdir -p "$OUT"
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
FLAGS="-f 1 -wi 6 -w 2 -i 5 -r 1 -prof io.paretopipe.benchmarks.HopProfiler"
for r in $(seq "$FIRST" "$LAST"); do
  if [ $((r % 2)) -eq 1 ]; then T=tuned,tuned-write-buffer; else T=tuned-write-buffer,tuned; fi
  BASE="java -Dai.djl.offline=true -jar $JAR HopBenchmark $FLAGS -p transport=floor-cold,nio -rf json -rff $OUT/round$r-base.json > $OUT/round$r-base.txt 2>&1"
  GRPC="java -Dai.djl.offline=true -jar $JAR HopBenchmark $FLAGS -p transport=grpc -p grpcTuning=$T -rf json -rff $OUT/round$r-grpc.json > $OUT/round$r-grpc.txt 2>&1"
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) tunings $T"
  if [ $((r % 2)) -eq 1 ]; then pp-measure sh -c "$BASE; $GRPC"; else pp-measure sh -c "$GRPC; $BASE"; fi
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$LAST" ] && sleep 30
done
