"""MIDI through real JACK ports (jackd -d dummy): CCs move attributes, learn, pick-up, clock-driven playback."""
import itertools
import os
import time

import pytest

from engine.clip import notes_from_flat

from bridge.midi import CLIP_TICKS, MidiBridge, PolledInput
from bridge.osc_client import Client
from tests.bridge.conftest import attrs_dict, melody_flat

mido = pytest.importorskip("mido")
_count = itertools.count()


@pytest.fixture
def rig(make_engine, jack_server, tmp_path):
    """(engine, registered client, port into the engine's control input, port from its clip output)."""
    eng = make_engine()
    bridge = MidiBridge(eng, kind="jack", learned_path=tmp_path / "learned.toml",
                        client_name=f"sgtest{os.getpid()}x{next(_count)}")
    bridge.open()
    eng.midi = bridge
    control, clip = bridge.port_names()
    assert control.endswith(":sentgen control") and clip.endswith(":sentgen clip")
    backend = mido.Backend("mido.backends.rtmidi", api="UNIX_JACK")
    to_engine = backend.open_output(control)
    from_engine = PolledInput("UNIX_JACK", "notes in", client_name=f"sgtestin{os.getpid()}x{next(_count)}",
                              connect_to=clip)          # polled: no Python runs on JACK's thread
    c = Client(port=eng.port, timeout=5)
    c.request("/sentgen/hello", c.port, until="/sentgen/original")
    c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
    c.drain(0.02)
    yield eng, c, to_engine, from_engine
    c.close()
    to_engine.close()
    from_engine.close()


def cc(port, control, value, channel=0):
    port.send(mido.Message("control_change", channel=channel, control=control, value=value))


def wait_attr(c, name, label, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = c.recv(0.05)
        if msg and msg[0] == "/sentgen/attrs" and attrs_dict(msg[1])[name][1] == label:
            return
    raise AssertionError(f"{name} never became {label}")


def current(c, name):
    c.drain(0.01)
    return attrs_dict(c.request("/sentgen/attrs/get")["/sentgen/attrs"])[name][1]


def test_cc_moves_its_attribute(rig):
    eng, c, out, _ = rig
    for v in (0, 40, 90, 127):                  # tonic is C: the knob at 0 picks it up, then moves it
        cc(out, 20, v, channel=9)
        time.sleep(0.01)
    wait_attr(c, "tonic", "B")
    cc(out, 22, 127)                            # CC 22 = scale, knob at the top is not picked up...
    time.sleep(0.05)
    assert current(c, "scale") == "major"
    cc(out, 22, 0)                              # ...until it comes to major, then it follows
    cc(out, 22, 127)
    wait_attr(c, "scale", "blues")


def test_pickup_after_another_surface_moved_the_value(rig):
    eng, c, out, _ = rig
    cc(out, 20, 0)                              # knob at C, engaged
    c.request("/sentgen/attr/set", "tonic", "F#", until="/sentgen/edit")      # the panel moves tonic
    cc(out, 20, 10)                             # knob near C again: no jump to C#
    cc(out, 20, 30)
    time.sleep(0.05)
    assert current(c, "tonic") == "F#"
    cc(out, 20, 127)                            # passes F#: picked up
    wait_attr(c, "tonic", "B")


def test_learn_binds_the_next_cc(rig, tmp_path):
    eng, c, out, _ = rig
    with Client(port=eng.port) as stranger:            # asked by an unregistered socket: it hears back too
        stranger.send("/sentgen/midi/learn", "arp_chord2")
        deadline = time.monotonic() + 5               # the request (OSC) and the CC (MIDI) go different ways:
        while eng.midi.controller.learning != "arp_chord2":     # the CC only once the engine learns
            assert time.monotonic() < deadline, "the engine never started learning"
            time.sleep(0.002)
        cc(out, 77, 5, channel=2)
        assert stranger.wait_for("/sentgen/midi/learned")[1] == ["arp_chord2", 3, 77]
    assert c.wait_for("/sentgen/midi/learned")[1] == ["arp_chord2", 3, 77]
    assert "cc = 77" in (tmp_path / "learned.toml").read_text()
    cc(out, 77, 127, channel=0)                 # another channel: not bound
    time.sleep(0.05)
    assert current(c, "arp_chord2") == "up"
    cc(out, 77, 0, channel=2)
    cc(out, 77, 127, channel=2)
    wait_attr(c, "arp_chord2", "down")


def expected_schedule(notes):
    """{tick: sorted [(type, pitch)]} over two loops of the clip."""
    ev = {}
    for loop in range(2):
        for n in notes:
            on = loop * CLIP_TICKS + round(n.start_time * 24)
            ev.setdefault(on, []).append(("note_on", n.pitch))
            ev.setdefault(on + round(n.duration * 24), []).append(("note_off", n.pitch))
    return {t: sorted(v) for t, v in ev.items()}


def received(port, want: int, timeout: float = 1.0):
    got, deadline = [], time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        m = port.poll()
        if m is None:
            time.sleep(0.0005)
        elif m.type in ("note_on", "note_off"):
            got.append(("note_off" if m.type == "note_on" and m.velocity == 0 else m.type, m.note))
    return sorted(got)


def test_clock_drives_playback_on_the_right_ticks(rig):
    eng, c, out, inp = rig
    notes = notes_from_flat(melody_flat())
    schedule = expected_schedule(notes)
    grace = 0.012                               # > 2 JACK periods of the dummy driver (-p 256 at 48 kHz)
    out.send(mido.Message("start"))
    for tick in range(CLIP_TICKS + 25):         # a whole loop and into the next
        expect = schedule.get(tick, [])
        if expect:
            time.sleep(grace)
            assert received(inp, 100, 0) == [], f"notes before tick {tick}"
        out.send(mido.Message("clock"))
        if expect:
            assert received(inp, len(expect)) == expect, f"tick {tick}"
    out.send(mido.Message("stop"))
    offs = received(inp, 1)
    assert offs and all(t == "note_off" for t, _ in offs)     # stop silences the sounding note
    # song position pointer: continue from beat 4 (16 sixteenths = tick 96)
    out.send(mido.Message("songpos", pos=16))
    out.send(mido.Message("continue"))
    out.send(mido.Message("clock"))
    assert received(inp, len(schedule[96])) == schedule[96]
    out.send(mido.Message("stop"))


def test_play_and_stop_with_the_internal_clock(rig):
    eng, c, _, inp = rig
    c.send("/sentgen/play", 300.0)
    first = [n.pitch for n in notes_from_flat(melody_flat())][:3]
    ons = []
    deadline = time.monotonic() + 2
    while len(ons) < 3 and time.monotonic() < deadline:
        m = inp.poll()
        if m is None:
            time.sleep(0.001)
        elif m.type == "note_on" and m.velocity:
            ons.append(m.note)
    assert ons == first
    c.send("/sentgen/stop")
    time.sleep(0.05)
    while inp.poll() is not None:
        pass
    time.sleep(0.1)
    late = []
    while (m := inp.poll()) is not None:
        late.append(m)
    assert [m for m in late if m.type == "note_on"] == []
