"""The ``workbench`` command: parses arguments and calls one library function per verb."""

from __future__ import annotations

import argparse
import sys

from workbench.data.coverage import DEFAULT_MAX_LOSS
from workbench.i18n import LANGUAGES

__all__ = ["EXIT_CODES", "main"]

#: The exit statuses of every verb (also in docs/operations.md and each verb's --help).
EXIT_CODES = """exit status:
  0    all done
  1    some reports failed (the others are written; see run_summary.json, run.log)
  2    usage, data or output error (one line on stderr names the file and the cause)
  3    a data guard tripped (too much of a table would be set aside)
  75   the output folder is locked by another run (wait, or pass --wait)
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM: finished reports are kept
"""


def _add_lang(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=None, help=help)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with 2 and print the exit-code table under --help."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_check_command(sub)
    _add_report_command(sub)
    _add_sample_command(sub)
    _add_notebooks_command(sub)
    _add_definitions_command(sub)
    _add_send_command(sub)
    _add_month_command(sub)
    _add_cases_command(sub)
    args = parser.parse_args(argv)
    from workbench.files import OutputError

    try:
        return args.func(args)
    except OutputError as exc:  # any verb: an output folder or file that cannot be written
        print(f"workbench {args.command}: error: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted", file=sys.stderr)
        return 130


def _add_check_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="load an export and print its data health, coverage and managers",
        description="Load an export and print its data health, coverage and managers. "
        "Exit status 0: it passed; 2: it cannot be read as mapped; 3: a data guard tripped "
        "(a table lost more than --max-loss of its rows).",
    )
    p.add_argument("--data", required=True, help="source folder or file")
    p.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument(
        "--max-loss",
        type=float,
        default=DEFAULT_MAX_LOSS,
        help=f"largest share of a table's rows that may be set aside (default {DEFAULT_MAX_LOSS})",
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
        description="Render every manager's report for a period into <out>/<period>/ "
        "(index.html, run_summary.json, run.log, one folder per manager). One run per output "
        "folder at a time; Ctrl-C or SIGTERM stops it within seconds, keeping the reports "
        "already finished (a rerun completes them from the cache).",
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
    p.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="render on a Dask distributed cluster: tcp://scheduler:8786, or local:N for N "
        "Dask worker processes here (needs sales-workbench[cluster]; see docs/scaling.md)",
    )
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--force", action="store_true", help="re-render cached reports too")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument("--as-of", default=None, help="ISO instant (default: end of data)")
    p.add_argument("--no-overview", action="store_true", help="skip the team overview")
    p.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds one notebook cell may run (default 300)",
    )
    p.add_argument(
        "--report-timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds one whole report may run (default 900)",
    )
    p.add_argument(
        "--wait", action="store_true", help="wait while another run holds --out (else exit 75)"
    )
    p.add_argument(
        "--template", default=None, help="a customised report template (default: the packaged one)"
    )
    _add_lang(p, "language of the pages (default: the mapping's `language:`, else en)")
    p.add_argument(
        "--max-loss",
        type=float,
        default=DEFAULT_MAX_LOSS,
        help=f"largest share of a table's rows that may be set aside (default {DEFAULT_MAX_LOSS})",
    )
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from workbench.data.coverage import DataGuardError
    from workbench.errors import WorkbenchError
    from workbench.files import OutputError, OutputLockedError
    from workbench.reports.runner import (
        CELL_TIMEOUT_S,
        REPORT_TIMEOUT_S,
        TEMPLATE,
        BatchInterrupted,
        render_reports,
    )
    from workbench.reports.stopping import exit_status

    for name in ("cell_timeout", "report_timeout"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            print(
                f"workbench report: error: --{name.replace('_', '-')} must be > 0", file=sys.stderr
            )
            return 2
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
            template=args.template or TEMPLATE,
            cell_timeout=args.cell_timeout or CELL_TIMEOUT_S,
            report_timeout=args.report_timeout or REPORT_TIMEOUT_S,
            wait=args.wait,
            max_loss=args.max_loss,
            cluster=args.cluster,
            lang=args.lang or "",
        )
    except OutputLockedError as exc:
        print(f"workbench report: {exc}", file=sys.stderr)
        return 75
    except OutputError:
        raise  # main() prints it: exit 2
    except BatchInterrupted as exc:
        print(f"workbench report: {exc} before any report was rendered", file=sys.stderr)
        return exit_status(exc.signum)
    except DataGuardError as exc:
        print(f"workbench report: data guard: {exc}", file=sys.stderr)
        return 3
    except (WorkbenchError, FileNotFoundError, ValueError) as exc:
        print(f"workbench report: error: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{n} {s}" for s, n in summary.counts.items())
    if summary.overview is not None:
        counts += f"; team overview {summary.overview.status}"
    print(f"{counts}; index: {summary.out_dir / 'index.html'}")
    if summary.interrupted:
        return exit_status(summary.interrupted)
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


