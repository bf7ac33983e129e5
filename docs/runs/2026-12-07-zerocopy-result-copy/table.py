"""Per-round table of one hold: run in a hold folder (m-base-R, m-new-R), argument: the number of rounds."""
import json, os, subprocess, statistics, sys, re
rounds=int(sys.argv[1])
steps=[("stage1:stage.forward.end","stage1:stage.result.copied"),("stage1:stage.result.copied","stage1:stage.answer.start"),("stage1:stage.answer.start","stage1:frame.encoded"),("stage1:frame.encoded","stage1:stage.answer.written")]
rows={}
for which in ("base","new"):
  for r in range(1,rounds+1):
    d=json.load(open(f"m-{which}-{r}.json"))
    out=subprocess.run(["python3",os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../benchmarks/scripts/step-trace.py"),f"m-{which}-{r}"],capture_output=True,text=True).stdout
    st={}
    for line in out.splitlines():
      c=[x.strip() for x in line.split("|")]
      if len(c)>5 and (c[1],c[2]) in steps: st[(c[1],c[2])]=float(c[4])
    if st.get(steps[0]) is None:
      parts=[]
      for line in out.splitlines():
        c=[x.strip() for x in line.split("|")]
        if len(c)>5 and (c[1] in ("stage1:stage.forward.end","stage1:tmp.viewed","stage1:tmp.acquired")) and c[2].startswith("stage1:tmp.") or (len(c)>5 and c[2]=="stage1:stage.result.copied" and c[1].startswith("stage1:tmp.")):
          parts.append(float(c[4]))
      st[steps[0]]=sum(parts)
    rows[(which,r)]=(d["overhead_ms"],d["overhead_per_request_ms"]["p50"],[st.get(s) for s in steps])
print("| round | build | forward end -> result copied | copied -> answer start | answer start -> encoded | encoded -> written | overhead_ms (mean) | overhead_per_request_ms p50 |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for r in range(1,rounds+1):
  for which in ("base","new"):
    o,p,s=rows[(which,r)]
    print(f"| {r} | {which} | "+" | ".join(f"{x:.3f}" for x in s)+f" | {o:.2f} | {p:.2f} |")
for which in ("base","new"):
  col=lambda i: statistics.median(rows[(which,r)][2][i] for r in range(1,rounds+1))
  print(f"| **median** | {which} | "+" | ".join(f"{col(i):.3f}" for i in range(4))+f" | {statistics.median(rows[(which,r)][0] for r in range(1,rounds+1)):.2f} | {statistics.median(rows[(which,r)][1] for r in range(1,rounds+1)):.2f} |")
def ratio(i):
  return statistics.median(rows[("new",r)][2][i]/rows[("base",r)][2][i] for r in range(1,rounds+1))
print("per-round ratio new/base, median: copy step %.2f, overhead_ms %.2f, p50 %.2f" % (ratio(0), statistics.median(rows[("new",r)][0]/rows[("base",r)][0] for r in range(1,rounds+1)), statistics.median(rows[("new",r)][1]/rows[("base",r)][1] for r in range(1,rounds+1))))
