"""Load scenario YAML into a validated, immutable :class:`~sim.scenario.Scenario`.

The one boundary where user text enters the program. YAML is parsed with PyYAML's *safe*
loader only; the node tree is kept so that every validation error can name the file, the
line and the key path, e.g.::

    scenarios/x.yaml:14: policies.mentoring.ratio: must be between 0 and 1, got 1.5

Guards: files over 5 MB, documents that expand to more than 200,000 nodes through aliases
(a "billion laughs" bomb) and non-mapping documents are rejected before validation.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from .parameters import LOCATION_SEP, field_bounds
from .scenario import Scenario

MAX_BYTES = 5_000_000
MAX_NODES = 200_000


class ScenarioError(Exception):
    """A user mistake in a scenario or experiment: its message is one line, shown as is."""


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Node count of ``node`` with every alias expanded, computed without expanding."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # guards against recursive aliases
    if isinstance(node, yaml.MappingNode):
        n = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        n = 1
    memo[key] = n
    return n


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """1-based line of the key path ``loc`` in the YAML node tree (nearest known ancestor)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == part:
                    line = k.start_mark.line + 1
                    node = v
                    break
            else:
                # a union tag or a missing key: stay at the parent
                continue
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
    return line




def _path(loc: tuple, known_tags: set[str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in known_tags or part.startswith("function-") or part == "[key]":
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


_EVENT_TAGS = {"new_skill", "requirement_change", "budget_cut", "hiring_freeze", "reorganisation"}


def _num(x: Any) -> str:
    """A bound as a planner writes it: 1,000,000 rather than 1e+06."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{int(f):,}" if f.is_integer() else f"{f:g}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def format_error(err: dict, model_cls: type[BaseModel] = Scenario) -> str:
    """One line explaining a pydantic error, in planner's words."""
    typ = err["type"]
    ctx = err.get("ctx") or {}
    got = _short(err.get("input"))
    if typ in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        low, high = field_bounds(model_cls, err["loc"])
        if low is not None and high is not None:
            return f"must be between {_num(low)} and {_num(high)}, got {got}"
        word = {"greater_than_equal": "at least", "less_than_equal": "at most",
                "greater_than": "greater than", "less_than": "less than"}[typ]
        bound = next(iter(ctx.values()), "?")
        return f"must be {word} {_num(bound)}, got {got}"
    if typ in {"too_long", "too_short"}:
        return f"{err['msg'].rstrip('.')}"
    if typ == "value_error":
        return str(ctx.get("error", err["msg"]))
    template = _MESSAGES.get(typ)
    if template is None:
        return f"{err['msg'].rstrip('.')}, got {got}"
    return template.format(got=got, events=", ".join(sorted(_EVENT_TAGS)),
                           **{k: (repr(v) if k == "tag" else v) for k, v in ctx.items()})


# pydantic error type → message in planner's words ({got}: the offending value; other fields
# come from the error's context)
_MESSAGES = {
    "string_pattern_mismatch": "must start with a letter or digit and use only letters, digits, spaces, '.', '_' or "
                               "'-', got {got}",
    "string_too_short": "must not be empty, got {got}",
    "string_too_long": "is too long (at most {max_length} characters)",
    "extra_forbidden": "unknown key (check the spelling; `lesim schema` lists every key)",
    "missing": "is required",
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float", "int_strict"), "must be a whole number, got {got}"),
    **dict.fromkeys(("float_type", "float_parsing", "finite_number"), "must be a finite number, got {got}"),
    **dict.fromkeys(("bool_type", "bool_parsing"), "must be true or false, got {got}"),
    "string_type": "must be text, got {got}",
    **dict.fromkeys(("model_type", "model_attributes_type", "dict_type"), "must be a mapping of keys to values, got {got}"),
    "list_type": "must be a list, got {got}",
    "literal_error": "must be one of {expected}, got {got}",
    "union_tag_invalid": "unknown type {tag}; expected one of {expected_tags}",
    "union_tag_not_found": "needs a `type:` key, one of {events}",
}


def parse_yaml(text: str, origin: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text safely; returns (data, node tree) or raises ScenarioError."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise ScenarioError(f"{origin}: file is larger than {MAX_BYTES // 1_000_000} MB; a scenario is a short text file")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise _yaml_error(origin, e) from None
    except RecursionError:
        raise ScenarioError(f"{origin}: not valid YAML for a scenario: nested too deeply") from None
    if node is None:
        raise ScenarioError(f"{origin}: file is empty; expected a mapping such as `name: my-scenario`")
    if _expanded_size(node, {}) > MAX_NODES:
        raise ScenarioError(f"{origin}:{node.start_mark.line + 1}: document expands to more than {MAX_NODES:,} values "
                            "through aliases; refusing to load it")
    _check_keys(node, origin)
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as e:
        raise _yaml_error(origin, e) from None
    except RecursionError:
        raise ScenarioError(f"{origin}: not valid YAML for a scenario: nested too deeply") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise ScenarioError(f"{origin}: a value cannot be read: {str(e).splitlines()[0]}") from None
    return data, node


def _yaml_error(origin: str, e: yaml.YAMLError) -> ScenarioError:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        what = "; ".join(p for p in (e.context, e.problem) if p)
        if e.context_mark is not None and e.problem_mark is not None and e.context_mark.line != e.problem_mark.line:
            what += f" (started on line {e.context_mark.line + 1})"
        return ScenarioError(f"{origin}{line}: not valid YAML: {what}")
    return ScenarioError(f"{origin}: not valid YAML: {str(e).splitlines()[0]}")


_STR_TAG = "tag:yaml.org,2002:str"


def _check_keys(node: yaml.Node, origin: str, seen: set[int] | None = None) -> None:
    """Reject repeated keys (YAML would keep the last silently) and keys that are not text."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, int] = {}
        for k, v in node.value:
            line = k.start_mark.line + 1
            if not isinstance(k, yaml.ScalarNode) or k.tag != _STR_TAG:
                if isinstance(k, yaml.ScalarNode) and k.tag == "tag:yaml.org,2002:merge":
                    _check_keys(v, origin, seen)
                    continue
                shown = k.value if isinstance(k, yaml.ScalarNode) else "a list or mapping"
                raise ScenarioError(f"{origin}:{line}: key {shown!r} is not text; keys are names "
                                    f"(quote it if you meant the word, e.g. \"{shown}\":)")
            if k.value in keys:
                raise ScenarioError(f"{origin}:{line}: key {k.value!r} repeats the one on line {keys[k.value]}; "
                                    "merge the two blocks")
            keys[k.value] = line
            _check_keys(v, origin, seen)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            _check_keys(v, origin, seen)
    elif node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(node.value) > 100:
        raise ScenarioError(f"{origin}:{node.start_mark.line + 1}: number with {len(node.value)} characters is "
                            "far outside any range a scenario allows")


def read_text(path: Path) -> str:
    """Read a user file, turning OS errors into one-line ScenarioErrors."""
    try:
        if path.is_dir():
            raise ScenarioError(f"{path}: is a folder, expected a YAML file")
        if path.stat().st_size > MAX_BYTES:
            raise ScenarioError(f"{path}: file is larger than {MAX_BYTES // 1_000_000} MB; a scenario is a short text file")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file") from None
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read: {e.strerror}") from None


def parse_override(item: str) -> tuple[list[str], Any]:
    """Parse ``key.path=value`` (the value is read as YAML: numbers, booleans, lists)."""
    if "=" not in item:
        raise ScenarioError(f"--set {item}: expected key.path=value, e.g. policies.mentoring.ratio=0.3")
    key, _, raw = item.partition("=")
    parts = [p for p in key.strip().split(".")]
    if not key.strip() or any(not p for p in parts):
        raise ScenarioError(f"--set {item}: expected key.path=value, e.g. policies.mentoring.ratio=0.3")
    value, _ = parse_yaml(raw, f"--set {key}") if raw.strip() else (None, None)
    if raw.strip() == "":
        raise ScenarioError(f"--set {key}: missing value after '='")
    return parts, value


def apply_override(data: dict, parts: list[str], value: Any, item: str) -> None:
    """Set ``value`` at the dotted path in the raw scenario mapping (list items by index);
    ``item`` names the override in errors (e.g. ``--set a.b=1``)."""
    cur: Any = data
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(cur, list):
            if not p.isdigit() or int(p) >= len(cur):
                raise ScenarioError(f"{item}: {'.'.join(parts[:i])} has no item {p}")
            idx = int(p)
            if last:
                cur[idx] = value
            else:
                cur = cur[idx]
            continue
        if not isinstance(cur, dict):
            raise ScenarioError(f"{item}: {'.'.join(parts[:i])} is not a mapping")
        if last:
            cur[p] = value
        else:
            if cur.get(p) is None:
                cur[p] = {}
            cur = cur[p]


def validate_data(data: Any, origin: str, node: yaml.Node | None = None,
                  overrides: dict[str, str] | None = None, model_cls: type[BaseModel] = Scenario) -> Any:
    """Validate raw data into ``model_cls``; the first error becomes a one-line ScenarioError.

    ``overrides`` maps a key path that was set from outside the file to how the user wrote
    it (e.g. ``--set weeks=10``): an error under that path names the override, not the file.
    """
    if not isinstance(data, dict):
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        raise ScenarioError(f"{origin}{line}: expected a mapping of keys (name:, organisation:, …) at the top level, "
                            f"got {type(data).__name__}")
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        if err["type"] == "value_error" and LOCATION_SEP in str(err.get("ctx", {}).get("error", "")):
            *extra, message = str(err["ctx"]["error"]).split(LOCATION_SEP)
            err = {**err, "loc": tuple(err["loc"]) + tuple(int(p) if p.isdigit() else p for p in extra),
                   "ctx": {"error": message}}
        path = _path(err["loc"], _EVENT_TAGS)
        message = format_error(err, model_cls)
        for key, item in (overrides or {}).items():
            if (path == key or path.startswith(key + ".") or path.startswith(key + "[")
                    or (path and (key.startswith(path + ".") or key.startswith(path + "[")))):
                raise ScenarioError(f"{item}: {path}: {message}") from None
        line = line_of(node, err["loc"])
        where = f"{origin}:{line}" if line else origin
        raise ScenarioError(f"{where}: {path or '(top level)'}: {message}") from None


def _display_path(parts: list[str]) -> str:
    return "".join(f"[{p}]" if p.isdigit() else (("." if i else "") + p) for i, p in enumerate(parts))


def load_raw(path: str | Path) -> tuple[dict, yaml.Node]:
    """Read and parse a scenario file without validating (for overrides and experiments)."""
    path = Path(path)
    data, node = parse_yaml(read_text(path), str(path))
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:{node.start_mark.line + 1}: expected a mapping of keys (name:, organisation:, …) "
                            f"at the top level, got {type(data).__name__}")
    return data, node


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, override (``key.path=value`` strings) and validate a scenario file."""
    data, node = load_raw(path)
    return scenario_from_data(data, str(path), node, overrides)


def scenario_from_data(data: dict, origin: str = "<scenario>", node: yaml.Node | None = None,
                       overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Apply ``--set``-style overrides (``key.path=value`` strings) to raw data and validate."""
    parsed = {}
    for item in overrides:
        parts, value = parse_override(item)
        parsed[item] = (parts, value)
    return scenario_with(data, {f"--set {item}": pv for item, pv in parsed.items()}, origin, node)


def _fill_defaults_on_path(data: dict, parts: list[str]) -> None:
    """Before setting an item of a list the file leaves at its default (``organisation.
    skills.0.name``), copy the default list into the data, so any parameter has a path."""
    if not any(p.isdigit() for p in parts):
        return
    defaults: Any = Scenario().model_dump(mode="json")
    cur: Any = data
    for i, p in enumerate(parts[:-1]):
        if isinstance(cur, list):
            if not p.isdigit() or int(p) >= len(cur):
                return
            cur, defaults = cur[int(p)], (defaults[int(p)] if isinstance(defaults, list) and int(p) < len(defaults) else None)
        elif isinstance(cur, dict):
            if p not in cur or cur[p] is None:
                if not isinstance(defaults, dict) or p not in defaults:
                    return
                cur[p] = copy.deepcopy(defaults[p])
            cur, defaults = cur[p], (defaults.get(p) if isinstance(defaults, dict) else None)
        else:
            return


def scenario_with(data: dict, overrides: dict[str, tuple[list[str], Any]], origin: str = "<scenario>",
                  node: yaml.Node | None = None) -> Scenario:
    """Set each override (label → (key path parts, value)) in a copy of the raw data and
    validate; an error under an overridden path names the override's label."""
    data = copy.deepcopy(data)
    applied: dict[str, str] = {}
    for label, (parts, value) in overrides.items():
        _fill_defaults_on_path(data, parts)
        apply_override(data, parts, value, label)
        applied[_display_path(parts)] = label
    return validate_data(data, origin, node, applied)


def keyword_path(key: str) -> list[str]:
    """The key path of a keyword override: dots, or ``__`` where a dot cannot stand in a
    Python keyword (``policies__mentoring__enabled`` = ``policies.mentoring.enabled``; a
    list item by its index, ``organisation__skills__0__name``)."""
    return key.replace("__", ".").split(".")


def scenario_from_keywords(scenario: Scenario | str | Path | None = None, rng: Any = None,
                           overrides: dict[str, Any] | None = None) -> Scenario:
    """The scenario of ``LearningEcosystem(scenario, rng=..., **overrides)``: ``scenario`` (a
    :class:`~sim.scenario.Scenario`, a YAML path, or None for the built-in defaults) with each
    keyword override (key path → Python value, :func:`keyword_path`) applied and validated
    exactly like ``--set`` (the same messages, labelled with the keyword as written).
    ``rng``, Mesa's name for the seed (``mesa.batch_run`` passes it), is the scenario's
    ``seed`` when it is a whole number. Raises :class:`ScenarioError` for any mistake."""
    overrides = dict(overrides or {})
    if rng is not None:
        if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
            raise ScenarioError(f"rng={_short(rng)}: expected a whole number (the run's seed) or None; the model draws "
                                "from named streams derived from one integer seed")
        if "seed" in overrides and overrides["seed"] != rng:
            raise ScenarioError(f"rng={rng}, seed={_short(overrides['seed'])}: give the seed once (rng is Mesa's name "
                                "for it)")
        overrides["seed"] = int(rng)
    if scenario is None:
        if not overrides:
            return Scenario()
        data, node, origin = Scenario().model_dump(mode="json"), None, "<defaults>"
    elif isinstance(scenario, (str, Path)):
        data, node = load_raw(scenario)
        origin = str(scenario)
    elif isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        data, node, origin = scenario.model_dump(mode="json"), None, f"<scenario {scenario.name}>"
    else:
        raise ScenarioError(f"scenario={_short(scenario)}: expected a Scenario, the path of a scenario YAML file, or None")
    parsed = {}
    for key, value in overrides.items():
        parts = keyword_path(key)
        if not key or any(not p for p in parts):
            raise ScenarioError(f"{key}={_short(value)}: expected a key path such as policies__mentoring__ratio=0.3")
        # numpy scalars (np.arange, np.linspace in a sweep) are the Python numbers they hold
        parsed[f"{key}={_short(value)}"] = (parts, value.item() if isinstance(value, np.generic) else value)
    return scenario_with(data, parsed, origin, node)
