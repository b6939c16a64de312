"""The knob panel against a real engine process: edits, sync, restart, errors, screenshot."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from PyQt6.QtGui import QImage

from engine.attributes import LABELS, NAMES
from engine.clip import notes_from_flat, read_midi
from tests.ui.conftest import ROOT, Osc, dmelody
from ui.oscclient import EndpointError, decode, parse_endpoint, resolve_endpoint

# a clip that parses nowhere near dMelodies: five notes (arpeggios need 12)
FIVE_NOTES = [60, 0.0, 1.0, 100, 0, 62, 1.0, 1.0, 100, 0, 64, 2.0, 1.0, 100, 0,
              65, 3.0, 1.0, 100, 0, 67, 4.0, 2.0, 100, 0]


def knob_labels(win):
    return {n: k.value.text() for n, k in win.knobs.items()}


def engine_state(osc):
    clip = osc.ask("/sentgen/clip/get", "/sentgen/clip")
    attrs = osc.ask("/sentgen/attrs/get", "/sentgen/attrs")
    return clip, {attrs[i]: attrs[i + 2] for i in range(0, len(attrs), 4)}


def wait_edit(qtbot, win, action, timeout=20000):
    """Run action, wait for the engine's answer to an edit: ("edit", exact, method, reason) or ("error", ...)."""
    got = []
    on_edit = lambda *a: got.append(("edit", *a))       # noqa: E731
    on_error = lambda *a: got.append(("error", *a))     # noqa: E731
    win.client.edit.connect(on_edit)
    win.client.error.connect(on_error)
    try:
        action()
        qtbot.waitUntil(lambda: bool(got), timeout=timeout)
    finally:
        win.client.edit.disconnect(on_edit)
        win.client.error.disconnect(on_error)
    return got[0]


def turn(win, name):
    """Move a knob one notch (down from the top, else up); returns the new index."""
    k = win.knobs[name]
    new = k.dial.value() - 1 if k.dial.value() > 0 else 1
    k.dial.setValue(new)
    return new


def test_knob_turn_edits_and_panel_shows_the_new_state(qtbot, make_panel, osc):
    win = make_panel(osc.addr[1])
    before_clip = list(win.clip_flat)
    assert set(knob_labels(win)) == set(NAMES)
    # the labels are the engine's labels
    _, labels = engine_state(osc)
    assert knob_labels(win) == labels
    for name in ("tonic", "scale", "arp_chord1"):
        new = []
        kind, *answer = wait_edit(qtbot, win, lambda: new.append(turn(win, name)))
        asked = LABELS[NAMES.index(name)][new[0]]
        clip, labels = engine_state(osc)
        # the roll shows the engine's clip, and the knobs its labels
        qtbot.waitUntil(lambda: win.clip_flat == clip and knob_labels(win) == labels, timeout=5000)
        if kind == "edit" and answer[0]:
            assert labels[name] == asked
            assert win.knobs[name].state == "ok"
            assert "reached" in win.status.text()
            assert clip != before_clip
        elif kind == "edit":                                  # not exact: shown, not hidden
            assert win.status.property("level") == "warn"
            reason = answer[2]
            if labels[name] != asked:
                assert win.knobs[name].state == "unreachable" and "not reached" in win.status.text()
            else:                                             # reached; what else moved is marked
                assert "not exact" in win.status.text()
            for other in reason.split("also changed:")[-1].split(","):
                if other.strip() in NAMES:
                    assert win.knobs[other.strip()].state == "unreachable"
        else:                                                 # refused: the state stays, the knob says so
            assert win.knobs[name].state == "unreachable"
            assert win.status.property("level") == "error"
            assert clip == before_clip
        assert win.knobs[name].dial.value() == win.knobs[name].engine_index
        marked = {n for n, k in win.knobs.items() if k.state == "unreachable"}
        with qtbot.waitSignal(win.client.attrs, timeout=10000):
            win.client.hello()                               # the keep-alive refresh: same state again
        assert marked == {n for n, k in win.knobs.items() if k.state == "unreachable"}
        before_clip = clip
    assert win.roll.notes == [tuple(n.flat()) for n in notes_from_flat(win.clip_flat)]


