"""The anchors of the Sluice ML benchmark: scikit-learn and XGBoost on the same rows as ours.

Usage (bench/ml/train.ts runs it):
    OMP_NUM_THREADS=1 /usr/bin/python3 bench/ml/anchor.py DATA.csv SPLIT.json TARGET RUNS MODELS
SPLIT.json holds {"train": [...], "test": [...]} row indices (0-based, data rows only).
MODELS is a comma list of: baseline, hgb, xgb, lr. Prints one JSON object: per model the
holdout metrics and the fit times (wall and CPU seconds) of each run.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

data_path, split_path, target, runs, models = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split(",")
df = pd.read_csv(data_path, keep_default_na=False, na_values=[""])
y_all = df.pop(target).astype(str)
split = json.load(open(split_path))
tr, te = np.array(split["train"]), np.array(split["test"])
labels = sorted(y_all.unique())
y = y_all.map({l: i for i, l in enumerate(labels)}).to_numpy()
cat_cols = [c for c in df.columns if df[c].dtype == object]
num_cols = [c for c in df.columns if c not in cat_cols]

# Ordinal codes for HistGradientBoosting's native categorical support (missing -> NaN).
ordinal = df.copy()
for c in cat_cols:
    ordinal[c] = ordinal[c].astype("category").cat.codes.replace(-1, np.nan).astype(float)
onehot = pd.get_dummies(df, columns=cat_cols, dtype=float)


def hgb():
    return HistGradientBoostingClassifier(random_state=0, categorical_features=[c in cat_cols for c in df.columns]), ordinal


def xgb():
    import xgboost

    return xgboost.XGBClassifier(n_estimators=300, max_depth=6, tree_method="hist", n_jobs=1, random_state=0), onehot


def lr():
    pre = ColumnTransformer([("num", StandardScaler(), num_cols), ("cat", OneHotEncoder(handle_unknown="ignore"), cat_cols)])
    return make_pipeline(pre, LogisticRegression(max_iter=1000)), df


def baseline():
    return DummyClassifier(strategy="prior"), df


out = {}
for name in models:
    make = {"baseline": baseline, "hgb": hgb, "xgb": xgb, "lr": lr}[name]
    fits, cpus = [], []
    for _ in range(runs):
        model, X = make()
        Xtr, Xte = X.iloc[tr], X.iloc[te]
        w0, c0 = time.perf_counter(), time.process_time()
        model.fit(Xtr, y[tr])
        fits.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    w0 = time.perf_counter()
    p = model.predict_proba(Xte)
    predict_s = time.perf_counter() - w0
    pred = p.argmax(axis=1)
    yt = y[te]
    out[name] = {
        "accuracy": accuracy_score(yt, pred),
        "macro_f1": f1_score(yt, pred, average="macro"),
        "roc_auc": roc_auc_score(yt, p, multi_class="ovr") if len(labels) > 2 else roc_auc_score(yt, p[:, 1]),
        "log_loss": log_loss(yt, p, labels=list(range(len(labels)))),
        "fit_s": fits,
        "cpu_s": cpus,
        "predict_s": predict_s,
        "iterations": int(getattr(model, "n_iter_", 0) or 0),
    }
print(json.dumps(out))
