"""Issue 14, defects 2 and 7 without a browser: the dashboard's path policy (symlinks never
lead out of the given folders), one-line errors in the page for broken files and tampered
websocket values (a widget's ``set_state`` is what a websocket update message does), a
fuzz of every picker with the counts written to ``tests/artifacts/fuzz/``, and sessions
that free their models when they end."""

from __future__ import annotations

import gc
import os
import re
import weakref
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.dashboard import app
from sim.dashboard.session import TURNS, ScenarioFolders, Session, Turns, load
from sim.dashboard.sweeps import SweepFolders, link_out
from sim.loader import ScenarioError

from .fuzzcounts import record

SMALL = "name: {name}\nweeks: 6\norganisation: {{size: 40}}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A scenario folder with good and bad files and links in and out of it."""
    d = tmp_path / "scenarios"
    d.mkdir()
    (d / "good.yaml").write_text(SMALL.format(name="good"))
    (d / "other.yaml").write_text(SMALL.format(name="other"))
    (d / "broken.yaml").write_text("name: [broken\n")
    (d / "invalid.yaml").write_text("name: invalid\nweeks: -3\n")
    outside = tmp_path / "outside.yaml"
    outside.write_text(SMALL.format(name="outside"))
    (d / "alias.yaml").symlink_to(d / "good.yaml")            # a link inside the folder: kept
    (d / "passwd.yaml").symlink_to("/etc/passwd")              # out of the folder: never listed
    (d / "out.yaml").symlink_to(outside)
    (d / "up.yaml").symlink_to(Path("..") / "outside.yaml")   # relative link out
    (d / "dangling.yaml").symlink_to(d / "missing.yaml")
    (d / "loop.yaml").symlink_to(d / "loop.yaml")
    (d / "dir.yaml").mkdir()
    os.mkfifo(d / "fifo.yaml")                                 # listing must neither hang nor offer it
    return d


def test_folder_lists_only_regular_files_whose_real_path_is_inside(folder: Path):
    files = ScenarioFolders([folder]).files()
    assert sorted(files) == ["alias", "broken", "good", "invalid", "other"]
    assert files["alias"] == (folder / "good.yaml").resolve()
    assert all(p.is_relative_to(folder.resolve()) for p in files.values())


def test_names_outside_the_list_are_refused(folder: Path):
    folders = ScenarioFolders([folder])
    for name in ("passwd", "out", "up", "dangling", "loop", "dir", "fifo", "../outside", "/etc/passwd",
                 str(folder.parent / "outside.yaml"), str(folder / "good.yaml"), "good/../good", "", None, ["good"]):
        with pytest.raises(ScenarioError, match="not a scenario in the dashboard's folders"):
            load(folders, name)


