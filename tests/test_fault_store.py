"""Fault injection on run outputs and the sweep store (issue 14): real processes killed with
SIGKILL at seeded random points, real damaged files, real full and read-only filesystems
(small tmpfs mounts; skipped with the reason where mounting is not permitted).

Each fault test writes its counts to ``tests/artifacts/fuzz/<test>.json`` (tried, handled
correctly, what) for the README's figures.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import store
from sim.experiments.compare import CompareError, compare, load_sweep
from sim.experiments.spec import load_experiment
from sim.experiments.sweep import SweepError, sweep
from sim.loader import ScenarioError
from sim.run import OutputError, prepare_run, simulate, write_outputs

from .conftest import ROOT, lesim
from .fuzzcounts import record
from .test_experiments import TINY

EXPERIMENT = TINY.replace("name: tiny", "name: faults").replace("replicates: 2", "replicates: 4")
assert "name: faults" in EXPERIMENT and "replicates: 4" in EXPERIMENT  # TINY with 4 replicates: 16 runs
RUNS = 16
SCENARIO = "name: small\nweeks: 4\nseed: 1\norganisation: {size: 60}\n"


@contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs mounted at ``path`` (a real full or read-only filesystem)."""
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here ({proc.stderr.strip()}); needs root or CAP_SYS_ADMIN")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True, capture_output=True)


def hidden_temporaries(folder: Path) -> list[Path]:
    return [p for sub in ("runs", "errors", store.CHECKSUMS) if (folder / sub).is_dir()
            for p in (folder / sub).iterdir() if p.name.startswith(".")]


def experiment_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text("name: base\nweeks: 8\nseed: 1\norganisation: {size: 80}\n")
    f = folder / "faults.yaml"
    f.write_text(EXPERIMENT)
    return f


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """The experiment file and its uninterrupted sweep."""
    folder = tmp_path_factory.mktemp("reference")
    f = experiment_file(folder)
    out = folder / "full"
    stats = sweep(load_experiment(f), out, workers=1)
    assert stats.done == RUNS and stats.failed == 0
    return f, out


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


# ----------------------------------------------------------------------------- sweeps

def test_random_sigkills_of_a_sweep_then_resume_equal_the_uninterrupted_sweep(tmp_path: Path, reference):
    f, full = reference
    killed = tmp_path / "killed"
    rng = random.Random(14)
    kills, mid_way, litter = 0, 0, 0
    for _ in range(3):
        have = len(store.stored_keys(killed))
        target = min(have + rng.randint(1, 4), RUNS - 1)
        proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(f), "--workers", "1", "--out", str(killed)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 120
        while len(store.stored_keys(killed)) < target and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, wherever they are
        proc.wait()
        kills += 1
        mid_way += len(store.stored_keys(killed)) < RUNS
        litter += len(hidden_temporaries(killed))
    assert mid_way >= 2, "the sweeps were killed before they finished"
    stats = sweep(load_experiment(f), killed, workers=1)  # resume
    equal = store.read_runs(killed).equals(store.read_runs(full))
    clean = not hidden_temporaries(killed)
    record("sweep_sigkill_resume", kills, kills if equal and clean else 0,
           f"SIGKILLs of a real `lesim sweep` (driver and workers) at seeded random points, then resume: stored values "
           f"equal the uninterrupted sweep's ({RUNS} runs); {litter} temporary files left by killed writers removed")
    assert stats.done + stats.skipped == RUNS and stats.failed == 0
    pd.testing.assert_frame_equal(store.read_runs(killed), store.read_runs(full))
    assert clean, hidden_temporaries(killed)


def flip(data: bytes, pos: int, bit: int) -> bytes:
    return data[:pos] + bytes([data[pos] ^ (1 << bit)]) + data[pos + 1:]


def test_damaged_run_files_never_pass_verification(tmp_path: Path, reference):
    _, full = reference
    out = tmp_path / "store"
    shutil.copytree(full, out)
    files = sorted((out / "runs").glob("*.parquet"))
    rng = random.Random(6)
    tried = correct = 0
    for i in range(600):  # single-bit flips at seeded positions, truncations (to 0 bytes too)
        f = files[i % len(files)]
        data = f.read_bytes()
        damaged = flip(data, rng.randrange(len(data)), rng.randrange(8)) if i % 3 else data[:rng.randrange(len(data))]
        f.write_bytes(damaged)
        tried += 1
        correct += not store.verified(out, f)
        f.write_bytes(data)
    record("store_damaged_file_detection", tried, correct,
           "single-bit flips at seeded positions and truncations (some to 0 bytes) of stored run files: each fails "
           "verification (SHA-256 sees any change: this checks that every run file is verified, on its real bytes)")
    assert correct == tried
    assert store.check_runs(out) == ({f.stem for f in files}, set())


