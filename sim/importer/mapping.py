"""Column mappings: which column of an organisation's export holds which field.

Real exports differ (``EmployeeNumber`` or ``emp_id``, satisfaction on 1–4 or as words), so each
input of ``lesim import`` has a mapping: ``columns`` (field → the export's column), ``values``
(field → {export value: value}) for coded answers, and ``scale`` (field → [low, high]) for
numbers on another scale. The default mapping expects the field names themselves as column
names; ``lesim import --template FILE`` writes it, with every field explained, to start from.
A mapping file is read with YAML's safe loader and checked like a scenario: a mistake is one
line naming the file, line and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# field → (required?, what it is). Order is the template's order.
FIELDS: dict[str, dict[str, tuple[bool, str]]] = {
    "people": {
        "id": (True, "employee id (pseudonymised on import; never stored as given)"),
        "department": (True, "department or business unit"),
        "role": (True, "role or job title"),
        "manager": (False, "line manager's employee id (without it, teams are formed by department and role)"),
        "level": (False, "job level or grade (a number; higher is more senior)"),
        "tenure": (False, "time with the organisation, in tenure_unit"),
        "hire_date": (False, "hire date (YYYY-MM-DD); gives the tenure at as_of when there is no tenure column"),
        "location": (False, "work location: on-site, hybrid or remote (map other words with values:)"),
        "engagement": (False, "engagement or satisfaction score (map to 0–1 with scale: or values:)"),
        "training_hours": (False, "formal learning hours in the last year"),
        "training_count": (False, "trainings attended in the last year (× hours_per_training when there are no hours)"),
        "leaver": (False, "left in the last year (yes/no, true/false, 1/0)"),
        "leave_date": (False, "date of leaving (YYYY-MM-DD); a date within the year before as_of marks a leaver"),
    },
    "skills": {
        "id": (True, "skill id as the requirements and assessments name it"),
        "label": (False, "skill name shown in reports (default: the id)"),
        "code": (False, "ESCO or O*NET code / URI"),
        "open": (False, "open skill (judgement, people) rather than closed, procedural (yes/no)"),
    },
    "requirements": {
        "role": (True, "role or job title, as in the people export"),
        "skill": (True, "skill id"),
        "level": (True, "required level (map to 0–5 with scale:)"),
        "criticality": (False, "weight of the skill in the role (map to 0–1 with scale:; default 0.5)"),
    },
    "assessments": {
        "employee": (True, "employee id"),
        "skill": (True, "skill id"),
        "level": (True, "assessed level (map to 0–5 with scale:)"),
        "date": (False, "assessment date (YYYY-MM-DD); the latest per person and skill is kept"),
    },
    "completions": {
        "employee": (True, "employee id"),
        "item": (True, "learning item id or title"),
        "hours": (False, "hours spent (default: default_hours)"),
        "date": (False, "completion date (YYYY-MM-DD); only the year before as_of counts"),
        "skill": (False, "skill id the item teaches (items with one join the content catalogue)"),
    },
    "network": {
        "a": (True, "one employee id"),
        "b": (True, "the other employee id"),
        "weight": (False, "strength, e.g. e-mails or meetings between them (default 1)"),
    },
}


class Input(BaseModel):
    """How one export maps to its fields."""

    model_config = ConfigDict(extra="forbid")
    columns: dict[str, str | None] = Field(default_factory=dict)
    values: dict[str, dict[str, Any]] = Field(default_factory=dict)
    scale: dict[str, tuple[float, float]] = Field(default_factory=dict)


class Mapping(BaseModel):
    """A whole mapping file (see the module docstring and :func:`template`)."""

    model_config = ConfigDict(extra="forbid")
    as_of: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    tenure_unit: Literal["years", "months", "weeks"] = "years"
    hours_per_training: float = Field(8.0, gt=0, le=1000)
    default_hours: float = Field(1.0, gt=0, le=1000)
    min_weight: float = Field(0.0, ge=0)
    role_profile: str = "specialist"
    people: Input = Field(default_factory=Input)
    skills: Input = Field(default_factory=Input)
    requirements: Input = Field(default_factory=Input)
    assessments: Input = Field(default_factory=Input)
    completions: Input = Field(default_factory=Input)
    network: Input = Field(default_factory=Input)

    def column(self, kind: str, field: str) -> tuple[str | None, bool]:
        """(the export's column for ``field``, whether the mapping named it). Without a mapping
        entry the field's own name is tried, and its absence is not an error for optional fields."""
        cols = getattr(self, kind).columns
        if field in cols:
            return cols[field], True
        return field, False


def template() -> str:
    """The default mapping as a commented YAML file to start from (``lesim import --template``)."""
    lines = [
        "# lesim import: how your exports' columns map to the model's fields.",
        "# Change the right-hand side of columns: to your export's column names; null = not in the export.",
        "# Optional fields are commented out: without an entry the field's own name is used when the export has",
        "# such a column. Uncomment and change one to name your column (then it must exist); null = skip it.",
        "# values: maps coded answers; scale: [low, high] maps numbers on another scale onto the field's range",
        "# (low → 0, high → 5 for levels, → 1 for engagement and scores), e.g. engagement on a 1–4 survey:",
        "#   people:",
        "#     scale: {engagement: [1, 4]}",
        "#     values: {engagement: {Low: 0.125, Medium: 0.375, High: 0.625, Very_High: 0.875}}",
        "as_of: null              # date of the export (YYYY-MM-DD); default: the latest hire or leave date, else today",
        "tenure_unit: years       # unit of people.tenure: years, months or weeks",
        "hours_per_training: 8.0  # hours of one training when only training_count is known (assumption)",
        "default_hours: 1.0       # hours of a completion without hours",
        "min_weight: 0            # network ties weaker than this are dropped",
        "role_profile: specialist # without a requirements file: a built-in role whose requirements an",
        "                         # imported role takes (a role named like a built-in one takes that one's)",
    ]
    for kind, fields in FIELDS.items():
        lines.append(f"{kind}:")
        lines.append("  columns:")
        for name, (required, what) in fields.items():
            if required:
                lines.append(f"    {name}: {name:<16} # required: {what}")
            else:   # commented out: the default tries the field's own name and skips it when absent
                lines.append(f"    # {name}: {name:<14} # optional: {what}")
    return "\n".join(lines) + "\n"


def load_mapping(path: Path | None) -> Mapping:
    """The mapping of ``path`` (the default mapping when None); mistakes as ScenarioError lines."""
    from ..loader import ScenarioError, format_error, line_of, parse_yaml, read_text
    if path is None:
        return Mapping()
    data, node = parse_yaml(read_text(Path(path)), str(path))
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:1: expected a mapping of keys (people:, skills:, …), got {type(data).__name__}")
    from pydantic import ValidationError
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ScenarioError(f"{path}:{line_of(node, err['loc']) or 1}: {key}: {format_error(err, Mapping)}") from None
    for kind, fields in FIELDS.items():
        inp = getattr(mapping, kind)
        for section in ("columns", "values", "scale"):
            for name in getattr(inp, section):
                if name not in fields:
                    loc = (kind, section, name)
                    raise ScenarioError(f"{path}:{line_of(node, loc) or 1}: {'.'.join(loc)}: unknown field; "
                                        f"known: {', '.join(fields)}")
        for name, (low, high) in inp.scale.items():
            if not high > low:
                loc = (kind, "scale", name)
                raise ScenarioError(f"{path}:{line_of(node, loc) or 1}: {'.'.join(loc)}: expected [low, high] "
                                    f"with high > low, got [{low:g}, {high:g}]")
    return mapping
