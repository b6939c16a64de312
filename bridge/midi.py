"""MIDI for the engine: a control input (CCs move attributes, clock drives playback) and a clip output.

- `Binding`, `load_mapping`, `dump_mapping`: the TOML mapping file (docs/midi.md).
- `Controller`: CC -> knob moves (absolute or relative encoders, pick-up or jump
  takeover) and learn mode; pure logic, no ports.
- `ClipPlayer`: plays the current clip as notes, looping its 2 bars (192 ticks
  of 24 ppqn), stepped by incoming MIDI clock (start, stop, continue, song
  position pointer) or by its own clock (`play(bpm)` / `stop()`).
- `MidiBridge`: opens the two ports with mido + python-rtmidi (JACK on Linux,
  CoreMIDI on macOS, loopMIDI ports on Windows) and wires them to the engine.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.models import atomic_write_text
from engine.schema import get_schema

log = logging.getLogger("sentgen.midi")

CONTROL_PORT = "sentgen control"
CLIP_PORT = "sentgen clip"
CLIENT_NAME = "sentgen"
DEFAULT_FIRST_CC = 20                     # CC 20 + k -> knob k of the current model (dMelodies: CC 20..28)
MODES = ("absolute", "relative-twos", "relative-binary-offset")
TAKEOVERS = ("pickup", "jump")
PPQN = 24
CLIP_TICKS = 8 * PPQN                     # 2 bars of 4/4
OUT_CHANNEL = 0                           # notes go out on MIDI channel 1
API_OF_KIND = {"jack": "UNIX_JACK", "alsa": "LINUX_ALSA", "coremidi": "MACOSX_CORE", "windows": "WINDOWS_MM"}


class MidiError(RuntimeError):
    """MIDI cannot be set up as asked; the message says why and what to do."""


# --- the mapping ----------------------------------------------------------------------------------
@dataclass
class Binding:
    attr: str
    cc: int
    channel: int | None = None            # 0..15, None = any channel
    mode: str = "absolute"
    takeover: str = "pickup"
    # runtime state
    engaged: bool = field(default=False, compare=False)
    last_index: int | None = field(default=None, compare=False)    # where the knob is (absolute)
    sent_index: int | None = field(default=None, compare=False)    # last index sent to the engine
    virtual: int | None = field(default=None, compare=False)       # relative encoders: running target

    def matches(self, channel: int, cc: int) -> bool:
        return self.cc == cc and (self.channel is None or self.channel == channel)

    def describe(self) -> str:
        ch = "any" if self.channel is None else str(self.channel + 1)
        return f"CC {self.cc} ch {ch} -> {self.attr} ({self.mode}, {self.takeover})"


def default_mapping(names=None) -> list[Binding]:
    """CC 20 + k for knob k of the given knob names (default: the dMelodies schema's)."""
    names = get_schema().names if names is None else names
    return [Binding(name, DEFAULT_FIRST_CC + k) for k, name in enumerate(names)]


def _toml_loads(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:          # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise MidiError("reading a mapping file needs Python 3.11 (tomllib) or the tomli package") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MidiError(f"mapping file is not valid TOML: {e}") from None


def parse_binding(entry, where: str) -> Binding:
    if not isinstance(entry, dict):
        raise MidiError(f"{where}: each [[mapping]] must be a table")
    unknown = set(entry) - {"attr", "cc", "channel", "mode", "takeover"}
    if unknown:
        raise MidiError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    attr = entry.get("attr")
    if not isinstance(attr, str) or not attr.strip():
        # any knob name: a knob the current model lacks is kept, and inactive until a model has it
        raise MidiError(f"{where}: attr must be a knob name (e.g. {', '.join(get_schema().names[:3])}), got {attr!r}")
    cc = entry.get("cc")
    if not isinstance(cc, int) or isinstance(cc, bool) or not 0 <= cc <= 127:
        raise MidiError(f"{where}: cc must be an integer 0..127, got {cc!r}")
    channel = entry.get("channel", "any")
    if channel == "any":
        channel = None
    elif isinstance(channel, int) and not isinstance(channel, bool) and 1 <= channel <= 16:
        channel -= 1
    else:
        raise MidiError(f"{where}: channel must be 1..16 or \"any\", got {channel!r}")
    mode = entry.get("mode", "absolute")
    if mode not in MODES:
        raise MidiError(f"{where}: mode must be one of {', '.join(MODES)}, got {mode!r}")
    takeover = entry.get("takeover", "pickup")
    if takeover not in TAKEOVERS:
        raise MidiError(f"{where}: takeover must be pickup or jump, got {takeover!r}")
    return Binding(attr, cc, channel, mode, takeover)


def load_mapping(path) -> list[Binding]:
    """Bindings of a TOML mapping file: [[mapping]] attr, cc, channel (1..16 or "any"), mode, takeover."""
    path = Path(path)
    try:
        data = _toml_loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise MidiError(f"cannot read mapping file {path}: {e}") from None
    entries = data.get("mapping", [])
    if not isinstance(entries, list):
        raise MidiError(f"{path}: 'mapping' must be an array of tables ([[mapping]])")
    return [parse_binding(e, f"{path} mapping #{i + 1}") for i, e in enumerate(entries)]


def dump_mapping(bindings) -> str:
    lines = ["# sentgen MIDI mapping (docs/midi.md)", ""]
    for b in bindings:
        ch = '"any"' if b.channel is None else str(b.channel + 1)
        lines += ["[[mapping]]", f'attr = "{b.attr}"', f"cc = {b.cc}", f"channel = {ch}",
                  f'mode = "{b.mode}"', f'takeover = "{b.takeover}"', ""]
    return "\n".join(lines)


def apply_overrides(base: list[Binding], overrides: list[Binding]) -> list[Binding]:
    """base with each override replacing the bindings of its attribute and of its CC/channel."""
    out = list(base)
    for o in overrides:
        out = [b for b in out if b.attr != o.attr and not (b.cc == o.cc and (
            b.channel is None or o.channel is None or b.channel == o.channel))]
        out.append(o)
    return out


def relative_delta(mode: str, value: int) -> int:
    if mode == "relative-twos":                 # 1..63 up, 127..65 down (two's complement)
        return value - 128 if value >= 64 else value
    if mode == "relative-binary-offset":        # 64 = no move, 65.. up, ..63 down
        return value - 64
    raise ValueError(mode)


# --- CC -> knob moves --------------------------------------------------------------------------------
class Controller:
    """Turns control changes into knob moves on the engine.  Thread-safe (rtmidi's thread, the worker)."""

    def __init__(self, bindings, submit, current=None, pending=lambda name: False,
                 learned=None, learned_path: Path | None = None, knobs=None):
        self.knobs = knobs or (lambda: get_schema().knobs)    # () -> the current model's knobs (engine.schema.Knob)
        self.default = bindings is None  # the default map: CC 20 + k, rebuilt for each model's knobs
        self.bindings = default_mapping([k.name for k in self.knobs()]) if bindings is None else list(bindings)
        self.submit = submit            # (name, value in [0, 1]) -> None
        self.current = current or (lambda: (-1,) * len(self.knobs()))   # () -> the current knob indices
        self.pending = pending          # name -> bool: a move of that attribute waits in the engine
        self.learned = learned          # (name, channel or None, cc) -> None
        self.learned_path = learned_path
        self.learning: str | None = None
        self.overrides: list[Binding] = []
        self._lock = threading.Lock()

    def learn(self, name: str):
        names = [k.name for k in self.knobs()]
        if name not in names:
            raise KeyError(f"unknown knob {name!r}; expected one of {', '.join(names)}")
        with self._lock:
            self.learning = name

    def handle_cc(self, channel: int, cc: int, value: int):
        with self._lock:
            if self.learning is not None:
                name, self.learning = self.learning, None
                b = Binding(name, cc, channel)
                self.overrides = apply_overrides(self.overrides, [b])
                self.bindings = apply_overrides(self.bindings, [b])
                overrides = list(self.overrides)
                log.info("learned %s", b.describe())
            else:
                name = None
                moves = [self._move(b, value) for b in self.bindings if b.matches(channel, cc)]
        if name is not None:
            self._save_overrides(overrides)
            if self.learned:
                self.learned(name, channel, cc)
            return
        for move in moves:
            if move is not None:
                self.submit(*move)

    def inactive(self) -> list[Binding]:
        """Bindings to knobs the current model does not have: kept, and doing nothing until it has them."""
        names = {k.name for k in self.knobs()}
        with self._lock:
            return [b for b in self.bindings if b.attr not in names]

    def set_knobs(self):
        """The model (and so its knobs) changed: the default map follows it (CC 20 + k, learned bindings kept);
        bindings to knobs the new model lacks stay, inactive (logged)."""
        names = [k.name for k in self.knobs()]
        with self._lock:
            if self.default:
                self.bindings = apply_overrides(default_mapping(names), self.overrides)
            for b in self.bindings:
                b.engaged, b.last_index, b.sent_index, b.virtual = False, None, None, None
        off = self.inactive()
        if off:
            log.info("MIDI bindings inactive (the model has no such knob): %s", "; ".join(b.describe() for b in off))

    def _move(self, b: Binding, value: int):
        knobs = self.knobs()
        k = next((i for i, kn in enumerate(knobs) if kn.name == b.attr), None)
        if k is None:
            return None                  # inactive: the current model has no such knob
        n = knobs[k].count
        cur = self.current()[k]
        if b.mode == "absolute":
            idx = int(round(value / 127 * (n - 1)))
            if b.takeover == "pickup" and not b.engaged:
                crossed = b.last_index is not None and (b.last_index - cur) * (idx - cur) < 0
                b.engaged = cur < 0 or idx == cur or crossed
                b.last_index = idx
                if not b.engaged:
                    return None
            b.last_index = idx
        else:
            delta = relative_delta(b.mode, value)
            base = b.virtual if b.virtual is not None and self.pending(b.attr) else cur
            idx = min(max((base if base >= 0 else 0) + delta, 0), n - 1)
            b.virtual = idx
        own_pending = b.sent_index is not None and self.pending(b.attr)    # a move of this knob waits
        if own_pending and idx == b.sent_index:
            return None                  # that value is already on its way
        if not own_pending and idx == cur:
            b.sent_index = idx
            return None                  # already there (a move of another surface may be waiting: it wins)
        b.sent_index = idx
        return b.attr, idx / (n - 1)

    def on_state(self, old, new, from_midi: bool):
        """A new state: knobs whose attribute another surface moved must be picked up again."""
        if from_midi:
            return
        names = [k.name for k in self.knobs()]
        with self._lock:
            for b in self.bindings:
                if b.attr not in names:
                    continue                 # inactive
                k = names.index(b.attr)
                if len(old) != len(new) or old[k] != new[k]:
                    b.sent_index = b.virtual = None
                    if b.last_index != new[k]:
                        b.engaged = False

    def _save_overrides(self, overrides):
        if self.learned_path is None:
            return
        try:
            atomic_write_text(self.learned_path, dump_mapping(overrides))
        except OSError as e:
            log.warning("cannot save learned MIDI bindings to %s: %s", self.learned_path, e)


# --- clip playback -------------------------------------------------------------------------------------
class ClipPlayer:
    """Loops the clip's notes over 192 ticks; each clock tick plays what starts and ends on it."""

    def __init__(self, send):
        self.send = send                   # mido.Message -> None
        self._lock = threading.RLock()
        self._events: dict[int, list[tuple[int, int, int]]] = {}     # tick -> [(pitch, velocity, length)]
        self._sounding: dict[int, int] = {}                          # pitch -> absolute tick of its note-off
        self.position = 0                  # absolute tick the next clock plays
        self.running = False
        self._clock_thread: threading.Thread | None = None
        self._clock_stop = threading.Event()

    def set_notes(self, notes):
        events: dict[int, list] = {}
        for n in notes:
            if n.mute:
                continue
            on = int(round(n.start_time * PPQN))
            if not 0 <= on < CLIP_TICKS:
                continue
            length = max(1, int(round(n.duration * PPQN)))
            events.setdefault(on, []).append((n.pitch, max(1, n.velocity), length))
        with self._lock:
            self._events = events

    def _msg(self, kind, pitch, velocity=0):
        import mido
        return mido.Message(kind, channel=OUT_CHANNEL, note=pitch, velocity=velocity)

    def clock(self):
        with self._lock:
            if not self.running:
                return
            pos = self.position
            for pitch, off in list(self._sounding.items()):
                if off <= pos:
                    del self._sounding[pitch]
                    self.send(self._msg("note_off", pitch))
            for pitch, vel, length in self._events.get(pos % CLIP_TICKS, ()):
                if pitch in self._sounding:
                    self.send(self._msg("note_off", pitch))
                self.send(self._msg("note_on", pitch, vel))
                self._sounding[pitch] = pos + length
            self.position = pos + 1

    def all_off(self):
        with self._lock:
            for pitch in list(self._sounding):
                self.send(self._msg("note_off", pitch))
            self._sounding.clear()

    def start(self):
        with self._lock:
            self.all_off()
            self.position, self.running = 0, True

    def cont(self):
        with self._lock:
            self.running = True

    def halt(self):
        with self._lock:
            self.running = False
            self.all_off()

    def song_position(self, sixteenths: int):
        with self._lock:
            self.all_off()
            self.position = sixteenths * (PPQN // 4)

    def on_message(self, msg):
        """External clock: start, stop, continue, song position pointer, clock."""
        t = msg.type
        if t == "clock":
            self.clock()
        elif t == "start":
            self._stop_internal()
            self.start()
        elif t == "stop":
            self._stop_internal()
            self.halt()
        elif t == "continue":
            self._stop_internal()
            self.cont()
        elif t == "songpos":
            self.song_position(msg.pos)

    # internal clock
    def play(self, bpm: float):
        self._stop_internal()
        self.start()
        stop = self._clock_stop = threading.Event()
        interval = 60.0 / (bpm * PPQN)

        def run():
            due = time.perf_counter()
            while not stop.is_set():
                self.clock()
                due += interval
                delay = due - time.perf_counter()
                if delay > 0:
                    stop.wait(delay)
                elif delay < -0.25:            # fell far behind (suspended): do not catch up in a burst
                    due = time.perf_counter()
        self._clock_thread = threading.Thread(target=run, name="sentgen-clock", daemon=True)
        self._clock_thread.start()

    def _stop_internal(self):
        self._clock_stop.set()
        t = self._clock_thread
        if t is not None and t is not threading.current_thread():
            t.join(1.0)
        self._clock_thread = None

    def stop(self):
        self._stop_internal()
        self.halt()


# --- ports ------------------------------------------------------------------------------------------------
def apis_for(kind: str) -> list[str]:
    if kind == "auto":
        if sys.platform.startswith("linux"):
            return ["UNIX_JACK", "LINUX_ALSA"]
        if sys.platform == "darwin":
            return ["MACOSX_CORE"]
        if sys.platform.startswith(("win", "cygwin")):
            return ["WINDOWS_MM"]
        return []
    if kind not in API_OF_KIND:
        raise MidiError(f"unknown MIDI system {kind!r}; expected auto, none, {', '.join(API_OF_KIND)}")
    return [API_OF_KIND[kind]]


def jack_hint() -> str:
    return ("on Linux the engine uses JACK: start a server, e.g. `jackd --no-realtime -d dummy` "
            "(package jackd2), or run with --midi none")


# JACK 2 races a port's unregistration against its clients' handling of the previous graph change
# (jackaudio/jack2#216: a segfault in JACK's notification thread; seen here about once in five test
# runs, closing the engine's ports right after a connected port was closed).  RtMidi unregisters on
# close with no way to deactivate the client first, so a closing JACK port waits for the graph to settle.
JACK_SETTLE_S = 0.1


def settle_jack_graph(api: str | None):
    if api == "UNIX_JACK":
        time.sleep(JACK_SETTLE_S)


class PolledInput:
    """A MIDI input read by polling python-rtmidi's queue from a Python thread.

    mido's rtmidi inputs always run a Python callback on the MIDI system's own
    thread (JACK's process thread): it must take the GIL there, and closing a
    port while such a callback waits for the GIL can deadlock the JACK graph or
    crash. With no callback, RtMidi queues the messages in C++ and no Python
    ever runs on that thread.
    """

    def __init__(self, api: str, name: str, client_name: str | None = None, connect_to: str | None = None,
                 queue_size: int = 4096):
        import rtmidi
        self.api = api
        self._rt = rtmidi.MidiIn(getattr(rtmidi, "API_" + api), client_name or "sentgen", queue_size)
        self._rt.ignore_types(sysex=False, timing=False, active_sense=True)
        try:
            if connect_to is None:
                self._rt.open_virtual_port(name)
            else:
                ports = self._rt.get_ports()
                if connect_to not in ports:
                    raise MidiError(f"no MIDI output named {connect_to!r}; there are: {', '.join(ports) or 'none'}")
                self._rt.open_port(ports.index(connect_to), name)
        except BaseException:
            self._rt.delete()
            raise
        self.name = name

    def poll(self):
        """The next message (a mido.Message) or None."""
        import mido
        while True:
            item = self._rt.get_message()
            if item is None:
                return None
            try:
                return mido.Message.from_bytes(item[0])
            except ValueError:            # a malformed or partial message: skip it
                continue

    def close(self):
        settle_jack_graph(self.api)
        try:
            self._rt.close_port()
        finally:
            self._rt.delete()


class MidiBridge:
    """The two ports, the controller and the player, wired to an engine."""

    def __init__(self, engine=None, kind: str = "auto", bindings=None, learned_path: Path | None = None,
                 client_name: str = CLIENT_NAME, control_port: str = CONTROL_PORT, clip_port: str = CLIP_PORT):
        self.engine = engine
        self.kind = kind
        self.client_name = client_name
        self.control_port_name, self.clip_port_name = control_port, clip_port
        self._in = self._out = None
        self.api = None
        self._names = (control_port, clip_port)
        self._reading = threading.Event()
        self._reader: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self.player = ClipPlayer(self._send)
        knobs = (lambda: engine.session.schema.knobs) if engine is not None else None
        overrides = []
        if learned_path is not None and Path(learned_path).exists():
            try:
                overrides = load_mapping(learned_path)
            except MidiError as e:
                log.warning("ignoring learned bindings: %s", e)
        self.controller = Controller(
            None if bindings is None else list(bindings),
            submit=engine.midi_knob if engine else (lambda *a: None),
            current=(lambda: engine.current_attrs) if engine else None,
            pending=engine.knob_pending if engine else (lambda n: False),
            learned=engine.midi_learned if engine else None,
            learned_path=Path(learned_path) if learned_path else None, knobs=knobs)
        self.controller.bindings = apply_overrides(self.controller.bindings, overrides)
        self.controller.overrides = overrides
        self._attrs = engine.current_attrs if engine else (-1,) * len(self.controller.knobs())
        if engine is not None:
            self.player.set_notes(engine.current_notes)

    # ports
    def open(self):
        """Open the ports on the first MIDI system that works; MidiError says why none did."""
        os.environ.setdefault("JACK_NO_START_SERVER", "1")     # never spawn a JACK server behind the user's back
        import mido
        errors = []
        for api in apis_for(self.kind):
            try:
                backend = mido.Backend("mido.backends.rtmidi", api=api, load=True)
                if api == "WINDOWS_MM":
                    self._in, self._out = self._open_loopmidi(backend, api)
                    self._names = (self._in.name, self._out.name)
                else:
                    # what other programs see: our input is one of their outputs and vice versa
                    outs, ins = set(backend.get_output_names()), set(backend.get_input_names())
                    self._in = PolledInput(api, self.control_port_name, client_name=self.client_name)
                    self._out = backend.open_output(self.clip_port_name, client_name=self.client_name + "-clip")
                    new_in = sorted(set(backend.get_output_names()) - outs)
                    new_out = sorted(set(backend.get_input_names()) - ins)
                    self._names = (new_in[0] if len(new_in) == 1 else self.control_port_name,
                                   new_out[0] if len(new_out) == 1 else self.clip_port_name)
                self.api = api
                self._reading.clear()
                self._reader = threading.Thread(target=self._read_loop, name="sentgen-midi-in", daemon=True)
                self._reader.start()
                return self
            except MidiError:
                raise
            except Exception as e:             # rtmidi raises its own SystemError kinds
                self.close()
                errors.append(f"{api}: {e}")
        hint = jack_hint() if sys.platform.startswith("linux") else ""
        raise MidiError("no MIDI system could open the ports (" + "; ".join(errors or ["none for this platform"])
                        + ")" + (f"; {hint}" if hint else ""))

    def _open_loopmidi(self, backend, api):
        ins = [n for n in backend.get_input_names() if self.control_port_name in n]
        outs = [n for n in backend.get_output_names() if self.clip_port_name in n]
        if not ins or not outs:
            raise MidiError(f"Windows has no virtual MIDI ports: create two loopMIDI ports named "
                            f"'{self.control_port_name}' and '{self.clip_port_name}' (docs/midi.md)")
        inp = PolledInput(api, self.control_port_name, connect_to=ins[0])
        inp.name = ins[0]
        return inp, backend.open_output(outs[0])

    def _read_loop(self, idle: float = 0.0005):
        """Take what arrived on the control port; sleep briefly when nothing did."""
        stop = self._reading
        while not stop.is_set():
            inp = self._in
            msg = inp.poll() if inp is not None else None
            if msg is None:
                stop.wait(idle)
                continue
            self._on_input(msg)

    def port_names(self) -> tuple[str, str]:
        """The names other programs see: (control input, clip output)."""
        return self._names

    def close(self):
        self._reading.set()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(1.0)
        self._reader = None
        try:
            self.player.stop()
        except Exception:
            pass
        for port in (self._in, self._out):
            if port is not None:
                try:
                    if port is self._out:           # PolledInput.close settles by itself
                        settle_jack_graph(self.api)
                    port.close()
                except Exception:
                    pass
        self._in = self._out = None

    def _send(self, msg):
        out = self._out
        if out is None:
            return
        with self._send_lock:
            try:
                out.send(msg)
            except Exception as e:
                log.warning("cannot send on %s: %s", self.clip_port_name, e)

    def _on_input(self, msg):
        try:
            if msg.type == "control_change":
                self.controller.handle_cc(msg.channel, msg.control, msg.value)
            elif msg.type in ("clock", "start", "stop", "continue", "songpos"):
                self.player.on_message(msg)
        except Exception:
            log.exception("MIDI input: cannot handle %s", msg)

    # engine side
    def learn(self, name: str):
        self.controller.learn(name)

    def play(self, bpm: float):
        self.player.play(bpm)

    def stop(self):
        self.player.stop()

    def on_knobs(self):
        """The engine switched to a model with other knobs (engine thread, before the new state)."""
        self.controller.set_knobs()

    def on_state(self, attrs, notes, from_midi: bool = False):
        old, self._attrs = self._attrs, tuple(attrs)
        self.controller.on_state(old, self._attrs, from_midi)
        self.player.set_notes(notes)
