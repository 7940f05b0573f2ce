"""When a failed call is retried, how long it waits, and when it gives up.

Most tests run once through `invoke` and once through `ainvoke` (the `call`
fixture), on the fake clock: waits are recorded, never slept.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindError,
    SegmindInsufficientCreditsError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
    get_segmind_callback,
)
from langchain_segmind.testing import FakeClock
from langchain_segmind.transport.deadline import Clock, replaced_clock
from tests.unit_tests.conftest import BrokenBody, openai_payload


def error_answer(
    status: int, request_id: str = "req", **headers: str
) -> httpx2.Response:
    return httpx2.Response(
        status,
        json={"error": f"HTTP {status} from the fake gateway"},
        headers={"x-request-id": request_id, **headers},
    )


def rate_limited(clock, seconds_from_now: float | None = None) -> httpx2.Response:
    """A 429, with `x-rate-limit-reset-at-utc` when `seconds_from_now` is given."""
    if seconds_from_now is None:
        return error_answer(429)
    reset = clock.now() + timedelta(seconds=seconds_from_now)
    header = reset.isoformat().replace("+00:00", "Z")
    return error_answer(429, **{"x-rate-limit-reset-at-utc": header})


@pytest.fixture
def model(make_model) -> ChatSegmindClaude:
    return make_model(max_retries=2, timeout=120)


def check_waits(fake_clock, call, expected: list[float]) -> None:
    """The recorded waits, and that async calls never blocked the event loop."""
    assert fake_clock.waits == pytest.approx(expected)
    if call.is_async:
        assert fake_clock.blocking_waits == []


# -- 429 ----------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [5, 60])
def test_429_then_success_waits_until_the_reset_time(
    model, recorder, fake_clock, call, seconds
):
    recorder.queue(rate_limited(fake_clock, seconds))

    message = call(model, "Hi")

    assert message.content == "echo: Hi"
    assert recorder.count == 2
    check_waits(fake_clock, call, [seconds])


def test_429_with_a_reset_over_60_seconds_away_is_not_retried(
    model, recorder, fake_clock, call
):
    recorder.queue(rate_limited(fake_clock, 61))  # within the call's timeout

    with pytest.raises(SegmindRateLimitError):
        call(model, "Hi")

    assert recorder.count == 1  # a retry before the reset would meet the limit
    check_waits(fake_clock, call, [])


def test_429_with_a_reset_time_in_the_past_retries_at_once(
    model, recorder, fake_clock, call
):
    recorder.queue(rate_limited(fake_clock, -30))

    call(model, "Hi")

    assert recorder.count == 2
    check_waits(fake_clock, call, [0.0])


def test_429_without_reset_header_backs_off_exponentially(
    model, recorder, fake_clock, call
):
    recorder.queue(rate_limited(fake_clock), rate_limited(fake_clock))

    message = call(model, "Hi")

    assert message.content == "echo: Hi"
    assert recorder.count == 3
    check_waits(fake_clock, call, [0.5, 1.0])


def test_429_after_the_last_retry_raises_the_rate_limit_error(
    model, recorder, fake_clock, call
):
    recorder.queue(*(rate_limited(fake_clock, 1) for _ in range(3)))

    with pytest.raises(SegmindRateLimitError):
        call(model, "Hi")
    assert recorder.count == 3
    # The second reset time had passed once the first wait was over.
    check_waits(fake_clock, call, [1.0, 0.0])


# -- 5xx and broken connections -----------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(model, recorder, fake_clock, call, status):
    recorder.queue(error_answer(status))

    message = call(model, "Hi")

    assert message.content == "echo: Hi"
    assert recorder.count == 2
    check_waits(fake_clock, call, [0.5])


def test_backoff_doubles_and_is_capped(make_model, recorder, fake_clock, call):
    model = make_model(max_retries=6, timeout=None)
    recorder.queue(*(error_answer(503) for _ in range(6)))

    call(model, "Hi")

    assert recorder.count == 7
    check_waits(fake_clock, call, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0])


def test_backoff_is_spread_by_the_clocks_jitter(
    model, recorder, fake_clock, call, monkeypatch
):
    monkeypatch.setattr(fake_clock, "jitter", lambda: 0.5)  # the real one: [0.5, 1)
    recorder.queue(error_answer(503), error_answer(503))

    call(model, "Hi")

    check_waits(fake_clock, call, [0.25, 0.5])


def test_after_a_replaced_clock_block_calls_wait_on_the_clock_before_it(
    model, recorder, fake_clock, call
):
    with replaced_clock(FakeClock()):
        pass
    recorder.queue(error_answer(503))

    call(model, "Hi")

    check_waits(fake_clock, call, [0.5])


def test_the_system_clocks_jitter_only_ever_shortens_a_wait_by_up_to_half():
    factors = [Clock().jitter() for _ in range(200)]

    assert all(0.5 <= factor < 1.0 for factor in factors)


@pytest.mark.parametrize(
    "failure",
    [
        httpx2.ConnectError("[Errno 111] Connection refused"),
        httpx2.ProxyError("the proxy refused the tunnel"),
    ],
    ids=["connect", "proxy"],
)
def test_failures_before_sending_are_retried(
    model, recorder, fake_clock, call, failure
):
    recorder.queue(failure)

    message = call(model, "Hi")

    assert message.content == "echo: Hi"
    assert recorder.count == 2
    check_waits(fake_clock, call, [0.5])


@pytest.mark.parametrize(
    "failure",
    [
        httpx2.RemoteProtocolError("Server disconnected without sending a response"),
        httpx2.ReadError("[Errno 104] Connection reset by peer"),
        # A write can fail after the whole request went out (HTTP/2 writes
        # while it waits for the answer).
        httpx2.WriteError("[Errno 32] Broken pipe"),
    ],
    ids=["disconnected", "reset", "write"],
)
def test_a_post_that_may_have_arrived_is_not_sent_again(
    model, recorder, fake_clock, call, failure
):
    # Once the request was written, Segmind may have accepted (and billed) it,
    # even if no answer came back.
    recorder.queue(failure)

    with pytest.raises(SegmindConnectionError, match="may have been billed") as raised:
        call(model, "Hi")
    assert raised.value.is_retryable is False
    assert recorder.count == 1
    assert fake_clock.waits == []


def test_a_retried_request_is_the_same_request(model, recorder, fake_clock, call):
    recorder.queue(error_answer(503))

    call(model, [("system", "sys"), ("human", "Hi")], temperature=0.5)

    first, second = recorder.requests
    assert first.url == second.url
    assert first.body == second.body
    assert first.headers["x-api-key"] == second.headers["x-api-key"] == "test-key"


def test_mixed_failures_share_one_retry_budget(model, recorder, fake_clock, call):
    recorder.queue(
        httpx2.ConnectError("refused"), error_answer(502), error_answer(503, "last")
    )

    with pytest.raises(SegmindServerError) as caught:
        call(model, "Hi")
    assert caught.value.request_id == "last"
    assert recorder.count == 3


@pytest.mark.parametrize(
    "no_connection",
    [
        httpx2.PoolTimeout("no connection came free"),
        httpx2.ConnectTimeout("the TLS handshake took too long"),
    ],
    ids=["none-free", "none-opened"],
)
def test_retries_left_unsent_for_want_of_a_connection_raise_the_last_answer(
    model, recorder, fake_clock, call, no_connection
):
    recorder.queue(error_answer(503, "answered"), no_connection, no_connection)

    with get_segmind_callback() as totals, pytest.raises(SegmindServerError) as caught:
        call(model, "Hi")

    assert caught.value.request_id == "answered"
    assert totals.failed_requests == 1  # Segmind answered one attempt


def test_a_client_closed_after_a_503_is_reported_as_closed(
    model, recorder, fake_clock, call
):
    closed = RuntimeError("Cannot send a request, as the client has been closed.")
    recorder.queue(error_answer(503, "answered"), closed)

    with pytest.raises(SegmindConnectionError, match="client is closed") as caught:
        call(model, "Hi")

    assert caught.value.is_retryable is False


# -- never retried ------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 406, 410, 422])
def test_client_errors_are_not_retried(model, recorder, fake_clock, call, status):
    recorder.queue(error_answer(status))

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")
    assert caught.value.status_code == status
    assert recorder.count == 1
    assert fake_clock.waits == []


def test_timeouts_are_not_retried(model, recorder, fake_clock, call):
    recorder.queue(httpx2.ReadTimeout("timed out"))

    with pytest.raises(SegmindTimeoutError):
        call(model, "Hi")
    assert recorder.count == 1
    assert fake_clock.waits == []


class SlowBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body whose second half (or `then`, raised) comes `late` s into the call."""

    def __init__(
        self, clock: Any, then: Exception | None = None, late: int = 121
    ) -> None:
        self.clock, self.then, self.late = clock, then, late

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"choices": '
        self.clock.waited += self.late
        if self.then is not None:
            raise self.then
        yield b"[]}"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self:
            yield part


