#!/bin/bash
# resnet18 split 4: overhead-compare.sh with its defaults, 4 more interleaved rounds, to decide ours / cold floor <= 1.5
cd /work/main
REFERENCE_DIR=/work/shared/reference/pickle-protocol pp-measure benchmarks/scripts/overhead-compare.sh \
  --model resnet18 --split 4 --rounds 4 --out docs/runs/2026-12-07-resnet18-floor/resnet18-4 > docs/runs/2026-12-07-resnet18-floor/resnet18-4.txt 2>&1
echo done $(date -u +%T) rc=$?
