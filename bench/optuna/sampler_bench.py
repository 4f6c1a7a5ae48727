"""Optuna 5.0.0's TPESampler on the problems of dev.arbiter.bench.study.SamplerBench, printing the same CSV lines.

  python3 sampler_bench.py speed   [--trials 2000] [--dims 4,16] [--modes univariate,multivariate]
  python3 sampler_bench.py quality [--seeds 30]

speed:   sphere over d float parameters in [-5, 5], one sequential study per (d, mode), seed 0; prints the mean
         time of study.ask() (the sampler's work for every parameter of the trial) over each block of 100 asks
         ending at 1,000, 2,000, ... trials.
quality: TPESampler(seed=s) with Optuna's defaults (multivariate for one objective) on Branin, Hartmann-6 and
         Rosenbrock-4D, seeds 0..n-1; prints the median and quartiles of the best value after 100 and 200 trials.
"""
import argparse
import math
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

HARTMANN_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
                       [17, 8, 0.05, 10, 0.1, 14]])
HARTMANN_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def branin(p):
    x, y = p["x0"], p["x1"]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def hartmann6(p):
    x = np.array([p[f"x{i}"] for i in range(6)])
    return float(-np.sum(HARTMANN_ALPHA * np.exp(-np.sum(HARTMANN_A * (x - HARTMANN_P) ** 2, axis=1))))


def rosenbrock4(p):
    x = [p[f"x{i}"] for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


PROBLEMS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)]),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6),
    "rosenbrock4": (rosenbrock4, [(-2.048, 2.048)] * 4),
}


def space(bounds):
    return {f"x{i}": optuna.distributions.FloatDistribution(lo, hi) for i, (lo, hi) in enumerate(bounds)}


def speed(trials, dims, modes):
    for d in dims:
        for mode in modes:
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0, multivariate=(mode == "multivariate")))
            dist = space([(-5.0, 5.0)] * d)
            block = 0.0
            for n in range(1, trials + 1):
                t0 = time.perf_counter()
                trial = study.ask(dist)
                block += time.perf_counter() - t0
                study.tell(trial, sum((v - 1.5) ** 2 for v in trial.params.values()))
                if n % 100 == 0:
                    if n % 1000 == 0:
                        print(f"speed,optuna,{d},{mode},{n},{block / 100 * 1e3:.4f}", flush=True)
                    block = 0.0


def quality(seeds):
    for name, (f, bounds) in PROBLEMS.items():
        dist = space(bounds)
        best = {100: [], 200: []}
        for seed in range(seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            b = math.inf
            for n in range(1, 201):
                trial = study.ask(dist)
                v = f(trial.params)
                study.tell(trial, v)
                b = min(b, v)
                if n in best:
                    best[n].append(b)
        for n, values in best.items():
            q1, med, q3 = np.percentile(values, [25, 50, 75])
            print(f"quality,optuna,{name},{n},{med:.6g},{q1:.6g},{q3:.6g}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["speed", "quality"])
    ap.add_argument("--trials", type=int, default=2000)
    ap.add_argument("--dims", default="4,16")
    ap.add_argument("--modes", default="univariate,multivariate")
    ap.add_argument("--seeds", type=int, default=30)
    a = ap.parse_args()
    if a.what == "speed":
        speed(a.trials, [int(x) for x in a.dims.split(",")], a.modes.split(","))
    else:
        quality(a.seeds)
