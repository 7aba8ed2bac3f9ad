#!/usr/bin/python3
"""Writes the golden files of kiln.nn.metrics from scikit-learn (Debian python3-sklearn, 1.2.1).

Run from anywhere:  /usr/bin/python3 tools/reference/make_metric_goldens.py
Needs:  apt-get install -y python3-sklearn  (and python3-torch, whose golden writer this script reuses)
Output: nn/src/test/resources/golden/metrics/
    <case>.txt          "kiln golden v1" (see make_goldens.py): inputs and every metric scikit-learn gives
    <case>.report   classification_report(...) exactly as scikit-learn prints it (not .txt: GoldenTest
                    parses every .txt under golden/ as a kiln golden file)

Entries of a classification case (classes 0..k-1, always passed to scikit-learn as labels=range(k)):
    y_true, y_pred (i64 [n]), scores (f64 [n,k], probabilities unless the description says otherwise)
    accuracy, confusion (i64 [k,k]), precision/recall/f1/support (per class), <metric>.<average>
    fbeta<b>, fbeta<b>.<average>, top<j> (top-j accuracy), log_loss,
    roc_auc.<average> and ap.<average> (one-vs-rest on the one-hot truth; roc_auc absent when a class
    has no example, where scikit-learn raises)
Entries of a binary case: y_true, scores [n], roc.{fpr,tpr,thresholds} (every threshold),
    roc_dropped.{...} (drop_intermediate=True), roc_auc, pr.{precision,recall,thresholds}, ap, log_loss
    (when scores are probabilities). scikit-learn 1.2 writes the first ROC threshold as max(score) + 1.
Entries of a regression case: y_true, y_pred ([n] or [n,m]), mse, mae, rmse, r2, explained_variance
    (multioutput="uniform_average").
Every case is seeded, so the output is the same from run to run.
"""
import os
import sys

import numpy as np

try:
    import sklearn
    from sklearn import metrics
except ImportError:  # e.g. a python3 without scikit-learn first on PATH: retry with Debian's interpreter
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise SystemExit("make_metric_goldens.py needs scikit-learn: apt-get install -y python3-sklearn, then /usr/bin/python3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402  (the golden writer takes tensors)
from make_goldens import ROOT, Golden  # noqa: E402

AVERAGES = ("macro", "micro", "weighted")
FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def f64(a):
    return torch.from_numpy(np.array(a, dtype=np.float64))  # a copy: scikit-learn returns reversed views


def i64(a):
    return torch.from_numpy(np.array(a, dtype=np.int64))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def classification_case(name, description, y_true, scores, y_pred=None, names=None, probabilities=True, digits=None):
    """Every label metric of (y_true, y_pred) and every score metric of (y_true, scores) over k classes."""
    n, k = scores.shape
    labels = list(range(k))
    y_pred = scores.argmax(axis=1) if y_pred is None else y_pred
    g = Golden(f"metrics/{name}.txt", f"{description}; sklearn {sklearn.__version__}, labels=range({k})")
    g.tensor("y_true", i64(y_true))
    g.tensor("y_pred", i64(y_pred))
    g.tensor("scores", f64(scores))
    g.value("accuracy", metrics.accuracy_score(y_true, y_pred))
    g.tensor("confusion", i64(metrics.confusion_matrix(y_true, y_pred, labels=labels)))
    p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division="warn")
    for key, values in (("precision", p), ("recall", r), ("f1", f)):
        g.tensor(key, f64(values))
    g.tensor("support", i64(s))
    for average in AVERAGES:
        p, r, f, _ = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=average)
        g.value(f"precision.{average}", p)
        g.value(f"recall.{average}", r)
        g.value(f"f1.{average}", f)
    for beta in (0.5, 2.0):
        g.tensor(f"fbeta{beta}", f64(metrics.fbeta_score(y_true, y_pred, beta=beta, labels=labels, average=None)))
        for average in AVERAGES:
            g.value(f"fbeta{beta}.{average}", metrics.fbeta_score(y_true, y_pred, beta=beta, labels=labels, average=average))
    if k > 2:  # scikit-learn's top-k takes 1-D scores for two classes
        for j in (1, 2, 3, 5):
            if j < k:
                g.value(f"top{j}", metrics.top_k_accuracy_score(y_true, scores, k=j, labels=labels))
    if probabilities:
        g.value("log_loss", metrics.log_loss(y_true, scores, labels=labels))
    one_hot = np.eye(k, dtype=np.int64)[y_true]
    for average in AVERAGES:
        if average == "micro" or one_hot.sum(axis=0).min() > 0:
            g.value(f"roc_auc.{average}", metrics.roc_auc_score(one_hot, scores, average=average))
        g.value(f"ap.{average}", metrics.average_precision_score(one_hot, scores, average=average))
    g.save()
    report(name, y_true, y_pred, labels, names)
    if digits is not None:
        report(f"{name}.digits{digits}", y_true, y_pred, labels, names, digits)


