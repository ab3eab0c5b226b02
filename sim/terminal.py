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
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
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


def paragraph(text: str, indent: str = "") -> None:
    """Print literal text on stdout, wrapped at words to the terminal's width (a brief's
    sentences; control characters escaped, no markup read)."""
    out_console.print(Text(indent + one_line(text)), overflow="fold")


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
               right: Callable[[str], bool] = lambda col: False, compact: bool = False) -> None:
    """Print a table of text cells (shown literally, control characters escaped; a rich
    ``Text`` cell keeps its style); columns for which ``right(name)`` is true are right-aligned.
    ``compact``: rules under the header only, so a table of a few columns fits 80 columns."""
    table = Table(title=Text(one_line(title)), **({"box": box.SIMPLE_HEAD, "pad_edge": False} if compact else {}))
    for i, col in enumerate(columns):
        table.add_column(Text(one_line(col)), justify="right" if right(col) else "left", no_wrap=compact and i == 0)
    for row in rows:
        table.add_row(*(Text(one_line(cell.plain), style=cell.style) if isinstance(cell, Text)
                        else Text(one_line(str(cell))) for cell in row))
    out_console.print(table)


@contextmanager
def week_progress(weeks: int, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A transient bar over the weeks of a run; yields the ``progress(week, weeks)`` callback
    of :func:`sim.run.simulate`."""
    progress = Progress(TextColumn("simulating"), BarColumn(bar_width=20), MofNCompleteColumn(), TextColumn("weeks ·"),
                        _Clocks(), console=err_console, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("run", total=weeks)
        yield lambda week, n: progress.update(task, completed=week)


def eta_seconds(elapsed: float, ran: int, remaining: int, workers: int) -> float | None:
    """Seconds left in a sweep from its measured run times: ``ran`` runs finished (done or
    failed, not skipped) in ``elapsed`` seconds on ``workers`` workers. Until ``workers`` runs
    have finished, each worker is taken to be as far along as the first (they started
    together), so the first estimate is not ``workers`` times too long; None before any run
    has finished (nothing measured yet)."""
    if ran <= 0 or elapsed <= 0:
        return None
    throughput = max(ran, min(workers, ran + remaining)) / elapsed
    return remaining / throughput


def clock(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "–"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


def clock_short(seconds: float | None) -> str:
    """m:ss under an hour, h:mm:ss above; "–" when unknown."""
    if seconds is None or seconds != seconds or seconds >= 3600:
        return clock(seconds)
    m, sec = divmod(int(round(seconds)), 60)
    return f"{m}:{sec:02d}"


class _SweepLine(ProgressColumn):
    """The whole line: "name ━━━━━━━━╸─── 120/240 · 2 failed · elapsed 2:21 · left 2:19", the
    bar taking what the console's width leaves (the line never wraps)."""

    def __init__(self, name: str, console):
        super().__init__()
        self.name = name
        self.console = console

    def render(self, task):
        f = task.fields
        parts = [f"{int(task.completed)}/{int(task.total or 0)}"]
        if f.get("failed"):
            parts.append(f"{f['failed']} failed")
        left = f.get("left")
        if left is not None:  # counts down between updates
            left = max(0.0, left - (time.perf_counter() - f.get("at", time.perf_counter())))
        parts += [f"elapsed {clock_short(task.elapsed or 0.0)}", f"left {clock_short(left)}"]
        status = " · ".join(parts)
        width = self.console.width - 1
        room = width - len(self.name) - len(status) - 2
        name = self.name if room >= 5 or len(self.name) <= 8 else self.name[:max(8, len(self.name) + room - 5) - 1] + "…"
        room = width - len(name) - len(status) - 2
        line = Text(name + " ", style="bold")
        if room >= 5:
            done = int(room * min(1.0, task.completed / task.total)) if task.total else 0
            line.append("━" * done, style="magenta")
            line.append("━" * (room - done), style="grey37")
            line.append(" ")
        line.append(status)
        line.truncate(width, overflow="ellipsis")
        return line


class _Clocks(ProgressColumn):
    """"elapsed 0:00:03 · left 0:00:05" (rich's estimate from the progress so far)."""

    def render(self, task):
        return Text(f"elapsed {clock(task.elapsed or 0.0)} · left {clock(task.time_remaining)}")


class SweepProgress:
    """A sweep's bar, one line that fits 80 columns: the experiment's name (shortened), the
    bar, runs finished of planned, failures and already-stored runs when there are any, time
    elapsed and time left (:func:`eta_seconds`, from the run times measured in this sweep).
    Use it as a context manager around :func:`sim.experiments.sweep.sweep` and pass it
    :meth:`on_start` and :meth:`on_update`; ``announce(planned, workers)`` is called as the
    sweep starts."""

    NAME_WIDTH = 20

    def __init__(self, name: str, announce: Callable[[int, int], None] | None = None, console=None):
        self.name = name if len(name) <= self.NAME_WIDTH else name[:self.NAME_WIDTH - 1] + "…"
        self.announce = announce
        console = console or err_console
        self.progress = Progress(_SweepLine(self.name, console), console=console)
        self._started = time.perf_counter()
        self._workers = 1
        self._task = None

    def __enter__(self) -> "SweepProgress":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def on_start(self, planned: int, n_workers: int) -> None:
        if self.announce is not None:
            self.announce(planned, n_workers)
        self._started = time.perf_counter()
        self._workers = max(1, int(n_workers))
        self._task = self.progress.add_task(self.name, total=planned, left=None)

    def on_update(self, stats) -> None:
        if self._task is not None:
            elapsed = time.perf_counter() - self._started
            finished = stats.done + stats.failed + stats.skipped
            left = eta_seconds(elapsed, stats.done + stats.failed, max(0, stats.planned - finished), self._workers)
            self.progress.update(self._task, completed=finished, failed=stats.failed, skipped=stats.skipped,
                                 left=0.0 if finished >= stats.planned else left, at=time.perf_counter())


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