def test_two_panels_stay_in_sync(qtbot, make_panel, osc):
    a = make_panel(osc.addr[1])
    b = make_panel(osc.addr[1])
    for _ in range(2):
        clip = dmelody(4321 * (_ + 1))
        # the load's last message (so that the knob turn below waits for its own /sentgen/edit, not this one)
        with qtbot.waitSignals([a.client.edit, b.client.edit], timeout=20000):
            a.client.set_clip(clip)
        qtbot.waitUntil(lambda: a.clip_flat == clip == b.clip_flat, timeout=5000)
        _, labels = engine_state(osc)
        qtbot.waitUntil(lambda: knob_labels(a) == labels == knob_labels(b), timeout=5000)
    wait_edit(qtbot, b, lambda: turn(a, "octave"))
    qtbot.waitUntil(lambda: a.clip_flat == b.clip_flat and knob_labels(a) == knob_labels(b), timeout=5000)
    assert b.knobs["octave"].dial.value() == b.knobs["octave"].engine_index
    clip, labels = engine_state(osc)
    assert b.clip_flat == clip and knob_labels(b) == labels


def test_random_undo_redo_buttons(qtbot, make_panel, osc):
    win = make_panel(osc.addr[1])
    for row in (1000, 2000):                      # two loads make two history steps
        osc.send("/sentgen/clip/set", *dmelody(row))
        # the clip and the original (a loaded clip is the new original) are separate datagrams
        qtbot.waitUntil(lambda: win.clip_flat == dmelody(row) == win.original_flat, timeout=20000)
    assert win.roll.ghost == win.roll.notes
    win.b_undo.click()
    qtbot.waitUntil(lambda: win.clip_flat == dmelody(1000), timeout=20000)
    win.b_redo.click()
    qtbot.waitUntil(lambda: win.clip_flat == dmelody(2000), timeout=20000)
    # Random: a new clip, or (a model that finds no valid melody) an error on the status line
    assert win.status.property("level") != "error"
    win.b_random.click()
    qtbot.waitUntil(lambda: win.clip_flat != dmelody(2000) or win.status.property("level") == "error",
                    timeout=20000)
    if win.status.property("level") == "error":
        assert "/sentgen/random" in win.status.text() and win.clip_flat == dmelody(2000)


def test_invalid_attributes_and_errors_are_shown(qtbot, make_panel, osc):
    win = make_panel(osc.addr[1])
    osc.send("/sentgen/clip/set", *FIVE_NOTES)        # (an attrs signal could be a keep-alive hello's answer)
    qtbot.waitUntil(lambda: win.knobs["arp_chord1"].value.text() == "invalid", timeout=20000)
    assert win.knobs["arp_chord1"].state == "invalid"
    # (the attrs come before the load's /sentgen/edit, which rewrites the status line: wait for both)
    qtbot.waitUntil(lambda: "invalid" in win.status.text() and win.status.property("level") == "warn", timeout=5000)
    qtbot.waitUntil(lambda: bool(win.roll.ghost), timeout=5000)     # the user's original, as ghost notes
    # an error from the engine is shown on the status line, in red
    with qtbot.waitSignal(win.client.error, timeout=5000):
        win.client.send("/sentgen/attr/set", "tonic", "H#")
    assert win.status.property("level") == "error" and "tonic" in win.status.text()


def test_export_and_drag_file(qtbot, make_panel, osc, tmp_path):
    win = make_panel(osc.addr[1])
    with qtbot.waitSignal(win.client.exported, timeout=10000) as blocker:
        win.b_export.click()
    path = blocker.args[0]
    assert path in win.export_path.text() and os.path.exists(path)
    notes, _ = read_midi(path)
    assert notes
    # the drag-and-drop file holds the clip on screen
    from ui.pianoroll import mime_for_file
    tmp = win.write_temp_midi()
    labels = {r[0]: r[2] for r in win.attrs_rows}
    assert f"-{labels['tonic']}-{labels['scale']}-".replace("#", "s") in tmp.name    # as before the schema
    mime = mime_for_file(tmp)
    assert mime.urls()[0].toLocalFile() == str(tmp)
    dragged, _ = read_midi(tmp)
    shown = [n for n in notes_from_flat(win.clip_flat) if not n.mute]
    assert [(n.pitch, n.start_time, n.duration) for n in dragged] == \
           [(n.pitch, n.start_time, n.duration) for n in sorted(shown, key=lambda n: (n.start_time, -n.pitch))]


