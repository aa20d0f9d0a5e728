"""SMTP settings: a TOML or YAML file and ``WORKBENCH_SMTP_*`` variables; never a password file.

Settings (file keys, top level or under ``[smtp]``; the environment variable overrides)::

    host      WORKBENCH_SMTP_HOST      mail server name
    port      WORKBENCH_SMTP_PORT      default 587 (starttls), 465 (ssl), 25 (none)
    security  WORKBENCH_SMTP_SECURITY  starttls (default) | ssl | none
    user      WORKBENCH_SMTP_USER      login name; no login when empty
    from      WORKBENCH_SMTP_FROM      sender address (default: user, if it is an address)
    cafile    WORKBENCH_SMTP_CAFILE    extra CA certificates (PEM) to trust, e.g. an internal CA
    timeout   WORKBENCH_SMTP_TIMEOUT   seconds per network operation (default 30)

The password is read only from ``WORKBENCH_SMTP_PASSWORD`` or, when the ``keyring`` package is
installed, from the system keyring (service ``workbench-smtp``, the user name): a ``password``
key in a file is refused, so that no password is ever committed with the project.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.delivery.errors import DeliveryError

__all__ = ["KEYRING_SERVICE", "SECURITY", "SmtpConfig", "load_smtp_config", "valid_address"]

KEYRING_SERVICE = "workbench-smtp"
SECURITY = ("starttls", "ssl", "none")
_DEFAULT_PORT = {"starttls": 587, "ssl": 465, "none": 25}
_KEYS = ("host", "port", "security", "user", "from", "cafile", "timeout")
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[A-Za-z0-9-]{2,}$")
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def valid_address(address: str) -> bool:
    """A plain ASCII ``local@domain.tld`` address: no spaces, brackets, commas or quotes."""
    return address.isascii() and bool(_ADDRESS.match(address))


@dataclass
class SmtpConfig:
    """Where and how to send. ``password`` is never shown (``repr``) nor read from a file."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    cafile: str = ""
    timeout: float = 30.0
    password: str = field(default="", repr=False)

    def check(self) -> None:
        """Raise :class:`DeliveryError` unless the settings can send mail."""
        if not self.host:
            raise DeliveryError(
                "no SMTP host: set host in --smtp-config or WORKBENCH_SMTP_HOST "
                "(or use --dry-run to write the messages to the outbox)"
            )
        if not self.sender or not valid_address(self.sender):
            raise DeliveryError(
                f"no valid sender address ({self.sender!r}): set from in --smtp-config "
                "or WORKBENCH_SMTP_FROM"
            )
        if self.user and not self.password:
            raise DeliveryError(
                f"SMTP user {self.user!r} has no password: set WORKBENCH_SMTP_PASSWORD "
                f"(or store it with keyring under service {KEYRING_SERVICE!r})"
            )
        if self.password and self.security == "none" and self.host not in _LOOPBACK:
            raise DeliveryError(
                f"refusing to send a password unencrypted to {self.host}: "
                "use security = starttls or ssl"
            )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DeliveryError(f"cannot read the SMTP configuration {path}: {exc}") from exc
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text) or {}
        else:
            raise DeliveryError(f"{path}: the SMTP configuration must be .toml, .yaml or .yml")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise DeliveryError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, dict):
        raise DeliveryError(f"{path}: expected a table of settings, got {type(data).__name__}")
    if isinstance(data.get("smtp"), dict):
        data = data["smtp"]
    if "password" in data:
        raise DeliveryError(
            f"{path}: a password is never read from a file (it would end up in the project): "
            "remove it and set WORKBENCH_SMTP_PASSWORD, or store it in the keyring"
        )
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise DeliveryError(f"{path}: unknown SMTP settings {unknown} (known: {list(_KEYS)})")
    return data


def _keyring_password(user: str) -> str:
    try:
        import keyring  # optional
    except ImportError:
        return ""
    try:
        return keyring.get_password(KEYRING_SERVICE, user) or ""
    except Exception:  # no usable keyring backend on this machine
        return ""


def load_smtp_config(
    path: str | Path | None = None, *, env: Mapping[str, str] | None = None
) -> SmtpConfig:
    """Settings from ``path`` (optional) overridden by ``WORKBENCH_SMTP_*`` in ``env``.

    Not checked for completeness here (a dry run needs none): see :meth:`SmtpConfig.check`.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = _read_file(Path(path)) if path else {}
    for key in _KEYS:
        var = f"WORKBENCH_SMTP_{key.upper()}"
        if env.get(var):
            values[key] = env[var]
    security = str(values.get("security") or "starttls").lower()
    if security not in SECURITY:
        raise DeliveryError(f"SMTP security must be one of {SECURITY}, got {security!r}")
    try:
        port = int(values.get("port") or _DEFAULT_PORT[security])
        timeout = float(values.get("timeout") or 30)
    except ValueError as exc:
        raise DeliveryError(f"SMTP port and timeout must be numbers: {exc}") from exc
    user = str(values.get("user") or "")
    sender = str(values.get("from") or (user if valid_address(user) else ""))
    password = env.get("WORKBENCH_SMTP_PASSWORD") or (_keyring_password(user) if user else "")
    return SmtpConfig(
        host=str(values.get("host") or ""),
        port=port,
        security=security,
        user=user,
        sender=sender,
        cafile=str(values.get("cafile") or ""),
        timeout=timeout,
        password=password,
    )
