"""Tables for docs/runs/2026-12-07-dispatch-window: sweep throughput and latency per arm (before, now, pipelined),
pooled over passes and paired by round, and PipeliningTest before/now. usage: analyze.py DIR [BASE,NEW]
(BASE,NEW: other arm names, e.g. old,new for docs/runs/2026-12-07-stage-c1: NEW / BASE then; a run folder without
passes.csv gets one written from its JMH JSON, so that the JSON and hlogs can be dropped)"""
import glob, json, math, os, re, sys
from statistics import mean, stdev
from scipy import stats

D = sys.argv[1]
ARMS = ('before', 'now', 'pipelined')
PAIRS = (('now', 'before'), ('pipelined', 'before'), ('now', 'pipelined'))
BASE, NEW = 'before', 'now'
if len(sys.argv) > 2:
    BASE, NEW = sys.argv[2].split(',')
    ARMS = (BASE, NEW)
    PAIRS = ((NEW, BASE),)

def tci(xs, level=0.95):
    n = len(xs); m = mean(xs)
    h = stats.t.ppf(0.5 + level / 2, n - 1) * stdev(xs) / math.sqrt(n)
    return m, m - h, m + h

def ratio_ci(a, b, level=0.95):
    """mean(a)/mean(b) on logs, Welch t interval; returns ratio, low, high, p."""
    la = [math.log(x) for x in a]; lb = [math.log(x) for x in b]
    va = stdev(la) ** 2 / len(la); vb = stdev(lb) ** 2 / len(lb)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(la) - 1) + vb ** 2 / (len(lb) - 1))
    t = stats.t.ppf(0.5 + level / 2, df); d = mean(la) - mean(lb)
    return math.exp(d), math.exp(d - t * se), math.exp(d + t * se), 2 * stats.t.sf(abs(d) / se, df)

def paired(ratios, level=0.95):
    l = [math.log(r) for r in ratios]; n = len(l); m = mean(l)
    h = stats.t.ppf(0.5 + level / 2, n - 1) * stdev(l) / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h), n

def load(line):
    m = re.search(r'load average: ([\d.]+)', line)
    return m.group(1) if m else '?'

data = {}   # (metric, arm, split) -> list of per-round lists
rows = []
for run in sorted(glob.glob(os.path.join(D, 'sweep-r*-*'))):
    rnd, arm = os.path.basename(run)[len('sweep-'):].split('-')
    con = open(os.path.join(run, 'console.txt')).read().splitlines()
    per = {'throughput': {}, 'latency': {}}
    extract = os.path.join(run, 'passes.csv')
    if os.path.exists(extract):   # the kept extract of the JMH JSON (images/s of throughput, ms/op of latency)
        import csv
        for row in csv.DictReader(open(extract)):
            per[row['metric']].setdefault(row['split'], []).append(float(row['value']))
    found = []
    for f in [] if os.path.exists(extract) else sorted(glob.glob(os.path.join(run, '*', 'jmh', '*.json'))):
        for e in json.load(open(f)):
            metric = e['benchmark'].rsplit('.', 1)[1]
            if metric not in per:
                continue
            s = e['params']['split']
            v = e['secondaryMetrics']['images']['score'] if metric == 'throughput' else e['primaryMetric']['score']
            per[metric].setdefault(s, []).append(v)
            found.append(f'{os.path.basename(f)},{metric},{s},{v}\n')
    if found:
        with open(extract, 'w') as w:
            w.write('file,metric,split,value\n')
            w.writelines(found)
    for metric in per:
        for s, xs in per[metric].items():
            data.setdefault((metric, arm, s), []).append((rnd, xs))
    rows.append((rnd, arm, per, load(con[0]), load(con[-1])))

splits = sorted({k[2] for k in data}, key=int)
print('## Per run: images/s (throughput, depth 4), mean [95% t over passes], passes; load start / end')
print('| round | arm | ' + ' | '.join(f'split {s}' for s in splits) + ' | load start / end |')
for rnd, arm, per, l0, l1 in sorted(rows):
    cells = []
    for s in splits:
        xs = per['throughput'].get(s, [])
        m_, lo, hi = tci(xs)
        cells.append(f'{m_:.1f} [{lo:.1f}, {hi:.1f}] (n {len(xs)})')
    print(f'| {rnd} | {arm} | ' + ' | '.join(cells) + f' | {l0} / {l1} |')
