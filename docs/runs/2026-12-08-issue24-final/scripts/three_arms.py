"""Rounds 7-8 (run-689.sh): before (93a0dbc), 689efe0 and now (1ae0269) in the same rounds. Per split: images/s
pooled over the 24 passes of each tree, and the ratios of the pooled means (Welch t on the passes' logs).
Usage: python3 three_arms.py DIR"""
import glob, json, math, os, sys
from statistics import mean, stdev
from scipy import stats

D = sys.argv[1]
v = {}
for run in glob.glob(os.path.join(D, 'sweep-r[78]-*', '*', '')):
    tree = run.split(os.sep)[-3].split('-', 2)[2]
    for f in glob.glob(os.path.join(run, 'jmh', 'pass-*.json')):
        for e in json.load(open(f)):
            if e['benchmark'].endswith('.throughput'):
                v.setdefault((tree, e['params']['split']), []).append(e['primaryMetric']['score'] * 8)

def welch(a, b):
    la, lb = [math.log(x) for x in a], [math.log(x) for x in b]
    va, vb = stdev(la) ** 2 / len(la), stdev(lb) ** 2 / len(lb)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(la) - 1) + vb ** 2 / (len(lb) - 1))
    d = mean(la) - mean(lb); t = stats.t.ppf(0.975, df)
    return math.exp(d), math.exp(d - t * se), math.exp(d + t * se), 2 * stats.t.sf(abs(d) / se, df)

print('| split | before | 689efe0 | now | 689efe0 / before | now / before | now / 689efe0 |')
print('|---:|---:|---:|---:|---|---|---|')
for s in ('8', '9', '10'):
    b, m, n = v[('before', s)], v[('689efe0', s)], v[('now', s)]
    cells = [f'{mean(x):.1f} (n {len(x)})' for x in (b, m, n)]
    rs = [welch(m, b), welch(n, b), welch(n, m)]
    print(f'| {s} | ' + ' | '.join(cells) + ' | ' + ' | '.join(f'{r:.3f} [{lo:.3f}, {hi:.3f}], p {p:.3f}' for r, lo, hi, p in rs) + ' |')
