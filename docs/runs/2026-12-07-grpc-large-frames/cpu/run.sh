#!/bin/bash
# Issue 24: TransportCpuBreakdown JIT-warm (warm-up ~15 s of round trips), nio and grpc tuned / tuned-write-buffer, 4 and
# 16 MiB, two rounds of the measured ops each, all in one pp-measure hold.
# Usage: run.sh JAR OUTFILE
JAR=$1; OUT=$2
pp-measure sh -c "
for spec in 'nio default 4194304 3000 500' 'grpc tuned 4194304 2000 300' 'grpc tuned-write-buffer 4194304 2000 300' \
            'nio default 16777216 800 100' 'grpc tuned 16777216 600 100' 'grpc tuned-write-buffer 16777216 600 100'; do
  echo \"== \$spec \$(date -u +%T)\"
  java -Xmx2g -XX:MaxDirectMemorySize=4g -cp $JAR io.paretopipe.benchmarks.TransportCpuBreakdown \$spec 2 2>&1 | grep -v NNPACK
done" > "$OUT" 2>&1
