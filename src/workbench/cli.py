"""The ``workbench`` command: parses arguments and calls one library function per verb."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_sample_command(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def _add_sample_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="write the sample department's canonical CSV files")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's)")
    p.set_defaults(func=_sample)


def _sample(args: argparse.Namespace) -> int:
    from workbench.sample import DEFAULT_SEED, write_sample

    seed = DEFAULT_SEED if args.seed is None else args.seed
    paths = write_sample(args.out, seed=seed)
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
