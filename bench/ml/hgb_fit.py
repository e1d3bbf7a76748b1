"""One HistGradientBoostingClassifier fit, for bench/ml/gbdtBench.ts (which runs it once per run).

Usage:
    OMP_NUM_THREADS=1 /usr/bin/python3 bench/ml/hgb_fit.py DATA.csv SPLIT.json TARGET PARAMS_JSON
PARAMS_JSON holds scikit-learn's names (max_iter, learning_rate, max_leaf_nodes, min_samples_leaf,
max_bins, l2_regularization, early_stopping). Prints one JSON object: the fit's wall and CPU
seconds (time.process_time, every thread of the process), the iterations and the holdout log loss.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss

data_path, split_path, target, params = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
df = pd.read_csv(data_path, keep_default_na=False, na_values=[""])
y_all = df.pop(target).astype(str)
split = json.load(open(split_path))
tr, te = np.array(split["train"]), np.array(split["test"])
labels = sorted(y_all.unique())
y = y_all.map({l: i for i, l in enumerate(labels)}).to_numpy()
cat_cols = [c for c in df.columns if df[c].dtype == object]
# Ordinal codes for HistGradientBoosting's native categorical support (missing -> NaN).
for c in cat_cols:
    df[c] = df[c].astype("category").cat.codes.replace(-1, np.nan).astype(float)
X = df.to_numpy(dtype=np.float64)
Xtr, Xte = X[tr], X[te]
model = HistGradientBoostingClassifier(random_state=0, categorical_features=[c in cat_cols for c in df.columns], **params)
w0, c0 = time.perf_counter(), time.process_time()
model.fit(Xtr, y[tr])
fit_s, cpu_s = time.perf_counter() - w0, time.process_time() - c0
p = model.predict_proba(Xte)
print(json.dumps({"fit_s": fit_s, "cpu_s": cpu_s, "iterations": int(model.n_iter_), "log_loss": log_loss(y[te], p, labels=list(range(len(labels))))}))
