#!/usr/bin/python3
"""Writes the golden files of kiln.nn.data.audit from NumPy and scikit-learn (Debian python3-numpy, python3-sklearn 1.2.1).

Run from anywhere:  /usr/bin/python3 tools/reference/make_audit_goldens.py
Needs:  apt-get install -y python3-sklearn  (and python3-torch, whose golden writer this script reuses)
Output: nn/src/test/resources/golden/audit/
    table.csv    a seeded table: numeric columns x (normal), y (log-normal, some cells "NA"), a text column
                 colour, and a lopsided three-class label; a few rows copied further down (duplicates)
    table.txt    "kiln golden v1" (see make_goldens.py): for each numeric column c, value lines
                 c.missing, c.min, c.max, c.mean, c.std (ddof=1), c.median, c.q1, c.q3 (np.percentile's
                 default linear interpolation), c.far_outliers (beyond 3 IQR from the quartiles);
                 class_counts (i64, classes sorted), class_weights (f64, sklearn's compute_class_weight
                 "balanced"), duplicates (rows equal to an earlier row)
The seed is fixed, so the output is the same from run to run.

With --fashion-mnist DIR it prints instead what kiln data inspect fashion-mnist must find (DataCommandTest
holds these numbers): exact duplicate images within each set and between them, and the mean and standard
deviation of the training pixels as Kiln's loader gives them (float32 of byte / 255).
"""
import os
import sys

import numpy as np

try:
    import sklearn
    from sklearn.utils.class_weight import compute_class_weight
except ImportError:  # e.g. a python3 without scikit-learn first on PATH: retry with Debian's interpreter
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise SystemExit("make_audit_goldens.py needs scikit-learn: apt-get install -y python3-sklearn, then /usr/bin/python3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_goldens import ROOT, Golden  # noqa: E402

ROWS, COPIES = 300, 7


def table():
    rng = np.random.RandomState(5)
    x = rng.normal(10.0, 3.0, ROWS).round(4)
    y = np.exp(rng.normal(0.0, 1.0, ROWS)).round(4)
    y[rng.choice(ROWS, 25, replace=False)] = np.nan
    colour = rng.choice(["red", "green", "blue"], ROWS)
    label = rng.choice(["cat", "dog", "emu"], ROWS, p=[0.7, 0.22, 0.08])
    rows = [[x[i], y[i], colour[i], label[i]] for i in range(ROWS)]
    for i in rng.choice(ROWS, COPIES, replace=False):  # each copied once, to the end: a duplicate of an earlier row
        rows.append(list(rows[i]))
    return rows


def cell(v):
    return "NA" if isinstance(v, float) and np.isnan(v) else repr(float(v)) if isinstance(v, float) else str(v)


def main():
    rows = table()
    os.makedirs(os.path.join(ROOT, "audit"), exist_ok=True)
    with open(os.path.join(ROOT, "audit", "table.csv"), "w") as f:
        f.write("x,y,colour,label\n")
        f.writelines(",".join(cell(v) for v in row) + "\n" for row in rows)

    g = Golden("audit/table.txt", f"numpy {np.__version__}, sklearn {sklearn.__version__}; std ddof=1, "
                                  "quartiles np.percentile linear, far outliers beyond 3 IQR")
    for j, name in enumerate(["x", "y"]):
        column = np.array([row[j] for row in rows], dtype=np.float64)
        g.value(f"{name}.missing", np.isnan(column).sum())
        v = column[~np.isnan(column)]
        q1, q3 = np.percentile(v, 25), np.percentile(v, 75)
        for stat, value in [("min", v.min()), ("max", v.max()), ("mean", v.mean()), ("std", v.std(ddof=1)),
                            ("median", np.median(v)), ("q1", q1), ("q3", q3),
                            ("far_outliers", ((v < q1 - 3 * (q3 - q1)) | (v > q3 + 3 * (q3 - q1))).sum())]:
            g.value(f"{name}.{stat}", value)
    labels = np.array([row[3] for row in rows])
    classes = np.unique(labels)
    import torch  # the golden writer takes tensors
    g.tensor("class_counts", torch.tensor([int((labels == c).sum()) for c in classes], dtype=torch.int64))
    g.tensor("class_weights", torch.tensor(compute_class_weight("balanced", classes=classes, y=labels), dtype=torch.float64))
    g.value("duplicates", len(rows) - len({tuple(cell(v) for v in row) for row in rows}))
    g.save()


def fashion_mnist(folder):
    import gzip

    def images(name):
        path = os.path.join(folder, name)
        raw = open(path, "rb").read() if os.path.exists(path) else gzip.open(path + ".gz").read()
        return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784)

    train, test = images("train-images-idx3-ubyte"), images("t10k-images-idx3-ubyte")
    train_keys, test_keys = [r.tobytes() for r in train], [r.tobytes() for r in test]
    print("train duplicates", len(train_keys) - len(set(train_keys)))
    print("test duplicates", len(test_keys) - len(set(test_keys)))
    print("test images also in train", sum(key in set(train_keys) for key in test_keys))
    pixels = (train.astype(np.float32) / np.float32(255)).astype(np.float64)
    print("train pixel mean", repr(pixels.mean()), "std", repr(pixels.std()))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fashion-mnist":
        fashion_mnist(sys.argv[2])
    else:
        main()
