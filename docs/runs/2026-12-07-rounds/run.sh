#!/bin/sh
# Three interleaved rounds of TransportBenchmark (echo, nio, grpc default and tuned at 4 and 16 MiB), one
# pp-measure hold per round, then one more HopBenchmark round (all points) for a third warm round beside
# docs/runs/2026-12-06-hop/hop-warm-round3.json and docs/runs/2026-12-07-transport-hop-final/hop.json.
# Jars of the main checkout (commit in ../../.. at run time: see commit.txt). Read with reports' `ratio`.
D=$(cd "$(dirname "$0")" && pwd); J=/work/main/benchmarks/target/benchmarks.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
git -C /work/main rev-parse HEAD > $D/commit.txt
for r in 1 2 3; do
  pp-measure sh -c "uptime >> $D/transport.txt;
    java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 \
      -p transport=echo,nio -rf json -rff $D/round$r-echo-nio.json >> $D/transport.txt 2>&1;
    java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 \
      -p transport=grpc -p grpcTuning=default,tuned -rf json -rff $D/round$r-grpc.json >> $D/transport.txt 2>&1"
  sleep 20
done
pp-measure sh -c "uptime > $D/hop.txt;
  java -Dai.djl.offline=true -jar $J HopBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof io.paretopipe.benchmarks.HopProfiler \
    -rf json -rff $D/hop.json >> $D/hop.txt 2>&1;
  uptime >> $D/hop.txt"
echo finished
