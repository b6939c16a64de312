"""Starting and stopping the engine process: model, session file, OSC server, MIDI ports.

`start_engine(options)` does everything and returns a `RunningEngine`;
`sentgen serve` and `sentgen run` call it, print how to connect and wait for
Ctrl-C / SIGTERM.  A session file that cannot be read is set aside and
logged, never fatal; MIDI that cannot be opened is fatal only when asked for
by name (--midi jack, ...), with --midi auto the engine runs without it.
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.models import DEFAULT_MODEL, MODELS_DIR
from engine.session import Session

from bridge.midi import MidiBridge, MidiError, load_mapping
from bridge.osc_server import Engine, is_loopback, load_editor, needs_token
from bridge.server.lookahead_process import LookaheadProcess
from bridge.state import StateFile

log = logging.getLogger("sentgen.engine")
READY = "sentgen engine listening on"         # the line a parent process waits for (host:port follows)
STOPPED = "sentgen engine stopped; session saved to"     # the log line of a clean stop (the state file follows)


def default_state_dir() -> Path:
    import platformdirs
    return Path(platformdirs.user_state_dir("sentgen"))


@dataclass
class EngineOptions:
    host: str = "127.0.0.1"
    port: int = 9000
    model: str | None = None          # None: the saved session's model, else the shipped default
    device: str = "auto"
    midi: str = "auto"                # auto | none | jack | alsa | coremidi | windows
    midi_map: str | None = None
    state_dir: str | None = None
    models_dir: str | None = None
    client_name: str = "sentgen"      # MIDI client name (tests use their own)
    threads: int = 1                  # torch CPU threads: one edit is a few tiny batches, and extra threads
                                      # only wait on each other (24 ms instead of 1.2 ms on a busy 2-core box)
    lookahead: bool = True            # work out one-knob edits while idle, so knob turns are lookups
    token: str | None = None          # needed by requests that change state (required beyond loopback)
    export_dir: str | None = None     # None: <state dir>/export (refused when it leads outside the state dir)
    edit_budget_ms: float | None = None   # time budget of a knob turn worked out on demand (None: search to the end)


@dataclass
class RunningEngine:
    engine: Engine
    midi: MidiBridge | None
    state_dir: Path
    restored: bool
    midi_note: str = ""

    @property
    def address(self) -> tuple[str, int]:
        return self.engine.host, self.engine.port

    def stop(self):
        if self.midi is not None:
            self.midi.close()
        self.engine.stop()
        helper = self.engine.lookahead_process
        if helper is not None:
            helper.close()
        if self.engine.state_file is not None:
            try:
                self.engine.state_file.save(self.engine.session)
            except OSError as e:
                log.warning("cannot write the session file on exit: %s", e)
            else:
                log.info("%s %s", STOPPED, self.engine.state_file.path)

    def describe(self) -> str:
        e = self.engine
        host, port = self.address
        lines = [f"sentgen engine: model {e.session.editor.name} on {e.device_name}",
                 f"  OSC (UDP): {host}:{port}  - send /sentgen/hello <your reply port> to get the state and "
                 f"every change (docs/protocol.md)"]
        if self.midi is not None:
            control, clip = self.midi.port_names()
            names = e.session.schema.names
            lines += [f"  MIDI control in: {control}  (CC 20..{20 + len(names) - 1} -> {names[0]} .. {names[-1]}; "
                      f"clock drives playback)",
                      f"  MIDI clip out:   {clip}"]
            off = self.midi.controller.inactive()
            if off:
                lines.append("  MIDI bindings inactive (this model has no such knob): "
                             + "; ".join(b.describe() for b in off))
        else:
            lines.append(f"  MIDI: off ({self.midi_note or 'not asked for'})")
        state = e.state_file.path if e.state_file else "-"
        steps = len(e.session.history)
        lines.append(f"  session: {state} ({'restored, ' + str(steps) + ' step(s) of history' if self.restored else 'new'})")
        return "\n".join(lines)


def _model_path(name: str, models_dir: Path) -> Path:
    p = Path(name)
    if p.suffix in (".safetensors", ".json") or p.exists() or "/" in name or "\\" in name:
        return p.with_suffix(".safetensors")
    return models_dir / f"{name}.safetensors"


def start_engine(options: EngineOptions | None = None) -> RunningEngine:
    """Load the model, restore the session, open OSC and MIDI; raises (clear message) when it cannot."""
    o = options or EngineOptions()
    refused = needs_token(o.host, o.token)
    if refused:                                     # before loading anything
        raise RuntimeError(refused)
    models_dir = Path(o.models_dir) if o.models_dir else MODELS_DIR
    state_dir = Path(o.state_dir) if o.state_dir else default_state_dir()
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = StateFile(state_dir / "session.json")
    saved = state_file.read()

    model = o.model
    if model is None:
        saved_model = saved.get("model") if isinstance(saved, dict) else None
        ok = isinstance(saved_model, str) and _model_path(saved_model, models_dir).exists()
        model = saved_model if ok else DEFAULT_MODEL
    if o.threads:
        import torch
        torch.set_num_threads(o.threads)
    editor = load_editor(_model_path(model, models_dir), o.device)

    session = Session(editor)
    session.edit_budget_s = None if o.edit_budget_ms is None else o.edit_budget_ms / 1000
    restored = bool(saved) and state_file.restore(session, saved)
    if restored:
        log.info("restored the session from %s (%d step(s) of history)", state_file.path, len(session.history))

    engine = Engine(session, host=o.host, port=o.port, state_dir=state_dir, models_dir=models_dir,
                    device=o.device, state_file=state_file, lookahead=o.lookahead, token=o.token,
                    export_dir=Path(o.export_dir) if o.export_dir else None)
    midi, note = None, ""
    if o.midi != "none":
        bindings = load_mapping(o.midi_map) if o.midi_map else None
        midi = MidiBridge(engine, kind=o.midi, bindings=bindings, learned_path=state_dir / "midi-learned.toml",
                          client_name=o.client_name)
        try:
            midi.open()
        except MidiError as e:
            if o.midi != "auto":
                raise
            log.warning("MIDI off: %s", e)
            midi, note = None, str(e)
        engine.midi = midi
    else:
        note = "--midi none"
    if o.lookahead:            # its edits worked out where they cannot hold up a request (lookahead_process.py)
        engine.lookahead_process = LookaheadProcess(engine._lookahead_answer, engine._lookahead_built,
                                                    device=o.device, threads=o.threads or 1)
    try:
        engine.start()
    except OSError as e:
        if midi is not None:
            midi.close()
        engine.stop()
        if engine.lookahead_process is not None:
            engine.lookahead_process.close()
        raise RuntimeError(f"cannot listen on {o.host}:{o.port}: {e.strerror or e} "
                           "(another engine running? choose another --port)") from None
    if not is_loopback(o.host):
        log.warning("listening on %s: other machines can reach this engine (requests that change state "
                    "need the token)", o.host)
    return RunningEngine(engine, midi, state_dir, restored, note)


def catch_shutdown_signals() -> threading.Event:
    """An event that Ctrl-C / SIGTERM sets instead of killing the process.  Installed before the engine
    starts, so a signal that comes while the model loads or right after the "listening" line still
    gets the clean stop (the session saved)."""
    done = threading.Event()

    def on_signal(signum, frame):
        done.set()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, on_signal)
        except (ValueError, OSError):      # not the main thread
            pass
    return done


def wait_for_shutdown(running: RunningEngine, done: threading.Event | None = None):
    """Block until Ctrl-C or SIGTERM (`done`, from catch_shutdown_signals), then stop cleanly."""
    done = done or catch_shutdown_signals()
    try:
        while not done.wait(0.5):
            pass
    finally:
        running.stop()


def start_and_announce(options: EngineOptions) -> RunningEngine:
    """start_engine, then print how to connect (the last line is READY host:port, for parent processes)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s",
                            stream=sys.stderr)
    running = start_engine(options)
    host, port = running.address
    print(running.describe(), flush=True)
    print("  surfaces: `sentgen panel` (Qt knobs), the Max for Live device (docs/live.md), "
          "any OSC client (docs/protocol.md)", flush=True)
    print(f"{READY} {host}:{port}  (Ctrl-C stops)", flush=True)
    return running


