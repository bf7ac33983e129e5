"""Before/now tables for docs/runs/2026-12-07-pipelining-before-after: PipeliningTest figures and sweep throughput."""
import glob, json, math, os, re, sys
from statistics import mean, stdev
from scipy import stats

D = sys.argv[1]

def tci(xs, level=0.95):
    n = len(xs); m = mean(xs)
    if n < 2: return m, float('nan'), float('nan')
    h = stats.t.ppf(0.5 + level / 2, n - 1) * stdev(xs) / math.sqrt(n)
    return m, m - h, m + h

def ratio_ci(now, before, level=0.95):
    """mean(now)/mean(before) on logs: Welch t interval of the difference of log means."""
    a = [math.log(x) for x in now]; b = [math.log(x) for x in before]
    va = stdev(a) ** 2 / len(a); vb = stdev(b) ** 2 / len(b)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    t = stats.t.ppf(0.5 + level / 2, df)
    d = mean(a) - mean(b)
    p = 2 * stats.t.sf(abs(d) / se, df)
    return math.exp(d), math.exp(d - t * se), math.exp(d + t * se), df, p

def load(path):
    m = re.search(r'load average: ([\d.]+), ([\d.]+), ([\d.]+)', path)
    return m.group(1) if m else '?'

print('## PipeliningTest')
pipe = {'before': [], 'now': []}
for f in sorted(glob.glob(os.path.join(D, 'pipelining-r*-*.txt'))):
    name = os.path.basename(f)[len('pipelining-'):-4]
    rnd, tree = name.split('-')
    txt = open(f).read()
    lines = txt.splitlines()
    start_load = load(lines[0]); end_load = load(lines[-1])
    heads = dict((s, (float(h), float(t))) for s, h, t in re.findall(r'resnet18 split (\d+): head ([\d.]+) ms, tail ([\d.]+) ms', txt))
    m = re.search(r'resnet18 split (\d+) batch 2.*depth 1 ([\d.]+) img/s, depth 4 ([\d.]+) img/s, speed-up ([\d.]+)x.*depth 4 (\d+) of (\d+)', txt)
    split, d1, d4, sp, ov, of = m.groups()
    h, t = heads[split]
    pipe[tree].append((float(d1), float(d4), float(d4) / float(d1)))
    print(f'| {rnd} | {tree} | {split} | {h:.1f} / {t:.1f} | {float(d1):.2f} | {float(d4):.2f} | {float(d4)/float(d1):.2f}x | {ov}/{of} | {start_load} / {end_load} |')
for tree in ('before', 'now'):
    xs = pipe[tree]
    if not xs: continue
    for i, lab in enumerate(('depth 1', 'depth 4', 'speed-up')):
        m_, lo, hi = tci([x[i] for x in xs])
        print(f'{tree} {lab}: mean {m_:.3f} [{lo:.3f}, {hi:.3f}] n={len(xs)}')
if len(pipe['before']) >= 2 and len(pipe['now']) >= 2:
    for i, lab in enumerate(('depth 1', 'depth 4', 'speed-up')):
        r, lo, hi, df, p = ratio_ci([x[i] for x in pipe['now']], [x[i] for x in pipe['before']])
        print(f'now/before {lab}: {r:.3f} [{lo:.3f}, {hi:.3f}] (Welch df {df:.1f}, p {p:.2f})')

print('## Sweep throughput (images/s per pass)')
sw = {}
for run in sorted(glob.glob(os.path.join(D, 'sweep-r*-*'))):
    name = os.path.basename(run)[len('sweep-'):]
    rnd, tree = name.split('-')
    con = open(os.path.join(run, 'console.txt')).read().splitlines()
    sl = load(con[0]); el = load(con[-1])
    per = {}
    for f in sorted(glob.glob(os.path.join(run, '*', 'jmh', '*.json'))):
        for e in json.load(open(f)):
            if e['benchmark'].endswith('.throughput'):
                s = e['params']['split']
                assert e['primaryMetric']['scoreUnit'] == 'ops/s'
                per.setdefault(s, []).extend(
                    [e['secondaryMetrics']['images']['score']] if 'images' in e.get('secondaryMetrics', {})
                    else [x * int(e['params']['batch']) for fork in e['primaryMetric']['rawData'] for x in fork])
    for s in sorted(per, key=int):
        m_, lo, hi = tci(per[s])
        sw.setdefault((tree, s), []).append(per[s])
        print(f'| {rnd} | {tree} | {s} | {m_:.1f} [{lo:.1f}, {hi:.1f}] | {len(per[s])} | {sl} / {el} |')
rounds = {}
for (tree, s), runs in sorted(sw.items()):
    pooled = [x for r in runs for x in r]
    m_, lo, hi = tci(pooled)
    print(f'{tree} split {s}: pooled {m_:.1f} [{lo:.1f}, {hi:.1f}] n={len(pooled)} in {len(runs)} runs')
for s in sorted({s for _, s in sw}, key=int):
    if ('now', s) in sw and ('before', s) in sw:
        a = [x for r in sw[('now', s)] for x in r]; b = [x for r in sw[('before', s)] for x in r]
        r, lo, hi, df, p = ratio_ci(a, b)
        print(f'split {s}: now/before pooled {r:.3f} [{lo:.3f}, {hi:.3f}] (Welch df {df:.1f}, p {p:.2g})')
        for i, (ra, rb) in enumerate(zip(sw[('now', s)], sw[('before', s)])):
            r, lo, hi, df, p = ratio_ci(ra, rb)
            print(f'  round {i+1}: now/before {r:.3f} [{lo:.3f}, {hi:.3f}]')

def paired(ratios, level=0.95):
    """Geometric mean of per-round now/before ratios with a t interval over rounds (the round is the unit)."""
    l = [math.log(r) for r in ratios]; n = len(l); m = mean(l)
    h = stats.t.ppf(0.5 + level / 2, n - 1) * stdev(l) / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h), n

print('## Paired by round (geometric mean of per-round now/before, t over rounds)')
byr = {}
for f in sorted(glob.glob(os.path.join(D, 'pipelining-r*-*.txt'))):
    rnd, tree = os.path.basename(f)[len('pipelining-'):-4].split('-')
    m = re.search(r'depth 1 ([\d.]+) img/s, depth 4 ([\d.]+) img/s', open(f).read())
    d1, d4 = map(float, m.groups())
    byr.setdefault(rnd, {})[tree] = (d1, d4, d4 / d1)
pairs = [v for v in byr.values() if 'before' in v and 'now' in v]
for i, lab in enumerate(('depth 1', 'depth 4', 'speed-up')):
    r, lo, hi, n = paired([p['now'][i] / p['before'][i] for p in pairs])
    print(f'PipeliningTest {lab}: {r:.3f} [{lo:.3f}, {hi:.3f}] over {n} rounds')
for s in sorted({s for _, s in sw}, key=int):
    rs = [mean(a) / mean(b) for a, b in zip(sw[('now', s)], sw[('before', s)])]
    r, lo, hi, n = paired(rs)
    print(f'sweep split {s}: {r:.3f} [{lo:.3f}, {hi:.3f}] over {n} rounds; per round ' + ', '.join(f'{x:.3f}' for x in rs))
allr = [mean(a) / mean(b) for s in sorted({s for _, s in sw}, key=int) for a, b in zip(sw[('now', s)], sw[('before', s)])]
