"""Benchmark of representativeness.gap_analysis (run from the repo root: python benchmarks/gap.py).

1. One 30-person panel over 19 ethnic groups with method="auto" (target: under 20 ms).
2. 1,000 panels x 6 dimensions with method="auto" (target: under 2 s), for panels
   of 12 and of 30 people.

Panels are drawn at random (seeded) from the target shares, which is the hard
case for the exact p-value (observed statistics near the middle of the null
distribution). The 19 ethnic-group shares are Census 2021 England and Wales
percentages (rounded, as published by ONS); the 6 dimensions are the built-in
England and Wales and England examples.

Wall-clock and CPU times are both printed: on a shared machine the CPU time
(time.process_time) is the steadier figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

# Measure one core: no BLAS worker threads (they would also inflate CPU time).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from representativeness import builtin_target, gap_analysis  # noqa: E402
from representativeness._exact import clear_caches  # noqa: E402

ETHNIC_GROUP_19 = {
    "White: English, Welsh, Scottish, Northern Irish or British": 74.4,
    "White: Irish": 0.9,
    "White: Gypsy or Irish Traveller": 0.1,
    "White: Roma": 0.2,
    "White: Other White": 6.2,
    "Mixed: White and Black Caribbean": 0.9,
    "Mixed: White and Black African": 0.4,
    "Mixed: White and Asian": 0.8,
    "Mixed: Other Mixed": 0.8,
    "Asian: Indian": 3.1,
    "Asian: Pakistani": 2.7,
    "Asian: Bangladeshi": 1.1,
    "Asian: Chinese": 0.7,
    "Asian: Other Asian": 1.6,
    "Black: African": 2.5,
    "Black: Caribbean": 1.0,
    "Black: Other Black": 0.5,
    "Other: Arab": 0.6,
    "Other: Any other ethnic group": 1.6,
}


def six_dimensions() -> dict[str, dict[str, float]]:
    ew = builtin_target("england-and-wales")
    ew = ew.drop_categories("religion", ["Not answered"])
    ew = ew.drop_categories("sexual_orientation_16plus", ["Not answered"])
    ew = ew.drop_categories("age_band", ["0-14", "15-19"])
    dims = {d: ew.shares(d) for d in ew.dimension_names}
    dims["unpaid_care_5plus"] = builtin_target("england").shares("unpaid_care_5plus")
    return dims


def draw(rng: np.random.Generator, shares: dict[str, float], size: int) -> dict[str, int]:
    p = np.fromiter(shares.values(), float)
    return dict(zip(shares, rng.multinomial(size, p / p.sum()).tolist(), strict=True))


def one_panel() -> None:
    rng = np.random.default_rng(2021)
    panels = [draw(rng, ETHNIC_GROUP_19, 30) for _ in range(50)]
    clear_caches()
    t0 = time.perf_counter()
    first = gap_analysis(panels[0], ETHNIC_GROUP_19)
    cold = time.perf_counter() - t0
    times, cpu, methods = [], [], set()
    for panel in panels:
        t0, c0 = time.perf_counter(), time.process_time()
        result = gap_analysis(panel, ETHNIC_GROUP_19)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        methods.add(result.method)
    print("1. One 30-person panel, 19 categories, method='auto' (target < 20 ms)")
    print(f"   first call (cold caches): {cold * 1e3:7.2f} ms  (method {first.method})")
    for label, values in (("wall", times), ("CPU ", cpu)):
        print(
            f"   50 random panels, {label}: median {statistics.median(values) * 1e3:7.2f} ms, "
            f"90th percentile {np.percentile(values, 90) * 1e3:7.2f} ms, "
            f"max {max(values) * 1e3:7.2f} ms"
        )
    print(f"   methods used: {', '.join(sorted(methods))}")


def many_panels(size: int, n_panels: int = 1_000) -> None:
    dims = six_dimensions()
    rng = np.random.default_rng(size)
    panels = [{d: draw(rng, shares, size) for d, shares in dims.items()} for _ in range(n_panels)]
    clear_caches()
    per_dim = dict.fromkeys(dims, 0.0)
    methods: dict[str, set[str]] = {d: set() for d in dims}
    t0, c0 = time.perf_counter(), time.process_time()
    for panel in panels:
        for d, shares in dims.items():
            t1 = time.perf_counter()
            result = gap_analysis(panel[d], shares)
            per_dim[d] += time.perf_counter() - t1
            methods[d].add(result.method)
    total = time.perf_counter() - t0
    total_cpu = time.process_time() - c0
    print(
        f"2. {n_panels:,} panels of {size} people x {len(dims)} dimensions, method='auto' "
        f"(target < 2 s): wall {total:5.2f} s, CPU {total_cpu:5.2f} s "
        f"({total / (n_panels * len(dims)) * 1e3:.3f} ms per analysis, cold caches included)"
    )
    for d in dims:
        print(
            f"   {d:<26} {len(dims[d]):>2} categories  {per_dim[d]:6.2f} s  "
            f"({', '.join(sorted(methods[d]))})"
        )


if __name__ == "__main__":
    one_panel()
    many_panels(12)
    many_panels(30)
