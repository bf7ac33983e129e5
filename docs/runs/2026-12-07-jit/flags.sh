#!/bin/bash
# after 500 warm-up requests: default JIT vs thresholds x0.1 vs C1 only (no profiling, no C2), both JVMs
set -u
out=/tmp/thp/flags; jar=/work/main/harness/target/paretopipe.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
for r in 1 2 3; do
  case $r in 1) arms="base cts c1";; 2) arms="cts c1 base";; 3) arms="c1 base cts";; esac
  for a in $arms; do
    case $a in base) opt=;; cts) opt=-XX:CompileThresholdScaling=0.1;; c1) opt=-XX:TieredStopAtLevel=1;; esac
    if [ -n "$opt" ]; then export JAVA_TOOL_OPTIONS=$opt; else unset JAVA_TOOL_OPTIONS; fi
    java -jar $jar run --model mobilenetv2 --split 9 --transport nio --tail spawn --batch 8 \
      --depth 1 --requests 30 --warmup 500 --head-cpus 0 --tail-cpus 1 --json > $out/$a-$r.json 2>/dev/null
    python3 -c "import json,sys;d=json.load(open(sys.argv[1]));o=d['overhead_per_request_ms'];print(sys.argv[2],sys.argv[3],round(d['overhead_ms'],3),round(o['p50'],3),round(o['p90'],3),round(d['phases_ms']['head_compute'],1),round(d['phases_ms']['tail_compute'],1))" $out/$a-$r.json $a $r
  done
done
unset JAVA_TOOL_OPTIONS
