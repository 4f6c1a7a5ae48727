"""Prints the CSV lines of sampler_bench.py and SamplerBench as two Markdown tables (used by compare.sh)."""
import collections
import sys

rows = [line.strip().split(",") for path in sys.argv[1:] for line in open(path) if line.count(",") >= 5]
quality = {(r[2], r[3], r[1]): r[4:7] for r in rows if r[0] == "quality"}
speed = collections.defaultdict(dict)
for r in rows:
    if r[0] == "speed":
        speed[(r[2], r[3])][(r[1], int(r[4]))] = float(r[5])

if quality:
    print("| problem | trials | Optuna median (q1, q3) | engine median (q1, q3) |")
    print("| --- | --- | --- | --- |")
for (problem, trials) in sorted({(k[0], k[1]) for k in quality}):
    o = quality.get((problem, trials, "optuna"), ["-"] * 3)
    a = quality.get((problem, trials, "arbiter"), ["-"] * 3)
    print(f"| {problem} | {trials} | {o[0]} ({o[1]}, {o[2]}) | {a[0]} ({a[1]}, {a[2]}) |")
if quality and speed:
    print()
if speed:
    print("| params | mode | trials | Optuna ms/ask | engine ms/ask | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
for (d, mode), v in sorted(speed.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
    for n in sorted({k[1] for k in v if k[1] in (1000, 2000, 5000, 10000)}):
        o = v.get(("optuna", n))
        a = v.get(("arbiter", n))
        ratio = f"{o / a:.0f}x" if o and a else "-"
        print(f"| {d} | {mode} | {n} | {o if o else '-'} | {a if a else '-'} | {ratio} |")
