from contact_center.security import LoginThrottle, client_address, hash_password, verify_password


def test_pair_backoff_doubles_after_free_attempts() -> None:
    t = LoginThrottle(free_attempts=3, base_delay=1.0)
    for i in range(3):
        assert t.retry_after("bob", "1.2.3.4", now=i) == 0
        t.failed("bob", "1.2.3.4", now=i)
    assert t.retry_after("bob", "1.2.3.4", now=2.0) == 1.0
    t.failed("bob", "1.2.3.4", now=3.0)
    assert t.retry_after("bob", "1.2.3.4", now=3.0) == 2.0
    t.succeeded("bob", "1.2.3.4")
    assert t.retry_after("bob", "1.2.3.4", now=3.0) == 0


def test_many_addresses_cannot_lock_an_account_out() -> None:
    t = LoginThrottle(free_attempts=3)
    for i in range(500):
        t.failed("agent1", f"10.0.{i // 250}.{i % 250}", now=float(i) / 100)
    assert t.retry_after("agent1", "192.0.2.10", now=5.0) == 0


def test_an_address_spraying_accounts_is_paused_for_the_window() -> None:
    t = LoginThrottle(address_limit=10, window=900)
    for i in range(10):
        t.failed(f"user{i}", "198.51.100.7", now=float(i))
    assert t.retry_after("someone-else", "198.51.100.7", now=10.0) == 900 - 10
    assert t.retry_after("someone-else", "198.51.100.8", now=10.0) == 0
    assert t.retry_after("someone-else", "198.51.100.7", now=1000.0) == 0


def test_passwords_are_argon2_and_short_ones_refused() -> None:
    stored = hash_password("long enough pw")
    assert stored.startswith("$argon2")
    assert verify_password(stored, "long enough pw")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "anything")
    try:
        hash_password("short")
    except ValueError as exc:
        assert "at least" in str(exc)
    else:
        raise AssertionError("a short password was accepted")


PROXIES = ("10.0.0.0/24", "fd00::/64")


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert client_address("203.0.113.9", ["1.2.3.4"], PROXIES) == "203.0.113.9"
    assert client_address("203.0.113.9", ["1.2.3.4"], ()) == "203.0.113.9"
    assert client_address("10.0.0.7", ["1.2.3.4"], ()) == "10.0.0.7"
    assert client_address(None, [], PROXIES) == "unknown"


def test_behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() -> None:
    assert client_address("10.0.0.7", ["198.51.100.20"], PROXIES) == "198.51.100.20"
    # The client wrote "1.1.1.1" itself; the proxies appended what they saw.
    assert client_address("10.0.0.7", ["1.1.1.1, 198.51.100.20, 10.0.0.3"], PROXIES) == "198.51.100.20"
    assert client_address("10.0.0.7", ["1.1.1.1", "198.51.100.20,10.0.0.3"], PROXIES) == "198.51.100.20"
    assert client_address("fd00::1", ["2001:db8::5"], PROXIES) == "2001:db8::5"
    assert client_address("10.0.0.7", [], PROXIES) == "10.0.0.7"
    assert client_address("10.0.0.7", ["10.0.0.3"], PROXIES) == "10.0.0.3"  # only proxies: the farthest one
    assert client_address("10.0.0.7", ["198.51.100.20, not-an-address"], PROXIES) == "10.0.0.7"
