#!/usr/bin/env python3
"""Issue 24: grpc / nio and tuning / tuning over the six rounds of probe/ (1-3) and fold/ (4-6), names mapped to
today's: the probe jar's `tuned-composite-large-frames` is today's `tuned`, its `tuned` today's `tuned-write-buffer`.
Per round the ratio of the JMH primary scores (average round trip), then the geometric mean with its 95 % t
interval over the rounds (as `ratio` computes it). Run from this folder: python3 combine.py"""
import json, math, statistics

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}
PROBE_NAMES = {"tuned-composite-large-frames": "tuned", "tuned": "tuned-write-buffer"}


def scores(path, rename):
    out = {}
    for r in json.load(open(path)):
        p = r["params"]
        name = "nio" if p["transport"] == "nio" else rename.get(p["grpcTuning"], p["grpcTuning"])
        out[(name, int(p["bytes"]))] = r["primaryMetric"]["score"]
    return out


rounds = []
for r in (1, 2, 3):
    s = scores(f"probe/round{r}-nio.json", {})
    s.update(scores(f"probe/round{r}-grpc.json", PROBE_NAMES))
    rounds.append(s)
for r in (4, 5, 6):
    s = scores(f"fold/round{r}-nio.json", {})
    s.update(scores(f"fold/round{r}-grpc.json", {}))
    rounds.append(s)

print("| ratio | bytes | rounds | per round | median | geometric mean [95 %] | rounds <= 2 |")
print("|---|---:|---:|---|---:|---|---:|")
for of, to in [("tuned", "nio"), ("tuned-composite", "nio"), ("tuned-write-buffer", "nio"),
               ("tuned", "tuned-write-buffer"), ("tuned-composite", "tuned-write-buffer"),
               ("tuned", "tuned-composite")]:
    for b in (4194304, 16777216):
        rs = [s[(of, b)] / s[(to, b)] for s in rounds if (of, b) in s and (to, b) in s]
        logs = [math.log(x) for x in rs]
        m = statistics.mean(logs)
        h = T975[len(rs) - 1] * statistics.stdev(logs) / math.sqrt(len(rs))
        print(f"| {of} / {to} | {b // (1 << 20)} MiB | {len(rs)} | {', '.join(f'{x:.3f}' for x in rs)} | "
              f"{statistics.median(rs):.3f} | {math.exp(m):.3f} [{math.exp(m - h):.3f}, {math.exp(m + h):.3f}] | "
              f"{sum(x <= 2 for x in rs)} of {len(rs)} |")
