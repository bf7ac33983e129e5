#!/bin/bash
# Resident memory of ONE stage server while a head sweeps every split of a model against it (issue 18,
# docs/SECURITY.md "Model cache"): one `serve` process; for each split in turn one `run` (a new head JVM)
# handshakes the tail, sends a few requests and exits; after each the server's VmRSS and VmHWM are read
# from /proc/<pid>/status.
#
#   benchmarks/scripts/model-cache-sweep.sh [--model vgg16] [--splits 0..31] [--requests 3] [--batch 1]
#       [--max-model-mib 1024] [--max-request-mib 64] [--max-tensor-mib 16] [--transport nio]
#       [--allocator tuned|glibc] [--arena-max N|default] [--out FILE]
#
# Prints (and writes to --out, default runs/model-cache-sweep-<time>.csv) one row per split:
# split,rss_mib,hwm_mib; the first row (split "start") is the server after start-up, before any handshake.
# Needs harness/target/paretopipe.jar (mvn -B -DskipTests -pl harness -am package). --allocator tuned
# (default) runs serve with the project's glibc settings (MALLOC_MMAP_MAX_=0 ..., which never give freed
# memory back to the system); glibc runs it with glibc's defaults. --arena-max N (default 1, what spawned
# stage servers get) runs serve with MALLOC_ARENA_MAX=N, at most N glibc malloc arenas; default: glibc's
# own limit (8 per core).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
model=vgg16 splits=0..31 requests=3 batch=1 max_model=1024 max_request=64 max_tensor=16 transport=nio allocator=tuned
arena_max=1 out=
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --splits) splits=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --max-model-mib) max_model=$2; shift 2 ;;
    --max-request-mib) max_request=$2; shift 2 ;;
    --max-tensor-mib) max_tensor=$2; shift 2 ;;
    --transport) transport=$2; shift 2 ;;
    --allocator) allocator=$2; shift 2 ;;
    --arena-max) arena_max=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$splits" =~ ^([0-9]+)\.\.([0-9]+)$ ]] || { echo "error: --splits $splits (expected: FIRST..LAST)" >&2; exit 2; }
first=${BASH_REMATCH[1]} last=${BASH_REMATCH[2]}
jar=$root/harness/target/paretopipe.jar
[ -f "$jar" ] || { echo "error: $jar is missing: build first (mvn -B -DskipTests -pl harness -am package)" >&2; exit 2; }
out=${out:-$root/runs/model-cache-sweep-$(date -u +%Y%m%dT%H%M%SZ).csv}
mkdir -p "$(dirname "$out")"
case "$allocator" in
  tuned) export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=536870912 ;;
  glibc) unset MALLOC_MMAP_MAX_ MALLOC_TRIM_THRESHOLD_ MALLOC_TOP_PAD_ ;;
  *) echo "error: --allocator $allocator (expected: tuned or glibc)" >&2; exit 2 ;;
esac
case "$arena_max" in
  default) arena_env=(-u MALLOC_ARENA_MAX) ;;
  [1-9]|[1-9][0-9]) arena_env=("MALLOC_ARENA_MAX=$arena_max") ;;
  *) echo "error: --arena-max $arena_max (expected: 1..99 or default)" >&2; exit 2 ;;
esac
port=$((47600 + RANDOM % 300))
log=$(mktemp /tmp/model-cache-sweep-serve.XXXXXX.log)
env "${arena_env[@]}" java -Dai.djl.offline=true -jar "$jar" serve --listen 127.0.0.1:$port --transport "$transport" \
    --max-model-mib "$max_model" --max-request-mib "$max_request" --max-tensor-mib "$max_tensor" > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT

status() { # FIELD -> MiB
  awk -v f="$1:" '$1 == f { printf "%d", $2 / 1024 }' "/proc/$server/status"
}
until grep -q "listening" "$log" 2>/dev/null; do
  kill -0 $server 2>/dev/null || { echo "error: serve ended:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.2
done
sleep 1
echo "split,rss_mib,hwm_mib" | tee "$out"
echo "start,$(status VmRSS),$(status VmHWM)" | tee -a "$out"
for split in $(seq "$first" "$last"); do
  java -jar "$jar" run --model "$model" --split "$split" --tail 127.0.0.1:$port --transport "$transport" \
      --batch "$batch" --requests "$requests" --warmup 1 > /dev/null 2> "$out.run-$split.err" \
    || { echo "error: run --split $split failed:" >&2; cat "$out.run-$split.err" >&2; exit 1; }
  rm -f "$out.run-$split.err"
  echo "$split,$(status VmRSS),$(status VmHWM)" | tee -a "$out"
done
echo "serve --max-model-mib $max_model --arena-max $arena_max --max-request-mib $max_request --max-tensor-mib $max_tensor; rows in $out" >&2
