#!/bin/bash
# A/B: base vs THP (JVM heap+code cache, glibc malloc heap), interleaved rounds
set -u
out=/tmp/thp/ab; jar=/work/main/harness/target/paretopipe.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
for r in 1 2 3 4 5; do
  for ms in "mobilenetv2 9" "resnet18 4"; do
    set -- $ms
    arms="base thp"; [ $((r % 2)) -eq 0 ] && arms="thp base"
    for a in $arms; do
      mkdir -p $out/steps-$1-$a-$r
      if [ $a = thp ]; then env="JAVA_TOOL_OPTIONS=-XX:+UseTransparentHugePages GLIBC_TUNABLES=glibc.malloc.hugetlb=1"; else env=; fi
      env $env PARETOPIPE_STEP_TRACE=$out/steps-$1-$a-$r java -jar $jar run --model $1 --split $2 --transport nio --tail spawn --batch 8 \
        --depth 1 --requests 30 --warmup 5 --head-cpus 0 --tail-cpus 1 --json > $out/$1-$a-$r.json 2>/dev/null
      python3 -c "import json,sys;d=json.load(open(sys.argv[1]));print(sys.argv[2],sys.argv[3],sys.argv[4],round(d['overhead_ms'],3),round(d['overhead_per_request_ms']['p50'],3),round(d['phases_ms']['head_compute'],1),round(d['phases_ms']['tail_compute'],1))" $out/$1-$a-$r.json $1 $a $r
    done
  done
done
