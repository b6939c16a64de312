"""The standalone knob panel: a PyQt6 client of the engine over OSC (see docs/panel.md).

    sentgen panel [--engine HOST:PORT] [--screenshot PATH] [--timeout S]

As many knobs as the model has (from /sentgen/knobs; nine for dMelodies), a piano roll of the current clip
with the user's original as ghost notes, a model picker, Random / Undo /
Redo, Export .mid (the engine writes it and answers the path), drag-and-drop
of the clip as a .mid file (out of the roll, and a .mid dropped in becomes the
clip), MIDI learn per knob, and a connection status that recovers by itself
when the engine restarts.  It talks to the engine only over OSC.

`launch_if_display(host, port)` opens the panel beside a running engine when
there is a display (`make run` / `sentgen run` call it).
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (QApplication, QComboBox, QFrame, QHBoxLayout, QLabel, QMainWindow,
                             QPushButton, QToolButton, QVBoxLayout, QWidget)

from engine.schema import get_schema, schema_of_knobs
from ui.knob import Knob
from ui.oscclient import EndpointError, EngineClient, parse_endpoint, resolve_endpoint
from ui.pianoroll import PianoRoll, start_file_drag

APP_NAME = "SeNT-Gen panel"


def has_display() -> bool:
    """True where a window can be shown: macOS, Windows, or an X11 / Wayland session."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def panel_command(host: str = "127.0.0.1", port: int = 9000, extra=()) -> list[str]:
    return [sys.executable, "-m", "bridge.cli", "panel", "--engine", f"{host}:{port}", *extra]


def launch_if_display(host: str = "127.0.0.1", port: int = 9000, extra=(), token: str | None = None
                      ) -> subprocess.Popen | None:
    """Start `sentgen panel --engine HOST:PORT` as a child process when a display is present
    (the engine's token, if any, goes to it in SENTGEN_TOKEN, not on its command line).

    Returns the Popen (the caller may terminate it when the engine stops) or
    None when there is no display or the panel cannot be started (the reason
    is printed to stderr; the engine runs on regardless).
    """
    if os.environ.get("SENTGEN_NO_PANEL"):
        return None
    if not has_display():
        print("sentgen: no display found (DISPLAY / WAYLAND_DISPLAY unset): not opening the panel; "
              "the engine still answers OSC and MIDI", file=sys.stderr)
        return None
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    if token:
        env["SENTGEN_TOKEN"] = token
    try:
        return subprocess.Popen(panel_command(host, port, extra), env=env, cwd=str(root))
    except OSError as e:
        print(f"sentgen: cannot start the panel: {e}", file=sys.stderr)
        return None


# --- the window -------------------------------------------------------------------
class DragButton(QToolButton):
    """A button that starts a drag of the clip when pulled."""
    dragRequested = pyqtSignal()

    def __init__(self, text, parent=None):
        super().__init__(parent)
        self.setText(text)
        self._press = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mousePressEvent(self, e):
        if e.button() == Qt.MouseButton.LeftButton:
            self._press = e.position().toPoint()
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e):
        if self._press is not None and (e.position().toPoint() - self._press).manhattanLength() \
                >= QApplication.startDragDistance():
            self._press = None
            self.setDown(False)
            self.dragRequested.emit()
            return
        super().mouseMoveEvent(e)


