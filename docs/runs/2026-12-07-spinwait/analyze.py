import json,glob,statistics as st,sys,subprocess,os
D=sys.argv[1]; modes=sys.argv[2].split(',')
os.chdir(D)
rows={}
for f in sorted(glob.glob('*.json')):
    tag=f[:-5]; d=json.load(open(f))
    m,s,mode,r=tag.rsplit('-',3)
    o=d['overhead_per_request_ms']
    rows.setdefault(m,{}).setdefault(mode,{})[r]=dict(ovh=d['overhead_ms'],p50=o['p50'],lo=o['p50_low'],hi=o['p50_high'],lat=d['latency_ms']['p50'],head=d['cpu_ms_per_image']['head'],stage=d['cpu_ms_per_image']['stage1'],sw=d.get('spin_wait'),caught=d.get('spin_wait_caught','-'),n=o['count'],tail=d['phases_ms']['tail_compute'])
steps={'stage1:stage.answer.written|head:frame.header.read':'wake_head','head:frame.header.read|head:frame.payload.read':'head_payload','head:head.send.end|stage1:frame.header.read':'wake_stage'}
for f in glob.glob('trace-*'):
    if not os.path.isdir(f): continue
    tag=f[6:]; m,s,mode,r=tag.rsplit('-',3)
    out=subprocess.run(['python3','/work/wt/spinwait/benchmarks/scripts/step-trace.py',f],capture_output=True,text=True).stdout
    for line in out.splitlines():
        c=[x.strip() for x in line.split('|')]
        if len(c)>5 and c[1]+'|'+c[2] in steps:
            rows[m][mode][r][steps[c[1]+'|'+c[2]]]=float(c[4]); rows[m][mode][r][steps[c[1]+'|'+c[2]]+'_n']=int(c[3])
for m,v in rows.items():
    print('##',m)
    print('| round | mode | overhead_ms | overhead/req p50 [95%] | latency p50 | head CPU ms/img | stage CPU ms/img | wake stage->head (median) | head header->payload | caught |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|---|')
    for r in sorted(v[modes[0]]):
        for mode in modes:
            x=v[mode][r]
            print('| %s | %s | %.3f | %.3f [%.3f, %.3f] | %.1f | %.2f | %.2f | %.3f | %.3f | %s |'%(r,mode,x['ovh'],x['p50'],x['lo'],x['hi'],x['lat'],x['head'],x['stage'],x.get('wake_head',float('nan')),x.get('head_payload',float('nan')),x['caught']))
    for key in ('ovh','p50','lat','head','wake_head','head_payload'):
        line=key+': medians '+', '.join('%s %.3f'%(mode,st.median([v[mode][r][key] for r in v[mode]])) for mode in modes)
        for mode in modes[1:]:
            rat=[v[mode][r][key]/v[modes[0]][r][key] for r in sorted(v[modes[0]])]
            line+=' | %s/%s per round %s median %.3f'%(mode,modes[0],','.join('%.3f'%x for x in rat),st.median(rat))
        print(line)