def test_damaged_and_missing_store_files_are_detected_and_run_again(tmp_path: Path, reference):
    f, full = reference
    out = tmp_path / "store"
    shutil.copytree(full, out)
    runs = sorted((out / "runs").glob("*.parquet"))
    rng = random.Random(61)
    damage = {
        "flip": lambda p: p.write_bytes(flip(p.read_bytes(), rng.randrange(p.stat().st_size), rng.randrange(8))),
        "flip footer": lambda p: p.write_bytes(flip(p.read_bytes(), p.stat().st_size - 1 - rng.randrange(40), 0)),
        "truncate": lambda p: p.write_bytes(p.read_bytes()[:rng.randrange(1, p.stat().st_size)]),
        "empty": lambda p: p.write_bytes(b""),
        "append": lambda p: p.write_bytes(p.read_bytes() + b"\0"),
        "wrong checksum": lambda p: (out / store.CHECKSUMS / f"{p.stem}.sha256").write_text("0" * 64),
        "garbled checksum": lambda p: (out / store.CHECKSUMS / f"{p.stem}.sha256").write_bytes(b"\xff\xfe"),
        "run deleted": lambda p: p.unlink(),
    }
    for (kind, act), p in zip(damage.items(), runs):
        act(p)
    with pytest.raises(CompareError, match="failed verification"):  # never read, never compared
        load_sweep(out)
    (out / "experiment.yaml").unlink()
    (out / "plan.keys").unlink()
    shutil.rmtree(out / "errors")
    stats = sweep(load_experiment(f), out, workers=1)
    present = len(damage) - 1
    ok = (stats.unverified == present and stats.done == len(damage) and stats.skipped == RUNS - len(damage)
          and store.read_runs(out).equals(store.read_runs(full)))
    record("store_damage_rerun", len(damage) + 3, len(damage) + 3 if ok else 0,
           f"store faults ({', '.join(damage)}; experiment.yaml, plan.keys and errors/ missing): detected, "
           "the damaged runs run again, the result equals the undamaged sweep")
    assert stats.unverified == present and stats.done == len(damage), stats
    pd.testing.assert_frame_equal(store.read_runs(out), store.read_runs(full))
    assert (out / "experiment.yaml").read_text() == (full / "experiment.yaml").read_text()


def test_a_store_from_before_checksums_is_adopted_not_run_again(tmp_path: Path, reference):
    """Upgrading keeps a sweep: run files without a checksum that decode in full are adopted
    (their checksum written), one that does not decode is run again."""
    f, full = reference
    out = tmp_path / "store"
    shutil.copytree(full, out)
    shutil.rmtree(out / store.CHECKSUMS)                    # as written before checksums existed
    broken = sorted((out / "runs").glob("*.parquet"))[3]
    broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 2])
    with pytest.raises(CompareError, match="1 stored run failed verification"):
        load_sweep(out)
    assert len(list((out / store.CHECKSUMS).glob("*.sha256"))) == RUNS - 1   # the others adopted
    stats = sweep(load_experiment(f), out, workers=1)
    assert stats.unverified == 1 and stats.done == 1 and stats.skipped == RUNS - 1, stats
    pd.testing.assert_frame_equal(store.read_runs(out), store.read_runs(full))


def test_a_full_disk_stops_the_sweep_with_one_line_and_the_store_resumes(tmp_path: Path, reference):
    f, full = reference
    with tmpfs(tmp_path / "disk", "64k") as disk:
        out = disk / "sweep"
        proc = lesim("sweep", str(f), "--workers", "2", "--out", str(out))
        errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        stored = store.stored_keys(out)
        one_line = (proc.returncode == 1 and len(errors) == 1 and "no space left on device" in errors[0]
                    and "cannot start" not in proc.stderr and "Traceback" not in proc.stderr)
        remount(disk, "size=2m")
        stats = sweep(load_experiment(f), out, workers=1)
        resumed = store.read_runs(out).equals(store.read_runs(full))
        remount(disk, "ro")
        with pytest.raises(SweepError) as ro:  # (the command line's early check refuses it before this)
            sweep(load_experiment(f), out, workers=1)
        with pytest.raises(CompareError) as ro_compare:
            compare(out)
    ro_ok = ro.value.code == 1 and "read-only file system" in str(ro.value) and "\n" not in str(ro.value)
    ro_compare_ok = "read-only file system" in str(ro_compare.value) and "\n" not in str(ro_compare.value)
    record("sweep_full_or_read_only_disk", 4, one_line + resumed + ro_ok + ro_compare_ok,
           "a sweep on a full tmpfs (one line, status 1, resumes to the uninterrupted values); a sweep and a "
           "comparison on a read-only one (one line)")
    assert one_line, (proc.returncode, proc.stderr)
    assert 0 < len(stored) < RUNS and stats.skipped == len(stored) and stats.failed == 0
    assert resumed
    assert ro_ok and ro_compare_ok, (str(ro.value), str(ro_compare.value))