def report(name, y_true, y_pred, labels, names, digits=2):
    text = metrics.classification_report(y_true, y_pred, labels=labels, target_names=names, digits=digits)
    with open(os.path.join(ROOT, "metrics", f"{name}.report"), "w") as out:
        out.write(text)


def binary_case(name, description, y_true, scores, probabilities=True):
    """Curves and areas of binary labels and one score per example."""
    g = Golden(f"metrics/{name}.txt", f"{description}; sklearn {sklearn.__version__}")
    g.tensor("y_true", i64(y_true))
    g.tensor("scores", f64(scores))
    for key, drop in (("roc", False), ("roc_dropped", True)):
        fpr, tpr, thresholds = metrics.roc_curve(y_true, scores, drop_intermediate=drop)
        g.tensor(f"{key}.fpr", f64(fpr))
        g.tensor(f"{key}.tpr", f64(tpr))
        g.tensor(f"{key}.thresholds", f64(thresholds))
    g.value("roc_auc", metrics.roc_auc_score(y_true, scores))
    precision, recall, thresholds = metrics.precision_recall_curve(y_true, scores)
    g.tensor("pr.precision", f64(precision))
    g.tensor("pr.recall", f64(recall))
    g.tensor("pr.thresholds", f64(thresholds))
    g.value("ap", metrics.average_precision_score(y_true, scores))
    if probabilities:
        g.value("log_loss", metrics.log_loss(y_true, scores, labels=[0, 1]))
    g.save()


def regression_case(name, description, y_true, y_pred):
    g = Golden(f"metrics/{name}.txt", f"{description}; sklearn {sklearn.__version__}, multioutput=uniform_average")
    g.tensor("y_true", f64(y_true))
    g.tensor("y_pred", f64(y_pred))
    g.value("mse", metrics.mean_squared_error(y_true, y_pred))
    g.value("mae", metrics.mean_absolute_error(y_true, y_pred))
    g.value("rmse", metrics.mean_squared_error(y_true, y_pred, squared=False))
    g.value("r2", metrics.r2_score(y_true, y_pred))
    g.value("explained_variance", metrics.explained_variance_score(y_true, y_pred))
    g.save()


def classification():
    rng = np.random.default_rng(4)
    # 10 classes, a classifier better than chance: logits nudged towards the true class
    y = rng.integers(0, 10, 500)
    scores = softmax(rng.normal(0, 1.5, (500, 10)) + 1.5 * np.eye(10)[y])
    classification_case("multiclass_k10", "k=10, n=500, softmax(N(0,1.5) + 1.5 onehot(y)), y_pred=argmax", y, scores, names=FASHION)

    # probabilities rounded to one decimal: ties within rows (top-k) and across rows (curves)
    y = rng.integers(0, 3, 60)
    scores = np.round(softmax(rng.normal(0, 1, (60, 3)) + np.eye(3)[y]), 1)
    classification_case("multiclass_k3_ties", "k=3, n=60, softmax(N(0,1) + onehot(y)) rounded to 1 decimal, y_pred=argmax (first max)",
                        y, scores, digits=4)

    # class 3 never occurs in the truth, class 2 is never predicted (its column stays below the others)
    y = rng.integers(0, 3, 40)
    logits = rng.normal(0, 1, (40, 4)) + 1.2 * np.eye(4)[y]
    logits[:, 2] -= 5
    scores = softmax(logits)
    classification_case("multiclass_k4_awkward", "k=4, n=40, truth in {0,1,2}, column 2 lowered by 5 so 2 is never predicted",
                        y, scores, names=["a", "bb", "never-predicted", "absent-from-truth"])

    # two classes given as [n, 2] probabilities
    y = rng.integers(0, 2, 100)
    p1 = 1 / (1 + np.exp(-(rng.normal(0, 1, 100) + 1.5 * (2 * y - 1))))
    classification_case("multiclass_k2", "k=2, n=100, columns [1-p, p], p = sigmoid(N(0,1) +- 1.5)", y, np.stack([1 - p1, p1], axis=1))

    y = rng.integers(0, 3, 30)
    classification_case("perfect_k3", "k=3, n=30, scores 0.8 on the true class and 0.1 elsewhere", y, 0.1 + 0.7 * np.eye(3)[y])
    classification_case("inverse_k3", "k=3, n=30, scores 0.8 on class (y+1) mod 3 and 0.1 elsewhere", y, 0.1 + 0.7 * np.eye(3)[(y + 1) % 3])


