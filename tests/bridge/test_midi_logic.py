"""MIDI logic without ports: mapping files, takeover, relative encoders, learn, clip playback ticks."""
import mido
import pytest

from engine.clip import Note, notes_from_flat

from bridge.midi import (CLIP_TICKS, Binding, ClipPlayer, Controller, MidiError, apply_overrides, default_mapping,
                         dump_mapping, load_mapping, relative_delta)
from tests.bridge.conftest import melody_flat


class Knobs:
    """The engine side of a Controller: current attribute indices and what was submitted."""

    def __init__(self, attrs=(0, 0, 0, 3, 5, 0, 0, 0, 0)):
        self.attrs = list(attrs)
        self.sent = []
        self.waiting = set()

    def submit(self, name, value):
        self.sent.append((name, value))
        self.waiting.add(name)                  # pending in the engine until applied

    def applied(self, c, k, index):
        old = tuple(self.attrs)
        self.attrs[k] = index
        self.waiting.clear()
        c.on_state(old, tuple(self.attrs), from_midi=True)

    def controller(self, bindings=None, **kw):
        return Controller(bindings or default_mapping(), self.submit, lambda: tuple(self.attrs),
                          lambda name: name in self.waiting, **kw)


def test_default_mapping_cc20_to_28_any_channel():
    m = default_mapping()
    assert [(b.attr, b.cc, b.channel, b.mode, b.takeover) for b in m][:2] == [
        ("tonic", 20, None, "absolute", "pickup"), ("octave", 21, None, "absolute", "pickup")]
    assert m[-1].attr == "arp_chord4" and m[-1].cc == 28


def test_absolute_jump_moves_at_once_and_dedupes():
    k = Knobs()
    c = k.controller([Binding("tonic", 20, None, "absolute", "jump")])
    c.handle_cc(0, 20, 127)
    c.handle_cc(5, 20, 126)          # same snapped index (B) while the first is pending
    assert k.sent == [("tonic", 1.0)]
    k.applied(c, 0, 11)
    c.handle_cc(5, 20, 125)          # already there
    assert k.sent == [("tonic", 1.0)]
    c.handle_cc(5, 20, 0)
    assert k.sent[-1] == ("tonic", 0.0)
    c.handle_cc(0, 21, 127)          # an unmapped CC
    assert len(k.sent) == 2


def test_pickup_ignores_knob_until_it_crosses():
    k = Knobs(attrs=(6, 0, 0, 3, 5, 0, 0, 0, 0))     # tonic F#
    c = k.controller()
    c.handle_cc(0, 20, 0)            # knob at C: far from F#
    c.handle_cc(0, 20, 30)           # still below
    assert k.sent == []
    c.handle_cc(0, 20, 100)          # crossed F#: picked up
    assert k.sent == [("tonic", 9 / 11)]
    k.applied(c, 0, 9)
    c.handle_cc(0, 20, 127)
    assert k.sent[-1] == ("tonic", 1.0)
    k.applied(c, 0, 11)
    # another surface moves tonic: the knob must be picked up again
    old = tuple(k.attrs)
    k.attrs[0] = 2
    c.on_state(old, tuple(k.attrs), from_midi=False)
    c.handle_cc(0, 20, 120)
    assert len(k.sent) == 2
    c.handle_cc(0, 20, 23)           # index 2: matches, engaged, already there
    c.handle_cc(0, 20, 35)
    assert k.sent[-1] == ("tonic", 3 / 11)


def test_relative_encoders():
    assert [relative_delta("relative-twos", v) for v in (1, 3, 127, 125, 64)] == [1, 3, -1, -3, -64]
    assert [relative_delta("relative-binary-offset", v) for v in (65, 64, 63, 60)] == [1, 0, -1, -4]
    k = Knobs(attrs=(0, 1, 0, 3, 5, 0, 0, 0, 0))
    c = k.controller([Binding("octave", 30, None, "relative-twos"),
                      Binding("tonic", 31, 2, "relative-binary-offset")])
    c.handle_cc(0, 30, 1)
    assert k.sent == [("octave", 1.0)]
    c.handle_cc(0, 30, 1)            # clamped at the top, already on its way
    assert len(k.sent) == 1
    c.handle_cc(2, 31, 66)           # +2 on channel 3
    c.handle_cc(0, 31, 66)           # wrong channel
    assert k.sent[-1] == ("tonic", 2 / 11) and len(k.sent) == 2
    c.handle_cc(2, 31, 65)           # +1 from the pending target, not from the state
    assert k.sent[-1] == ("tonic", 3 / 11)
    k.applied(c, 0, 3)
    c.handle_cc(2, 31, 63)           # -1 from the state once applied
    assert k.sent[-1] == ("tonic", 2 / 11)


def test_learn_binds_next_cc_and_saves(tmp_path):
    k = Knobs()
    learned = []
    path = tmp_path / "learned.toml"
    c = k.controller(learned=lambda *a: learned.append(a), learned_path=path)
    c.learn("scale")
    c.handle_cc(2, 77, 40)
    assert learned == [("scale", 2, 77)] and k.sent == []
    assert [b for b in c.bindings if b.attr == "scale"] == [Binding("scale", 77, 2)]
    assert load_mapping(path) == [Binding("scale", 77, 2)]
    c.handle_cc(2, 77, 64)           # index 1 vs major(0): pickup, not yet
    c.handle_cc(2, 77, 0)            # lands on major: engaged, already there
    c.handle_cc(2, 77, 127)
    assert k.sent == [("scale", 1.0)]
    c.handle_cc(0, 22, 127)          # the old CC 22 binding of scale is gone
    assert len(k.sent) == 1
    with pytest.raises(KeyError):
        c.learn("colour")


