#!/usr/bin/env python3
"""HopBenchmark rounds 1-2 of this folder: per size, per round, the hop mean and median (us) of the cold floor,
nio and grpc with both tunings, and the ratios. Run from this folder: python3 table.py"""
import json

rows = {}
for r in (1, 2):
    for part in ("base", "grpc"):
        for res in json.load(open(f"round{r}-{part}.json")):
            p = res["params"]
            name = p["transport"] if p["transport"] != "grpc" else "grpc " + p["grpcTuning"]
            sec = res["secondaryMetrics"]
            rows[(r, int(p["bytes"]), name)] = (sec["hop"]["score"], sec["hop.p50"]["score"], int(sec["hop.n"]["score"]))

names = ["floor-cold", "nio", "grpc tuned", "grpc tuned-write-buffer"]
print("| bytes | round | " + " | ".join(names) + " | nio / floor-cold | tuned / nio | tuned / tuned-write-buffer |")
print("|---:|---:|" + "---:|" * (len(names) + 3))
for b in (4096, 65536, 401408, 3211264, 16777216):
    for r in (1, 2):
        v = {n: rows[(r, b, n)] for n in names}
        cells = [f"{v[n][0]:,.0f} (p50 {v[n][1]:,.0f}; n {v[n][2]})" for n in names]
        ratio = lambda a, c, i: v[a][i] / v[c][i]
        print(f"| {b:,} | {r} | " + " | ".join(cells)
              + f" | {ratio('nio', 'floor-cold', 0):.2f} (p50 {ratio('nio', 'floor-cold', 1):.2f})"
              + f" | {ratio('grpc tuned', 'nio', 0):.2f} (p50 {ratio('grpc tuned', 'nio', 1):.2f})"
              + f" | {ratio('grpc tuned', 'grpc tuned-write-buffer', 0):.2f} (p50 {ratio('grpc tuned', 'grpc tuned-write-buffer', 1):.2f}) |")
