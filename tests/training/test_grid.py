"""`sentgen grid`: a tiny grid (two cells, 20,000 rows of each split, one epoch, one attribute) on a local Ray.

Each cell goes through the real training, traversal and evaluation code into its own directory.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from training import grid, grid_report

ray = pytest.importorskip("ray", reason="the grid extra (pip install -e '.[grid]') is not installed")

ROOT = Path(__file__).resolve().parents[2]
TINY = """
name = "tiny"
seeds = [0, 1]
vae_epochs = 1
traversal_epochs = 1
attributes = ["tonic"]
subset = 20000
max_retries = {retries}
cpus_per_cell = {cpus}
[evaluate]
samples = 2000
max_pairs = 300
[[kind]]
name = "s2"
"""


def tiny(tmp_path, retries=0, cpus=1):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(retries=retries, cpus=cpus))
    return path


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def cell_dirs(out, cfg):
    return [out / grid.cell_id(c) for c in grid.cells_of(cfg)]


def test_tiny_grid_trains_evaluates_and_reports_two_cells(local_ray, tmp_path):
    cfg = grid.load_config(tiny(tmp_path))
    out = tmp_path / "out"
    log = []
    status = grid.run_grid(cfg, out=out, log=log.append)
    assert [v["status"] for v in status.values()] == ["done", "done"]
    for d, cell in zip(cell_dirs(out, cfg), grid.cells_of(cfg)):
        for name in ("checkpoint.safetensors", "vae.safetensors", "vae.traversal.safetensors", "cell.json"):
            assert (d / name).exists(), f"{d.name}/{name}"
        result = json.loads((d / "cell.json").read_text())
        assert result["config"] == cell
        assert set(result["edits"]) == {"tonic"} and 0 <= result["edits"]["tonic"]["tdr"] <= 1
        assert result["reconstruction"]["rows"] == 20000
    assert any("progress 2/2 done, 0 running or queued, 0 failed" in line for line in log)
    assert json.loads((out / "grid.json").read_text())["cells"] == status

    text = grid_report.report(out)
    assert "| s2 beta 0.2 gamma 10, 1+1 epochs (best) | 2 |" in text and " ± " in text
    assert "| s2: paper (best setting) | 3 | 0.77 | 0.93 |" in text      # Table 2's S2 row beside ours
    assert sorted(p.name for p in (out / "figures").iterdir()) == \
        ["grid_ldr.png", "grid_r2.png", "grid_target_deviation.png", "grid_tdr.png"]


def test_a_cell_that_raises_is_retried_reported_and_the_other_completes(local_ray, tmp_path, capsys):
    from bridge.cli import main
    path = tiny(tmp_path, retries=1)
    cfg = grid.load_config(path)
    out = tmp_path / "out"
    bad_cell = grid.cells_of(cfg)[1]
    bad = out / grid.cell_id(bad_cell)
    bad.mkdir(parents=True)
    (bad / "config.json").write_text(json.dumps(bad_cell))
    (bad / "checkpoint.safetensors").write_bytes(b"not a safetensors file")   # a damaged checkpoint
    assert main(["grid", "run", str(path), "--out", str(out)]) == 1
    console = capsys.readouterr().out
    good = out / grid.cell_id(grid.cells_of(cfg)[0])
    assert (good / "cell.json").exists() and not (bad / "cell.json").exists()
    cells = json.loads((out / "grid.json").read_text())["cells"]
    assert cells[good.name]["status"] == "done"
    assert cells[bad.name]["status"] == "failed" and cells[bad.name]["attempts"] == 2
    assert f"grid: {bad.name}: failed (attempt 1)" in console
    assert f"grid: {bad.name}: FAILED after 2 attempts" in console
    assert (bad / "checkpoint.safetensors").read_bytes() == b"not a safetensors file"   # left as it was


def test_an_interrupted_grid_resumes_without_redoing_its_finished_cell(local_ray, tmp_path):
    path = tiny(tmp_path, cpus=2)      # each cell takes both CPUs of the local Ray: they run one after the other
    cfg = grid.load_config(path)
    out = tmp_path / "out"
    first, second = cell_dirs(out, cfg)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    address = ray.get_runtime_context().gcs_address
    # a second driver on the running Ray (as on a cluster), stopped (SIGTERM, as kill or a SLURM job's end) once
    # the first cell has finished
    with open(tmp_path / "console.txt", "w") as console:
        proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "grid", "run", str(path), "--out", str(out),
                                 "--address", address], cwd=ROOT, env=env, stdout=console, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while not (first / "cell.json").exists():
            assert proc.poll() is None, (tmp_path / "console.txt").read_text()
            assert time.monotonic() < deadline, "the first cell did not finish in 600 s"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "grid: interrupted" in (tmp_path / "console.txt").read_text()
    assert not (second / "cell.json").exists()
    finished = (first / "cell.json").read_bytes()

    log = []
    status = grid.run_grid(cfg, out=out, log=log.append)
    assert status[first.name] == {"status": "done", "attempts": 0, "cached": True}
    assert status[second.name]["status"] == "done"
    assert f"grid: {first.name}: done already (cell.json), not redone" in log
    assert not any(line.startswith(f"grid: {first.name}: done in") for line in log)
    assert (first / "cell.json").read_bytes() == finished


def test_a_cell_directory_of_another_config_is_refused_and_kept(tmp_path):
    cell = grid.cells_of(grid.load_config(tiny(tmp_path)))[0]
    d = tmp_path / grid.cell_id(cell)
    d.mkdir()
    (d / "config.json").write_text(json.dumps(dict(cell, vae_epochs=6)))
    with pytest.raises(ValueError, match="another config .*vae_epochs"):
        grid.run_cell(cell, d)
    assert json.loads((d / "config.json").read_text())["vae_epochs"] == 6
    assert sorted(p.name for p in d.iterdir()) == ["config.json"]


@pytest.mark.parametrize("text, message", [
    ("seeds = [0]\n", "at least one \\[\\[kind\\]\\]"),
    ("epochs = 3\n[[kind]]\nname = 's2'\n", "unknown grid keys: epochs"),
    ("[[kind]]\nname = 'vq'\n", "kind name must be one of"),
    ("attributes = ['pitch']\n[[kind]]\nname = 's2'\n", "attributes must be"),
    ("seeds = [0, 0]\n[[kind]]\nname = 's2'\n", "distinct"),
    ("[[kind]]\nname = 's2'\ngamma = [1, 1]\n", "a cell twice"),
    ("[[kind]]\nname = 's2'\ngamma = 'ten'\n", "gamma must be a number"),
    ("[[kind]\n", "not valid TOML"),
])
def test_bad_grid_files_get_a_clear_error(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        grid.cells_of(grid.load_config(path))


def test_the_paper_grid_has_its_36_cells():
    cells = grid.cells_of(grid.load_config(ROOT / "training" / "grids" / "paper.toml"))
    assert len(cells) == 36
    settings = {(c["kind"], c["beta"], c["gamma"]) for c in cells}
    assert settings == {("beta", b, 0.0) for b in (0.2, 1.0, 4.0)} | {
        (k, 0.2, g) for k in ("ar", "i", "s2") for g in (0.1, 1.0, 10.0)}
    assert {c["seed"] for c in cells} == {0, 1, 2}
    assert {(c["vae_epochs"], c["traversal_epochs"], len(c["attributes"])) for c in cells} == {(6, 8, 9)}


def test_the_engine_does_not_import_ray():
    code = ("import sys, bridge.cli, bridge.engine_process, bridge.offline, engine.session; "
            "bridge.cli.build_parser().parse_args(['serve']); print(sorted(m for m in sys.modules if m == 'ray' "
            "or m.startswith('ray.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
