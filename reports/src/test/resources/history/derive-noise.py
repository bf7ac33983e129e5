#!/usr/bin/env python3
"""Derives quick-noise.csv (the run-to-run noise ChangePointSimulationTest resamples) from default `quick` runs.

For every partition point measured in two or more of the given run folders (matched by benchmark method, model,
transport, link and split; the stage server's address is ignored), each run's log(value) minus the mean over the
runs, times sqrt(R/(R-1)) for R runs (so the residuals' variance is the run-to-run variance, not the smaller
variance around an estimated mean). Values: the latency benchmark's score (mean ms per request) and the
throughput benchmark's `images` secondary metric.

Usage: derive-noise.py RUN_FOLDER... > quick-noise.csv
"""
import collections, glob, json, math, sys

values = collections.defaultdict(dict)
for run in sys.argv[1:]:
    for path in sorted(glob.glob(run.rstrip("/") + "/jmh/*.json")):
        for r in json.load(open(path)):
            if ".PartitionBenchmark." not in r["benchmark"]:
                continue
            method = r["benchmark"].rsplit(".", 1)[1]
            p = r.get("params", {})
            key = (method, p.get("model"), p.get("transport"), p.get("link"), p.get("split"))
            score = r["primaryMetric"]["score"] if method == "latency" else r["secondaryMetrics"]["images"]["score"]
            values[key][run] = score
print("# run-to-run noise of default quick runs: log(value) - mean over runs, scaled by sqrt(R/(R-1))")
print("# runs: " + " ".join(r.rstrip("/").rsplit("/", 1)[-1] for r in sys.argv[1:]))
print("figure,residual")
for key in sorted(values):
    runs = values[key]
    if len(runs) < 2:
        continue
    logs = [math.log(v) for v in runs.values()]
    mean = sum(logs) / len(logs)
    scale = math.sqrt(len(logs) / (len(logs) - 1))
    figure = "latency_mean_ms" if key[0] == "latency" else "throughput_img_s"
    for x in logs:
        print("%s,%.5f" % (figure, (x - mean) * scale))
