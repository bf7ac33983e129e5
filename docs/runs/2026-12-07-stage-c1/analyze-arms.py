#!/usr/bin/env python3
"""Per-round ratios of arms.sh's runs (overhead mean, per-request p50 and p90) and their geometric mean with a 95 %
t interval over the rounds. Usage: analyze-arms.py DIR (the folder of ARM-ROUND.json)."""
import glob, json, math, os, sys
from statistics import mean, stdev
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365}
d = sys.argv[1]
runs = {}
for f in glob.glob(os.path.join(d, '*-*.json')):
    arm, r = os.path.basename(f)[:-5].rsplit('-', 1)
    try:
        j = json.load(open(f))
    except ValueError:
        continue  # a run still writing
    o = j['overhead_per_request_ms']
    runs[(arm, int(r))] = {'mean': j['overhead_ms'], 'p50': o['p50'], 'p90': o['p90'],
                           'head': j['phases_ms']['head_compute'], 'tail': j['phases_ms']['tail_compute'],
                           'jvm': j.get('stage_jvm_options', '?')}
arms = sorted({a for a, _ in runs}); rounds = sorted({r for _, r in runs})
print('| arm | stage JVM options | ' + ' | '.join(f'round {r}: mean / p50 / p90' for r in rounds) + ' |')
print('|---|---|' + '---|' * len(rounds))
for a in arms:
    cells = [f"{runs[(a, r)]['mean']:.2f} / {runs[(a, r)]['p50']:.2f} / {runs[(a, r)]['p90']:.2f}" for r in rounds if (a, r) in runs]
    print(f"| {a} | {runs[(a, rounds[0])]['jvm']} | " + ' | '.join(cells) + ' |')
def gm(xs):
    ls = [math.log(x) for x in xs]; m = mean(ls)
    if len(ls) < 2: return math.exp(m), float('nan'), float('nan')
    h = T95[len(ls) - 1] * stdev(ls) / math.sqrt(len(ls))
    return math.exp(m), math.exp(m - h), math.exp(m + h)
for num, den in [('stage', 'old'), ('both', 'old'), ('both', 'stage')]:
    for k in ['mean', 'p50', 'p90']:
        rs = [runs[(num, r)][k] / runs[(den, r)][k] for r in rounds if (num, r) in runs and (den, r) in runs]
        g, lo, hi = gm(rs)
        print(f"{num} / {den}, overhead {k}: per round " + ', '.join(f'{x:.2f}' for x in rs) + f"; geometric mean {g:.2f} [{lo:.2f}, {hi:.2f}] (n = {len(rs)})")
