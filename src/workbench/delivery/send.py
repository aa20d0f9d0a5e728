"""``workbench send``: mail each person of the batch's roster their own files, once.

For a period folder (``<out>/<period>/``) :func:`send_reports` builds the checked plan
(:mod:`workbench.delivery.plan`), decides per person from the send log
(:mod:`workbench.delivery.log`) and sends over one SMTP connection, holding the output
folder's :class:`~workbench.files.OutputLock` throughout:

=====================  ======================================================================
log entry              what happens
=====================  ======================================================================
none, or ``failed``    sent (a failure is retried by the next run)
``sent``, same file    nothing ("already sent")
``sent``, file changed listed as changed; resent only with ``resend_changed`` or ``resend``
``sending``            unknown (a run stopped mid-transaction): check the mailbox; never
                       resent unless named in ``resend``
=====================  ======================================================================

Language: the messages are in the language the batch was rendered in (``run_summary.json``'s
``lang``), so that an e-mail and the pages it carries agree; ``lang`` (``--lang``) may only
repeat it. A batch rendered before the language was recorded takes ``lang``, else the
mapping's ``language:``, else English. The archive page is rewritten in that language too.

One recipient's SMTP failure never stops the others. ``dry_run`` writes every message that
passes its checks to ``<out>/<period>/outbox/<name>.eml`` and sends nothing (the log is not
touched); ``test_to`` sends every such message to one test address and leaves the log alone.
"""

from __future__ import annotations

import io
import smtplib
import ssl
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from pathlib import Path
from typing import TextIO

from workbench.data.mappings import batch_language
from workbench.delivery.config import SmtpConfig, load_smtp_config, valid_address
from workbench.delivery.errors import DeliveryError
from workbench.delivery.log import SendLog
from workbench.delivery.messages import build_message
from workbench.delivery.pdf import print_pdfs
from workbench.delivery.plan import Attachment, Delivery, Plan, build_plan, load_roster
from workbench.files import OutputLock, atomic_write, read_json
from workbench.i18n import check_language, using
from workbench.reports.archive import write_archive
from workbench.reports.slugs import manager_slug
from workbench.terminal import safe_text

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "Mailer",
    "SendResult",
    "Unsure",
    "message_language",
    "send_reports",
]

EXIT_OK, EXIT_FAILED = 0, 1
OUTBOX = "outbox"
_BAD = ("failed", "stopped", "unknown")


@dataclass
class SendResult:
    """What a run did for each person; ``exit_code`` 0 when nothing failed or is unknown."""

    plan: Plan
    dry_run: bool = False
    test_to: str | None = None
    outbox: Path | None = None

    @property
    def deliveries(self) -> list[Delivery]:
        return self.plan.deliveries

    def by_outcome(self, outcome: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.outcome == outcome]

    @property
    def exit_code(self) -> int:
        bad = any(d.outcome in _BAD for d in self.deliveries) or self.plan.unrouted
        return EXIT_FAILED if bad else EXIT_OK

    def text(self) -> str:
        """One line per person, then the counts."""
        lines = []
        for d in self.deliveries:
            who = safe_text(d.name) + (f" <{safe_text(d.address)}>" if d.address else "")
            detail = f": {safe_text(d.detail)}" if d.detail else ""
            lines.append(f"{d.outcome:13} {who}{detail}")
        for name in self.plan.unrouted:
            lines.append(f"{'not sent':13} {safe_text(name)}: has a report but no roster entry")
        counts: dict[str, int] = {}
        for d in self.deliveries:
            counts[d.outcome] = counts.get(d.outcome, 0) + 1
        if self.plan.unrouted:
            counts["not in roster"] = len(self.plan.unrouted)
        total = ", ".join(f"{n} {k}" for k, n in counts.items()) or "nobody to send to"
        mode = " (dry run: nothing sent)" if self.dry_run else ""
        mode = f" (test run: everything to {self.test_to}; log untouched)" if self.test_to else mode
        lines.append(f"{self.plan.period}: {total}{mode}")
        if self.outbox is not None:
            lines.append(f"messages written to {self.outbox}")
        return "\n".join(lines) + "\n"


class Unsure(Exception):
    """The connection broke while the message was being handed over: delivered or not."""


