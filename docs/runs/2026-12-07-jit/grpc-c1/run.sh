#!/bin/bash
# TransportBenchmark under C1 only (-XX:TieredStopAtLevel=1 on the fork: head and stage of a round trip) against the
# default tiered JIT, nio and grpc tuned, 4 and 16 MiB, two interleaved rounds, one pp-measure hold
set -eu
out=/tmp/thp/grpcc1; jar=/work/main/benchmarks/target/benchmarks.jar
for r in 1 2; do
  case $r in 1) modes="default c1";; 2) modes="c1 default";; esac
  for m in $modes; do
    [ $m = c1 ] && jvm="-jvmArgsAppend -XX:TieredStopAtLevel=1" || jvm=
    for t in nio grpc; do
      java -jar $jar TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 -p transport=$t \
        -p grpcTuning=tuned $jvm -rf json -rff $out/r$r-$m-$t.json > $out/r$r-$m-$t.txt 2>&1
    done
  done
done
