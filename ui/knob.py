"""One attribute knob: name, a notched QDial that snaps to the attribute's values, the value label.

The dial's range is 0..n-1 (n = the attribute's number of values), so it
snaps; a user move emits `moved(name, index / (n - 1))`.  `show_state` moves
the dial to the engine's value without emitting (and leaves the dial alone
while the user holds it).  States shown in the label's style:
ok, invalid (the clip does not parse), unreachable (the engine could not
reach the requested value), learning (MIDI learn waits for a CC).
"""
from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QDial, QLabel, QMenu, QToolButton, QVBoxLayout, QHBoxLayout, QWidget


STYLES = {
    "ok": "color: palette(text); background: palette(base); border: 1px solid palette(mid);",
    "pending": "color: palette(text); background: palette(base); border: 1px dashed palette(mid);",
    "invalid": "color: white; background: #b3261e; border: 1px solid #7a1a14; font-weight: bold;",
    "unreachable": "color: black; background: #f2b134; border: 1px solid #a87410; font-weight: bold;",
    "learning": "color: white; background: #1f6feb; border: 1px solid #0b4bb3; font-weight: bold;",
}


class Knob(QWidget):
    moved = pyqtSignal(str, float)          # name, normalised value
    learnRequested = pyqtSignal(str)

    def __init__(self, name: str, title: str, labels, kind: str = "learned", parent=None):
        """One knob of the model, as /sentgen/knobs describes it (name, title, labels, kind)."""
        super().__init__(parent)
        self.name = name
        self.kind = kind
        self.labels = tuple(labels)
        self.n = len(self.labels)
        self.state = "ok"
        self.engine_index = -1
        self.engine_label = "-"
        self.answered = True        # the engine's state came after the last user move
        self.binding = ""

        self.title = QLabel(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setToolTip(f"{name} ({kind})")
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)

        self.learn = QToolButton()
        self.learn.setText("L")
        self.learn.setCheckable(True)
        self.learn.setAutoRaise(True)
        self.learn.setToolTip(f"MIDI learn: bind the next controller CC to {name}")
        self.learn.setFixedSize(18, 18)
        self.learn.clicked.connect(self._learn_clicked)

        self.dial = QDial()
        self.dial.setObjectName(f"dial_{name}")
        self.dial.setRange(0, self.n - 1)
        self.dial.setSingleStep(1)
        self.dial.setPageStep(max(1, self.n // 4))
        self.dial.setNotchesVisible(True)
        self.dial.setNotchTarget(3.0 if self.n > 12 else 8.0)
        self.dial.setWrapping(False)
        self.dial.setTracking(True)
        self.dial.setMinimumSize(64, 64)
        self.dial.valueChanged.connect(self._value_changed)
        self.dial.sliderReleased.connect(self._released)

        self.value = QLabel("-")
        self.value.setObjectName(f"value_{name}")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mono = self.value.font()
        mono.setFamily("DejaVu Sans Mono")
        mono.setStyleHint(mono.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() + 1)
        self.value.setFont(mono)
        self.value.setMinimumWidth(86)
        self.value.setContentsMargins(4, 1, 4, 1)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addStretch(1)
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.learn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.dial, 1)
        lay.addWidget(self.value)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.dial.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.dial.customContextMenuRequested.connect(self._menu)
        self._set_style("ok")

    # --- from the engine -----------------------------------------------------
    def show_state(self, index: int, label: str, hold: bool = False, keep_mark: bool = False):
        """Show the engine's value; the dial stays where the user holds it (or while `hold`).

        keep_mark: an amber 'unreachable' mark stays (the same state came again, e.g. a refresh).
        """
        self.engine_index, self.engine_label = index, label
        if hold or self.dial.isSliderDown():
            self.answered = not hold
            return
        self.answered = True
        if index >= 0:
            self.dial.blockSignals(True)
            self.dial.setValue(index)
            self.dial.blockSignals(False)
        self.value.setText(label if index >= 0 else "invalid")
        if self.state == "unreachable" and keep_mark and index >= 0:
            return
        if self.state != "learning":
            self._set_style("invalid" if index < 0 else "ok")
            self.value.setToolTip("")
        self._tooltip()

    def clear_mark(self):
        if self.state == "unreachable":
            self._set_style("invalid" if self.engine_index < 0 else "ok")
            self.value.setToolTip("")

    def mark_unreachable(self, reason: str):
        if self.state != "learning":
            self._set_style("unreachable")
        self.value.setToolTip(f"not reached: {reason}" if reason else "the engine could not reach this value")

    def set_learning(self, on: bool):
        self.learn.setChecked(on)
        if on:
            self._set_style("learning")
            self.value.setText("move a CC…")
        else:
            self.state = "ok"
            self.show_state(self.engine_index, self.label_for(self.engine_index))

    def set_binding(self, channel: int, cc: int):
        self.binding = f"CC {cc} " + (f"ch {channel}" if channel > 0 else "any channel")
        self.learn.setToolTip(f"MIDI learn ({self.binding}); click to learn again")
        self._tooltip()

    def label_for(self, index: int) -> str:
        return self.labels[index] if 0 <= index < self.n else "invalid"

    def normalised(self, index: int) -> float:
        return index / (self.n - 1) if self.n > 1 else 0.0

    # --- internals -------------------------------------------------------------
    def _set_style(self, state: str):
        self.state = state
        self.value.setProperty("state", state)
        self.value.setStyleSheet(f"QLabel {{ {STYLES[state]} border-radius: 4px; }}")

    def _tooltip(self):
        tip = f"{self.name}: {self.value.text()}"
        if self.binding:
            tip += f"\nMIDI: {self.binding}"
        self.setToolTip(tip)

    def _value_changed(self, index: int):
        self.answered = False
        self.value.setText(self.label_for(index))
        if self.state not in ("learning",):
            self._set_style("pending")
        self.moved.emit(self.name, self.normalised(index))

    def _released(self):
        if self.answered:
            self.show_state(self.engine_index, self.engine_label)

    def _learn_clicked(self, checked: bool):
        if checked:
            self.learnRequested.emit(self.name)
        else:
            self.set_learning(False)

    def _menu(self, pos):
        menu = QMenu(self)
        act = QAction(f"MIDI learn {self.name}", menu)
        act.triggered.connect(lambda: (self.learn.setChecked(True), self.learnRequested.emit(self.name)))
        menu.addAction(act)
        if self.n <= 12:
            sub = menu.addMenu("Set to")
            for i, lab in enumerate(self.labels):
                a = sub.addAction(lab)
                a.triggered.connect(lambda _=False, i=i: self.dial.setValue(i))
        menu.exec(self.sender().mapToGlobal(pos) if self.sender() else self.mapToGlobal(pos))