def test_drop_a_mid_file_makes_it_the_clip(qtbot, make_panel, osc, tmp_path):
    from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PyQt6.QtGui import QDropEvent

    from engine.clip import notes_from_flat, write_midi
    win = make_panel(osc.addr[1])
    path = write_midi(tmp_path / "mine.mid", notes_from_flat(dmelody(555)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    win.dropEvent(event)
    # the clip and the original (a loaded clip is the new original) are separate datagrams
    qtbot.waitUntil(lambda: win.clip_flat == dmelody(555) == win.original_flat, timeout=20000)
    assert win.roll.ghost == win.roll.notes
    # a file that is not MIDI: a clear message, nothing sent
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    win.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier))
    assert win.status.property("level") == "error" and "bad.mid" in win.status.text()


def test_model_picker_and_midi_learn(qtbot, make_panel, osc):
    win = make_panel(osc.addr[1])
    models = osc.ask("/sentgen/model/list", "/sentgen/models")
    qtbot.waitUntil(lambda: bool(win.current_model), timeout=5000)
    shown = [win.model.itemText(i) for i in range(win.model.count())]
    assert set(models) <= set(shown) and set(shown) <= set(models) | {win.current_model}
    assert win.model.currentText() == win.current_model
    # a model the engine cannot load: the error is shown, the picker goes back to the model in use
    current = win.current_model
    win.model.addItem("no-such-model")
    win.model.setCurrentIndex(win.model.findText("no-such-model"))
    with qtbot.waitSignal(win.client.error, timeout=5000):
        win.model.activated.emit(win.model.currentIndex())
    assert "no-such-model" in win.status.text() and win.model.currentText() == current
    if len(models) >= 2:                        # a real switch, and back
        for name in [m for m in models if m != current][:1] + [current]:
            win.model.setCurrentIndex(win.model.findText(name))
            with qtbot.waitSignal(win.client.pong, timeout=60000,
                                  check_params_cb=lambda v, m, d, name=name: m == name):
                win.model.activated.emit(win.model.currentIndex())
            assert win.current_model == name and name in win.info.text()
    # learn with MIDI off (--midi none): the engine's error is shown and the knob leaves learn mode
    with qtbot.waitSignal(win.client.error, timeout=5000):
        win.knobs["scale"].learn.click()
        assert win.knobs["scale"].state == "learning"
    assert win.status.property("level") == "error" and "MIDI is off" in win.status.text()
    assert win.knobs["scale"].state != "learning" and not win.knobs["scale"].learn.isChecked()


def test_engine_restart_recovers(qtbot, make_panel, fresh_engine):
    win = make_panel(fresh_engine.port)
    assert win.client.connected
    fresh_engine.kill()
    qtbot.waitUntil(lambda: not win.client.connected, timeout=10000)
    assert "not reachable" in win.roll.message and not win.knob_frame.isEnabled()
    win.got_attrs = False
    fresh_engine.spawn()
    qtbot.waitUntil(lambda: win.client.connected and win.got_attrs, timeout=60000)
    assert win.knob_frame.isEnabled() and win.roll.message == ""
    # registered again: a change from another client reaches the panel
    other = Osc(fresh_engine.port, register=True)
    try:
        other.send("/sentgen/clip/set", *dmelody(77))
        qtbot.waitUntil(lambda: win.clip_flat == dmelody(77), timeout=20000)
    finally:
        other.close()
    # a quick restart (back before the panel calls the engine lost): the panel registers again by itself
    fresh_engine.kill()
    fresh_engine.spawn()
    qtbot.waitUntil(fresh_engine.ready, timeout=60000)     # the panel's event loop runs meanwhile
    qtbot.waitUntil(lambda: win.client.last_hello > win.client.last_ping > 0, timeout=10000)
    other = Osc(fresh_engine.port, register=True)
    try:
        other.send("/sentgen/clip/set", *dmelody(78))
        qtbot.waitUntil(lambda: win.clip_flat == dmelody(78), timeout=20000)
    finally:
        other.close()


