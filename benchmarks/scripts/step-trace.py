#!/usr/bin/env python3
"""Per-step durations of a traced run, merged across the processes of one machine.

  PARETOPIPE_STEP_TRACE=DIR java -jar harness/target/paretopipe.jar run ... --depth 1 --tail spawn
  benchmarks/scripts/step-trace.py DIR [--skip N]

Reads DIR/steps-<pid>.tsv (written at exit by every process that had PARETOPIPE_STEP_TRACE set, see
io.paretopipe.harness.trace.StepTrace), orders all marks on the machine's monotonic clock, cuts them into
requests at each head.forward.start, drops the first N requests (default 5: the warm-up) and prints, for each
step that follows another, the median and mean time between them. Only meaningful at depth 1 (one request at a
time) and for processes on one machine: nanoTime values of two machines do not compare.
"""
import argparse, glob, os, statistics, sys

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("dir")
ap.add_argument("--skip", type=int, default=5, help="requests to leave out at the start (default 5)")
a = ap.parse_args()
files = sorted(glob.glob(os.path.join(a.dir, "steps-*.tsv")))
if not files:
    sys.exit(f"error: no steps-*.tsv in {a.dir}: run with PARETOPIPE_STEP_TRACE={a.dir} set")
marks, stage_no = [], 0
for f in files:
    rows = [l.rstrip("\n").split("\t") for l in open(f) if l.strip()]
    dropped = [r for r in rows if r[0] == "#dropped"]
    if dropped:
        print(f"warning: {f} dropped {dropped[0][1]} marks (capacity reached)", file=sys.stderr)
    rows = [r for r in rows if not r[0].startswith("#")]
    if any(step == "head.forward.start" for _, step in rows):
        role = "head"
    else:
        stage_no += 1
        role = f"stage{stage_no}"
    marks += [(int(t), f"{role}:{step}") for t, step in rows]
marks.sort()
requests, current = [], None
for t, step in marks:
    if step == "head:head.forward.start":
        current = []
        requests.append(current)
    if current is not None:
        current.append((t, step))
if len(requests) <= a.skip:
    sys.exit(f"error: {len(requests)} traced requests, not more than --skip {a.skip}")
overlapping = sum(1 for r in requests if sum(1 for _, s in r if s == "head:head.result.decoded") != 1)
if overlapping:
    print(f"warning: {overlapping} requests do not end with exactly one result: was the depth above 1?", file=sys.stderr)
requests = requests[a.skip:]
durations, position = {}, {}
for r in requests:
    for i, ((t0, s0), (t1, s1)) in enumerate(zip(r, r[1:])):
        durations.setdefault((s0, s1), []).append((t1 - t0) / 1e6)
        position.setdefault((s0, s1), []).append(i)
order = sorted(durations, key=lambda k: statistics.mean(position[k]))
print(f"{len(requests)} requests, {len(files)} processes; ms between consecutive marks")
print("| from | to | n | median | mean |")
print("|---|---|---:|---:|---:|")
for key in order:
    v = durations[key]
    if len(v) * 5 < len(requests):
        continue  # a rare interleaving, not a step
    print(f"| {key[0]} | {key[1]} | {len(v)} | {statistics.median(v):.3f} | {statistics.mean(v):.3f} |")

# The reference's four steps (twoproc.py: head pickle.dumps + sendall, tail recv of the payload after its 8-byte
# prefix + pickle.loads), taken on ours per request: head send start -> send end (encode + write), stage header
# read -> payload read, stage payload read -> input wrapped as a tensor (dispatch + wrap, the analogue of loads).
# Like the reference's, the wake-up between the send and the first byte read is not in it, and the return path is
# not either (the reference's tail answers 8 bytes).
SPAN = [("head:head.send.start", "head:head.send.end"), ("stage1:frame.header.read", "stage1:frame.payload.read"),
        ("stage1:frame.payload.read", "stage1:stage.input.wrapped")]
parts = [[] for _ in SPAN]
for r in requests:
    first = {}
    for t, s in r:
        first.setdefault(s, t)
    if all(a in first and b in first for a, b in SPAN):
        for k, (a, b) in enumerate(SPAN):
            parts[k].append((first[b] - first[a]) / 1e6)
if parts[0]:
    summed = sum(statistics.median(p) for p in parts)
    per_request = statistics.median(sum(x) for x in zip(*parts))
    # summed as the reference sums its own steps (the sum of each step's median)
    print(f"\nreference steps, ours: {summed:.3f} ms (n {len(parts[0])}; median of per-request sums "
          f"{per_request:.3f}): head send + stage payload read + dispatch to input wrapped, the reference's "
          f"dumps + sendall + recv + loads")
