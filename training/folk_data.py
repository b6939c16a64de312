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
   rebuilt.  The pool uses "spawn" (no fork of a process that may hold torch
   threads): a script that builds the cache needs an `if __name__ == "__main__":`
   guard, as `sentgen` has.
2. `load` removes exact duplicate tunes (same meter and notes) and O'Neill's
   repeated tune numbers (`_repeat_mask`), cuts windows of 2
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


def _no_beams(self, *args, **kwargs):
    return None if kwargs.get("inPlace") else self


def _parse_tune(task):
    """Worker: (collection, source, meter, title, measures (K,3), notes (M,3), graces, error)."""
    c, source, text = task
    meter = _header_field(text.split("\nK:")[0], "M").replace(" ", "")
    title = _header_field(text, "T")
    try:
        import warnings

        from music21 import converter, stream
        beams = stream.Stream.makeBeams
        stream.Stream.makeBeams = _no_beams        # 60% of music21's ABC parse, and beams change no note
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                score = converter.parseData(text, format="abc")
        finally:
            stream.Stream.makeBeams = beams
        part = score.parts[0] if hasattr(score, "parts") and len(score.parts) else score
        measures, notes, graces = part_events(part)
        return c, source, meter, title, measures, notes, graces, ""
    except Exception as e:         # a tune music21 cannot read is counted, not fatal
        return c, source, meter, title, [], [], 0, f"{type(e).__name__}: {e}"[:200]


def part_events(part):
    """(measures [(offset, length, bar length, time signature)], notes [[MIDI pitch, onset, length]], grace
    notes left out) of one music21 part, times in quarter notes: tied notes merged, chords give all their
    pitches, grace notes and chord symbols left out.  The tunes' parse and the held-out clips
    (training/heldout.py) both read parts through this."""
    from music21 import chord, harmony
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
    return measures, notes, graces


def _fingerprint(root: Path, limit: int | None = None) -> str:
    import music21
    h = hashlib.sha256(f"music21 {music21.__version__} parse v{PARSE_VERSION} limit {limit}".encode())
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
            results[i] = (i, r)
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
                progress: bool = True, limit: int | None = None) -> dict:
    """The parse of the four collections, from the cache (rebuilt when missing, broken or stale).

    `limit`: the first N tunes only (tests); part of the cache key.
    """
    path = Path(path or cache_path())
    fp = _fingerprint(corpus_root(), limit)
    if not rebuild:
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["fingerprint"]) == fp:
                    return {k: data[k] for k in data.files if k != "fingerprint"}
        except Exception:          # missing, truncated, not a zip, bad CRC, missing keys: rebuild
            pass
    parsed = parse_corpus(processes, progress, limit)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.npz")
    try:
        np.savez(tmp, fingerprint=fp, **parsed)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return parsed


# --- 2. windows ---------------------------------------------------------------------------------
EPS = 1e-6
CLIP = folk.CLIP_BEATS      # 8 beats = 2 bars of 4/4


@dataclass
class FolkData:
    """The windows of the folk collections on the 32-step grid, and where they come from."""
    tokens: np.ndarray          # (W, 32) int8
    tune: np.ndarray            # (W,) index into the tune table
    bar: np.ndarray             # (W,) first bar of the window (index of the measure in its tune)
    split: np.ndarray           # (W,) 0 train, 1 validation, 2 test (by tune)
    tunes: dict                 # per tune (deduplicated): collection, source, title, meter, split
    stats: dict                 # counts: tunes parsed, failed, duplicates, notes on / off the grid, ...

    @property
    def collection(self) -> np.ndarray:
        return self.tunes["collection"][self.tune]


def _duplicate_mask(parsed) -> np.ndarray:
    """True for each tune whose meter and notes repeat an earlier tune's exactly (across the collections)."""
    seen, dup = set(), np.zeros(len(parsed["source"]), dtype=bool)
    starts = parsed["note_start"]
    for t in range(len(dup)):
        notes = parsed["notes"][starts[t]:starts[t + 1]]
        key = hashlib.sha256(str(parsed["meter"][t]).encode() + np.ascontiguousarray(notes).tobytes()).digest()
        dup[t] = key in seen
        seen.add(key)
    return dup


def _repeat_mask(parsed) -> np.ndarray:
    """True for each O'Neill tune whose number (its X: field, the book's number) came earlier.

    O'Neill's files overlap (0626-0635 and 0626-0700, the _mh/_ml and _bs/_mh pairs,
    ...): 171 numbers appear twice, 83 of them as exact duplicates and 88 as another
    transcription of the same tune.  One tune on both sides of the split would leak,
    so the first file's transcription is kept.
    """
    seen, rep = set(), np.zeros(len(parsed["source"]), dtype=bool)
    for t, source in enumerate(parsed["source"].tolist()):
        coll, number = source.partition("/")[0], source.rpartition("#")[2]
        if coll == "oneills1850" and number.isdigit():
            rep[t] = int(number) in seen
            seen.add(int(number))
    return rep


