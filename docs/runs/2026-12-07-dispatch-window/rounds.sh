#!/bin/sh
# 4 rounds; the three arms' order rotates every round; each sweep is one pp-measure hold, 20 s apart.
D=${1:-/tmp/disp2/out}; mkdir -p $D
S=$(dirname "$0")/sweep.sh
for r in 1 2 3 4; do
  case $r in
    1) order="before now pipelined" ;;
    2) order="now pipelined before" ;;
    3) order="pipelined before now" ;;
    4) order="before pipelined now" ;;
  esac
  for a in $order; do
    pp-measure sh $S $a r$r-$a $D; sleep 20
  done
done
echo done
