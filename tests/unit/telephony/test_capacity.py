import random

import pytest

from contact_center.telephony.capacity import CapacityGuard, NoPortsLeft, PortPool, default_reserve


def test_capacity_admits_up_to_the_limit_then_counts_rejections() -> None:
    guard = CapacityGuard(2, reserve=0)
    assert [guard.try_admit() for _ in range(3)] == [True, True, False]
    assert (guard.active, guard.rejected) == (2, 1)
    guard.release()
    assert guard.try_admit()
    guard.release()
    guard.release()
    guard.release()
    assert guard.active == 0


def test_inbound_calls_leave_the_reserve_to_agent_legs() -> None:
    guard = CapacityGuard(8, reserve=2)
    assert [guard.try_admit(inbound=True) for _ in range(7)] == [True] * 6 + [False]
    # the queue is full of callers on hold, and agents can still be connected
    assert [guard.try_admit(inbound=False) for _ in range(3)] == [True, True, False]
    assert (guard.active, guard.rejected) == (8, 2)
    guard.release()
    assert not guard.try_admit(inbound=True)  # 7 legs up: still above the inbound limit of 6
    assert guard.try_admit(inbound=False)


def test_default_reserve_is_a_quarter_at_least_two_at_most_half() -> None:
    assert [default_reserve(n) for n in (1, 2, 3, 4, 8, 60, 100)] == [0, 1, 1, 2, 2, 15, 25]
    assert CapacityGuard(60).inbound_limit == 45
    with pytest.raises(ValueError, match="reserve"):
        CapacityGuard(4, reserve=4)


def test_port_pool_hands_out_even_ports_and_takes_them_back() -> None:
    pool = PortPool(20001, 20010, random.Random(1))
    taken = {pool.take() for _ in range(pool.size)}
    assert taken == {20002, 20004, 20006, 20008, 20010}
    with pytest.raises(NoPortsLeft):
        pool.take()
    pool.give_back(20004)
    pool.give_back(20004)  # twice is harmless
    assert pool.in_use == taken - {20004}
    assert pool.take() == 20004


def test_port_pool_rejects_bad_ranges() -> None:
    with pytest.raises(ValueError):
        PortPool(20000, 10000)
    with pytest.raises(ValueError):
        PortPool(20001, 20001)
