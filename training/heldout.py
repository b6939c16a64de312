"""Held-out clips for the folk family: real melodies from outside its four training collections, and
hand-written producer-style clips, shipped as .mid files in training/heldout/.

    sentgen dataset --family heldout      # (re)build training/heldout/ (needs music21 for the corpus part)
    load_heldout()                        # read them back: engine.clip.read_midi -> the folk grid

Nothing here is ever trained on: the folk family trains on essenFolksong, oneills1850, ryansMammoth and
airdsAirs (training/folk_data.py).  The held-out set is what an outside check measures ("real melodies
that are not in these four collections (other corpora, producer-style clips), through the engine over
OSC"), so `sentgen evaluate --model folk --source heldout` and `sentgen bench latency --model folk` use it.

Two origins:
- "corpus": 2-bar windows of other corpora shipped inside music21 (BSD package; see CORPUS_GROUPS for
  the paths): Bach chorale soprano lines, the miscFolk ABC books (American fife tunes, Northumbrian
  minstrelsy), songs and lead sheets, and the top line of a few composers' pieces.  Windows are cut by the
  folk data's own rules (training/folk_data.cut_windows: two consecutive full bars of 4/4, C, 2/2 or C|)
  from the parts read by folk_data.part_events; a seeded sample of at most PER_PIECE windows a piece and
  the group's quota.  A tune whose title (letters only, any case) is that of a tune of the four
  collections is left out (another transcription of a tune trained on), so is a window whose grid is that
  of any window of the four collections (any split, any transposition), and so are repeats within the set.  The .mid holds the window's
  notes as written (triplets, grace-free, ties merged, cut at beat 8), so reading it exercises the
  engine's own conversion.
- "producer": PRODUCER_CLIPS below, 2 bars of 4/4 written by hand (bass lines, hooks, arpeggios, swing and
  triplets, riffs with rests, ...); a few keep off-grid timing (swing, triplets) in the file.

training/heldout/clips.json lists every file (name, origin, source, description); README.md says the
same for people, with the licences.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.clip import Note, read_midi, write_midi
from engine.files import atomic_write_text
from engine.schema import get_schema

HELDOUT_DIR = Path(__file__).resolve().parent / "heldout"
MANIFEST = "clips.json"
SEED = 0
PER_PIECE = 3                # corpus windows a piece (tune, chorale, movement) at most
MIN_NOTES = 4                # a corpus window with fewer onsets is not a melody to edit
BPM = 120.0

# group -> (what, corpus paths relative to music21/corpus: globs; the part read: a name to match or 0)
CORPUS_GROUPS = {
    "bach-chorales": ("Bach chorales, soprano line", ["bach/bwv*.mxl"], "Soprano", 110),
    "misc-folk": ("miscFolk ABC books (American fife tunes, Northumbrian minstrelsy)", ["miscFolk/*.abc"], 0, 90),
    "songs": ("songs and lead sheets: Foster, Berlin, Liliuokalani (solo voice), the Nottingham reels sample",
              ["leadSheet/*.mxl", "liliuokalani/aloha_oe.mxl", "nottingham-dataset/*.abc"], "Solo Voice", 30),
    "composers": ("top line of composers' pieces: Mozart K.545 and string quartets, Haydn and Beethoven "
                  "quartets, Monteverdi madrigals (canto)",
                  ["mozart/k545/*.mxl", "mozart/k80/*.mxl", "mozart/k155/*.mxl", "mozart/k156/*.mxl",
                   "mozart/k458/*.mxl", "haydn/opus74no1/*.mxl", "haydn/opus1no1/*.mxl",
                   "beethoven/opus18no1/*.mxl", "beethoven/opus18no3.mxl", "beethoven/opus18no4.mxl",
                   "monteverdi/madrigal.4.*.mxl"], 0, 70),
}
CORPUS_LICENCE = ("music21's corpus (the music21 package is BSD-licensed; its corpus/license.txt: encodings "
                  "distributed with the encoders' permission, some may carry non-commercial restrictions)")


# --- producer-style clips, by hand -------------------------------------------------------------------
# A clip is 32 sixteenth steps, written as one item per step: a pitch ("A2", "C#4", "Bb3") starts a note,
# "-" holds it, "." is a rest; "|" separates bars and is ignored.  Off-grid clips give their notes as
# (start beats, length beats, pitch) instead.
PRODUCER_CLIPS = [
    ("house-bass-octaves", "house bass, offbeat octave jumps (A minor)",
     ". . A2 - . . A3 . . . A2 - . . A3 . | . . F2 - . . F3 . . . G2 - . . G3 ."),
    ("minor-bass-riff", "minor-key bass riff with rests (D minor)",
     "D2 - . D2 . . F2 - G2 - . A2 . . C3 . | D2 - . D2 . . F2 - G2 - . A2 - - - ."),
    ("sub-bass-e1", "sub bass written an octave below the range (E minor; the conversion moves it up)",
     "E1 - - - - - - - - - . E1 - - G1 - | A1 - - - - - - - B0 - - - D1 - - -"),
    ("tresillo-hook", "synth hook on a 3-3-2 tresillo (C major)",
     "E5 - - G5 - - E5 - D5 - - C5 - - D5 - | E5 - - G5 - - A5 - G5 - - - - - . ."),
    ("arp-am-f-c-g", "arpeggiated lead in sixteenths, Am F C G",
     "A4 C5 E5 A5 E5 C5 A4 C5 F4 A4 C5 F5 C5 A4 F4 A4 | C5 E5 G5 C6 G5 E5 C5 E5 G4 B4 D5 G5 D5 B4 G4 B4"),
    ("pentatonic-lead", "minor pentatonic lead (E)",
     "E5 - - D5 - B4 - - A4 - G4 - E4 - - - | G4 - A4 - B4 - D5 - E5 - - - D5 - B4 -"),
    ("chromatic-descent", "chromatic descending line (lament)",
     "A4 - - - G#4 - - - G4 - - - F#4 - - - | F4 - - - E4 - - - D#4 - - - E4 - - -"),
    ("dotted-swing-16ths", "swung sixteenths rounded to the grid: dotted eighth + sixteenth (G major)",
     "G4 - - A4 B4 - - D5 E5 - - D5 B4 - - A4 | G4 - - A4 B4 - - G4 A4 - - - . . . ."),
    ("triplet-grid-roll", "triplet feel rounded to sixteenths: 3+3+2 groups of repeated notes (F minor)",
     "F4 . . F4 . . Ab4 . C5 . . Bb4 . . Ab4 . | F4 . . F4 . . Eb4 . F4 - - - - - . ."),
    ("funk-stabs", "funk riff, sixteenth stabs with rests (E dorian)",
     "E3 . . E3 . G3 . E3 . . A3 . B3 . . D4 | . E3 . . E3 . G3 A3 . . G3 . E3 . . ."),
    ("trap-808", "808 bass: long notes and a sixteenth roll (C# minor)",
     "C#2 - - - - - - - - - C#2 . C#2 C#2 C#2 C#2 | E2 - - - - - - - B1 - - - G#1 - - -"),
    ("dembow-bass", "dembow / reggaeton bass, 3+3+2 (A minor)",
     "A2 - - A2 - - A2 - A2 - - A2 - - C3 - | F2 - - F2 - - F2 - G2 - - G2 - - G2 -"),
    ("acid-303", "acid line, sixteenths with octave jumps and rests (A minor)",
     "A2 A2 A3 . A2 C3 . A2 D#3 . E3 A2 . A3 G3 . | A2 A2 A3 . A2 C3 . A2 G2 . E3 . D3 C3 . ."),
    ("pop-hook-repeats", "pop chorus hook: repeated notes and one leap (D major)",
     "F#4 - F#4 - F#4 - E4 - D4 - - - A4 - - - | F#4 - F#4 - F#4 - G4 - F#4 - E4 - D4 - - -"),
    ("rnb-blue-notes", "R&B lead with a blue note (C minor blues)",
     "C5 - Eb5 - F5 - F#5 G5 - - - Eb5 - C5 - - | Bb4 - - C5 - - - - . . G4 - Bb4 - C5 -"),
    ("disco-octaves", "disco octave bass in eighths (F)",
     "F2 - F3 - F2 - F3 - F2 - F3 - F2 - F3 - | A#2 - A#3 - A#2 - A#3 - C3 - C4 - C3 - C4 -"),
    ("dotted-lead", "dotted-rhythm lead (B flat major)",
     "Bb4 - - C5 D5 - - F5 - - - - D5 - - C5 | Bb4 - - - - - . . F4 - - G4 Bb4 - - -"),
    ("call-response", "call and response: a phrase, then an answer after a rest",
     "G4 A4 B4 - D5 - B4 - . . . . . . . . | . . . . . . . . D5 C5 B4 - A4 - G4 -"),
    ("scale-run", "rising major scale run in sixteenths (E flat)",
     "Eb4 F4 G4 Ab4 Bb4 C5 D5 Eb5 F5 G5 Ab5 Bb5 C6 - - - | Bb5 - - - G5 - - - Eb5 - - - - - - -"),
    ("sparse-pad-melody", "slow melody, half and whole notes (A minor)",
     "E5 - - - - - - - C5 - - - - - - - | D5 - - - - - - - - - - - - - - -"),
    ("dorian-riff", "dorian riff with the raised sixth (D dorian)",
     "D4 - F4 - G4 - B4 - A4 - G4 - F4 - E4 - | D4 - - C4 D4 - F4 - G4 - - - . . . ."),
    ("phrygian-chug", "palm-muted phrygian riff (E)",
     "E2 E2 E2 . F2 . E2 E2 E2 . G2 . F2 . E2 . | E2 E2 E2 . F2 . E2 E2 E2 . A#2 - A2 - G2 -"),
    ("reese-bass", "drum and bass reese: long syncopated notes (F minor)",
     "F2 - - - - - C2 - - - - - - - - - | Db2 - - - - - Eb2 - - - - - - - - -"),
    ("afro-guitar", "afrobeat guitar line, interlocking sixteenths (G minor)",
     ". G4 . Bb4 . G4 D5 . . G4 . C5 . Bb4 . G4 | . G4 . Bb4 . G4 D5 . F5 - D5 . C5 . Bb4 ."),
    ("lofi-sevenths", "lo-fi hip-hop melody through seventh chords",
     "B4 - - - A4 - - G4 - - E4 - - - - - | D5 - - - C5 - - B4 - - G4 - - - - -"),
    ("chiptune-arp", "chiptune arpeggio, wide and fast (C major, F major)",
     "C4 E4 G4 C5 E5 G5 C6 G5 E5 C5 G4 E4 C4 E4 G4 C5 | F4 A4 C5 F5 A5 C6 F6 C6 A5 F5 C5 A4 F4 A4 C5 F5"),
    ("ballad-steps", "ballad melody, stepwise quarters and halves (F major)",
     "A4 - - - G4 - - - F4 - - - G4 - - - | A4 - - - A4 - - - A4 - - - - - - -"),
    ("walking-bass", "walking bass in quarters (G7 C7)",
     "G2 - - - B2 - - - D3 - - - F3 - - - | E3 - - - C3 - - - A#2 - - - G2 - - -"),
    ("anticipation-hook", "hook with pushes onto the and of 4 (A major)",
     "C#5 - - - E5 - - - B4 - - - - - A4 - | - - - - C#5 - B4 - A4 - F#4 - - - E4 -"),
    ("wide-leaps", "melody of sevenths and octaves (D minor)",
     "D4 - - - C5 - - - A4 - - - A3 - - - | F4 - - - E5 - - - D5 - - - D4 - - -"),
    ("whole-tone-lead", "whole-tone descending lead",
     "C6 - B5 - . A5 - G5 - . F5 - D#5 - . C#5 | B4 - - - - - . . C#5 - D#5 - F5 - - -"),
]
# off grid in the file: (name, description, [(start beats, length beats, pitch)])
_SWING = 2 / 3
PRODUCER_OFF_GRID = [
    ("swing-eighths", "jazz line in swung eighths, off the grid in the file (rounds to dotted eighth + sixteenth)",
     [(b + o, (_SWING if o == 0 else 1 - _SWING), p) for b, pair in enumerate(
         [(67, 69), (70, 72), (74, 72), (70, 67), (65, 67), (69, 70), (72, 74), (77, 74)])
      for o, p in zip((0, _SWING), pair)]),
    ("triplet-lead", "eighth-note triplets in bar 1, quarters in bar 2, off the grid in the file (C minor)",
     [(i / 3, 1 / 3, p) for i, p in enumerate([60, 63, 67, 72, 67, 63, 62, 65, 68, 71, 68, 65])]
     + [(4.0, 1.0, 72), (5.0, 1.0, 70), (6.0, 2.0, 67)]),
]

_NOTE_RE = re.compile(r"^([A-G])([#b]?)(-?\d)$")
_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def pitch_of(name: str) -> int:
    """MIDI pitch of a note name (C4 = 60; sharps '#', flats 'b')."""
    m = _NOTE_RE.match(name)
    if not m:
        raise ValueError(f"not a note name: {name!r}")
    return 12 * (int(m.group(3)) + 1) + _PC[m.group(1)] + {"#": 1, "b": -1, "": 0}[m.group(2)]


def grid_notes(pattern: str) -> list[Note]:
    """Notes of a 32-step pattern (see PRODUCER_CLIPS); accents on the beats."""
    items = [s for s in pattern.split() if s != "|"]
    if len(items) != 32:
        raise ValueError(f"a pattern needs 32 steps, got {len(items)}: {pattern!r}")
    notes = []
    for step, item in enumerate(items):
        if item == "-":
            if not notes or (notes[-1].start_time + notes[-1].duration) * 4 != step:
                raise ValueError(f"a hold at step {step} follows no note: {pattern!r}")
            last = notes[-1]
            notes[-1] = Note(last.pitch, last.start_time, last.duration + 0.25, last.velocity)
        elif item != ".":
            notes.append(Note(pitch_of(item), step / 4, 0.25, 100 if step % 4 == 0 else 84))
    return notes


def producer_clips() -> list[tuple[str, str, list[Note]]]:
    """(name, description, notes) of every hand-written clip."""
    out = [(n, d, grid_notes(p)) for n, d, p in PRODUCER_CLIPS]
    out += [(n, d, [Note(p, round(s, 6), round(l, 6), 96) for s, l, p in notes]) for n, d, notes in PRODUCER_OFF_GRID]
    return out


# --- corpus windows (music21: only when building) --------------------------------------------------------
def _corpus_pieces(group: str):
    """(source, title ('' where unknown), a function that parses it with music21) of every piece of a group, in
    a fixed order (an ABC book gives one per tune, with its T: title)."""
    import music21
    from music21 import converter

    from training.folk_data import _header_field, split_tunes
    root = Path(music21.corpus.__file__).parent
    globs = CORPUS_GROUPS[group][1]
    for pattern in globs:
        for path in sorted(root.glob(pattern)):
            rel = path.relative_to(root).as_posix()
            if path.suffix == ".abc":
                for number, text in split_tunes(path.read_text(encoding="latin-1")):
                    yield (f"{rel}#{number}", _header_field(text, "T"),
                           lambda text=text: converter.parseData(text, format="abc"))
            else:
                yield rel, "", lambda path=path: converter.parse(path)


def _pick_part(score, part_name):
    parts = list(getattr(score, "parts", [])) or [score]
    if isinstance(part_name, str):
        named = [p for p in parts if part_name.lower() in (p.partName or "").lower()]
        return named[0] if named else parts[0]
    return parts[part_name]


def _group_windows(group: str, skip_titles=frozenset(), progress=print):
    """(source, first measure index, its start beat, notes (M, 3) relative to the window, tokens, notes that
    round to beat 8 or later) of every window of a group, and how many pieces were skipped because their title (normalised) is in skip_titles."""
    import warnings

    from engine import folk
    from training.folk_data import _bar_starts, part_events
    part_name = CORPUS_GROUPS[group][2]
    out, skipped = [], 0
    for source, title, parse in _corpus_pieces(group):
        if title and _title_key(title) in skip_titles:
            skipped += 1
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                measures, notes, _ = part_events(_pick_part(parse(), part_name))
        except Exception as e:         # a piece music21 cannot read is reported, not fatal
            progress(f"  {source}: not read ({type(e).__name__}: {str(e)[:80]})")
            continue
        if not measures or not notes:
            continue
        m = np.array([x[:3] for x in measures], dtype=np.float64)
        ts = np.array([x[3] for x in measures], dtype=str)
        nt = np.array(notes, dtype=np.float64)
        nt = nt[np.argsort(nt[:, 1], kind="stable")]
        for idx, o in _bar_starts(m, ts, two_four=False):
            a, b = np.searchsorted(nt[:, 1], [o - 1e-6, o + folk.CLIP_BEATS - 1e-6])
            w = nt[a:b].copy()
            if not len(w):
                continue
            w[:, 1] -= o
            w[:, 2] = np.minimum(w[:, 2], folk.CLIP_BEATS - w[:, 1])       # a note tied across the end is cut
            st = folk.steps_of(w[:, 0].astype(int).tolist(), w[:, 1].tolist(), w[:, 2].tolist())
            out.append((source, int(idx), float(o), w, st.tokens, st.dropped_late))
    return out, skipped


def _title_key(title: str) -> str:
    return re.sub(r"[^a-z]", "", title.lower())


def shape_key(tokens) -> bytes:
    """A window's grid up to transposition (onsets relative to the first onset), as bytes."""
    t = np.asarray(tokens, dtype=np.int64)
    on = t >= 2
    rel = np.where(on, t - (t[on][0] if on.any() else 0) + 200, t)
    return rel.astype(np.int16).tobytes()


