"""The ``workbench`` command: parses arguments and calls one library function per verb."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_check_command(sub)
    _add_report_command(sub)
    _add_sample_command(sub)
    _add_notebooks_command(sub)
    _add_definitions_command(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def _add_check_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="load an export and print its data health, coverage and managers",
        description="Exit status: 0 the export passed, 2 it cannot be read as mapped, "
        "3 a data guard tripped (a table lost more than --max-loss of its rows).",
    )
    p.add_argument("--data", required=True, help="source folder or file")
    p.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument(
        "--max-loss",
        type=float,
        default=0.10,
        help="largest share of a table's rows that may be set aside (default 0.10)",
    )
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from workbench.data.check import check_export
    from workbench.errors import WorkbenchError
    from workbench.metrics.kpi import KPI_METRICS

    try:
        report = check_export(
            args.data, mapping=args.mapping, tz=args.tz, max_loss=args.max_loss,
            metrics=KPI_METRICS,
        )  # fmt: skip
    except (WorkbenchError, FileNotFoundError, ValueError) as exc:
        print(f"workbench check: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(report.text())
    return 0 if report.ok else 3


def _add_report_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="render every manager's report for a period",
        description="Exit status: 0 every report rendered, 1 a report failed, 2 bad "
        "arguments or a period outside the data, 3 a data guard tripped (a table lost more "
        "than --max-loss of its rows).",
    )
    p.add_argument("--data", required=True, help="source folder or file")
    p.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--from", dest="period_from", metavar="DATE", help="first day (ISO)")
    when.add_argument("--latest-month", action="store_true", help="latest full month in data")
    p.add_argument("--to", dest="period_to", metavar="DATE", help="last day, inclusive (ISO)")
    p.add_argument(
        "--managers", nargs="+", default=None, help="default: everyone who gets a report"
    )
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--force", action="store_true", help="re-render cached reports too")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument("--as-of", default=None, help="ISO instant (default: end of data)")
    p.add_argument("--no-overview", action="store_true", help="skip the team overview")
    p.add_argument(
        "--max-loss",
        type=float,
        default=0.10,
        help="largest share of a table's rows that may be set aside (default 0.10)",
    )
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from workbench.data.coverage import DataGuardError
    from workbench.reports.runner import ParameterError, render_reports

    try:
        summary = render_reports(
            args.data,
            mapping=args.mapping,
            period_from=args.period_from,
            period_to=args.period_to,
            latest_month=args.latest_month,
            managers=args.managers,
            jobs=args.jobs,
            out=args.out,
            force=args.force,
            tz=args.tz,
            as_of=args.as_of,
            overview=not args.no_overview,
            max_loss=args.max_loss,
        )
    except DataGuardError as exc:
        print(f"workbench report: {exc}", file=sys.stderr)
        return 3
    except (ParameterError, FileNotFoundError, ValueError) as exc:
        print(f"workbench report: error: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{n} {s}" for s, n in summary.counts.items())
    if summary.overview is not None:
        counts += f"; team overview {summary.overview.status}"
    print(f"{counts}; index: {summary.out_dir / 'index.html'}")
    return 0 if summary.ok else 1


def _add_sample_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="write the sample department's canonical CSV files")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's)")
    p.set_defaults(func=_sample)


def _sample(args: argparse.Namespace) -> int:
    from workbench.data.sample import DEFAULT_SEED, write_sample

    seed = DEFAULT_SEED if args.seed is None else args.seed
    paths = write_sample(args.out, seed=seed)
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


def _add_notebooks_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notebooks", help="re-execute the committed notebooks in place")
    p.add_argument("paths", nargs="*", help="notebooks (default: all under notebooks/)")
    p.set_defaults(func=_notebooks)


def _notebooks(args: argparse.Namespace) -> int:
    from workbench.reports.notebooks import refresh_notebooks

    for path in refresh_notebooks(args.paths):
        print(f"executed {path}")
    return 0


def _add_definitions_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("definitions", help="write every metric definition as Markdown")
    p.add_argument("--out", default=None, help="file to write (default: standard output)")
    p.set_defaults(func=_definitions)


def _definitions(args: argparse.Namespace) -> int:
    from pathlib import Path

    from workbench.catalogue import definitions_markdown

    text = definitions_markdown()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
