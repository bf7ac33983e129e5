"""Summarizes jmh.sh's JSON files (argument: their folder): per round and size, each cell +- JMH's 99.9 %
interval and its ratio to nio with [low, high] from the intervals' ends; then the per-round ratios' mean +-
95 % t-interval."""
import json,sys,statistics as st
D=sys.argv[1]
T={2:12.706,3:4.303,4:3.182,5:2.776}
res={}
for r in (1,2,3):
    for n in ('nio','tuned','tuned-composite'):
        for b in json.load(open(f'{D}/jmh-r{r}-{n}.json')):
            res[(r,n,int(b['params']['bytes']))]=(b['primaryMetric']['score'],b['primaryMetric']['scoreError'])
def rat(a,b):
    (x,ex),(y,ey)=a,b
    lo=max(0,x-ex)/(y+ey); hi=(x+ex)/(y-ey) if y-ey>0 else float('inf')
    return x/y,lo,hi
for B in (4194304,16777216):
    print('bytes',B)
    rs={'tuned/nio':[],'tc/nio':[],'tc/tuned':[]}
    for r in (1,2,3):
        n=res[(r,'nio',B)];t=res[(r,'tuned',B)];c=res[(r,'tuned-composite',B)]
        a=rat(t,n);b=rat(c,n);d=rat(c,t)
        rs['tuned/nio'].append(a[0]);rs['tc/nio'].append(b[0]);rs['tc/tuned'].append(d[0])
        print(f'| {B>>20} MiB, r{r} | {n[0]:,.0f} ± {n[1]:,.0f} | {t[0]:,.0f} ± {t[1]:,.0f}: {a[0]:.2f} [{a[1]:.2f}, {a[2]:.2f}] | {c[0]:,.0f} ± {c[1]:,.0f}: {b[0]:.2f} [{b[1]:.2f}, {b[2]:.2f}] | {d[0]:.2f} [{d[1]:.2f}, {d[2]:.2f}] |')
    for k,xs in rs.items():
        m=st.mean(xs);h=T[len(xs)]*st.stdev(xs)/len(xs)**.5
        print(f'  {k}: mean of per-round ratios {m:.2f} ± {h:.2f} (95% t, n={len(xs)}) [{", ".join("%.2f"%x for x in xs)}]')