@dataclass
class Mailer:
    """One SMTP connection, opened on first use, reopened after the server drops it."""

    config: SmtpConfig
    conn: smtplib.SMTP | None = None
    broken: str = ""  # why connecting failed: the remaining messages are not tried

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.cafile or None)

    def connect(self) -> None:
        c = self.config
        try:
            if c.security == "ssl":
                conn = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            try:
                conn.ehlo()
                if c.security == "starttls":
                    conn.starttls(context=self._context())
                    conn.ehlo()
                if c.user:
                    conn.login(c.user, c.password)
            except BaseException:
                conn.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            self.broken = f"cannot connect to {c.host}:{c.port} ({c.security}): {_reason(exc)}"
            raise
        self.conn = conn

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """One SMTP transaction. Raises :class:`Unsure` when the connection broke after the
        message was handed over (the server may have it); any other error means it was not
        accepted."""
        if self.conn is None:
            self.connect()
        conn = self.conn
        buffer = io.BytesIO()
        BytesGenerator(buffer, policy=msg.policy.clone(linesep="\r\n")).flatten(msg)
        try:
            code, reply = conn.mail(sender)
            if code != 250:
                conn.rset()
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                conn.rset()
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise
        try:
            conn.data(buffer.getvalue())  # SMTPDataError: refused, nothing delivered
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise Unsure(_reason(exc)) from exc

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for addr, (code, text) in exc.recipients.items():
            reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
            parts.append(f"{addr} refused: {code} {reply}")
        return "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{exc.smtp_code} {reply}"
    return f"{type(exc).__name__}: {exc}"


def _decide(d: Delivery, log: SendLog, *, resend_changed: bool, resend: set[str]) -> bool:
    """Set ``d``'s outcome for messages that will not go out; True when it is to be sent."""
    if d.problems:
        d.outcome, d.detail = "stopped", "; ".join(d.problems)
        return False
    entry = log.get(d.name)
    forced = d.name in resend
    if entry is None or entry.get("status") == "failed" or forced:
        return True
    if entry.get("status") == "sending":
        d.outcome = "unknown"
        d.detail = (
            f"a run stopped while sending it at {entry.get('time')} (message-id "
            f"{entry.get('message_id')}): check the mailbox of {entry.get('address')}; "
            f"send it again with --resend {d.name!r}"
        )
        return False
    changed = entry.get("fingerprint") != d.fingerprint
    moved = (entry.get("address") or "").casefold() != d.address.casefold()
    if not changed and not moved:
        d.outcome, d.detail = "already sent", f"at {entry.get('time')}"
        return False
    why = "the report changed" if changed else f"the address was {entry.get('address')}"
    if resend_changed:
        d.detail = f"{why} since it was sent at {entry.get('time')}"
        return True
    d.outcome = "changed"
    d.detail = (
        f"{why} since it was sent at {entry.get('time')}; not resent "
        f"(use --resend-changed, or --resend {d.name!r})"
    )
    return False


def _add_pdfs(todo: list[Delivery]) -> None:
    pairs = []
    for d in todo:
        for a in list(d.attachments):
            if a.kind == "report":
                pdf = a.path.with_suffix(".pdf")
                pairs.append((a.path, pdf))
                d.attachments.append(Attachment("pdf", pdf, Path(a.filename).stem + ".pdf"))
    print_pdfs(pairs)


def send_reports(
    out: str | Path,
    period: str,
    *,
    dry_run: bool = False,
    managers: list[str] | None = None,
    test_to: str | None = None,
    pdf: bool = False,
    resend_changed: bool = False,
    resend: list[str] | None = None,
    smtp: SmtpConfig | None = None,
    smtp_config: str | Path | None = None,
    data: str | Path | None = None,
    mapping: str | Path | None = None,
    tz: str | None = None,
    wait: bool = False,
    progress: TextIO | None = None,
    lang: str = "",
) -> SendResult:
    """Send the period's messages (see the module docstring); return what became of each.

    Parameters
    ----------
    out, period
        The output root and the period label: the batch is ``<out>/<period>/``.
    managers
        Only these people of the roster (default everyone).
    smtp, smtp_config
        Settings, or the file to read them from (with ``WORKBENCH_SMTP_*``).
    data, mapping, tz
        The export to read the roster from when the report run left none.
    wait
        Wait for another run holding the output folder instead of failing.
    lang
        The messages' language: must be the batch's own when ``run_summary.json`` records
        one (the default); else ``""`` is the mapping's ``language:``, else English.

    Raises
    ------
    DeliveryError
        No batch, no roster, an unknown name, bad SMTP settings, Chromium missing, a
        language without a catalogue or other than the batch's.
    workbench.files.OutputLockedError
        Another run holds the output folder.
    """
    out = Path(out)
    period_dir = out / period
    if not (period_dir / "run_summary.json").exists():
        raise DeliveryError(
            f"no batch in {period_dir} (no run_summary.json): run `workbench report "
            f"--out {out}` for {period} first"
        )
    if test_to is not None and not valid_address(test_to):
        raise DeliveryError(f"--test-to: {test_to!r} is not an e-mail address")
    language = message_language(period_dir, lang, mapping)
    config = smtp or load_smtp_config(smtp_config)
    if not dry_run:
        config.check()
    sender = config.sender if valid_address(config.sender) else "reports@workbench.invalid"
    resend_set = set(resend or [])
    with OutputLock(out, command="workbench send", wait=wait), using(language):
        roster, source = load_roster(period_dir, data=data, mapping=mapping, tz=tz)
        plan = build_plan(period_dir, roster, roster_source=source, managers=managers)
        unknown = sorted(resend_set - {d.name for d in plan.deliveries})
        if unknown:
            raise DeliveryError(f"--resend: not in the roster of {period}: {unknown}")
        log = SendLog.load(period_dir)
        result = SendResult(plan, dry_run=dry_run, test_to=test_to)
        todo = []
        for d in plan.deliveries:
            if test_to is not None or dry_run:
                if d.problems:
                    d.outcome, d.detail = "stopped", "; ".join(d.problems)
                else:
                    todo.append(d)
            elif _decide(d, log, resend_changed=resend_changed, resend=resend_set):
                todo.append(d)
        if pdf:
            _add_pdfs(todo)
        if dry_run:
            result.outbox = _write_outbox(period_dir, plan, todo, sender, test_to)
            return result
        mailer = Mailer(config)
        try:
            for d in todo:
                _send_one(d, plan, mailer, log, sender, test_to)
                if progress is not None:
                    progress.write(f"{d.outcome} {safe_text(d.name)}\n")
        finally:
            mailer.close()
        if test_to is None:
            write_archive(out)
    return result