@pytest.mark.parametrize("late", [120, 121], ids=["at-the-deadline", "after-it"])
def test_a_timeout_in_the_body_keeps_the_answers_status_and_request_id(
    model, recorder, fake_clock, call, late
):
    headers = {"x-request-id": "req-slow", "content-type": "application/json"}
    slow = SlowBody(fake_clock, late=late)  # the default timeout is 120 s
    recorder.queue(httpx2.Response(200, headers=headers, stream=slow))

    with pytest.raises(SegmindTimeoutError) as caught:
        call(model, "Hi")

    assert (caught.value.status_code, caught.value.request_id) == (200, "req-slow")
    assert "req-slow" in str(caught.value)
    assert recorder.count == 1


@pytest.mark.parametrize(
    ("status", "failure", "error"),
    [
        (503, httpx2.ReadTimeout, SegmindTimeoutError),  # the call's own timeout
        (400, httpx2.ReadError, SegmindBadRequestError),  # the status decides
    ],
    ids=["503-timeout", "400-reset"],
)
def test_an_error_answer_cut_after_the_deadline(
    model, recorder, fake_clock, call, status, failure, error
):
    late = SlowBody(fake_clock, then=failure("the user's client gave up"))
    headers = {"x-request-id": "req-late"}
    recorder.queue(httpx2.Response(status, headers=headers, stream=late))

    with pytest.raises(error) as caught:
        call(model, "Hi")

    assert (caught.value.status_code, caught.value.request_id) == (status, "req-late")
    assert recorder.count == 1


