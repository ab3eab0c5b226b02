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
default. :func:`iter_parameters` walks them with their dotted paths.
"""

from __future__ import annotations

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

    The loader reads the path back so that the error names the right line and key.
    """
    return ValueError(LOCATION_SEP.join(str(p) for p in loc) + LOCATION_SEP + message)


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


def iter_parameters(model_cls: type[Section], prefix: str = "") -> Iterator[ParameterInfo]:
    """Yield every scalar parameter declared under ``model_cls`` with its dotted path.

    Nested sections are walked; lists and mappings (departments, events, …) are structure,
    not parameters, and are skipped.
    """
    for name, field in model_cls.model_fields.items():
        path = f"{prefix}{name}"
        sub = _section_class(field.annotation)
        if sub is not None:
            yield from iter_parameters(sub, path + ".")
            continue
        if get_origin(field.annotation) in (list, dict, tuple) or any(
            get_origin(a) in (list, dict, tuple) for a in get_args(field.annotation)
        ):
            continue
        extra = field.json_schema_extra or {}
        low, high = _bounds(field)
        yield ParameterInfo(
            path=path,
            default=field.default,
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