def test_panel_without_engine_says_so(qtbot, make_panel, silent_port):
    port = silent_port
    win = make_panel(port, wait_state=False)
    qtbot.waitUntil(lambda: "no answer" in win.conn.text(), timeout=8000)
    assert f"127.0.0.1:{port}" in win.conn.text()
    assert "sentgen serve" in win.roll.message
    assert not win.knob_frame.isEnabled()


def test_bad_engine_address_messages():
    with pytest.raises(EndpointError, match="cannot resolve"):
        resolve_endpoint("no-such-host.invalid", 9000)
    with pytest.raises(EndpointError, match="port"):
        parse_endpoint("localhost:notaport")
    with pytest.raises(EndpointError, match="outside"):
        parse_endpoint("localhost:70000")
    assert parse_endpoint("10.0.0.2:9100") == ("10.0.0.2", 9100)
    assert parse_endpoint(":9100") == ("127.0.0.1", 9100)
    assert parse_endpoint("[::1]:9100") == ("::1", 9100)


def run_cli(*args, timeout=30):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "bridge.cli", "panel", *args], cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_cli_bad_address_gives_clear_message(tmp_path, silent_port):
    r = run_cli("--engine", "no-such-host.invalid:9000", "--screenshot", str(tmp_path / "x.png"))
    assert r.returncode == 2 and "cannot resolve engine host 'no-such-host.invalid'" in r.stderr
    port = silent_port
    t0 = time.monotonic()
    r = run_cli("--engine", f"127.0.0.1:{port}", "--screenshot", str(tmp_path / "y.png"), "--timeout", "1.5")
    assert r.returncode == 2 and time.monotonic() - t0 < 20
    assert f"no answer from the engine at 127.0.0.1:{port}" in r.stderr and "sentgen serve" in r.stderr
    assert not (tmp_path / "y.png").exists()


def test_cli_without_display_says_so():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if sys.platform in ("darwin", "win32"):
        pytest.skip("always a display here")
    r = subprocess.run([sys.executable, "-m", "bridge.cli", "panel"], cwd=str(ROOT), capture_output=True,
                       text=True, timeout=30, env=dict(env, PYTHONPATH=str(ROOT)))
    assert r.returncode == 2 and "no display" in r.stderr and "--screenshot" in r.stderr


def test_cli_screenshot_writes_png(engine, tmp_path):
    out = tmp_path / "panel.png"
    r = run_cli("--engine", f"127.0.0.1:{engine.port}", "--screenshot", str(out), "--timeout", "15")
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0
    img = QImage(str(out))
    assert not img.isNull() and img.width() >= 800 and img.height() >= 400


def test_knob_moves_are_coalesced(qtbot):
    """A sweep over 28 notches sends one edit, then the newest value once the engine answers."""
    from ui.oscclient import EngineClient, encode
    fake = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fake.bind(("127.0.0.1", 0))
    fake.settimeout(0.2)
    client = EngineClient("127.0.0.1", fake.getsockname()[1])
    try:
        for i in range(28):
            client.set_attr("rhythm_bar1", i / 27)
            qtbot.wait(2)
        got = []
        while True:
            try:
                data, src = fake.recvfrom(65536)
            except socket.timeout:
                break
            got += decode(data)
        assert got == [("/sentgen/attr/set", ["rhythm_bar1", 0.0])]
        fake.sendto(encode("/sentgen/attrs", *[x for n in NAMES for x in (n, 0, "x", 0.0)]), src)
        qtbot.waitUntil(lambda: not client.pending, timeout=2000)
        got = []
        while True:
            try:
                got += decode(fake.recvfrom(65536)[0])
            except socket.timeout:
                break
        assert [m for m in got if m[0] == "/sentgen/attr/set"] == [("/sentgen/attr/set", ["rhythm_bar1", 1.0])]
    finally:
        client.close()
        fake.close()