def binary():
    rng = np.random.default_rng(5)
    scores = np.round(rng.uniform(0, 1, 200), 2)  # 200 scores on 101 values: many ties
    y = (rng.uniform(0, 1, 200) < scores).astype(np.int64)
    binary_case("binary_ties", "n=200, scores uniform rounded to 2 decimals, P(y=1) = score", y, scores)

    scores = np.round(rng.uniform(0, 1, 1000) * 4) / 4  # five distinct scores
    y = (rng.uniform(0, 1, 1000) < 0.2 + 0.6 * scores).astype(np.int64)
    binary_case("binary_five_levels", "n=1000, scores in {0, .25, .5, .75, 1}, P(y=1) = 0.2 + 0.6 score", y, scores)

    y = np.array([0, 1, 1, 0, 0, 1, 0, 0, 1, 0])
    binary_case("binary_all_tied", "n=10, every score 0.3", y, np.full(10, 0.3))
    scores = rng.uniform(0, 1, 20)
    binary_case("binary_perfect", "n=20, positives are the 8 highest scores", (scores >= np.sort(scores)[12]).astype(np.int64), scores)
    binary_case("binary_inverse", "n=20, positives are the 8 lowest scores", (scores < np.sort(scores)[8]).astype(np.int64), scores)

    y = np.array([1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0])
    scores = np.array([0.0, -0.0, -0.0, 0.0, 2.5, -3.0, 1e300, -1e300, 5e-324, -1e-300, 1e-300, 0.0])
    binary_case("binary_signed_zero", "n=12, raw scores with -0.0 and 0.0 (one value), +-1e300, +-1e-300 and the smallest subnormal", y, scores, probabilities=False)


def regression():
    rng = np.random.default_rng(6)
    y = rng.normal(3, 2, 100)
    regression_case("regression_1d", "n=100, y ~ N(3,2), y_pred = y + N(0.5, 1)", y, y + rng.normal(0.5, 1, 100))
    y = rng.normal(0, 1, (50, 3)) * np.array([1.0, 10.0, 0.1])
    regression_case("regression_3out", "n=50, 3 outputs of scales 1, 10, 0.1, y_pred = y + N(0, 0.5) per output scale",
                    y, y + rng.normal(0, 0.5, (50, 3)) * np.array([1.0, 10.0, 0.1]))
    y = rng.normal(0, 1, 30)
    regression_case("regression_biased", "n=30, y_pred = y + 3 (explained variance 1, R2 < 1)", y, y + 3)
    regression_case("regression_constant_truth", "n=30, y = 2 everywhere, y_pred = 2 + N(0,1) (R2 and EV forced to 0)",
                    np.full(30, 2.0), 2 + rng.normal(0, 1, 30))
    regression_case("regression_constant_perfect", "n=30, y = y_pred = 2 everywhere (R2 and EV forced to 1)", np.full(30, 2.0), np.full(30, 2.0))


if __name__ == "__main__":
    os.makedirs(os.path.join(ROOT, "metrics"), exist_ok=True)
    classification()
    binary()
    regression()
    print("wrote", len(os.listdir(os.path.join(ROOT, "metrics"))), "files to", os.path.join(ROOT, "metrics"))