@pytest.mark.parametrize(
    "late",
    [
        httpx2.ConnectError("the user's transport failed late"),
        RuntimeError("Cannot send a request, as the client has been closed."),
    ],
    ids=["connect-error", "client-closed"],
)
def test_a_connect_error_after_the_answer_began_is_not_sent_again(
    model, recorder, fake_clock, call, late
):
    recorder.queue(httpx2.Response(200, stream=BrokenBody(late)))

    with pytest.raises(SegmindResponseError, match="may have been billed") as caught:
        call(model, "Hi")
    assert caught.value.status_code == 200
    assert recorder.count == 1
    assert fake_clock.waits == []


def test_a_503_whose_body_the_users_client_times_out_is_retried(
    model, recorder, fake_clock, call
):
    stalled = httpx2.ReadTimeout("the client's own read timeout")
    recorder.queue(httpx2.Response(503, stream=BrokenBody(stalled)))
    recorder.reply(recorder.anthropic_payload("ok"))

    assert call(model, "Hi").content == "ok"
    assert recorder.count == 2
    assert len(fake_clock.waits) == 1


@pytest.mark.parametrize(
    "failure", [httpx2.ReadTimeout, httpx2.ReadError], ids=["timeout", "reset"]
)
@pytest.mark.parametrize(
    ("status", "text", "error"),
    [
        (406, "Insufficient credits to run it", SegmindInsufficientCreditsError),
        (400, "Invalid request: unsupported parameter", SegmindBadRequestError),
    ],
    ids=["406", "400"],
)
def test_an_error_answer_cut_by_the_users_client_keeps_what_came(
    model, recorder, fake_clock, call, failure, status, text, error
):
    start = b'{"error": "' + text.encode()
    cut = failure("the client's own read timeout, or a reset")
    recorder.queue(httpx2.Response(status, stream=BrokenBody(cut, start)))

    with pytest.raises(error) as caught:
        call(model, "Hi")

    assert text in caught.value.message
    assert caught.value.status_code == status
    assert recorder.count == 1


def test_unreadable_success_is_not_retried(model, recorder, fake_clock, call):
    recorder.queue(httpx2.Response(200, text="<html>oops</html>"))

    with pytest.raises(SegmindError):
        call(model, "Hi")
    assert recorder.count == 1
    assert fake_clock.waits == []


