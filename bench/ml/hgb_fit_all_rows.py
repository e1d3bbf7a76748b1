"""hgb_fit.py with HistGradientBoosting's bin edges placed from every training row instead of its
seeded 200,000-row subsample (a diagnosis of the 1M log loss, docs/benchmarks.md, issue 19 target 3).

Usage (same arguments as hgb_fit.py):
    OMP_NUM_THREADS=1 /usr/bin/python3 bench/ml/hgb_fit_all_rows.py DATA.csv SPLIT.json TARGET PARAMS_JSON
scikit-learn has no parameter for it: the estimator builds its private _BinMapper with the default
subsample=200000, so this replaces that class, in the module that uses it, with one that passes
subsample=None.
"""
import os
import runpy
import sys

import sklearn.ensemble._hist_gradient_boosting.gradient_boosting as gb
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper


class AllRowsBinMapper(_BinMapper):
    def __init__(self, *args, **kwargs):
        kwargs["subsample"] = None
        super().__init__(*args, **kwargs)


gb._BinMapper = AllRowsBinMapper
script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hgb_fit.py")
sys.argv = [script] + sys.argv[1:]
runpy.run_path(script, run_name="__main__")