def tune_for_latency(engine=None):
    """Process-wide settings of the engine process (not of a test that runs an Engine in-process)."""
    # Everything loaded so far (torch, the model) lives as long as the process: move it out of the
    # collector's reach, so a full collection during an edit walks only what edits allocate.
    gc.collect()
    gc.freeze()
    # The network thread answers ready knob turns itself; while the worker runs Python (a lookahead
    # chunk), the default 5 ms GIL switch interval would be what such an answer waits for.
    sys.setswitchinterval(0.0005)
    if engine is not None:
        engine.freeze_gc = True        # and again each time the lookahead has finished a clip (Engine._work_loop)


def serve(options: EngineOptions, panel: bool = False) -> int:
    """`sentgen serve`: run the engine until Ctrl-C / SIGTERM; with panel=True also open the knob panel
    beside it when there is a display (SENTGEN_NO_PANEL=1 keeps it closed)."""
    done = catch_shutdown_signals()          # before "listening": a parent may stop the engine right after it
    running = start_and_announce(options)
    tune_for_latency(running.engine)
    window = None
    if panel:
        try:
            from ui.panel import launch_if_display     # Qt is imported only here, not by the engine itself
            window = launch_if_display(*running.address, token=options.token)
        except ImportError as e:
            print(f"sentgen: the panel is not available ({e}); the engine runs on", file=sys.stderr)
    try:
        wait_for_shutdown(running, done)
    finally:
        if window is not None:
            window.terminate()
    return 0


def token_from_env(token: str | None = None) -> str | None:
    """The token given on the command line, else SENTGEN_TOKEN, else None."""
    return token if token is not None else (os.environ.get("SENTGEN_TOKEN") or None)


def run(model: str | None = None) -> int:
    """`sentgen run [--model NAME]` / `make run [MODEL=NAME]`: the engine with the defaults (127.0.0.1:9000,
    the given model, else the saved session's, else the shipped default s2, MIDI auto, SENTGEN_TOKEN if
    set), printing how to connect, and the panel when there is a display."""
    return serve(EngineOptions(model=model, token=token_from_env()), panel=True)