def _bar_starts(measures, ts, two_four: bool):
    """Offsets of the tune's 4/4 bars that have a full bar after them: (first measure index, offset) pairs.

    A 4/4 bar is one full measure of 4/4, C, 2/2 or C|; with `two_four`, also two
    consecutive full 2/4 measures, paired from the first of each run of them.
    """
    off, length, bar = measures[:, 0], measures[:, 1], measures[:, 2]
    bars = []                                                  # (measure index, offset, end)
    full4 = np.isin(ts, FOUR_FOUR) & (np.abs(length - BAR) < EPS) & (np.abs(bar - BAR) < EPS)
    full2 = np.isin(ts, TWO_FOUR) & (np.abs(length - BAR / 2) < EPS) & (np.abs(bar - BAR / 2) < EPS)
    i = 0
    while i < len(off):
        if full4[i]:
            bars.append((i, off[i]))
            i += 1
        elif two_four and full2[i] and i + 1 < len(off) and full2[i + 1] and abs(off[i + 1] - off[i] - 2) < EPS:
            bars.append((i, off[i]))
            i += 2
        else:
            i += 1
    return [(m, o) for (m, o), (_, o2) in zip(bars, bars[1:]) if abs(o2 - o - BAR) < EPS]


def cut_windows(parsed, two_four: bool = False, progress: bool = False):
    """(tokens (W,32) int8, tune (W,), bar (W,), stats) of every tune's 2-bar windows (one per bar: they overlap)."""
    from tqdm import tqdm
    tokens, tune, first_bar = [], [], []
    stats = dict(window_notes=0, off_grid=0, chord_dropped=0, cut=0, shifted=0, folded=0, empty=0)
    ms, ns = parsed["measure_start"], parsed["note_start"]
    for t in tqdm(range(len(parsed["source"])), desc="windows", unit="tune", disable=not progress):
        measures = parsed["measures"][ms[t]:ms[t + 1]]
        if not len(measures):
            continue
        notes = parsed["notes"][ns[t]:ns[t + 1]]
        notes = notes[np.argsort(notes[:, 1], kind="stable")]
        onsets = notes[:, 1]
        for m, o in _bar_starts(measures, parsed["measure_ts"][ms[t]:ms[t + 1]], two_four):
            a, b = np.searchsorted(onsets, [o - EPS, o + CLIP - EPS])
            if a == b:
                stats["empty"] += 1
                continue
            w = notes[a:b]
            st = folk.steps_of(w[:, 0].astype(int).tolist(), (w[:, 1] - o).tolist(), w[:, 2].tolist())
            stats["window_notes"] += b - a
            stats["off_grid"] += st.off_grid
            stats["chord_dropped"] += st.chord_dropped
            stats["cut"] += st.cut
            stats["shifted"] += st.shift != 0
            stats["folded"] += st.folded
            tokens.append(st.tokens)
            tune.append(t)
            first_bar.append(m)
    tokens = np.array(tokens, dtype=np.int8).reshape(-1, folk.SEQ_LEN)
    return tokens, np.array(tune, dtype=np.int64), np.array(first_bar, dtype=np.int64), stats



def split_tunes_seeded(collection, has_windows, seed: int = 0) -> np.ndarray:
    """0 train / 1 validation / 2 test per tune: a seeded shuffle per collection, cut 80/10/10 (tunes without
    windows get -1)."""
    split = np.full(len(collection), -1, dtype=np.int8)
    rng = np.random.default_rng(seed)
    for c in range(len(COLLECTIONS)):
        idx = np.flatnonzero((collection == c) & has_windows)
        idx = idx[rng.permutation(len(idx))]
        n_train = int(round(SPLIT_FRACTIONS[0] * len(idx)))
        n_val = int(round(SPLIT_FRACTIONS[1] * len(idx)))
        split[idx[:n_train]] = 0
        split[idx[n_train:n_train + n_val]] = 1
        split[idx[n_train + n_val:]] = 2
    return split


def load(seed: int = 0, two_four: bool = False, parsed: dict | None = None, progress: bool = True) -> FolkData:
    """The folk windows: parse (cached), duplicates removed, windows cut, split by tune."""
    parsed = load_parsed(progress=progress) if parsed is None else parsed
    failed = parsed["error"] != ""
    dup = _duplicate_mask(parsed) & ~failed
    rep = _repeat_mask(parsed) & ~failed & ~dup
    keep = np.flatnonzero(~dup & ~rep & ~failed)
    tokens, tune, bar, stats = cut_windows(_subset(parsed, keep), two_four)
    tunes = {k: parsed[k][keep] for k in ("collection", "source", "title", "meter")}
    has = np.bincount(tune, minlength=len(keep)) > 0
    tunes["split"] = split_tunes_seeded(tunes["collection"], has, seed)
    stats.update(parsed_tunes=len(parsed["source"]), failed=int(failed.sum()), duplicates=int(dup.sum()),
                 failed_per_collection=np.bincount(parsed["collection"][failed], minlength=4).tolist(),
                 duplicates_per_collection=np.bincount(parsed["collection"][dup], minlength=4).tolist(),
                 repeated_numbers=int(rep.sum()),
                 graces=int(parsed["graces"][keep].sum()))
    return FolkData(tokens, tune, bar, tunes["split"][tune], tunes, stats)


