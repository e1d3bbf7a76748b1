"""pandas doing the summary statistics of a data report, timed: the anchor of bench/profile/report.ts.

Usage: /usr/bin/python3 bench/profile/summary_pandas.py DATA.csv RUNS
Prints JSON: median seconds of read, of the statistics, and of both, over RUNS runs.
"""
import json
import sys
import time

import pandas as pd

path, runs = sys.argv[1], int(sys.argv[2])
reads, stats = [], []
for _ in range(runs):
    t0 = time.perf_counter()
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    t1 = time.perf_counter()
    df.describe(include="all")
    df.isna().sum()
    df.nunique()
    for c in df.columns:
        df[c].value_counts().head(10)
    df.duplicated().sum()
    num = df.select_dtypes("number")
    num.corr()
    num.corr(method="spearman")
    t2 = time.perf_counter()
    reads.append(t1 - t0)
    stats.append(t2 - t1)
med = lambda xs: sorted(xs)[len(xs) // 2]
print(json.dumps({"read": med(reads), "stats": med(stats), "total": med([a + b for a, b in zip(reads, stats)])}))
