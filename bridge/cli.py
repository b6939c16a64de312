"""The `sentgen` command line: one entry point for every job of the product."""
from __future__ import annotations

import argparse
import sys


def cmd_dataset(args):
    from training.dmelodies import summary
    print(summary(args.seed))


def cmd_train(args):
    if args.what == "vae":
        from training.train_vae import train_vae
        train_vae(args.model, arch=args.arch, epochs=args.epochs, seed=args.seed, device=args.device,
                  threads=args.threads, limit=args.limit)
    else:
        from training.train_traversal import train_traversal_cli
        train_traversal_cli(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sentgen", description="Semantic knobs for 2-bar MIDI clips.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("dataset", help="generate (or load) dMelodies and print a summary")
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=cmd_dataset)

    t = sub.add_parser("train", help="train a VAE or the traversal nets")
    t.add_argument("what", choices=["vae", "traversal"])
    t.add_argument("--model", default="s2")
    t.add_argument("--arch", default="fast", choices=["fast", "reference"])
    t.add_argument("--epochs", type=int, default=None)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="auto")
    t.add_argument("--threads", type=int, default=None)
    t.add_argument("--limit", type=int, default=None, help="train on the first N rows only (smoke runs)")
    t.add_argument("--attr", default=None, help="traversal: one attribute only")
    t.set_defaults(func=cmd_train)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, "epochs", 0) is None and args.command == "train":
        args.epochs = 6 if args.what == "vae" else 30
    try:
        return args.func(args) or 0
    except (ValueError, KeyError, TypeError, FileNotFoundError, RuntimeError) as e:
        print(f"sentgen {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
