"""A user's own client whose response hook raises: the status still decides.

A hook that calls `raise_for_status()` turns an error answer into httpx2's
`HTTPStatusError` before the package reads it; the call still gets the typed
error of the status, with the hook's exception as its cause, and the retry
rules of that status.
"""

from __future__ import annotations

import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    SegmindAuthenticationError,
    SegmindError,
    SegmindInsufficientCreditsError,
    SegmindNotFoundError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    forget_known_balances,
)


def _raise_for_status(response: httpx2.Response) -> None:
    response.raise_for_status()


async def _araise_for_status(response: httpx2.Response) -> None:
    response.raise_for_status()


@pytest.fixture
def hooked(make_model, recorder):
    """`hooked(**fields)`: a Claude model on the user's own clients (on the
    recorder), whose response hook raises httpx2's HTTPStatusError."""

    def build(**fields) -> ChatSegmind:
        transport = httpx2.MockTransport(recorder)
        hooks = {"response": [_raise_for_status]}
        async_hooks = {"response": [_araise_for_status]}
        return make_model(
            http_client=httpx2.Client(transport=transport, event_hooks=hooks),
            http_async_client=httpx2.AsyncClient(
                transport=transport, event_hooks=async_hooks
            ),
            **fields,
        )

    return build


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, SegmindAuthenticationError),
        (404, SegmindNotFoundError),
        (429, SegmindRateLimitError),
        (503, SegmindServerError),
    ],
)
def test_a_status_the_users_hook_raises_for_is_its_typed_error(
    hooked, recorder, call, status, error
):
    recorder.queue(
        httpx2.Response(
            status, json={"error": "from Segmind"}, headers={"x-request-id": "req-7"}
        )
    )

    with pytest.raises(SegmindError) as caught:
        call(hooked(max_retries=0), "Hi")

    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.request_id == "req-7"
    # A mock's answer is in memory, as one the hook read is; an unread body on
    # a real connection is gone (test_faults.py).
    assert caught.value.message == "from Segmind"
    assert caught.value.hint is None  # none about the model or base_url: both right
    assert isinstance(caught.value.__cause__, httpx2.HTTPStatusError)
    assert recorder.count == 1


def test_the_balance_of_a_406_the_users_hook_raises_for_refuses_the_next_call(
    hooked, recorder, call
):
    forget_known_balances()
    model = hooked(
        api_key="an-account-of-its-own",
        min_remaining_credits=1,
        raise_on_low_credits=True,
    )
    recorder.fail(406, "Insufficient credits", headers={"x-remaining-credits": "0.5"})
    with pytest.raises(SegmindInsufficientCreditsError) as caught:
        call(model, "one")

    assert caught.value.headers["x-remaining-credits"] == "0.5"
    with pytest.raises(SegmindInsufficientCreditsError, match=r"balance, 0\.5 credits"):
        call(model, "two")
    assert recorder.count == 1


def test_a_429_the_users_hook_raises_for_is_retried_after_its_reset(
    hooked, recorder, fake_clock
):
    recorder.fail(429, headers={"x-rate-limit-reset-at-utc": "2026-01-01T12:00:30Z"})

    message = hooked(max_retries=1).invoke("Hi")

    assert message.content == "echo: Hi"
    assert recorder.count == 2
    assert fake_clock.waits == [30.0]


@pytest.mark.parametrize("status", [300, 307])
def test_a_redirect_the_users_hook_raises_for_is_a_response_error_not_followed(
    hooked, recorder, call, status
):
    moved = "https://elsewhere.example/v1/claude-3.5-sonnet"
    recorder.queue(
        httpx2.Response(status, text=f"Moved to {moved}", headers={"location": moved})
    )

    with pytest.raises(SegmindResponseError) as caught:
        call(hooked(max_retries=2), "Hi")

    assert type(caught.value) is SegmindResponseError
    assert caught.value.status_code == status
    assert caught.value.message.startswith(
        f"Segmind answered with a redirect to {moved!r}; the API key is never sent"
    )
    assert caught.value.is_retryable is False
    assert isinstance(caught.value.__cause__, httpx2.HTTPStatusError)
    assert [sent.url for sent in recorder.requests] == [
        "https://api.segmind.com/v1/claude-3.5-sonnet"
    ]