def _add_send_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "send",
        help="e-mail every manager their own report of a period (heads: index and overview)",
        description="Exit status: 0 everything sent (or already sent), 1 a message failed, "
        "was stopped by a check or is unknown (check the mailbox), 2 usage, data or output "
        "error (nothing sent), 75 the output folder is locked by another run.",
    )
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--period", required=True, help="period folder, e.g. 2026-10")
    p.add_argument("--dry-run", action="store_true", help="write .eml files to outbox/ only")
    p.add_argument("--managers", nargs="+", default=None, help="only these roster names")
    p.add_argument("--test-to", default=None, metavar="ADDRESS", help="send everything here")
    p.add_argument("--pdf", action="store_true", help="attach a PDF of each report too")
    p.add_argument(
        "--resend-changed", action="store_true", help="resend reports changed since sent"
    )
    p.add_argument(
        "--resend", nargs="+", default=[], metavar="NAME", help="send these again, whatever"
    )
    p.add_argument("--smtp-config", default=None, help="SMTP settings file (.toml or .yaml)")
    p.add_argument("--data", default=None, help="export to read the roster from (fallback)")
    p.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument("--wait", action="store_true", help="wait for a run holding the folder")
    _add_lang(p, "language of the messages: the batch's own (the default; another is an error)")
    p.set_defaults(func=_send)


def _send(args: argparse.Namespace) -> int:
    from workbench.delivery import send_reports
    from workbench.errors import WorkbenchError
    from workbench.files import OutputLockedError

    try:
        result = send_reports(
            args.out,
            args.period,
            dry_run=args.dry_run,
            managers=args.managers,
            test_to=args.test_to,
            pdf=args.pdf,
            resend_changed=args.resend_changed,
            resend=args.resend,
            smtp_config=args.smtp_config,
            data=args.data,
            mapping=args.mapping,
            tz=args.tz,
            wait=args.wait,
            lang=args.lang or "",
        )
    except OutputLockedError as exc:
        print(f"workbench send: {exc}", file=sys.stderr)
        return 75
    except (WorkbenchError, OSError, ValueError) as exc:
        print(f"workbench send: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(result.text())
    return result.exit_code


def _add_month_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "month",
        help="the monthly run: check the export, render the latest full month, send it",
        description="Runs `check`, `report --latest-month` and `send` in turn. Stops at a "
        "check that fails (its status: 2 or 3) and at a report or send error (2, 75); "
        "otherwise exit status 1 when a report or a message failed, else 0.",
    )
    p.add_argument("--data", required=True, help="source folder or file")
    p.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument(
        "--cluster", default=None, metavar="ADDRESS", help="as `workbench report --cluster`"
    )
    p.add_argument(
        "--max-loss",
        type=float,
        default=None,
        help=f"as `workbench check --max-loss` (default {DEFAULT_MAX_LOSS}), for both steps",
    )
    p.add_argument("--smtp-config", default=None, help="SMTP settings file (.toml or .yaml)")
    p.add_argument("--pdf", action="store_true", help="attach a PDF of each report too")
    p.add_argument("--dry-run", action="store_true", help="write .eml files, send nothing")
    _add_lang(p, "language of the pages and messages (default: the mapping's `language:`, else en)")
    p.set_defaults(func=_month)


