"""``actfn claims``: list the audited claims, run their experiments, write the report."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import fail, guarded

__all__ = ["register"]


def _number(opt: str, text: str | None, kind: type) -> Any:
    """``text`` as an ``int`` or ``float`` (None stays None); one error line otherwise."""
    if text is None:
        return None
    try:
        value = kind(text.strip())
    except ValueError:
        want = "an integer" if kind is int else "a number"
        fail(f"{opt}={text!r} must be {want}")
    if kind is float and value != value:  # NaN passes float() but no bound
        fail(f"{opt}={text!r} must be a number")
    return value


def register(app: typer.Typer) -> None:
    """Add the ``claims`` command group to ``app``."""
    claims_app = typer.Typer(
        name="claims",
        help="Claims from the seed tutorials, each tested by an experiment.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @claims_app.callback()
    @guarded
    def claims_list(
        ctx: typer.Context,
        lang: Annotated[str, typer.Option("--lang", metavar="en|zh",
                                          help="Language of the claims: en or zh.")] = "en",
        chinese: Annotated[bool | None, typer.Option(
            "--zh/--no-zh", hidden=True,
            help="Deprecated: use --lang zh (or --lang en).")] = None,
    ) -> None:
        """List every claim: id, activations, the claim, its seed, the experiments and
        the pre-registered rule (kind and margin)."""
        if ctx.invoked_subcommand is not None:
            return
        from rich.table import Table

        from ..experiments import claims
        from ..experiments._report import rule_summary
        from ._terminal import console, labels, terminal_width

        if chinese is not None:
            typer.echo("actfn: warning: --zh/--no-zh is deprecated; use --lang zh or --lang en",
                       err=True)
            lang = "zh" if chinese else "en"
        labels(lang)  # refuses an unknown language
        from .._i18n import zh_punctuation

        items = claims()
        zh = lang == "zh"
        head = {"id": "id", "act": "激活函数" if zh else "activations",
                "claim": "论断" if zh else "claim", "seed": "出处" if zh else "seed",
                "exp": ("实验 / 规则" if zh else "experiments / rule")}
        table = Table(show_lines=True, pad_edge=False, padding=(0, 1))
        narrow = terminal_width() < 110
        if narrow:  # two columns: what is claimed about which activations, and its sources
            # ids are what `claims run ID` takes: kept whole unless the terminal is tiny
            longest = max(len(c.id) for c in items)
            id_width = longest if terminal_width() >= longest + 30 else 24
            table.add_column(f"{head['id']} / {head['act']}", overflow="fold",
                             min_width=id_width, max_width=id_width)
            table.add_column(f"{head['claim']} ({head['seed']} → {head['exp']})",
                             overflow="fold")
        else:
            table.add_column(head["id"], overflow="fold")
            table.add_column(head["act"], overflow="fold", max_width=16)
            table.add_column(head["claim"], overflow="fold", ratio=3)
            table.add_column(head["seed"], overflow="fold", ratio=1)
            table.add_column(head["exp"], overflow="fold", ratio=1)
        for c in items:
            text = zh_punctuation(c.zh) if zh else c.en
            acts = ", ".join(c.activations)
            rule = rule_summary(c.rule)
            if narrow:
                where = ", ".join(c.seeds) + " → " + ", ".join(c.experiments)
                table.add_row(f"{c.id}\n{acts}", f"{text}\n[dim]{where}; {rule}[/dim]")
            else:
                table.add_row(c.id, acts, text, "\n".join(c.seeds),
                              ", ".join(c.experiments) + f"\n[dim]{rule}[/dim]")
        console().print(table)

    @claims_app.command("run")
    @guarded
    def claims_run(
        ids: Annotated[list[str] | None, typer.Argument(
            help="Claim or experiment ids (default: all).", show_default=False)] = None,
        quick: Annotated[bool, typer.Option(
            "--quick", help="Reduced sizes (about a minute); statistical and cost claims "
            "are then 'inconclusive (quick)', never decided.")] = False,
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Folder for the report (README.md, PNGs, results.json); "
            "default claims-report, or claims-report-quick with --quick.",
            show_default=False)] = None,
        seeds: Annotated[str | None, typer.Option(
            "--seeds", metavar="N", help="Number of seeds (default: claims.toml's, 15).",
            show_default=False)] = None,
        seed_start: Annotated[str | None, typer.Option(
            "--seed-start", metavar="N", help="First seed (default 0): a different seed set of "
            "the same size.", show_default=False)] = None,
        seed_batch: Annotated[str | None, typer.Option(
            "--seed-batch", metavar="N", help="Seeds trained together in one task.",
            show_default=False)] = None,
        scale: Annotated[str, typer.Option(
            "--scale", metavar="X",
            help="Multiply every epoch and step count (above 0, at most 100).")] = "1",
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", metavar="local|ADDRESS", help="Run the tasks on Dask: 'local' "
            "starts a LocalCluster of --workers processes; otherwise a scheduler address "
            "(tcp://host:8786).", show_default=False)] = None,
        workers: Annotated[str, typer.Option(
            "--workers", metavar="N", help="Workers of --scheduler local.")] = "2",
        threads: Annotated[int, typer.Option(
            help="Accepted for compatibility (1 or 2); every task runs single-threaded.")
        ] = 1,
        figures: Annotated[bool, typer.Option("--figures/--no-figures",
                                              help="Draw the PNG figures.")] = True,
        force: Annotated[bool, typer.Option(
            "--force", help="Also write into a non-empty folder that actfn did not make "
            "(only the report's own files are written; a file of the same name that actfn did "
            "not write is refused, never replaced).")] = False,
    ) -> None:
        """Run the claims' experiments; write a report with verdicts.

        The folder must be new, empty, or an earlier report of the same plan (it lists
        actfn's files in .actfn-manifest.json); a report of another plan (quick vs full,
        other seeds or scale, other claims) is never replaced. Task results are cached in the folder's
        .actfn-cache, so an interrupted run resumes.
        """
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from .. import experiments as ex
        from ..experiments import _claims, _report, _tasks

        # parsed and bounded here and in plan(), so a bad value is one line, not a usage box
        seeds = _number("--seeds", seeds, int)
        seed_start = _number("--seed-start", seed_start, int)
        seed_batch = _number("--seed-batch", seed_batch, int)
        scale = _number("--scale", scale, float)
        workers = _number("--workers", workers, int)
        if threads not in (1, 2):
            fail(f"--threads={threads} must be 1 or 2")
        for opt, val, ok, want in (
                ("--seeds", seeds, seeds is None or seeds >= 2, "at least 2 (paired tests)"),
                ("--seed-start", seed_start, seed_start is None or seed_start >= 0,
                 "at least 0"),
                ("--seed-batch", seed_batch, seed_batch is None or seed_batch >= 1,
                 "at least 1"),
                ("--scale", scale, 0 < scale <= 100, "above 0 and at most 100"),
                ("--workers", workers, workers >= 1, "at least 1")):
            if not ok:
                fail(f"{opt}={val:g} must be {want}")
        selected = ex.resolve(ids or [])
        out = output or Path("claims-report-quick" if quick else "claims-report")
        try:
            plan = _claims.plan(quick=quick, seeds=seeds, seed_start=seed_start,
                                seed_batch=seed_batch, scale=scale)
            _tasks.check_extras(_report.needed(selected))
            _tasks.check_scheduler(scheduler)
        except _tasks.MissingExtra as exc:
            fail(str(exc), 2)
        except ValueError as exc:
            fail(str(exc), 2)
        cache = _report.claim_folder(out, selected, plan, figures=figures, force=force)
        console = Console(stderr=True)
        t0 = time.perf_counter()
        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} tasks"),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task("starting", total=None)

            log_line = _log_progress(console, t0)

            def on_done(t: Any, done: int, total: int, cached: bool) -> None:
                bar.update(task, completed=done, total=total,
                           description=("cached " if cached else "") + t.key.rsplit("/", 1)[0])
                log_line(done, total, cached)

            outcome: dict[str, Any] = _report.run(
                selected, quick=quick, seeds=seeds, seed_start=seed_start,
                seed_batch=seed_batch, scale=scale, scheduler=scheduler, workers=workers,
                cache=cache, on_done=on_done)
            bar.update(task, description="writing report")
            report = ex.write_report(selected, outcome, out, figures=figures, force=force)
            bar.update(task, description="done")
        verdicts = ex.judge(selected, outcome["results"], quick=quick)
        from ..experiments._core import KINDS

        counts = {k: sum(v.kind == k for v in verdicts.values()) for k in KINDS}
        typer.echo(f"{len(selected)} claims: " + ", ".join(f"{n} {k}" for k, n in counts.items())
                   + f" ({time.perf_counter() - t0:.0f} s); report: {report}")

    app.add_typer(claims_app, name="claims")


def _log_progress(console: Any, t0: float, every: float = 30.0) -> Any:
    """Progress for a log file: rich draws no bar when stderr is not a terminal, so an hours-long
    ``actfn claims run > log 2>&1`` would print nothing until the end. Off a terminal, this
    writes one line at most every ``every`` seconds, and at the first and last task:
    ``claims: 120/4113 tasks (15 cached), 12 min, eta 6.8 h``. On a terminal it does nothing."""
    if console.is_terminal:
        return lambda done, total, cached: None
    last = [-math.inf]
    n_cached = [0]

    def line(done: int, total: int, cached: bool) -> None:
        n_cached[0] += cached
        now = time.perf_counter()
        if done not in (1, total) and now - last[0] < every:
            return
        last[0] = now
        spent = now - t0
        computed = done - n_cached[0]
        left = total - done
        eta = (f", eta {_duration(spent / computed * left)}" if computed > 0 and left else "")
        print(f"claims: {done}/{total} tasks ({n_cached[0]} cached), {_duration(spent)}{eta}",
              file=sys.stderr, flush=True)

    return line


def _duration(seconds: float) -> str:
    """``42 s``, ``12 min`` or ``6.8 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