def test_a_link_out_of_one_folder_into_another_given_folder_is_kept(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (b / "shared.yaml").write_text(SMALL.format(name="shared"))
    (a / "link.yaml").symlink_to(b / "shared.yaml")
    assert sorted(ScenarioFolders([a, b]).files()) == ["link", "shared"]
    assert sorted(ScenarioFolders([a]).files()) == []


def test_sweep_folders_do_not_follow_links_out(tmp_path: Path):
    root, elsewhere = tmp_path / "results", tmp_path / "elsewhere"
    for d in (root / "real", elsewhere / "secret", root / "half"):
        d.mkdir(parents=True)
    for d in (root / "real", elsewhere / "secret"):
        (d / "experiment.yaml").write_text("name: x\n")
        (d / "comparison.csv").write_text("outcome\n")
    (root / "linked").symlink_to(elsewhere / "secret")
    (root / "half" / "experiment.yaml").write_text("name: x\n")
    (root / "half" / "comparison.csv").symlink_to(elsewhere / "secret" / "comparison.csv")
    assert list(SweepFolders([root]).sweeps()) == ["real"]


def test_a_sweep_whose_runs_lead_out_of_the_results_folders_is_not_read(tmp_path: Path):
    root, elsewhere = tmp_path / "results", tmp_path / "elsewhere"
    (elsewhere / "runs").mkdir(parents=True)
    (elsewhere / "runs" / "k.parquet").write_bytes(b"outside")
    for name in ("clean", "runs_out", "file_out", "dangling"):
        d = root / name
        d.mkdir(parents=True)
        (d / "experiment.yaml").write_text("name: x\n")
        (d / "comparison.csv").write_text("outcome\n")
    (root / "clean" / "runs").mkdir()
    (root / "clean" / "runs" / "k.parquet").write_bytes(b"inside")
    (root / "runs_out" / "runs").symlink_to(elsewhere / "runs")
    (root / "file_out" / "runs").mkdir()
    (root / "file_out" / "runs" / "k.parquet").symlink_to(elsewhere / "runs" / "k.parquet")
    (root / "dangling" / "plan.keys").symlink_to(elsewhere / "nothing")
    roots = [root.resolve()]
    assert link_out(root / "clean", roots) is None
    assert link_out(root / "runs_out", roots) == root / "runs_out" / "runs"
    assert link_out(root / "file_out", roots) == root / "file_out" / "runs" / "k.parquet"
    assert link_out(root / "dangling", roots) == root / "dangling" / "plan.keys"


# ----------------------------------------------------------------------------- the page


@solara.component
def Served():
    """The page as the server shows it (inside Solara's app layout, which holds the sidebar)."""
    with solara.AppLayout():
        app.Page()


@pytest.fixture
def dash_page(folder: Path, monkeypatch):
    monkeypatch.setattr(app, "SCENARIOS", ScenarioFolders([folder]))
    monkeypatch.setattr(app, "SWEEPS", SweepFolders([]))
    monkeypatch.setattr(app, "INITIAL", "good")
    _box, rc = solara.render(Served(), handle_error=False)
    open_sections(rc)
    yield rc
    rc.close()


def open_sections(rc) -> None:
    """Open every section of controls (a closed section's controls are not built)."""
    rc.find(v.ExpansionPanels, class_="lesim-sections").widget.set_state({"v_model": list(range(len(app.SECTIONS)))})


def alerts(rc) -> list[str]:
    found = rc.find(v.Alert)
    return [str(c) for w in found.widgets for c in w.children] if found else []


def status(rc) -> str:
    return rc.find(v.Html, tag="span", style_="font-weight:bold;").widget.children[0]


def heading(rc) -> str:
    return rc.find(v.Html, tag="h2").widget.children[0]


def send(rc, label: str, value, nth: int = 0) -> None:
    """What a websocket update of the widget's value does: ``set_state`` from the front end.
    A number has a slider and a field: the slider takes the value (the field commits on blur,
    see :func:`type_into`)."""
    sliders = rc.find(v.Slider, label=label)
    widget = (sliders if sliders else rc.find(label=label)).widgets[nth]
    widget.set_state({"v_model": value})
    if isinstance(widget, v.TextField):
        widget.fire_event("focusout", {})


def type_into(rc, label: str, text: str) -> None:
    """What typing into a number field and leaving it does: the text, then leaving the field (focusout)."""
    field = rc.find(v.TextField, label=label).widget
    field.set_state({"v_model": text})
    field.fire_event("focusout", {})


def step_works(rc) -> bool:
    before = status(rc)
    rc.find(v.Btn, children=["Step"]).widget.click()
    return status(rc) != before and not rc.find(v.Btn, children=["Back to the dashboard"])


def test_broken_files_show_one_line_and_the_open_scenario_stays(dash_page):
    send(dash_page, "Scenario", "broken")
    assert len(alerts(dash_page)) == 1 and "broken.yaml:2: not valid YAML" in alerts(dash_page)[0]
    assert "\n" not in alerts(dash_page)[0]
    assert heading(dash_page) == "good" and dash_page.find(v.Select, label="Scenario").widget.v_model == "good"
    send(dash_page, "Scenario", "invalid")
    assert len(alerts(dash_page)) == 1 and "invalid.yaml:2: weeks:" in alerts(dash_page)[0]
    assert step_works(dash_page)
    send(dash_page, "Scenario", "other")
    assert heading(dash_page) == "other" and alerts(dash_page) == [] and step_works(dash_page)


def test_tampered_scenario_values_are_refused_in_one_line(dash_page, folder: Path):
    for value in ("passwd", "../outside", "/etc/passwd", str(folder / "good.yaml"), "out", ["good"], {"a": 1}, None,
                  12, "good\n[/x]"):
        send(dash_page, "Scenario", value)
        lines = alerts(dash_page)
        assert len(lines) == 1 and lines[0].endswith("not a scenario in the dashboard's folders"), value
        assert "\n" not in alerts(dash_page)[0] and "root:" not in alerts(dash_page)[0]
        assert heading(dash_page) == "good"
    assert step_works(dash_page)


def test_tampered_control_values_are_refused_and_valid_ones_kept(dash_page):
    send(dash_page, "Share of employees", "abc")
    assert alerts(dash_page) == ["control policies.mentoring.ratio: policies.mentoring.ratio: must be a finite number, "
                            "got 'abc'"]
    send(dash_page, "Share of employees", 7.5)
    assert "must be between 0 and 1, got 7.5" in alerts(dash_page)[0]
    send(dash_page, "Colour by", "../../etc/passwd")
    assert alerts(dash_page) == ["Colour by: '../../etc/passwd' is not one of the offered choices"]
    send(dash_page, "Compare with the scenario as loaded", "yes")
    assert alerts(dash_page) == ["compare: 'yes' is not true or false"]
    for tampered in ([99], ["0"], "all", [True]):
        dash_page.find(v.ExpansionPanels, class_="lesim-sections").widget.set_state({"v_model": tampered})
        assert alerts(dash_page)[0].startswith("sections: ") and "is not a list of section positions" in alerts(dash_page)[0]
    open_sections(dash_page)
    type_into(dash_page, "Share of employees", "2")
    assert "must be between 0 and 1, got 2" in alerts(dash_page)[0]
    send(dash_page, "Share of employees", 0.5)
    assert any("1 unapplied change" in a for a in alerts(dash_page))
    dash_page.find(v.Btn, children=["Reset"]).widget.click()
    assert "changed from the file: Mentoring: share of employees = 0.5 (file: 0.2)" in status(dash_page)
    assert alerts(dash_page) == []
    type_into(dash_page, "Share of employees", "0.237")  # a value between the slider's notches stays exact
    dash_page.find(v.Btn, children=["Reset"]).widget.click()
    assert "share of employees = 0.237 (file: 0.2)" in status(dash_page)
    assert dash_page.find(v.Slider, label="Share of employees").widget.v_model == 0.237
    assert step_works(dash_page)


def test_a_broken_initial_scenario_leaves_a_working_picker(folder: Path, monkeypatch):
    monkeypatch.setattr(app, "SCENARIOS", ScenarioFolders([folder]))
    monkeypatch.setattr(app, "SWEEPS", SweepFolders([]))
    monkeypatch.setattr(app, "INITIAL", "broken")
    _box, rc = solara.render(Served(), handle_error=False)
    assert len(alerts(rc)) == 1 and "broken.yaml:2" in alerts(rc)[0]
    send(rc, "Scenario", "../outside")
    assert alerts(rc)[0].endswith("not a scenario in the dashboard's folders")
    send(rc, "Scenario", "good")
    assert heading(rc) == "good" and step_works(rc)
    rc.close()


PICKERS = ["Scenario", "Colour by", "Compare with the scenario as loaded", "Share of employees", "Switched on",
           "Matching", "Strategy", "Aptitude shape", "Commission per year", "Review every weeks", "Speed", "Outcome",
           "Department (drill down)", "Employees", "Band over seeds"]
NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["../good", "/etc/passwd", "passwd", "out", "broken", "invalid", "dangling", "fifo", "good/..",
                     "[/x]", "\x1b[31m", "nan", "1e309", "-1", "true", "engagement"]),
    st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.none(), st.booleans(), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                                    st.integers(), max_size=2))


