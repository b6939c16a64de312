"""The `sentgen` command line: one entry point for every job of the product."""
from __future__ import annotations

import argparse
import os
import signal
import sys


def cmd_dataset(args):
    if args.family in ("folk", "heldout"):
        try:
            import music21  # noqa: F401  (only the folk data needs it; the engine never does)
        except ImportError:
            raise RuntimeError(f"the {args.family} data needs music21 (Python >= 3.11): "
                               f"pip install -e \".[folk]\"") from None
        if args.family == "heldout":       # the folk family's held-out clips, written to training/heldout/
            from training.heldout import summary
            print(summary(args.seed))
            return
        from training.folk_data import summary
        print(summary(args.seed, two_four=args.two_four))
        return
    from training.dmelodies import summary
    print(summary(args.seed))


def cmd_train(args):
    if args.what == "vae":
        from training.train_vae import train_vae
        train_vae(args.model, arch=args.arch, epochs=args.epochs, seed=args.seed, device=args.device,
                  threads=args.threads, limit=args.limit, family=args.family, regulariser=args.regulariser,
                  out=args.out)
    elif args.what == "prior":
        from training.train_vae import train_prior
        train_prior(args.model, seed=args.seed)
    else:
        from training.train_traversal import train_traversal_cli
        train_traversal_cli(args)


def cmd_attrs(args):
    from engine.clip import read_midi
    from engine.schema import get_schema
    g = get_schema(args.schema)
    notes, _ = read_midi(args.file)
    conv = g.notes_to_tokens(notes)
    for change in conv.changes:
        print(f"changed: {change}")
    print("tokens:", " ".join(str(int(t)) for t in conv.tokens))
    for name, i in zip(g.names, g.parse(conv.tokens)[0]):
        print(f"{name}: {g.label_of(name, int(i))} (index {int(i)}, value {g.value_of_index(name, int(i)):.3f})")


def positive_ms(text: str) -> float:
    """An argparse type: a time in milliseconds, > 0 and finite."""
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of milliseconds, got {text!r}")
    return value


def cmd_bench(args):
    # numpy's BLAS on one thread, as in the engine (native_threads), so the in-process edit figures
    # are what the engine pays; torch keeps its threads (the decode throughput figure says how many)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from training.bench import run
    run(args.what, model=args.model, edit_budget_ms=args.edit_budget_ms)


def cmd_evaluate(args):
    from training import evaluate
    names = ["beta", "ar", "i", "s2"] if args.model == "all" else [args.model]
    for name in names:
        if args.report:
            break
        if not args.vae_only and _family(name) == "folk":
            from training.evaluate_folk import evaluate_folk
            r = evaluate_folk(name, args.max_rows, args.seed, args.out, budget=args.budget, source=args.source,
                              write_docs=args.out is None)      # --out: a comparison run leaves docs/ alone
            print(f"{name}: {r['test_windows']:,} {args.source} clips in {r['seconds']['total']:.1f} s")
            for method, per in r["methods"].items():
                o = per["overall"]
                print(f"  {method:<26} target reached {o['target_reached']:.3f}, others kept {o['others_kept']:.3f}, "
                      f"notes kept (median) {o['notes_kept_median']:.3f}, {o['turns']:,} turns")
            continue
        if args.source != "test":
            raise ValueError("--source applies to folk models (their held-out clips); dMelodies models are "
                             "evaluated on their test pairs")
        if args.vae_only:
            r = evaluate.evaluate_vae(name, samples=args.samples, seed=args.seed)
            print(f"{name}: token accuracy {r['token_accuracy']:.5f}, exact melodies {r['melody_accuracy']:.5f}; "
                  f"LDR N(0,I) " + " ".join(f"{v:.2f}" for v in r["ldr_normal"]))
        else:
            r = evaluate.evaluate_edits(name, args.max_pairs, args.seed, args.out, budget=args.budget)
            print(f"{name}: {r['pairs']:,} test pairs in {r['seconds']['total']:.1f} s")
            for a, m in r["attributes"].items():
                v = r["methods"].get("verified", {}).get(a, {})
                print(f"  {a:<12} SeNT dev {m['target_deviation']:.3f} TDR {m['tdr']:.3f} R2 {m['r2']:.3f} "
                      f"exact {m['exact']:.3f} | verified exact {v.get('exact', float('nan')):.3f}")
    print(f"wrote {evaluate.write_results_md()}")


