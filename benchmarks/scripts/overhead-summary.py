#!/usr/bin/env python3
"""The summary of an overhead-compare.sh output folder: per-round table, medians, the summary lines scripts read
(`ours / reference steps: X; ... ours / cold floor: Y`, `like for like: ...`, `medians: ...`) and, per ratio, the
geometric mean over the rounds with its 95 % t interval (one ratio per round; unknown with one round).

Usage: overhead-summary.py DIR ROUNDS   (DIR as written by overhead-compare.sh --out DIR; ROUNDS its --rounds)
"""
import json, math, os, re, statistics, subprocess, sys
if len(sys.argv) != 3 or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
    sys.exit("usage: overhead-summary.py DIR ROUNDS (ROUNDS: a positive integer)")
out, rounds = sys.argv[1], int(sys.argv[2])
step_trace = os.path.join(os.path.dirname(os.path.abspath(__file__)), "step-trace.py")
for r in range(1, rounds + 1):
    if not os.path.exists(os.path.join(out, f"ours-{r}.json")):
        sys.exit(f"error: {out}: no ours-{r}.json (is ROUNDS {rounds} the folder's --rounds?)")
# t(0.975, df) for df 1..30; 1.96 beyond
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
def over_rounds(ratios):
    """geometric mean of per-round ratios and its 95 % t interval, as text"""
    logs = [math.log(x) for x in ratios]
    n, m = len(logs), sum(logs) / len(logs)
    if n < 2:
        return f"{math.exp(m):.2f} [unknown: one round]"
    se = math.sqrt(sum((l - m) ** 2 for l in logs) / (n - 1) / n)
    t = T975[n - 2] if n - 1 <= len(T975) else 1.96
    return f"{math.exp(m):.2f} [{math.exp(m - t * se):.2f}, {math.exp(m + t * se):.2f}]"
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
    # the run's warm-up requests are traced too; folders from before run --json had "warmup" ran 5
    trace = subprocess.run([sys.executable, step_trace, os.path.join(out, f"steps-{r}"), "--skip",
                            str(o.get("warmup", 5))], capture_output=True, text=True)
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
jvm_path = os.path.join(out, "ours-jvm-options.txt")
jvm = open(jvm_path).read().strip() if os.path.exists(jvm_path) else ""
# which JITs ran ours: run --json has said so since 2026-12-07 (older folders: not printed)
jits = "".join(f", {label} {o[key]}" for key, label in (("head_jit", "head JIT"), ("stage_jvm_options", "stage JVM options"))
               if o.get(key))
print(f"bytes per request: {o['bytes_per_request']}, model {o['model']} split {o['split']}, "
      f"{o.get('warmup', 5)} warm-up requests{', ours with JVM options ' + jvm if jvm else ''}{jits}, ms")
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
    pairs = [("ours / reference steps", "ours", "ref_steps"), ("ours / cold floor", "ours", "cold")]
    if "ours_p50" in med:
        pairs += [("ours p50 / reference steps", "ours_p50", "ref_steps"), ("ours p50 / cold floor", "ours_p50", "cold")]
    if "ours_steps" in med:
        pairs.append(("ours' same steps / reference steps", "ours_steps", "ref_steps"))
    print(f"over rounds (geometric mean of per-round ratios [95 % t], {rounds} round{'s' if rounds > 1 else ''}): "
          + "; ".join(f"{name} {over_rounds([row[a] / row[b] for row in rows])}" for name, a, b in pairs))
