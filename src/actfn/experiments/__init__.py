"""The claims audit: every claim the seed tutorials make, tested by an experiment.

The claims are data: ``claims.toml`` (beside this module) pre-registers each claim's
statement, experiment, metric, decision rule with its margins, and the seeds; judges are
small pure functions keyed by rule kind (``_judges.JUDGES``). :func:`run` splits the
experiments a set of claims needs into tasks (claim × activation × seed batch, the
learning-rate sweep batched inside), runs them here or on a Dask cluster with a cache, and
:func:`write_report` turns the results into a Markdown report with one PNG per
experiment. ``actfn claims`` is the command-line face.

Importing this package is cheap: the experiment modules (and matplotlib, torch,
scikit-learn) load only when something runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._selu import moment_jacobian, moment_map, selu_parameters

if TYPE_CHECKING:  # pragma: no cover
    from ._core import Claim, Experiment

__all__ = [
    "selu_parameters",
    "moment_map",
    "moment_jacobian",
    "claims",
    "experiments",
    "resolve",
    "run",
    "judge",
    "write_report",
    "report_dir",
]


def claims() -> tuple[Claim, ...]:
    """Every audited claim, in report order."""
    from ._claims import CLAIMS

    return CLAIMS


def experiments() -> dict[str, Experiment]:
    """Experiment id → :class:`~actfn.experiments._core.Experiment`."""
    from ._report import EXPERIMENTS

    return EXPERIMENTS


def resolve(ids: list[str] | tuple[str, ...] = ()) -> list[Claim]:
    """Claims selected by claim or experiment ids (all when empty); unknown ids raise
    ``ValueError`` with the closest matches."""
    from ._report import resolve as _resolve

    return _resolve(ids)


def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Run the experiments for the given claims; see :func:`._report.run`."""
    from ._report import run as _run

    return _run(*args, **kwargs)


def judge(*args: Any, **kwargs: Any) -> Any:
    """Verdicts for claims from results; see :func:`._report.judge`."""
    from ._report import judge as _judge

    return _judge(*args, **kwargs)


def write_report(*args: Any, **kwargs: Any) -> Any:
    """Write the Markdown report and figures; see :func:`._report.write_report`."""
    from ._report import write_report as _write

    return _write(*args, **kwargs)


def report_dir(*args: Any, **kwargs: Any) -> Any:
    """Check a report folder before running; see :func:`._report.report_dir`."""
    from ._report import report_dir as _check

    return _check(*args, **kwargs)
