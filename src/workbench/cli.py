"""The ``workbench`` command: parses arguments and calls one library function per verb."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from workbench.data.coverage import DEFAULT_MAX_LOSS
from workbench.i18n import LANGUAGES

__all__ = ["EXIT_CODES", "build_parser", "main"]

#: The exit statuses of every verb (also in docs/operations.md and each verb's --help).
EXIT_CODES = """exit status:
  0    all done
  1    some reports failed (the others are written; see run_summary.json, run.log)
  2    usage, data or output error (one line on stderr names the file and the cause)
  3    a data guard tripped (too much of a table would be set aside)
  75   the output folder is locked by another run (wait, or pass --wait)
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM: finished reports are kept
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with 2 and print the exit-code table under --help."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The ``workbench`` parser with every verb (``main`` parses with it)."""
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from workbench.files import OutputError

    try:
        return args.func(args)
    except OutputError as exc:  # any verb: an output folder or file that cannot be written
        print(f"workbench {args.command}: error: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted", file=sys.stderr)
        return 130


# --- the options several verbs share: each declared once, here ---------------------------------


def _seconds(text: str) -> float:
    """A positive number of seconds (argparse type: anything else is a usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _add_data_args(
    p: argparse.ArgumentParser, *, required: bool = True, guard: bool = True, about: str = ""
) -> None:
    """The export: ``--data``, ``--mapping``, ``--tz`` and (``guard``) ``--max-loss``.

    ``about`` says what the verb reads the export for when it is not obvious (``send``).
    """
    g = p.add_argument_group("the export", about or None)
    g.add_argument("--data", required=required, help="source folder or file")
    g.add_argument("--mapping", default=None, help="mapping preset or YAML file")
    g.add_argument(
        "--tz", default=None, help="business time zone (default: the mapping's, else UTC)"
    )
    if guard:
        g.add_argument(
            "--max-loss",
            type=float,
            default=DEFAULT_MAX_LOSS,
            help="largest share of a table's rows that may be set aside "
            f"(default {DEFAULT_MAX_LOSS})",
        )


def _add_output_args(p: argparse.ArgumentParser) -> None:
    """Where a batch is and in which language: ``--out``, ``--wait``, ``--lang``."""
    g = p.add_argument_group("output")
    g.add_argument("--out", default="reports", help="output folder (default: reports)")
    g.add_argument(
        "--wait", action="store_true", help="wait while another run holds --out (else exit 75)"
    )
    g.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the pages and e-mails (default: the mapping's `language:`, else "
        "en; `send` keeps the batch's own)",
    )


def _add_batch_args(p: argparse.ArgumentParser) -> None:
    """How a batch renders: ``--jobs``, ``--cluster``, ``--force``, ``--as-of`` and the
    timeouts."""
    g = p.add_argument_group("rendering")
    g.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    g.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="render on a Dask distributed cluster: tcp://scheduler:8786, or local:N for N "
        "Dask worker processes here (needs sales-workbench[cluster]; see docs/scaling.md)",
    )
    g.add_argument("--force", action="store_true", help="re-render cached pages too")
    g.add_argument(
        "--as-of",
        default=None,
        metavar="INSTANT",
        help="ISO instant at which open tasks are judged (default: end of data)",
    )
    g.add_argument(
        "--cell-timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds one notebook cell may run (default 300)",
    )
    g.add_argument(
        "--report-timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds one whole report or case study may run (default 900)",
    )


def _add_managers_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--managers",
        nargs="+",
        default=None,
        metavar="NAME",
        help="only these people (default: everyone who gets a report)",
    )


def _add_delivery_args(p: argparse.ArgumentParser) -> None:
    """How the e-mails go: ``--smtp-config``, ``--pdf``, ``--dry-run``."""
    g = p.add_argument_group("e-mail")
    g.add_argument("--smtp-config", default=None, help="SMTP settings file (.toml or .yaml)")
    g.add_argument("--pdf", action="store_true", help="attach a PDF of each report too")
    g.add_argument(
        "--dry-run", action="store_true", help="write .eml files to outbox/, send nothing"
    )


def _batch_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``render_reports`` and ``render_cases`` that the shared
    options give (a timeout not given: the runner's default)."""
    from workbench.reports.runner import CELL_TIMEOUT_S, REPORT_TIMEOUT_S

    return {
        "mapping": args.mapping,
        "tz": args.tz,
        "max_loss": args.max_loss,
        "out": args.out,
        "wait": args.wait,
        "lang": args.lang or "",
        "jobs": args.jobs,
        "cluster": args.cluster,
        "force": args.force,
        "as_of": args.as_of,
        "cell_timeout": args.cell_timeout or CELL_TIMEOUT_S,
        "report_timeout": args.report_timeout or REPORT_TIMEOUT_S,
    }


