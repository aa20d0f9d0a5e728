"""Delivery: every manager receives their own report by e-mail, every month, and no one else's.

``workbench send`` (:func:`send_reports`) mails each person in the batch's roster one
message: a manager their own ``report.html`` (and a PDF with ``--pdf``), a team head or the
head of sales the department's index and team overview (with their own report when they
sell). Before a message goes out, every attachment is checked to be the recipient's own (the
manager stamped into the page by the runner must be the roster entry of that address), and a
per-period send log (``send_log.json``) records "sending" before and "sent" after each SMTP
transaction, so a rerun sends only what was never sent and a crash is never resent blindly.
"""

from __future__ import annotations

from workbench.delivery.config import SmtpConfig, load_smtp_config
from workbench.delivery.errors import DeliveryError
from workbench.delivery.send import SendResult, send_reports

__all__ = ["DeliveryError", "SendResult", "SmtpConfig", "load_smtp_config", "send_reports"]
