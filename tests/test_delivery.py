"""Delivery (``workbench send``) against a real SMTP server (aiosmtpd) and the sample month.

The sample month is rendered ONCE per session (``rendered``); a test that sends copies its
output folder first (``batch``), because sending writes the send log and the archive. Every
message the server accepts is parsed back with :mod:`email` and its attachments opened: each
roster manager must receive exactly one message, addressed to them, whose report is stamped
with their name and names no colleague.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
from html import escape
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from workbench.cli import main
from workbench.config import SAMPLE_DIR
from workbench.delivery.config import load_smtp_config
from workbench.delivery.errors import DeliveryError
from workbench.files import OutputLock
from workbench.reports.stamp import page_manager

PERIOD = "2026-10"
ROSTER = pd.read_csv(SAMPLE_DIR / "roster.csv")
ADDRESS = dict(zip(ROSTER["manager"], ROSTER["email"], strict=True))
ROLE = dict(zip(ROSTER["manager"], ROSTER["role"], strict=True))
HEADS = sorted(n for n, r in ROLE.items() if r != "manager")
TEAM = {n: t for n, t in zip(ROSTER["manager"], ROSTER["team"], strict=True) if isinstance(t, str)}
SELLERS = sorted(n for n in ADDRESS if n != "Elena Sokolova")  # she has no report


# --- a real SMTP server ----------------------------------------------------------------------


class _Controller(Controller):
    """aiosmtpd's Controller on a free port (``port=0``): learn the port before the check."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Recorder:
    """Accepts and keeps every message; refuses RCPT of ``reject`` with 550."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.reject: set[str] = set()
        self.on_data = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        if self.on_data is not None:
            self.on_data()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if rcpt == [address]]


def start_server(handler, **kwargs) -> _Controller:
    controller = _Controller(handler, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp(monkeypatch):
    """A plain SMTP server on 127.0.0.1 and the WORKBENCH_SMTP_* variables pointing at it."""
    handler = Recorder()
    controller = start_server(handler)
    for key, value in {
        "HOST": "127.0.0.1",
        "PORT": str(controller.port),
        "SECURITY": "none",
        "FROM": "reports@example.com",
    }.items():
        monkeypatch.setenv(f"WORKBENCH_SMTP_{key}", value)
    for key in ("USER", "PASSWORD", "CAFILE"):
        monkeypatch.delenv(f"WORKBENCH_SMTP_{key}", raising=False)
    yield handler
    controller.stop()


# --- the sample month, rendered once ----------------------------------------------------------


@pytest.fixture
def rendered(rendered_sample) -> Path:
    """The sample's latest full month, rendered once per session (``conftest.py``)."""
    return rendered_sample


@pytest.fixture
def batch(rendered, tmp_path) -> Path:
    """A copy of the rendered output root this test may send from and change."""
    return Path(shutil.copytree(rendered, tmp_path / "reports"))


def send(out: Path, *args: str) -> int:
    return main(["send", "--out", str(out), "--period", PERIOD, *args])


def attachments(msg) -> dict[str, bytes]:
    return {p.get_filename(): p.get_content() for p in msg.iter_attachments()}


def html_of(data) -> str:
    return data.decode("utf-8") if isinstance(data, bytes) else data


def log_of(out: Path) -> dict:
    return json.loads((out / PERIOD / "send_log.json").read_text("utf-8"))["recipients"]


# --- tests -----------------------------------------------------------------------------------