def _attempt(verb: str, call: Callable[..., Any], *args, unit: str = "report", **kwargs) -> Any:
    """``call(*args, **kwargs)`` (a library function's result, never an int), or the exit
    status when it raised, said in one line on stderr: 75 the output folder is locked; 2 a
    usage, data or output error; 3 a data guard; 130/143 a signal before any ``unit`` was
    rendered. One table for every verb (:data:`EXIT_CODES`)."""
    from workbench.data.coverage import DataGuardError
    from workbench.errors import WorkbenchError
    from workbench.files import OutputError, OutputLockedError
    from workbench.reports.stopping import BatchInterrupted, exit_status

    try:
        return call(*args, **kwargs)
    except OutputLockedError as exc:
        print(f"workbench {verb}: {exc}", file=sys.stderr)
        return 75
    except OutputError as exc:
        print(f"workbench {verb}: error: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except BatchInterrupted as exc:
        print(f"workbench {verb}: {exc} before any {unit} was rendered", file=sys.stderr)
        return exit_status(exc.signum)
    except DataGuardError as exc:
        print(f"workbench {verb}: data guard: {exc}", file=sys.stderr)
        return 3
    except (WorkbenchError, OSError, ValueError) as exc:
        print(f"workbench {verb}: error: {exc}", file=sys.stderr)
        return 2


def _batch_status(run: Any, also: str = "") -> int:
    """Print a finished batch's counts and index; its exit status (0, 1, 130/143)."""
    from workbench.reports.stopping import exit_status

    counts = ", ".join(f"{n} {s}" for s, n in run.counts.items())
    print(f"{counts}{also}; index: {run.out_dir / 'index.html'}")
    if run.interrupted:
        return exit_status(run.interrupted)
    return 0 if run.ok else 1


# --- the verbs ---------------------------------------------------------------------------------


def _add_check_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="load an export and print its data health, coverage and managers",
        description="Load an export and print its data health, coverage and managers. "
        "Exit status 0: it passed; 2: it cannot be read as mapped; 3: a data guard tripped "
        "(a table lost more than --max-loss of its rows).",
    )
    _add_data_args(p)
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    return _checked(args)[0]


def _checked(args: argparse.Namespace) -> tuple[int, Any]:
    """Load and check the export, print the check: (exit status, the loaded dataset or
    None when it cannot be read)."""
    from workbench.data.check import check_export
    from workbench.metrics.kpi import KPI_METRICS

    report = _attempt(
        "check", check_export, args.data, mapping=args.mapping, tz=args.tz,
        max_loss=args.max_loss, metrics=KPI_METRICS,
    )  # fmt: skip
    if isinstance(report, int):
        return report, None
    sys.stdout.write(report.text())
    return (0 if report.ok else 3), report.dataset


def _add_report_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="render every manager's report for a period",
        description="Render every manager's report for a period into <out>/<period>/ "
        "(index.html, run_summary.json, run.log, one folder per manager). One run per output "
        "folder at a time; Ctrl-C or SIGTERM stops it within seconds, keeping the reports "
        "already finished (a rerun completes them from the cache).",
    )
    _add_data_args(p)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--from", dest="period_from", metavar="DATE", help="first day (ISO)")
    when.add_argument("--latest-month", action="store_true", help="latest full month in data")
    p.add_argument("--to", dest="period_to", metavar="DATE", help="last day, inclusive (ISO)")
    _add_managers_arg(p)
    p.add_argument("--no-overview", action="store_true", help="skip the team overview")
    p.add_argument(
        "--template", default=None, help="a customised report template (default: the packaged one)"
    )
    _add_output_args(p)
    _add_batch_args(p)
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from workbench.reports.runner import TEMPLATE, render_reports

    summary = _attempt(
        "report", render_reports, args.data, period_from=args.period_from,
        period_to=args.period_to, latest_month=args.latest_month, managers=args.managers,
        overview=not args.no_overview, template=args.template or TEMPLATE, **_batch_kwargs(args),
    )  # fmt: skip
    return summary if isinstance(summary, int) else _report_status(summary)


