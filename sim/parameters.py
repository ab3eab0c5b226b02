"""How every tunable parameter is declared: once, with its meaning, unit, range and source.

A parameter is a pydantic field built with :func:`param`. The declaration carries

* ``description`` – what it means, in a planner's words;
* ``unit``        – the unit of its value;
* ``source``      – the paper or benchmark report its default comes from, or ``"assumption"``;
* ``kind``        – ``"lever"`` (the organisation controls it: a strategy sets it),
                    ``"uncertainty"`` (the organisation does not control it; sweeps and
                    sensitivity analysis vary it) or ``"setting"`` (describes the organisation);
* ``plausible``   – for numbers, the band (low, high) a sensitivity analysis should explore:
                    what the evidence (or, for an assumption, judgement) leaves open. It lies
                    inside the valid range; every uncertainty declares one, and an experiment
                    can say "explore every uncertainty over its plausible range".

The scenario loader, ``lesim schema``, ``--set`` overrides, the report and (later) the
dashboard controls and sweep ranges all read these declarations; nothing else restates a
default. :func:`iter_parameters` walks them with their dotted paths;
:func:`parameter_records` lists them for ``lesim parameters --format csv|json``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Iterator, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["lever", "uncertainty", "setting"]


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)


def param(
    default: Any,
    description: str,
    *,
    unit: str = "",
    source: str = "assumption",
    kind: Kind = "setting",
    plausible: tuple[float, float] | None = None,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare one scenario parameter (see the module docstring)."""
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        json_schema_extra={"unit": unit, "source": source, "kind": kind,
                           **({"plausible": [float(plausible[0]), float(plausible[1])]} if plausible else {})},
    )


LOCATION_SEP = "\x1f"


def located(loc: tuple, message: str) -> ValueError:
    """A validator error that knows the key path (relative to the section) it is about.

    The loader reads the path back so that the error names the right line and key. The
    separator inside a key or the message (user text) is written escaped, ``\\x1f``, as
    every one-line error shows a control character.
    """
    def safe(text: object) -> str:
        return str(text).replace(LOCATION_SEP, "\\x1f")

    return ValueError(LOCATION_SEP.join(safe(p) for p in loc) + LOCATION_SEP + safe(message))


@dataclass(frozen=True)
class ParameterInfo:
    """One scalar parameter of the scenario format, found by :func:`iter_parameters`."""

    path: str
    default: Any
    description: str
    unit: str
    source: str
    kind: str
    low: float | None
    high: float | None
    annotation: Any
    plausible: tuple[float, float] | None = None


def _bounds(field) -> tuple[float | None, float | None]:
    low = high = None
    for m in field.metadata:
        for name in ("ge", "gt"):
            if getattr(m, name, None) is not None:
                low = getattr(m, name)
        for name in ("le", "lt"):
            if getattr(m, name, None) is not None:
                high = getattr(m, name)
    return low, high


def _section_class(annotation: Any) -> type[Section] | None:
    if isinstance(annotation, type) and issubclass(annotation, Section):
        return annotation
    return None


def iter_parameters(model_cls: type[Section], prefix: str = "", defaults: Any = None) -> Iterator[ParameterInfo]:
    """Yield every scalar parameter declared under ``model_cls`` with its dotted path.

    Nested sections are walked; lists, mappings (departments, events, …) and optional
    sections (``organisation.data``) are structure, not parameters, and are skipped. Defaults are read from a default instance, so a section
    whose default differs from its class's field defaults (one modality of several) reports
    its own.
    """
    if defaults is None:
        defaults = model_cls()
    for name, field in model_cls.model_fields.items():
        path = f"{prefix}{name}"
        value = getattr(defaults, name)
        sub = _section_class(field.annotation)
        if sub is not None:
            yield from iter_parameters(sub, path + ".", value)
            continue
        if get_origin(field.annotation) in (list, dict, tuple) or any(
            get_origin(a) in (list, dict, tuple) for a in get_args(field.annotation)
        ):
            continue
        if any(isinstance(a, type) and issubclass(a, BaseModel) for a in get_args(field.annotation)):
            continue  # an optional section (an imported organisation's tables) is structure too
        extra = field.json_schema_extra or {}
        low, high = _bounds(field)
        yield ParameterInfo(
            path=path,
            default=value,
            description=field.description or "",
            unit=extra.get("unit", ""),
            source=extra.get("source", "assumption"),
            kind=extra.get("kind", "setting"),
            low=low,
            high=high,
            annotation=field.annotation,
            plausible=tuple(extra["plausible"]) if "plausible" in extra else None,
        )


def field_bounds(model_cls: type[BaseModel], loc: tuple) -> tuple[float | None, float | None]:
    """Bounds of the field at pydantic error location ``loc`` (``(None, None)`` if unknown)."""
    cls: Any = model_cls
    field = None
    for part in loc:
        if isinstance(part, int) or cls is None:
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return (None, None)
        field = cls.model_fields.get(part)
        if field is None:
            # a discriminated-union tag: find the member class with that tag
            continue
        ann = field.annotation
        nxt = None
        for cand in (ann, *get_args(ann), *(a for g in get_args(ann) for a in get_args(g))):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                nxt = cand
                break
        cls = nxt
    if field is None:
        return (None, None)
    return _bounds(field)


PARAMETER_COLUMNS = ("path", "default", "unit", "low", "high", "plausible_low", "plausible_high", "kind", "source",
                     "description")
"""The columns of ``lesim parameters --format csv|json``, in order."""


def parameter_records(model_cls: type[Section], kind: str | None = None) -> list[dict[str, Any]]:
    """One JSON-ready record per parameter (keys :data:`PARAMETER_COLUMNS`; numbers stay
    numbers, ``None`` where there is no bound or plausible range); ``kind`` filters."""
    out = []
    for p in iter_parameters(model_cls):
        if kind and p.kind != kind:
            continue
        plausible = p.plausible or (None, None)
        out.append({"path": p.path, "default": p.default, "unit": p.unit, "low": p.low, "high": p.high,
                    "plausible_low": plausible[0], "plausible_high": plausible[1], "kind": p.kind, "source": p.source,
                    "description": p.description})
    return out


def parameters_json(records: list[dict[str, Any]]) -> str:
    """The records as a JSON list of objects."""
    return json.dumps(records, indent=2, ensure_ascii=False)


def parameters_csv(records: list[dict[str, Any]]) -> str:
    """The records as CSV for spreadsheets: a header row, one row per parameter, empty cells
    where there is no value, ``true``/``false`` for booleans, Excel's ``\\r\\n`` line ends.
    Write it as UTF-8 with a byte-order mark (``utf-8-sig``) so Excel reads ×, – and … right."""

    def cell(v: Any) -> Any:
        return "" if v is None else ("true" if v else "false") if isinstance(v, bool) else v

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(PARAMETER_COLUMNS)
    for r in records:
        writer.writerow([cell(r[c]) for c in PARAMETER_COLUMNS])
    return buf.getvalue()


def parameters_table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The records as text cells for a terminal table: columns and rows, with the valid and
    the plausible range each shown as ``low…high``."""

    def span(low: Any, high: Any) -> str:
        return "" if low is None and high is None else f"{'' if low is None else low}…{'' if high is None else high}"

    return (["path", "default", "range", "plausible", "unit", "kind", "source"],
            [[r["path"], str(r["default"]), span(r["low"], r["high"]), span(r["plausible_low"], r["plausible_high"]),
              r["unit"], r["kind"], r["source"]] for r in records])
