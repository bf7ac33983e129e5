#!/bin/bash
# Harness overhead against the reference's pickle-over-TCP protocol and against a bare socket, in one
# window of time, several interleaved rounds (the machine's own speed drifts by 2x over hours, so only
# figures taken side by side compare). See docs/OVERHEAD.md.
#
#   benchmarks/scripts/overhead-compare.sh [--model resnet18|mobilenetv2] [--split K] [--rounds N] [--out DIR]
#                                          [--dispatch run-to-completion|pipelined] [--warmup N] [--ref-warmup M]
#                                          [--head-jvm-options OPTS|none] [--stage-jvm-options auto|none|OPTS]
#                                          [--ours-jvm-options OPTS]
#
# Each round runs, head on CPU 0 and tail on CPU 1, 1 thread each, batch 8, 30 requests after warm-up ones: ours
# N (--warmup, default 500: the JVMs compile ours' per-request code only after ~400 requests and run it interpreted
# until then, ~1 ms more per round trip), the reference M (--ref-warmup, default 5: CPython has no JIT, its steps
# are the same from the first requests on; docs/OVERHEAD.md):
#   ours       paretopipe.jar run --transport nio --tail spawn --json  (overhead_ms, overhead_per_request_ms)
#   reference  twoproc.py head/tail --nodelay from $REFERENCE_DIR            (Python torch 1.13, pickle)
#   floor      SocketFloor cold, fresh and hot (two JVMs, a plain blocking SocketChannel, the tensor's bytes)
# (--dispatch: how the spawned stage dispatches, passed to run; default run-to-completion; --head-jvm-options:
# the JVM options of ours' head, on its java command line, default -XX:TieredStopAtLevel=1 (C1 only: nothing
# compiles while the 30 requests are measured; `none` for HotSpot's tiered default, which C2-compiles now and then
# on the head's CPU for thousands of requests); --stage-jvm-options: run's, default auto (nio: C1 only as well);
# --ours-jvm-options: JVM options for both, through JAVA_TOOL_OPTIONS (the stage inherits it; its own command line
# wins); the floor's JVMs never get any)
# and the summary prints one row per round, the medians, and where ours spends its overhead (the step
# trace of the last round, benchmarks/scripts/step-trace.py). Beside ours' whole overhead (a round trip) it
# gives ours over the reference's own span (head send + stage payload read + wrap: its dumps + sendall + recv
# + loads, one way, no wake-up) and a "like for like" line, then per ratio the geometric mean of the rounds'
# ratios with its 95 % t interval ("over rounds: ..."; benchmarks/scripts/overhead-summary.py DIR ROUNDS prints
# the summary of an existing folder again). Needs the jars built (mvn -B -DskipTests install) and, for the
# reference, Debian's python3-torch and python3-torchvision.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
model=resnet18 split=4 rounds=3 out= dispatch=run-to-completion warmup=500 ref_warmup=5 ours_jvm_options=
head_jvm_options=-XX:TieredStopAtLevel=1 stage_jvm_options=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --split) split=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --dispatch) dispatch=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --ref-warmup) ref_warmup=$2; shift 2 ;;
    --ours-jvm-options) ours_jvm_options=$2; shift 2 ;;
    --head-jvm-options) head_jvm_options=$2; shift 2 ;;
    --stage-jvm-options) stage_jvm_options=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$model" in
  resnet18) ref_model=resnet18 ;;
  mobilenetv2) ref_model=mobilenet_v2 ;;
  *) echo "error: --model $model: the reference reproduces resnet18 and mobilenetv2 only" >&2; exit 2 ;;
esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds $rounds (expected: a positive integer)" >&2; exit 2; }
for w in "--warmup $warmup" "--ref-warmup $ref_warmup"; do
  [[ "${w#* }" =~ ^[0-9]+$ ]] || { echo "error: $w (expected: a whole number of requests, >= 0)" >&2; exit 2; }
done
[ "$head_jvm_options" = none ] && head_jvm_options=
for o in $head_jvm_options; do
  [[ "$o" == -?* ]] || { echo "error: --head-jvm-options: '$o' is not a JVM option (expected none or options" \
    "starting with '-', e.g. -XX:TieredStopAtLevel=1)" >&2; exit 2; }
done
harness_jar=$root/harness/target/paretopipe.jar
bench_jar=$root/benchmarks/target/benchmarks.jar
for jar in "$harness_jar" "$bench_jar"; do
  [ -f "$jar" ] || { echo "error: $jar is missing: build first (mvn -B -DskipTests install)" >&2; exit 2; }
