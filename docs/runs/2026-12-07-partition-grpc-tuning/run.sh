#!/bin/bash
# PartitionBenchmark over grpc, default against tuned, and nio beside them, mobilenetv2 splits 1, 3, 9
# (12.8 MB, 2.4 MB, 0.4 MB per batch of 8), PartitionBenchmark's own warm-up (5 x 3 s) and
# measurement (3 x 4 s), head on CPU 0, stage on CPU 1 (headCpus/tailCpus auto).
# Three rounds, one pp-measure hold each; the grpc tunings' order alternates between rounds.
# Usage: run.sh JAR OUT
set -euo pipefail
jar=$1; out=$2; mkdir -p "$out"
for round in 1 2 3; do
  if [ $((round % 2)) = 1 ]; then order=default,tuned; else order=tuned,default; fi
  pp-measure bash -c "
    set -e
    date -u +'round $round start %H:%M:%S'
    java -jar $jar 'PartitionBenchmark\.(latency|throughput)' -p model=mobilenetv2 -p split=1,3,9 \
      -p transport=grpc -p grpcTuning=$order -jvmArgsAppend -Dparetopipe.hlog.dir=$out/hlog-$round \
      -rf json -rff $out/round-$round-grpc.json > $out/round-$round-grpc.log 2>&1
    java -jar $jar 'PartitionBenchmark\.(latency|throughput)' -p model=mobilenetv2 -p split=1,3,9 \
      -p transport=nio -jvmArgsAppend -Dparetopipe.hlog.dir=$out/hlog-$round \
      -rf json -rff $out/round-$round-nio.json > $out/round-$round-nio.log 2>&1
    date -u +'round $round end %H:%M:%S'
  "
done