def test_fuzz_tampered_websocket_values(dash_page):
    """Any value sent for any picker or control: accepted if it is valid, else one error line
    in the page; never the error boundary, never an exception; Step still works at the end."""
    counts = {"tried": 0, "correct": 0}
    failures: list = []

    @settings(max_examples=40, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(label=st.sampled_from(PICKERS), value=NASTY)
    def one(label, value):
        counts["tried"] += 1
        send(dash_page, label, value)
        lines = alerts(dash_page)
        clean = (not dash_page.find(v.Btn, children=["Back to the dashboard"])
                 and len(lines) <= 2 and all("\n" not in line and "Traceback" not in line for line in lines)
                 and status(dash_page).startswith("Week "))
        counts["correct"] += clean
        if not clean:
            failures.append((label, value, lines))

    one()
    ok = step_works(dash_page)
    record("test_fuzz_tampered_websocket_values", counts["tried"], counts["correct"] if ok else 0,
           "dashboard picker/control values sent as a websocket would (set_state): valid ones applied, "
           "others one error line in the page, the page still steps")
    assert counts["tried"] >= 40 and counts["correct"] == counts["tried"] and ok, failures[:5]


# ----------------------------------------------------------------------------- memory


def test_a_closed_session_frees_its_models(folder: Path):
    loaded = load(ScenarioFolders([folder]), "good")
    session = Session(loaded, {}, compare=True)
    model, reference = weakref.ref(session.model), weakref.ref(session.reference)
    session.step(2)
    session.close()
    gc.collect()
    assert model() is None and reference() is None
    session.step()  # a Play thread that is still running: nothing happens
    assert session.finished and session.closed


# ----------------------------------------------------------------------------- fairness


def test_turns_are_served_in_the_order_asked():
    """A session that keeps asking (Play) cannot jump ahead of one that asked before it."""
    import threading
    import time

    turns = Turns()
    order: list[str] = []
    hold = threading.Event()

    def work(name: str, keep: bool = False) -> None:
        with turns.turn():
            order.append(name)
            if keep:
                hold.wait(5)

    first = threading.Thread(target=work, args=("play-1", True))
    first.start()
    while not order:
        time.sleep(0.001)
    waiting = []
    for name in ("step-A", "play-2", "step-B", "play-3"):  # each asks once the previous one is queued
        t = threading.Thread(target=work, args=(name,))
        t.start()
        waiting.append(t)
        while turns._issued != len(waiting) + 1:
            time.sleep(0.001)
    hold.set()
    for t in (first, *waiting):
        t.join(5)
    assert order == ["play-1", "step-A", "play-2", "step-B", "play-3"]


def test_a_session_step_takes_one_turn_per_week(folder: Path):
    loaded = load(ScenarioFolders([folder]), "good")
    session = Session(loaded, {})
    before = TURNS._issued
    session.step(3)
    assert TURNS._issued - before == 3 and session.week == 3


def test_fuzz_scenario_names(folder: Path):
    """Any name asked for opens a listed scenario (real path inside the folder) or is refused
    with one line; nothing outside the folder is read."""
    folders = ScenarioFolders([folder])
    listed = folders.files()
    counts = {"tried": 0, "correct": 0}
    parts = st.sampled_from(["..", ".", "good", "passwd", "out", "up", "fifo", "loop", "/", "etc", "~", "\x00",
                             "good.yaml", "%2e%2e", "\\", str(folder)])

    @settings(max_examples=300, database=None, derandomize=True, deadline=None)
    @given(name=st.one_of(st.sampled_from(["passwd", "out", "up", "fifo", "loop", "dangling", "dir", "good", "alias"]),
                          st.text(max_size=40), st.lists(parts, min_size=1, max_size=5).map("/".join),
                          st.lists(parts, min_size=1, max_size=4).map("".join)))
    def one(name):
        counts["tried"] += 1
        try:
            path = folders.path_of(name)
            ok = name in listed and path == listed[name] and path.resolve().is_relative_to(folder.resolve())
        except ScenarioError as e:
            line = str(e)
            ok = name not in listed and "\n" not in line and line.endswith("not a scenario in the dashboard's folders")
        counts["correct"] += ok

    one()
    record("test_fuzz_scenario_names", counts["tried"], counts["correct"],
           "scenario names asked of the dashboard's folders (.., absolute, links out, fifo, NUL): "
           "a listed file inside the folder, or one line refusing it")
    assert counts["correct"] == counts["tried"] >= 250


def test_a_damaged_sweep_gives_one_line(tmp_path: Path, monkeypatch):
    root = tmp_path / "results"
    (root / "damaged").mkdir(parents=True)
    (root / "damaged" / "experiment.yaml").write_text("name: damaged\n")
    (root / "damaged" / "comparison.csv").write_bytes(b"\x00\xff garbage\n1,2\n")
    from sim.dashboard.sweeps import SweepView

    _box, rc = solara.render(SweepView(SweepFolders([root])), handle_error=False)
    rc.find(v.Select, label="Sweep").widget.set_state({"v_model": "damaged"})
    lines = alerts(rc)
    assert len(lines) == 1 and "cannot show this sweep" in lines[0] and "\n" not in lines[0]
    rc.find(v.Select, label="Sweep").widget.set_state({"v_model": ["../../etc"]})  # tampered: ignored
    rc.close()


@pytest.mark.parametrize("brief", ["garbage", '{"headline": 1}', "link", "none"])
def test_a_damaged_or_planted_brief_gives_one_line(tmp_path: Path, brief: str):
    from sim.dashboard.sweeps import SweepView

    root = tmp_path / "results"
    (root / "s").mkdir(parents=True)
    (root / "s" / "experiment.yaml").write_text("name: s\n")
    (root / "s" / "comparison.csv").write_text("outcome,strategy\nskills_gap,a\n")
    if brief == "link":
        (root / "s" / "brief.json").symlink_to("/etc/passwd")
    elif brief != "none":  # none: no brief, and a comparison.csv without its statistics columns
        (root / "s" / "brief.json").write_text(brief)
    _box, rc = solara.render(SweepView(SweepFolders([root])), handle_error=False)
    rc.find(v.Select, label="Sweep").widget.set_state({"v_model": "s"})
    lines = alerts(rc)
    assert len(lines) == 1 and "cannot show this sweep" in lines[0] and "\n" not in lines[0]
    assert "root:" not in lines[0]
    if brief == "link":
        assert "leads out of the results folders" in lines[0]
    rc.close()


def test_uploads_are_checked_before_anything_is_written(tmp_path: Path):
    from sim.dashboard.session import accept_upload

    uploads = tmp_path / "results" / "uploads"
    good = b"name: up\nweeks: 10\norganisation: {size: 40}\n"
    for name, data, message in (("bad.yaml", b"name: bad\nweeks: -3\n", "bad.yaml:2: weeks:"),
                                ("x.yaml", b"\xff\xfe", "x.yaml: not a UTF-8 text file"),
                                ("big.yaml", b" " * 5_000_001, "big.yaml: file is larger than 5 MB"),
                                ("list.yaml", b"- 1\n", "list.yaml:1: expected a mapping"),
                                ("evil\n[/x].yaml", b"weeks: [1\n", "evil\\n[/x].yaml:")):
        with pytest.raises(ScenarioError, match=re.escape(message)):
            accept_upload(name, data, uploads)
    assert not uploads.exists()  # nothing written for a refused file
    assert accept_upload("../../etc/passwd.yaml", good, uploads) == "passwd"
    assert accept_upload("passwd.yaml", good, uploads) == "passwd"          # the same file again: same name
    assert accept_upload("passwd.yaml", good + b"# v2\n", uploads) == "passwd-2"  # other content: kept apart
    assert sorted(p.name for p in uploads.iterdir()) == ["passwd-2.yaml", "passwd.yaml"]
    assert (uploads / "passwd.yaml").read_bytes() == good
    # a shipped scenario's name would open the shipped file: the upload is numbered instead
    assert accept_upload("baseline.yaml", good, uploads, taken={"baseline", "baseline-2"}) == "baseline-3"


def test_the_upload_button_ignores_what_the_page_never_sends():
    got = []
    button = app.UploadButton(on_upload=lambda name, data: got.append((name, data)))
    for data in (None, "x", {"name": 1, "content": ""}, {"name": "a.yaml", "content": "!!notbase64"}, [1]):
        button.vue_upload(data)
    assert got == []
    button.vue_upload({"name": "a.yaml", "content": "bmFtZTogYQo="})
    assert got == [("a.yaml", b"name: a\n")]
    button.vue_upload({"name": "huge.yaml", "content": "A" * 7_000_000})
    assert got[-1] == ("huge.yaml", None)
    button.vue_upload({"name": "big.yaml", "too_large": True})  # the page's own size check
    assert got[-1] == ("big.yaml", None)


def test_a_chart_that_lost_weeks_is_sent_whole_again(dash_page):
    """The browser merges each frame's new weeks into the chart it holds; if that copy lost
    weeks (its view re-created after a reconnect), it asks again and gets the whole chart."""
    import json

    from sim.dashboard.live import LiveChart

    for _ in range(3):
        dash_page.find(v.Btn, children=["Step"]).widget.click()
    chart = dash_page.find(LiveChart).widgets[0]
    assert [r[0] for r in json.loads(chart.spec)["dataset"]["source"]] == [0]      # built at week 0
    assert [r[0] for r in json.loads(chart.rows)] == [2, 3]                          # the last frame's weeks
    chart.vue_resync()
    chart = dash_page.find(LiveChart).widgets[0]
    assert [r[0] for r in json.loads(chart.spec)["dataset"]["source"]] == [0, 1, 2, 3]
    dash_page.find(v.Btn, children=["Step"]).widget.click()
    assert [r[0] for r in json.loads(chart.rows)] == [3, 4]


def test_compare_and_band_do_not_apply_pending_changes(dash_page):
    send(dash_page, "Share of employees", 0.5)
    send(dash_page, "Compare with the scenario as loaded", True)
    send(dash_page, "Band over seeds", "5 seeds")
    assert "changed from the file" not in status(dash_page)  # the model still runs the file's values
    assert any("1 unapplied change" in a for a in alerts(dash_page))
    dash_page.find(v.Btn, children=["Reset"]).widget.click()
    assert "share of employees = 0.5" in status(dash_page) and not any("unapplied" in a for a in alerts(dash_page))


@pytest.mark.parametrize("text, expected", [("150,000", 150000.0), ("0,5", 0.5), ("1,234.5", 1234.5), (" 7 ", 7.0),
                                            ("1,2,3", "1,2,3"), ("abc", "abc")])
def test_typed_numbers_read_thousands_separators_and_decimal_commas(text, expected):
    assert app.typed_number(text, float) == expected
