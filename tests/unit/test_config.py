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
    s = Settings.from_env({"CC_HTTP_PORT": "9000", "CC_REDIS_URL": "redis://127.0.0.1:6379/1",
                           "CC_SIP_REGISTRAR": "127.0.0.1:5060", "CC_RTP_PORTS": "30000-30100",
                           "CC_DATABASE_URL": "postgresql+asyncpg://u@h/db"})  # fmt: skip
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
        ("CC_SESSION_HOURS", "0"),
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
