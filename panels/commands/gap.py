"""``panels gap``: how far a group of people is from a target population.

A plain :class:`click.Command` (it does not import Flask), registered in the
Flask CLI group by the application.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
import numpy as np

from representativeness.gap import (
    DEFAULT_UNKNOWN_VALUES,
    METHODS,
    GapAnalysis,
    GapReport,
    gap_report_from_counts,
)
from representativeness.io import read_observed_csv, read_target_csv
from representativeness.target import BUILTIN_TARGETS, TargetPopulation, builtin_target

HELP = f"""Compare a group of people with a target population, one dimension at a time.

\b
--observed FILE, either of:
  * a CSV of people: one row per person, one column per dimension, the column
    named as the target dimension (e.g. ethnicity_5, sex); other columns are
    ignored. Blank cells and answers such as "Prefer not to say", "Not answered"
    or "Unknown" count as unknown: reported, but left out of the test.
  * a counts CSV with header dimension,category,count: people per category;
    a blank or "Prefer not to say" category holds the unknown count.

\b
--target FILE, either of:
  * a tidy CSV with header dimension,category,value,unit,source
    (unit percent, proportion or people);
  * a CSV from ONS "Create a custom dataset" (Census 2021), with columns
    <Area type> Code,<Area type>,<Variable> Code,<Variable>,Observation;
    choose the area with --area CODE-or-NAME; the variable name is the
    dimension name ("Does not apply" rows are dropped);
  * a built-in example: {", ".join(BUILTIN_TARGETS)}.

For each dimension it prints people per category against the target share, the
seat quotas (min_seats = floor(n p), max_seats = ceil(n p)), shortfalls and
Pearson's X² test (exact p-value for small expected counts). A small panel
rarely shows a significant difference: read the seat quotas, not the p-value.
Use --json for the same fields as JSON (non-finite numbers as null).

