"""Load scenario YAML into a validated, immutable :class:`~sim.scenario.Scenario`.

The one boundary where user text enters the program. YAML is parsed with PyYAML's *safe*
loader only; the node tree is kept so that every validation error can name the file, the
line and the key path, e.g.::

    scenarios/x.yaml:14: policies.mentoring.ratio: must be between 0 and 1, got 1.5

Scalars follow YAML 1.2's core schema with decimal numbers (``1:30``, ``0x1``, ``1_000``,
``yes``/``no``/``on``/``off`` are text, not numbers or booleans as in YAML 1.1).

Guards, each giving one line: anything but a regular file (a pipe, a device, a folder) and
files over 5 MB are refused before they are parsed (read with a byte limit); more than
200,000 values, or a document that expands through aliases to more than 200,000 values (a
"billion laughs" bomb), stop the parse as soon as the limit is passed; non-mapping
documents are rejected before validation. The file is parsed once.
"""

from __future__ import annotations

import copy
import os
import re
import stat
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from .parameters import LOCATION_SEP, field_bounds
from .scenario import Scenario

MAX_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_NUMBER_CHARS = 100  # a number written with more characters is far outside any range a scenario allows


def one_line(text: str) -> str:
    """``text`` with every character that would break a one-line message shown escaped as
    in Python (a newline as ``\\n``, an ANSI escape as ``\\x1b``, a byte-order mark as
    ``\\ufeff``): user text from a key, a value or a path cannot add a line, move the
    cursor or recolour a terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(Exception):
    """A user mistake in a scenario or experiment: its message is one line, shown as is
    (control characters in it are escaped, :func:`one_line`)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(one_line(str(message)))


# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), decimal numbers only:
# PyYAML implements YAML 1.1, where `1:30` is the number 90, `010` is 8, `0x1` is 1, `1_000` is 1000,
# `yes`, `no`, `on`, `off` are booleans and `2024-01-01` is a date. Here all of those are text
# (a number field then refuses them with one line) and `1e3` is the number 1000.
_INT_12 = re.compile(r"^[-+]?[0-9]+$")
_FLOAT_12 = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL_12 = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL_12 = re.compile(r"^(?:~|null|Null|NULL|)$")


class _Resolver(yaml.resolver.BaseResolver):
    """Implicit tags of YAML 1.2's core schema (decimal numbers), plus the merge key ``<<``."""


_Resolver.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
        ("tag:yaml.org,2002:int", _INT_12, list("-+0123456789")),
        ("tag:yaml.org,2002:float", _FLOAT_12, list("-+.0123456789")),
        ("tag:yaml.org,2002:null", _NULL_12, ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])):
    _Resolver.add_implicit_resolver(_tag, _regexp, _first)


