"""The folk data: four collections of music21's corpus as 2-bar windows on the folk grid.

Contract: docs/folk.md and the team's spec folk.md.  music21 (Python >= 3.11,
`pip install -e ".[folk]"`) is needed only to build the parse cache; the engine
never imports it.

Steps:
1. `parse_corpus` splits every ABC file of the four collections into tunes and
   parses them with music21 in parallel over the cores (a tqdm bar).  Per tune it
   keeps the header meter, the measures (offset, length, bar length of the time
   signature in effect) and the notes (MIDI pitch, onset and length in quarter
   notes; tied notes merged, grace notes and chord symbols left out).  The result
   is cached in the user cache dir (npz, no pickle), keyed on the music21 version,
   PARSE_VERSION and the corpus files' names and sizes; a stale or broken cache is
   rebuilt.
2. `load` removes exact duplicate tunes (same meter and notes), cuts windows of 2
   consecutive full bars in 4/4, C, 2/2 or C| (2/2 reels keep their note values:
   one half note = 2 beats) and converts each to the 32-step grid
   (engine.folk.notes_to_steps), then splits by tune, seeded.
"""
from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs

from engine import folk

COLLECTIONS = ("essenFolksong", "oneills1850", "ryansMammoth", "airdsAirs")
PARSE_VERSION = 1           # bump when _parse_tune's output changes
WINDOW_VERSION = 1          # the windowing rules below (reported, not cached)
SPLIT_FRACTIONS = (0.80, 0.10, 0.10)     # train / validation / test, by tune
BAR = 4.0                   # quarter notes in one bar of 4/4 (and of 2/2)
FOUR_FOUR = ("4/4", "2/2")  # time signatures (C is 4/4, C| is 2/2 in music21) whose bars make windows
TWO_FOUR = ("2/4",)


# --- 1. parsing ------------------------------------------------------------------------------------
def corpus_root() -> Path:
    import music21.corpus
    return Path(music21.corpus.__file__).parent


def _header_field(text: str, key: str) -> str:
    m = re.search(rf"^{key}:\s*(.*?)\s*$", text, flags=re.M)
    return m.group(1) if m else ""


def split_tunes(text: str):
    """(X number, ABC text of one tune) for each tune of an ABC file; the file header goes before each."""
    parts = re.split(r"^(?=X:)", text, flags=re.M)
    header = "" if parts[0].lstrip().startswith("X:") else parts[0]
    header = "\n".join(line for line in header.splitlines() if re.match(r"^[A-Za-z]:", line))
    out = []
    for part in parts:
        if part.startswith("X:"):
            number = _header_field(part, "X")
            out.append((number, (header + "\n" + part) if header else part))
    return out


def tune_tasks(root: Path | None = None):
    """(collection, source 'file#X', text) of every tune of the four collections, in a fixed order."""
    root = Path(root or corpus_root())
    tasks = []
    for c, coll in enumerate(COLLECTIONS):
        for path in sorted((root / coll).glob("*.abc")):
            text = path.read_text(encoding="latin-1")
            for number, tune in split_tunes(text):
                tasks.append((c, f"{coll}/{path.name}#{number}", tune))
    return tasks


def _parse_tune(task):
    """Worker: (collection, source, meter, title, measures (K,3), notes (M,3), graces, error)."""
    c, source, text = task
    meter = _header_field(text.split("\nK:")[0], "M").replace(" ", "")
    title = _header_field(text, "T")
    try:
        import warnings

        from music21 import chord, converter, harmony
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = converter.parseData(text, format="abc")
        part = score.parts[0] if hasattr(score, "parts") and len(score.parts) else score
        measures, notes, graces = [], [], 0
        last = {}                               # pitch -> index in notes of the latest note of that pitch
        ts = None                               # the time signature in effect
        for m in part.getElementsByClass("Measure"):
            ts = m.timeSignature or ts
            bar = float(ts.barDuration.quarterLength) if ts is not None else 0.0
            ratio = ts.ratioString if ts is not None else ""
            measures.append((float(m.offset), float(m.duration.quarterLength), bar, ratio))
            for n in m.flatten().notes:
                if isinstance(n, harmony.Harmony):
                    continue
                if n.duration.isGrace:
                    graces += 1
                    continue
                onset = float(m.offset) + float(n.offset)
                dur = float(n.duration.quarterLength)
                pitches = [p.midi for p in n.pitches] if isinstance(n, chord.Chord) else [n.pitch.midi]
                tied = n.tie is not None and n.tie.type in ("stop", "continue")
                for p in pitches:
                    j = last.get(p)
                    if tied and j is not None and abs(notes[j][1] + notes[j][2] - onset) < 1e-6:
                        notes[j][2] += dur
                        continue
                    last[p] = len(notes)
                    notes.append([p, onset, dur])
        return c, source, meter, title, measures, notes, graces, ""
    except Exception as e:         # a tune music21 cannot read is counted, not fatal
        return c, source, meter, title, [], [], 0, f"{type(e).__name__}: {e}"[:200]


