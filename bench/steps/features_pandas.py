"""The feature-engineering flow of bench/steps/featuresBench.ts in pandas + scikit-learn, step for step.

Usage: /usr/bin/python3 bench/steps/features_pandas.py INPUT.csv RUNS
Times the transform only (the CSV is read once, before timing), median of RUNS, as JSON.
"""
import json
import sys
import time

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

inp, runs = sys.argv[1], int(sys.argv[2])
raw = pd.read_csv(inp)


def features(df):
    df = df.copy()
    for c in ["time_in_hospital", "num_medications"]:
        df[c + "_missing"] = df[c].isna().astype(int)
    for c in ["time_in_hospital", "num_medications", "number_diagnoses"]:
        df[c] = df[c].fillna(df[c].median())
    for c in ["num_lab_procedures", "num_medications"]:
        x = df[c].astype(float)
        med = x.median()
        sd = (x - med).abs().median() * 1.482602218505602
        df[c] = x.clip(med - 3 * sd, med + 3 * sd)
    cols = ["num_lab_procedures", "num_medications", "time_in_hospital"]
    df[cols] = StandardScaler().fit_transform(df[cols])
    df["age_bin"] = pd.qcut(df["age"], 4, labels=False, duplicates="drop")
    for c in ["race", "max_glu_serum", "a1c_result"]:
        top = df[c].value_counts().head(5).index
        for cat in top:
            df[f"{c}_{cat}"] = (df[c] == cat).astype(int)
        df[f"{c}__other"] = (df[c].notna() & ~df[c].isin(top)).astype(int)
        df = df.drop(columns=[c])
    df["gender"] = pd.Categorical(df["gender"], categories=sorted(df["gender"].dropna().unique())).codes
    idx = df.index.to_numpy()
    train, rest = train_test_split(idx, train_size=0.7, stratify=df["readmitted"], random_state=1)
    val, test = train_test_split(rest, train_size=0.5, stratify=df.loc[rest, "readmitted"], random_state=1)
    df["split"] = "test"
    df.loc[train, "split"] = "train"
    df.loc[val, "split"] = "validation"
    return df


times = []
for _ in range(runs):
    t0 = time.perf_counter()
    out = features(raw)
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"seconds": times[len(times) // 2], "rows": len(out), "columns": len(out.columns)}))
