"""Summarizes a cpu-loop.sh output file (argument): per tuning mean +- 95 % t-interval over rounds, and
per-round paired ratios. Times in ms per round trip."""
import re,sys,statistics as st
T={2:12.706,3:4.303,4:3.182,5:2.776,6:2.571,7:2.447,8:2.365,9:2.306,10:2.262}
def ci(xs):
    m=st.mean(xs)
    if len(xs)<2: return m,float('nan')
    return m,T.get(len(xs),2.0)*st.stdev(xs)/len(xs)**0.5
rows=[];loads=[]
rnd=None
for line in open(sys.argv[1]):
    if line.startswith('#'):
        m=re.search(r'round (\d+) loadavg ([\d.]+)',line)
        if m: rnd=int(m[1]); loads.append(float(m[2]))
        m=re.search(r'end loadavg ([\d.]+)',line)
        if m: loads.append(float(m[1]))
        continue
    m=re.match(r'(\S+) (\S+) (\d+) B round \d+: (\d+) ops, wall (\d+) us/op, process cpu (\d+) us/op, minor page faults (\d+)/op;(.*)',line)
    if not m: continue
    d=dict(t=m[1],tun=m[2],r=rnd,wall=int(m[5])/1e3,cpu=int(m[6])/1e3,faults=int(m[7]))
    for g in re.finditer(r' ([^;]+?) (\d+) \(user (\d+), sys (\d+)\);',m[8]):
        name=g[1]; u=int(g[3])/1e3; s=int(g[4])/1e3
        if name.startswith('grpc-default-worker') or name.startswith('grpc-nio-worker') or name.startswith('paretopipe-grpc-head'): k='head'
        elif re.match(r'paretopipe-grpc-stage-N-io',name): k='stageio'
        elif re.match(r'paretopipe-grpc-stage-N-N$',name): k='exec'
        elif name=='main': k='main'
        elif name.startswith('paretopipe-nio-reader'): k='nioreader'
        else: continue
        d[k+'_u']=d.get(k+'_u',0)+u; d[k+'_s']=d.get(k+'_s',0)+s
    d['key']=m[1] if m[1]=='nio' else m[2]
    rows.append(d)
keys=['nio','tuned','tuned-composite']
print('n per config:',{k:sum(1 for r in rows if r['key']==k) for k in keys}, 'loadavg(1m) min/median/max: %.1f/%.1f/%.1f'%(min(loads),st.median(loads),max(loads)))
for k in keys:
    rs=[r for r in rows if r['key']==k]
    out=[k]
    for f in ['wall','cpu','faults','head_u','head_s','stageio_u','stageio_s','exec_u','main_u']:
        xs=[r.get(f,0) for r in rs]
        m,h=ci(xs); out.append('%s %.2f±%.2f'%(f,m,h))
    print('; '.join(out))
byr={}
for r in rows: byr.setdefault(r['r'],{})[r['key']]=r
def ratio(a,b,f='wall'):
    xs=[v[a][f]/v[b][f] for v in byr.values() if a in v and b in v]
    m,h=ci(xs); return '%.3f ± %.3f (n=%d) [%s]'%(m,h,len(xs),', '.join('%.2f'%x for x in xs))
print('wall tuned/nio', ratio('tuned','nio'))
print('wall tuned-composite/nio', ratio('tuned-composite','nio'))
print('wall tuned-composite/tuned', ratio('tuned-composite','tuned'))
print('cpu tuned-composite/tuned', ratio('tuned-composite','tuned','cpu'))
xs=[v['tuned']['head_u']-v['tuned-composite']['head_u'] for v in byr.values() if 'tuned' in v and 'tuned-composite' in v]
m,h=ci(xs); print('head loop user tuned - composite: %.2f ± %.2f ms [%s]'%(m,h,', '.join('%.2f'%x for x in xs)))
xs=[v['tuned']['stageio_u']-v['tuned-composite']['stageio_u'] for v in byr.values() if 'tuned' in v and 'tuned-composite' in v]
m,h=ci(xs); print('stage loop user tuned - composite: %.2f ± %.2f ms [%s]'%(m,h,', '.join('%.2f'%x for x in xs)))
for r in sorted(byr):
    print('round',r,' '.join('%s wall %.1f cpu %.1f head %.1f/%.1f stage %.1f/%.1f exec %.1f faults %d'%(k,byr[r][k]['wall'],byr[r][k]['cpu'],byr[r][k].get('head_u',0),byr[r][k].get('head_s',0),byr[r][k].get('stageio_u',0),byr[r][k].get('stageio_s',0),byr[r][k].get('exec_u',0),byr[r][k]['faults']) for k in keys if k in byr[r]))
