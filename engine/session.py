"""The editing session: encode a clip, move attributes, decode, verify, undo/redo.

`Editor` is the stateless core (also used by the evaluation): given one
melody and targets {attribute: index}, it goes through stages (SeNT
traversal, the rules' melody, attribute-vector arithmetic and the
regularised dim set directly, a second traversal, refinement around the
best), each decoded in one batch and parsed, each only for the rows not yet
exact.  Only melodies whose attributes are all valid and whose targets
are all reached ever leave it.  A family that keeps the user's melody (folk)
replaces the refinement by searches over the clip itself (`_keep_melody`: a
local search, a wider one, a jump search from bigger moves; engine.search).

`Session` holds what a user edits (the original clip, the current one, the
history); `to_dict` / `restore` are its persistent form (bridge/state.py
writes it).
"""
from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import dataclass

import numpy as np

from engine.clip import Note, flat_from_notes, notes_from_flat
from engine.kernels import NumpyTraversal, NumpyVAE
from engine.models import DEFAULT_MODEL, load_model, model_prior
from engine.schema import Schema, get_schema
from engine.search import (VerifiedMemo, apply_changes, decode_changes, interval_changes, jump_starts, neighbour_changes,
                           notes_kept, patch_windows, patched, pitch_changes, segment_changes, unique_changes)
from engine.traversal import TraversalBundle, traversal_path

HISTORY_LIMIT = 256
ALREADY_THERE = "the clip already has these values"      # the reason of an edit that changes nothing
LOOKAHEAD_CHUNK = 8          # one-knob edits worked out per idle step (about as long as one edit)
LOOKAHEAD_CLIPS = 16         # history steps that keep their lookahead table
NEAR_BINS = 2                # the lookahead works out turns of at most this many bins first
LOOKAHEAD_QUICK = (4, 0.100)  # its first pass: chunks of 4 turns, each within 100 ms; what that leaves, a second pass
BPM_RANGE = (20.0, 400.0)    # the tempi the engine plays and exports (/sentgen/play, the session's bpm)
INTERRUPTIBLE_CODES = 32     # codes decoded between two `interrupt` checks in a refinement round (about 0.2 ms)
INTERRUPTIBLE_ROWS = 2048    # local-search candidates verified between two `interrupt` checks (a few ms)
RANDOM_CANDIDATES = 32       # codes decoded per Random try: one bank code, jittered from 0.6 spread down to 0


class EditError(ValueError):
    """A request that cannot be carried out; the message says why, the state is unchanged."""


class Interrupted(Exception):
    """An edit given up between two of its stages because its `interrupt` said so."""


class OutOfTime(Exception):
    """An edit's time budget ran out (edit_batch's deadline): it answers with the best it has."""


@dataclass
class EditOutcome:
    tokens: np.ndarray | None     # (16,) the result, None when no valid melody reached the targets
    exact: bool                   # targets reached, every other attribute kept, all valid
    attrs: np.ndarray | None      # (9,) attributes of the result
    reason: str = ""              # why not exact / why refused
    candidates: int = 0           # how many codes were decoded (0: already_there)
    method: str = ""              # which proposal won
    changed: tuple = ()           # names of the knobs the edit changed besides its targets (when not exact)
    out_of_time: bool = False     # refused only because the time budget ran out: a longer search may answer

    @property
    def already_there(self) -> bool:
        """The clip already had the targets: nothing was edited (Session.set_attrs ran no model)."""
        return self.candidates == 0


@dataclass(frozen=True)
class LookaheadJob:
    """One chunk of lookahead edits (Session.lookahead_job): clip `snap` under `editor`, the (attribute,
    value) pairs `part`, and what Editor.edit_many takes: the clip's tokens, attributes and code; budget_s:
    the first pass's time budget for the whole chunk (None: none)."""
    snap: "Snapshot"
    editor: "Editor"
    part: tuple
    tokens: np.ndarray
    a0: np.ndarray
    z0: np.ndarray
    budget_s: float | None = None

    @property
    def targets(self) -> list[dict[int, int]]:
        return [{k: v} for k, v in self.part]


def deadline_in(seconds: float | None) -> float | None:
    """The time.perf_counter() reading `seconds` from now, for edit_batch's deadline (None: none)."""
    return None if seconds is None else time.perf_counter() + seconds


def parse_targets(pairs, schema: Schema | None = None) -> dict[int, int]:
    """{name: value} or [(name, value), ...] -> {knob index: target index} for the schema's knobs
    (default dMelodies'); clear errors."""
    g = get_schema(schema)
    items = pairs.items() if isinstance(pairs, dict) else pairs
    out: dict[int, int] = {}
    for name, value in items:
        if not isinstance(name, str):
            raise EditError(f"attribute name must be a string, got {name!r}")
        try:
            k = g.knob_index(name)
            out[k] = g.resolve_target(name, value)
        except (KeyError, ValueError, TypeError) as e:
            raise EditError(str(e).strip('"')) from None
    if not out:
        raise EditError("no attribute to set")
    return out


