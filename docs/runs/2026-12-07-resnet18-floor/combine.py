#!/usr/bin/env python3
"""ours / cold floor at resnet18 split 4 over the rounds of two windows: the three of
runs/2026-12-07-stage-c1/final-resnet18-4.txt (16:37 UTC) and the four of this folder (18:23 UTC).
Per round: ours' overhead mean / the cold floor's p50 (overhead-compare.sh's summary table);
geometric mean with its 95 % t interval over the rounds' log ratios."""
import math, re, statistics, sys
from pathlib import Path

here = Path(__file__).resolve().parent
files = [here.parent / "2026-12-07-stage-c1" / "final-resnet18-4.txt", here / "resnet18-4.txt"]
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
ratios = []
for f in files:
    for line in f.read_text().splitlines():
        m = re.match(r"\| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", line)
        if m:
            ratios.append(float(m.group(2)) / float(m.group(7)))
logs = [math.log(r) for r in ratios]
n = len(logs)
mean, sd = statistics.mean(logs), statistics.stdev(logs)
half = T975[n - 1] * sd / math.sqrt(n)
print("rounds:", n, "per round:", ", ".join(f"{r:.3f}" for r in ratios))
print(f"ours / cold floor: geometric mean {math.exp(mean):.3f} [{math.exp(mean - half):.3f}, {math.exp(mean + half):.3f}]"
      f", median {statistics.median(ratios):.3f}; <= 1.5: {'holds' if math.exp(mean + half) <= 1.5 else 'undecided'}")