def message_language(period_dir: Path, lang: str = "", mapping: str | Path | None = None) -> str:
    """The language of a batch's messages: the one its pages were rendered in (its
    ``run_summary.json``), else ``lang``, else the mapping's ``language:``, else English.

    Raises
    ------
    DeliveryError
        ``lang`` has no catalogue, or differs from the language the batch was rendered in
        (the e-mail would not match the pages it carries).
    """
    try:
        wanted = check_language(lang) if lang else ""
    except ValueError as exc:
        raise DeliveryError(f"--lang: {exc}") from None
    rendered = (read_json(period_dir / "run_summary.json") or {}).get("lang")
    if rendered:
        if wanted and wanted != rendered:
            raise DeliveryError(
                f"--lang {wanted}: the batch {period_dir.name} was rendered in {rendered!r}, and "
                "an e-mail must speak the language of the pages it carries; render the period "
                f"again with `workbench report --lang {wanted}`, or leave out --lang"
            )
        return check_language(rendered)
    try:
        return batch_language(wanted, mapping)
    except (ValueError, FileNotFoundError) as exc:
        raise DeliveryError(str(exc)) from None


def _write_outbox(
    period_dir: Path, plan: Plan, todo: list[Delivery], sender: str, test_to: str | None
) -> Path:
    outbox = period_dir / OUTBOX
    outbox.mkdir(exist_ok=True)
    for old in outbox.glob("*.eml"):
        old.unlink()
    for d in todo:
        try:
            msg = build_message(d, plan, sender=sender, to=test_to)
        except ValueError as exc:
            d.outcome, d.detail = "stopped", str(exc)
            continue
        path = atomic_write(outbox / f"{manager_slug(d.name)}.eml", msg.as_bytes())
        d.outcome, d.detail = "outbox", path.name
    return outbox


def _send_one(
    d: Delivery, plan: Plan, mailer: Mailer, log: SendLog, sender: str, test_to: str | None
) -> None:
    """Send one message; "sending" is logged before the transaction, the result after."""
    try:
        msg = build_message(d, plan, sender=sender, to=test_to)
    except ValueError as exc:
        d.outcome, d.detail = "stopped", str(exc)
        return
    if mailer.broken:
        d.outcome, d.detail = "failed", f"not tried: {mailer.broken}"
        if test_to is None:
            _log_failure(d, msg, log, d.detail)
        return
    if mailer.conn is None:
        try:
            mailer.connect()
        except (OSError, smtplib.SMTPException):
            d.outcome, d.detail = "failed", mailer.broken
            if test_to is None:
                _log_failure(d, msg, log, d.detail)
            return
    if test_to is None:
        log.record(
            d.name,
            status="sending",
            address=d.address,
            fingerprint=d.fingerprint,
            attachments={a.filename: a.sha256 for a in d.attachments if a.kind != "pdf"},
            message_id=msg["Message-ID"],
        )
    recipient = test_to or d.address
    try:
        mailer.send(msg, sender, recipient)
    except Unsure as exc:
        d.outcome = "unknown"
        d.detail = (
            f"the connection broke while handing the message over ({exc}): it may have been "
            f"delivered; check the mailbox of {recipient} for {msg['Message-ID']}; "
            f"send it again with --resend {d.name!r}"
        )
        return  # the log stays at "sending": never resent by itself
    except (OSError, smtplib.SMTPException) as exc:
        d.outcome, d.detail = "failed", _reason(exc) + " (retried by the next run)"
        if test_to is None:
            log.update(d.name, status="failed", error=_reason(exc))
        return
    d.outcome = "sent"
    d.detail = f"to {test_to}" if test_to else (d.detail or "")
    if test_to is None:
        log.update(d.name, status="sent")


def _log_failure(d: Delivery, msg: EmailMessage, log: SendLog, error: str) -> None:
    log.record(
        d.name,
        status="failed",
        address=d.address,
        fingerprint=d.fingerprint,
        attachments={a.filename: a.sha256 for a in d.attachments if a.kind != "pdf"},
        message_id=msg["Message-ID"],
        error=error,
    )