# -- the retry budget ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "max_retries"),
    [
        ({"max_retries": 0}, 0),
        ({"max_retries": 1}, 1),
        ({"max_retries": 3}, 3),
        ({}, 2),
    ],
    ids=["0", "1", "3", "default"],
)
def test_exactly_max_retries_extra_attempts_then_the_last_error(
    make_model, recorder, fake_clock, call, given, max_retries
):
    model = make_model(**given, timeout=None)
    recorder.queue(
        *(error_answer(503, f"attempt-{n}") for n in range(max_retries + 1)),
    )

    with pytest.raises(SegmindServerError) as caught:
        call(model, "Hi")
    assert recorder.count == max_retries + 1
    assert caught.value.request_id == f"attempt-{max_retries}"
    assert len(fake_clock.waits) == max_retries


def test_max_retries_zero_is_a_single_attempt(make_model, recorder, fake_clock, call):
    model = make_model(max_retries=0)
    recorder.queue(httpx2.ConnectError("refused"))

    with pytest.raises(SegmindConnectionError):
        call(model, "Hi")
    assert recorder.count == 1
    assert fake_clock.waits == []


def test_retry_budget_is_per_call(model, recorder, fake_clock, call):
    recorder.queue(error_answer(503), error_answer(503))
    call(model, "first")
    recorder.queue(error_answer(503), error_answer(503))
    call(model, "second")

    assert recorder.count == 6
    assert [r.body["messages"][0]["content"] for r in recorder.requests] == [
        "first"
    ] * 3 + ["second"] * 3


# -- the deadline -------------------------------------------------------------------


def test_no_wait_may_pass_the_deadline(make_model, recorder, fake_clock, call):
    model = make_model(max_retries=5, timeout=1.0)
    recorder.queue(*(error_answer(503, f"attempt-{n}") for n in range(6)))

    with pytest.raises(SegmindServerError) as caught:
        call(model, "Hi")
    # 0.5 s fits in the 1 s budget; the next wait (1.0 s) would end at 1.5 s.
    assert recorder.count == 2
    assert caught.value.request_id == "attempt-1"
    check_waits(fake_clock, call, [0.5])


def test_rate_limit_reset_after_the_deadline_gives_up_at_once(
    make_model, recorder, fake_clock, call
):
    model = make_model(max_retries=3, timeout=10)
    recorder.queue(rate_limited(fake_clock, 30))

    with pytest.raises(SegmindRateLimitError):
        call(model, "Hi")
    assert recorder.count == 1
    assert fake_clock.waits == []


def test_rate_limit_reset_within_the_deadline_is_waited_for(
    make_model, recorder, fake_clock, call
):
    model = make_model(max_retries=3, timeout=10)
    recorder.queue(rate_limited(fake_clock, 7.5))

    call(model, "Hi")

    assert recorder.count == 2
    check_waits(fake_clock, call, [7.5])


@pytest.mark.parametrize("status", [429, 503])
def test_no_post_is_retried_without_time_left_for_its_answer(
    make_model, recorder, fake_clock, call, status
):
    # A retried POST needs a quarter of the timeout left after its wait: sent
    # at the last moment, it would be billed and its answer lost.
    model = make_model(max_retries=3, timeout=10)

    def slow_error(request: httpx2.Request) -> httpx2.Response:
        fake_clock.waited += 7.5  # the attempt took 7.5 s
        return rate_limited(fake_clock, 1) if status == 429 else error_answer(503)

    recorder.queue(slow_error)

    with pytest.raises(SegmindRateLimitError if status == 429 else SegmindServerError):
        call(model, "Hi")

    assert recorder.count == 1


@pytest.mark.parametrize(
    ("fields", "timeout", "connect_by"),
    [({"timeout": 42.0}, 42.0, 37.0), ({}, 120.0, 115.0)],
    ids=["given", "default"],
)
def test_attempts_carry_the_configured_timeout(
    make_model, recorder, fields, timeout, connect_by
):
    make_model(**fields).invoke("Hi")

    # A POST waits for a connection, or opens one, only while it can still
    # be answered.
    assert recorder.last.timeout == {
        **dict.fromkeys(("read", "write"), timeout),
        **dict.fromkeys(("pool", "connect"), connect_by),
    }


def test_without_a_timeout_the_clients_own_pool_wait_applies(make_model, recorder):
    client = httpx2.Client(
        transport=httpx2.MockTransport(recorder), timeout=httpx2.Timeout(5.0)
    )
    make_model(timeout=None, http_client=client).invoke("Hi")

    assert recorder.last.timeout == dict.fromkeys(
        ("connect", "read", "write", "pool"), 5.0
    )


