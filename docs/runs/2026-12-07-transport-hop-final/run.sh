#!/bin/sh
# One round: TransportBenchmark (echo, nio, grpc default and tuned at 4 and 16 MiB) in one pp-measure hold, then
# HopBenchmark (all points, with HopProfiler) in another; jars of the main checkout.
D=$(cd "$(dirname "$0")" && pwd); J=/work/main/benchmarks/target/benchmarks.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
pp-measure sh -c "uptime > $D/transport.txt;
  java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 \
    -p transport=echo,nio -rf json -rff $D/transport-echo-nio.json >> $D/transport.txt 2>&1;
  java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 \
    -p transport=grpc -p grpcTuning=default,tuned -rf json -rff $D/transport-grpc.json >> $D/transport.txt 2>&1;
  uptime >> $D/transport.txt"
sleep 30
pp-measure sh -c "uptime > $D/hop.txt;
  java -Dai.djl.offline=true -jar $J HopBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof io.paretopipe.benchmarks.HopProfiler \
    -rf json -rff $D/hop.json >> $D/hop.txt 2>&1;
  uptime >> $D/hop.txt"
echo finished
