import json,glob,os,sys
rows=[]
for f in glob.glob(os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)), '*-server-scenario.json')):
    tag=f.rsplit('/',1)[1].replace('-server-scenario.json','')
    j=json.load(open(f))
    for p in j['points']:
        b=p['closed_loop_rate_per_s']; a=p.get('closed_loop_rate_after_per_s')
        if a is None:
            why=p.get('ruled_out_alone',{})
            rows.append((p['link'],p['split'],tag,f"| {p['split']} | {tag} | {'yes' if p.get('warmup_load_s') else 'no'} | {b:.2f} / - | ruled out: {why.get('over_bound')} of {why.get('requests')} requests alone over the bound, no probe | - | - | **none** | - | not valid | 0, {p['seconds']:.0f} s |"))
            continue
        d=max(a,b)/min(a,b)
        lo=p.get('peak_rate_per_s'); hi=p.get('lowest_failing_rate_per_s')
        slo=lo/d if lo else None; shi=hi*d if hi else None
        ap=p.get('at_peak') or {}
        pct=ap.get('percentile_ms')
        fmt=lambda x: '?' if x is None else f"{x:.2f}"
        load = 'yes' if p.get('warmup_load_s') else 'no'
        rows.append((p['link'],p['split'],tag, f"| {p['split']} | {tag} | {load} | {b:.1f} / {a:.1f} | [{fmt(p.get('search_peak_rate_per_s'))}, {fmt(p.get('search_lowest_failing_rate_per_s'))}) | [{fmt(lo)}, {fmt(hi)}) {'confirmed' if p.get('bracket_confirmed') else 'widened'} | {d:.3f} | **[{fmt(slo)}, {fmt(shi)})** | {fmt(pct)} ms | {'VALID' if p.get('valid') else 'not valid'} | {len(p['probes'])}, {p['seconds']:.0f} s |"))
for link in ('none','pi-link'):
    print(f"\n{link}:")
    print("| split | run | warm-up under load | one at a time before / after (/s) | search bracket (seed 42) | after recheck (seed 43) | speed drift d | stated interval (/s) | SLO percentile at the peak | flags | probes, time |")
    print("|---|---|---|---|---|---|---:|---|---|---|---|")
    for r in sorted((x for x in rows if x[0]==link), key=lambda r: (int(r[1]), r[2])):
        print(r[3])
