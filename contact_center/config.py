"""Settings: built once from a ``CC_``-prefixed environment mapping and passed down.

Nothing else in the package reads ``os.environ``. A bad value stops start-up with a
message that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from contact_center.domain.metrics.stats import SL_FORMULAS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/contact_center.db"
_PREFIX = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_NODE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # no colon: node ids end Redis key names
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # Several nodes on one Redis: the prefix of every key and channel they share (one cluster per prefix),
    # and this node's name in it (unique per running process; generated when unset).
    redis_prefix: str = "cc"
    node_id: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    secret_key: str = ""
    var_dir: Path = Path("var")
    default_region: str = "US"
    # The centre's own time zone: where "today" starts for the board and reports, and whose clock a callback
    # or a dialled number with no zone of its own goes by.
    timezone: str = "UTC"
    seed_demo: bool = True
    session_hours: int = 12
    cookie_secure: bool = False
    # Telephony (off while sip_registrar is unset).
    sip_registrar: str | None = None
    sip_user: str = "ivr"
    sip_password: str = ""
    sip_local_ip: str = "127.0.0.1"
    sip_local_port: int = 5070
    rtp_ports: tuple[int, int] = (20000, 20999)
    ivr_flow: Path = Path("ivr_flows/main.yaml")
    ivr_flows_dir: Path = Path("ivr_flows")
    # Calls one telephony process carries before it answers 503 (see docs/telephony.md for the measurement).
    sip_max_calls: int = 120
    record_calls: bool = False
    hold_music: Path | None = None
    # Queue metrics: which service-level formula the board shows, and which abandons are too short to count.
    service_level_formula: str = "answered_plus_late_abandons"
    short_abandon_seconds: int = 5
    # An agent whose last desktop is gone this long is made not ready ("disconnected").
    disconnect_grace_seconds: int = 20
    smtp_url: str | None = None  # smtp://[user:password@]host[:port] (smtps:// for TLS); None: mail goes to var/outbox
    mail_from: str = "Contact center <no-reply@localhost>"
    # Replies to case e-mails: the address whose mail the MTA hands to POST /api/v1/inbound-email, and the
    # secret it sends with it (unset: that route answers 503 and case e-mails carry no Reply-To).
    mail_reply_to: str | None = None
    inbound_mail_secret: str | None = None
    public_url: str | None = None  # how customers reach this server (links in e-mails); None: the request's host
    portal_callback_queue: str = "general"  # where a callback a customer asks for on the web waits
    lead_queue: str = "sales"  # whose agents the web form's leads are shared among (fewest open leads first)
    alert_not_ready_seconds: int = 900  # the board alerts when an agent stays not ready longer
    alert_wrap_up_seconds: int = 180  # ... or in wrap-up longer
    # What serving a customer costs, for the profitability table: an hour of a technician's labour, a minute
    # of an agent's call (both in the currency's cents).
    service_hour_cost_cents: int = 6_000
    contact_minute_cost_cents: int = 100
    # Addresses of reverse proxies whose X-Forwarded-For is believed (login throttling keys on the client).
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("CC_VAR_DIR", "var"))
        settings = cls(
            database_url=env.get("CC_DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=env.get("CC_REDIS_URL") or None,
            redis_prefix=_name(env, "CC_REDIS_PREFIX", "cc", _PREFIX, "letters, digits, _ . : -"),
            node_id=_name(env, "CC_NODE_ID", "", _NODE_ID, "letters, digits, _ . -") or None,
            http_host=_host(env, "CC_HTTP_HOST", "127.0.0.1"),
            http_port=_port(env, "CC_HTTP_PORT", 8080),
            secret_key=env.get("CC_SECRET_KEY", ""),
            var_dir=var_dir,
            default_region=_region(env.get("CC_DEFAULT_REGION", "US")),
            timezone=_zone(env.get("CC_TIMEZONE") or "UTC"),
            seed_demo=_bool(env, "CC_SEED_DEMO", True),
            session_hours=_positive_int(env, "CC_SESSION_HOURS", 12, maximum=24 * 90),
            cookie_secure=_bool(env, "CC_COOKIE_SECURE", False),
            sip_registrar=_host_port(env, "CC_SIP_REGISTRAR"),
            sip_user=env.get("CC_SIP_USER", "ivr"),
            sip_password=env.get("CC_SIP_PASSWORD", ""),
            sip_local_ip=env.get("CC_SIP_LOCAL_IP", "127.0.0.1"),
            sip_local_port=_port(env, "CC_SIP_LOCAL_PORT", 5070),
            rtp_ports=_port_range(env, "CC_RTP_PORTS", (20000, 20999)),
            ivr_flow=Path(env["CC_IVR_FLOW"]) if env.get("CC_IVR_FLOW") else _shipped_flows() / "main.yaml",
            ivr_flows_dir=Path(env["CC_IVR_FLOWS_DIR"]) if env.get("CC_IVR_FLOWS_DIR") else _shipped_flows(),
            sip_max_calls=_positive_int(env, "CC_SIP_MAX_CALLS", 120, maximum=2000),
            record_calls=_bool(env, "CC_RECORD_CALLS", False),
            hold_music=Path(env["CC_HOLD_MUSIC"]) if env.get("CC_HOLD_MUSIC") else None,
            service_level_formula=_choice(env, "CC_SERVICE_LEVEL_FORMULA", "answered_plus_late_abandons", SL_FORMULAS),
            short_abandon_seconds=_int_between(env, "CC_SHORT_ABANDON_SECONDS", 5, 0, 120),
            disconnect_grace_seconds=_int_between(env, "CC_DISCONNECT_GRACE_SECONDS", 20, 1, 3600),
            alert_not_ready_seconds=_int_between(env, "CC_ALERT_NOT_READY_SECONDS", 900, 10, 86_400),
            alert_wrap_up_seconds=_int_between(env, "CC_ALERT_WRAP_UP_SECONDS", 180, 10, 86_400),
            service_hour_cost_cents=_int_between(env, "CC_SERVICE_HOUR_COST_CENTS", 6_000, 0, 10**8),
            contact_minute_cost_cents=_int_between(env, "CC_CONTACT_MINUTE_COST_CENTS", 100, 0, 10**6),
            trusted_proxies=_addresses(env, "CC_TRUSTED_PROXIES"),
            smtp_url=env.get("CC_SMTP_URL") or None,
            mail_from=env.get("CC_MAIL_FROM", "Contact center <no-reply@localhost>"),
            mail_reply_to=env.get("CC_MAIL_REPLY_TO") or None,
            inbound_mail_secret=env.get("CC_INBOUND_MAIL_SECRET") or None,
            public_url=(env.get("CC_PUBLIC_URL") or "").rstrip("/") or None,
            portal_callback_queue=env.get("CC_PORTAL_CALLBACK_QUEUE", "general"),
            lead_queue=env.get("CC_LEAD_QUEUE", "sales"),
        )
        if settings.smtp_url and not settings.smtp_url.startswith(("smtp://", "smtps://")):
            raise SettingsError(f"CC_SMTP_URL: {settings.smtp_url!r} is not an smtp:// or smtps:// URL")
        _check_database_url(settings.database_url)
        if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(f"CC_REDIS_URL: {settings.redis_url!r} is not a redis:// URL")
        return settings

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_secret(self) -> Settings:
        """Fill in the secret key: the configured one, else one kept in ``var/secret_key``."""
        if self.secret_key:
            return self
        path = self.var_dir / "secret_key"
        if path.exists():
            key = path.read_text().strip()
        else:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
            with os.fdopen(fd, "w") as handle:
                handle.write(key + "\n")
        return replace(self, secret_key=key)


def _shipped_flows() -> Path:
    """``ivr_flows`` in the working directory, else the flows shipped beside the package (a checkout's)."""
    here = Path("ivr_flows")
    if here.is_dir():
        return here
    shipped = Path(__file__).resolve().parent.parent / "ivr_flows"
    return shipped if shipped.is_dir() else here


def _check_database_url(url: str) -> None:
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise SettingsError(
            f"CC_DATABASE_URL: {url!r} is not supported; use sqlite+aiosqlite:///PATH "
            "or postgresql+asyncpg://USER@HOST/DB"
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a port number") from None
    if not 0 < value <= 65535:
        raise SettingsError(f"{name}: {value} is outside 1-65535")
    return value


def _positive_int(env: Mapping[str, str], name: str, default: int, maximum: int = 2**31 - 1) -> int:
    return _int_between(env, name, default, 1, maximum)


def _int_between(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a whole number") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name}: must be from {minimum} to {maximum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}: {raw!r} is not a yes/no value (use 1/0, true/false)")


def _region(raw: str) -> str:
    region = raw.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise SettingsError(f"CC_DEFAULT_REGION: {raw!r} is not a two-letter region such as US or DE")
    return region


def _zone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"CC_TIMEZONE: {raw!r} is not a time zone such as Europe/Berlin or America/New_York"
        ) from None
    return raw


def _host_port(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if not raw:
        return None
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise SettingsError(f"{name}: {raw!r} is not host:port (e.g. 127.0.0.1:5060)")
    return raw


def _port_range(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name)
    if not raw:
        return default
    lo, sep, hi = raw.partition("-")
    if not sep or not lo.isdigit() or not hi.isdigit():
        raise SettingsError(f"{name}: {raw!r} is not a range like 20000-20999")
    low, high = int(lo), int(hi)
    if not 1024 <= low < high <= 65535:
        raise SettingsError(f"{name}: {raw!r} must satisfy 1024 <= low < high <= 65535")
    return low, high


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if raw not in choices:
        raise SettingsError(f"{name}: {raw!r} is not one of {', '.join(choices)}")
    return raw


def _host(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        if not _HOSTNAME.match(raw) or raw.replace(".", "").isdigit():
            raise SettingsError(f"{name}: {raw!r} is not an IP address or host name") from None
    return raw


def _addresses(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    networks = []
    for part in filter(None, (item.strip() for item in raw.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(
                f"{name}: {part!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)"
            ) from None
    return tuple(networks)


def _name(env: Mapping[str, str], name: str, default: str, pattern: re.Pattern[str], allowed: str) -> str:
    raw = env.get(name) or default
    if raw and not pattern.match(raw):
        raise SettingsError(f"{name}: {raw!r} must be 1-64 characters of {allowed}")
    return raw
