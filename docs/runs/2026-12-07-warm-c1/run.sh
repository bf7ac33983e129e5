#!/bin/bash
# Issue 24's first Done-when with JIT-warm JVMs that compile with C1 only (no profiling, no C2: no compilation
# after the warm-up takes the pinned core from a measured request): overhead-compare.sh with 500 warm-up requests
# and --ours-jvm-options -XX:TieredStopAtLevel=1, three interleaved rounds per size, one pp-measure hold per size.
# From /work/main, jars of this commit (pp-heavy mvn -B -o -q -pl harness,benchmarks -am package -DskipTests).
set -eu
d=docs/runs/2026-12-07-warm-c1
uptime > $d/uptime.txt
for ms in "mobilenetv2 9" "resnet18 4"; do
  set -- $ms
  REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
      --model $1 --split $2 --rounds 3 --ours-jvm-options -XX:TieredStopAtLevel=1 --out $d/overhead-$1-$2 \
      > $d/overhead-$1-$2.txt
  uptime >> $d/uptime.txt
  sleep 30
done