class PanelWindow(QMainWindow):
    stateShown = pyqtSignal()        # a full state (clip + attrs) is on screen

    def __init__(self, client: EngineClient, parent=None):
        super().__init__(parent)
        self.client = client
        self.clip_flat: list = []
        self.original_flat: list = []
        self.attrs_rows: list = []
        self.model_names: list[str] = []
        self.current_model = ""
        self.loading_model = ""                 # asked for with /sentgen/model/load, until its knobs or error come
        self.requested: dict[str, str] = {}     # knob -> label asked for, until the edit answers
        self.learning = ""
        self.got_clip = self.got_attrs = False
        self.clip_changed = True
        self.state_count = 0
        self.setWindowTitle(f"{APP_NAME} — {client.endpoint}")
        self.setAcceptDrops(True)

        # --- top bar
        self.dot = QLabel("●")
        self.dot.setObjectName("connection_dot")
        self.conn = QLabel(f"connecting to {client.endpoint}…")
        self.conn.setObjectName("connection")
        self.model = QComboBox()
        self.model.setObjectName("model")
        self.model.setToolTip("The model the engine edits with (/sentgen/model/load)")
        self.model.setMinimumWidth(110)
        self.model.activated.connect(self._model_chosen)
        self.b_random = QPushButton("Random")
        self.b_undo = QPushButton("Undo")
        self.b_redo = QPushButton("Redo")
        self.b_export = QPushButton("Export .mid")
        self.b_drag = DragButton("⇲ drag .mid")
        self.b_random.setToolTip("A new clip from the model (Ctrl+R)")
        self.b_undo.setToolTip("Undo the last edit (Ctrl+Z)")
        self.b_redo.setToolTip("Redo (Ctrl+Shift+Z)")
        self.b_export.setToolTip("Ask the engine to write the clip as a .mid file (Ctrl+E)")
        self.b_drag.setToolTip("Drag the clip out as a .mid file (into Live, a DAW, a folder)")
        self.b_random.clicked.connect(lambda: self._do("random", client.random))
        self.b_undo.clicked.connect(lambda: self._do("undo", client.undo))
        self.b_redo.clicked.connect(lambda: self._do("redo", client.redo))
        self.b_export.clicked.connect(self._export)
        self.b_drag.dragRequested.connect(self.drag_clip)
        top = QHBoxLayout()
        top.addWidget(self.dot)
        top.addWidget(self.conn, 1)
        top.addWidget(QLabel("model"))
        top.addWidget(self.model)
        for b in (self.b_random, self.b_undo, self.b_redo, self.b_export, self.b_drag):
            top.addWidget(b)

        # --- piano roll
        self.roll = PianoRoll()
        self.roll.dragRequested.connect(self.drag_clip)

        # --- knobs
        # As many knobs as the model has, titled and labelled from /sentgen/knobs (rebuilt when the
        # model changes); until the engine says, those of the default family (dMelodies).
        self.knobs: dict[str, Knob] = {}
        self.knob_specs: list[dict] = []
        self.changed_names: list[str] = []      # what the coming /sentgen/edit also changed (knob names)
        self.knob_row = QHBoxLayout()
        self.knob_row.setSpacing(2)
        self.knob_frame = QFrame()
        self.knob_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.knob_frame.setLayout(self.knob_row)
        self._set_knobs(get_schema().describe())

        # --- status line + export path
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_path = QLabel("")
        self.export_path.setObjectName("export_path")
        self.export_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info = QLabel("")
        self.info.setObjectName("engine_info")
        self.info.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.info)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(8, 8, 8, 6)
        lay.addLayout(top)
        lay.addWidget(self.roll, 1)
        lay.addWidget(self.knob_frame)
        lay.addLayout(bottom)
        lay.addWidget(self.export_path)
        self.setCentralWidget(central)
        self.resize(980, 520)

        for seq, slot in ((QKeySequence.StandardKey.Undo, self.b_undo.click),
                          (QKeySequence.StandardKey.Redo, self.b_redo.click),
                          (QKeySequence("Ctrl+Shift+Z"), self.b_redo.click),
                          (QKeySequence("Ctrl+R"), self.b_random.click),
                          (QKeySequence("Ctrl+E"), self.b_export.click)):
            QShortcut(seq, self, activated=slot)

        c = client
        c.connectionChanged.connect(self._connection)
        c.pong.connect(self._pong)
        c.clip.connect(self._clip)
        c.attrs.connect(self._attrs)
        c.original.connect(self._original)
        c.models.connect(self._models)
        c.changed.connect(self._changed)
        c.edit.connect(self._edit)
        c.knobs.connect(self._set_knobs)
        c.exported.connect(self._exported)
        c.learned.connect(self._learned)
        c.error.connect(self._error)
        self._set_controls_enabled(False)
        self.roll.set_message(f"connecting to the engine at {client.endpoint}…")

    # --- helpers ------------------------------------------------------------
    def set_status(self, text: str, level: str = "info"):
        colors = {"info": "", "ok": "color: #2e7d32;", "warn": "color: #b26a00; font-weight: bold;",
                  "error": "color: #c62828; font-weight: bold;"}
        self.status.setProperty("level", level)
        self.status.setStyleSheet(colors[level])
        self.status.setText(text)

    def _do(self, what: str, fn):
        self.requested.clear()
        self.set_status(f"{what}…")
        fn()

    def _set_controls_enabled(self, on: bool):
        for w in (self.knob_frame, self.model, self.b_random, self.b_undo, self.b_redo,
                  self.b_export, self.b_drag):
            w.setEnabled(on)

    # --- user actions -------------------------------------------------------
    def _knob_moved(self, name: str, value: float):
        k = self.knobs[name]
        self.requested[name] = k.label_for(k.dial.value())
        self.client.set_attr(name, float(value))

    def _model_chosen(self, _i):
        name = self.model.currentText()
        if name and name != self.current_model:
            self.loading_model = name
            self.set_status(f"loading model {name}…")
            self.client.load_model(name)

    def _export(self):
        self.set_status("exporting…")
        self.client.export_midi()

    def _learn(self, name: str):
        if self.learning and self.learning != name:
            self.knobs[self.learning].set_learning(False)
        self.learning = name
        self.knobs[name].set_learning(True)
        self.set_status(f"MIDI learn: move a knob or fader on your controller to bind it to {name}")
        self.client.midi_learn(name)

    def write_temp_midi(self) -> Path:
        """The current clip as a .mid file in a temp folder (named by its content)."""
        from engine.clip import notes_from_flat, write_midi
        notes = notes_from_flat(self.clip_flat)
        labels = {r[0]: r[2] for r in self.attrs_rows}
        schema = schema_of_knobs(r[0] for r in self.attrs_rows)       # the family's knobs that name a clip
        naming = schema.name_knobs if schema is not None else [r[0] for r in self.attrs_rows[:2]]
        digest = hashlib.sha1(repr(self.clip_flat).encode()).hexdigest()[:8]
        stem = "-".join(x for x in ("sentgen", self.current_model, *(labels.get(n, "") for n in naming), digest)
                        if x and x != "invalid")
        folder = Path(tempfile.gettempdir()) / "sentgen-panel"
        # a file name every system takes: labels such as "<=5 notes" or "0 (plain)" keep only portable characters
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.replace("#", "s"))
        return write_midi(folder / f"{stem}.mid", notes)

    def drag_clip(self):
        if not self.clip_flat:
            self.set_status("no clip to drag yet", "warn")
            return
        try:
            path = self.write_temp_midi()
        except Exception as e:          # ClipError, OSError
            self.set_status(f"cannot write the clip as .mid: {e}", "error")
            return
        self.set_status(f"dragging {path.name}")
        start_file_drag(self, path)

    def dragEnterEvent(self, e):
        urls = e.mimeData().urls() if e.mimeData().hasUrls() else []
        if any(u.isLocalFile() and u.toLocalFile().lower().endswith((".mid", ".midi")) for u in urls):
            e.acceptProposedAction()

    def dropEvent(self, e):
        from engine.clip import ClipError, flat_from_notes, read_midi
        for u in e.mimeData().urls():
            path = u.toLocalFile()
            if path.lower().endswith((".mid", ".midi")):
                if Path(path).parent == Path(tempfile.gettempdir()) / "sentgen-panel":
                    return                  # our own drag came back
                try:
                    notes, _bpm = read_midi(path)
                except ClipError as err:
                    self.set_status(str(err), "error")
                    return
                self.set_status(f"loading {Path(path).name} as the clip…")
                self.client.set_clip(flat_from_notes(notes[:512]))
                e.acceptProposedAction()
                return

    # --- from the engine ------------------------------------------------------
    def _connection(self, up: bool, text: str):
        self.dot.setStyleSheet("color: #2e7d32;" if up else "color: #c62828;")
        self.conn.setText(text)
        self._set_controls_enabled(up)
        if up:
            if self.status.property("level") == "error" and "engine" in self.status.text():
                self.set_status("")
            self.roll.set_message("" if self.clip_flat else "waiting for the clip…")
        else:
            self.roll.set_message(f"engine not reachable at {self.client.endpoint}\n"
                                  f"start it with: sentgen serve --port {self.client.port}\n"
                                  f"(retrying every second)")
            if self.state_count:
                self.set_status(text, "error")

    def _pong(self, version: str, model: str, device: str):
        self.info.setText(f"protocol {version} · {model} · {device}")
        if model:
            self.current_model = model
            self._select_model(model)

    def _select_model(self, name: str):
        i = self.model.findText(name)
        if i < 0 and name:
            self.model.addItem(name)
            i = self.model.findText(name)
        self.model.blockSignals(True)
        self.model.setCurrentIndex(i)
        self.model.blockSignals(False)

    def _models(self, names: list):
        self.model_names = names
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItems(names)
        self.model.blockSignals(False)
        if self.current_model:
            self._select_model(self.current_model)

    def _clip(self, flat: list):
        self.clip_changed = flat != self.clip_flat
        self.clip_flat = flat
        self.got_clip = True
        self.roll.set_clip(flat)

    def _original(self, flat: list):
        self.original_flat = flat
        self.roll.set_original(flat)

    def _attrs(self, rows: list):
        self.attrs_rows = rows
        invalid = []
        for name, index, label, _value in rows:
            k = self.knobs.get(name)
            if k is None:
                continue
            if name == self.learning:
                k.engine_index = index
                continue
            k.show_state(index, label, hold=name in self.client.pending, keep_mark=not self.clip_changed)
            if index < 0:
                invalid.append(name)
        self.got_attrs = True
        self.state_count += 1
        status = self.status.text()
        if invalid and not self.clip_flat:
            self.set_status("no clip yet: press Random, drop a .mid file, or send one from Live", "info")
        elif invalid:
            self.set_status("the clip does not parse for this model: "
                            f"{', '.join(invalid)} invalid (an edit makes it valid again)", "warn")
        elif status.startswith(("the clip does not parse", "no clip yet")):
            self.set_status("")
        elif status.endswith("…") and not self.requested:
            self.set_status("")
        # a model switch is confirmed by the next pong
        if self.client.engine_info[1] != self.model.currentText():
            self.client.ping()
        if self.got_clip:
            self.stateShown.emit()

    def _set_knobs(self, specs: list):
        """Build the knobs the model offers ([{name, title, kind, count, labels}]); nothing when unchanged."""
        if self.loading_model:     # the load's answer: the model is in use now, not only at the next pong
            self.current_model, self.loading_model = self.loading_model, ""
        if specs == self.knob_specs:
            return
        for k in self.knobs.values():
            self.knob_row.removeWidget(k)
            k.deleteLater()
        self.knobs, self.knob_specs, self.learning = {}, list(specs), ""
        self.requested.clear()
        for spec in specs:
            k = Knob(spec["name"], spec["title"], spec["labels"], spec["kind"])
            k.moved.connect(self._knob_moved)
            k.learnRequested.connect(self._learn)
            self.knobs[spec["name"]] = k
            self.knob_row.addWidget(k)
        if self.attrs_rows:
            self._attrs(self.attrs_rows)

    def _changed(self, names: list):
        self.changed_names = list(names)

    def _edit(self, exact: bool, method: str, reason: str):
        asked = dict(self.requested)
        self.requested.clear()
        for k in self.knobs.values():          # a new answer: the marks of the last one go
            k.clear_mark()
        if method == "load":
            text = "clip loaded" + (f" ({reason})" if reason else "")
            invalid = [r[0] for r in self.attrs_rows if r[1] < 0]
            if invalid:
                self.set_status(f"{text}; the clip does not parse for this model: "
                                f"{', '.join(invalid)} invalid (an edit makes it valid again)", "warn")
            else:
                self.set_status(text, "ok")
            return
        what = ", ".join(f"{n} → {lab}" for n, lab in asked.items()) or "edit"
        if exact:
            self.set_status(f"{what}: reached" + (f" ({method})" if method else ""), "ok")
            return
        labels = {r[0]: r[2] for r in self.attrs_rows}
        missed = [n for n, lab in asked.items() if labels.get(n) != lab]
        for name in missed:
            self.knobs[name].mark_unreachable(reason)
        side = [n for n in self.changed_names if n in self.knobs]     # sent as data (protocol 2)
        for name in side:
            self.knobs[name].mark_unreachable(f"changed as a side effect of {what}")
        if missed:
            text = f"{what}: not reached — {reason or 'no melody with every target found'}; " \
                   "showing the closest valid melody"
        else:
            text = f"{what}: reached, not exact — {reason or 'other attributes moved'}"
        self.set_status(text, "warn")

    def _exported(self, path: str):
        self.export_path.setText(f"exported: {path}")
        self.set_status(f"exported the clip to {path}", "ok")

    def _learned(self, name: str, channel: int, cc: int):
        """channel is 1..16, 0 for any channel (as the engine sends it)."""
        k = self.knobs.get(name)
        if k is not None:
            k.set_learning(False)
            k.set_binding(channel, cc)
        if self.learning == name:
            self.learning = ""
        where = f"channel {channel}" if channel > 0 else "any channel"
        self.set_status(f"MIDI learn: CC {cc} ({where}) now moves {name}", "ok")

    def _error(self, address: str, message: str):
        if message.startswith(address + ":"):
            message = message[len(address) + 1:].strip()
        if address in ("/sentgen/attr/set", "/sentgen/attrs/set") and self.requested:
            what = ", ".join(f"{n} → {lab}" for n, lab in self.requested.items())
            for k in self.knobs.values():
                k.clear_mark()
            for name in self.requested:            # the engine kept its state: show it again
                k = self.knobs[name]
                if name not in self.client.pending:
                    k.show_state(k.engine_index, k.engine_label)
                k.mark_unreachable(message)
            self.requested.clear()
            self.set_status(f"{what}: not reached — {message}; the clip is unchanged", "error")
            return
        if address == "/sentgen/model/load":
            self.loading_model = ""
        if address == "/sentgen/model/load" and self.current_model:
            self._select_model(self.current_model)     # the picker shows the model in use again
        if address == "/sentgen/midi/learn" and self.learning:
            self.knobs[self.learning].set_learning(False)
            self.learning = ""
        self.set_status(f"engine error ({address}): {message}", "error")

    def closeEvent(self, e):
        self.client.close()
        super().closeEvent(e)


