#!/usr/bin/env python3
"""Writes customers.csv: a made-up table of telecom customers and whether they left (churned).

It is messy on purpose, the way real exports are, so that `kiln data inspect` has something to find
and `kiln train --dataset csv:...` something to prepare:
  - customer_id is an identifier (every value distinct), useless as a feature;
  - age and monthly_income miss some values; a few ages are typed as 999;
  - region misses some values; plan is a category; country is the same everywhere;
  - about 2% of the rows are exported twice;
  - churned is imbalanced (about one customer in five says "yes").
Churn is drawn from a logistic model of tenure, support calls, plan, contract and income, so a
model can learn it, but not perfectly.

Run: python3 examples/make_customers.py   (numpy only; seeded, so the file is the same every time)
"""
import csv
import os

import numpy as np

rng = np.random.default_rng(20261121)
n = 2000

age = rng.normal(42, 12, n).clip(18, 90).round()
tenure = rng.gamma(2.0, 14.0, n).clip(1, 120).round()
calls = rng.poisson(1.5, n)
plan = rng.choice(["basic", "standard", "premium"], n, p=[0.5, 0.35, 0.15])
contract = rng.choice(["monthly", "yearly", "two-year"], n, p=[0.55, 0.3, 0.15])
region = rng.choice(["north", "south", "east", "west"], n)
income = np.exp(rng.normal(8.0, 0.45, n)).round(-1)

logit = (-2.1 - 0.045 * tenure + 0.75 * calls
         + np.select([plan == "basic", plan == "premium"], [0.5, -0.6], 0.0)
         + np.select([contract == "monthly", contract == "two-year"], [1.0, -1.4], 0.0)
         - 0.00012 * (income - 3000))
churned = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")

rows = []
for i in range(n):
    rows.append([
        f"C{10000 + i}",
        "" if rng.random() < 0.04 else ("999" if rng.random() < 0.004 else str(int(age[i]))),
        str(int(tenure[i])),
        str(int(calls[i])),
        plan[i],
        contract[i],
        "" if rng.random() < 0.06 else region[i],
        "NA" if rng.random() < 0.05 else str(int(income[i])),
        "NL",
        churned[i],
    ])
for i in sorted(rng.choice(n, size=n // 50, replace=False), reverse=True):
    rows.insert(i + 1, list(rows[i]))   # exported twice, next to the original

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "customers.csv")
with open(path, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["customer_id", "age", "tenure_months", "support_calls", "plan", "contract", "region",
                "monthly_income", "country", "churned"])
    w.writerows(rows)
print(f"wrote {path}: {len(rows)} rows, {sum(r[-1] == 'yes' for r in rows)} churned")
