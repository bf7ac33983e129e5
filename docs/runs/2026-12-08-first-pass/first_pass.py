"""Is a sweep's first pass slower than its later ones? Reads every sweep run folder under docs/runs with at least
6 passes per point, and per (run, point, method) compares pass 1 with the median of passes 2..n; then a sign test
over the runs (one vote per run and method: the median of its points' ratios below or above 1).
Usage: python3 first_pass.py [DOCS_RUNS]   (default: ../)"""
import glob, json, os, statistics as st, sys
from scipy.stats import binomtest

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
runs = sorted({os.path.dirname(p) for p in glob.glob(os.path.join(root, '**', 'jmh', 'pass-*.json'), recursive=True)})
votes = {'throughput': [], 'latency': []}
print('| run | points | throughput: pass 1 / median of passes 2..n (median over points) | latency: same |')
print('|---|---:|---:|---:|')
for run in runs:
    v = {}
    for f in glob.glob(os.path.join(run, 'pass-*.json')):
        n = int(os.path.basename(f)[len('pass-'):][:3])
        for e in json.load(open(f)):
            if not e['benchmark'].startswith('io.paretopipe.benchmarks.PartitionBenchmark'):
                continue
            method = e['benchmark'].rsplit('.', 1)[1]
            p = e['params']
            key = (method, p['split'], p['transport'], p.get('grpcTuning', 'default'), p.get('link', 'none'))
            v.setdefault(key, {})[n] = e['primaryMetric']['score']
    per = {'throughput': [], 'latency': []}
    for (method, *_), d in v.items():
        if len(d) >= 6 and 1 in d:
            per[method].append(d[1] / st.median(d[p] for p in d if p >= 2))
    if not per['throughput']:
        continue
    meds = {m: st.median(xs) for m, xs in per.items() if xs}
    for m, x in meds.items():
        votes[m].append(x)
    print(f"| {os.path.relpath(os.path.dirname(run), root)} | {len(per['throughput'])} | "
          f"{meds['throughput']:.3f} | {meds.get('latency', float('nan')):.3f} |")
for m, xs in votes.items():
    below = sum(1 for x in xs if x < 1)
    p = binomtest(below, len(xs), 0.5).pvalue
    print(f'{m}: pass 1 below the later passes in {below} of {len(xs)} runs, median ratio {st.median(xs):.3f}, '
          f'two-sided sign test p {p:.3f}')
