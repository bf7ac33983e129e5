#!/bin/bash
# Issue 24, Done-when 3's other half at 4 MiB: nio / echo, JIT-warm (TransportBenchmark's defaults: 6 x 3 s warm-up,
# 5 x 2 s measured, 1 fork, unpinned). One pp-measure hold per round (echo and nio in one JMH run, the order
# reversed every other round), sleep 20 between.
# Usage: run.sh JAR OUTDIR FIRST LAST
JAR=$1; OUT=$2; FIRST=$3; LAST=$4
mkdir -p "$OUT"
for r in $(seq "$FIRST" "$LAST"); do
  if [ $((r % 2)) -eq 1 ]; then T=echo,nio; else T=nio,echo; fi
  echo "round $r start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) order $T"
  pp-measure java -jar "$JAR" TransportBenchmark -f 1 -p bytes=4194304 -p transport=$T -rf json -rff "$OUT/round$r.json" > "$OUT/round$r.txt" 2>&1
  echo "round $r end $(date -u +%T) rc=$?"
  [ "$r" -lt "$LAST" ] && sleep 20
done