def _training_shapes() -> tuple[set, set]:
    """shape_key of every window of the four training collections (all splits), and their tunes' titles
    (`_title_key`)."""
    from training.folk_data import load
    d = load(progress=False)
    return {shape_key(t) for t in d.tokens}, {_title_key(t) for t in d.tunes["title"].tolist() if _title_key(t)}


def corpus_windows(seed: int = SEED, progress=print) -> tuple[list, dict]:
    """The seeded sample of corpus windows: [(group, source, first measure index, start beat, notes (M,3))],
    and counts per group."""
    rng = np.random.default_rng(seed)
    trained, titles = _training_shapes()
    seen, chosen, counts = set(), [], {}
    for group, (_, _, _, quota) in CORPUS_GROUPS.items():
        wins, same_title = _group_windows(group, titles, progress)
        c = {"tunes_titled_as_training": same_title, "windows": len(wins), "in_training": 0, "repeats": 0,
             "few_notes": 0, "past_the_end": 0}
        ok = []
        for w in wins:
            key = shape_key(w[4])
            if int((w[4] >= 2).sum()) < MIN_NOTES:
                c["few_notes"] += 1
            elif w[5]:                 # a note just before the end rounds past it: not all of it is 2 bars
                c["past_the_end"] += 1
            elif key in trained:
                c["in_training"] += 1
            elif key in seen:
                c["repeats"] += 1
            else:
                seen.add(key)
                ok.append(w)
        by_piece: dict[str, list] = {}
        for w in ok:
            by_piece.setdefault(w[0], []).append(w)
        pool = []
        for source in sorted(by_piece):
            ws = by_piece[source]
            pool += [ws[i] for i in sorted(rng.choice(len(ws), min(PER_PIECE, len(ws)), replace=False))]
        take = sorted(rng.choice(len(pool), min(quota, len(pool)), replace=False))
        chosen += [(group, *pool[i][:4]) for i in take]
        c.update(eligible=len(ok), pieces=len(by_piece), taken=len(take))
        counts[group] = c
        progress(f"{group}: {c}")
    return chosen, counts


