#!/usr/bin/env python3
"""Peer for bench/observer: scikit-learn's LogisticRegression(lbfgs, C=1.0) on the same features.

Usage: /usr/bin/python3 bench/observer_peer.py META.json [REPEATS]

META.json (written by `go run ./bench/observer`) names raw little-endian files: train_x/test_x
(float32, row-major [n, d]) and train_y/test_y (uint8, 0/1), plus n_train, n_test, d and the list
of label-subset targets when several are timed. Features are standardised with the training mean and
standard deviation (StandardScaler, as the Go side does) outside the timed region; only fit() is
timed. Prints one JSON object. If scikit-learn is not importable, prints {"skipped": reason}.
"""
import json
import os
import statistics
import sys
import time

try:
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
except ImportError as e:  # pragma: no cover
    print(json.dumps({"skipped": "scikit-learn not importable: %s" % e}))
    sys.exit(0)


def main():
    meta = json.load(open(sys.argv[1]))
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    n_tr, n_te, d = meta["n_train"], meta["n_test"], meta["d"]
    xtr = np.fromfile(meta["train_x"], dtype="<f4").reshape(n_tr, d)
    xte = np.fromfile(meta["test_x"], dtype="<f4").reshape(n_te, d)
    sc = StandardScaler().fit(xtr)
    xtr, xte = sc.transform(xtr), sc.transform(xte)
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "repeats": repeats,
           "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "(default: all cores)")}
    if "train_y" in meta:
        ytr = np.fromfile(meta["train_y"], dtype="u1").astype(bool)
        yte = np.fromfile(meta["test_y"], dtype="u1").astype(bool)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            clf = LogisticRegression(C=1.0, solver="lbfgs", max_iter=100).fit(xtr, ytr)
            times.append(time.perf_counter() - t0)
        out.update(seconds=statistics.median(times), seconds_all=times,
                   test_accuracy=float(clf.score(xte, yte)), train_accuracy=float(clf.score(xtr, ytr)),
                   n_iter=int(clf.n_iter_[0]))
    if "subsets" in meta:
        # Several label-subset targets, one fit each (what sklearn offers for many properties).
        ltr = np.fromfile(meta["train_labels"], dtype="u1")
        lte = np.fromfile(meta["test_labels"], dtype="u1")
        t0 = time.perf_counter()
        accs, iters = [], []
        for mask in meta["subsets"]:
            ytr = ((mask >> ltr.astype(np.int64)) & 1).astype(bool)
            yte = ((mask >> lte.astype(np.int64)) & 1).astype(bool)
            clf = LogisticRegression(C=1.0, solver="lbfgs", max_iter=100).fit(xtr, ytr)
            accs.append(float(clf.score(xte, yte)))
            iters.append(int(clf.n_iter_[0]))
        out.update(subsets_seconds=time.perf_counter() - t0, subsets_test_accuracy=accs, subsets_n_iter=iters)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