def test_launch_if_display(monkeypatch):
    from ui import panel
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("SENTGEN_NO_PANEL", raising=False)
    if sys.platform.startswith("linux"):
        assert panel.launch_if_display("127.0.0.1", 9) is None
    cmd = panel.panel_command("127.0.0.1", 9123)
    assert cmd[-4:] == ["bridge.cli", "panel", "--engine", "127.0.0.1:9123"]


# --- MIDI learn end to end, on a private JACK server with the dummy driver (skipped without jackd) ------------
SCREENSHOT_ROW = 3 * 112896 + 1 * 37632 + 1 * 12544 + 5 * 448 + 20 * 16 + 0b0101   # D# 5 minor, arps up down up down


@pytest.fixture
def jack_engine(tmp_path, model):
    import shutil
    if not (shutil.which("jackd") and shutil.which("jack_connect")):
        pytest.skip("needs jackd and jack_connect (Debian package jackd2)")
    server = f"sentgen-ui-{os.getpid()}"
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    jackd = subprocess.Popen(["jackd", "-n", server, "--no-realtime", "-d", "dummy"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["JACK_DEFAULT_SERVER"] = server
    os.environ["JACK_NO_START_SERVER"] = "1"
    from tests.ui.conftest import Engine, with_clip
    e = None
    try:
        end = time.monotonic() + 10
        while subprocess.run(["jack_lsp"], capture_output=True).returncode != 0:
            if time.monotonic() > end or jackd.poll() is not None:
                pytest.skip("the JACK dummy server did not start here")
            time.sleep(0.2)
        e = Engine(tmp_path / "state", tmp_path / "engine.log", model)
        e.midi = ("--midi", "jack")
        with_clip(e.start(), SCREENSHOT_ROW)
        yield e
    finally:
        if e is not None:
            e.stop()
        jackd.terminate()
        jackd.wait(5)
        os.environ.pop("JACK_DEFAULT_SERVER", None)


def test_midi_learn_end_to_end(qtbot, make_panel, jack_engine):
    import mido
    win = make_panel(jack_engine.port)
    assert win.knobs["arp_chord1"].value.text() == "up"
    backend = mido.Backend("mido.backends.rtmidi", api="UNIX_JACK", load=True)
    out = backend.open_output("cc out", virtual=True, client_name="sentgen-ui-test")
    try:
        r = subprocess.run(["jack_connect", "sentgen-ui-test:cc out", "sentgen:sentgen control"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        learned = []
        win.client.learned.connect(lambda *a: learned.append(list(a)))
        win.knobs["arp_chord1"].learn.click()
        assert win.knobs["arp_chord1"].state == "learning"
        # the learn request (OSC) and the CC (MIDI) reach the engine by different ways: send the CC until it
        # is learned (one that comes before learn mode moves nothing: CC 74 is not bound; value 0 is the
        # knob's current value, so one after it moves nothing either)
        end = time.monotonic() + 5
        while not learned and time.monotonic() < end:
            out.send(mido.Message("control_change", channel=2, control=74, value=0))
            qtbot.wait(50)
        assert learned[:1] == [["arp_chord1", 3, 74]]
        assert win.knobs["arp_chord1"].state == "ok" and "CC 74 ch 3" in win.knobs["arp_chord1"].toolTip()
        assert "CC 74 (channel 3) now moves arp_chord1" in win.status.text()
        # the learned CC now moves the attribute (pick-up: the knob engages at the current value, 0 = up)
        # and the panel shows the engine's answer
        out.send(mido.Message("control_change", channel=2, control=74, value=0))
        kind, *_ = wait_edit(qtbot, win, lambda: out.send(
            mido.Message("control_change", channel=2, control=74, value=127)))
        if kind == "edit":
            assert win.knobs["arp_chord1"].value.text() == "down"
        else:                                     # a model that cannot make it: the refusal is shown
            assert win.status.property("level") == "error" and "/sentgen/attr/set" in win.status.text()
    finally:
        out.close()


def test_drop_a_hostile_mid_file_says_why(qtbot, make_panel, osc, tmp_path):
    """The panel reads a dropped file with the same read_midi: a tempo of 0 (a ZeroDivisionError out of
    dropEvent before) is one clear line on the status, and the engine's clip stays."""
    from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PyQt6.QtGui import QDropEvent

    from engine.clip import write_midi
    win = make_panel(osc.addr[1])
    before = engine_state(osc)[0]
    good = write_midi(tmp_path / "good.mid", notes_from_flat(dmelody(555))).read_bytes()
    at = good.index(b"\xff\x51\x03") + 3
    path = tmp_path / "tempo0.mid"
    path.write_bytes(good[:at] + b"\x00\x00\x00" + good[at + 3:])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    win.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier))
    assert win.status.property("level") == "error"
    assert "tempo0.mid as a MIDI file: tempo must be between 1 and 999 bpm" in win.status.text()
    assert engine_state(osc)[0] == before


def _lan_ip():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))                 # picks the outgoing address; sends nothing
        ip = s.getsockname()[0]
    except OSError:
        ip = ""
    finally:
        s.close()
    return "" if ip.startswith("127.") else ip


