#!/bin/bash
# Issue 24's four Done-when checks, all on main 1ae0269 in one window (2026-12-08), each run one pp-measure hold
# (nothing else runs in a hold: builds and tests wait on the same lock).
#   1. overhead-compare.sh, mobilenetv2 split 9 and resnet18 split 4, 3 interleaved rounds each (the script's rounds)
#   2. HopBenchmark, one round: floor cold/fresh/hot, nio, grpc tuned at 5 sizes (class defaults, pinned)
#   3. TransportBenchmark, 3 rounds at 4 and 16 MiB: echo and nio in one JMH run, grpc default and tuned in
#      another (class defaults: 6 x 3 s warm-up, 5 x 2 s measured); order reversed every other round
#   4. PipeliningTest and the sweep at mobilenetv2 splits 8-10, before (93a0dbc, the parent of issue 24's first
#      change) and now, alternated, 3 rounds each (scripts/pipetest.sh, scripts/sweep.sh)
# Usage: run.sh   (NOW=/work/main and BEFORE=/work/wt/before hold built trees; jars of NOW are measured)
D=$(cd "$(dirname "$0")" && pwd)
NOW=${NOW:-/work/main}; BEFORE=${BEFORE:-/work/wt/before}
J=$NOW/benchmarks/target/benchmarks.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
log() { echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) $*" | tee -a $D/run.log; }
cd $NOW
for r in 1 2 3; do
  if [ $((r % 2)) -eq 1 ]; then order="before now"; else order="now before"; fi
  for t in $order; do
    log "pipelining r$r $t"; pp-measure $D/scripts/pipetest.sh $t $D/pipelining-r$r-$t.txt
  done
  for t in $order; do
    log "sweep r$r $t"; pp-measure $D/scripts/sweep.sh $t r$r-$t $D
  done
  BASE="java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -p bytes=4194304,16777216 -p transport=echo,nio -rf json -rff $D/transport-round$r-base.json > $D/transport-round$r-base.txt 2>&1"
  if [ $((r % 2)) -eq 1 ]; then T=default,tuned; else T=tuned,default; fi
  GRPC="java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -p bytes=4194304,16777216 -p transport=grpc -p grpcTuning=$T -rf json -rff $D/transport-round$r-grpc.json > $D/transport-round$r-grpc.txt 2>&1"
  log "transport r$r"
  if [ $((r % 2)) -eq 1 ]; then pp-measure sh -c "$BASE; $GRPC"; else pp-measure sh -c "$GRPC; $BASE"; fi
done
for m in "mobilenetv2 9" "resnet18 4"; do
  set -- $m
  log "overhead-compare $1 $2"
  REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
      --model $1 --split $2 --rounds 3 --out $D/overhead-$1-$2 > $D/overhead-$1-$2.txt 2>&1
done
log "hop"
pp-measure sh -c "java -Dai.djl.offline=true -jar $J HopBenchmark -f 1 -prof io.paretopipe.benchmarks.HopProfiler -rf json -rff $D/hop.json > $D/hop.txt 2>&1"
log "finished"