Exit status: 0 on success; 2 for bad input (a missing or unreadable file, a
file whose contents are wrong, an unknown dimension or category), with a
sentence that names the file or value and what is wrong.
"""


def _load_target(spec: str, area: str | None) -> TargetPopulation:
    """A target from a file, or a built-in target by name."""
    if not Path(spec).exists() and spec in BUILTIN_TARGETS:
        if area is not None:
            raise click.BadParameter(
                f"{area!r}: an area applies only to an ONS custom-dataset target, and "
                f"{spec!r} is a built-in target.",
                param_hint="'--area'",
            )
        return builtin_target(spec)
    if not Path(spec).exists():
        raise click.BadParameter(
            f"the target file {spec!r} does not exist; give a tidy or ONS custom-dataset CSV, "
            f"or a built-in target: {', '.join(BUILTIN_TARGETS)}.",
            param_hint="'--target'",
        )
    try:
        return read_target_csv(spec, area)
    except (ValueError, KeyError) as error:
        raise click.BadParameter(_message(error), param_hint="'--target'") from None


def _message(error: Exception) -> str:
    # A KeyError's str() is the repr of its message; the message itself is its first argument.
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _as_json(report: GapReport, target: TargetPopulation) -> str:
    dimensions = {}
    for name, analysis in report.analyses.items():
        fields = asdict(analysis)
        fields.update(
            testable=analysis.testable,
            significant=analysis.significant if analysis.testable else None,
            shortfall=analysis.shortfall,
            excess=analysis.excess,
            within_quotas=analysis.within_quotas,
            coverage=asdict(report.coverage[name]),
        )
        dimensions[name] = fields
    document = {
        "target": {
            "name": target.name,
            "source": target.source,
            "date": target.date,
            "reports": list(target.reports),
        },
        "notes": list(report.notes),
        "dimensions": dimensions,
    }
    return json.dumps(_finite(document), indent=2, allow_nan=False)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _num(x: float, digits: int = 2) -> str:
    return "inf" if x == math.inf else "-" if math.isnan(x) else f"{x:.{digits}f}"


def _format_pvalue(p: float) -> str:
    if math.isnan(p):
        return "-"
    return "< 0.0001" if 0 < p < 1e-4 else f"{p:.4f}"


def _as_table(name: str, analysis: GapAnalysis, report: GapReport) -> str:
    cov = report.coverage[name]
    lines = [
        f"{name}: {cov.answered} of {cov.total} people answered ({cov.unknown} unknown)",
    ]
    head = (
        "category",
        "observed",
        "expected",
        "share",
        "target",
        "adj. resid.",
        "seats",
        "short",
        "excess",
        "status",
    )
    body = [
        (
            c.category,
            str(c.observed),
            _num(c.expected),
            _pct(c.share),
            _pct(c.target_share),
            _num(c.adjusted_residual),
            f"{c.min_seats}-{c.max_seats}" if c.min_seats != c.max_seats else str(c.min_seats),
            str(c.shortfall),
            str(c.excess),
            c.status,
        )
        for c in analysis.categories
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    for row in [head, *body]:
        cells = [row[0].ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  " + "  ".join(cells))
    if analysis.testable:
        lines.append(
            f"  X² = {_num(analysis.statistic)}, dof {analysis.dof}, "
            f"p = {_format_pvalue(analysis.pvalue)} ({analysis.method}"
            + (f", {analysis.n_resamples:,} resamples" if analysis.n_resamples else "")
            + f"); Cohen's w {_num(analysis.effect_size)}; "
            f"dissimilarity {_pct(analysis.dissimilarity)}"
        )
        short = [c for c in analysis.categories if c.shortfall]
        if short:
            lines.append(
                "  Short: "
                + "; ".join(
                    f"{c.category} needs {c.shortfall} more to reach {c.min_seats}" for c in short
                )
            )
        over = [c for c in analysis.categories if c.excess]
        if over:
            lines.append(
                "  Over: "
                + "; ".join(f"{c.category} has {c.excess} above {c.max_seats}" for c in over)
            )
        if analysis.within_quotas:
            lines.append("  Every category is within its seat quota.")
        if analysis.significant:
            lines.append(f"  The difference is significant at alpha {analysis.alpha:g}.")
        else:
            lines.append(
                f"  Not significant at alpha {analysis.alpha:g}; with {analysis.n} people the "
                "test has little power, so read the seat quotas, not the p-value."
            )
    lines.extend(f"  Note: {note}" for note in analysis.notes)
    return "\n".join(lines)


@click.command("gap", help=HELP)
@click.option(
    "--observed",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="CSV of people (one column per dimension) or dimension,category,count.",
)
@click.option(
    "--target",
    "target_spec",
    required=True,
    metavar="FILE",
    help="Tidy CSV, ONS custom-dataset CSV, or a built-in target name.",
)
@click.option("--area", default=None, help="Area code or name in an ONS custom-dataset target.")
@click.option(
    "--dimension",
    "dimensions",
    multiple=True,
    metavar="D",
    help="Dimension to analyse (repeatable); default: all in both files.",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="auto",
    show_default=True,
    help="How to compute the p-value.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="Significance level.",
)
@click.option("--seed", type=int, default=None, help="Seed for Monte Carlo p-values.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def gap_command(
    observed: str,
    target_spec: str,
    area: str | None,
    dimensions: tuple[str, ...],
    method: str,
    alpha: float,
    seed: int | None,
    as_json: bool,
) -> None:
    target = _load_target(target_spec, area)
    try:
        tallies = read_observed_csv(observed).counts
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--observed'") from None
    if dimensions:
        chosen = list(dimensions)
        for d in chosen:
            try:
                target.dimension(d)
            except KeyError as error:
                raise click.BadParameter(
                    f"{_message(error)}.", param_hint="'--dimension'"
                ) from None
            if d not in tallies:
                raise click.BadParameter(
                    f"dimension {d!r} is not in the observed file {observed!r}; "
                    f"it has: {', '.join(tallies) or 'nothing'}.",
                    param_hint="'--dimension'",
                )
    else:
        chosen = [d for d in target.dimension_names if d in tallies]
        if not chosen:
            raise click.BadParameter(
                f"the observed file {observed!r} shares no dimension with the target; "
                f"observed columns are: {', '.join(tallies) or 'none'}; target dimensions "
                f"are: {', '.join(target.dimension_names)}.",
                param_hint="'--observed'",
            )
    rng = np.random.default_rng(seed) if seed is not None else None
    try:
        report = gap_report_from_counts(
            tallies,
            target,
            chosen,
            unknown_values=DEFAULT_UNKNOWN_VALUES,
            method=method,
            alpha=alpha,
            rng=rng,
        )
    except (ValueError, KeyError) as error:
        # The observed answers do not fit the target (a category it does not have).
        raise click.BadParameter(_message(error), param_hint="'--observed'") from None
    if as_json:
        click.echo(_as_json(report, target))
        return
    click.echo(f"Target: {target.name} ({target.date or 'date not given'})")
    click.echo(f"Source: {target.source}")
    for line in (*target.reports, *report.notes):
        click.echo(f"Note: {line}")
    for name, analysis in report.analyses.items():
        dim = target.dimension(name)
        click.echo("")
        click.echo(_as_table(name, analysis, report))
        if not dim.is_count and abs(dim.sum_error) > 0:
            click.echo(f"  Note: published shares sum to {dim.total:g} {dim.unit}; normalised.")
