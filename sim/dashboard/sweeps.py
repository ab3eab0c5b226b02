"""View a finished sweep's decision brief in the dashboard (folders given at start only)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import solara

from ..experiments.brief import strategy_label
from ..outcomes import OUTCOME_BY_NAME
from .session import inside, within


class SweepFolders:
    """Sweep folders (with ``experiment.yaml`` and ``comparison.csv``) directly under the
    given results folders, chosen by name — never a path sent from the page."""

    def __init__(self, roots: list[Path]):
        self.roots = [Path(r).resolve() for r in roots]

    def sweeps(self) -> dict[str, Path]:
        """Name → real path of each sweep folder whose real path (symlinks resolved) and whose
        two files stay inside the results folders."""
        out: dict[str, Path] = {}
        for root in self.roots:
            try:
                entries = sorted(root.iterdir()) if root.is_dir() else []
            except OSError:
                entries = []
            for d in entries:
                real = within(d, self.roots)
                if real is None or not real.is_dir():
                    continue
                if inside(real / "experiment.yaml", self.roots) and inside(real / "comparison.csv", self.roots):
                    out.setdefault(d.name, real)
        return out


def link_out(folder: Path, roots: list[Path]) -> Path | None:
    """The first path of a sweep folder that ``load_sweep`` would read (``runs/``,
    ``checksums/``, ``plan.keys`` and the files in those folders) whose real path leads out of
    the results folders (a symlink planted in a sweep), or ``None``."""
    tops = [folder / "runs", folder / "checksums", folder / "plan.keys"]
    for top in tops:  # a dangling or looping link counts as leading out
        if (top.exists() or top.is_symlink()) and within(top, roots) is None:
            return top
    for sub in tops[:2]:
        try:
            entries = list(sub.iterdir()) if sub.is_dir() else []
        except OSError:
            entries = []
        for p in entries:
            if p.is_symlink() and within(p, roots) is None:
                return p
    return None


@solara.component
def SweepView(folders: SweepFolders):
    sweeps = folders.sweeps()
    choice, set_choice = solara.use_state(None)
    outcome, set_outcome = solara.use_state(None)
    with solara.Card("Finished sweeps: decision briefs (run lesim compare on a sweep to add it)"):
        if not sweeps:
            solara.Text("No compared sweeps in the results folders yet.")
            return
        solara.Select(label="Sweep", values=list(sweeps), value=choice, on_value=set_choice)
        if not isinstance(choice, str) or choice not in sweeps:
            return
        escaped = link_out(sweeps[choice], folders.roots)
        if escaped is not None:
            solara.Error(f"{escaped}: leads out of the results folders; this sweep is not read", classes=["lesim-error"])
            return
        SweepTable(sweeps[choice], folders.roots, outcome, set_outcome)


BRIEF_LIMIT = 1_000_000  # bytes: a brief is a few kilobytes


def read_brief(folder: Path, roots: list[Path]) -> dict | None:
    """``brief.json`` of a compared sweep as text parts, or None when the sweep was compared
    by an older lesim (no brief). A damaged file, or a link out of the results folders,
    raises ValueError with the reason."""
    path = folder / "brief.json"
    if not path.exists() and not path.is_symlink():
        return None
    if inside(path, roots) is None:
        raise ValueError(f"{path}: leads out of the results folders or is not a regular file")
    if path.stat().st_size > BRIEF_LIMIT:
        raise ValueError(f"{path}: larger than {BRIEF_LIMIT:,} bytes")
    data = json.loads(path.read_text(encoding="utf-8"))
    text = ("question", "headline", "certainty", "cost", "valuation")
    lists = ("fails", "tradeoffs", "caveats", "options_head")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in text) \
            or not all(isinstance(data.get(k), list) and all(isinstance(x, str) for x in data[k]) for k in lists) \
            or not isinstance(data.get("options"), list) \
            or not all(isinstance(r, list) and all(isinstance(x, str) for x in r) for r in data["options"]) \
            or not isinstance(data.get("best", []), list) \
            or not all(isinstance(r, list) and all(isinstance(x, bool) for x in r) for r in data.get("best", [])):
        raise ValueError(f"{path}: not a brief written by `lesim compare`")
    return data


def p_text(p: float) -> str:
    return "–" if p != p else (f"{p:.3f}" if p >= 0.001 else "< 0.001")


@solara.component
def SweepTable(folder: Path, roots: list[Path], outcome, set_outcome):
    """A compared sweep: its decision brief first (as ``lesim compare`` wrote it), then one
    outcome's figures by strategy and future. A damaged sweep gives one line."""
    from ..experiments.compare import CompareError
    from ..reporting import fmt_interval, outcome_label

    try:
        brief = read_brief(folder, roots)
        table = pd.read_csv(folder / "comparison.csv")
        table = table[table["outcome"].isin([o for o in table["outcome"].unique() if o in OUTCOME_BY_NAME])]
        outcomes = list(dict.fromkeys(table["outcome"]))
        current = outcome if outcome in outcomes else outcomes[0]
        shown = table[table["outcome"] == current]
        rows = [[strategy_label(r.strategy), str(r.uncertainty), str(int(r.n)),
                 fmt_interval(current, r.mean, r.ci_low, r.ci_high, diff=False),
                 fmt_interval(current, r.diff, r.diff_low, r.diff_high), p_text(r.p_adj),
                 "–" if r.prob_best != r.prob_best else f"{r.prob_best:.2f}"] for r in shown.itertuples()]
    except CompareError as e:
        solara.Error(str(e), classes=["lesim-error"])
        return
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
        first_line = (str(e).strip().splitlines() or [""])[0]
        solara.Error(f"{folder}: cannot show this sweep ({type(e).__name__}: {first_line}); rerun `lesim compare`",
                     classes=["lesim-error"])
        return
    if brief is None:
        solara.Warning("This sweep was compared by an older lesim: run `lesim compare` on it again for its decision "
                       "brief.")
    else:
        Brief(brief)
    solara.v.Html(tag="p", children=[f"The full report with charts and appendices: {folder / 'comparison.html'}"],
                  class_="lesim-help")
    labels = {outcome_label(o): o for o in outcomes}
    solara.Select(label="Outcome", values=list(labels), value=outcome_label(current),
                  on_value=lambda lab: set_outcome(labels[lab]) if lab in labels else None)

    head = ["Strategy", "Future", "Runs", "Mean [95 %]", "Δ vs baseline [95 %]", "p (adjusted)", "P(best)"]
    Table(head, rows, f"{outcome_label(current)} by strategy and future")