def test_mapping_file_round_trip_and_errors(tmp_path):
    p = tmp_path / "map.toml"
    p.write_text('[[mapping]]\nattr = "tonic"\ncc = 1\nchannel = 16\nmode = "relative-twos"\ntakeover = "jump"\n'
                 '[[mapping]]\nattr = "scale"\ncc = 2\n')
    m = load_mapping(p)
    assert m == [Binding("tonic", 1, 15, "relative-twos", "jump"), Binding("scale", 2, None, "absolute", "pickup")]
    p.write_text(dump_mapping(m))
    assert load_mapping(p) == m
    for bad, words in (('[[mapping]]\nattr = 3\ncc = 1\n', "attr must be a knob name"),
                       ('[[mapping]]\nattr = "tonic"\ncc = 128\n', "cc must be"),
                       ('[[mapping]]\nattr = "tonic"\ncc = 1\nchannel = 0\n', "channel must be"),
                       ('[[mapping]]\nattr = "tonic"\ncc = 1\nmode = "fast"\n', "mode must be"),
                       ('[[mapping]]\nattr = "tonic"\ncc = 1\ntakeover = "x"\n', "takeover"),
                       ('[[mapping]]\nattr = "tonic"\ncc = 1\nknob = 3\n', "unknown key"),
                       ("mapping = 3\n", "array of tables"), ("[[mapping\n", "not valid TOML")):
        p.write_text(bad)
        with pytest.raises(MidiError, match=words):
            load_mapping(p)
    with pytest.raises(MidiError, match="cannot read"):
        load_mapping(tmp_path / "missing.toml")


def test_overrides_replace_attr_and_cc():
    out = apply_overrides(default_mapping(), [Binding("tonic", 22, 0)])
    assert [b.attr for b in out if b.cc == 22] == ["tonic"]
    assert [b.cc for b in out if b.attr == "tonic"] == [22]
    assert not [b for b in out if b.attr == "scale"]      # scale lost its CC to tonic


# --- playback ----------------------------------------------------------------------------------------
class Recorder:
    def __init__(self):
        self.tick = 0
        self.events = []

    def __call__(self, msg):
        self.events.append((self.tick, msg.type, msg.note, msg.velocity))


def expected_events(notes, loops=1):
    ev = []
    for loop in range(loops):
        base = loop * CLIP_TICKS
        for n in notes:
            on = base + round(n.start_time * 24)
            ev.append((on, "note_on", n.pitch, n.velocity))
            ev.append((on + round(n.duration * 24), "note_off", n.pitch, 0))
    return sorted(ev, key=lambda e: (e[0], e[1] != "note_off"))


def run_clock(player, rec, ticks):
    for _ in range(ticks):
        player.clock()
        rec.tick += 1


def test_clock_plays_notes_on_their_ticks_and_loops():
    notes = notes_from_flat(melody_flat())
    rec = Recorder()
    p = ClipPlayer(rec)
    p.set_notes(notes)
    run_clock(p, rec, 10)
    assert rec.events == []                         # not started
    rec.tick = 0
    p.on_message(mido.Message("start"))
    run_clock(p, rec, 2 * CLIP_TICKS + 1)
    exp = [e for e in expected_events(notes, 3) if e[0] <= 2 * CLIP_TICKS]
    assert sorted(rec.events, key=lambda e: (e[0], e[1] != "note_off")) == exp


def test_stop_continue_song_position_and_muted_notes():
    notes = [Note(60, 0.0, 1.0, 90), Note(62, 1.0, 0.5, 80, mute=1), Note(64, 4.0, 2.0, 70)]
    rec = Recorder()
    p = ClipPlayer(rec)
    p.set_notes(notes)
    p.on_message(mido.Message("start"))
    run_clock(p, rec, 5)
    assert rec.events == [(0, "note_on", 60, 90)]
    p.on_message(mido.Message("stop"))
    assert rec.events[-1][1:3] == ("note_off", 60)  # stop silences what sounds
    run_clock(p, rec, 30)
    assert len(rec.events) == 2
    p.on_message(mido.Message("songpos", pos=16))   # 16 sixteenths = beat 4 = tick 96
    p.on_message(mido.Message("continue"))
    rec.tick = 96
    run_clock(p, rec, 49)
    assert rec.events[2:] == [(96, "note_on", 64, 70), (144, "note_off", 64, 0)]   # the muted 62 never plays


def test_clip_change_mid_loop_leaves_no_hanging_note():
    rec = Recorder()
    p = ClipPlayer(rec)
    p.set_notes([Note(60, 0.0, 4.0)])
    p.start()
    run_clock(p, rec, 20)
    p.set_notes([Note(72, 0.5, 0.5)])
    run_clock(p, rec, 100)
    assert [e for e in rec.events if e[2] == 60] == [(0, "note_on", 60, 100), (96, "note_off", 60, 0)]
    assert [e for e in rec.events if e[2] == 72] == []         # its onset (tick 12) had passed


def test_internal_clock_plays_and_stops():
    import time
    got = []
    p = ClipPlayer(got.append)
    p.set_notes(notes_from_flat(melody_flat()))
    p.play(400.0)                                             # a tick every 6.25 ms
    deadline = time.monotonic() + 10                          # three notes (on a busy machine it takes longer)
    while sum(m.type == "note_on" for m in got) < 3:
        assert time.monotonic() < deadline, f"only {got} within 10 s"
        time.sleep(0.005)
    p.stop()
    n = len(got)
    time.sleep(0.05)
    assert len(got) == n
    ons = [m.note for m in got if m.type == "note_on"]
    assert ons[:3] == [n.pitch for n in notes_from_flat(melody_flat())][:3]
    sounding = {}
    for m in got:
        sounding[m.note] = m.type == "note_on"
    assert not any(sounding.values())                         # stop left nothing hanging
