#!/bin/bash
# A/B/C: base vs JIT thresholds scaled (both JVMs) vs a long warm-up, interleaved rounds, mobilenetv2 9
set -u
out=/tmp/thp/jit; mkdir -p $out; jar=/work/main/harness/target/paretopipe.jar
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
m=mobilenetv2; s=9
for r in 1 2 3 4; do
  case $r in 1) arms="base cts warm";; 2) arms="cts warm base";; 3) arms="warm base cts";; 4) arms="base warm cts";; esac
  for a in $arms; do
    mkdir -p $out/steps-$a-$r
    env=; wu=5
    [ $a = cts ] && env="JAVA_TOOL_OPTIONS=-XX:CompileThresholdScaling=0.05"
    [ $a = warm ] && wu=400
    env $env PARETOPIPE_STEP_TRACE=$out/steps-$a-$r java -jar $jar run --model $m --split $s --transport nio --tail spawn --batch 8 \
      --depth 1 --requests 30 --warmup $wu --head-cpus 0 --tail-cpus 1 --json > $out/$a-$r.json 2>/dev/null
    python3 -c "import json,sys;d=json.load(open(sys.argv[1]));print(sys.argv[2],sys.argv[3],round(d['overhead_ms'],3),round(d['overhead_per_request_ms']['p50'],3),round(d['phases_ms']['head_compute'],1),round(d['phases_ms']['tail_compute'],1))" $out/$a-$r.json $a $r
  done
done
