#!/bin/bash
# Harness overhead against the reference's pickle-over-TCP protocol and against a bare socket, in one
# window of time, several interleaved rounds (the machine's own speed drifts by 2x over hours, so only
# figures taken side by side compare). See docs/OVERHEAD.md.
#
#   benchmarks/scripts/overhead-compare.sh [--model resnet18|mobilenetv2] [--split K] [--rounds N] [--out DIR]
#                                          [--dispatch run-to-completion|pipelined]
#
# Each round runs, head on CPU 0 and tail on CPU 1, 1 thread each, batch 8, 30 requests after 5 warm-up:
#   ours       paretopipe.jar run --transport nio --tail spawn --json  (overhead_ms, overhead_per_request_ms)
#   reference  twoproc.py head/tail --nodelay from $REFERENCE_DIR            (Python torch 1.13, pickle)
#   floor      SocketFloor cold, fresh and hot (two JVMs, a plain blocking SocketChannel, the tensor's bytes)
# (--dispatch: how the spawned stage dispatches, passed to run; default run-to-completion)
# and the summary prints one row per round, the medians, and where ours spends its overhead (the step
# trace of the last round, benchmarks/scripts/step-trace.py). Beside ours' whole overhead (a round trip) it
# gives ours over the reference's own span (head send + stage payload read + wrap: its dumps + sendall + recv
# + loads, one way, no wake-up) and a "like for like" line. Needs the jars built (mvn -B -DskipTests
# install) and, for the reference, Debian's python3-torch and python3-torchvision.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
model=resnet18 split=4 rounds=3 out= dispatch=run-to-completion
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --split) split=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --dispatch) dispatch=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$model" in
  resnet18) ref_model=resnet18 ;;
  mobilenetv2) ref_model=mobilenet_v2 ;;
  *) echo "error: --model $model: the reference reproduces resnet18 and mobilenetv2 only" >&2; exit 2 ;;
esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds $rounds (expected: a positive integer)" >&2; exit 2; }
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
  echo "round $r/$rounds: ours" >&2
  mkdir -p "$out/steps-$r"
  PARETOPIPE_STEP_TRACE="$out/steps-$r" java -jar "$harness_jar" run --model "$model" --split "$split" --transport nio --tail spawn --batch 8 \
      --depth 1 --requests 30 --warmup 5 --head-cpus 0 --tail-cpus 1 --dispatch "$dispatch" --json > "$out/ours-$r.json"
  bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_per_request"])' "$out/ours-$r.json")
  if [ -n "$REFERENCE_DIR" ]; then
    echo "round $r/$rounds: reference" >&2
    port=$((port + 1))
    (
      cd "$REFERENCE_DIR"
      export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
      export OMP_NUM_THREADS=1
      timeout 300 taskset -c 1 /usr/bin/python3 twoproc.py tail --model $ref_model --split "$split" --port $port --nodelay &
      tail_pid=$!
      timeout 300 taskset -c 0 /usr/bin/python3 twoproc.py head --model $ref_model --split "$split" --port $port \
          --nodelay --json "$out/reference.jsonl" > /dev/null
      wait $tail_pid
    )
  fi
  echo "round $r/$rounds: socket floor, cold, fresh and hot" >&2
  floor "$r" cold "$bytes"
  floor "$r" fresh "$bytes"
  floor "$r" hot "$bytes"
done

python3 - "$out" "$rounds" "$root/benchmarks/scripts/step-trace.py" <<'PY'
import json, os, re, statistics, subprocess, sys
out, rounds, step_trace = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ref_path = os.path.join(out, "reference.jsonl")
refs = [json.loads(l) for l in open(ref_path)] if os.path.exists(ref_path) else []
def floor(mode, r):
    m = re.search(r"p50 ([0-9.]+) ms", open(os.path.join(out, f"floor-{mode}-{r}.txt")).read())
    return float(m.group(1))
rows = []
for r in range(1, rounds + 1):
    o = json.load(open(os.path.join(out, f"ours-{r}.json")))
    per = o.get("overhead_per_request_ms") or {}
    row = {"ours": o["overhead_ms"], "ours_e2e": o["latency_ms"]["mean"],
           "cold": floor("cold", r), "fresh": floor("fresh", r), "hot": floor("hot", r)}
    if per.get("p50") is not None:
        row["ours_p50"] = per["p50"]
    trace = subprocess.run([sys.executable, step_trace, os.path.join(out, f"steps-{r}")], capture_output=True, text=True)
    m = re.search(r"reference steps, ours: ([0-9.]+) ms", trace.stdout)
    if m:
        row["ours_steps"] = float(m.group(1))
    if refs:
        x = refs[r - 1]
        # the reference's overhead as ours is defined (end-to-end minus head and tail compute, here from medians)
        row["ref"] = x["transport_overhead_ms"] + x["head_dumps_ms"] + x["tail_loads_ms"]
        row["ref_steps"] = x["head_dumps_ms"] + x["head_sendall_ms"] + x["tail_recv_payload_ms"] + x["tail_loads_ms"]
        row["ref_e2e"] = x["e2e_ms_median"]
    rows.append(row)
cols = [("ours", "ours: overhead (mean)"), ("ours_p50", "ours: overhead per request (p50)"),
        ("ours_steps", "ours: the reference's steps (send + payload read + wrap)"), ("ref", "reference: e2e - head - tail (medians)"),
        ("ref_steps", "reference: dumps + sendall + recv + loads"), ("cold", "socket floor, cold (p50)"),
        ("fresh", "socket floor, fresh (p50)"), ("hot", "socket floor, hot (p50)")]
cols = [c for c in cols if all(c[0] in row for row in rows)]
print(f"bytes per request: {o['bytes_per_request']}, model {o['model']} split {o['split']}, ms")
print("| round | " + " | ".join(h for _, h in cols) + " |")
print("|---:|" + "---:|" * len(cols))
for i, row in enumerate(rows, 1):
    print(f"| {i} | " + " | ".join(f"{row[k]:.2f}" for k, _ in cols) + " |")
med = {k: statistics.median(row[k] for row in rows) for k, _ in cols}
print("| median | " + " | ".join(f"{med[k]:.2f}" for k, _ in cols) + " |")
if "ref_steps" in med:
    print(f"ours / reference steps: {med['ours'] / med['ref_steps']:.2f}; cold floor / reference steps: "
          f"{med['cold'] / med['ref_steps']:.2f}; hot floor / reference steps: {med['hot'] / med['ref_steps']:.2f}; "
          f"ours / cold floor: {med['ours'] / med['cold']:.2f}")
    if "ours_steps" in med:
        print(f"like for like: ours' same steps / reference steps: {med['ours_steps'] / med['ref_steps']:.2f}")
    if "ours_p50" in med:
        # like for like: the reference's figures are medians of its requests
        print(f"medians: ours p50 / reference steps: {med['ours_p50'] / med['ref_steps']:.2f}; "
              f"ours p50 / cold floor: {med['ours_p50'] / med['cold']:.2f}")
PY
echo
python3 "$root/benchmarks/scripts/step-trace.py" "$out/steps-$rounds"
echo "raw figures in $out" >&2
