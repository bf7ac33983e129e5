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
