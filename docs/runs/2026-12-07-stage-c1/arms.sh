#!/bin/bash
# mobilenetv2 split 9 (0.4 MB), nio, head on CPU 0, spawned stage on CPU 1, 500 warm-up + 30 measured requests:
# old  = --stage-jvm-options none (both JVMs with the default tiered JIT: the spawned stage before this change)
# stage = the new default (stage C1 only, head default JIT)
# both = the new default plus JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1 on the head (C1 only on both)
# 4 rounds, order rotated; each run one pp-measure hold.
set -u
out=${1:-/tmp/c1/arms}; jar=/tmp/c1/paretopipe.jar; mkdir -p $out
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
for r in 1 2 3 4; do
  case $r in 1) arms="old stage both";; 2) arms="stage both old";; 3) arms="both old stage";; 4) arms="old both stage";; esac
  for a in $arms; do
    case $a in old) env=; opt=none;; stage) env=; opt=auto;; both) env="JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1"; opt=auto;; esac
    pp-measure env $env java -jar $jar run --model mobilenetv2 --split 9 --transport nio --tail spawn --batch 8 \
      --depth 1 --requests 30 --warmup 500 --head-cpus 0 --tail-cpus 1 --stage-jvm-options $opt --json \
      > $out/$a-$r.json 2>$out/$a-$r.err
    python3 -c "import json,sys;d=json.load(open(sys.argv[1]));o=d['overhead_per_request_ms'];print(sys.argv[2],sys.argv[3],round(d['overhead_ms'],3),round(o['p50'],3),round(o['p90'],3),round(d['phases_ms']['head_compute'],1),round(d['phases_ms']['tail_compute'],1),d['stage_jvm_options'],sep='\t')" $out/$a-$r.json $a $r
    sleep 5
  done
done
