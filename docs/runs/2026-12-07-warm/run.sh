#!/bin/bash
# Issue 24's first Done-when with JIT-warm JVMs: overhead-compare.sh's new default, 500 warm-up requests for ours
# and the reference, three interleaved rounds per size, one pp-measure hold per size. From /work/main, jars of
# this commit (pp-heavy mvn -B -o -q -pl harness,benchmarks -am package -DskipTests).
set -eu
d=docs/runs/2026-12-07-warm
uptime > $d/uptime.txt
for ms in "mobilenetv2 9" "resnet18 4"; do
  set -- $ms
  REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
      --model $1 --split $2 --rounds 3 --out $d/overhead-$1-$2 > $d/overhead-$1-$2.txt
  uptime >> $d/uptime.txt
  sleep 30
done
# the reference alone with 100 warm-up requests instead of 5, to check that its steps do not fall with warm-up
# (CPython has no JIT): twoproc.py as overhead-compare.sh runs it, one round per model
cd /work/shared/reference/pickle-protocol
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1
for ms in "mobilenet_v2 9" "resnet18 4"; do
  set -- $ms
  pp-measure sh -c "taskset -c 1 /usr/bin/python3 twoproc.py tail --model $1 --split $2 --port 47090 --nodelay --warmup 100 &
    taskset -c 0 /usr/bin/python3 twoproc.py head --model $1 --split $2 --port 47090 --nodelay --warmup 100 \
      --json /work/main/$d/reference-warmup100.jsonl > /dev/null; wait"
done