def test_each_person_gets_exactly_their_own_report_once_and_heads_the_index(batch, smtp, capsys):
    before = (batch / "index.html").read_text("utf-8")  # the archive, written by the report run
    assert f'href="{PERIOD}/team_overview.html"' in before and "not sent yet" in before
    assert send(batch) == 0
    assert len(smtp.messages) == len(ADDRESS) == 11
    for name, address in ADDRESS.items():
        (msg,) = smtp.to(address)  # exactly one message to each address
        assert msg["To"].addresses[0].addr_spec == address
        assert "October 2026" in msg["Subject"]
        files = attachments(msg)
        reports = {f: html_of(d) for f, d in files.items() if f.startswith("report-")}
        if name in SELLERS:
            (page,) = reports.values()
            assert page_manager(page) == [name]
            for other in ADDRESS:
                if other != name:
                    assert other not in page and escape(other) not in page, (name, other)
        else:
            assert reports == {}
        pages = {f: html_of(d) for f, d in files.items() if not f.startswith("report-")}
        if ROLE[name] == "department_head":  # the department's pages
            assert set(pages) == {f"index-{PERIOD}.html", f"team-overview-{PERIOD}.html"}
            for manager in SELLERS:
                assert escape(manager) in pages[f"index-{PERIOD}.html"], manager
        elif ROLE[name] == "team_head":  # their own team's pages, never the department's
            assert len(pages) == 2, sorted(pages)
            assert {f.split("-", 1)[0] for f in pages} == {"index", "team"}
            assert all(f.endswith(f"-{PERIOD}.html") and f != f"index-{PERIOD}.html"
                       for f in pages)  # fmt: skip
            for page in pages.values():
                for other, team in TEAM.items():
                    if team == TEAM[name]:
                        assert escape(other) in page or escape(other, False) in page, (name, other)
                    else:  # not a single name of the other team's managers
                        assert other not in page and escape(other) not in page, (name, other)
                assert "Elena Sokolova" not in page
        else:
            assert pages == {} and len(files) == 1
        body = msg.get_body(("html",)).get_content()
        assert "<script" not in body.lower() and "src=" not in body.lower()
    # a team head is told the pages are their team's
    (chen,) = smtp.to(ADDRESS["Chen Wei"])
    assert "team North's index and overview" in chen["Subject"]
    assert "your team's overview" in chen.get_body(("plain",)).get_content()
    # the log: sent, the report's fingerprint, the message's id
    log = log_of(batch)
    assert {n: e["status"] for n, e in log.items()} == dict.fromkeys(ADDRESS, "sent")
    anna_html = next((batch / PERIOD).glob("anna-petrova-*/report.html")).read_bytes()
    assert log["Anna Petrova"]["fingerprint"] == hashlib.sha256(anna_html).hexdigest()
    (anna,) = smtp.to(ADDRESS["Anna Petrova"])
    assert log["Anna Petrova"]["message_id"] == anna["Message-ID"]
    # the archive lists the period and its delivery
    archive = (batch / "index.html").read_text("utf-8")
    assert f'href="{PERIOD}/index.html"' in archive and "11 sent" in archive
    # a rerun sends nothing
    capsys.readouterr()
    assert send(batch) == 0
    assert len(smtp.messages) == 11
    out = capsys.readouterr().out
    assert out.count("\nalready sent  ") == 10 and out.endswith(f"{PERIOD}: 11 already sent\n")


def test_a_changed_report_is_listed_and_resent_only_when_asked(batch, smtp, capsys):
    assert send(batch) == 0
    boris = next((batch / PERIOD).glob("boris-ivanov-*/report.html"))
    boris.write_text(boris.read_text("utf-8") + "<!-- re-rendered -->\n", "utf-8")
    capsys.readouterr()
    assert send(batch) == 0
    out = capsys.readouterr().out
    assert len(smtp.messages) == 11
    assert "changed" in out and "Boris Ivanov" in out and "--resend-changed" in out
    assert send(batch, "--resend-changed") == 0
    assert len(smtp.messages) == 12
    (_, again) = smtp.to(ADDRESS["Boris Ivanov"])
    assert html_of(attachments(again)[next(iter(attachments(again)))]).endswith(
        "<!-- re-rendered -->\n"
    )
    assert log_of(batch)["Boris Ivanov"]["history"][0]["status"] == "sent"
    assert send(batch, "--resend-changed") == 0  # nothing changed since
    assert len(smtp.messages) == 12
    assert send(batch, "--resend", "Anna Petrova") == 0  # asked for by name
    assert len(smtp.messages) == 13 and len(smtp.to(ADDRESS["Anna Petrova"])) == 2


def test_one_refused_address_leaves_the_others_sent_and_is_retried_next_run(batch, smtp, capsys):
    smtp.reject = {ADDRESS["Anna Petrova"]}
    assert send(batch) == 1
    out = capsys.readouterr().out
    assert len(smtp.messages) == 10 and smtp.to(ADDRESS["Anna Petrova"]) == []
    log = log_of(batch)
    assert log["Anna Petrova"]["status"] == "failed" and "550" in log["Anna Petrova"]["error"]
    assert all(e["status"] == "sent" for n, e in log.items() if n != "Anna Petrova")
    assert "failed" in out and "550" in out
    smtp.reject = set()
    assert send(batch) == 0
    assert len(smtp.messages) == 11 and len(smtp.to(ADDRESS["Anna Petrova"])) == 1
    assert log_of(batch)["Anna Petrova"]["status"] == "sent"


