"""The panel draws the knobs the model offers (/sentgen/knobs): a toy family (4 steps, 2 knobs) against a
real engine process, and the picker's switch to a dMelodies model rebuilds them."""
from __future__ import annotations

import sys

from engine.clip import Note, flat_from_notes
from engine.schema import get_schema
from tests.toy_schema import toy_model
from tests.ui import conftest
from tests.ui.conftest import Engine, Osc
from tests.ui.test_panel import wait_edit


def toy_engine_command(port, state_dir, model, midi=("--midi", "none")):
    """`sentgen serve` in a process that knows the toy schema (a test family, registered on import)."""
    return [sys.executable, "-c", "import sys, tests.toy_schema; from bridge.cli import main; sys.exit(main(sys.argv[1:]))",
            "serve", "--port", str(port), *midi, "--state-dir", str(state_dir), "--model", str(model)]


def test_panel_draws_the_toy_models_knobs_and_rebuilds_on_switch(qtbot, make_panel, tmp_path, monkeypatch):
    model = toy_model(tmp_path / "models" / "toy.safetensors")
    monkeypatch.setattr(conftest, "engine_command", toy_engine_command)
    e = Engine(tmp_path / "state", tmp_path / "engine.log", model).start()
    try:
        win = make_panel(e.port, wait_state=False)
        qtbot.waitUntil(lambda: list(win.knobs) == ["notes", "register"] and win.got_attrs, timeout=20000)
        assert [k.title.text() for k in win.knobs.values()] == ["Notes", "Register"]
        assert win.knobs["notes"].labels == ("1", "2", "3", "4") and win.knobs["notes"].dial.maximum() == 3
        assert win.knobs["register"].kind == "rule" and win.knobs["register"].dial.maximum() == 1
        osc = Osc(e.port, register=True)
        try:
            osc.ask("/sentgen/clip/set", "/sentgen/attrs", *flat_from_notes([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)]))
        finally:
            osc.close()
        qtbot.waitUntil(lambda: win.knobs["register"].value.text() == "low"
                        and win.knobs["notes"].value.text() == "2", timeout=10000)
        got = wait_edit(qtbot, win, lambda: win.knobs["register"].dial.setValue(1))
        assert got[:3] == ("edit", True, "rule")
        qtbot.waitUntil(lambda: win.knobs["register"].value.text() == "high", timeout=10000)
        assert win.write_temp_midi().name.startswith("sentgen-toy-2-high-")     # named by the family's knobs
        qtbot.waitUntil(lambda: win.model.findText("s2") >= 0, timeout=10000)
        win.model.setCurrentIndex(win.model.findText("s2"))
        win._model_chosen(win.model.currentIndex())
        qtbot.waitUntil(lambda: list(win.knobs) == list(get_schema().names), timeout=60000)
        assert [k.title.text() for k in win.knobs.values()] == list(get_schema().titles)
        assert win.knobs["tonic"].dial.maximum() == 11
    finally:
        e.stop()
