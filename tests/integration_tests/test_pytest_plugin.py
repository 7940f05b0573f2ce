"""The `segmind_emulator` fixture that installing the package gives pytest.

Each test runs a pytest session of its own in a subprocess (pytester), in a
directory with no conftest: whatever the session finds, it finds through the
package's `pytest11` entry point, as a user's project would.
"""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from langchain_segmind import testing
from langchain_segmind.testing import pytest_plugin

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _without_heavy_plugins(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test environment's heaviest plugins, which the sessions do not use:
    # loading them takes about 2 s a session.
    heavy = ("hypothesispytest", "langsmith_plugin", "codspeed", "recording")
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p no:{name}" for name in heavy))


USERS_TESTS = """
import asyncio
import socket
import sys

import pytest

from langchain_segmind import (
    ChatSegmind,
    SegmindAuthenticationError,
    SegmindLowCreditsWarning,
    SegmindTimeoutError,
)
from langchain_segmind.testing import Fault

# The app's models, built at import: one with no key and the default base URL,
# one with a key of its own, one that guards the balance.
llm = ChatSegmind(model="gpt-4o")
keyed = ChatSegmind(model="gpt-4o", api_key="a-key-for-the-real-api")
guarded = ChatSegmind(model="gpt-4o", min_remaining_credits=100)

seen = []


def accepts_connections(emulator):
    try:
        socket.create_connection((emulator.host, emulator.port), timeout=2).close()
    except OSError:
        return False
    return True


def test_a_test_without_the_fixture_pays_nothing_for_it():
    assert "langchain_segmind.testing.pytest_plugin" in sys.modules
    assert "langchain_segmind.testing._emulator" not in sys.modules


def test_the_apps_models_call_the_fixtures_emulator(segmind_emulator):
    seen.append(segmind_emulator)
    assert accepts_connections(segmind_emulator)
    segmind_emulator.script_replies("sync answer", "async answer")
    assert llm.invoke("joke").content == "sync answer"
    assert asyncio.run(llm.ainvoke("joke")).content == "async answer"
    assert keyed.invoke("joke").content.endswith("to: joke")
    assert [r.path for r in segmind_emulator.requests] == ["/v1/gpt-4o"] * 3


def test_retries_wait_on_the_fake_clock(segmind_emulator):
    seen.append(segmind_emulator)
    segmind_emulator.inject(Fault.server_error(503))
    assert llm.invoke("hi").content.endswith("to: hi")
    segmind_emulator.inject(Fault.server_error(502))
    assert asyncio.run(llm.ainvoke("hi")).content.endswith("to: hi")
    assert len(segmind_emulator.clock.waits) == 2
    assert min(segmind_emulator.clock.waits) > 0
    assert len(segmind_emulator.requests) == 4


def test_a_timeout_still_ends_a_sync_call(segmind_emulator):
    segmind_emulator.inject(Fault.drip_feed(0.05))
    with pytest.raises(SegmindTimeoutError):
        ChatSegmind(model="gpt-4o", timeout=0.5, max_retries=0).invoke("hi")


def test_the_balance_guard_reads_the_emulators_balance(segmind_emulator):
    segmind_emulator.remaining_credits = 50
    guarded.invoke("hi")
    with pytest.warns(SegmindLowCreditsWarning):
        guarded.invoke("again")


def test_the_balance_seen_there_is_forgotten_after_the_fixture():
    with pytest.raises(SegmindAuthenticationError):  # no key here; not a warning
        guarded.invoke("hi")


def test_a_failing_test(segmind_emulator):
    seen.append(segmind_emulator)
    raise AssertionError("this test fails on purpose")


def test_outside_the_fixture_nothing_is_redirected():
    from langchain_segmind.testing import SegmindEmulator

    with SegmindEmulator(api_key="own-key") as own:
        model = ChatSegmind(model="gpt-4o", api_key="own-key", base_url=own.base_url)
        model.invoke("hi")
        assert len(own.requests) == 1


def test_each_test_gets_a_fresh_emulator_and_the_last_ones_are_stopped(
    segmind_emulator,
):
    assert len(seen) == 3
    assert len({id(earlier) for earlier in [*seen, segmind_emulator]}) == 4
    assert segmind_emulator.requests == []
    assert segmind_emulator.clock.waits == []
    assert segmind_emulator.remaining_credits == 10_000
    guarded.invoke("hi")  # no low balance remembered from the test before
    for earlier in seen:
        assert repr(earlier).endswith(", stopped)")
        if earlier.port != segmind_emulator.port:  # the port may be reused
            assert not accepts_connections(earlier)
"""


def test_the_fixture_serves_the_apps_models_and_stops_after_each_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    pytester.makepyfile(test_users_chain=USERS_TESTS)
    # -W error turns any warning into a failure; pytest-asyncio warns when
    # its loop scope is left unset, which is not this plugin's business.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "error", "-v", timeout=120
    )

    result.assert_outcomes(passed=8, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_a_test_without_the_fixture_pays_nothing_for_it PASSED*",
            "*test_the_apps_models_call_the_fixtures_emulator PASSED*",
            "*test_retries_wait_on_the_fake_clock PASSED*",
            "*test_a_timeout_still_ends_a_sync_call PASSED*",
            "*test_the_balance_guard_reads_the_emulators_balance PASSED*",
            "*test_the_balance_seen_there_is_forgotten_after_the_fixture PASSED*",
            "*test_a_failing_test FAILED*",
            "*test_outside_the_fixture_nothing_is_redirected PASSED*",
            "*test_each_test_gets_a_fresh_emulator_and_the_last_ones_are_stopped "
            "PASSED*",
        ]
    )
    assert "this test fails on purpose" in result.stdout.str()


@pytest.mark.parametrize("module", [testing, pytest_plugin], ids=lambda m: m.__name__)
def test_the_documented_example_passes_under_strict_asyncio(
    pytester: pytest.Pytester, module: ModuleType
) -> None:
    (example,) = re.findall(r"```python\n(.*?)```", module.__doc__ or "", re.DOTALL)
    pytester.makepyfile(test_documented=example)
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "error", timeout=120
    )

    result.assert_outcomes(passed=2)


def test_pytest_lists_the_fixture_from_the_installed_plugin(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_subprocess(
        "--fixtures", "-p", "no:cacheprovider", timeout=120
    )

    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*fixtures defined from langchain_segmind.testing.pytest_plugin*",
            "segmind_emulator*",
            "*A running emulator that the default clients call, stopped after the "
            "test.*",
        ]
    )


def test_the_plugin_can_be_turned_off_by_its_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_users_chain="""
        def test_plain():
            assert True

        def test_uses_it(segmind_emulator):
            pass
        """
    )

    result = pytester.runpytest_subprocess(
        "-p", "no:segmind", "-p", "no:cacheprovider", timeout=120
    )

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'segmind_emulator' not found*"])


def test_blocked_sockets_name_the_option_that_lets_the_emulator_listen(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_users_chain="""
        def test_uses_it(segmind_emulator):
            pass
        """
    )

    result = pytester.runpytest_subprocess(
        "--disable-socket", "-p", "no:cacheprovider", timeout=120
    )

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*SocketBlockedError*",
            "*if pytest-socket blocked it, pass --allow-hosts=127.0.0.1",
        ]
    )
    pytester.runpytest_subprocess(
        "--disable-socket",
        "--allow-hosts=127.0.0.1",
        "-p",
        "no:cacheprovider",
        timeout=120,
    ).assert_outcomes(passed=1)
