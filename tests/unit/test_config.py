from pathlib import Path

import pytest

from contact_center.config import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_defaults_are_the_embedded_single_process_setup() -> None:
    s = Settings.from_env({})
    assert s.database_url == DEFAULT_DATABASE_URL and s.is_sqlite
    assert s.redis_url is None and s.sip_registrar is None
    assert (s.http_host, s.http_port) == ("127.0.0.1", 8080)
    assert s.rtp_ports == (20000, 20999) and s.ivr_flow == Path("ivr_flows/main.yaml")


def test_values_are_read_from_cc_variables() -> None:
    s = Settings.from_env(
        {
            "CC_HTTP_PORT": "9000",
            "CC_REDIS_URL": "redis://127.0.0.1:6379/1",
            "CC_SIP_REGISTRAR": "127.0.0.1:5060",
            "CC_RTP_PORTS": "30000-30100",
            "CC_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        }
    )
    assert s.http_port == 9000 and s.redis_url == "redis://127.0.0.1:6379/1"
    assert s.sip_registrar == "127.0.0.1:5060" and s.rtp_ports == (30000, 30100)
    assert not s.is_sqlite


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CC_HTTP_PORT", "eighty"),
        ("CC_HTTP_PORT", "70000"),
        ("CC_DATABASE_URL", "mysql://x"),
        ("CC_REDIS_URL", "http://x"),
        ("CC_SIP_REGISTRAR", "localhost"),
        ("CC_RTP_PORTS", "20000"),
        ("CC_RTP_PORTS", "30000-20000"),
        ("CC_SEED_DEMO", "maybe"),
        ("CC_DEFAULT_REGION", "XX"),
        ("CC_TIMEZONE", "Mars/Olympus"),
        ("CC_SESSION_HOURS", "0"),
        ("CC_NODE_ID", "node:1"),  # node ids end key names
        ("CC_REDIS_PREFIX", "a prefix"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    s = Settings(var_dir=tmp_path / "var")
    first = s.with_secret().secret_key
    assert len(first) > 40
    assert s.with_secret().secret_key == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_new_settings_read_and_checked() -> None:
    settings = Settings.from_env(
        {
            "CC_SIP_MAX_CALLS": "80",
            "CC_RECORD_CALLS": "1",
            "CC_HOLD_MUSIC": "/srv/moh.wav",
            "CC_SERVICE_LEVEL_FORMULA": "answered",
            "CC_SHORT_ABANDON_SECONDS": "0",
            "CC_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/24",
            "CC_TIMEZONE": "Europe/Berlin",
        }
    )
    assert settings.sip_max_calls == 80
    assert settings.record_calls is True
    assert str(settings.hold_music) == "/srv/moh.wav"
    assert settings.service_level_formula == "answered"
    assert settings.short_abandon_seconds == 0
    assert settings.trusted_proxies == ("10.0.0.5/32", "192.168.0.0/24")
    assert str(settings.zone) == "Europe/Berlin"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CC_SIP_MAX_CALLS", "0"),
        ("CC_SERVICE_LEVEL_FORMULA", "magic"),
        ("CC_SHORT_ABANDON_SECONDS", "-1"),
        ("CC_TRUSTED_PROXIES", "10.0.0.300"),
        ("CC_HTTP_HOST", "999.1.1.1"),
        ("CC_HTTP_HOST", "bad host"),
        ("CC_HTTP_PORT", "0"),
    ],
)
def test_bad_new_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_several_nodes_name_their_cluster_and_themselves() -> None:
    assert Settings.from_env({}).redis_prefix == "cc" and Settings.from_env({}).node_id is None
    s = Settings.from_env({"CC_REDIS_PREFIX": "acme:prod", "CC_NODE_ID": "node-2.eu"})
    assert (s.redis_prefix, s.node_id) == ("acme:prod", "node-2.eu")