def _subset(parsed, keep) -> dict:
    """The parse restricted to the tunes `keep` (indices), ragged arrays re-packed."""
    out = {k: parsed[k][keep] for k in ("collection", "source", "meter", "title", "graces", "error")}
    for name, start, extra in (("measures", "measure_start", ("measure_ts",)), ("notes", "note_start", ())):
        s = parsed[start]
        spans = [np.arange(s[t], s[t + 1]) for t in keep]
        rows = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
        out[name] = parsed[name][rows]
        for e in extra:
            out[e] = parsed[e][rows]
        out[start] = np.concatenate([[0], np.cumsum([len(x) for x in spans])]).astype(np.int64)
    return out


# --- 3. summary -----------------------------------------------------------------------------------
SPLITS = ("train", "validation", "test")


def summary(seed: int = 0, two_four: bool = False, parsed: dict | None = None, progress: bool = True) -> str:
    """Text summary for `sentgen dataset --family folk`: tunes, windows, knob histograms, time taken."""
    t0 = time.perf_counter()
    if parsed is None:
        parsed = load_parsed(progress=progress)
    t_parse = time.perf_counter() - t0
    data = load(seed, two_four, parsed=parsed, progress=progress)
    t_windows = time.perf_counter() - t0 - t_parse
    t1 = time.perf_counter()
    values, bins = folk.knobs(data.tokens)
    t_knobs = time.perf_counter() - t1
    st = data.stats
    meters = "4/4, C, 2/2, C|" + (" and pairs of 2/4 bars" if two_four else "")
    lines = [f"folk: {len(data.tokens):,} windows of 2 bars ({meters}) from "
             f"{int((np.bincount(data.tune, minlength=len(data.tunes['source'])) > 0).sum()):,} tunes",
             f"parse cache: {cache_path()}",
             f"tunes parsed {st['parsed_tunes']:,}, failed {st['failed']:,} {st['failed_per_collection']}, "
             f"exact duplicates removed {st['duplicates']:,} {st['duplicates_per_collection']}, "
             f"O'Neill's repeated numbers (another transcription) removed {st['repeated_numbers']:,}",
             f"notes in windows {st['window_notes']:,}: on the 16th grid {1 - st['off_grid'] / max(st['window_notes'], 1):.2%}"
             f", lost to a higher note on their step {st['chord_dropped']:,}; grace notes left out {st['graces']:,}",
             f"split by tune (seed {seed}), tunes / windows:",
             f"  {'collection':<14}" + "".join(f"{s:>20}" for s in SPLITS + ("all",))]
    win_coll, tune_split = data.collection, data.tunes["split"]
    for c, name in enumerate(COLLECTIONS + ("all",)):
        cells = []
        for s in (0, 1, 2, None):
            tm = (data.tunes["collection"] == c if c < len(COLLECTIONS) else np.ones(len(tune_split), bool))
            wm = (win_coll == c if c < len(COLLECTIONS) else np.ones(len(win_coll), bool))
            tm = tm & ((tune_split == s) if s is not None else (tune_split >= 0))
            wm = wm & ((data.split == s) if s is not None else True)
            cells.append(f"{int(tm.sum()):,} / {int(wm.sum()):,}")
        lines.append(f"  {name:<14}" + "".join(f"{x:>20}" for x in cells))
    lines.append("windows per knob bin (share of all windows; 'undef' = undefined):")
    for k, name in enumerate(folk.NAMES):
        counts = np.bincount(bins[:, k] + 1, minlength=int(folk.COUNTS[k]) + 1)
        cells = [f"{folk.LABELS[name][i]}:{counts[i + 1] / len(bins):.1%}" for i in range(int(folk.COUNTS[k]))]
        if counts[0]:
            cells.append(f"undef:{counts[0] / len(bins):.1%}")
        lines.append(f"  {name:<10} " + "  ".join(cells))
    notes = values[:, 0]
    pitches = data.tokens[data.tokens >= 2].astype(np.int64) + folk.PITCH_OFFSET
    lines.append(f"notes per window: median {np.nanmedian(notes):.0f}, 5%/95% "
                 f"{np.nanpercentile(notes, 5):.0f}/{np.nanpercentile(notes, 95):.0f}; pitches MIDI "
                 f"{pitches.min()}-{pitches.max()} (1%/99% {np.percentile(pitches, 1):.0f}/{np.percentile(pitches, 99):.0f})")
    lines.append(f"time: parse cache {t_parse:.2f} s, windows {t_windows:.2f} s, knobs {t_knobs * 1000:.0f} ms "
                 f"({len(bins) / max(t_knobs, 1e-9):,.0f} windows/s)")
    return "\n".join(lines)