def _family(name) -> str:
    """The model family (its schema's name) of a model name or path."""
    from engine.models import load_model
    return load_model(name, "cpu").schema.name


def cmd_grid(args):
    # Ray is imported here and only here: the engine (serve, run, edit) never needs it
    from training import grid
    if args.action == "run":
        try:
            import ray  # noqa: F401
        except ModuleNotFoundError:
            raise RuntimeError("sentgen grid needs Ray: pip install 'sentgen[grid]' (or pip install 'ray[default]')")
        cfg = grid.load_config(args.target)

        def stop(signum, frame):    # SIGTERM (kill, a SLURM job's end) stops like Ctrl-C: Ray is shut down
            raise KeyboardInterrupt
        before = signal.signal(signal.SIGTERM, stop)
        try:
            status = grid.run_grid(cfg, address=args.address, num_cpus=args.num_cpus, out=args.out)
        except KeyboardInterrupt:
            print("grid: interrupted; the same command resumes (finished cells are kept, the others resume "
                  "from their checkpoints)", file=sys.stderr)
            return 130
        finally:
            signal.signal(signal.SIGTERM, before)
        return 1 if any(v["status"] == "failed" for v in status.values()) else 0
    from training import grid_report
    print(grid_report.report(args.target, docs=args.docs))


def cmd_panel(args):
    from ui.panel import run_panel
    from bridge.engine_process import token_from_env
    return run_panel(args.engine, args.screenshot, args.timeout, args.listen_port, token_from_env(args.token))


def native_threads(threads: int):
    """The engine's thread count for numpy's BLAS too (OpenBLAS starts one thread per core): set before
    numpy is first imported, which the engine commands do after this.  A single edit's matrices are
    small; a lookahead chunk's and a refinement round's are big enough for OpenBLAS to split them,
    and then its threads wait on each other whenever another process holds a core (a decode of 8
    codes took 0.3 ms on one thread, up to 140 ms on two, on a loaded 2-core machine).  A variable
    the user has set is kept."""
    if threads:
        for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(var, str(threads))


def cmd_serve(args):
    native_threads(args.threads)
    from bridge.engine_process import EngineOptions, serve, token_from_env
    return serve(EngineOptions(args.host, args.port, args.model, args.device, args.midi, args.midi_map, args.state_dir,
                               threads=args.threads, lookahead=not args.no_lookahead,
                               token=token_from_env(args.token), export_dir=args.export_dir,
                               edit_budget_ms=args.edit_budget_ms))


def cmd_run(args):
    native_threads(1)                     # EngineOptions.threads, which `run` uses (numpy is not loaded yet)
    from bridge.engine_process import run
    return run(args.model)


