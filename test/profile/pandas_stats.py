"""Reference statistics computed independently with pandas / numpy / scipy for the profile tests.

Usage: /usr/bin/python3 test/profile/pandas_stats.py DATA.csv [TARGET] [BASELINE.csv]
Prints one JSON object on stdout. Only empty fields are missing (keep_default_na=False), which is
how DuckDB's CSV reader reads them.
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp, chi2_contingency
from scipy.stats.contingency import association
from scipy.spatial.distance import jensenshannon

path = sys.argv[1]
target = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
baseline = sys.argv[3] if len(sys.argv) > 3 else None
read = lambda p: pd.read_csv(p, keep_default_na=False, na_values=[""])
df = read(path)
num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
out = {"rows": len(df), "duplicateRows": int(df.duplicated().sum()), "missingCells": int(df.isna().sum().sum()), "columns": {}}
for c in df.columns:
    s = df[c]
    col = {"missing": int(s.isna().sum()), "distinct": int(s.nunique())}
    vc = s.value_counts()
    col["topCounts"] = [int(x) for x in vc.head(10).tolist()]
    if c in num:
        x = s.dropna()
        q = x.quantile([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
        q1, q3 = float(q[0.25]), float(q[0.75])
        iqr = q3 - q1
        counts, edges = np.histogram(x.to_numpy(dtype=float), bins=20)
        col.update({
            "min": float(x.min()), "max": float(x.max()), "mean": float(x.mean()), "median": float(x.median()),
            "std": float(x.std()), "skewness": float(x.skew()), "kurtosis": float(x.kurt()),
            "quantiles": {str(k): float(v) for k, v in q.items()},
            "outliers": int(((x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)).sum()),
            "histogram": [int(v) for v in counts], "edges": [float(v) for v in edges],
        })
    out["columns"][c] = col
numc = [c for c in num if df[c].nunique() > 1]
out["pearson"] = {f"{a}|{b}": float(df[a].corr(df[b])) for i, a in enumerate(numc) for b in numc[i + 1:]}
out["spearman"] = {f"{a}|{b}": float(df[[a, b]].corr(method="spearman").iloc[0, 1]) for i, a in enumerate(numc) for b in numc[i + 1:]}
cat = [c for c in df.columns if (c not in num and 1 < df[c].nunique() <= 50) or (c in num and df[c].nunique() == 2)]
out["cramersV"] = {f"{a}|{b}": float(association(pd.crosstab(df[a], df[b]).to_numpy(), method="cramer")) for i, a in enumerate(cat) for b in cat[i + 1:]}
if target:
    vc = df[target].value_counts()
    out["target"] = {"counts": {str(k): int(v) for k, v in vc.items()}, "imbalanceRatio": float(vc.max() / vc.min())}
    eta = {}
    for c in num:
        if c == target:
            continue
        d = df[[c, target]].dropna()
        groups = d.groupby(target)[c]
        m = d[c].mean()
        between = float((groups.count() * (groups.mean() - m) ** 2).sum())
        total = float(((d[c] - m) ** 2).sum())
        eta[c] = (between / total) ** 0.5 if total > 0 else None
    out["correlationRatio"] = eta
if baseline:
    b = read(baseline)
    drift = {}
    for c in df.columns:
        if c in num:
            x, y = b[c].dropna().to_numpy(float), df[c].dropna().to_numpy(float)
            edges = np.unique(np.quantile(x, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]))
            bx = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1) / len(x)
            by = np.bincount(np.searchsorted(edges, y, side="left"), minlength=len(edges) + 1) / len(y)
            bx, by = np.maximum(bx, 1e-4), np.maximum(by, 1e-4)
            drift[c] = {"psi": float(np.sum((by - bx) * np.log(by / bx))), "ks": float(ks_2samp(x, y).statistic)}
        else:
            t = pd.concat([b[c].dropna().value_counts().rename("b"), df[c].dropna().value_counts().rename("c")], axis=1).fillna(0)
            chi2 = chi2_contingency(t.T.to_numpy(), correction=False)
            p, q = t["b"] / t["b"].sum(), t["c"] / t["c"].sum()
            drift[c] = {"chiSquare": float(chi2[0]), "chiSquarePValue": float(chi2[1]), "jensenShannon": float(jensenshannon(p, q, base=2) ** 2)}
    out["drift"] = drift
print(json.dumps(out))
