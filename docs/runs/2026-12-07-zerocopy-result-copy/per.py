"""Per-request forward end -> result copied of one hold, base against new: per.py HOLD_DIR ROUNDS."""
import glob, statistics, sys, random
def samples(d, a="stage.forward.end", b="stage.result.copied"):
    out=[]
    for f in glob.glob(d+"/steps-*.tsv"):
        rows=[l.rstrip("\n").split("\t") for l in open(f) if l.strip() and not l.startswith("#")]
        if any(s=="head.forward.start" for _,s in rows): continue
        t0=None; vals=[]
        for t,s in rows:
            if s==a: t0=int(t)
            elif s==b and t0 is not None: vals.append((int(t)-t0)/1e6); t0=None
        out+=vals[5:]
    return out
base_dir, rounds = sys.argv[1], int(sys.argv[2])
for which in ("base","new"):
    v=[]
    for r in range(1,rounds+1): v+=samples(f"{base_dir}/m-{which}-{r}")
    q=statistics.quantiles(v,n=4)
    print(which, "n",len(v),"median %.3f q1 %.3f q3 %.3f mean %.3f"%(statistics.median(v),q[0],q[2],statistics.mean(v)))
b=[];n=[]
for r in range(1,rounds+1): b+=samples(f"{base_dir}/m-base-{r}"); n+=samples(f"{base_dir}/m-new-{r}")
random.seed(1); diffs=[]
for _ in range(2000):
    diffs.append(statistics.median(random.choices(n,k=len(n)))-statistics.median(random.choices(b,k=len(b))))
diffs.sort(); print("new-base median diff %.4f, 95%% bootstrap [%.4f, %.4f]"%(statistics.median(n)-statistics.median(b),diffs[50],diffs[1949]))
