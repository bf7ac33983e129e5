"""Group warm-up A/B (run.sh): per sweep, how far pass 1's throughput sits below the later passes (all points, and
the first five points of pass 1's order), and the report's interval half-widths and classes.
Usage: python3 analyze.py [DIR]"""
import glob, json, os, statistics as st, sys

D = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
print('| run | pass 1 / median(2, 3), all points | first 5 of pass 1 | last 5 | throughput half-width %, median | '
      'latency half-width %, median | largest P(frontier) | frontier / dominated |')
print('|---|---:|---:|---:|---:|---:|---:|---:|')
rows = {}
for run in sorted(glob.glob(os.path.join(D, 'sweep-r*-*', '*', ''))):
    name = run.split(os.sep)[-3][len('sweep-'):]
    if not os.path.isfile(os.path.join(run, 'report', 'frontier.json')):
        continue
    meta = json.load(open(os.path.join(run, 'run-metadata.json')))
    first = next(p for p in meta['sweep']['passes'] if p['pass'] == 1)
    order = [t['split'] for t in first['trials'] if t['method'] == 'throughput']
    v = {}
    for f in glob.glob(os.path.join(run, 'jmh', 'pass-*.json')):
        n = int(os.path.basename(f)[len('pass-'):][:3])
        for e in json.load(open(f)):
            if e['benchmark'].endswith('.throughput'):
                v.setdefault(e['params']['split'], {})[n] = e['primaryMetric']['score']
    r = {s: d[1] / st.median(d[p] for p in d if p >= 2) for s, d in v.items() if 1 in d and len(d) >= 3}
    fr = json.load(open(os.path.join(run, 'report', 'frontier.json')))['groups'][0]['points']
    thw = st.median(p['throughput_half_width_pct'] for p in fr)
    lhw = st.median(p['latency_mean_half_width_pct'] for p in fr)
    pmax = max(p['frontier_probability'] for p in fr)
    classes = [p['frontier_class'] for p in fr]
    rows[name] = (st.median(r.values()), st.median(r[s] for s in order[:5]), st.median(r[s] for s in order[-5:]), thw, lhw)
    print(f"| {name} | {rows[name][0]:.3f} | {rows[name][1]:.3f} | {rows[name][2]:.3f} | {thw:.1f} | {lhw:.1f} | "
          f"{pmax:.2f} | {classes.count('frontier')} / {classes.count('dominated')} |")
for arm in ('off', 'on'):
    xs = [v for k, v in rows.items() if k.endswith('-' + arm)]
    if xs:
        print(f"{arm}: pass 1 / later, all {st.median(x[0] for x in xs):.3f}, first 5 {st.median(x[1] for x in xs):.3f};"
              f" throughput half-width {st.median(x[3] for x in xs):.1f} %, latency {st.median(x[4] for x in xs):.1f} %"
              f" (medians over {len(xs)} runs)")