def _fingerprint(root: Path) -> str:
    import music21
    h = hashlib.sha256(f"music21 {music21.__version__} parse v{PARSE_VERSION}".encode())
    for coll in COLLECTIONS:
        for path in sorted((root / coll).glob("*.abc")):
            h.update(f"{coll}/{path.name}:{path.stat().st_size}".encode())
    return h.hexdigest()[:16]


def cache_path() -> Path:
    return Path(platformdirs.user_cache_dir("sentgen")) / f"folk-parse-v{PARSE_VERSION}.npz"


def parse_corpus(processes: int | None = None, progress: bool = True, limit: int | None = None):
    """Parse the tunes with music21 over `processes` workers (default: all cores): a dict of arrays."""
    import multiprocessing as mp

    from tqdm import tqdm
    tasks = tune_tasks()
    if limit is not None:
        tasks = tasks[:limit]
    processes = processes or os.cpu_count() or 1
    results = [None] * len(tasks)
    indexed = [(i, t) for i, t in enumerate(tasks)]
    with mp.get_context("spawn").Pool(processes) as pool:
        for i, r in tqdm(pool.imap_unordered(_parse_indexed, indexed, chunksize=4), total=len(tasks),
                         desc="music21 parse", unit="tune", disable=not progress):
            results[i] = r
    return _pack(results)


def _parse_indexed(item):
    i, task = item
    return i, _parse_tune(task)


def _pack(results) -> dict:
    results = [r for _, r in sorted(results, key=lambda x: x[0])]
    n_measures = np.array([len(r[4]) for r in results], dtype=np.int64)
    n_notes = np.array([len(r[5]) for r in results], dtype=np.int64)
    measures = [m for r in results for m in r[4]]
    notes = [n for r in results for n in r[5]]
    return {
        "collection": np.array([r[0] for r in results], dtype=np.int8),
        "source": np.array([r[1] for r in results], dtype=str),
        "meter": np.array([r[2] for r in results], dtype=str),
        "title": np.array([r[3] for r in results], dtype=str),
        "graces": np.array([r[6] for r in results], dtype=np.int64),
        "error": np.array([r[7] for r in results], dtype=str),
        "measure_start": np.concatenate([[0], np.cumsum(n_measures)]),
        "measures": np.array([m[:3] for m in measures], dtype=np.float64).reshape(-1, 3),
        "measure_ts": np.array([m[3] for m in measures], dtype=str),
        "note_start": np.concatenate([[0], np.cumsum(n_notes)]),
        "notes": np.array(notes, dtype=np.float64).reshape(-1, 3),
    }


def load_parsed(path: Path | None = None, rebuild: bool = False, processes: int | None = None,
                progress: bool = True) -> dict:
    """The parse of the four collections, from the cache (rebuilt when missing, broken or stale)."""
    path = Path(path or cache_path())
    fp = _fingerprint(corpus_root())
    if not rebuild:
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["fingerprint"]) == fp:
                    return {k: data[k] for k in data.files if k != "fingerprint"}
        except Exception:          # missing, truncated, not a zip, bad CRC, missing keys: rebuild
            pass
    parsed = parse_corpus(processes, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.npz")
    try:
        np.savez(tmp, fingerprint=fp, **parsed)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return parsed