def test_queue_polls_keep_the_whole_time_left_to_wait_for_a_connection(
    make_model, recorder
):
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    recorder.reply({"status": "COMPLETED", "output": recorder.openai_payload("done")})
    make_model(ChatSegmind, model="gpt-4o", api_version="v2", timeout=40.0).invoke("Hi")

    post, *polls = recorder.requests
    assert post.method == "POST"
    assert post.timeout["pool"] == post.timeout["connect"] == 35.0
    assert [poll.method for poll in polls] == ["GET", "GET"]
    assert all(
        poll.timeout["pool"] == poll.timeout["connect"] == poll.timeout["read"] > 35
        for poll in polls
    )


class ReadTimeoutSeen(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """An answer's body that notes the read timeout its reads are given."""

    def __init__(self, request: httpx2.Request, seen: list[float]) -> None:
        self.request, self.seen = request, seen

    def __iter__(self) -> Iterator[bytes]:
        self.seen.append(self.request.extensions["timeout"]["read"])
        yield json.dumps(openai_payload("late")).encode()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self:
            yield part


def test_a_body_is_read_within_the_time_left_when_it_began(
    make_model, recorder, fake_clock, call
):
    seen: list[float] = []

    def head_after_30_seconds(request: httpx2.Request) -> httpx2.Response:
        fake_clock.waited += 30
        return httpx2.Response(200, stream=ReadTimeoutSeen(request, seen))

    recorder.queue(head_after_30_seconds)
    assert call(make_model(timeout=120), "Hi").content == "late"
    assert seen == [90.0]


def test_a_head_after_the_deadline_leaves_its_body_a_positive_read_timeout(
    make_model, recorder, fake_clock, call
):
    seen: list[float] = []

    def head_after_the_deadline(request: httpx2.Request) -> httpx2.Response:
        fake_clock.waited += 70
        return httpx2.Response(200, stream=ReadTimeoutSeen(request, seen))

    recorder.queue(head_after_the_deadline)
    with pytest.raises(SegmindTimeoutError):  # a socket refuses a negative one
        call(make_model(timeout=60), "Hi")
    assert seen == [0.001]


def test_a_users_client_keeps_its_own_shorter_timeouts(make_model, recorder):
    client = httpx2.Client(
        transport=httpx2.MockTransport(recorder), timeout=httpx2.Timeout(3.0, read=60.0)
    )
    make_model(timeout=42.0, http_client=client).invoke("Hi")

    assert recorder.last.timeout == {
        "connect": 3.0,
        "read": 42.0,
        "write": 3.0,
        "pool": 3.0,
    }


def test_retry_log_names_the_wait(model, recorder, fake_clock, call, caplog):
    caplog.set_level("INFO", logger="langchain_segmind")
    recorder.queue(error_answer(503))

    call(model, "Hi")

    messages = [r.getMessage() for r in caplog.records if r.name == "langchain_segmind"]
    assert any("retrying in 0.50s" in m for m in messages)


@pytest.mark.parametrize("line_break", ["\r\n", "\x0b", "\u2028"])
def test_a_servers_error_text_cannot_write_a_log_line(
    model, recorder, fake_clock, call, caplog, line_break
):
    caplog.set_level("INFO", logger="langchain_segmind")
    forged = f"busy{line_break}WARNING:langchain_segmind:re-enter your key at evil"
    recorder.queue(httpx2.Response(503, json={"error": forged}))

    call(model, "Hi")

    (line,) = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert "busy WARNING:langchain_segmind:re-enter" in line
    assert len(line.splitlines()) == 1


def test_no_attempt_may_run_past_the_deadline(make_model, recorder, fake_clock, call):
    model = make_model(max_retries=2, timeout=10)
    attempts: list[tuple[float, float]] = []

    def slow_gateway(status: int):
        def handler(request: httpx2.Request) -> httpx2.Response:
            attempts.append((fake_clock.waited, request.extensions["timeout"]["read"]))
            fake_clock.waited += 6  # the gateway took 6 s to answer
            return (
                error_answer(status)
                if status
                else httpx2.Response(200, json=recorder.anthropic_payload())
            )

        return handler

    recorder.queue(slow_gateway(503), slow_gateway(0))

    with contextlib.suppress(SegmindError):  # giving up in time is fine
        call(model, "Hi")
    for started, read_timeout in attempts:
        assert started + read_timeout <= 10 + 1e-9
