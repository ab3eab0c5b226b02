"""The generated parts of docs/ODD.md: parameter tables and the declared week.

docs/ODD.md holds blocks between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``;
this module renders each from the declarations (:mod:`sim.scenario`, :mod:`sim.rules`,
:data:`sim.model.WEEK`), so the documentation cannot drift from the code::

    python -m sim.odd docs/ODD.md            # rewrite the generated blocks
    python -m sim.odd docs/ODD.md --check    # exit 1 if they are stale (what the test does)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Literal, get_args, get_origin

from .parameters import ParameterInfo, iter_parameters
from .scenario import Scenario

BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)


def _num(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) >= 10_000:
            return f"{int(v):,}"
        return f"{v:.6g}"
    return str(v)


def _range(p: ParameterInfo) -> str:
    ann = p.annotation
    if ann is bool:
        return "true / false"
    if get_origin(ann) is Literal:
        return " / ".join(str(a) for a in get_args(ann))
    if p.low is None and p.high is None:
        return ""
    return f"{_num(p.low) if p.low is not None else '−∞'} – {_num(p.high) if p.high is not None else '∞'}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameter_table(prefix: str | None = None, exclude: str | None = None) -> str:
    """One row per scalar parameter (under ``prefix``, not under ``exclude``)."""
    rows = ["| Path | Default | Unit | Valid range | Plausible range | Kind | Source | Meaning |",
            "|---|---|---|---|---|---|---|---|"]
    for p in iter_parameters(Scenario):
        if prefix and not p.path.startswith(prefix):
            continue
        if exclude and p.path.startswith(exclude):
            continue
        plausible = f"{_num(p.plausible[0])} – {_num(p.plausible[1])}" if p.plausible else ""
        default = '""' if p.default == "" else _num(p.default)
        rows.append("| " + " | ".join(_cell(c) for c in (f"`{p.path}`", default, p.unit, _range(p), plausible, p.kind,
                                                             p.source, p.description)) + " |")
    return "\n".join(rows) + "\n"


# The ODD's phase numbers (§3, §7): the declared phases grouped as the text describes them.
ODD_PHASE = {"events": "1", "turbulence": "1", "age_content": "1", "labour_market": "1", "mentoring": "2", "job_rotation": "2",
             "manager_development": "2", "recommendations": "2", "learning_time": "3", "formal": "4", "transfer": "5",
             "experiential": "6", "social": "7", "culture": "8", "forgetting": "9", "codification": "10",
             "exits": "11", "hiring": "11", "recent_learning": "12", "costs": "12", "data": "12", "budget": "12",
             "governance": "13"}


def phase_table() -> str:
    """The declared week: each phase with its rule, stream, switch, parameters and state."""
    from .model import WEEK

    rows = ["| ODD phase | Phase | Rule | Stream | Runs when | Parameters | Reads | Writes |",
            "|---|---|---|---|---|---|---|---|"]
    for ph in WEEK:
        i = ODD_PHASE[ph.name]
        params = ", ".join(f"`{path}`" for _local, path in ph.parameter_paths())
        rule = f"`{ph.fn.__module__.removeprefix('sim.')}.{ph.fn.__name__}`"
        rows.append("| " + " | ".join(_cell(c) for c in (
            str(i), ph.name, rule, ph.stream or "–", f"`{ph.when}`" if ph.when else "every week", params,
            ", ".join(ph.reads), ", ".join(ph.writes))) + " |")
    return "\n".join(rows) + "\n"


BLOCKS = {
    "parameters": lambda: parameter_table(exclude="rules."),
    "rules": lambda: parameter_table(prefix="rules."),
    "phases": phase_table,
}


def render(text: str) -> str:
    """``text`` with every generated block rendered anew."""
    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in BLOCKS:
            raise KeyError(f"unknown generated block {name!r}")
        return m.group(1) + BLOCKS[name]() + m.group(4)

    return BLOCK.sub(sub, text)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv and not argv[0].startswith("-") else Path("docs/ODD.md")
    text = path.read_text()
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{path}: generated blocks are stale; run `python -m sim.odd {path}`")
            return 1
        return 0
    path.write_text(new)
    print(f"rendered {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
