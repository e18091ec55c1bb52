"""Benchmark LEXIMIN on HiGHS against the reference library's MAXIMIN.

Runs our LEXIMIN on the three public instances (read from
``../shared/sortition-instances`` or ``$PANELS_SHARED_DIR/sortition-instances``; never
copied into the repository) and on a generated co-production pool (500 people, 6
dimensions, k = 24). Where ``sortition-algorithms`` is installed (the optional
``bench`` extra), it also runs that library's MAXIMIN on HiGHS on the same instances,
each in a child process with a time limit, and prints wall time, minimum probability
and Gini for both and the time ratio.

Usage::

    python benchmarks/selection.py [--repeat 3] [--reference-timeout 600] [--no-reference]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from representativeness.selection import gini, quotas_from_shares, select_panel  # noqa: E402
from representativeness.selection.io import (  # noqa: E402
    PublicInstance,
    read_public_instance,
    shared_dir,
)
from representativeness.selection.synthetic import coproduction_pool  # noqa: E402

PUBLIC = ("example_small_20", "sortition_algorithms_fixture", "example_large_200")
TARGETS_S = {
    "example_small_20": 1.0,
    "sortition_algorithms_fixture": 1.0,
    "example_large_200": 30.0,
}


def coproduction_instance(n: int = 500, k: int = 24, seed: int = 2024) -> PublicInstance:
    """A synthetic co-production pool: who volunteers differs from the target shares."""
    pool, shares = coproduction_pool(n, seed)
    quotas = quotas_from_shares(shares, k, tolerance=1)
    return PublicInstance("coproduction_500", pool, quotas, k)


def run_ours(instance: PublicInstance) -> dict[str, float]:
    start = time.perf_counter()
    cpu_start = time.process_time()
    result = select_panel(instance.pool, instance.quotas, instance.k, seed=1)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu_start,
        "min": result.min_probability,
        "gini": result.gini,
        "types": result.stats.n_types,
        "iterations": result.stats.iterations,
        "rounds": result.stats.rounds,
    }


def _reference_worker(instance: PublicInstance, queue: mp.Queue) -> None:
    import logging
    import os

    # The reference library logs progress and HiGHS prints a banner: keep the table clean.
    logging.disable(logging.CRITICAL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    head = ["feature", "value", "min", "max"]
    body = [
        {"feature": d, "value": c, "min": str(lo), "max": str(hi)}
        for d, cats in instance.quotas.items()
        for c, (lo, hi) in cats.items()
    ]
    features, _, _ = read_in_features(head, body, instance.k)
    settings = Settings(id_column="id", columns_to_keep=[])
    rows = instance.pool.to_dict(orient="records")
    people, _ = read_in_people(list(instance.pool.columns), rows, features, settings)
    start = time.perf_counter()
    committees, probabilities, _ = find_distribution_maximin(
        features, people, instance.k, [], "highspy"
    )
    seconds = time.perf_counter() - start
    marginals = dict.fromkeys(instance.pool["id"], 0.0)
    for committee, p in zip(committees, probabilities, strict=True):
        for pid in committee:
            marginals[pid] += p
    values = list(marginals.values())
    queue.put({"seconds": seconds, "min": min(values), "gini": gini(values)})


def run_reference(instance: PublicInstance, timeout: float) -> dict[str, float] | None:
    """The reference MAXIMIN in a child process; None when it did not finish in time."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    process = ctx.Process(target=_reference_worker, args=(instance, queue))
    process.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:  # queue.Empty after the timeout
        return None
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of ours (median wall and CPU time)"
    )
    parser.add_argument("--reference-timeout", type=float, default=600.0)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument(
        "--only", nargs="*", default=None, help="instance names to run (default: all four)"
    )
    args = parser.parse_args()

    folder = shared_dir(REPO_ROOT) / "sortition-instances"
    if not folder.is_dir():
        sys.exit(f"the public instances are missing: expected {folder}")
    instances = [read_public_instance(folder / name) for name in PUBLIC]
    instances.append(coproduction_instance())
    if args.only:
        instances = [i for i in instances if i.name in args.only]

    try:
        import sortition_algorithms  # noqa: F401

        have_reference = not args.no_reference
        if have_reference:
            print(
                f"reference: sortition-algorithms {metadata.version('sortition-algorithms')}, "
                "MAXIMIN with solver_backend='highspy'"
            )
    except ImportError:
        have_reference = False
        print("sortition-algorithms is not installed (pip install .[bench]); ours only.")

    header = (
        f"{'instance':30} {'n':>5} {'k':>4} {'types':>5} | {'ours LEXIMIN s':>14} "
        f"{'cpu s':>6} {'min':>7} {'gini':>6} | {'ref MAXIMIN s':>13} {'min':>7} "
        f"{'gini':>6} | {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for instance in instances:
        runs = [run_ours(instance) for _ in range(args.repeat)]
        ours = runs[0] | {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
        }
        line = (
            f"{instance.name:30} {len(instance.pool):5d} {instance.k:4d} "
            f"{int(ours['types']):5d} | {ours['seconds']:14.3f} {ours['cpu']:6.3f} "
            f"{ours['min']:7.2%} {ours['gini']:6.1%} |"
        )
        if have_reference:
            ref = run_reference(instance, args.reference_timeout)
            if ref is None:
                limit = f"> {args.reference_timeout:.0f}"
                ratio = f"> {args.reference_timeout / ours['seconds']:.0f}"
                line += f" {limit:>13} {'-':>7} {'-':>6} | {ratio:>7}"
            else:
                line += (
                    f" {ref['seconds']:13.3f} {ref['min']:7.2%} {ref['gini']:6.1%} | "
                    f"{ref['seconds'] / ours['seconds']:7.1f}"
                )
        target = TARGETS_S.get(instance.name)
        if target is not None:
            line += f"  (target < {target:g} s: {'met' if ours['seconds'] < target else 'MISSED'})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
