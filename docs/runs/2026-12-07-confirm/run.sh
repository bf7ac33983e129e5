#!/bin/sh
# Confirmation round for issue 24 (2026-12-07, second session): overhead-compare at resnet18 split 4 and
# mobilenetv2 split 9 (3 interleaved rounds each, one pp-measure hold each), then TransportBenchmark echo and nio
# at 4 and 16 MiB, three JMH runs in one pp-measure hold (rounds). Jars of the main checkout, built before.
D=$(cd "$(dirname "$0")" && pwd); R=/work/main; J=$R/benchmarks/target/benchmarks.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
cd $R
uptime > $D/uptime.txt
REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
    --model resnet18 --split 4 --rounds 3 --out $D/overhead-resnet18-4 > $D/overhead-resnet18-4.txt 2>&1
sleep 30
REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
    --model mobilenetv2 --split 9 --rounds 3 --out $D/overhead-mobilenetv2-9 > $D/overhead-mobilenetv2-9.txt 2>&1
sleep 30
pp-measure sh -c "for r in 1 2 3; do uptime >> $D/transport.txt;
  java -Dai.djl.offline=true -jar $J TransportBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -p bytes=4194304,16777216 \
    -p transport=echo,nio -rf json -rff $D/transport-round\$r.json >> $D/transport.txt 2>&1; done;
  uptime >> $D/transport.txt"
uptime >> $D/uptime.txt
echo finished