@solara.component
def Brief(b: dict):
    """The decision brief's text parts, shown as text (never as Markdown or HTML)."""
    H = solara.v.Html
    with solara.Div(classes=["lesim-brief"]):
        H(tag="h3", children=["Decision brief"])
        H(tag="p", children=[H(tag="b", children=["Question. "]), b["question"]])
        H(tag="p", children=[b["headline"]], class_="lesim-rec")
        H(tag="p", children=[H(tag="b", children=["How sure. "]), b["certainty"]])
        H(tag="p", children=[H(tag="b", children=["At what cost. "]), b["cost"]])
        if b["valuation"]:
            H(tag="p", children=[f"NPV and ROI rest on: {b['valuation']}"], class_="lesim-help")
        for title, key in (("Where the recommendation fails", "fails"), ("What it gives up", "tradeoffs"),
                           ("Caveats", "caveats")):
            if b[key]:
                H(tag="h4", children=[title])
                H(tag="ul", children=[H(tag="li", children=[x]) for x in b[key]])
        Table(b["options_head"], b["options"], "The options: ★ recommended", b.get("best"))


@solara.component
def Table(head: list[str], rows: list[list[str]], caption: str, bold: list[list[bool]] | None = None):
    """A plain table of text cells (no index, no pagination)."""
    H = solara.v.Html

    def cell(text, i, j):
        strong = bool(bold and i < len(bold) and j < len(bold[i]) and bold[i][j]) and j > 0
        return H(tag="td", children=[H(tag="b", children=[text]) if strong else text],
                 class_="lesim-num" if j > 1 else "")

    H(tag="table", class_="lesim-table", children=[
        H(tag="caption", children=[caption]),
        H(tag="thead", children=[H(tag="tr", children=[H(tag="th", children=[h]) for h in head])]),
        H(tag="tbody", children=[H(tag="tr", children=[cell(t, i, j) for j, t in enumerate(row)])
                                 for i, row in enumerate(rows)])])