done
if [ -z "${REFERENCE_DIR:-}" ]; then
  # beside the checkout, or beside the main checkout when this one is a git worktree
  REFERENCE_DIR=$root/../shared/reference/pickle-protocol
  common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  if [ ! -d "$REFERENCE_DIR" ] && [ -n "$common" ]; then
    REFERENCE_DIR=$(dirname "$common")/../shared/reference/pickle-protocol
  fi
fi
if [ ! -f "$REFERENCE_DIR/twoproc.py" ] || ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  echo "note: no reference run (needs $REFERENCE_DIR/twoproc.py and /usr/bin/python3 with torch + torchvision;" \
       "set REFERENCE_DIR)" >&2
  REFERENCE_DIR=
fi
out=${out:-$root/runs/overhead-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd) # absolute: the reference runs from its own directory
printf '%s\n' "$ours_jvm_options" > "$out/ours-jvm-options.txt"
printf '%s\n' "${head_jvm_options:-none}" > "$out/head-jvm-options.txt"
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912
port=$((47100 + RANDOM % 500))

floor() { # ROUND MODE BYTES
  port=$((port + 1))
  taskset -c 1 java -cp "$bench_jar" io.paretopipe.benchmarks.floor.SocketFloor server $port "$3" "$2" &
  local server=$!
  local ok=
  for _ in $(seq 50); do
    if taskset -c 0 java -cp "$bench_jar" io.paretopipe.benchmarks.floor.SocketFloor client $port "$3" 250 "$2" \
        > "$out/floor-$2-$1.txt" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  wait $server || true
  [ -n "$ok" ] || { echo "error: SocketFloor client could not run (port $port)" >&2; exit 1; }
}

for r in $(seq "$rounds"); do
  echo "round $r/$rounds: ours ($warmup warm-up + 30 requests)" >&2
  mkdir -p "$out/steps-$r"
  # JAVA_TOOL_OPTIONS reaches the spawned stage too (it inherits the environment)
  # shellcheck disable=SC2086 # the head's options are words
  env ${ours_jvm_options:+JAVA_TOOL_OPTIONS="$ours_jvm_options"} PARETOPIPE_STEP_TRACE="$out/steps-$r" \
    java $head_jvm_options -jar "$harness_jar" run --model "$model" --split "$split" --transport nio --tail spawn \
      --batch 8 --depth 1 --requests 30 --warmup "$warmup" --head-cpus 0 --tail-cpus 1 --dispatch "$dispatch" \
      --stage-jvm-options "$stage_jvm_options" --json > "$out/ours-$r.json"
  bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_per_request"])' "$out/ours-$r.json")
  if [ -n "$REFERENCE_DIR" ]; then
    echo "round $r/$rounds: reference ($ref_warmup warm-up + 30 requests)" >&2
    port=$((port + 1))
    # seconds: start-up plus 3 s per request (torch 1.13 takes ~0.8 s per mobilenetv2 request here)
    limit=$((120 + (ref_warmup + 30) * 3))
    if ! (
      cd "$REFERENCE_DIR"
      export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
      export OMP_NUM_THREADS=1
      timeout $limit taskset -c 1 /usr/bin/python3 twoproc.py tail --model $ref_model --split "$split" --port $port \
          --nodelay --warmup "$ref_warmup" &
      tail_pid=$!
      status=0
      timeout $limit taskset -c 0 /usr/bin/python3 twoproc.py head --model $ref_model --split "$split" --port $port \
          --nodelay --warmup "$ref_warmup" --json "$out/reference.jsonl" > /dev/null || status=$?
      tail_status=0
      wait $tail_pid || tail_status=$?
      exit $((status != 0 ? status : tail_status))
    ); then
      echo "error: the reference (twoproc.py $ref_model split $split, $ref_warmup + 30 requests) failed or ran past" \
           "$limit s in round $r" >&2
      exit 1
    fi
  fi
  echo "round $r/$rounds: socket floor, cold, fresh and hot" >&2
  floor "$r" cold "$bytes"
  floor "$r" fresh "$bytes"
  floor "$r" hot "$bytes"
done

python3 "$root/benchmarks/scripts/overhead-summary.py" "$out" "$rounds"
echo
python3 "$root/benchmarks/scripts/step-trace.py" "$out/steps-$rounds" --skip "$warmup"
echo "raw figures in $out" >&2
