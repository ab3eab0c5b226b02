"""Issue 14, CLI text and scenario input: each defect's reproducer, now a clean outcome.

A user mistake gives exactly one line ``error: file:line: key: message`` on stderr, exit
status 2, no traceback, no hang, nothing written; user text is never read as markup.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.loader import MAX_NODES, ScenarioError, load_scenario, parse_yaml
from sim.outcomes import OUTCOMES, NonFiniteOutcome, check_finite

from .conftest import ROOT, lesim

BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL = "name: small\nweeks: 2\nseed: 1\norganisation: {size: 40}\nstart: {spin_up_weeks: 0}\n"


def cli(*args: str) -> tuple[int, str, str]:
    """The real CLI in-process: (exit status, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_error(stderr: str) -> str:
    """The single line of a user-mistake error (fails if there is anything else)."""
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}: {stderr!r}"
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


def write(folder: Path, text: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


# ---------------------------------------------------------------- 1: markup in user text
@pytest.mark.parametrize("key", ["[/x]", "[bold]", "[link=https://example.org]weeks[/link]", ":smile:", "[/]"])
def test_markup_in_a_key_is_printed_literally(tmp_path: Path, key: str):
    path = write(tmp_path, f'name: x\n"{key}": 1\n')
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert one_error(err) == f"error: {path}:2: {key}: unknown key (check the spelling; `lesim schema` lists every key)"


def test_markup_in_a_path_a_set_value_and_out_is_printed_literally(tmp_path: Path):
    folder = tmp_path / "[bold]"
    folder.mkdir()
    path = write(folder, SMALL, "[bold]s.yaml")
    code, out, err = cli("validate", str(path))
    assert code == 0 and out.strip() == f"ok {path} (small)"
    code, _, err = cli("validate", str(path), "--set", "name=[/x]")
    assert code == 2 and one_error(err) == "error: --set name=[/x]: name: must be text, got ['/x']"
    code, _, err = cli("validate", str(path), "--set", "name='[/x]'")
    assert code == 2 and one_error(err).startswith("error: --set name='[/x]': name: must start with a letter") \
        and one_error(err).endswith("got '[/x]'")
    out_dir = Path(f"{tmp_path}/[red]out[/red]")
    code, out, err = cli("run", str(path), "--out", str(out_dir), "-q", "--replicates", "1")
    assert code == 0, err
    assert f"Wrote results to {out_dir} (" in out and (out_dir / "summary.json").exists()


def test_compare_shows_a_strategy_named_like_markup(tmp_path: Path):
    (tmp_path / "base.yaml").write_text("name: base\nweeks: 2\nseed: 1\norganisation: {size: 40}\n"
                                        "start: {spin_up_weeks: 0}\n")
    (tmp_path / "e.yaml").write_text(textwrap.dedent("""\
        name: markup
        base: base.yaml
        strategies:
          baseline: {}
          "[/x]": {policies.mentoring.enabled: true}
          "evil\\e[2J\\e[31mred": {policies.mentoring.enabled: true}
        design: {type: factorial, replicates: 2, seed: 5}
        measure: {outcomes: [skills_gap], every: 2}
        """))
    out = tmp_path / "sw"
    proc = lesim("sweep", str(tmp_path / "e.yaml"), "--out", str(out), "--workers", "1", check=True)
    code, stdout, err = cli("compare", str(out))
    assert code == 0 and "[/x]" in stdout and "Traceback" not in err
    # a strategy name with ANSI escapes is shown escaped in every table row, never sent raw
    assert "\x1b" not in stdout + err + proc.stdout + proc.stderr and "evil\\x1b[2J" in stdout
    code, _, err = cli("compare", str(out), "--baseline", "[/y]")
    assert code == 2 and "[/y]" in one_error(err)


# ---------------------------------------------------------------- 4: unbounded reads
def test_a_fifo_is_refused_at_once(tmp_path: Path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    proc = lesim("validate", str(fifo))  # nobody writes: a blocking open would hang forever
    assert time.perf_counter() - start < 60
    assert proc.returncode == 2
    assert one_error(proc.stderr) == f"error: {fifo}: not a regular file (a pipe, a device or a socket); expected a YAML file"


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused(target: str):
    if not os.path.exists(target):
        pytest.skip(f"no {target}")
    code, _, err = cli("validate", target)
    assert code == 2 and "not a regular file" in one_error(err)


def test_a_folder_and_an_unreadable_file_give_one_line(tmp_path: Path):
    code, _, err = cli("validate", str(tmp_path))
    assert code == 2 and one_error(err) == f"error: {tmp_path}: is a folder, expected a YAML file"
    secret = write(tmp_path, SMALL, "secret.yaml")
    secret.chmod(0)
    tmp_path.chmod(0o755)
    try:
        with unprivileged():
            with pytest.raises(PermissionError):  # really unreadable now
                secret.read_bytes()
            for command in ("validate", "run", "check"):
                code, _, err = cli(command, str(secret))
                assert code == 2 and one_error(err) == f"error: {secret}: cannot read: Permission denied"
    finally:
        secret.chmod(0o644)


@contextlib.contextmanager
def unprivileged():
    """Run the block as user ``nobody`` if we are root (CI is): root reads every file, so an
    unreadable file needs another user (the effective uid only, restored afterwards)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_file_that_grows_past_the_limit_is_read_only_to_the_limit(tmp_path: Path):
    big = write(tmp_path, "name: x\n" + "# padding\n" * 600_000)
    with pytest.raises(ScenarioError, match=r"file is larger than 5 MB"):
        load_scenario(big)


# ---------------------------------------------------------------- 5: size limits while parsing
def test_a_huge_list_is_refused_fast_and_named_as_too_many_values(tmp_path: Path):
    text = "name: x\nlist:\n" + "  - 1\n" * 800_000  # 4.8 MB
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "big.yaml")
    assert time.perf_counter() - start < 20  # was 72 s and 1.7 GB
    assert str(info.value) == f"big.yaml:{MAX_NODES - 2}: more than 200,000 values in one file; a scenario is a short text file"


def test_a_mapping_of_many_keys_is_not_called_alias_expansion():
    text = "name: x\nm:\n" + "".join(f"  k{i}: 1\n" for i in range(100_001))
    with pytest.raises(ScenarioError, match="more than 200,000 values in one file"):
        parse_yaml(text, "keys.yaml")


def test_an_alias_bomb_is_named_as_alias_expansion():
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg"))
    with pytest.raises(ScenarioError, match=r"^bomb.yaml:6: document expands to more than 200,000 values through "
                                            "aliases"):
        parse_yaml(text, "bomb.yaml")


# ---------------------------------------------------------------- 9: --set errors name the --set
def test_set_error_in_another_place_names_the_set_argument():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, ["organisation.skills.0.name=x"])
    assert str(info.value).startswith("--set organisation.skills.0.name=x: organisation.roles[0].requirements.")
    code, _, err = cli("validate", str(BASELINE), "--set", "organisation.skills.0.name=x")
    assert code == 2 and one_error(err).startswith("error: --set organisation.skills.0.name=x: ")


# ---------------------------------------------------------------- 10: one line always
@pytest.mark.parametrize("raw,shown", [
    ("a\\nb", "a\\nb"), ("a\\x1b[31mb", "a\\x1b[31mb"), ("\\ufeffa", "\\ufeffa"), ("a\\x1fb", "a\\x1fb"),
    ("a\\rb", "a\\rb"), ("a\\tb", "a\\tb"), ("a\\u2028b", "a\\u2028b")])
def test_control_characters_in_a_key_are_shown_escaped(tmp_path: Path, raw: str, shown: str):
    path = write(tmp_path, f'name: x\n"{raw}": 1\n')
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert one_error(err) == f"error: {path}:2: {shown}: unknown key (check the spelling; `lesim schema` lists every key)"


def test_control_characters_in_a_key_under_a_located_error_keep_the_key_path(tmp_path: Path):
    path = write(tmp_path, 'name: x\norganisation:\n  roles:\n    - name: r\n      requirements:\n'
                 '        "a\\x1fb": {level: 3}\n')
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert one_error(err).startswith(f"error: {path}:6: organisation.roles[0].requirements.a\\x1fb: ")


def test_a_file_starting_with_a_bom_loads():
    path = BASELINE.read_bytes()
    assert load_scenario(BASELINE).name == "baseline" and not path.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("args,expected", [
    (["sweep", "experiments/strategy_comparison.yaml", "--replicates", "0"],
     "error: lesim sweep: Invalid value for '--replicates'"),
    (["sweep", "experiments/strategy_comparison.yaml", "--weeks", "0"], "error: lesim sweep: Invalid value for '--weeks'"),
    (["run", str(BASELINE), "--replicates", "0"], "error: --replicates: must be between 1 and 10,000, got 0"),
    (["run", str(BASELINE), "--weeks", "0"], "error: --weeks: must be between 1 and 5,200, got 0"),
    (["run", str(BASELINE), "--weeks", "abc"], "error: lesim run: Invalid value for '--weeks'"),
    (["run", str(BASELINE), "--seed", str(2**63)], "error: --seed: must be between 0 and "
                                                   "9,223,372,036,854,775,807, got 9223372036854775808"),
    (["validate", str(BASELINE), "--set", f"seed={2**63}"], "seed: must be between 0 and 9,223,372,036,854,775,807, "
                                                            "got 9223372036854775808"),
    (["validate", "--bogus"], "error: lesim validate: No such option: --bogus"),
    (["run"], "error: lesim run: Missing argument 'scenario'."),
    (["nonsense"], "error: lesim: No such command 'nonsense'."),
])
def test_option_mistakes_give_one_line(args: list[str], expected: str):
    code, _, err = cli(*args)
    assert code == 2
    line = one_error(err)
    assert line.startswith(expected) if expected.startswith("error:") else expected in line


def test_the_largest_seed_is_accepted():
    code, out, err = cli("validate", str(BASELINE), "--set", f"seed={2**63 - 1}")
    assert code == 0, err


def test_the_real_entry_point_gives_one_line_for_a_usage_error():
    proc = lesim("sweep", "experiments/strategy_comparison.yaml", "--replicates", "0")
    assert proc.returncode == 2 and one_error(proc.stderr)


# ---------------------------------------------------------------- 12: nonsense accepted
def test_an_aptitude_shape_that_breaks_the_gamma_is_refused(tmp_path: Path):
    path = write(tmp_path, SMALL + "learning: {aptitude_shape: 5e-324}\n")
    code, _, err = cli("run", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and not (tmp_path / "out").exists()
    assert one_error(err) == f"error: {path}:6: learning.aptitude_shape: must be between 0.01 and 1,000, got 5e-324"


def test_a_quality_concentration_that_breaks_the_beta_is_refused():
    with pytest.raises(ScenarioError, match="rules.catalogue.quality_concentration: must be between 0.1 and 1,000"):
        load_scenario(BASELINE, ["rules.catalogue.quality_concentration=5e-324"])


def test_an_infinite_or_undefined_outcome_is_an_error_not_a_result():
    values = np.array([0.5] * len(OUTCOMES))
    check_finite(values, 3, staffed=True)  # finite: a result
    undefined = np.array([np.nan if o.may_be_undefined else 0.5 for o in OUTCOMES])
    check_finite(undefined, 3, staffed=True)  # no starts, no leavers …: "no value" is a result
    gap = [o.name for o in OUTCOMES].index("skills_gap")
    for bad, word in ((np.nan, "NaN"), (np.inf, "inf")):
        values[gap] = bad
        with pytest.raises(NonFiniteOutcome, match=rf"^week 3: outcome skills_gap is {word}: "):
            check_finite(values, 3, staffed=True)
    values[gap] = np.nan
    check_finite(values, 3, staffed=False)  # nobody in post: every mean is undefined
    assert issubclass(NonFiniteOutcome, ScenarioError)


def test_an_event_after_the_horizon_is_refused(tmp_path: Path):
    path = write(tmp_path, SMALL + "events:\n  - {type: budget_cut, week: 20, fraction: 0.1}\n")
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert one_error(err) == (f"error: {path}:7: events[0].week: week 20 is after the horizon (weeks: 2): the "
                              "budget_cut event would never happen; remove it or set weeks to at least 20")
    # a horizon shortened from outside the file is a deliberate short trial: run, naming the events cut off
    code, _, err = cli("run", str(path), "--set", "weeks=1", "-q", "--replicates", "1", "--out", str(tmp_path / "o"))
    assert code == 0
    assert "note: events[0] (budget_cut, week 20) falls after the horizon (week 1): it does not happen" in err


@pytest.mark.parametrize("value", ["1:30", "0x10", "0o7", "1_000", "0b101", "010.5e", "yes"])
def test_yaml_11_numbers_are_not_numbers(tmp_path: Path, value: str):
    path = write(tmp_path, f"name: x\nweeks: {value}\n")
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert one_error(err) == f"error: {path}:2: weeks: must be a whole number, got '{value}'"


@pytest.mark.parametrize("value", ["yes", "no", "on", "off", "y", "n"])
def test_yaml_11_booleans_are_text(tmp_path: Path, value: str):
    path = write(tmp_path, f"name: x\npolicies: {{mentoring: {{enabled: {value}}}}}\n")
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert one_error(err).endswith(f"policies.mentoring.enabled: must be true or false, got '{value}'")
    assert load_scenario(write(tmp_path, f"name: {value}\n", "n.yaml")).name == value  # the Norway problem


def test_yaml_12_numbers_and_explicit_tags():
    data, _ = parse_yaml("a: 1e3\nb: 010\nc: .inf\nd: -.5\ne: !!int '12'\nf: true\ng: null\nh: 2024-01-01\n", "t")
    assert data == {"a": 1000.0, "b": 10, "c": float("inf"), "d": -0.5, "e": 12, "f": True, "g": None,
                    "h": "2024-01-01"}
    for text, message in (("a: !!int '0x1'", "'0x1' is not a whole number"), ("a: !!bool yes", "'yes' is not true or "
                                                                                                "false")):
        with pytest.raises(ScenarioError, match=rf"^t:1: not valid YAML: {message}"):
            parse_yaml(text, "t")


def test_shipped_files_read_the_same_as_under_yaml_11():
    import yaml

    files = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("experiments/*.yaml")])
    assert len(files) >= 10
    for f in files:
        text = f.read_text()
        assert parse_yaml(text, str(f))[0] == yaml.safe_load(text), f


def test_rejected_input_writes_nothing(tmp_path: Path):
    path = write(tmp_path, 'name: x\n"[/x]\\n": 1\n')
    out = tmp_path / "out"
    proc = lesim("run", str(path), "--out", str(out))
    assert proc.returncode == 2 and not out.exists() and one_error(proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_cli_module_prints_no_markup_strings():
    """Safe by construction: both consoles print strings literally."""
    from sim.terminal import err_console, out_console

    for console in (out_console, err_console):
        with console.capture() as captured:
            console.print("[bold]x[/] :smile: [/y]")
        assert captured.get() == "[bold]x[/] :smile: [/y]\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", __file__]))
