"""The one report layer: page template, CSS, charts as embedded PNGs and HTML tables.

Every HTML file ``lesim`` writes — the run report (:mod:`sim.report`), the strategy
comparison (:mod:`sim.experiments.compare`) and the sensitivity report
(:mod:`sim.experiments.sensitivity`) — is built with :func:`page`, so they share one look
(:data:`CSS`) and are single files with no external resources: charts are embedded as
base64 PNGs (:func:`figure_to_img`, :func:`png_to_img`). The March validation charts
(:mod:`sim.validation.charts`) are drawn and saved with the same helpers
(:func:`pyplot`, :func:`save_figure`).

Charts are drawn with matplotlib's Agg backend (no display needed); matplotlib is imported
on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import economics
from .outcomes import OUTCOME_BY_NAME

CSS = """body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{color:#1f5f8b}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}
th{background:#eef3f8;text-align:left}td.n{text-align:right}img{max-width:100%}.muted{color:#666;font-size:13px}
.warn{color:#a33}code{background:#f4f4f4;padding:1px 4px}
table.t td,table.t th{padding:2px 6px;font-size:12px}.rec{font-size:1.15em;font-weight:600}"""


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (files only, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_to_png(fig, dpi: int = 90) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    plt = pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def save_figure(fig, path: str | Path, dpi: int = 90) -> Path:
    """Write the figure as a PNG file (its folder is made if needed); the figure is closed."""
    plt = pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def png_to_img(png: bytes | str | Path, alt: str = "") -> str:
    """An ``<img>`` tag embedding a PNG (bytes, or the path of a PNG file) as base64."""
    data = png if isinstance(png, bytes) else Path(png).read_bytes()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'


def figure_to_img(fig, alt: str = "", dpi: int = 90) -> str:
    """An ``<img>`` tag embedding the figure as a base64 PNG (one-file HTML); the figure is closed."""
    return png_to_img(figure_to_png(fig, dpi), alt)


def table_html(frame: pd.DataFrame, digits: int = 4) -> str:
    """A data frame as an HTML table: no index, numbers to ``digits`` significant digits,
    missing values as "–"."""
    return frame.to_html(index=False, float_format=lambda v: f"{v:.{digits}g}", na_rep="–", border=0, classes="t")


def page(title: str, sections: Iterable[str], *, heading: str | None = None) -> str:
    """A complete one-file HTML document.

    ``title`` (plain text) is the browser title and, unless ``heading`` (plain text) is
    given, the ``<h1>``; ``sections`` are HTML fragments placed after it in order.
    """
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
            f"<h1>{html.escape(heading if heading is not None else title)}</h1>\n"
            + "\n".join(sections) + "\n</body></html>")


# ---------------------------------------------------------------------------- numbers for readers
BOUNDED_UNITS = ("share", "index 0–1", "0–1")


def outcome_label(name: str) -> str:
    if name == "incremental_npv":
        return "Incremental NPV"
    o = OUTCOME_BY_NAME.get(name)
    return o.label if o else str(name).replace("_", " ")


def unit_of(name: str) -> str:
    if name == "incremental_npv":
        return "$"
    o = OUTCOME_BY_NAME.get(name)
    return o.unit if o else ""


def is_share(name: str) -> bool:
    return unit_of(name) in BOUNDED_UNITS


def is_money(name: str) -> bool:
    return unit_of(name).startswith("$")


def sig(v: float, digits: int = 3) -> str:
    """``v`` to ``digits`` significant figures with thousands separators and a true minus."""
    if v is None or v != v:
        return "–"
    if v == 0:
        return "0"
    mag = int(np.floor(np.log10(abs(v))))
    decimals = max(0, digits - 1 - mag)
    return f"{round(v, decimals):,.{decimals}f}".replace("-", "−")


def fmt_value(name: str, v: float) -> str:
    """A level of an outcome in its unit: shares as %, money as $, else 3 significant figures."""
    if v is None or v != v:
        return "–"
    if unit_of(name) == "share":
        return f"{v * 100:.1f} %"
    if is_money(name):
        return economics.money(v)
    return sig(v)


def fmt_diff(name: str, v: float) -> str:
    """A difference of an outcome in its unit, signed: shares in percentage points."""
    if v is None or v != v:
        return "–"
    sign = "+" if v > 0 else ("−" if v < 0 else "±")
    if unit_of(name) == "share":
        return f"{sign}{abs(v) * 100:.1f} pp"
    if is_money(name):
        return sign + economics.money(abs(v))
    return sign + sig(abs(v))


def fmt_interval(name: str, m: float, lo: float, hi: float, diff: bool = True) -> str:
    f = fmt_diff if diff else fmt_value
    if lo != lo or hi != hi:
        return f(name, m)
    return f"{f(name, m)} [{f(name, lo)}, {f(name, hi)}]"