def dark_palette(app):
    from PyQt6.QtGui import QColor, QPalette
    app.setStyle("Fusion")
    pal = QPalette()
    R = QPalette.ColorRole
    for role, color in ((R.Window, "#2b2f36"), (R.WindowText, "#e6e6e6"), (R.Base, "#1f2329"),
                        (R.AlternateBase, "#2b2f36"), (R.Text, "#e6e6e6"), (R.Button, "#353a42"),
                        (R.ButtonText, "#e6e6e6"), (R.Highlight, "#3fb6a8"), (R.HighlightedText, "#101215"),
                        (R.ToolTipBase, "#1f2329"), (R.ToolTipText, "#e6e6e6"), (R.Mid, "#4a505a"),
                        (R.PlaceholderText, "#8a9099")):
        pal.setColor(role, QColor(color))
    pal.setColor(QPalette.ColorGroup.Disabled, R.ButtonText, QColor("#7a7f87"))
    pal.setColor(QPalette.ColorGroup.Disabled, R.WindowText, QColor("#7a7f87"))
    pal.setColor(QPalette.ColorGroup.Disabled, R.Text, QColor("#7a7f87"))
    app.setPalette(pal)


def _quiet_qt_noise():
    """Drop the offscreen platform's harmless 'propagateSizeHints' warning; pass the rest on."""
    from PyQt6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message):
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)
    qInstallMessageHandler(handler)


