"""How calls are spread over the shared connection pools."""

from __future__ import annotations

import math
from contextlib import ExitStack

from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_segmind import _clients


class Pool:
    """Stands in for an httpx client: records the most calls it had at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0


# Each step leases one more client (True) or ends the oldest lease (False).
steps = st.lists(st.booleans(), min_size=1, max_size=300)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(steps=steps)
def test_no_pool_holds_more_than_its_share_of_the_calls(steps: list[bool]) -> None:
    made: list[Pool] = []

    def make() -> Pool:
        made.append(Pool())
        return made[-1]

    clients = _clients.ClientSet(make)  # type: ignore[type-var]
    open_leases: list[tuple[ExitStack, Pool]] = []
    most_in_flight = 0
    for lease in steps:
        if lease:
            stack = ExitStack()
            pool = stack.enter_context(clients.lease())
            pool.in_flight += 1
            pool.most_in_flight = max(pool.most_in_flight, pool.in_flight)
            open_leases.append((stack, pool))
        elif open_leases:
            stack, pool = open_leases.pop(0)
            pool.in_flight -= 1
            stack.close()
        most_in_flight = max(most_in_flight, len(open_leases))

    # Each pool opens at most as many connections as it had calls at once, so
    # in all no more connections than calls were ever in flight together.
    share = math.ceil(most_in_flight / _clients.POOL_COUNT)
    assert all(pool.most_in_flight <= share for pool in made)
    assert sum(pool.most_in_flight for pool in made) <= most_in_flight
    assert len(made) <= min(_clients.POOL_COUNT, max(most_in_flight, 1))
    assert len(made) == min(_clients.POOL_COUNT, most_in_flight)


def test_sequential_calls_reuse_one_pool() -> None:
    made: list[Pool] = []
    clients = _clients.ClientSet(lambda: made.append(Pool()) or made[-1])  # type: ignore[type-var]
    for _ in range(2 * _clients.POOL_COUNT):
        with clients.lease():
            pass
    assert len(made) == 1