def test_a_scheduler_that_cannot_be_reached_leaves_nothing_behind(tmp_path: Path, reference):
    f, _ = reference
    out = tmp_path / "new" / "sweep"
    proc = lesim("sweep", str(f), "--scheduler", "garbage", "--out", str(out))
    assert proc.returncode == 2 and len(error_lines(proc.stderr)) == 1 and "cannot start the sweep" in proc.stderr
    assert not (tmp_path / "new").exists()
    with pytest.raises(SweepError, match="cannot start the sweep"):
        sweep(load_experiment(f), tmp_path / "lib", scheduler="garbage")
    assert not (tmp_path / "lib").exists()


# ----------------------------------------------------------------------------- lesim run --out

@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "small.yaml"
    path.write_text(SCENARIO)
    sc, _ = prepare_run(path, out=folder / "unused")
    return path, simulate(sc)


def written(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_run_outputs_under_faults(tmp_path: Path, small_run):
    path, result = small_run
    expected = {"timeseries.csv", "manifest.json", "report.html", "summary.json"}
    cases = {}
    # an empty mount point (a container's volume): written into
    with tmpfs(tmp_path / "volume", "4m") as volume:
        _, out = prepare_run(path, out=volume)
        write_outputs(result, out)
        cases["empty mount point"] = expected <= written(volume) and not [p for p in volume.iterdir()
                                                                         if p.name.startswith(".")]
    # a dangling symbolic link: refused before running
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    try:
        prepare_run(path, out=tmp_path / "dangling")
        cases["dangling symlink"] = False
    except ScenarioError as e:
        cases["dangling symlink"] = "symbolic link" in str(e) and "\n" not in str(e)
    # a symbolic link to an empty folder stands for that folder
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    cases["symlink to a folder"] = prepare_run(path, out=tmp_path / "link")[1] == (tmp_path / "real").resolve()
    # two runs on one --out, both past the check: the winner's files are there when the loser
    # finishes; the loser keeps its finished results beside them and says where
    target = tmp_path / "race"
    _, b = prepare_run(path, out=target)
    target.mkdir()
    (target / "summary.json").write_text("{}")  # the winner's
    winner = {p.name: p.read_bytes() for p in target.iterdir()}
    try:
        write_outputs(result, b)
        cases["race loser"] = False
    except OutputError as e:
        cases["race loser"] = (e.kept is not None and expected <= written(e.kept) and str(e.kept) in str(e)
                               and {p.name: p.read_bytes() for p in target.iterdir()} == winner)
    # --out became a dangling symlink while the run ran: kept beside it
    (tmp_path / "late").symlink_to(tmp_path / "gone")
    try:
        write_outputs(result, tmp_path / "late")
        cases["symlink made during the run"] = False
    except OutputError as e:
        cases["symlink made during the run"] = e.kept is not None and expected <= written(e.kept)
    # a full disk and a read-only one: one line, nothing half-written
    with tmpfs(tmp_path / "full", "64k") as disk:
        try:
            write_outputs(result, disk / "out")
            cases["full disk"] = False
        except OutputError as e:
            cases["full disk"] = "no space left on device" in str(e) and not list(disk.iterdir())
        remount(disk, "ro")
        try:
            write_outputs(result, disk / "out")
            cases["read-only"] = False
        except OutputError as e:
            cases["read-only"] = "read-only file system" in str(e) and not list(disk.iterdir())
    record("run_out_faults", len(cases), sum(cases.values()),
           f"`lesim run --out` faults ({', '.join(cases)}): written, or one line naming where the results are")
    assert all(cases.values()), cases


def test_run_on_a_full_disk_shows_the_figures_and_one_error_line(tmp_path: Path, small_run):
    path, _ = small_run
    with tmpfs(tmp_path / "disk", "64k") as disk:
        proc = lesim("run", str(path), "--out", str(disk / "out"), "--replicates", "2", "-q")
        left = list(disk.iterdir())
    errors = error_lines(proc.stderr)
    assert proc.returncode == 1 and len(errors) == 1, proc.stderr
    assert errors[0].startswith("error: ") and "no space left on device" in errors[0] and "Traceback" not in proc.stderr
    assert "Headline outcomes" in proc.stdout and not left


def test_a_killed_run_leaves_a_partial_folder_that_the_next_run_removes(tmp_path: Path, small_run):
    path, _ = small_run
    rng = random.Random(13)
    parent = tmp_path / "results"
    tried = correct = 0
    for i in range(2):
        proc = subprocess.Popen([sys.executable, "-m", "sim", "run", str(path), "--out", str(parent / f"run{i}"),
                                 "--replicates", "1", "-q"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 120
        while proc.poll() is None and time.time() < deadline and not (
                parent.is_dir() and any(p.name.startswith(f".run{i}.tmp-") for p in parent.iterdir())):
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.3))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        left = [p for p in parent.iterdir() if p.name.startswith(".")]
        assert left, "killed while writing: a partial folder is left"
        tried += 1
        prepare_run(path, out=parent / "next")  # the next run into the same folder cleans up
        correct += not [p for p in parent.iterdir() if p.name.startswith(".")]
    record("run_sigkill_litter", tried, correct,
           "SIGKILLs of a real `lesim run` while it writes: the partial hidden folder is removed by the next run")
    assert correct == tried


def test_stale_temporary_files_of_dead_writers_are_removed_and_live_ones_kept(tmp_path: Path):
    from sim.run import HOST_KEY, clean_stale_partials

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = os.getppid()
    store.prepare(tmp_path)
    names = {
        "runs": (f".k.parquet.{dead.pid}.{HOST_KEY}.0badc0de.tmp", f".k.parquet.{alive}.{HOST_KEY}.0badc0de.tmp",
                 f".k.parquet.{dead.pid}.ffffffff.0badc0de.tmp"),  # another host's: its pid means nothing here
    }
    for name in names["runs"]:
        (tmp_path / "runs" / name).write_bytes(b"PAR1")
    (tmp_path / f".out.tmp-{dead.pid}-{HOST_KEY}").mkdir()
    (tmp_path / f".out.tmp-{alive}-{HOST_KEY}").mkdir()
    (tmp_path / ".user-folder.tmp-1").mkdir()  # not ours
    store.prepare(tmp_path)
    removed = clean_stale_partials(tmp_path)
    left = {p.name for p in (tmp_path / "runs").iterdir()}
    assert left == set(names["runs"][1:])
    assert [p.name for p in removed] == [f".out.tmp-{dead.pid}-{HOST_KEY}"]
    assert (tmp_path / f".out.tmp-{alive}-{HOST_KEY}").is_dir() and (tmp_path / ".user-folder.tmp-1").is_dir()


def test_damaged_store_metadata_gives_one_line_and_a_sweep_repairs_it(tmp_path: Path, reference):
    """experiment.yaml, plan.keys, a checksum and a run file, each damaged at seeded random
    points: reading the store (as `lesim compare` does) works or gives one line; never
    another exception, never a damaged run's values."""
    f, full = reference
    out = tmp_path / "store"
    shutil.copytree(full, out)
    truth = store.read_runs(full)
    targets = [out / "experiment.yaml", out / "plan.keys", next((out / store.CHECKSUMS).iterdir()),
               next((out / "runs").glob("*.parquet"))]
    rng = random.Random(7)
    tried = correct = 0
    for i in range(240):
        target = targets[i % len(targets)]
        data = target.read_bytes()
        how = rng.choice(["flip", "truncate", "empty", "garbage", "delete"])
        if how == "flip":
            target.write_bytes(flip(data, rng.randrange(len(data)), rng.randrange(8)))
        elif how == "truncate":
            target.write_bytes(data[:rng.randrange(len(data))])
        elif how == "empty":
            target.write_bytes(b"")
        elif how == "garbage":
            target.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))))
        else:
            target.unlink()
        tried += 1
        try:
            _, runs = load_sweep(out)
            keys = {p.stem for p in (out / "runs").glob("*.parquet")}  # a missing run: a sweep not finished
            if (out / "plan.keys").is_file():
                keys &= set((out / "plan.keys").read_text().split())
            correct += runs.equals(truth[truth["run_key"].isin(keys)].reset_index(drop=True))  # damage is never read
        except CompareError as e:
            correct += "\n" not in str(e)
        target.write_bytes(data)
    record("store_metadata_damage", tried, correct,
           "experiment.yaml, plan.keys, a checksum and a run file flipped, truncated, emptied, replaced by garbage or "
           "deleted at seeded points: the store reads back exactly or gives one line")
    assert correct == tried
    (out / "experiment.yaml").write_bytes(b"\xff\xfe garbage")  # a sweep repairs what it wrote
    (out / "plan.keys").write_text("not keys\n")
    stats = sweep(load_experiment(f), out, workers=1)
    assert stats.skipped == RUNS and stats.done == 0
    pd.testing.assert_frame_equal(load_sweep(out)[1], truth)