def test_a_crash_after_the_server_accepted_is_unknown_and_never_resent(batch, smtp, capsys):
    """The send process is killed (SIGKILL) inside the server's DATA handler: the server has
    the message, the log still says "sending"."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "send", "--out", str(batch), "--period", PERIOD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    smtp.on_data = lambda: os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    smtp.on_data = None
    assert len(smtp.messages) == 1
    (first,), _ = smtp.messages[0]
    log = log_of(batch)
    (crashed,) = [n for n, e in log.items() if e["status"] == "sending"]
    assert ADDRESS[crashed] == first and len(log) == 1
    # the next run (the lock of the killed run is stale) sends the others, not that one
    assert send(batch) == 1
    out = capsys.readouterr().out
    assert len(smtp.messages) == 11
    assert all(len(smtp.to(a)) == 1 for a in ADDRESS.values())
    line = next(x for x in out.splitlines() if crashed in x)
    assert line.startswith("unknown") and "check the mailbox" in line
    assert log_of(batch)[crashed]["status"] == "sending"
    assert send(batch) == 1 and len(smtp.messages) == 11  # still not resent by itself
    assert send(batch, "--resend", crashed) == 0  # resent when asked for by name
    assert len(smtp.to(first)) == 2


def test_a_shared_address_or_the_wrong_report_stops_those_messages(batch, smtp, capsys):
    roster_file = batch / PERIOD / "_roster.parquet"
    roster = pd.read_parquet(roster_file)
    roster.loc[roster["manager"] == "Boris Ivanov", "email"] = "ANNA.petrova@example.com"
    roster.to_parquet(roster_file)
    folder = {p.parent.name.rsplit("-", 1)[0]: p for p in (batch / PERIOD).glob("*/report.html")}
    shutil.copy(folder["dmitri-volkov"], folder["emma-schulz"])  # Emma's folder, Dmitri's page
    assert send(batch) == 1
    out = capsys.readouterr().out
    for name in ("Anna Petrova", "Boris Ivanov", "Emma Schulz"):
        assert next(x for x in out.splitlines() if name in x).startswith("stopped")
    assert "given for Anna Petrova and Boris Ivanov" in out
    assert "stamped for 'Dmitri Volkov', not for 'Emma Schulz'" in out
    assert smtp.to(ADDRESS["Anna Petrova"]) == smtp.to(ADDRESS["Emma Schulz"]) == []
    assert len(smtp.messages) == 8 and len(smtp.to(ADDRESS["Dmitri Volkov"])) == 1
    assert set(log_of(batch)) == set(ADDRESS) - {"Anna Petrova", "Boris Ivanov", "Emma Schulz"}


def test_a_team_head_never_gets_another_teams_or_the_departments_pages(batch, smtp, capsys):
    summary_file = batch / PERIOD / "run_summary.json"
    summary = json.loads(summary_file.read_text("utf-8"))
    north, south = (batch / PERIOD / summary["teams"][t]["index"] for t in ("North", "South"))
    shutil.copy(south, north)  # North's folder, South's index
    assert send(batch, "--managers", "Chen Wei", "Priya Nair") == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "Chen Wei" in x)
    assert line.startswith("stopped") and "is team 'South''s page, not team 'North''s" in out
    assert smtp.to(ADDRESS["Chen Wei"]) == [] and len(smtp.to(ADDRESS["Priya Nair"])) == 1
    # a batch without team pages (rendered before them): nothing, not the department's pages
    del summary["teams"]
    summary_file.write_text(json.dumps(summary), "utf-8")
    assert send(batch, "--managers", "Chen Wei") == 1
    assert "no pages of team 'North' in this batch" in capsys.readouterr().out
    assert smtp.to(ADDRESS["Chen Wei"]) == []


def test_a_failed_report_is_not_sent_and_is_listed(batch, smtp, capsys):
    summary_file = batch / PERIOD / "run_summary.json"
    summary = json.loads(summary_file.read_text("utf-8"))
    for r in summary["reports"]:  # what the runner records for a report that failed
        if r["manager"] == "James Carter":
            r.update(status="failed", error="KeyError: 'duration_s'")
    summary_file.write_text(json.dumps(summary), "utf-8")
    assert send(batch) == 1
    out = capsys.readouterr().out
    assert "stopped       James Carter" in out and "the report failed: KeyError" in out
    assert smtp.to(ADDRESS["James Carter"]) == [] and len(smtp.messages) == 10


def test_without_a_roster_nothing_is_sent_and_the_export_is_the_fallback(
    batch, smtp, tmp_path, capsys
):
    (batch / PERIOD / "_roster.parquet").unlink()
    assert send(batch) == 2
    err = capsys.readouterr().err
    assert "no roster" in err and "@" not in err
    no_roster = tmp_path / "export"
    shutil.copytree(SAMPLE_DIR, no_roster)
    (no_roster / "roster.csv").unlink()
    assert send(batch, "--data", str(no_roster)) == 2
    assert "no roster" in capsys.readouterr().err
    assert smtp.messages == []
    assert send(batch, "--data", str(SAMPLE_DIR), "--managers", "Anna Petrova") == 0
    assert len(smtp.to(ADDRESS["Anna Petrova"])) == 1


def test_dry_run_writes_eml_files_that_parse_and_hold_no_script(batch, capsys, monkeypatch):
    for key in ("HOST", "PORT", "FROM", "USER", "PASSWORD", "SECURITY"):
        monkeypatch.delenv(f"WORKBENCH_SMTP_{key}", raising=False)
    assert send(batch, "--dry-run") == 0
    emls = sorted((batch / PERIOD / "outbox").glob("*.eml"))
    assert len(emls) == 11
    seen = set()
    for path in emls:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        seen.add(msg["To"].addresses[0].addr_spec)
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                assert "<script" not in html_of(part.get_content()).lower(), path.name
    assert seen == set(ADDRESS.values())
    assert not (batch / PERIOD / "send_log.json").exists()


def test_a_locked_output_folder_exits_75(batch, smtp, capsys):
    with OutputLock(batch, command="workbench report"):
        assert send(batch) == 75
    assert "in use by another workbench run" in capsys.readouterr().err
    assert smtp.messages == []


def test_test_to_sends_everything_to_one_address_and_leaves_the_log(batch, smtp):
    assert send(batch, "--test-to", "qa@example.org", "--managers", "Anna Petrova") == 0
    (msg,) = smtp.to("qa@example.org")
    assert "[test for Anna Petrova <anna.petrova@example.com>]" in msg["Subject"]
    assert not (batch / PERIOD / "send_log.json").exists()


def test_starttls_with_a_throwaway_certificate_and_a_login(batch, tmp_path, monkeypatch, capsys):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        logins.append((auth_data.login, ok))
        return AuthResult(success=ok)

    handler = Recorder()
    controller = start_server(
        handler,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    try:
        for key in ("HOST", "PORT", "FROM", "USER", "SECURITY", "CAFILE"):
            monkeypatch.delenv(f"WORKBENCH_SMTP_{key}", raising=False)
        monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", "s3cret")
        config = tmp_path / "smtp.toml"
        text = (
            f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nsecurity = "starttls"\n'
            f'user = "reports"\nfrom = "reports@example.com"\n'
        )
        config.write_text(text, "utf-8")  # no cafile: the throwaway CA is not trusted
        assert send(batch, "--smtp-config", str(config), "--managers", "Anna Petrova") == 1
        assert "CERTIFICATE_VERIFY_FAILED" in capsys.readouterr().out
        assert handler.messages == []
        config.write_text(text + f'cafile = "{ca_file}"\n', "utf-8")
        assert send(batch, "--smtp-config", str(config), "--managers", "Anna Petrova") == 0
        (msg,) = handler.to(ADDRESS["Anna Petrova"])
        assert logins == [(b"reports", True)]
        # a password in the file is refused before anything happens
        config.write_text(text + 'password = "s3cret"\n', "utf-8")
        assert send(batch, "--smtp-config", str(config)) == 2
        assert "never read from a file" in capsys.readouterr().err
    finally:
        controller.stop()


@pytest.mark.browser
def test_pdf_of_each_report_is_attached(batch, smtp):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not found: install Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    assert send(batch, "--pdf", "--managers", "Anna Petrova", "Elena Sokolova") == 0
    (anna,) = smtp.to(ADDRESS["Anna Petrova"])
    pdfs = {f: d for f, d in attachments(anna).items() if f.endswith(".pdf")}
    ((name, data),) = pdfs.items()
    assert (
        name.startswith("report-anna-petrova-") and data.startswith(b"%PDF") and len(data) > 10_000
    )
    (elena,) = smtp.to(ADDRESS["Elena Sokolova"])
    assert not [f for f in attachments(elena) if f.endswith(".pdf")]  # she has no report


@pytest.mark.notebook
def test_month_checks_renders_and_sends(batch, tmp_path, smtp, capsys, monkeypatch):
    # Into a copy of the session's rendered month: the report step runs and finds every page
    # in its cache (rendering the sample again proves nothing the other tests do not).
    from workbench.data import loading

    reads = []  # every export file the run parses, in this process (the kernels read none)
    real = loading._read_table_file

    def counted(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(loading, "_read_table_file", counted)
    out = batch
    status = main(["month", "--data", str(SAMPLE_DIR), "--out", str(out), "--jobs", "2"])
    printed = capsys.readouterr()
    assert status == 0, printed
    assert "2/3 report" in printed.out, printed.out
    assert "0 rendered, 10 cached, 0 failed" in printed.out, printed.out
    # the export is parsed once: the check's dataset is the one the reports come from
    assert sorted(reads) == sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
    log = (out / PERIOD / "run.log").read_text("utf-8")
    assert "rows set aside) before this run" in log and " loading " not in log
    # the period sent is the folder the report step wrote
    assert f"workbench month: 3/3 send {PERIOD}\n" in printed.out
    assert len(smtp.messages) == 11
    assert all(len(smtp.to(a)) == 1 for a in ADDRESS.values())
    archive = (out / "index.html").read_text("utf-8")
    assert PERIOD in archive and "11 sent" in archive
    # a bad export stops at the check: nothing rendered, nothing sent
    assert main(["month", "--data", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert len(smtp.messages) == 11


# --- fast: settings and the message itself -----------------------------------------------------


def test_smtp_settings_from_toml_yaml_and_the_environment(tmp_path):
    toml = tmp_path / "smtp.toml"
    toml.write_text('host = "mail.example.com"\nuser = "bot@example.com"\n', "utf-8")
    c = load_smtp_config(toml, env={"WORKBENCH_SMTP_PASSWORD": "pw"})
    assert (c.host, c.port, c.security, c.sender, c.password) == (
        "mail.example.com",
        587,
        "starttls",
        "bot@example.com",
        "pw",
    )
    assert "pw" not in repr(c)
    c.check()
    yml = tmp_path / "smtp.yaml"
    yml.write_text("smtp:\n  host: mail.example.com\n  security: ssl\n", "utf-8")
    env = {"WORKBENCH_SMTP_HOST": "relay.example.com", "WORKBENCH_SMTP_FROM": "r@example.com"}
    c = load_smtp_config(yml, env=env)
    assert (c.host, c.port, c.security, c.sender) == (
        "relay.example.com",
        465,
        "ssl",
        "r@example.com",
    )
    with pytest.raises(DeliveryError, match="no SMTP host"):
        load_smtp_config(None, env={}).check()
    with pytest.raises(DeliveryError, match="has no password"):
        load_smtp_config(toml, env={}).check()
    yml.write_text("host: h\npassword: x\n", "utf-8")
    with pytest.raises(DeliveryError, match="never read from a file"):
        load_smtp_config(yml, env={})


def test_the_message_escapes_crm_text_and_attaches_the_checked_bytes(tmp_path):
    from workbench.delivery.messages import build_message
    from workbench.delivery.plan import Attachment, Delivery, Plan, sha256_file

    page = tmp_path / "report.html"
    page.write_text("<html><head></head><body>report</body></html>", "utf-8")
    name = "Eve <script>alert(1)</script>\r\nBcc: x@example.com"
    d = Delivery(name, "manager", "North", "eve@example.com")
    d.headlines = ["Your <img src=http://x/y.png> calls & tasks"]
    d.attachments = [Attachment("report", page, "report-eve-2026-10.html", sha256_file(page))]
    plan = Plan(PERIOD, "2026-10-01", "2026-10-31", tmp_path, "test", [d])
    msg = build_message(d, plan, sender="reports@example.com")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["Subject"] == "Your sales report for October 2026"
    assert parsed["To"].addresses[0].addr_spec == "eve@example.com"
    body = parsed.get_body(("html",)).get_content()
    assert "<script" not in body and "<img" not in body
    assert "&lt;img src=http://x/y.png&gt; calls &amp; tasks" in body
    (part,) = parsed.iter_attachments()
    assert part.get_content().encode() == page.read_bytes()
    page.write_text("changed after the check", "utf-8")
    with pytest.raises(ValueError, match="changed while"):
        build_message(d, plan, sender="reports@example.com")


def test_a_managers_message_carries_the_reports_verdicts_and_next_steps(batch, capsys, monkeypatch):
    for key in ("HOST", "PORT", "FROM", "USER", "PASSWORD", "SECURITY"):
        monkeypatch.delenv(f"WORKBENCH_SMTP_{key}", raising=False)
    assert send(batch, "--dry-run", "--managers", "Anna Petrova") == 0
    (path,) = (batch / PERIOD / "outbox").glob("*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    # Anna's October: her personal overdue KPI (at most 20%) and the team's conversion KPI
    # (at least 20%) are in force; both verdicts and the first action come first.
    kpis = body.split("Your KPIs:")[1].split("What to do next:")[0]
    assert "Overdue share" in kpis and "target at most 20%" in kpis
    assert "Conversion" in kpis and "target at least 20%" in kpis
    steps = body.split("What to do next:")[1].split("\n\n")[0]
    assert "past their deadline" in steps


# --- the language of the messages ----------------------------------------------------------------


def test_the_message_speaks_the_language_it_is_built_in(tmp_path):
    from workbench.delivery.messages import build_message
    from workbench.delivery.plan import Attachment, Delivery, Plan, sha256_file
    from workbench.i18n import using

    page = tmp_path / "report.html"
    page.write_text("<html><head></head><body>отчёт</body></html>", "utf-8")
    d = Delivery("Анна Петрова", "manager", "North", "anna@example.com")
    d.verdicts = ["Конверсия 29 %, цель не ниже 20 %: выполнен"]
    d.attachments = [Attachment("report", page, "report-anna-2026-10.html", sha256_file(page))]
    plan = Plan(PERIOD, "2026-10-01", "2026-10-31", tmp_path, "test", [d])
    with using("ru"):
        msg = build_message(d, plan, sender="reports@example.com")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Ваш отчёт по продажам за октябрь 2026"
    text = parsed.get_body(("plain",)).get_content()
    assert text.startswith("Здравствуйте, Анна Петрова!\n\nВо вложении за октябрь 2026:\n")
    assert "report-anna-2026-10.html: ваш отчёт" in text
    assert "Ваши KPI:\n  - Конверсия 29 %, цель не ниже 20 %: выполнен" in text
    assert "Откройте вложение в браузере" in text
    assert '<html lang="ru">' in parsed.get_body(("html",)).get_content()
    with using("en"):  # the same delivery, built in English
        msg = build_message(d, plan, sender="reports@example.com")
    assert msg["Subject"] == "Your sales report for October 2026"


def test_the_messages_take_the_language_the_batch_was_rendered_in(tmp_path):
    from workbench.delivery.send import message_language

    period = tmp_path / PERIOD
    period.mkdir()
    (period / "run_summary.json").write_text(json.dumps({"lang": "ru"}), "utf-8")
    assert message_language(period) == "ru" and message_language(period, "ru") == "ru"
    with pytest.raises(DeliveryError, match="rendered in 'ru'.*--lang en"):
        message_language(period, "en")  # the e-mail would not match the pages it carries
    with pytest.raises(DeliveryError, match="'de' has no catalogue"):
        message_language(period, "de")
    # a batch from before the language was recorded: --lang, else the mapping, else English
    (period / "run_summary.json").write_text("{}", "utf-8")
    mapping = tmp_path / "ru.yaml"
    mapping.write_text("language: ru\n", "utf-8")
    assert message_language(period) == "en" and message_language(period, "ru") == "ru"
    assert message_language(period, "", mapping) == "ru"


def test_send_in_another_language_than_the_batch_is_refused(batch, capsys, monkeypatch):
    for key in ("HOST", "PORT", "FROM", "USER", "PASSWORD", "SECURITY"):
        monkeypatch.delenv(f"WORKBENCH_SMTP_{key}", raising=False)
    assert json.loads((batch / PERIOD / "run_summary.json").read_text("utf-8"))["lang"] == "en"
    assert send(batch, "--dry-run", "--lang", "ru") == 2
    err = capsys.readouterr().err
    assert "rendered in 'en'" in err and "workbench report --lang ru" in err
    assert not (batch / PERIOD / "outbox").exists()  # nothing written
    assert send(batch, "--dry-run", "--lang", "en", "--managers", "Anna Petrova") == 0
    (path,) = (batch / PERIOD / "outbox").glob("*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Your sales report for October 2026"