def _month(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    common = ["--data", args.data] + (["--mapping", args.mapping] if args.mapping else [])
    common += ["--tz", args.tz] if args.tz else []
    guard = ["--max-loss", str(args.max_loss)] if args.max_loss is not None else []
    print("workbench month: 1/3 check", flush=True)
    status = main(["check", *common, *guard])
    if status != 0:
        print(f"workbench month: check failed (status {status}); nothing rendered or sent")
        return status
    print("workbench month: 2/3 report (latest full month)", flush=True)
    began = time.time()
    report = ["report", *common, "--latest-month", "--out", args.out]
    report += ["--jobs", str(args.jobs)] if args.jobs else []
    report += ["--cluster", args.cluster] if args.cluster else []
    report += ["--lang", args.lang] if args.lang else []
    report_status = main([*report, *guard])
    if report_status not in (0, 1):
        print(f"workbench month: report failed (status {report_status}); nothing sent")
        return report_status
    written = [
        p.parent
        for p in Path(args.out).glob("*/run_summary.json")
        if p.stat().st_mtime >= began - 1
    ]
    if len(written) != 1:
        print("workbench month: cannot tell which period the report step wrote; nothing sent")
        return 2
    print(f"workbench month: 3/3 send {written[0].name}", flush=True)
    send = ["send", "--out", args.out, "--period", written[0].name, *common]
    send += ["--smtp-config", args.smtp_config] if args.smtp_config else []
    send += ["--pdf"] if args.pdf else []
    send += ["--dry-run"] if args.dry_run else []
    send += ["--lang", args.lang] if args.lang else []
    send_status = main(send)
    if send_status not in (0, 1):
        return send_status
    return max(report_status, send_status)


def _add_cases_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cases",
        help="render a case study for every KPI change in the targets table, and an index",
        description="Render one case study for every KPI change of the targets table "
        "(manager x metric x change date; a '*' target: one case for the pooled team) into "
        "<out>/cases/ with the coaches' index (cases/index.html). A change with fewer than 3 "
        "months of data before it is listed as skipped, with the reason.",
    )
    p.add_argument("--data", required=True, help="source folder or file")
    p.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    p.add_argument("--tz", default=None, help="business time zone")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument(
        "--lang", default="", help="language of the pages: en or ru (default: the mapping's)"
    )
    p.add_argument("--force", action="store_true", help="re-render cached cases too")
    p.add_argument("--wait", action="store_true", help="wait while another run holds --out")
    p.add_argument(
        "--max-loss",
        type=float,
        default=DEFAULT_MAX_LOSS,
        help=f"largest share of a table's rows that may be set aside (default {DEFAULT_MAX_LOSS})",
    )
    p.set_defaults(func=_cases)


def _cases(args: argparse.Namespace) -> int:
    from workbench.data.coverage import DataGuardError
    from workbench.errors import WorkbenchError
    from workbench.files import OutputError, OutputLockedError
    from workbench.reports.case_batch import render_cases
    from workbench.reports.stopping import BatchInterrupted, exit_status

    try:
        run = render_cases(
            args.data,
            mapping=args.mapping,
            tz=args.tz,
            out=args.out,
            jobs=args.jobs,
            lang=args.lang,
            force=args.force,
            wait=args.wait,
            max_loss=args.max_loss,
        )
    except OutputLockedError as exc:
        print(f"workbench cases: {exc}", file=sys.stderr)
        return 75
    except OutputError:
        raise  # main() prints it: exit 2
    except BatchInterrupted as exc:
        print(f"workbench cases: {exc} before any case was rendered", file=sys.stderr)
        return exit_status(exc.signum)
    except DataGuardError as exc:
        print(f"workbench cases: data guard: {exc}", file=sys.stderr)
        return 3
    except (WorkbenchError, FileNotFoundError, ValueError) as exc:
        print(f"workbench cases: error: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{n} {s}" for s, n in run.counts.items())
    print(f"{counts}; index: {run.out_dir / 'index.html'}")
    if run.interrupted:
        return exit_status(run.interrupted)
    return 0 if run.ok else 1


if __name__ == "__main__":
    sys.exit(main())
