"""The `segmind_emulator` fixture that installing the package gives pytest.

Each test runs a pytest session of its own in a subprocess (pytester), in a
directory with no conftest: whatever the session finds, it finds through the
package's `pytest11` entry point, as a user's project would.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USERS_TESTS = """
import socket
import sys

from langchain_segmind import ChatSegmindClaude

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


def test_the_fixture_is_a_running_emulator(segmind_emulator):
    seen.append(segmind_emulator)
    assert accepts_connections(segmind_emulator)
    segmind_emulator.script_replies("Why did the cat sit on the laptop?")
    llm = ChatSegmindClaude(
        api_key=segmind_emulator.api_key, base_url=segmind_emulator.base_url
    )
    assert llm.invoke("joke").content == "Why did the cat sit on the laptop?"
    assert len(segmind_emulator.requests) == 1


def test_a_failing_test(segmind_emulator):
    seen.append(segmind_emulator)
    raise AssertionError("this test fails on purpose")


def test_each_test_gets_a_fresh_emulator_and_the_last_ones_are_stopped(
    segmind_emulator,
):
    assert len(seen) == 2
    assert all(earlier is not segmind_emulator for earlier in seen)
    assert segmind_emulator.requests == []
    assert segmind_emulator.remaining_credits == 10_000
    for earlier in seen:
        assert repr(earlier).endswith(", stopped)")
        if earlier.port != segmind_emulator.port:  # the port may be reused
            assert not accepts_connections(earlier)
"""


def test_the_fixture_yields_a_running_emulator_and_stops_it_after_each_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_users_chain=USERS_TESTS)
    # -W error turns any warning into a failure; pytest-asyncio warns when
    # its loop scope is left unset, which is not this plugin's business.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "error", "-v", timeout=120
    )

    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_a_test_without_the_fixture_pays_nothing_for_it PASSED*",
            "*test_the_fixture_is_a_running_emulator PASSED*",
            "*test_a_failing_test FAILED*",
            "*test_each_test_gets_a_fresh_emulator_and_the_last_ones_are_stopped "
            "PASSED*",
        ]
    )
    assert "this test fails on purpose" in result.stdout.str()


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
            "*A running `SegmindEmulator` on 127.0.0.1, stopped after the test.*",
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
