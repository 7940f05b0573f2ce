"""Errors that say what to do: the limit and remedy, a slug to try, how to top up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    SegmindBadRequestError,
    SegmindInsufficientCreditsError,
    SegmindNotFoundError,
    SegmindRateLimitError,
    SegmindTimeoutError,
)


def too_late(fake_clock, timeout: float) -> Callable[[httpx2.Request], Any]:
    """An answer for the recorder: the call's whole `timeout` goes by, then the
    read times out."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        fake_clock.waited += timeout
        raise httpx2.ReadTimeout("timed out", request=request)

    return answer


def test_a_timeout_names_the_limit_and_the_remedies(
    make_model, recorder, call, fake_clock
):
    model = make_model(ChatSegmind, model="gpt-4o", timeout=5)
    recorder.queue(too_late(fake_clock, 5))

    with pytest.raises(SegmindTimeoutError) as raised:
        call(model, "Hi")

    text = str(raised.value)
    assert "timeout=5s" in text
    assert "Raise `timeout`" in text
    assert 'api_version="v2"' in text


def test_a_v2_submit_out_of_time_has_no_job_and_says_so(
    make_model, recorder, call, fake_clock
):
    model = make_model(ChatSegmind, model="gpt-4o", timeout=5, api_version="v2")
    recorder.queue(too_late(fake_clock, 5))

    with pytest.raises(SegmindTimeoutError) as raised:
        call(model, "Hi")

    text = str(raised.value)
    assert raised.value.job is None
    assert "its id never arrived, so it cannot be collected" in text
    assert "resume" not in text
    assert 'api_version="v2"' not in text


def test_a_429_raised_before_its_reset_says_when_the_limit_resets(
    make_model, recorder, call, caplog
):
    # 90 s after the fake clock's now: too far to wait for, so raised at once.
    reset = {"x-rate-limit-reset-at-utc": "2026-01-01T12:01:30Z"}
    recorder.fail(429, "Please retry after the reset time.", headers=reset)
    caplog.set_level("INFO", logger="langchain_segmind")

    with pytest.raises(SegmindRateLimitError) as raised:
        call(make_model(ChatSegmind, model="gpt-4o"), "Hi")

    assert recorder.count == 1
    assert "rate limit resets at 2026-01-01 12:01:30 UTC" in str(raised.value)
    [logged] = [r.getMessage() for r in caplog.records if "HTTP 429" in r.getMessage()]
    assert logged.endswith("resets at 2026-01-01 12:01:30 UTC; giving up")


@pytest.mark.parametrize("slug", ["claude-4.5-sonet", "Claude-4.5-Sonnet"])
def test_a_404_for_a_mistyped_slug_suggests_the_closest_known_one(
    make_model, recorder, call, slug
):
    model = make_model(ChatSegmind, model=slug)
    recorder.fail(404, "Model not found")

    with pytest.raises(SegmindNotFoundError) as raised:
        call(model, "Hi")

    error = raised.value
    assert error.message == "Model not found"  # Segmind's own words, unchanged
    assert "did you mean 'claude-4.5-sonnet'?" in error.hint
    assert "Hint: " in str(error)
    assert "base_url" not in error.hint


@pytest.mark.parametrize(
    ("provider_id", "slug"),
    [
        ("claude-sonnet-4-5", "claude-4.5-sonnet"),
        ("claude-sonnet-4-5-20250929", "claude-4.5-sonnet"),
        ("claude-3-5-sonnet-20240620", "claude-3.5-sonnet"),
        ("claude-3-5-sonnet-latest", "claude-3.5-sonnet"),
        ("claude-opus-4-7", "claude-opus-4.7"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
    ],
)
def test_a_404_for_a_providers_model_id_suggests_segminds_slug_for_it(
    make_model, recorder, provider_id, slug
):
    model = make_model(ChatSegmind, model=provider_id)
    recorder.fail(404, "Model not found")

    with pytest.raises(SegmindNotFoundError) as raised:
        model.invoke("Hi")

    assert f"did you mean {slug!r}?" in raised.value.hint


def test_a_404_for_a_known_slug_suggests_no_other(make_model, recorder, call):
    model = make_model(ChatSegmind, model="gpt-4o")
    recorder.fail(404, "Not found")

    with pytest.raises(SegmindNotFoundError) as raised:
        call(model, "Hi")

    assert raised.value.hint is None
    assert "Hint" not in str(raised.value)


def test_a_base_url_without_v1_gets_a_hint(make_model, recorder, call):
    model = make_model(ChatSegmind, model="gpt-4o", base_url="https://api.segmind.com")
    recorder.fail(404, "Not found")

    with pytest.raises(SegmindNotFoundError) as raised:
        call(model, "Hi")

    assert recorder.last.url == "https://api.segmind.com/gpt-4o"
    assert "base_url has no /v1 segment" in raised.value.hint
    assert "https://api.segmind.com/v1" in str(raised.value)


def test_a_base_url_that_holds_the_slug_gets_a_hint(make_model, recorder, call):
    base_url = "https://api.segmind.com/v1/gpt-4o"
    model = make_model(ChatSegmind, model="gpt-4o", base_url=base_url)
    recorder.fail(404, "Not found")

    with pytest.raises(SegmindNotFoundError) as raised:
        call(model, "Hi")

    assert "base_url goes on past /v1" in raised.value.hint
    assert "no /v1 segment" not in raised.value.hint


def test_a_proxys_407_names_the_proxy_settings(claude, recorder, call):
    recorder.fail(407, "Proxy Authentication Required")

    with pytest.raises(SegmindBadRequestError) as raised:
        call(claude, "Hi")

    assert raised.value.hint == (
        "A proxy refused its credentials: check HTTP_PROXY / ALL_PROXY."
    )


@pytest.mark.parametrize(
    "message",
    [
        "Insufficient credits: balance 0.01, cost 0.05",
        "Insufficient balance: your balance is 0.01 and this request costs 0.05",
    ],
)
def test_out_of_credits_says_how_to_top_up(make_model, recorder, call, message):
    model = make_model(ChatSegmind, model="gpt-4o")
    recorder.fail(406, message)

    with pytest.raises(SegmindInsufficientCreditsError) as raised:
        call(model, "Hi")

    hint = raised.value.hint
    assert "Add credits" in hint
    assert "forget_known_balances()" in hint
