"""How ``lesim`` looks on a terminal (rich): the two consoles, one-line errors, tables and
progress bars. :mod:`sim.cli` declares the commands and prints with these helpers; the
work itself is done by library functions that know nothing about the terminal.

No user text is ever read as markup: both consoles print strings literally (``markup=False``,
no emoji codes, no highlighting), tables and progress bars too; style comes only from
:func:`styled` parts (rich ``Text``), and an error's message is one line whatever it holds
(:func:`~sim.loader.one_line`).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from .loader import ScenarioError, one_line


class _Console(Console):
    """A console for user text: no markup, emoji codes or highlighting, and every string it
    prints has its control characters shown escaped (:func:`~sim.loader.one_line`), so a name,
    key or path can neither add a line nor move the cursor or recolour the terminal."""

    def print(self, *objects, **kwargs) -> None:  # noqa: A003 - rich's name
        super().print(*(one_line(o) if isinstance(o, str) else o for o in objects), **kwargs)


out_console = _Console(markup=False, emoji=False, highlight=False)
err_console = _Console(stderr=True, markup=False, emoji=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line of text from plain strings and ``(text, style)`` pairs; nothing in either is
    read as markup, and control characters in either are shown escaped (:func:`one_line`),
    e.g. ``styled(("ok", "green"), " ", path)``."""
    return Text.assemble(*(one_line(p) if isinstance(p, str) else (one_line(p[0]), p[1]) for p in parts))


def say(*parts: str | tuple[str, str], err: bool = False) -> None:
    """Print one :func:`styled` line on stdout (``err``: stderr), never wrapped."""
    (err_console if err else out_console).print(styled(*parts), soft_wrap=True)


def error_line(message: str) -> None:
    """Print ``error: message`` as one line on stderr."""
    say(("error:", "bold red"), " ", message, err=True)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error and exit (status 2 for user mistakes)."""
    error_line(message)
    raise typer.Exit(code)


@contextmanager
def user_errors(*more: type[Exception]) -> Iterator[None]:
    """Turn a :class:`~sim.loader.ScenarioError` (or one of ``more``) raised inside into :func:`fail`,
    with the error's own exit status if it has one (a full disk during a sweep: 1), else 2."""
    try:
        yield
    except (ScenarioError, *more) as e:
        fail(str(e), getattr(e, "code", 2))


def check_writable(folder: Path) -> None:
    """Fail now, not after a long run, if results cannot be written into ``folder``."""
    from .experiments.store import check_writable as check

    with user_errors():
        check(folder)


def show_table(title: str, columns: Iterable[str], rows: Iterable[Iterable[str]],
               right: Callable[[str], bool] = lambda col: False) -> None:
    """Print a table of text cells (shown literally, control characters escaped; a rich
    ``Text`` cell keeps its style); columns for which ``right(name)`` is true are right-aligned."""
    table = Table(title=Text(one_line(title)))
    for col in columns:
        table.add_column(Text(one_line(col)), justify="right" if right(col) else "left")
    for row in rows:
        table.add_row(*(Text(one_line(cell.plain), style=cell.style) if isinstance(cell, Text)
                        else Text(one_line(str(cell))) for cell in row))
    out_console.print(table)


@contextmanager
def week_progress(weeks: int, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A transient bar over the weeks of a run; yields the ``progress(week, weeks)`` callback
    of :func:`sim.run.simulate`."""
    progress = Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("weeks"),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("run", total=weeks)
        yield lambda week, n: progress.update(task, completed=week)


class _Counts(ProgressColumn):
    def render(self, task):
        f = task.fields
        return Text(f"done {f.get('done', 0)}  failed {f.get('failed', 0)}  skipped {f.get('skipped', 0)}  "
                    f"{f.get('rate', 0.0):.2f} runs/s")


class SweepProgress:
    """A sweep's bar: runs done, failed and skipped, runs per second, time left. Use it as a
    context manager around :func:`sim.experiments.sweep.sweep` and pass it :meth:`on_start`
    and :meth:`on_update`; ``announce(planned, workers)`` is called as the sweep starts.
    The rate counts runs done or failed since this object was made."""

    def __init__(self, name: str, announce: Callable[[int, int], None] | None = None):
        self.name = name
        self.announce = announce
        self.progress = Progress(TextColumn("{task.description}", style="bold", markup=False), BarColumn(), MofNCompleteColumn(), _Counts(),
                                 TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=err_console)
        self._started = time.perf_counter()
        self._task = None

    def __enter__(self) -> "SweepProgress":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def on_start(self, planned: int, n_workers: int) -> None:
        if self.announce is not None:
            self.announce(planned, n_workers)
        self._task = self.progress.add_task(self.name, total=planned)

    def on_update(self, stats) -> None:
        if self._task is not None:
            elapsed = max(time.perf_counter() - self._started, 1e-9)
            self.progress.update(self._task, completed=stats.done + stats.failed + stats.skipped, done=stats.done,
                                 failed=stats.failed, skipped=stats.skipped, rate=(stats.done + stats.failed) / elapsed)


def report_sweep(stats, out_dir: Path) -> None:
    """Print a finished sweep's counts and failures; exit 130 if it was interrupted, 1 if
    any run failed."""
    say(f"{stats.done} runs done, {stats.skipped} already stored, {stats.failed} failed (of {stats.planned}); "
        f"results in {out_dir}/runs")
    if getattr(stats, "unverified", 0):
        n = stats.unverified
        say(f"note: {n} stored run{'s' if n != 1 else ''} failed verification (damaged, truncated, or its checksum "
            f"damaged) and {'were' if n != 1 else 'was'} run again", err=True)
    for line in stats.failures[:20]:
        say(f"  failed: {line}", err=True)
    if stats.failures:
        say(f"  tracebacks: {out_dir}/errors/", err=True)
    if stats.interrupted:
        err_console.print("interrupted: run the same command again to resume")
        raise typer.Exit(130)
    if stats.failed:
        raise typer.Exit(1)