def cmd_edit(args):
    from bridge.offline import edit_file
    print(edit_file(args.input, args.set, args.output, args.model, args.device))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sentgen", description="Semantic knobs for 2-bar MIDI clips.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("dataset", help="build (or load) a model family's data and print a summary")
    d.add_argument("--family", default="dmelodies", choices=["dmelodies", "folk", "heldout"],
                   help="dmelodies (generated), folk (music21's corpus: parsed once, cached) or heldout (the "
                   "folk family's held-out clips: rewrites training/heldout/)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--two-four", action="store_true", help="folk: also pair 2/4 bars into 4/4 windows")
    d.set_defaults(func=cmd_dataset)

    t = sub.add_parser("train", help="train a VAE, its prior bank (where Random samples) or the traversal nets")
    t.add_argument("what", choices=["vae", "prior", "traversal"])
    t.add_argument("--model", default=None, help="dMelodies: the regulariser (beta, ar, i, s2; default s2); "
                   "folk: the weights' name (default folk)")
    t.add_argument("--family", default="dmelodies", choices=["dmelodies", "folk"],
                   help="vae: the model family to train (folk: music21's folk collections, pip install -e \".[folk]\")")
    t.add_argument("--regulariser", default=None, choices=["beta", "ar", "i", "s2"],
                   help="vae, folk family: the regulariser (default s2)")
    t.add_argument("--arch", default="fast", choices=["fast", "reference"])
    t.add_argument("--epochs", type=int, default=None)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="auto")
    t.add_argument("--threads", type=int, default=None)
    t.add_argument("--limit", type=int, default=None, help="train on the first N rows only (smoke runs)")
    t.add_argument("--out", default=None, help="vae: the weights' path (default models/NAME.safetensors); "
                   "comparison runs go outside models/ (`--model PATH` then names them)")
    t.add_argument("--attr", default=None, help="traversal: one attribute only")
    t.add_argument("--epsilon", type=float, default=0.0, help="traversal: pair tolerance on other attributes")
    t.add_argument("--gamma", type=int, default=3, help="traversal: number of relevant dims")
    t.add_argument("--lc", default=None, choices=["decoder", "surrogate"],
                   help="traversal: L_c gradient (default decoder; surrogate for a folk model, whose pairs are "
                   "different tunes: the decoder gradient would pull the clip towards its partner)")
    t.add_argument("--pairs", default="tunes", choices=["tunes", "search"],
                   help="traversal: SeNT-Gen's pairs of candidates (tunes), or each candidate with the verified search's "
                   "edit of it (search: folk; training/search_pairs.py)")
    t.add_argument("--per-knob", type=int, default=2000, help="traversal --pairs search: turns searched per knob")
    t.add_argument("--width", type=int, default=8, help="traversal: hidden width in multiples of the latent size "
                   "(2 = the reference's 10,528-parameter net)")
    t.set_defaults(func=cmd_train)

    a = sub.add_parser("attrs", help="read a .mid clip and print its tokens and knobs (dMelodies: nine attributes)")
    a.add_argument("file", help="a .mid file (the first 2 bars are used)")
    a.add_argument("--schema", default="dmelodies", help="the model family whose grid and knobs to read (dmelodies, folk)")
    a.set_defaults(func=cmd_attrs)

    b = sub.add_parser("bench", help="measure the speed figures (median of 3 runs)")
    b.add_argument("what", nargs="*", default=["all"], help="figures to run: all (default) or names from "
                   "training.bench.FIGURES")
    b.add_argument("--model", default=None, help="latency: the model to serve (default s2); a folk model (folk) is "
                   "measured on the held-out real clips (first turn after loading a clip, later turns); budgets: "
                   "the folk model to time (default folk)")
    b.add_argument("--edit-budget-ms", type=positive_ms, default=None, metavar="MS",
                   help="latency of a folk model: serve with this edit time budget (sentgen serve --edit-budget-ms); "
                   "budgets: time this budget too")
    b.set_defaults(func=cmd_bench)

    e = sub.add_parser("evaluate", help="measure a model against the paper (writes docs/results)")
    e.add_argument("--model", default="s2", help="beta, ar, i, s2, all, or a folk model (folk)")
    e.add_argument("--source", default="test", choices=["test", "heldout"],
                   help="folk: the test tunes of the four collections, or the held-out clips of training/heldout/")
    e.add_argument("--max-rows", type=int, default=600, help="folk: a seeded sample of that many clips (0: all)")
    e.add_argument("--vae-only", action="store_true", help="reconstruction, LDR and MI of the VAE")
    e.add_argument("--max-pairs", type=int, default=None, help="test pairs per attribute (default: all)")
    e.add_argument("--budget", type=int, default=64, help="verified edits: most candidates per refinement round")
    e.add_argument("--samples", type=int, default=100_000, help="LDR samples")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--out", default=None, help="JSON output file (folk: docs/results is then left as it is: comparison runs)")
    e.add_argument("--report", action="store_true", help="only regenerate docs/results.md")
    e.set_defaults(func=cmd_evaluate)
    g = sub.add_parser("grid", help="the paper's grid of VAEs x settings x seeds on Ray (docs/grid.md)")
    g.add_argument("action", choices=["run", "report"], help="run CONFIG.toml, or report DIR")
    g.add_argument("target", help="run: a grid file (training/grids/paper.toml); report: the grid's output directory")
    g.add_argument("--address", default=None, help="run: a Ray cluster (auto, ray://HOST:10001); default: "
                   "RAY_ADDRESS, else a local Ray on this machine")
    g.add_argument("--num-cpus", type=int, default=None, help="run: CPUs of the local Ray (default: all)")
    g.add_argument("--out", default=None, help="run: output directory (default: the grid file's 'out')")
    g.add_argument("--docs", action="store_true", help="report: write the figures and the section into "
                   "docs/results/grid/ and regenerate docs/results.md")
    g.set_defaults(func=cmd_grid)
    pn = sub.add_parser("panel", help="the knob panel: a Qt window, client of a running engine over OSC")
    pn.add_argument("--engine", default="127.0.0.1:9000", metavar="HOST:PORT", help="the engine's OSC address")
    pn.add_argument("--screenshot", metavar="PATH", help="connect, wait for the state, save the window as PNG, exit")
    pn.add_argument("--timeout", type=float, default=5.0, help="--screenshot: seconds to wait for the engine")
    pn.add_argument("--listen-port", type=int, default=0, help="the panel's UDP port for replies (default: any)")
    pn.add_argument("--token", default=None, help="the engine's token (default: SENTGEN_TOKEN; docs/protocol.md)")
    pn.set_defaults(func=cmd_panel)
    sv = sub.add_parser("serve", help="the realtime engine: OSC on UDP (docs/protocol.md) and MIDI ports (docs/midi.md)")
    sv.add_argument("--host", default="127.0.0.1", help="listen address (beyond loopback only when you ask)")
    sv.add_argument("--port", type=int, default=9000, help="UDP port (0: any free port, printed)")
    sv.add_argument("--model", default=None, help="model name or .safetensors path (default: the saved session's, else s2)")
    sv.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    sv.add_argument("--midi", default="auto", choices=["auto", "none", "jack", "alsa", "coremidi", "windows"])
    sv.add_argument("--midi-map", default=None, metavar="FILE", help="TOML CC mapping (default: CC 20..28)")
    sv.add_argument("--state-dir", default=None, metavar="DIR", help="session file and exports (default: platformdirs)")
    sv.add_argument("--export-dir", default=None, metavar="DIR",
                    help="where /sentgen/export/midi writes (default: STATE_DIR/export)")
    sv.add_argument("--threads", type=int, default=1, help="torch and BLAS CPU threads for inference (default 1: lowest latency)")
    sv.add_argument("--token", default=None, help="a shared token that surfaces send (/sentgen/auth) before any "
                    "request that changes state; required with a --host beyond loopback (default: SENTGEN_TOKEN)")
    sv.add_argument("--no-lookahead", action="store_true",
                    help="do not work out one-knob edits while idle (less CPU; each knob turn computed on demand)")
    sv.add_argument("--edit-budget-ms", type=positive_ms, default=None, metavar="MS",
                    help="answer a knob turn that was not looked ahead within about MS ms: the best exact edit found "
                    "by then, else a refusal that says so (default: search to the end; folk: see docs/folk.md)")
    sv.set_defaults(func=cmd_serve)
    rn = sub.add_parser("run", help="start the engine (the saved session's model, else the shipped default) and "
                        "the panel, and print how to connect")
    rn.add_argument("--model", default=None, help="model name or .safetensors path, e.g. folk (default: the saved "
                    "session's, else s2); `make run MODEL=folk`")
    rn.set_defaults(func=cmd_run)
    ed = sub.add_parser("edit", help="edit a .mid file offline: sentgen edit IN.mid --set NAME=VALUE -o OUT.mid (sentgen attrs --schema lists the knobs)")
    ed.add_argument("input", help="the clip to edit (.mid, first 2 bars)")
    ed.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a target: label or number in [0,1]")
    ed.add_argument("-o", "--output", required=True, help="where to write the edited .mid")
    ed.add_argument("--model", default="s2")
    ed.add_argument("--device", default="auto")
    ed.set_defaults(func=cmd_edit)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "train":
        from training.train_vae import FAMILIES
        fam = FAMILIES[args.family]
        args.model = args.model or fam.get("name", "s2")
        if args.epochs is None:
            args.epochs = fam.get("epochs", 6) if args.what == "vae" else fam.get("traversal_epochs", 8)
    try:
        return args.func(args) or 0
    except (ValueError, KeyError, TypeError, OSError, RuntimeError) as e:   # OSError: e.g. -o not writable
        print(f"sentgen {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