# --- build and load --------------------------------------------------------------------------------------
def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-")


def build(out_dir: Path = HELDOUT_DIR, seed: int = SEED, corpus: bool = True, progress=print) -> dict:
    """Write every held-out clip as .mid into out_dir, with clips.json and README.md; returns the manifest.

    corpus=False writes the producer clips only (no music21 needed; the corpus files already there and
    their manifest entries are kept)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries, counts = [], {}
    for i, (name, description, notes) in enumerate(producer_clips()):
        entries.append({"file": f"producer-{i + 1:02d}-{name}.mid", "origin": "producer", "source": "hand-written "
                        "(training/heldout.py PRODUCER_CLIPS)", "description": description, "_notes": notes})
    if corpus:
        chosen, counts = corpus_windows(seed, progress)
        for group, source, measure, start, w in chosen:
            stem = _safe(source.replace(".mxl", "").replace(".abc", "").replace(".xml", ""))
            entries.append({"file": f"corpus-{group}-{stem}-m{measure}.mid", "origin": "corpus", "group": group,
                            "source": f"music21 corpus {source}, measures {measure}-{measure + 1} (counted from 0), "
                            f"quarter notes {start:g}-{start + 8:g}", "description": CORPUS_GROUPS[group][0],
                            "_notes": [Note(int(p), float(s), float(d)) for p, s, d in w]})
    else:
        old = read_manifest(out_dir)
        entries += [e for e in old["clips"] if e["origin"] == "corpus"]
        counts = old.get("corpus_counts", {})
    names = [e["file"] for e in entries]
    if len(set(names)) != len(names):
        raise RuntimeError("two held-out clips got one file name")
    for e in entries:
        notes = e.pop("_notes", None)
        if notes is not None:
            write_midi(out_dir / e["file"], notes, BPM)
    for stale in set(p.name for p in out_dir.glob("*.mid")) - set(names):
        (out_dir / stale).unlink()
    manifest = {"seed": seed, "corpus_counts": counts, "clips": entries}
    atomic_write_text(out_dir / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    atomic_write_text(out_dir / "README.md", readme(manifest))
    return manifest


def readme(manifest: dict) -> str:
    clips = manifest["clips"]
    n_corpus = sum(e["origin"] == "corpus" for e in clips)
    lines = ["# Held-out clips of the folk family (never trained on)", "",
             "Built by `sentgen dataset --family heldout` (training/heldout.py); read by "
             "`training.heldout.load_heldout()`. 2 bars of 4/4 each, 120 bpm. docs/folk.md says how they are used.", "",
             f"- {n_corpus} corpus windows: {CORPUS_LICENCE}. Paths used (relative to music21/corpus):"]
    for group, (what, globs, _, quota) in CORPUS_GROUPS.items():
        c = manifest.get("corpus_counts", {}).get(group, {})
        lines.append(f"  - {group} ({what}): {', '.join(globs)}; {c.get('taken', '?')} windows taken of "
                     f"{c.get('eligible', '?')} eligible from {c.get('pieces', '?')} pieces ({c.get('in_training', '?')} "
                     f"windows left out as equal to a training window up to transposition, "
                     f"{c.get('repeats', '?')} repeats, {c.get('few_notes', '?')} with fewer than {MIN_NOTES} notes, "
                     f"{c.get('past_the_end', 0)} with a note rounding to beat 8; "
                     f"{c.get('tunes_titled_as_training', 0)} tunes left out whose title is a training tune's)")
    lines += [f"- {len(clips) - n_corpus} producer-style clips written by hand for this project "
              "(training/heldout.py PRODUCER_CLIPS; same licence as the project).", "",
              "| file | origin | source | what |", "|---|---|---|---|"]
    lines += [f"| {e['file']} | {e['origin']} | {e['source']} | {e['description']} |" for e in clips]
    return "\n".join(lines) + "\n"


def read_manifest(folder: Path = HELDOUT_DIR) -> dict:
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"no held-out clips in {folder}: run `sentgen dataset --family heldout`") from None


@dataclass
class HeldOut:
    """The held-out clips as the engine reads them."""
    files: list                # file names
    origin: np.ndarray         # (N,) "corpus" | "producer"
    group: np.ndarray          # (N,) corpus group or "producer"
    source: list               # where each came from
    notes: list                # [list[Note]] as read from the .mid
    tokens: np.ndarray         # (N, 32) int64 on the folk grid
    changes: list              # [list[str]] what the conversion changed


def load_heldout(folder: Path = HELDOUT_DIR) -> HeldOut:
    """Every clip of clips.json, read with engine.clip.read_midi and converted to the folk grid
    (the schema's notes_to_tokens, as the engine does on /sentgen/clip/set)."""
    folder = Path(folder)
    g = get_schema("folk")
    entries = read_manifest(folder)["clips"]
    notes, tokens, changes = [], [], []
    for e in entries:
        n, _ = read_midi(folder / e["file"])
        conv = g.notes_to_tokens(n)
        notes.append(n)
        tokens.append(conv.tokens)
        changes.append(conv.changes)
    return HeldOut([e["file"] for e in entries], np.array([e["origin"] for e in entries]),
                   np.array([e.get("group", e["origin"]) for e in entries]), [e["source"] for e in entries],
                   notes, np.array(tokens, dtype=np.int64).reshape(-1, g.steps), changes)


def summary(seed: int = SEED) -> str:
    """`sentgen dataset --family heldout`: build, then say what was written."""
    m = build(seed=seed)
    h = load_heldout()
    g = get_schema("folk")
    bins = g.parse(h.tokens)
    lines = [f"held-out clips: {len(h.files)} files in {HELDOUT_DIR} "
             f"({(h.origin == 'corpus').sum()} corpus windows, {(h.origin == 'producer').sum()} producer clips)"]
    for grp in dict.fromkeys(h.group.tolist()):
        lines.append(f"  {grp}: {(h.group == grp).sum()}")
    lines.append(f"corpus counts: {json.dumps(m['corpus_counts'])}")
    for k, name in enumerate(g.names):
        counts = np.bincount(bins[:, k] + 1, minlength=int(g.counts[k]) + 1)
        lines.append(f"  {name:<10} " + " ".join(f"{g.labels[k][i]}:{counts[i + 1]}" for i in range(int(g.counts[k])))
                     + (f" undef:{counts[0]}" if counts[0] else ""))
    return "\n".join(lines)
