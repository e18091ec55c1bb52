"""Benchmark LEXIMIN on HiGHS against the reference library's MAXIMIN.

Runs our LEXIMIN on the three public instances (read from
``../shared/sortition-instances`` or ``$PANELS_SHARED_DIR/sortition-instances``; never
copied into the repository) and on a generated co-production pool (500 people, 6
dimensions, k = 24). Where ``sortition-algorithms`` is installed (the optional
``bench`` extra), it also runs that library's MAXIMIN on HiGHS on the same instances,
each in a child process with a time limit, and prints wall time, minimum probability
and Gini for both and the time ratio.

With ``--scale`` it runs register-scale pools instead: synthetic co-production pools
of 2,000, 5,000 and 20,000 people (6 dimensions, quotas from the target shares with
tolerance 1, k = 24 or 30) for several seeds, each run of ours in a child process
that reports wall and CPU time, LEXIMIN rounds, minimum probability, Gini and its peak
resident memory (with ``--trace-memory``, also the peak of the selection's own Python
and numpy allocations, from one more run under tracemalloc). The reference MAXIMIN gets
``--reference-factor`` times our time (at most ``--reference-timeout`` seconds):
when it does not finish, the ratio is shown as "> factor". The "via" column says
whether LEXIMIN came from the relaxation or from column generation; with
``--column-generation`` the engine before 0.2.0 (column generation alone, in a child
process with a timeout) runs too, for the speed-up. ``--households 0.05 --confirmed 2``
puts that share of people in two-person households and confirms people in advance (as
the tests' register pools do); the reference is not run on those.

Usage::

    python benchmarks/selection.py [--repeat 3] [--reference-timeout 600] [--no-reference]
    python benchmarks/selection.py --scale [--sizes 2000 5000 20000] [--seeds 7 8 9]
        [--reference-factor 10] [--reference-timeout 600] [--time-limit SECONDS]
        [--column-generation [--column-generation-timeout 300]] [--trace-memory]
        [--households SHARE] [--confirmed N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from dataclasses import dataclass
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
from representativeness.selection.synthetic import (  # noqa: E402
    coproduction_pool,
    register_pool,
)

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


@dataclass(frozen=True)
class RegisterInstance(PublicInstance):
    """A generated register with households and people confirmed in advance."""

    household_column: str | None = None
    must_include: tuple[str, ...] = ()


REGISTER_K = {2000: 24, 5000: 30, 20000: 30}
REGISTER_TARGETS_S = {2000: 3.0, 5000: 10.0, 20000: 30.0}


def register_instance(
    n: int, seed: int, household_share: float = 0.0, n_confirmed: int = 0
) -> PublicInstance:
    """A register-scale synthetic pool, as in issue 11 (k = 24 up to 2,000, else 30).

    With ``household_share``, that share of the people live in two-person households,
    and ``n_confirmed`` people are confirmed in advance, as in a replacement draw.
    """
    k = REGISTER_K.get(n, 30)
    if not household_share and not n_confirmed:
        pool, shares = coproduction_pool(n, seed)
        quotas = quotas_from_shares(shares, k, tolerance=1)
        return PublicInstance(f"register_{n}_seed{seed}", pool, quotas, k)
    pool, quotas, confirmed = register_pool(
        n, k, seed, household_share=household_share, n_confirmed=n_confirmed
    )
    name = f"register_{n}_seed{seed}_hh"
    return RegisterInstance(name, pool, quotas, k, "household", confirmed)


def run_ours(
    instance: PublicInstance, time_limit: float | None = None, relaxation: bool = True
) -> dict[str, float]:
    start = time.perf_counter()
    cpu_start = time.process_time()
    options = {}
    if isinstance(instance, RegisterInstance):
        options = {
            "household_column": instance.household_column,
            "must_include": instance.must_include,
        }
    result = select_panel(
        instance.pool,
        instance.quotas,
        instance.k,
        seed=1,
        time_limit=time_limit,
        relaxation=relaxation,
        **options,
    )
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu_start,
        "min": result.min_probability,
        "gini": result.gini,
        "types": result.stats.n_types,
        "iterations": result.stats.iterations,
        "rounds": result.stats.rounds,
        "complete": float(result.complete),
        "relaxation": float(result.stats.method == "relaxation"),
    }


def _ours_worker(
    instance: PublicInstance,
    time_limit: float | None,
    trace: bool,
    relaxation: bool,
    queue: mp.Queue,
) -> None:
    import resource
    import tracemalloc

    # tracemalloc sees the Python and numpy allocations of the selection (not HiGHS's
    # own) but slows it down, so it runs only when asked, and then its times are not
    # used; ru_maxrss (KiB on Linux) is the whole process's peak, HiGHS included.
    if trace:
        tracemalloc.start()
    figures = run_ours(instance, time_limit, relaxation)
    peak = tracemalloc.get_traced_memory()[1] if trace else float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(figures | {"peak_mib": peak / 2**20, "rss_mib": rss / 1024})


def run_ours_isolated(
    instance: PublicInstance,
    time_limit: float | None,
    trace: bool = False,
    relaxation: bool = True,
    timeout: float | None = None,
) -> dict[str, float] | None:
    """One run of ours in a fresh child process, to measure its peak memory.

    None when it did not finish within ``timeout`` seconds.
    """
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    process = ctx.Process(
        target=_ours_worker, args=(instance, time_limit, trace, relaxation, queue)
    )
    process.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:  # queue.Empty after the timeout
        return None
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def _finished(figures: dict[str, float] | None) -> dict[str, float]:
    if figures is None:
        raise RuntimeError("a run of ours without a time limit did not finish")
    return figures


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


def _have_reference(disabled: bool) -> bool:
    try:
        import sortition_algorithms  # noqa: F401
    except ImportError:
        print("sortition-algorithms is not installed (pip install .[bench]); ours only.")
        return False
    if not disabled:
        print(
            f"reference: sortition-algorithms {metadata.version('sortition-algorithms')}, "
            "MAXIMIN with solver_backend='highspy'"
        )
    return not disabled


def _not_finished(limit: float, ours: float) -> tuple[tuple[str, str], float]:
    """Cells for a run that did not finish in ``limit`` s, and its ratio (negative)."""
    return (f"> {limit:.0f}", f"> {limit / ours:.0f}"), -limit / ours


def main_scale(args: argparse.Namespace) -> None:
    """Register-scale pools: ours in child processes, the reference with a time limit."""
    have_reference = _have_reference(args.no_reference)
    header = (
        f"{'instance':24} {'k':>3} {'types':>5} | {'wall s':>7} {'cpu s':>7} {'rounds':>6} "
        f"{'done':>4} {'via':>5} {'min':>7} {'gini':>6} {'peak MiB':>8} {'rss MiB':>7} | "
        f"{'ref s':>8} {'ref min':>7} | {'ratio':>6}"
    )
    if args.column_generation:
        header += f" | {'colgen s':>8} {'speed-up':>8}"
    print(header)
    print("-" * len(header))
    summary: dict[int, list[dict[str, float]]] = {}
    for n in args.sizes:
        for seed in args.seeds:
            instance = register_instance(n, seed, args.households, args.confirmed)
            runs = [
                _finished(run_ours_isolated(instance, args.time_limit)) for _ in range(args.repeat)
            ]
            ours = (
                runs[0]
                | {"peak_mib": float("nan")}
                | {
                    key: statistics.median(r[key] for r in runs)
                    for key in ("seconds", "cpu", "rss_mib")
                }
            )
            if args.trace_memory:
                traced = _finished(run_ours_isolated(instance, args.time_limit, trace=True))
                ours["peak_mib"] = traced["peak_mib"]
            line = (
                f"{instance.name:24} {instance.k:3d} {int(ours['types']):5d} | "
                f"{ours['seconds']:7.2f} {ours['cpu']:7.2f} {int(ours['rounds']):6d} "
                f"{'yes' if ours['complete'] else 'no':>4} "
                f"{'relax' if ours['relaxation'] else 'cg':>5} {ours['min']:7.3%} "
                f"{ours['gini']:6.1%} {ours['peak_mib']:8.1f} {ours['rss_mib']:7.0f} |"
            )
            ratio = float("nan")
            # the reference is run on the pools of issue 11, without households
            if have_reference and not isinstance(instance, RegisterInstance):
                limit = min(args.reference_timeout, args.reference_factor * ours["seconds"])
                ref = run_reference(instance, limit)
                if ref is None:
                    shown, ratio = _not_finished(limit, ours["seconds"])
                    line += f" {shown[0]:>8} {'-':>7} | {shown[1]:>6}"
                else:
                    ratio = ref["seconds"] / ours["seconds"]
                    line += f" {ref['seconds']:8.2f} {ref['min']:7.3%} | {ratio:6.1f}"
            else:
                line += f" {'-':>8} {'-':>7} | {'-':>6}"
            speedup = float("nan")
            if args.column_generation:
                # the engine before 0.2.0: column generation over panels only
                cg = run_ours_isolated(
                    instance, None, relaxation=False, timeout=args.column_generation_timeout
                )
                if cg is None:
                    shown, speedup = _not_finished(args.column_generation_timeout, ours["seconds"])
                    line += f" | {shown[0]:>8} {shown[1]:>8}"
                else:
                    speedup = cg["seconds"] / ours["seconds"]
                    line += f" | {cg['seconds']:8.2f} {speedup:8.1f}"
            target = REGISTER_TARGETS_S.get(n)
            if target is not None:
                line += (
                    f"  (target < {target:g} s: {'met' if ours['seconds'] < target else 'MISSED'})"
                )
            print(line, flush=True)
            summary.setdefault(n, []).append(ours | {"ratio": ratio, "speedup": speedup})
    print(
        "\nmedians over seeds (a negative ratio -r means the reference, or column generation,"
        " did not finish in r x ours)"
    )
    for n, rows in summary.items():
        med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        print(
            f"n={n:6d} types={med['types']:.0f} wall={med['seconds']:.2f}s cpu={med['cpu']:.2f}s "
            f"rounds={med['rounds']:.0f} min={med['min']:.4%} gini={med['gini']:.1%} "
            f"peak={med['peak_mib']:.1f}MiB rss={med['rss_mib']:.0f}MiB ratio={med['ratio']:.1f} "
            f"speed-up over column generation={med['speedup']:.1f}"
        )


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
    parser.add_argument("--scale", action="store_true", help="register-scale pools instead")
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 20000])
    parser.add_argument("--seeds", type=int, nargs="*", default=[7, 8, 9])
    parser.add_argument(
        "--reference-factor",
        type=float,
        default=10.0,
        help="with --scale, the reference gets this many times our time",
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="with --scale, select_panel(time_limit=)"
    )
    parser.add_argument(
        "--households",
        type=float,
        default=0.0,
        help="with --scale, the share of people in two-person households (no reference then)",
    )
    parser.add_argument(
        "--confirmed",
        type=int,
        default=0,
        help="with --scale, people confirmed in advance, as in a replacement draw",
    )
    parser.add_argument(
        "--column-generation",
        action="store_true",
        help="with --scale, also time column generation alone (the engine before 0.2.0)",
    )
    parser.add_argument(
        "--column-generation-timeout",
        type=float,
        default=300.0,
        help="seconds given to each column generation run",
    )
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="with --scale, one more run per pool under tracemalloc for the peak MiB column",
    )
    args = parser.parse_args()
    if args.scale:
        if args.repeat == 3 and "--repeat" not in sys.argv:
            args.repeat = 1
        main_scale(args)
        return

    folder = shared_dir(REPO_ROOT) / "sortition-instances"
    if not folder.is_dir():
        sys.exit(f"the public instances are missing: expected {folder}")
    instances = [read_public_instance(folder / name) for name in PUBLIC]
    instances.append(coproduction_instance())
    if args.only:
        instances = [i for i in instances if i.name in args.only]

    have_reference = _have_reference(args.no_reference)

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
