import random

import pytest

from contact_center.telephony.capacity import CapacityGuard, NoPortsLeft, PortPool


def test_capacity_admits_up_to_the_limit_then_counts_rejections() -> None:
    guard = CapacityGuard(2)
    assert [guard.try_admit() for _ in range(3)] == [True, True, False]
    assert (guard.active, guard.rejected) == (2, 1)
    guard.release()
    assert guard.try_admit()
    guard.release()
    guard.release()
    guard.release()
    assert guard.active == 0


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