class Editor:
    """One VAE and its traversal bundle; stateless edits on single melodies."""

    def __init__(self, model, bundle: TraversalBundle | None = None, seed: int = 0):
        self.model = model
        self.schema: Schema = model.schema
        self.bundle = bundle
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.latent = model.config.latent
        # On the CPU the edit path runs the same weights through numpy (engine.kernels): a snapshot
        # taken here, so build a new Editor after training.
        on_cpu = getattr(model, "device", None) is None or model.device.type == "cpu"
        self.codec = NumpyVAE(model) if on_cpu and model.config.arch == "fast" else model
        self.traversers = {}
        if bundle is not None and on_cpu:
            self.traversers = {k: NumpyTraversal(net) for k, net in bundle.nets.items()
                               if net.residual and net.classes}
        self._prior = None
        # A family without an exact inverse (folk: real melodies) has many results per target: keep as much
        # of the user's melody as possible (kept notes rank candidates) and, with `patch`, also try each
        # decode applied onto the clip only where it differs from the decode of the clip's own code.
        self.keep_notes = not self.schema.has_inverse
        self.patch = self.keep_notes
        # keep_notes: False leaves the model out of the search (no decoded proposals: the local search from
        # the clip alone); the evaluation measures what the model adds with it ("verified, no model")
        self.model_proposals = True
        # Such a family's answer also keeps every other knob: a result that reached its targets only by
        # changing another knob is refused (the reason names the knobs), never applied as "not exact";
        # only a transposition (a rule knob's turn) may also move the other rule knob, and says so.
        self.keep_others = self.keep_notes

    @classmethod
    def load(cls, name_or_path=DEFAULT_MODEL, device=None) -> "Editor":
        model = load_model(name_or_path, device)
        tp = traversal_path(model.path)
        bundle = TraversalBundle.load(tp) if tp.exists() else None
        editor = cls(model, bundle)
        editor.prior                    # read (or computed) now, not at the first Random
        return editor

    @property
    def prior(self) -> tuple[np.ndarray, np.ndarray]:
        """(bank, spread): posterior means of dMelodies melodies under this model (engine.models.model_prior)
        and their per-dim standard deviation; where Random samples."""
        if self._prior is None:
            bank = model_prior(self.model, self.codec)
            self._prior = (bank, np.maximum(bank.std(0), 1e-6).astype(np.float32))
        return self._prior

    @property
    def name(self) -> str:
        return getattr(self.model, "name", self.model.config.regulariser)

    # --- proposals (batched: z0 (N, D), a0 (N, 9), targets (N, 9) with -1 = keep) ----------
    def direct_codes(self, z0, targets) -> np.ndarray | None:
        """Each target attribute's own dim set to that value's typical code (supervised models)."""
        if self.model.config.regulariser == "beta" or self.bundle is None:
            return None
        z = z0.copy()
        for k in np.flatnonzero((targets >= 0).any(0)):
            rows = np.flatnonzero(targets[:, k] >= 0)
            z[rows, k] = self.bundle.means[k][targets[rows, k], k]
        return z

    def arithmetic_codes(self, z0, a0, targets) -> np.ndarray | None:
        """Attribute-vector arithmetic: add (mean code of target value - mean code of current value)."""
        if self.bundle is None:
            return None
        z = z0.copy()
        for k in np.flatnonzero((targets >= 0).any(0)):
            rows = np.flatnonzero(targets[:, k] >= 0)
            z[rows] += self.bundle.shift(k, a0[rows, k], targets[rows, k])
        return z

    def traversal_codes(self, z0, a0, targets) -> np.ndarray | None:
        """SeNT: T_k applied for each target attribute in turn (one forward pass per attribute)."""
        wanted = np.flatnonzero((targets >= 0).any(0))
        if self.bundle is None or not all(k in self.bundle.nets for k in wanted):
            return None
        z = z0.copy()
        for k in wanted:
            rows = np.flatnonzero(targets[:, k] >= 0)
            cur = np.where(a0[rows, k] >= 0, a0[rows, k], targets[rows, k])
            n1 = self.schema.counts[k] - 1
            c, c_star = cur / n1, targets[rows, k] / n1
            if k in self.traversers:
                zn = self.traversers[k](self.bundle.normalise(z[rows]), c, c_star)
                z[rows] = self.bundle.denormalise(zn)
            else:
                z[rows] = self.bundle.traverse(k, z[rows], c, c_star)
        return z

    STEP_SIZES = np.array([0.5, 1.0, 1.5, 2.2], np.float32)   # multiples of a proposal's move (keep_notes)

    def first_codes(self, z0, a0, targets, traversal=None) -> tuple[np.ndarray, np.ndarray]:
        """(codes (M, N, D), method index (M,)): the traversal, arithmetic and direct proposals, each
        moved STEP_SIZES times as far from z0; a decode reaches a bin only past its edge, and the
        smallest move that does keeps the most of the melody."""
        props = [(name, c) for name, c in (("traversal", traversal),
                                           ("arithmetic", self.arithmetic_codes(z0, a0, targets)),
                                           ("direct", self.direct_codes(z0, targets))) if c is not None]
        if not props:
            return z0[None], np.array([self.METHODS.index("unchanged")])
        moves = np.stack([c - z0 for _, c in props])                    # (P, N, D)
        codes = z0[None, None] + self.STEP_SIZES[:, None, None, None] * moves[None]
        which = np.repeat(np.array([[self.METHODS.index(n) for n, _ in props]]), len(self.STEP_SIZES), 0)
        return codes.reshape(-1, *z0.shape).astype(np.float32), which.reshape(-1)

    # --- verification -----------------------------------------------------------------
    @staticmethod
    def violations(parsed, a0, targets) -> np.ndarray:
        """Per row: 100 per invalid attribute, 10 per missed target, 1 per changed kept attribute.

        parsed (..., N, 9) against a0 and targets (N, 9); attributes invalid in a0 need not be kept."""
        is_target = targets >= 0
        keep = (a0 >= 0) & ~is_target
        invalid = (parsed < 0).sum(-1)
        missed = ((parsed != targets) & is_target).sum(-1)
        changed = ((parsed != a0) & keep).sum(-1)
        return 100 * invalid + 10 * missed + changed

    def rules_melodies(self, a0, targets, rows) -> tuple[np.ndarray, np.ndarray]:
        """The melodies the dMelodies rules give for the wanted attributes (rows where all are known).

        Every dMelodies melody is fixed by its nine attributes, so when the clip parses fully the
        wanted melody is known: it is the unique exact result. Returns (tokens, rows used)."""
        if not self.schema.has_inverse:
            return np.zeros((0, self.schema.steps), np.int64), rows[:0]
        wanted = np.where(targets[rows] >= 0, targets[rows], a0[rows])
        ok = (wanted >= 0).all(1)
        return self.schema.melodies_of(wanted[ok]), rows[ok]

    def _consider(self, best, rows, cand, method, a0, z0, targets, tokens=None, windows=False, decoded=None):
        """Decode candidates cand (M, len(rows), D) for the given rows (decoded: their decodes, when the caller
        has them; or take the given tokens (M, len(rows), steps) as they are, with no code); keep each row's
        best if it beats the old.

        Best: fewest violations, then (keep_notes) most of the clip's notes kept, then the smallest move.
        With `patch`, each decode also comes applied onto the clip (`patched`), as a candidate of its own;
        with `windows` also applied only inside each of the grid's windows (`patch_windows`: bars, half
        bars, beats, two beats), which can make the one wanted change without the others."""
        m = len(cand) if tokens is None else len(tokens)
        g = self.schema
        if tokens is None:
            dec = (self.codec.decode(cand.reshape(-1, self.latent)).reshape(m, len(rows), g.steps) if decoded is None
                   else decoded)
            best["decoded"] = dec                      # the local search's proposals: the decodes alone
            cd = np.linalg.norm(cand - z0[rows], axis=-1)
        else:   # no code: such a candidate wins only with fewer violations
            dec, cd = tokens, np.full((m, len(rows)), np.inf)
            cand = np.broadcast_to(best["code"][rows], (m, len(rows), self.latent))
        method = np.broadcast_to(np.asarray(method), (m,))
        if self.patch and tokens is None:
            masks = patch_windows(g.steps, g.steps_per_bar) if windows else np.ones((1, g.steps), bool)
            extra = patched(dec, best["recon"][rows], best["clip"][rows], masks)     # (m * W, rows, steps)
            w = len(masks)
            dec = np.concatenate([dec, extra])
            cd, cand = np.concatenate([cd, np.repeat(cd, w, 0)]), np.concatenate([cand, np.repeat(cand, w, 0)])
            method = np.concatenate([method, np.repeat(method, w) + len(self.METHODS)])
            m *= 1 + w
        par = g.parse(dec.reshape(-1, g.steps)).reshape(m, len(rows), g.num_knobs)
        cv = self.violations(par, a0[rows], targets[rows])
        kept = notes_kept(dec, best["clip"][rows]) if self.keep_notes else np.zeros((m, len(rows)))
        self._take(best, rows, dec, par, cv, kept, cd, cand, method)

    def _take(self, best, rows, dec, par, cv, kept, cd, cand, method):
        """Per row, the best of the candidates (M, len(rows), ...) replaces the row's best when better:
        fewer violations, then (keep_notes) more of the clip's notes kept, then a smaller move."""
        m = len(dec)
        if m == 1:
            j = np.zeros(len(rows), np.int64)
        else:
            j = np.lexsort((cd, -kept, cv), axis=0)[0]   # per row: fewest violations, most kept, smallest move
        r = np.arange(len(rows))
        cv, cd, kept = cv[j, r], cd[j, r], kept[j, r]
        old_cv, old_kept = best["score"][rows], best["kept"][rows]
        better = (cv < old_cv) | ((cv == old_cv) & ((kept > old_kept) | ((kept == old_kept) & (cd < best["dist"][rows]))))
        upd, jb, rb = rows[better], j[better], r[better]
        best["tokens"][upd], best["attrs"][upd] = dec[jb, rb], par[jb, rb]
        best["score"][upd], best["dist"][upd], best["code"][upd] = cv[better], cd[better], cand[jb, rb]
        best["kept"][upd] = kept[better]
        best["method"][upd] = method[jb]
        best["candidates"][rows] += m

    TARGET_WEIGHT = 10.0      # the local search steers by TARGET_WEIGHT x (target distance) + distance of the kept knobs
    KEEP_JITTER = 16          # codes around the best one, for rows the first local search left unfinished
    WIDE = (8, 24)            # depth and beam of the second local search, for those rows

    def _keep_melody(self, best, z0, a0, targets, methods, check, interrupt):
        """The rest of a keep_notes edit after the first stage: the local search on its decodes; for rows it
        leaves unfinished, a second traversal from the best code and KEEP_JITTER codes around it (decoded and
        patched in windows), then a wider local search with all those decodes as proposals.  Replaces the
        refinement rounds, which decode hundreds of codes per row and rarely found what the search finds."""
        pool = best["decoded"]
        every = np.arange(len(z0))
        local = methods.index("local")
        check()
        self._local_search(best, every, pool, a0, targets, local, interrupt)
        todo = np.flatnonzero(best["score"] > 0)
        if not len(todo):
            return
        if not self.model_proposals:
            if self.WIDE[0]:
                check()
                self._local_search(best, todo, pool[:, todo], a0, targets, local, interrupt, *self.WIDE)
            self._jump_rest(best, todo, pool[:, todo], a0, targets, local, check, interrupt)
            return
        check()
        wanted = np.where(targets >= 0, targets, a0)[todo]
        got = best["attrs"][todo]
        second = self.traversal_codes(best["code"][todo], got, np.where((wanted >= 0) & (got != wanted), wanted, -1))
        spread = self.bundle._span if self.bundle is not None else np.ones(self.latent, np.float32)
        noise = self._jitter(best["clip"][todo], targets[todo]) * spread * 0.06
        codes = best["code"][todo][None] + noise
        which = np.full(len(codes), methods.index("refined"))
        if second is not None:
            codes, which = np.concatenate([second[None], codes]), np.r_[methods.index("second pass"), which]
        self._consider(best, todo, codes, which, a0, z0, targets, windows=True)
        more = np.concatenate([pool[:, todo], best["decoded"]])
        left = best["score"][todo] > 0
        if left.any() and self.WIDE[0]:
            check()
            self._local_search(best, todo[left], more[:, left], a0, targets, local, interrupt, *self.WIDE)
        self._jump_rest(best, todo, more, a0, targets, local, check, interrupt)

    def _jitter(self, tokens, targets) -> np.ndarray:
        """(KEEP_JITTER, N, D) standard normal noise, each row's drawn from a generator seeded with its clip (N, S)
        and targets (N, K): a turn on a clip gets the same codes whatever came before it or shares its batch, so
        the same turn gives the same answer on demand, in the lookahead and in the evaluation."""
        out = np.empty((self.KEEP_JITTER, len(tokens), self.latent), np.float32)
        for i, (t, k) in enumerate(zip(tokens.tolist(), targets.tolist())):
            seed = [self.seed, *t, *(v + 1 for v in k)]                     # non-negative, as SeedSequence wants
            out[:, i] = np.random.default_rng(seed).standard_normal((self.KEEP_JITTER, self.latent))
        return out

    def _jump_rest(self, best, todo, pool, a0, targets, method, check, interrupt):
        """The jump search (`_jump_search`) for the rows of todo still unfinished; pool: their decodes."""
        # only turns of at most JUMP_BINS bins (the turns a knob gives): the lookahead works out every value of
        # every knob, and the far ones, mostly refused, would each take seconds here
        near = (np.where(targets[todo] >= 0, np.abs(targets[todo] - a0[todo]), 0) <= self.JUMP_BINS).all(1)
        left = (best["score"][todo] > 0) & near
        if left.any() and self.JUMP[0]:
            check()
            self._jump_search(best, todo[left], pool[:, left], a0, targets, method, interrupt)

    interval_moves = "wide"      # the interval moves in the wider second search only (True: in every search)
    skip_expanded = True         # an entry a search met before is not expanded again (_local_round; False: tests)
    stop_siblings = True         # a clip's wider searches from its jump starts stop with the first exact one (tests)
    LOCAL_PROPOSALS = (96, 1400)  # at most this many (step, token) changes from the decodes, and from the neighbourhood
    LOCAL_BEAM = 4            # partial edits kept between rounds
    LOCAL_DEPTH = 3           # most changes applied
    LOCAL_ROWS = 32768        # candidate rows parsed at once (memory)

    def _local_search(self, best, rows, pool, a0, targets, method: int, interrupt=None, depth=None, beam_width=None,
                      starts=None, siblings=None):
        """Change the clip a token at a time, verified (keep_notes families; engine.search).

        The changes tried: those the decodes of the pool (Q, len(rows), steps) make (what the model's
        moves changed) and the small neighbourhood of each partial edit.  A beam search applies up to
        `depth` of them, keeping the `beam_width` partial edits nearest the targets (the schema's
        distance where it has one, else bins away; then notes kept); every candidate is verified like
        any other, and a row stops at the first round that finds an exact result (a deeper one changes
        more).  A few tokens of a decode often make the one wanted change that the whole decode makes
        along with others.  starts (len(rows), B, S): the first beam instead of the clip (`_jump_search`);
        siblings (len(rows),): rows with one id are one clip's searches from different starts, and all stop at
        the first round that finds one of them an exact result."""
        g = self.schema
        wide = depth is not None
        depth, beam_width = depth or self.LOCAL_DEPTH, beam_width or self.LOCAL_BEAM
        clip = best["clip"][rows]
        from_model = unique_changes(decode_changes(pool, clip, best["recon"][rows], g.vocab), self.LOCAL_PROPOSALS[0])
        beam = clip[:, None].copy() if starts is None else starts               # (n, B, S)
        live = np.arange(len(rows))                                              # rows still searching
        expanded: dict = {}        # what each entry this search already expanded gave the next beam (_local_round)
        for _ in range(depth):
            n, B = beam.shape[:2]
            flat_beam = beam.reshape(-1, g.steps)
            names = best["memo"].key_array(flat_beam, np.repeat(best["memo_row"][rows[live]], B))
            # the entries this search has not expanded yet (the others need no changes: _local_round)
            todo = np.flatnonzero([not self.skip_expanded or k not in expanded for k in names.tolist()])
            near, moved = self._changes(flat_beam, todo, wide)
            moved = None if moved is None else moved.reshape(n, B, *moved.shape[1:])
            keys = np.concatenate([np.broadcast_to(from_model[live][:, None], (n, B, from_model.shape[1])),
                                   near.reshape(n, B, -1)], axis=2)              # (n, B, P)
            rows_at_once = self.LOCAL_ROWS if interrupt is None else INTERRUPTIBLE_ROWS
            per_chunk = max(1, rows_at_once // keys.shape[2])
            nb = []
            for lo in range(0, n, per_chunk):
                if interrupt is not None and interrupt():
                    raise Interrupted
                sl = slice(lo, lo + per_chunk)
                nb.append(self._local_round(best, rows[live[sl]], beam[sl], clip[live[sl]], keys[sl], a0, targets,
                                            method, beam_width, expanded, names.reshape(n, B)[sl], interrupt,
                                            None if moved is None else moved[sl]))
            beam = np.concatenate(nb)
            going = best["score"][rows[live]] > 0
            if siblings is not None:     # a row also stops once a sibling (another start of its clip) is exact
                going &= ~np.isin(siblings[live], siblings[best["score"][rows] == 0])
            live, beam = live[going], beam[going]
            if not len(live):
                break

    def _changes(self, flat_beam, todo, wide: bool):
        """The small changes (keys (E, <= LOCAL_PROPOSALS[1])) of the beam entries flat_beam[todo] (E, S), -1 for
        the others, and (with interval moves) their moved clips (E, ..., S), zero for the others."""
        g = self.schema
        intervals = self.interval_moves is True or (self.interval_moves and wide)
        if not len(todo):
            return np.full((len(flat_beam), 1), -1, np.int64), None
        part = flat_beam[todo]
        changes = [neighbour_changes(part, g.vocab), pitch_changes(part, g.vocab),
                   segment_changes(part, g.vocab, g.steps_per_bar)]
        moved = None
        if intervals:
            ivl, part_moved = interval_changes(part, g.vocab, g.steps_per_bar, results=True)
            changes.append(ivl)
            moved = np.zeros((len(flat_beam),) + part_moved.shape[1:], part_moved.dtype)
            moved[todo] = part_moved
        part_near = unique_changes(np.concatenate(changes, axis=1), self.LOCAL_PROPOSALS[1])
        near = np.full((len(flat_beam), part_near.shape[1]), -1, np.int64)
        near[todo] = part_near
        return near, moved

    def _local_round(self, best, rows, beam, clip, keys, a0, targets, method, beam_width, expanded, names,
                     interrupt=None, moved=None):
        """One round of the local search for a chunk of rows: each beam entry (c, B, S), nearest first, with
        each of its changes (c, B, P) applied and verified (best updated), until a row has an exact result (the
        entries after it would change as much or more: a row stops there); returns the next beam
        (c, <= beam_width, S).  interrupt: asked before each entry after the first.  moved: the entries'
        interval moves (c, B, ...: `interval_changes`), when the keys have them.

        expanded: per entry (names (c, B): its memo key, the entry and its row's targets) that this search expanded,
        its own beam_width best candidates, nearness and notes kept.  A beam keeps meeting the entries it came
        from (a round can undo the last), and all their candidates are in the memo: verified again they would
        change nothing but the time.  Only an entry's own best candidates can be among the next beam, so the
        next beam is the same, ties included (each entry's candidates stay in their order)."""
        c, B, P = keys.shape
        W = beam_width                 # per entry; slots it has no candidate for stay last (and are cut below)
        flat = np.repeat(beam.transpose(1, 0, 2)[:, None], W, 1)                  # (B, W, c, S)
        h, kept = np.full((B, W, c), np.inf), np.full((B, W, c), -np.inf)
        going = np.ones(c, bool)
        for b in range(B):
            i = np.flatnonzero(going)
            if not len(i):
                break
            if b and interrupt is not None and interrupt():
                raise Interrupted
            here = names[i, b].tolist()
            seen = np.array([self.skip_expanded and k in expanded for k in here], bool)
            for j, k in zip(i[seen].tolist(), itertools.compress(here, seen)):
                f, hh, kk = expanded[k]
                flat[b][:len(f), j], h[b][:len(f), j], kept[b][:len(f), j] = f, hh, kk
            new = i[~seen]
            if len(new):
                f, hh, kk = self._local_entry(best, rows[new], beam[new, b], clip[new], keys[new, b], a0, targets,
                                              method, None if moved is None else moved[new, b])
                top = np.lexsort((-kk, hh), axis=0)[:W]                              # (W', c'): stable, as below
                col, w = np.arange(len(new)), len(top)
                flat[b][:w, new], h[b][:w, new], kept[b][:w, new] = f[top, col], hh[top, col], kk[top, col]
                for j, k in zip(new.tolist(), itertools.compress(here, ~seen)):
                    expanded[k] = flat[b][:w, j].copy(), h[b][:w, j].copy(), kept[b][:w, j].copy()
            going &= best["score"][rows] > 0
        flat, h, kept = flat.reshape(B * W, c, -1), h.reshape(B * W, c), kept.reshape(B * W, c)
        order = np.lexsort((-kept, h), axis=0)[:min(beam_width, B * P)]           # (B', c)
        return flat[order, np.arange(c)[None, :]].transpose(1, 0, 2)

    def _local_entry(self, best, rows, entry, clip, keys, a0, targets, method, moved=None):
        """One beam entry per row (c, S) with each of its changes (c, P) applied, verified (best updated);
        returns the candidates (P, c, S), their nearness to the targets (P, c) and notes kept (P, c)."""
        g = self.schema
        c, P = keys.shape
        flat = apply_changes(entry[:, None], keys[:, None], g.vocab, g.steps_per_bar,
                             None if moved is None else moved[:, None])[:, 0].transpose(1, 0, 2)
        usable = (keys >= 0).T                                                     # (P, c)
        _, kept, h = self._verify(best, rows, flat, clip, a0, targets, method, usable)
        return flat, h, kept

    def _verify(self, best, rows, flat, clip, a0, targets, method, usable=None):
        """Candidates (P, c, S) for rows (c,) of the local search verified (best updated); returns their knob
        bins, notes kept and nearness to the targets (P, c) (unusable ones: inf).  Each distinct candidate is
        parsed once per edit: a repeat (in this batch or met before, `VerifiedMemo`) takes its first copy's
        bins and nearness, and is not offered to the best again (it could not beat it)."""
        g, memo = self.schema, best["memo"]
        P, c, S = flat.shape
        usable = np.ones((P, c), bool) if usable is None else usable
        pi, ci = np.nonzero(usable)
        keys = memo.keys(flat[pi, ci], best["memo_row"][rows][ci])
        firsts: dict = {}                # key -> its first copy here; in the order of first copies
        lead = np.fromiter(map(firsts.setdefault, keys, range(len(keys))), np.int64, len(keys))
        leaders = np.fromiter(firsts.values(), np.int64, len(firsts))  # the first copy of each candidate here
        at = memo.find(firsts)
        new = at < 0
        fresh = leaders[new]
        fp, fc = pi[fresh], ci[fresh]
        t_new, a_new = targets[rows][fc], a0[rows][fc]
        par, near = self._nearness(flat[fp, fc], a_new, t_new)
        memo.add(list(itertools.compress(firsts, new.tolist())), near, par)
        # every leader's values (fresh or remembered), then every candidate's from its leader
        lead_near, lead_bins = np.empty(len(leaders)), np.empty((len(leaders), g.num_knobs), np.int64)
        old = at >= 0
        lead_near[old], lead_bins[old] = memo.near[at[old]], memo.bins[at[old]]
        lead_near[~old], lead_bins[~old] = near, par
        which = np.searchsorted(leaders, lead)
        h, bins = np.full((P, c), np.inf), np.full((P, c, g.num_knobs), -1, np.int64)
        h[pi, ci], bins[pi, ci] = lead_near[which], lead_bins[which]
        cv = np.full((P, c), np.iinfo(np.int64).max)
        cv[fp, fc] = self.violations(par, a_new, t_new)
        kept = notes_kept(flat, clip)
        code = np.broadcast_to(best["code"][rows], (P, c, self.latent))
        self._take(best, rows, flat, bins, cv, kept, np.zeros(cv.shape), code, np.full(P, method))
        return bins, kept, h

    def _nearness(self, cand, a0, targets) -> tuple[np.ndarray, np.ndarray]:
        """Knob bins (M, K) of candidates (M, S) and their nearness to the targets (M,), a0 and targets (M, K):
        bins away (invalid: far), then kept knobs changed (the local search's order)."""
        g = self.schema
        if not len(cand):
            return np.zeros((0, g.num_knobs), np.int64), np.zeros(0)
        keep = (a0 >= 0) & (targets < 0)
        if g.distance is None:
            par = g.parse(cand)
            far = np.where(par < 0, 100, np.abs(par - targets))
            return par, 10 * np.where(targets >= 0, far, 0).sum(-1) + ((par != a0) & keep).sum(-1)
        measured = g.measure(cand)      # continuous: how far each knob's value is from its wanted bin
        dist = g.distance(measured, np.where(targets >= 0, targets, a0))
        return measured[1], self.TARGET_WEIGHT * np.where(targets >= 0, dist, 0).sum(-1) + np.where(keep, dist, 0).sum(-1)

    JUMP = (12, 8, 24)        # starts per row; depth and beam of the wider search from each start
    JUMP_BINS = 2             # the jump search only for targets at most this many bins away

    def _jump_search(self, best, rows, pool, a0, targets, method, interrupt=None):
        """For rows the local searches left unfinished: every jump start of the clip (engine.search.jump_starts)
        verified; then from each of the JUMP[0] nearest the targets (then most notes kept) a search of its own
        (the local search, then, for rows no start's local search answered, a wider one: one shared beam would
        follow the best start only); each row takes the best result of its starts.  Notes kept count against
        the clip."""
        g, K = self.schema, self.JUMP[0]
        starts, going = [], []
        for r in rows.tolist():
            cand = jump_starts(best["clip"][r], g.vocab)[:, None]                              # (M, 1, S)
            par, kept, h = self._verify(best, np.array([r]), cand, best["clip"][r:r + 1], a0, targets, method)
            missed = ((par[:, 0] != targets[r]) & (targets[r] >= 0)).sum(-1)
            starts.append(cand[np.resize(np.lexsort((-kept[:, 0], h[:, 0], missed))[:K], K), 0])
            going.append(best["score"][r] > 0)
            if interrupt is not None and interrupt():
                raise Interrupted
        rows, starts, pool = rows[going], np.stack(starts)[going], pool[:, going]           # (n, K, S)
        if not len(rows):
            return
        # each (row, start) a row of its own: a copy of the row's best, searched from its start
        n = len(rows)
        sub = {key: np.repeat(best[key][rows], K, 0) for key in
               ("tokens", "attrs", "score", "dist", "code", "method", "kept", "clip", "recon")}
        sub["candidates"] = np.zeros(n * K, np.int64)
        sub["memo"], sub["memo_row"] = best["memo"], np.repeat(best["memo_row"][rows], K)   # one row's targets
        every = np.arange(n * K)
        a_sub, t_sub = np.repeat(a0[rows], K, 0), np.repeat(targets[rows], K, 0)
        pool_sub = np.repeat(pool, K, 1)
        self._local_search(sub, every, pool_sub, a_sub, t_sub, method, interrupt, starts=starts.reshape(n * K, 1, -1))
        # the wider search only for rows none of whose starts the local search answered: like every search here
        # a row stops at the first stage with an exact result (a deeper search changes more of the clip)
        answered = np.repeat((sub["score"].reshape(n, K) == 0).any(1), K) & self.stop_siblings
        left = np.flatnonzero((sub["score"] > 0) & ~answered)
        if len(left) and self.JUMP[1]:
            self._local_search(sub, left, pool_sub[:, left], a_sub, t_sub, method, interrupt, *self.JUMP[1:],
                               starts=starts.reshape(n * K, 1, -1)[left],
                               siblings=left // K if self.stop_siblings else None)
        grid = lambda v: v.reshape(n, K, *v.shape[1:]).swapaxes(0, 1)                      # (K, n, ...)
        self._take(best, rows, grid(sub["tokens"]), grid(sub["attrs"]), grid(sub["score"]), grid(sub["kept"]),
                   grid(sub["dist"]), grid(sub["code"]), np.full(K, method))
        best["candidates"][rows] += sub["candidates"].reshape(n, K).sum(1) - K

    METHODS = ("unchanged", "traversal", "rules", "arithmetic", "direct", "second pass", "refined", "local")
    # a patched candidate's method is its decode's + len(METHODS): "traversal, patched" etc.; then the rules'
    ALL_METHODS = METHODS + tuple(f"{m}, patched" for m in METHODS) + ("rule",)

    def edit_batch(self, tokens, targets, budget: int = 256, use_rules: bool = True, a0=None, z0=None,
                   interrupt=None, deadline: float | None = None) -> dict:
        """Verified edits of N melodies (N, 16) towards targets (N, 9) (-1 = keep).

        Stages, each decoded and checked in one batch, each only for the rows not yet exact:
        SeNT traversal; (use_rules) the rules' melody itself; attribute arithmetic and the
        regularised dim set directly; a second traversal from the best result towards every
        attribute still wrong; jittered codes around the best.  Most edits end after the first
        decode.  When the clip parses fully, its exact result is unique (the nine attributes fix a
        dMelodies melody), so the order only decides which method is credited and how long it takes.

        a0, z0: the melodies' attributes and codes when the caller has them (parse(tokens), encode(tokens)).
        interrupt: a callable asked before every stage, and in the refinement rounds every
        INTERRUPTIBLE_CODES codes, so that no stretch between two asks costs much more than a
        decode of a few dozen codes; True raises Interrupted (the engine's lookahead gives way to a
        request).  Splitting a round changes nothing in its result (the same codes, the same choice).
        Returns arrays: tokens (N, 16), attrs (N, 9), score (N,) (0 exact, < 10 targets reached but
        something else changed, >= 10 refused), method (N,) index into `methods`, candidates (N,)."""
        g = self.schema
        tokens = np.asarray(tokens, dtype=np.int64).reshape(-1, g.steps)
        targets = np.asarray(targets, dtype=np.int64).reshape(-1, g.num_knobs)
        n = len(tokens)
        a0 = g.parse(tokens) if a0 is None else np.asarray(a0, dtype=np.int64).reshape(-1, g.num_knobs)
        if g.rule_knobs and (targets[:, list(g.rule_knobs)] >= 0).any():
            return self._edit_rules(tokens, targets, a0, budget, use_rules, interrupt)
        z0 = self.codec.encode(tokens) if z0 is None else np.asarray(z0, np.float32).reshape(n, self.latent)
        methods = list(self.ALL_METHODS)
        big = np.iinfo(np.int64).max
        best = {"tokens": tokens.copy(), "attrs": a0.copy(), "score": np.full(n, big), "dist": np.full(n, np.inf),
                "code": z0.copy(), "method": np.zeros(n, np.int64), "candidates": np.zeros(n, np.int64),
                "kept": np.full(n, -1.0), "clip": tokens}
        every = np.arange(n)
        if self.patch:
            best["memo"], best["memo_row"] = VerifiedMemo(g.steps, g.vocab, g.num_knobs), every

        def unfinished():
            return np.flatnonzero(best["score"] > 0)

        def check():
            if interrupt is not None and interrupt():
                raise Interrupted

        if deadline is not None:        # the time budget: give up where the lookahead would give way
            inner = interrupt

            def interrupt():
                if time.perf_counter() > deadline:
                    raise OutOfTime
                return inner is not None and inner()

        try:
            check()
            first = self.traversal_codes(z0, a0, targets)
            if self.keep_notes:     # every proposal at several step sizes, in one batch
                codes, which = (self.first_codes(z0, a0, targets, first) if self.model_proposals
                                else (z0[None], np.array([methods.index("unchanged")])))
                decoded = None
                if self.patch:    # the clips' own reconstructions with the first decodes: one pass over the weights
                    out = self.codec.decode(np.concatenate([z0, codes.reshape(-1, self.latent)]))
                    best["recon"], decoded = out[:n], out[n:].reshape(len(codes), n, g.steps)
                self._consider(best, every, codes, which, a0, z0, targets, windows=True, decoded=decoded)
                if self.patch:
                    self._keep_melody(best, z0, a0, targets, methods, check, interrupt)
                    return best
            elif first is None:
                self._consider(best, every, z0[None], methods.index("unchanged"), a0, z0, targets)
            else:
                self._consider(best, every, first[None], methods.index("traversal"), a0, z0, targets)
            todo = unfinished()
            if use_rules and len(todo):
                check()
                melodies, used = self.rules_melodies(a0, targets, todo)
                if len(used):
                    self._consider(best, used, None, methods.index("rules"), a0, z0, targets, tokens=melodies[None])
                todo = unfinished()
            if len(todo) and not self.keep_notes:       # keep_notes: these were in the first stage already
                check()
                parts = [(methods.index(name), c) for name, c in
                         (("arithmetic", self.arithmetic_codes(z0[todo], a0[todo], targets[todo])),
                          ("direct", self.direct_codes(z0[todo], targets[todo]))) if c is not None]
                if parts:
                    self._consider(best, todo, np.stack([c for _, c in parts]), np.array([m for m, _ in parts]),
                                   a0, z0, targets)
                todo = unfinished()
            if len(todo):   # second pass: from the best result, move every attribute that is still wrong
                check()
                wanted = np.where(targets >= 0, targets, a0)[todo]
                got = best["attrs"][todo]
                fix = np.where((wanted >= 0) & (got != wanted), wanted, -1)
                second = self.traversal_codes(best["code"][todo], got, fix)
                if second is not None:
                    self._consider(best, todo, second[None], methods.index("second pass"), a0, z0, targets,
                                   windows=self.keep_notes)
            spread = self.bundle._span if self.bundle is not None else np.ones(self.latent, np.float32)
            scale = 0.04
            for round_ in range(6):
                todo = unfinished()
                if not len(todo):
                    break
                m = min(16 << round_, budget)              # candidates per unfinished row: 16, 32, 64...
                # Jitter the best code so far and rescale its move away from the original.
                alpha = self.rng.uniform(0.8, 1.4, (m, len(todo), 1)).astype(np.float32)
                noise = self.rng.standard_normal((m, len(todo), self.latent)).astype(np.float32) * spread * scale
                cand = z0[todo] + alpha * (best["code"][todo] - z0[todo]) + noise
                step = m if interrupt is None else max(1, INTERRUPTIBLE_CODES // len(todo))
                for i in range(0, m, step):                # in pieces when interruptible (same result)
                    check()
                    self._consider(best, todo, cand[i:i + step], methods.index("refined"), a0, z0, targets)
                scale *= 1.7
        except OutOfTime:
            best["why"] = ["" if sc < 10 else f"no exact edit found within the time budget ({c} candidates tried)"
                           for sc, c in zip(best["score"], best["candidates"])]
            best["out_of_time"] = best["score"] > 0
        finally:
            best["methods"], best["a0"] = methods, a0
            best.pop("memo", None)       # (up to VerifiedMemo.LIMIT candidates: not kept with the result)
        return best

    def _edit_rules(self, tokens, targets, a0, budget, use_rules, interrupt) -> dict:
        """edit_batch for rows with targets on rule knobs: each rule knob's exact transformation first
        (the schema's apply_rule), then the learned knobs' targets edited from the transformed clip as
        usual; the result is parsed and scored against the original attributes and all targets, like
        every other edit.  Rows a rule refuses keep their clip and say why."""
        g = self.schema
        n = len(tokens)
        methods = list(self.ALL_METHODS)
        moved, ok, why = tokens.copy(), np.ones(n, bool), [""] * n
        for k in g.rule_knobs:
            rows = np.flatnonzero(ok & (targets[:, k] >= 0))
            if not len(rows):
                continue
            out, good, reasons = g.apply_rule(moved[rows], k, targets[rows, k])
            moved[rows] = out
            for r, gd, w in zip(rows.tolist(), np.asarray(good).tolist(), reasons):
                if not gd:
                    ok[r], why[r] = False, f"{g.names[k]}: {w}"
        method = np.full(n, methods.index("rule"), np.int64)
        candidates = np.ones(n, np.int64)
        learned = targets.copy()
        learned[:, list(g.rule_knobs)] = -1
        rest = np.flatnonzero(ok & (learned >= 0).any(1))
        if len(rest):
            b = self.edit_batch(moved[rest], learned[rest], budget, use_rules, interrupt=interrupt)
            moved[rest] = b["tokens"]
            method[rest] = b["method"]
            candidates[rest] += b["candidates"]
            for i, r in enumerate(rest.tolist()):
                if b["score"][i] >= 10:
                    ok[r], why[r] = False, "the learned knobs' edit after the rule was refused"
        attrs = g.parse(moved)
        score = self.violations(attrs, a0, targets)
        score = np.where(ok, score, np.maximum(score, 10))
        moved = np.where(ok[:, None], moved, tokens)
        return {"tokens": moved, "attrs": attrs, "score": score, "dist": np.zeros(n), "code": None,
                "method": method, "candidates": candidates, "methods": methods, "a0": a0, "why": why}

    def edit(self, tokens, targets: dict[int, int], budget: int = 256, use_rules: bool = True,
             a0=None, z0=None, deadline: float | None = None, interrupt=None) -> EditOutcome:
        """Verified edit of one melody (16 tokens) towards targets {attr index: value index}.

        a0, z0: its attributes and code when the caller has them; deadline, interrupt: see edit_batch."""
        return self.edit_many(tokens, [targets], budget, use_rules, a0, z0, interrupt, deadline)[0]

    def edit_many(self, tokens, targets_list, budget: int = 256, use_rules: bool = True,
                  a0=None, z0=None, interrupt=None, deadline: float | None = None) -> list[EditOutcome]:
        """Verified edits of one melody towards each of several target dicts, in one batch."""
        n = len(targets_list)
        g = self.schema
        t = np.full((n, g.num_knobs), -1, np.int64)
        for i, targets in enumerate(targets_list):
            for k, v in targets.items():
                t[i, k] = v
        tok = np.repeat(np.asarray(tokens, np.int64).reshape(1, g.steps), n, 0)
        a0 = None if a0 is None else np.repeat(np.asarray(a0, np.int64).reshape(1, g.num_knobs), n, 0)
        z0 = None if z0 is None else np.repeat(np.asarray(z0, np.float32).reshape(1, self.latent), n, 0)
        b = self.edit_batch(tok, t, budget, use_rules, a0, z0, interrupt, deadline)
        return [self._outcome(b, i, targets) for i, targets in enumerate(targets_list)]

    def answered(self, b: dict) -> np.ndarray:
        """Per row of an edit_batch result on learned knobs: does the edit leave the editor (as `_outcome`
        decides): targets reached, and (keep_others) nothing else changed."""
        return b["score"] == 0 if self.keep_others else b["score"] < 10

    def _outcome(self, b: dict, i: int, targets: dict[int, int]) -> EditOutcome:
        """Row i of an edit_batch result as an EditOutcome (refused: no tokens, and why)."""
        score, attrs, tried = int(b["score"][i]), b["attrs"][i], int(b["candidates"][i])
        method = b["methods"][b["method"][i]]
        names = self.schema.names
        late = "out_of_time" in b and bool(b["out_of_time"][i])
        if score >= 10:
            bad = [names[k] for k in range(len(names)) if attrs[k] < 0]
            if b.get("why") and b["why"][i]:
                return EditOutcome(None, False, None, b["why"][i], tried, method, out_of_time=late)
            why = (f"no valid melody found within {tried} candidates" + (f" (invalid: {', '.join(bad)})" if bad else "")
                   if score >= 100 else f"target not reached within {tried} candidates")
            return EditOutcome(None, False, None, why, tried, method)
        a0 = b["a0"][i]                                # parsed once, in edit_batch
        moved = [k for k in range(len(names)) if k not in targets and a0[k] >= 0 and attrs[k] != a0[k]]
        changed = [names[k] for k in moved]
        # (a transposition may move another rule knob: a key turn can cross into the next octave)
        may_move = self.schema.rule_knobs if any(self.schema.is_rule(k) for k in targets) else ()
        if self.keep_others and any(k not in may_move for k in moved):
            return EditOutcome(None, False, None, f"within {tried} candidates the target was reached only by also "
                               f"changing {', '.join(changed)} (this model keeps every other knob)", tried, method,
                               out_of_time=late)
        reason = "" if score == 0 else "also changed: " + ", ".join(changed)
        return EditOutcome(b["tokens"][i].astype(np.int64), score == 0, attrs.copy(), reason, tried, method,
                           tuple(changed) if score else ())

    def random(self, seed: int | None = None, tries: int = 8) -> np.ndarray:
        """A new valid melody sampled where the model's codes live (the same one for the same seed).

        The codes of real melodies fill a thin, clumped part of the latent space (a Gaussian fitted
        to them decodes to a valid melody about once in 400), so a try takes one code of the model's
        prior bank and jitters it by its per-dim spread times 0.6, 0.58 ... 0 (RANDOM_CANDIDATES
        codes, decoded in one batch); the first that parses fully wins: the furthest from the bank
        melody that is still valid, often a melody of its own.  The last code is the bank code itself."""
        rng = np.random.default_rng(seed)
        bank, spread = self.prior
        scales = np.linspace(0.6, 0.0, RANDOM_CANDIDATES, dtype=np.float32)[:, None]
        for _ in range(tries):
            centre = bank[rng.integers(len(bank))]
            z = centre + rng.standard_normal((RANDOM_CANDIDATES, self.latent)).astype(np.float32) * spread * scales
            out = self.codec.decode(z)
            ok = (self.schema.parse(out) >= 0).all(1)
            if ok.any():
                return out[np.argmax(ok)].astype(np.int64)
        raise EditError("the model produced no valid melody for this seed")


@dataclass
class Snapshot:
    tokens: list
    velocities: list
    mutes: list

    @classmethod
    def of(cls, tokens, velocities, mutes) -> "Snapshot":
        """From arrays (plain ints, so it is JSON as it is)."""
        return cls([int(x) for x in tokens], [int(x) for x in velocities], [int(x) for x in mutes])

    def as_arrays(self):
        return (np.asarray(self.tokens, np.int64), np.asarray(self.velocities, np.int64),
                np.asarray(self.mutes, np.int64))

    @classmethod
    def saved(cls, d: dict, schema: Schema | None = None) -> "Snapshot":
        """A history step from its saved form (`__dict__`), validated against the schema's grid (default
        dMelodies: 16 tokens that parse), velocities 0..127, mutes 0/1, all ints; raises ValueError /
        TypeError / KeyError otherwise."""
        g = get_schema(schema)
        snap = cls(list(d["tokens"]), list(d["velocities"]), list(d["mutes"]))
        for name, values, hi in (("tokens", snap.tokens, None), ("velocities", snap.velocities, 127),
                                 ("mutes", snap.mutes, 1)):
            if len(values) != g.steps or not all(type(v) is int for v in values):
                raise ValueError(f"a history step's {name} must be {g.steps} ints")
            if hi is not None and not all(0 <= v <= hi for v in values):
                raise ValueError(f"a history step's {name} must be in 0..{hi}")
        g.parse(np.asarray(snap.tokens, np.int64))    # raises on bad tokens
        return snap


def valid_bpm(bpm) -> float:
    """A tempo in BPM_RANGE (a finite number), as float; ValueError otherwise."""
    if isinstance(bpm, bool) or not isinstance(bpm, (int, float)) or not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
        raise ValueError(f"bpm must be a number in {BPM_RANGE[0]:g}..{BPM_RANGE[1]:g}, got {bpm!r}")
    return float(bpm)


def check_saved_fields(data: dict, steps: int) -> tuple[int, list[Note], float]:
    """(position, original, bpm) of a saved state (Session.to_dict) whose history has `steps` steps,
    validated: raises ValueError / TypeError otherwise."""
    position = data["position"]
    if type(position) is not int or not -1 <= position < steps:
        raise ValueError(f"position {position!r} outside the history of {steps} step(s)")
    return position, notes_from_flat(data.get("original", [])), valid_bpm(data.get("bpm", 120.0))


class Session:
    """What one user edits: a clip, its original, undo/redo history.

    `to_dict` / `restore` give its persistent form; the engine process writes it (bridge/state.py)."""

    def __init__(self, editor: Editor):
        self.editor = editor
        self.original: list[Note] = []
        self.history: list[Snapshot] = []
        self.position = -1
        self.last_outcome: EditOutcome | None = None
        self.last_knob = 0                           # the attribute of the last one-knob edit (looked ahead first)
        self.edit_budget_s: float | None = None      # time budget of an edit worked out on demand (None: none)
        self.bpm = 120.0
        # What is derived from a snapshot (its attrs, its code under an editor), computed once:
        # snapshots never change once made.  id(snapshot) -> {"snap": snapshot, "attrs": ..., "code": ...}
        self._derived: dict[int, dict] = {}
        self._tables: list[dict] = []                # derived entries holding a lookahead table, oldest first
        self._original_flat: tuple = (None, [])      # (self.original, its flat list), for `state`

    # --- reading -----------------------------------------------------------------
    @property
    def schema(self) -> Schema:
        """The schema of the model at hand (its grid and knobs); an editor that names none (a stand-in
        in the tests) is a dMelodies one, as a model JSON without "schema" is."""
        return getattr(self.editor, "schema", None) or get_schema()

    @property
    def has_clip(self) -> bool:
        return self.position >= 0

    def current(self) -> Snapshot:
        if not self.has_clip:
            raise EditError("no clip yet: send one with /sentgen/clip/set or ask for /sentgen/random")
        return self.history[self.position]

    def notes(self) -> list[Note]:
        return self._notes_of(self.current()) if self.has_clip else []

    def _notes_of(self, snap: Snapshot) -> list[Note]:
        d = self._derived_of(snap)
        if "notes" not in d:
            d["notes"] = tuple(self.schema.tokens_to_notes(*snap.as_arrays()))
        return list(d["notes"])

    def attrs(self) -> np.ndarray:
        if not self.has_clip:
            return np.full(self.schema.num_knobs, -1, np.int64)
        return self._attrs_of(self.current()).copy()

    def _attrs_of(self, snap: Snapshot) -> np.ndarray:
        d = self._derived_of(snap)
        if "attrs" not in d:
            d["attrs"] = self.schema.parse(snap.as_arrays()[0])[0]
        return d["attrs"]

    def code(self) -> np.ndarray:
        """The current clip's latent code (the editor's posterior mean), encoded once per snapshot and model."""
        d = self._derived_of(self.current())
        if d.get("code") is None or d["code"][0] is not self.editor:
            d["code"] = (self.editor, self.editor.codec.encode(d["snap"].as_arrays()[0])[0])
        return d["code"][1]

    def prepare(self):
        """Work out what the next edit needs (the current code) ahead of time; the engine calls it when idle."""
        if self.has_clip:
            self.code()

    def lookahead(self, chunk: int = LOOKAHEAD_CHUNK, interrupt=None) -> bool:
        """Work out, a chunk of `chunk` edits per call, every one-knob edit of the current clip.

        The engine calls this while it has nothing else to do, so that a knob turn finds its verified
        edit ready (a lookup instead of about half a millisecond of model work).  `interrupt` is asked
        before every stage of the chunk's edits and between pieces of their refinement rounds (see
        Editor.edit_batch); when it says a request came, the step is given up (it adds nothing) and
        done again later, so a request waits for one small piece of model work at most.  The results
        are those `set_attrs` would compute (the same verified edit_batch, in batches).  Returns True
        while work is left for this clip.  The same work in two halves, for a caller that runs the
        edits elsewhere (the engine process's lookahead process): `lookahead_job`, then `lookahead_done`."""
        job = self.lookahead_job(chunk)
        if job is None:
            return False
        try:
            outcomes = self.editor.edit_many(job.tokens, job.targets, a0=job.a0, z0=job.z0, interrupt=interrupt,
                                             deadline=deadline_in(job.budget_s))
        except Interrupted:
            return True
        return self.lookahead_done(job, outcomes)

    def lookahead_job(self, chunk: int = LOOKAHEAD_CHUNK) -> "LookaheadJob | None":
        """The next chunk of one-knob edits of the current clip to work out (its clip, attributes, code and
        targets, for Editor.edit_many), or None when every one is done.  Nothing changes until
        `lookahead_done` hands the outcomes back.

        Two passes: first every turn in chunks of LOOKAHEAD_QUICK[0], each within LOOKAHEAD_QUICK[1] seconds
        (most turns are answered or refused in milliseconds, a few take seconds: without a budget one hard turn
        would hold back the easy ones after it); then the turns that ran out of time, in `chunk`s, with none."""
        if not self.has_clip:
            return None
        d = self._derived_of(self.current())
        ahead = d.get("ahead")
        if ahead is None or ahead["editor"] is not self.editor:
            a = self.attrs()
            # the turns a knob gives first (1-2 bins; NEAR_BINS), the last knob turned first among them; then the rest
            todo = [(k, v) for k in range(self.schema.num_knobs) for v in range(self.schema.counts[k]) if v != a[k]]
            steps = lambda k, v: abs(v - a[k]) if a[k] >= 0 else 0
            todo.sort(key=lambda kv: (steps(*kv) > NEAR_BINS, kv[0] != self.last_knob, steps(*kv)))
            ahead = d["ahead"] = {"editor": self.editor, "done": {}, "todo": todo, "again": []}
            d.pop("steps", None)                    # those of the old table's outcomes
            self._touch_table(d)
        quick = bool(ahead["todo"])
        queue = ahead["todo"] if quick else ahead["again"]
        if not queue:
            return None
        if quick:
            chunk = LOOKAHEAD_QUICK[0]
        if (self.attrs() < 0).any():
            chunk = 1         # a clip that does not parse: its edits may need the refinement rounds (ms each)
        return LookaheadJob(d["snap"], self.editor, tuple(queue[:chunk]), d["snap"].as_arrays()[0], self.attrs(),
                            self.code(), LOOKAHEAD_QUICK[1] if quick else None)

    def lookahead_done(self, job: "LookaheadJob", outcomes) -> bool:
        """Take the outcomes of `job` (from lookahead_job, in its order) into its clip's table, if that clip
        still keeps one for the same model; returns True while work is left for the current clip."""
        d = self._derived.get(id(job.snap))
        ahead = None if d is None or d["snap"] is not job.snap else d.get("ahead")
        if ahead is not None and ahead["editor"] is job.editor:
            done, again = ahead["done"], ahead["again"]
            for key, outcome in zip(job.part, outcomes):
                if outcome.out_of_time and job.budget_s is not None:       # the second pass works it out
                    if key not in done and key not in again:
                        again.append(key)
                else:
                    done.setdefault(key, outcome)
            ahead["todo"] = [key for key in ahead["todo"] if key not in done and key not in again]
            ahead["again"] = [key for key in again if key not in done]
        return self.lookahead_left()

    def lookahead_left(self) -> bool:
        """True while some one-knob edit of the current clip is not worked out yet."""
        if not self.has_clip:
            return False
        ahead = self._derived_of(self.current()).get("ahead")
        return ahead is None or ahead["editor"] is not self.editor or bool(ahead["todo"] or ahead["again"])

    def _looked_ahead(self, targets: dict[int, int]) -> EditOutcome | None:
        """The edit `lookahead` already made for these targets on the current clip, if any."""
        if len(targets) != 1:
            return None
        outcome = self.ready_edits().get(next(iter(targets.items())))
        if outcome is not None:
            self._touch_table(self._derived_of(self.current()))
        return outcome

    def _touch_table(self, d: dict):
        """Entry d's lookahead table is the newest (made or used); beyond LOOKAHEAD_CLIPS the least
        recently touched tables are dropped (not their clips).  Listed once, even after a model switch."""
        self._tables = [t for t in self._tables if t is not d] + [d]
        while len(self._tables) > LOOKAHEAD_CLIPS:
            dropped = self._tables.pop(0)
            dropped.pop("ahead", None)
            dropped.pop("steps", None)

    def _derived_of(self, snap: Snapshot) -> dict:
        d = self._derived.get(id(snap))
        if d is None or d["snap"] is not snap:
            if len(self._derived) > 2 * HISTORY_LIMIT:
                live = {id(s) for s in self.history}
                self._derived = {i: v for i, v in self._derived.items() if i in live}
            d = self._derived[id(snap)] = {"snap": snap}
        return d

    def attr_rows(self) -> list[tuple[str, int, str, float]]:
        """(name, index, label, normalised value) per attribute; -1, "invalid", -1.0 when it does not parse."""
        return self._rows_of(self.current()) if self.has_clip else list(_attr_rows(self.schema, self.attrs()))

    def _rows_of(self, snap: Snapshot) -> list:
        d = self._derived_of(snap)
        if "rows" not in d:
            d["rows"] = _attr_rows(self.schema, self._attrs_of(snap))
        return list(d["rows"])

    # --- changing ------------------------------------------------------------------
    def _append(self, snap: Snapshot):
        self.history, self.position = _appended(self.history, self.position, snap)

    def set_clip(self, notes) -> list[str]:
        """Load a user clip (a list of Notes or the flat protocol list); returns what the conversion changed."""
        if notes and not isinstance(notes[0], (Note, list, tuple)):
            notes = notes_from_flat(notes)
        conv = self.schema.notes_to_tokens(notes)
        self.original = self.schema.tokens_to_notes(conv.tokens, conv.velocities, conv.mutes)
        self._append(Snapshot.of(conv.tokens, conv.velocities, conv.mutes))
        return conv.changes

    def set_attrs(self, pairs, interrupt=None) -> EditOutcome:
        """Edit one or several attributes; raises EditError (state unchanged) when refused.

        The one edit of every surface (the engine's requests, `sentgen edit`).  Targets the clip
        already has change nothing: no model runs (it would only propose another melody with the
        same attributes), and the outcome is the current clip, method "unchanged", 0 candidates.
        interrupt: asked between the search's stages; True gives the edit up (Interrupted, state unchanged)."""
        targets = parse_targets(pairs, self.schema)
        current = self.attrs()
        if self.has_clip and all(current[k] == t for k, t in targets.items()):
            return EditOutcome(self.current().as_arrays()[0], True, current, ALREADY_THERE, 0, "unchanged")
        outcome = self._looked_ahead(targets)
        if outcome is None:
            tok = self.current().as_arrays()[0]
            outcome = self.editor.edit(tok, targets, a0=self.attrs(), z0=self.code(),
                                       deadline=deadline_in(self.edit_budget_s), interrupt=interrupt)
        return self.apply(targets, outcome)

    def apply(self, targets: dict[int, int], outcome: EditOutcome) -> EditOutcome:
        """Make a verified edit of the current clip its next step; raises EditError when it was refused."""
        if len(targets) == 1:
            self.last_knob = next(iter(targets))
        self.last_outcome = outcome
        if outcome.tokens is None:
            raise EditError(outcome.reason)
        if not np.array_equal(outcome.tokens, self.current().tokens):
            self._append(self.step_of(outcome, keep=False))
        return outcome

    def step_of(self, outcome: EditOutcome, keep: bool = True) -> Snapshot:
        """The history step `apply(outcome)` adds to the current clip (its expression carried over).

        Kept (keep=True, as `preview` does for a looked-ahead edit's reply) per outcome and clip, so
        applying it is an append, and turning the same knob again after an undo adds the same step,
        whose notes, rows and lookahead table are then still there."""
        steps = self._derived_of(self.current()).setdefault("steps", {})
        hit = steps.get(id(outcome))
        if hit is not None and hit[0] is outcome:
            return hit[1]
        snap = next_step(self.current(), outcome)
        return self.keep_step(outcome, snap) if keep else self._step_attrs(snap, outcome)

    def keep_step(self, outcome: EditOutcome, snap: Snapshot) -> Snapshot:
        """Keep `snap` as the step of `outcome` on the current clip (as step_of does; for a step made
        elsewhere by `next_step`, the engine's lookahead process)."""
        self._derived_of(self.current()).setdefault("steps", {})[id(outcome)] = (outcome, snap)
        return self._step_attrs(snap, outcome)

    def _step_attrs(self, snap: Snapshot, outcome: EditOutcome) -> Snapshot:
        self._derived_of(snap)["attrs"] = np.asarray(outcome.attrs, np.int64).copy()   # verified already
        return snap

    def preview(self, outcome: EditOutcome) -> tuple[list[Note], list]:
        """(notes, attr_rows) the session will show once `apply(outcome)` is done, without doing it."""
        snap = self.step_of(outcome)
        return self._notes_of(snap), self._rows_of(snap)

    def ready_edits(self) -> dict:
        """{(attribute, value): EditOutcome} that `lookahead` has worked out so far for the current clip."""
        if not self.has_clip:
            return {}
        ahead = self._derived_of(self.current()).get("ahead")
        return ahead["done"] if ahead is not None and ahead["editor"] is self.editor else {}

    def random(self, seed: int | None = None):
        tokens = self.editor.random(seed)
        vel = np.where(tokens >= 2, 100, 0)
        self.original = self.schema.tokens_to_notes(tokens)
        self._append(Snapshot.of(tokens, vel, np.zeros(self.schema.steps, np.int64)))

    def undo(self) -> bool:
        if self.position <= 0:
            return False
        self.position -= 1
        return True

    def redo(self) -> bool:
        if self.position >= len(self.history) - 1:
            return False
        self.position += 1
        return True

    def switch_model(self, editor: Editor) -> list[str]:
        """Edit with another model from now on.  A model of another family (schema) has another grid:
        the current clip's notes are converted to it and become a new clip (the history restarts, as
        the old steps do not fit the new grid); returns what that conversion changed."""
        old, notes = self.schema, self.notes()
        self.editor = editor
        if self.schema is old:
            return []
        return self._restart(notes)

    def _restart(self, notes) -> list[str]:
        """A new history on this model's grid holding `notes` (converted) alone, or nothing when there are none;
        returns what the conversion changed."""
        self.history, self.position, self._derived, self._tables = [], -1, {}, []
        self.last_knob, self.last_outcome = 0, None
        if not notes:
            return []
        return self.set_clip(notes)

    # --- persistence -----------------------------------------------------------------
    def to_dict(self, step: Snapshot | None = None) -> dict:
        """The persistent form; with `step`: that of the state once `step` is appended (as `apply` of the
        outcome whose step it is will do), without changing anything."""
        data = self.state(step)
        data["history"] = [s.__dict__ for s in data["history"]]
        data["original"] = list(data["original"])
        return data

    def state(self, step: Snapshot | None = None) -> dict:
        """`to_dict` without its per-step work, for the state file's journal (bridge/state.py): the history as
        a new list of the Snapshot objects themselves, the original's flat list shared (read it, never
        change it).  Only a list copy of the step references grows with the history."""
        history, position = self.history, self.position
        if step is not None:
            history, position = _appended(history, position, step)
        else:
            history = list(history)
        if self._original_flat[0] is not self.original:
            self._original_flat = (self.original, flat_from_notes(self.original))
        return {"version": 1, "model": self.editor.name, "schema": self.schema.name, "bpm": self.bpm, "position": position,
                "original": self._original_flat[1], "history": history}

    def restore(self, data: dict) -> list[str]:
        """Take over a saved state (validated first, so a bad file changes nothing).

        A state saved under a model of another family (`sentgen run --model folk`, then `--model s2`) is
        validated on its own grid, and its current clip is converted to this model's grid as a model
        switch does (the history restarts); returns what that conversion changed."""
        try:
            grid = get_schema(data.get("schema", "dmelodies"))
        except KeyError as e:
            raise ValueError(f"the saved session is on an unknown grid: {e}") from None
        history = [Snapshot.saved(s, grid) for s in data["history"]]
        position, original, bpm = check_saved_fields(data, len(history))
        if grid is self.schema:
            self.history, self.position, self.original, self.bpm = history, position, original, bpm
            return []
        self.bpm = bpm
        return self._restart(grid.tokens_to_notes(*history[position].as_arrays()) if position >= 0 else [])


def _appended(history: list, position: int, snap: Snapshot) -> tuple[list, int]:
    """(history, position) once `snap` is appended after `position`: redo steps dropped, at most
    HISTORY_LIMIT steps (the oldest goes)."""
    history = history[:position + 1] + [snap]
    if len(history) > HISTORY_LIMIT:
        del history[0]
    return history, len(history) - 1


def _attr_rows(schema: Schema, a) -> tuple:
    names, counts = schema.names, schema.counts
    return tuple((names[k], int(a[k]), schema.label_of(names[k], int(a[k])),
                  float(a[k] / (counts[k] - 1)) if a[k] >= 0 else -1.0) for k in range(len(names)))


def next_step(current: Snapshot, outcome: EditOutcome) -> Snapshot:
    """The history step an edit's outcome adds to clip `current`: its tokens, the clip's expression carried over."""
    tok, vel, mute = current.as_arrays()
    vel, mute = carry_expression(tok, vel, mute, outcome.tokens)
    return Snapshot.of(outcome.tokens, vel, mute)


def carry_expression(old_tokens, velocities, mutes, new_tokens):
    """Velocity and mute for an edited melody: kept per slot; new onsets take the clip's median velocity."""
    onset_vel = velocities[old_tokens >= 2].tolist()
    default = int(statistics.median(onset_vel)) if onset_vel else 100     # 16 values: faster than np.median
    new_on = new_tokens >= 2
    vel = np.where(new_on, np.where(velocities > 0, velocities, default), 0)
    mute = np.where(new_on, mutes, 0)
    return vel, mute
