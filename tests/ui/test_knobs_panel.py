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


def test_panel_shows_the_real_folk_models_knobs_and_switches_to_s2_and_back(qtbot, make_panel, tmp_path):
    """`sentgen serve --model folk` (the shipped weights): the panel draws the eight folk knobs with their
    labels, a key turn is a transposition, the clip's drag file is named by key and mode in portable
    characters, and the picker switches to s2 and back, rebuilding the knobs each time."""
    import re

    from engine.models import MODELS_DIR
    from tests.bridge.conftest import tune_flat
    from tests.bridge.test_folk_product import knobs_of
    folk = get_schema("folk")
    e = Engine(tmp_path / "state", tmp_path / "engine.log", MODELS_DIR / "folk.safetensors").start()
    try:
        osc = Osc(e.port, register=True)
        try:
            osc.ask("/sentgen/clip/set", "/sentgen/attrs", *tune_flat("twinkle"), timeout=30)
        finally:
            osc.close()
        win = make_panel(e.port, wait_state=False)
        qtbot.waitUntil(lambda: list(win.knobs) == list(folk.names) and win.knobs["key"].value.text() == "C",
                        timeout=20000)
        assert [k.title.text() for k in win.knobs.values()] == list(folk.titles)
        assert [win.knobs[n].labels for n in folk.names] == list(folk.labels)
        assert [win.knobs[n].dial.maximum() for n in folk.names] == [int(c) - 1 for c in folk.counts]
        assert [win.knobs[n].kind for n in folk.names] == ["learned"] * 6 + ["rule"] * 2
        shown = {n: k.value.text() for n, k in win.knobs.items()}
        assert shown == {n: folk.label_of(n, int(i)) for n, i in zip(folk.names, knobs_of(tune_flat("twinkle")))}
        assert (shown["density"], shown["key"], shown["mode"], shown["octave"]) == ("6-7 notes", "C", "major", "4")
        qtbot.waitUntil(lambda: win.model.findText("s2") >= 0 and win.model.currentText() == "folk", timeout=10000)
        got = wait_edit(qtbot, win, lambda: win.knobs["key"].dial.setValue(folk.labels[6].index("D#")))
        assert got[:3] == ("edit", True, "rule")
        qtbot.waitUntil(lambda: win.knobs["key"].value.text() == "D#", timeout=10000)
        assert win.clip_flat[0::5] == [p + 3 for p in tune_flat("twinkle")[0::5]]
        name = win.write_temp_midi().name
        assert re.fullmatch(r"sentgen-folk-Ds-major-[0-9a-f]{8}\.mid", name), name
        win.model.setCurrentIndex(win.model.findText("s2"))
        win._model_chosen(win.model.currentIndex())
        qtbot.waitUntil(lambda: list(win.knobs) == list(get_schema().names), timeout=60000)
        assert re.fullmatch(r"[A-Za-z0-9._-]+", win.write_temp_midi().name)
        win.model.setCurrentIndex(win.model.findText("folk"))
        win._model_chosen(win.model.currentIndex())
        qtbot.waitUntil(lambda: list(win.knobs) == list(folk.names) and win.current_model == "folk", timeout=60000)
        assert win.knobs["octave"].labels == ("2", "3", "4", "5", "6", "7")
    finally:
        e.stop()
