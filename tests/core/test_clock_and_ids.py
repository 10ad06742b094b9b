import uuid

from hypothesis import given
from hypothesis import strategies as st

from models.hlc import MAX_REMOTE_LEAD_MS, HybridClock, pack, wall_ms_of
from models.ids import uuid7


def test_uuid7_has_version_7_and_sorts_by_time():
    early, late = uuid7(now_ms=1_700_000_000_000), uuid7(now_ms=1_700_000_000_001)
    assert early.version == 7 and late.version == 7
    assert early.variant == uuid.RFC_4122
    assert early < late


def test_clock_is_strictly_monotonic_even_when_the_wall_clock_stands_still_or_goes_back():
    times = iter([1000, 1000, 999, 500, 1001])
    clock = HybridClock(wall=lambda: next(times))
    stamps = [clock.tick() for _ in range(5)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    assert wall_ms_of(stamps[-1]) == 1001


@given(st.lists(st.integers(min_value=0, max_value=2**40), min_size=1, max_size=30))
def test_a_tick_after_observing_is_greater_than_everything_observed(remotes):
    clock = HybridClock(wall=lambda: 2**41)  # local wall is ahead of every remote here
    for remote in remotes:
        clock.observe(pack(remote, 5))
    assert clock.tick() > max(pack(r, 5) for r in remotes)


def test_a_peer_clock_far_in_the_future_cannot_drag_ours_more_than_a_day():
    clock = HybridClock(wall=lambda: 1_000_000)
    clock.observe(pack(1_000_000 + 365 * 24 * 3600 * 1000, 0))  # a year fast
    assert wall_ms_of(clock.tick()) <= 1_000_000 + MAX_REMOTE_LEAD_MS + 1