def run_panel(engine: str = "127.0.0.1:9000", screenshot: str | None = None, timeout: float = 5.0,
              listen_port: int = 0, token: str | None = None) -> int:
    """The `sentgen panel` command: 0 on success, 2 with a message on stderr when it cannot work."""
    try:
        host, port = parse_endpoint(engine)
        resolve_endpoint(host, port)
    except EndpointError as e:
        print(f"sentgen panel: error: {e}", file=sys.stderr)
        return 2
    if not has_display():
        if screenshot:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        elif not os.environ.get("QT_QPA_PLATFORM"):
            print("sentgen panel: error: no display (DISPLAY / WAYLAND_DISPLAY unset); "
                  "run it on a desktop, or use --screenshot PATH to render it offscreen", file=sys.stderr)
            return 2
    _quiet_qt_noise()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    dark_palette(app)
    try:
        client = EngineClient(host, port, listen_port=listen_port, token=token)
    except (EndpointError, OSError) as e:
        print(f"sentgen panel: error: {e}", file=sys.stderr)
        return 2
    win = PanelWindow(client)
    result = {"rc": 0}

    if screenshot:
        out = Path(screenshot)

        def shoot():
            app.processEvents()
            img = win.grab()
            out.parent.mkdir(parents=True, exist_ok=True)
            if not img.save(str(out), "PNG"):
                print(f"sentgen panel: error: cannot write {out}", file=sys.stderr)
                result["rc"] = 2
            else:
                print(f"sentgen panel: wrote {out} ({img.width()}x{img.height()})")
            win.close()
            app.exit(result["rc"])

        def state_shown():
            # wait a moment for the model list and the pong, then grab
            win.stateShown.disconnect(state_shown)
            QTimer.singleShot(600, shoot)

        def give_up():
            if not win.got_attrs:
                print(f"sentgen panel: error: no answer from the engine at {client.endpoint} within "
                      f"{timeout:g} s; is it running? (start it with `sentgen serve --port {port}`)",
                      file=sys.stderr)
                result["rc"] = 2
                win.close()
                app.exit(2)

        win.stateShown.connect(state_shown)
        QTimer.singleShot(int(timeout * 1000), give_up)
    win.show()
    client.start()
    rc = app.exec()
    client.close()
    return result["rc"] or rc

