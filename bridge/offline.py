"""`sentgen edit IN.mid --set scale=minor -o OUT.mid`: the engine's verified edit, without a server."""
from __future__ import annotations

from pathlib import Path

from engine.clip import ClipError, read_midi, write_midi
from engine.models import DEFAULT_MODEL
from engine.schema import get_schema
from engine.search import notes_kept
from engine.session import EditError, Editor, Session, parse_targets

from bridge.osc_server import load_editor


def parse_set(text: str, schema=None):
    """'name=value' -> (name, value) for a knob of the schema (default dMelodies): the value is a label
    when it is one, else a number in [0, 1]."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        g = get_schema(schema)
        example = f"{g.names[0]}={g.labels[0][-1]}, {g.names[-1]}=0.5"
        raise EditError(f"--set takes name=value (e.g. {example}), got {text!r}")
    try:
        parse_targets([(name, value)], schema)
        return name, value
    except EditError as label_error:
        try:
            number = float(value)
        except ValueError:
            raise label_error from None
        parse_targets([(name, number)], schema)
        return name, number


def _table(before, after, word: str = "attribute") -> str:
    w = max(9, *(len(r[2]) for r in before + after))
    lines = [f"  {word:<12} {'before':>{w}} {'after':>{w}}"]
    for (name, _, b, _), (_, _, a, _) in zip(before, after):
        mark = "  *" if a != b else ""
        lines.append(f"  {name:<12} {b:>{w}} {a:>{w}}{mark}")
    return "\n".join(lines)


def edit_file(inp, sets, out, model=None, device="auto", editor: Editor | None = None) -> str:
    """Edit IN.mid towards the --set targets and write OUT.mid; returns the report, raises when refused."""
    editor = editor or load_editor(model or DEFAULT_MODEL, device)
    session = Session(editor)
    if not sets:
        raise EditError(f"nothing to set: give --set name=value (names: {', '.join(session.schema.names)})")
    pairs = [parse_set(s, session.schema) for s in sets]
    notes, bpm = read_midi(inp)
    changes = session.set_clip(notes)
    before, clip = session.attr_rows(), session.current().as_arrays()[0]
    try:
        outcome = session.set_attrs(pairs)
    except EditError as e:
        raise EditError(f"edit refused, {inp} not changed and nothing written: {e}") from None
    after = session.attr_rows()
    onsets = int((clip >= 2).sum())
    kept = round(float(notes_kept(session.current().as_arrays()[0], clip)) * onsets)
    path = write_midi(out, session.notes(), bpm=bpm)
    lines = [f"read {inp}: {len(notes)} note(s) at {bpm:g} bpm"]
    lines += [f"  conversion: {c}" for c in changes]
    if outcome.already_there:
        lines.append(f"model {editor.name}: {outcome.method}: {outcome.reason}")
    else:
        lines.append(f"model {editor.name}: {'exact' if outcome.exact else 'NOT exact'} edit "
                     f"({outcome.method}, {outcome.candidates} candidate(s) decoded)"
                     + (f": {outcome.reason}" if outcome.reason else ""))
    lines.append(_table(before, after, session.schema.knob_word))
    lines.append(f"notes kept: {kept} of {onsets} (the same onset and pitch)")
    lines.append(f"wrote {Path(path)}: {len(session.notes())} note(s)")
    return "\n".join(lines)


__all__ = ["edit_file", "parse_set", "ClipError", "EditError"]