class _Constructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor with YAML 1.2 numbers and booleans, also for explicit
    ``!!int``/``!!float``/``!!bool`` tags; anything else is refused with its line."""

    def _scalar(self, node: yaml.Node, kind: str) -> str:
        value = self.construct_scalar(node)
        if len(value) > MAX_NUMBER_CHARS:
            raise yaml.constructor.ConstructorError(None, None, f"a {kind} with {len(value)} characters is far outside "
                                                    "any range a scenario allows", node.start_mark)
        return value

    def construct_yaml_int(self, node: yaml.Node) -> int:
        value = self._scalar(node, "number")
        if not _INT_12.match(value):
            raise yaml.constructor.ConstructorError(None, None, f"{value!r} is not a whole number (write it in "
                                                    "decimal digits)", node.start_mark)
        return int(value)

    def construct_yaml_float(self, node: yaml.Node) -> float:
        value = self._scalar(node, "number")
        if not _FLOAT_12.match(value):
            raise yaml.constructor.ConstructorError(None, None, f"{value!r} is not a number", node.start_mark)
        low = value.lower()
        if low.endswith(".inf"):
            return float("-inf") if low.startswith("-") else float("inf")
        if low == ".nan":
            return float("nan")
        return float(value)  # beyond ±1.8e308: ±inf, which every bounded field refuses with its key

    def construct_yaml_bool(self, node: yaml.Node) -> bool:
        value = self.construct_scalar(node)
        if value not in _BOOL_12:
            raise yaml.constructor.ConstructorError(None, None, f"{one_line(value[:40])!r} is not true or false",
                                                    node.start_mark)
        return _BOOL_12[value]


for _tag, _fn in (("int", _Constructor.construct_yaml_int), ("float", _Constructor.construct_yaml_float),
                  ("bool", _Constructor.construct_yaml_bool)):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _fn)


class _CountingComposer(yaml.composer.Composer):
    """PyYAML's composer that counts while it composes: more than MAX_NODES values in the
    file, or a collection that expands through aliases to more than MAX_NODES values (a
    "billion laughs" bomb), stops the parse at once, saying which limit was passed."""

    origin: str
    composed: int
    expanded: dict[int, int]  # id(collection node) → values it holds, aliases expanded

    def _start_counting(self, origin: str) -> None:
        self.origin = origin
        self.composed = 0
        self.expanded = {}

    def compose_node(self, parent, index):
        if not self.check_event(yaml.AliasEvent):
            self.composed += 1
            if self.composed > MAX_NODES:
                line = self.peek_event().start_mark.line + 1
                raise ScenarioError(f"{self.origin}:{line}: more than {MAX_NODES:,} values in one file; a scenario "
                                    "is a short text file")
        return super().compose_node(parent, index)

    def _count(self, node: yaml.Node, children: Iterable[yaml.Node]) -> yaml.Node:
        size = 1 + sum(self.expanded.get(id(c), 1) for c in children)
        self.expanded[id(node)] = size
        if size > MAX_NODES:
            raise ScenarioError(f"{self.origin}:{node.start_mark.line + 1}: document expands to more than "
                                f"{MAX_NODES:,} values through aliases; refusing to load it")
        return node

    def compose_sequence_node(self, anchor):
        node = super().compose_sequence_node(anchor)
        return self._count(node, node.value)

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        return self._count(node, (n for kv in node.value for n in kv))


if yaml.__with_libyaml__:  # libyaml's scanner and parser (C, ~8x faster), the composer above, in Python
    class _Loader(_CountingComposer, yaml.cyaml.CParser, _Constructor, _Resolver):
        """The scenario loader: safe, YAML 1.2 core scalars, limits while composing."""

        def __init__(self, text: str, origin: str):
            yaml.cyaml.CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
            self._start_counting(origin)
else:  # pragma: no cover - PyYAML built without libyaml
    class _Loader(_CountingComposer, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore
                  _Constructor, _Resolver):
        """The scenario loader: safe, YAML 1.2 core scalars, limits while composing."""

        def __init__(self, text: str, origin: str):
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
            self._start_counting(origin)


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
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"  # exact: 2**63 - 1 is not rounded through a float
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
    """Parse YAML text safely, once; returns (data, node tree) or raises ScenarioError.

    The size limits are enforced while the document is composed (:class:`_Loader`), so a
    huge list is refused after MAX_NODES values, not after it has been built."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise ScenarioError(f"{origin}: file is larger than {MAX_BYTES // 1_000_000} MB; a scenario is a short text file")
    loader = None
    try:
        loader = _Loader(text, origin)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(f"{origin}: file is empty; expected a mapping such as `name: my-scenario`")
        _check_keys(node, origin)
        data = loader.construct_document(node)
    except yaml.YAMLError as e:
        raise _yaml_error(origin, e, text) from None
    except RecursionError:
        raise ScenarioError(f"{origin}: not valid YAML for a scenario: nested too deeply") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise ScenarioError(f"{origin}: a value cannot be read: {str(e).splitlines()[0]}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _yaml_error(origin: str, e: yaml.YAMLError, text: str = "") -> ScenarioError:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = e.problem
        if problem == "found character that cannot start any token" and mark is not None:  # libyaml's wording
            lines = text.splitlines()
            if mark.line < len(lines) and mark.column < len(lines[mark.line]):
                problem = f"found character {lines[mark.line][mark.column]!r} that cannot start any token"
        what = "; ".join(p for p in (e.context, problem) if p)
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
    """Read a user file, turning OS errors into one-line ScenarioErrors. Only a regular file
    is read (a pipe or a device would block or never end: it is opened without waiting and
    refused), and never more than MAX_BYTES + 1 bytes whatever size the file reports."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, expected a YAML file") from None
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ScenarioError(f"{path}: is a folder, expected a YAML file")
        if not stat.S_ISREG(mode):
            raise ScenarioError(f"{path}: not a regular file (a pipe, a device or a socket); expected a YAML file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    return decode_text(raw, str(path))


def decode_text(raw: bytes, name: str) -> str:
    """A user file's bytes as text: at most MAX_BYTES, UTF-8 (``name`` is how errors name it)."""
    if len(raw) > MAX_BYTES:
        raise ScenarioError(f"{name}: file is larger than {MAX_BYTES // 1_000_000} MB; a scenario is a short text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: not a UTF-8 text file") from None


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
                  overrides: dict[str, str] | None = None, model_cls: type[BaseModel] = Scenario,
                  blame: str | None = None) -> Any:
    """Validate raw data into ``model_cls``; the first error becomes a one-line ScenarioError.

    ``overrides`` maps a key path that was set from outside the file to how the user wrote
    it (e.g. ``--set weeks=10``): an error under that path names the override, not the file.
    ``blame``, if given, names any other error instead of the file (the overrides caused it:
    the file alone is valid).
    """
    if not isinstance(data, dict):
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        raise ScenarioError(f"{origin}{line}: expected a mapping of keys (name:, organisation:, …) at the top level, "
                            f"got {type(data).__name__}")
    try:
        return model_cls.model_validate(data, context={"horizon_overridden": "weeks" in (overrides or {})})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        if err["type"] == "value_error" and LOCATION_SEP in str(err.get("ctx", {}).get("error", "")):
            *extra, message = str(err["ctx"]["error"]).split(LOCATION_SEP)
            err = {**err, "loc": tuple(err["loc"]) + tuple(int(p) if p.isdigit() else p.replace("\\x1f", LOCATION_SEP)
                                                           for p in extra),
                   "ctx": {"error": message}}
        path = _path(err["loc"], _EVENT_TAGS)
        message = format_error(err, model_cls)
        for key, item in (overrides or {}).items():
            if (path == key or path.startswith(key + ".") or path.startswith(key + "[")
                    or (path and (key.startswith(path + ".") or key.startswith(path + "[")))):
                raise ScenarioError(f"{item}: {path}: {message}") from None
        if blame is not None:
            raise ScenarioError(f"{blame}: {path or '(top level)'}: {message}") from None
        line = line_of(node, err["loc"])
        where = f"{origin}:{line}" if line else origin
        raise ScenarioError(f"{where}: {path or '(top level)'}: {message}") from None


def _display_path(parts: list[str]) -> str:
    return "".join(f"[{p}]" if p.isdigit() else (("." if i else "") + p) for i, p in enumerate(parts))


def load_raw(path: str | Path) -> tuple[dict, yaml.Node]:
    """Read and parse a scenario file without validating (for overrides and experiments). The
    imported tables it names (``organisation.data``) are resolved against its folder."""
    path = Path(path)
    data, node = parse_scenario_text(read_text(path), str(path))
    resolve_data_files(data, node, path)
    return data, node


DATA_TABLES = ("people", "network", "assessments")


def resolve_data_files(data: dict, node: yaml.Node | None, path: Path) -> None:
    """Make the ``organisation.data`` tables' paths absolute, in place: each must be a relative
    path that stays inside the scenario file's folder (so a scenario, or the dashboard that
    opens it, reads nothing outside the folder it was given)."""
    org = data.get("organisation")
    tables = org.get("data") if isinstance(org, dict) else None
    if not isinstance(tables, dict):
        return
    folder = path.resolve().parent
    for name in DATA_TABLES:
        entry = tables.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue
        loc = ("organisation", "data", name, "file")
        where = f"{path}:{line_of(node, loc) or 1}: {'.'.join(loc)}"
        given = Path(entry["file"])
        if given.is_absolute() or ".." in given.parts:
            raise ScenarioError(f"{where}: must be a path inside the scenario's folder, relative to it "
                                f"(e.g. people.csv), got {entry['file']!r}")
        target = (folder / given).resolve()
        if not target.is_relative_to(folder):
            raise ScenarioError(f"{where}: {entry['file']!r} leads outside the scenario's folder")
        entry["file"] = str(target)


def relative_data_files(data: dict, folder: Path) -> dict:
    """A copy of scenario ``data`` whose ``organisation.data`` tables are named relative to
    ``folder`` again (the inverse of :func:`resolve_data_files`, for writing a scenario file)."""
    import copy
    out = copy.deepcopy(data)
    tables = (out.get("organisation") or {}).get("data") if isinstance(out.get("organisation"), dict) else None
    if isinstance(tables, dict):
        for name in DATA_TABLES:
            entry = tables.get(name)
            if isinstance(entry, dict) and isinstance(entry.get("file"), str) and Path(entry["file"]).is_absolute():
                try:
                    entry["file"] = Path(entry["file"]).relative_to(folder.resolve()).as_posix()
                except ValueError:
                    pass
    return out


def parse_scenario_text(text: str, name: str) -> tuple[dict, yaml.Node]:
    """Parse a scenario's text (``name`` is how errors name it) without validating."""
    data, node = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise ScenarioError(f"{name}:{node.start_mark.line + 1}: expected a mapping of keys (name:, organisation:, …) "
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
    validate; an error under an overridden path names the override's label, and so does an
    error elsewhere that the overrides caused (``--set organisation.skills.0.name=x`` leaves a
    role requiring a skill that no longer exists): the file alone is valid, so the file's
    line would be the wrong place to look."""
    original = data
    data = copy.deepcopy(data)
    applied: dict[str, str] = {}
    for label, (parts, value) in overrides.items():
        _fill_defaults_on_path(data, parts)
        apply_override(data, parts, value, label)
        applied[_display_path(parts)] = label
    try:
        return validate_data(data, origin, node, applied)
    except ScenarioError as error:
        if not applied or any(str(error).startswith(label + ":") for label in applied.values()):
            raise
        try:
            validate_data(copy.deepcopy(original), origin, node)
        except ScenarioError:
            raise error from None  # the file's own mistake: its line is the place to look
    return validate_data(data, origin, node, applied, blame=" ".join(applied.values()))


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