for metric, unit in (('throughput', 'images/s'), ('latency', 'ms/op')):
    print(f'\n## {metric} ({unit}), pooled passes per arm')
    for arm in ARMS:
        cells = []
        for s in splits:
            xs = [x for _, r in data.get((metric, arm, s), []) for x in r]
            if len(xs) > 1:
                m_, lo, hi = tci(xs); cells.append(f'{m_:.1f} [{lo:.1f}, {hi:.1f}] (n {len(xs)})')
            else:
                cells.append('-')
        print(f'| {arm} | ' + ' | '.join(cells) + ' |')
    for a, b in PAIRS:
        pooled, byround = [], []
        for s in splits:
            ra = dict(data.get((metric, a, s), [])); rb = dict(data.get((metric, b, s), []))
            if not ra or not rb:
                continue
            xa = [x for r in ra.values() for x in r]; xb = [x for r in rb.values() for x in r]
            r_, lo, hi, p = ratio_ci(xa, xb)
            pooled.append(f'{r_:.3f} [{lo:.3f}, {hi:.3f}], p {p:.2g}')
            common = sorted(set(ra) & set(rb))
            byround.append([mean(ra[k]) / mean(rb[k]) for k in common])
        print(f'| {a} / {b}, pooled passes | ' + ' | '.join(pooled) + ' |')
        if byround and len(byround[0]) > 1:
            cells = []
            for rs in byround:
                r_, lo, hi, n = paired(rs)
                cells.append(f'{r_:.3f} [{lo:.3f}, {hi:.3f}] ({", ".join(f"{x:.2f}" for x in rs)})')
            print(f'| {a} / {b}, paired by round | ' + ' | '.join(cells) + ' |')
            allr = [x for rs in byround for x in rs]
            r_, lo, hi, n = paired(allr)
            print(f'{a} / {b}: over the {n} round-split ratios {r_:.3f} [{lo:.3f}, {hi:.3f}]')

pipe = {}
for f in sorted(glob.glob(os.path.join(D, 'pipelining-r*-*.txt'))):
    rnd, arm = os.path.basename(f)[len('pipelining-'):-4].split('-')
    txt = open(f).read()
    m = re.search(r'resnet18 split (\d+) batch 2.*depth 1 ([\d.]+) img/s, depth 4 ([\d.]+) img/s, speed-up ([\d.]+)x', txt)
    if not m:
        print(f'{f}: no result'); continue
    split, d1, d4, sp = m.groups()
    heads = dict((s, (h, t)) for s, h, t in re.findall(r'resnet18 split (\d+): head ([\d.]+) ms, tail ([\d.]+) ms', txt))
    h, t = heads.get(split, ('?', '?'))
    lines = txt.splitlines()
    pipe.setdefault(rnd, {})[arm] = (float(d1), float(d4), float(d4) / float(d1))
    print(f'| {rnd} | {arm} | {split} | {h} / {t} | {float(d1):.2f} | {float(d4):.2f} | {float(d4)/float(d1):.2f}x | {load(lines[0])} / {load(lines[-1])} |')
pairs = [v for v in pipe.values() if BASE in v and NEW in v]
if len(pairs) > 1:
    for i, lab in enumerate(('depth 1', 'depth 4', 'speed-up')):
        for arm in (BASE, NEW):
            m_, lo, hi = tci([p[arm][i] for p in pairs])
            print(f'PipeliningTest {arm} {lab}: {m_:.3f} [{lo:.3f}, {hi:.3f}] n={len(pairs)}')
        r_, lo, hi, n = paired([p[NEW][i] / p[BASE][i] for p in pairs])
        print(f'PipeliningTest {NEW}/{BASE} {lab}, paired by round: {r_:.3f} [{lo:.3f}, {hi:.3f}] over {n} rounds')