def _report_status(summary: Any) -> int:
    overview = f"; team overview {summary.overview.status}" if summary.overview else ""
    return _batch_status(summary, overview)


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
    p.add_argument("--period", required=True, help="period folder, e.g. 2026-10")
    _add_managers_arg(p)
    p.add_argument("--test-to", default=None, metavar="ADDRESS", help="send everything here")
    p.add_argument(
        "--resend-changed", action="store_true", help="resend reports changed since sent"
    )
    p.add_argument(
        "--resend", nargs="+", default=[], metavar="NAME", help="send these again, whatever"
    )
    _add_output_args(p)
    _add_delivery_args(p)
    _add_data_args(
        p, required=False, guard=False,
        about="read only for the roster, when the report run left none",
    )  # fmt: skip
    p.set_defaults(func=_send)


def _send(args: argparse.Namespace) -> int:
    return _deliver(
        args, args.out, args.period, managers=args.managers, test_to=args.test_to,
        resend_changed=args.resend_changed, resend=args.resend,
    )  # fmt: skip


def _deliver(args: argparse.Namespace, out: Any, period: str, **options: Any) -> int:
    """Send the batch ``<out>/<period>/`` with the shared options; print what became of each
    message; the exit status."""
    from workbench.delivery import send_reports

    result = _attempt(
        "send", send_reports, out, period, dry_run=args.dry_run, pdf=args.pdf,
        smtp_config=args.smtp_config, data=args.data, mapping=args.mapping, tz=args.tz,
        wait=args.wait, lang=args.lang or "", **options,
    )  # fmt: skip
    if isinstance(result, int):
        return result
    sys.stdout.write(result.text())
    return result.exit_code


def _add_month_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "month",
        help="the monthly run: check the export, render the latest full month, send it",
        description="Runs `check`, `report --latest-month` and `send` in turn, reading the "
        "export once. Stops at a check that fails (its status: 2 or 3) and at a report or "
        "send error (2, 75); otherwise exit status 1 when a report or a message failed, "
        "else 0.",
    )
    _add_data_args(p)
    _add_output_args(p)
    _add_batch_args(p)
    _add_delivery_args(p)
    p.set_defaults(func=_month)


def _month(args: argparse.Namespace) -> int:
    from workbench.reports.runner import render_reports

    print("workbench month: 1/3 check", flush=True)
    status, dataset = _checked(args)
    if status != 0:
        print(f"workbench month: check failed (status {status}); nothing rendered or sent")
        return status
    print("workbench month: 2/3 report (latest full month)", flush=True)
    summary = _attempt(
        "report", render_reports, args.data, latest_month=True, dataset=dataset,
        **_batch_kwargs(args),
    )  # fmt: skip
    del dataset  # every manager's rows: not kept while the e-mails go
    report_status = summary if isinstance(summary, int) else _report_status(summary)
    if report_status not in (0, 1):
        print(f"workbench month: report failed (status {report_status}); nothing sent")
        return report_status
    period = summary.out_dir.name  # the folder the report step wrote: <out>/<period>/
    print(f"workbench month: 3/3 send {period}", flush=True)
    send_status = _deliver(args, summary.out_dir.parent, period)
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
    _add_data_args(p)
    _add_output_args(p)
    _add_batch_args(p)
    p.set_defaults(func=_cases)


def _cases(args: argparse.Namespace) -> int:
    from workbench.reports.case_batch import render_cases

    run = _attempt("cases", render_cases, args.data, unit="case", **_batch_kwargs(args))
    return run if isinstance(run, int) else _batch_status(run)


if __name__ == "__main__":
    sys.exit(main())