def test_panel_sends_the_token_to_an_engine_beyond_loopback(qtbot, model, tmp_path):
    """An engine listening on this machine's network address needs its token: the panel given it
    (`sentgen panel --token`) registers and edits; one without it is told why on its status line."""
    from bridge.osc_server import Engine as OscEngine, load_editor
    from engine.session import Session
    from ui.oscclient import EngineClient
    from ui.panel import PanelWindow
    ip = _lan_ip()
    if not ip:
        pytest.skip("no non-loopback address on this machine")
    eng = OscEngine(Session(load_editor(model, "cpu")), host=ip, port=0, token="s3cret", state_dir=tmp_path,
                    models_dir=model.parent, lookahead=False)
    eng.start()
    wins = []
    try:
        for token in ("s3cret", None):
            win = PanelWindow(EngineClient(ip, eng.port, token=token))
            qtbot.addWidget(win)
            win.show()
            win.client.start()
            wins.append(win)
        good, bad = wins
        qtbot.waitUntil(lambda: good.got_attrs, timeout=10000)
        assert wait_edit(qtbot, good, lambda: good.client.set_clip(dmelody(4242)))[0] == "edit"
        qtbot.waitUntil(lambda: good.got_clip and knob_labels(good)["scale"] != "", timeout=10000)
        target = "minor" if knob_labels(good)["scale"] != "minor" else "major"
        assert wait_edit(qtbot, good, lambda: good.client.set_attr("scale", target))[0] == "edit"
        qtbot.waitUntil(lambda: knob_labels(good)["scale"] == target, timeout=10000)
        qtbot.waitUntil(lambda: "needs its token" in bad.status.text(), timeout=10000)
        assert not bad.got_attrs and (ip, bad.client.listen_port) not in eng._clients
    finally:
        for w in wins:
            w.client.close()
        eng.stop()


def test_piano_roll_draws_a_line_at_every_step_of_the_folk_grid():
    """The folk family's clips sit on sixteenths: every onset of a converted real clip lies on a drawn line,
    bars and beats where they are."""
    from engine.folk import SCHEMA
    from training.heldout import load_heldout
    from ui.pianoroll import grid_lines
    lines = dict(grid_lines())
    assert [b for b, k in lines.items() if k == "bar"] == [0, 4, 8]
    assert [b for b, k in lines.items() if k in ("bar", "beat")] == list(range(9))
    h = load_heldout()
    starts = {n.start_time for notes in h.notes
              for n in SCHEMA.tokens_to_notes(SCHEMA.notes_to_tokens(notes).tokens)}
    assert any(s % 0.5 for s in starts)                   # real clips use sixteenths
    assert starts <= set(lines)
