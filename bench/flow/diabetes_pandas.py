"""The diabetes recipe in pandas, step for step, as the anchor for `npm run bench` (flow part).

Usage: /usr/bin/python3 bench/flow/diabetes_pandas.py INPUT.csv OUTPUT.csv
Prints the seconds spent (read + transform + write) and the output shape as JSON.
The record id uses pandas' vectorised hash_pandas_object (faster than the seed's uuid4 loop),
to give pandas its best case.
"""
import json
import sys
import time

import pandas as pd

inp, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_csv(inp)
df = df.drop(columns=["max_glu_serum", "a1c_result"])
for c in ["time_in_hospital", "num_procedures", "num_medications", "number_diagnoses", "change", "diabetes_med"]:
    df[c] = df[c].fillna(df[c].median())
df = df.drop(columns=["gender", "num_procedures", "number_outpatient"])
df["race"] = df["race"].str.replace(r"\?", "Other", regex=True)
df["record_id"] = pd.util.hash_pandas_object(df.drop(columns=["readmitted"]), index=False).astype(str)
df["event_time"] = time.time()
df = df.dropna()
df["readmitted"] = df["readmitted"].str.replace(">30|<30", "1", regex=True).str.replace("no", "0", regex=True)
df = df.drop(columns=["race"])
df.to_csv(out, index=False)
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": len(df), "columns": len(df.columns)}))
