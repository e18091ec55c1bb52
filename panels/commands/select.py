"""``panels select``: run a fair selection from CSV files (no Flask needed)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click
import numpy as np
import pandas as pd

from representativeness.selection import InfeasibleQuotasError, select_panel
from representativeness.selection.io import quotas_to_rows, read_pool_csv, read_quotas_csv
from representativeness.selection.legacy import LegacyFailure
from representativeness.selection.model import ALGORITHMS, SelectionResult
from representativeness.selection.select import SEED_BOUND

#: Exit statuses: click's own for bad input, ours for a draw that cannot be made.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INFEASIBLE = 3

T = TypeVar("T")


def _read(reader: Callable[[str], T], path: str, what: str, option: str, as_json: bool) -> T:
    """Read one input file; a bad one is a usage error that names the file and what is wrong."""
    try:
        return reader(path)
    except UnicodeDecodeError:
        message = f"the {what} file {path!r} is not UTF-8 text."
    except pd.errors.EmptyDataError:
        message = f"the {what} file {path!r} is empty; its first line must be a header."
    except pd.errors.ParserError as error:
        message = f"the {what} file {path!r} is not a valid CSV: {error}"
    except ValueError as error:
        message = str(error)
    if as_json:
        _fail(as_json, "invalid_input", message, EXIT_USAGE)
    raise click.BadParameter(message, param_hint=f"'{option}'")


def _fail(as_json: bool, error: str, explanation: str, status: int) -> NoReturn:
    """Report an error in the output's format and exit with `status`."""
    if as_json:
        click.echo(json.dumps({"error": error, "explanation": explanation}))
    else:
        click.echo(f"Error: {explanation}", err=True)
    sys.exit(status)


def _summary(result: SelectionResult) -> dict[str, object]:
    return {
        "panel": list(result.panel),
        "probabilities": dict(result.probabilities),
        "min_probability": result.min_probability,
        "mean_probability": result.mean_probability,
        "gini": result.gini,
        "geometric_mean": result.geometric_mean,
        "algorithm": result.algorithm,
        "seed": result.seed,
        "k": result.k,
        "panels_in_distribution": len(result.distribution),
        "complete": result.complete,
        "leximin_levels_fixed": result.leximin_levels_fixed,
        "seconds": result.stats.seconds,
        "columns_generated": result.stats.columns,
        "method": result.stats.method,
    }


def _print_text(result: SelectionResult) -> None:
    click.echo(f"Panel of {result.k} ({result.algorithm}, seed {result.seed}):")
    for pid in result.panel:
        click.echo(f"  {pid}  (probability {result.probabilities[pid]:.2%})")
    click.echo(
        f"Selection probabilities over {len(result.probabilities)} people: "
        f"minimum {result.min_probability:.2%}, mean {result.mean_probability:.2%}, "
        f"Gini {result.gini:.1%}, geometric mean {result.geometric_mean:.2%}."
    )
    click.echo(
        f"Lottery over {len(result.distribution)} panels, found in "
        f"{result.stats.seconds:.2f} s ({result.stats.iterations} iterations)."
    )
    if not result.complete:
        click.echo(
            f"The time limit stopped LEXIMIN after {result.leximin_levels_fixed} of its "
            "levels: everyone's chance is at least the fairest possible minimum (MAXIMIN), "
            "but the chances above it are not yet as even as LEXIMIN would make them."
        )


@click.command(name="select")
@click.option(
    "--pool",
    "pool_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="CSV with an id column and one column per quota dimension.",
)
@click.option(
    "--quotas",
    "quotas_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="CSV with the columns dimension,category,min,max.",
)
@click.option("--k", "k", required=True, type=click.IntRange(min=1), help="Panel size.")
@click.option(
    "--algorithm",
    type=click.Choice(ALGORITHMS),
    default="leximin",
    show_default=True,
    help="Selection algorithm.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, SEED_BOUND),
    default=None,
    help="Draw seed (replays a recorded draw); random when omitted.",
)
@click.option(
    "--household-column",
    default=None,
    help="Pool column naming households; at most one person per household.",
)
@click.option("--id-column", default="id", show_default=True, help="Pool id column.")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Seconds LEXIMIN may take after its first round; then the draw is MAXIMIN-optimal "
    "and marked as such.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def select_command(
    pool_path: str,
    quotas_path: str,
    k: int,
    algorithm: str,
    seed: int | None,
    household_column: str | None,
    id_column: str,
    time_limit: float | None,
    as_json: bool,
) -> None:
    """Select a panel of K people from POOL meeting QUOTAS, by a fair lottery.

    Prints the panel and a summary of everyone's selection probability. Exit status:
    0 on success; 2 for bad input (a sentence names the file or value and what is
    wrong); 3 when no panel meets the quotas (with an explanation and the smallest
    relaxation, as rows of a quotas file); 1 when the legacy algorithm fails.
    """
    pool = _read(
        lambda path: read_pool_csv(path, id_column=id_column), pool_path, "pool", "--pool", as_json
    )
    quotas = _read(read_quotas_csv, quotas_path, "quotas", "--quotas", as_json)
    try:
        # Without --seed the draw seed comes from operating-system entropy and is printed.
        rng = np.random.default_rng() if seed is None else None
        result = select_panel(
            pool,
            quotas,
            k,
            rng=rng,
            seed=seed,
            algorithm=algorithm,
            id_column=id_column,
            household_column=household_column,
            time_limit=time_limit,
        )
    except InfeasibleQuotasError as error:
        report = error.report
        suggested = quotas_to_rows(report.suggested_quotas) if report.suggested_quotas else None
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "error": "infeasible_quotas",
                        "explanation": report.explanation,
                        "reasons": list(report.reasons),
                        "suggested_quotas": suggested,
                    }
                )
            )
        else:
            click.echo("No panel can meet these quotas.", err=True)
            click.echo(report.explanation, err=True)
            if suggested:
                click.echo("Suggested quotas (dimension,category,min,max):", err=True)
                for row in suggested:
                    click.echo(
                        f"{row['dimension']},{row['category']},{row['min']},{row['max']}",
                        err=True,
                    )
        sys.exit(EXIT_INFEASIBLE)
    except LegacyFailure as error:
        _fail(as_json, "legacy_failed", str(error), EXIT_FAILED)
    except ValueError as error:
        # The pool and quotas do not fit together (a quota dimension the pool lacks, K too large).
        if as_json:
            _fail(as_json, "invalid_input", str(error), EXIT_USAGE)
        raise click.UsageError(str(error)) from error
    if as_json:
        click.echo(json.dumps(_summary(result)))
    else:
        _print_text(result)
