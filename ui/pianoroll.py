"""The piano roll: 2 bars (8 beats) of the current clip, the user's original as ghost notes.

Dragging from the roll drags the clip out as a .mid file (QDrag with a file
URL), so it can be dropped on a DAW track, a desktop or a file manager.
"""
from __future__ import annotations

from PyQt6.QtCore import QMimeData, QPoint, QRectF, Qt, QUrl, pyqtSignal
from PyQt6.QtGui import QColor, QDrag, QFont, QPainter, QPen
from PyQt6.QtWidgets import QApplication, QSizePolicy, QWidget

BEATS = 8
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
BLACK = {1, 3, 6, 8, 10}


def note_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def grid_lines(beats: int = BEATS) -> list[tuple[float, str]]:
    """(position in beats, kind) of the roll's vertical lines: a line per sixteenth, the kind its coarsest
    division ("bar" every 4 beats, "beat", "eighth", "sixteenth")."""
    kinds = {16: "bar", 4: "beat", 2: "eighth", 1: "sixteenth"}
    return [(i / 4, next(kind for every, kind in kinds.items() if i % every == 0)) for i in range(beats * 4 + 1)]


def notes_of(flat) -> list[tuple[int, float, float, int, int]]:
    """(pitch, start, duration, velocity, mute) tuples from a flat list; malformed tails dropped."""
    out = []
    for i in range(0, len(flat) - 4, 5):
        try:
            p, s, d, v, m = flat[i:i + 5]
            out.append((int(p), float(s), float(d), int(v), int(m)))
        except (TypeError, ValueError):
            continue
    return out


class PianoRoll(QWidget):
    dragRequested = pyqtSignal()            # the panel answers with start_drag(path)

    KEYS_W = 34

    def __init__(self, parent=None):
        super().__init__(parent)
        self.notes: list = []
        self.ghost: list = []
        self.message = "waiting for the engine…"
        self.invalid = False
        self._press: QPoint | None = None
        self.setMinimumSize(520, 190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("The current clip (ghost outlines: your original). Drag it out as a .mid file.")
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def set_clip(self, flat):
        self.notes = notes_of(flat)
        self.message = "" if self.notes else "no clip yet: press Random, or drop a .mid file here"
        self.update()

    def set_original(self, flat):
        self.ghost = notes_of(flat)
        self.update()

    def set_message(self, text: str):
        self.message = text
        self.update()

    def set_invalid(self, on: bool):
        self.invalid = on
        self.update()

    def pitch_range(self) -> tuple[int, int]:
        pitches = [n[0] for n in self.notes + self.ghost]
        if not pitches:
            return 60, 84
        lo, hi = min(pitches) - 2, max(pitches) + 2
        while hi - lo < 16:
            lo, hi = lo - 1, hi + 1
        return max(0, lo), min(127, hi)

    # --- painting --------------------------------------------------------------
    def paintEvent(self, _event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = self.width(), self.height()
        kw = self.KEYS_W
        lo, hi = self.pitch_range()
        rows = hi - lo + 1
        rh = h / rows
        bw = (w - kw) / BEATS
        p.fillRect(0, 0, w, h, QColor("#1e2127"))
        # key rows
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, min(8.0, rh * 0.8)))
        p.setFont(small)
        for pitch in range(lo, hi + 1):
            y = (hi - pitch) * rh
            black = pitch % 12 in BLACK
            p.fillRect(QRectF(kw, y, w - kw, rh), QColor("#23272e") if black else QColor("#2a2f37"))
            p.fillRect(QRectF(0, y, kw - 2, rh), QColor("#3a3f47") if black else QColor("#d9dde3"))
            if pitch % 12 == 0:
                p.setPen(QColor("#101215"))
                p.drawText(QRectF(1, y, kw - 4, rh), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                           note_name(pitch))
                p.setPen(QPen(QColor("#4a505a"), 1))
                p.drawLine(QPoint(kw, int(y + rh)), QPoint(w, int(y + rh)))
        # grid: sixteenths (the folk family's steps), eighths, beats, bars
        pens = {"bar": QPen(QColor("#9aa3ad"), 2), "beat": QPen(QColor("#56606b"), 1),
                "eighth": QPen(QColor("#434a55"), 1, Qt.PenStyle.DotLine),
                "sixteenth": QPen(QColor("#363c45"), 1, Qt.PenStyle.DotLine)}
        for beat, kind in grid_lines():
            x = kw + beat * bw
            p.setPen(pens[kind])
            p.drawLine(QPoint(int(x), 0), QPoint(int(x), h))
        p.setPen(QColor("#9aa3ad"))
        for bar in range(2):
            p.drawText(QRectF(kw + bar * 4 * bw + 4, 2, 60, 14),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), f"bar {bar + 1}")

        def rect(n):
            pitch, start, dur = n[0], n[1], n[2]
            end = min(BEATS, start + dur)
            return QRectF(kw + start * bw + 1, (hi - pitch) * rh + 1, max(2.0, (end - start) * bw - 2), max(2.0, rh - 2))

        # ghost notes: the user's original
        p.setBrush(QColor(255, 255, 255, 28))
        p.setPen(QPen(QColor(220, 220, 230, 150), 1.2, Qt.PenStyle.DashLine))
        for n in self.ghost:
            if n[1] < BEATS and lo <= n[0] <= hi:
                p.drawRoundedRect(rect(n), 2, 2)
        # current clip
        base = QColor("#e5534b") if self.invalid else QColor("#3fb6a8")
        for n in self.notes:
            if n[1] >= BEATS or not lo <= n[0] <= hi:
                continue
            c = QColor(base)
            if n[4]:
                c.setAlpha(70)
            else:
                c = c.lighter(70 + int(60 * min(127, max(1, n[3])) / 127))
            p.setBrush(c)
            p.setPen(QPen(c.darker(170), 1))
            p.drawRoundedRect(rect(n), 2, 2)
        if self.ghost and self.notes:            # legend for the ghost notes
            p.setFont(small)
            lw = p.fontMetrics().horizontalAdvance("your original") + 30
            box = QRectF(w - lw - 6, 3, 18, 9)
            p.setBrush(QColor(255, 255, 255, 28))
            p.setPen(QPen(QColor(220, 220, 230, 170), 1.2, Qt.PenStyle.DashLine))
            p.drawRoundedRect(box, 2, 2)
            p.setPen(QColor("#c8ced6"))
            p.drawText(QRectF(w - lw + 16, 0, lw, 15), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       "your original")
        if self.message:
            p.setPen(QColor("#f0f0f0"))
            big = QFont(self.font())
            big.setPointSizeF(big.pointSizeF() + 2)
            p.setFont(big)
            p.drawText(QRectF(kw, 0, w - kw, h), int(Qt.AlignmentFlag.AlignCenter), self.message)
        p.end()

    # --- drag out as .mid ----------------------------------------------------
    def mousePressEvent(self, e):
        if e.button() == Qt.MouseButton.LeftButton:
            self._press = e.position().toPoint()
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e):
        if self._press is not None and (e.buttons() & Qt.MouseButton.LeftButton):
            if (e.position().toPoint() - self._press).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                self.dragRequested.emit()
        super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e):
        self._press = None
        super().mouseReleaseEvent(e)


def mime_for_file(path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setData("audio/midi", open(path, "rb").read())
    return mime


def start_file_drag(source: QWidget, path) -> Qt.DropAction:
    drag = QDrag(source)
    drag.setMimeData(mime_for_file(path))
    return drag.exec(Qt.DropAction.CopyAction)
