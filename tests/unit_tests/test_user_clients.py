"""A user's own client: its headers, what its own code raises, a closed client.

Its headers are sent, but `user-agent` and `accept`, which are the package's.

An exception raised by the user's code (a `MockTransport` handler, a mock, a
client subclass) reaches them unchanged, its traceback intact, and so does one
the HTTP stack raises that no network failure does (a bug, memory or stack run
out); a socket's failure there is a connection error; a closed client
fails at once as not sent, never as "may have been billed", and is not retried;
a request the client cannot encode is an input error, not sent.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any
from unittest import mock

import httpx2
import pytest

from langchain_segmind import SegmindConnectionError, SegmindInputError, __version__


def test_a_users_client_sends_its_headers_but_user_agent_and_accept(
    make_model, recorder, call
):
    client = httpx2.Client(
        transport=httpx2.MockTransport(recorder),
        headers={"x-team": "search", "user-agent": "mine/1", "accept": "text/plain"},
    )
    async_client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(recorder), headers=client.headers
    )
    model = make_model(http_client=client, http_async_client=async_client)

    call(model, "Hi")

    headers = recorder.last.headers
    assert headers["x-team"] == "search"
    assert headers["user-agent"] == f"langchain-segmind/{__version__}"
    assert headers.get_list("accept") == ["application/json"]
    assert client.headers["user-agent"] == "mine/1"  # the client itself unchanged


@pytest.mark.parametrize(
    "failure",
    [
        FileNotFoundError("fixtures/answer.json"),
        RuntimeError("the fixture file is closed"),
        TimeoutError("my own timeout"),
        AssertionError("the handler's own check"),
        # Worded as aiohttp's closed session, yet no RuntimeError of a client.
        ConnectionError("Session is closed"),
    ],
    ids=["os-error", "runtime-error", "timeout-error", "assert", "closed-wording"],
)
def test_the_users_own_exception_reaches_them_unchanged(
    claude, recorder, call, failure
):
    def handler(request: httpx2.Request) -> httpx2.Response:
        fixture_name = "answer.json"  # a local the user may want to inspect
        assert fixture_name
        raise failure

    recorder.queue(handler)

    with pytest.raises(type(failure)) as raised:
        call(claude, "Hi")
    assert raised.value is failure
    frames = []
    tb = raised.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    assert frames[-1].f_locals["fixture_name"] == "answer.json"
    assert recorder.count == 1


def test_a_users_exception_raised_inside_a_library_call_stays_theirs(
    claude, recorder, call
):
    def handler(request: httpx2.Request) -> httpx2.Response:
        request.headers["x-trace-id"]  # raises KeyError inside httpx2's Headers
        return httpx2.Response(200)

    recorder.queue(handler)

    with pytest.raises(KeyError, match="x-trace-id"):
        call(claude, "Hi")
    assert recorder.count == 1


class PolicyError(Exception):
    """An exception of the user's own library."""


@pytest.mark.parametrize("module_name", ["corp_hooks", "__main__"])
def test_a_handler_from_any_module_of_the_users_keeps_its_exception(
    make_model, module_name
):
    # Installed with pip, or typed at a REPL (`<stdin>`): still the user's code.
    source = "def handler(request):\n    raise PolicyError('blocked by policy')\n"
    namespace: dict[str, Any] = {"__name__": module_name, "PolicyError": PolicyError}
    exec(compile(source, "<stdin>", "exec"), namespace)
    client = httpx2.Client(transport=httpx2.MockTransport(namespace["handler"]))

    with pytest.raises(PolicyError, match="blocked by policy"):
        make_model(http_client=client).invoke("Hi")


def test_a_unittest_mock_handlers_exception_stays_the_users(make_model):
    handler = mock.Mock(side_effect=KeyError("user bug"))
    client = httpx2.Client(transport=httpx2.MockTransport(handler))

    with pytest.raises(KeyError, match="user bug"):
        make_model(http_client=client).invoke("Hi")


def test_a_sync_hook_on_an_async_client_raises_its_type_error_unsent(
    make_model, recorder
):
    # httpx2 awaits what the hook returns: a misuse, not a network failure.
    seen: list[httpx2.Request] = []
    client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(recorder),
        event_hooks={"request": [seen.append]},
    )
    model = make_model(http_async_client=client, max_retries=2)

    with pytest.raises(TypeError, match="await") as raised:
        asyncio.run(model.ainvoke("Hi"))

    assert raised.value.__cause__ is None
    assert len(seen) == 1
    assert recorder.count == 0


def test_a_closed_client_of_a_users_subclass_is_not_sent(make_model, recorder):
    class AuditedClient(httpx2.Client):
        def send(self, request: httpx2.Request, **kwargs: Any) -> httpx2.Response:
            return super().send(request, **kwargs)

    client = AuditedClient(transport=httpx2.MockTransport(recorder))
    client.close()

    with pytest.raises(SegmindConnectionError, match="the request was not sent"):
        make_model(http_client=client, max_retries=2).invoke("Hi")
    assert recorder.count == 0


@pytest.mark.parametrize("operation", ["invoke", "resume"])
def test_a_closed_client_fails_at_once_as_not_sent(
    make_model, recorder, fake_clock, call, operation
):
    model = make_model(max_retries=3)
    model.http_client.close()
    asyncio.run(model.http_async_client.aclose())

    if operation == "invoke":
        run = functools.partial(call, model, "Hi")
    elif call.is_async:
        run = functools.partial(asyncio.run, model.aresume("job-1"))
    else:
        run = functools.partial(model.resume, "job-1")

    with pytest.raises(SegmindConnectionError, match="not sent") as raised:
        run()

    assert "billed" not in str(raised.value)
    assert isinstance(raised.value.__cause__, RuntimeError)  # the client's own
    assert raised.value.is_retryable is False
    assert fake_clock.waits == []
    assert recorder.count == 0


def _model_whose_http_stack_raises(
    make_model: Any, failure: Exception
) -> tuple[Any, list[httpx2.Request]]:
    """A model whose every request meets `failure`, raised in a frame of httpx2's
    own, as a bug of the library or a resource running out there would be.

    Returns the model and the list of requests that reached the raise.
    """
    source = "def handler(request):\n    sent.append(request)\n    raise failure\n"
    sent: list[httpx2.Request] = []
    namespace = {"__name__": "httpx2._models", "failure": failure, "sent": sent}
    exec(compile(source, "httpx2/_models.py", "exec"), namespace)
    transport = httpx2.MockTransport(namespace["handler"])
    model = make_model(
        http_client=httpx2.Client(transport=transport),
        http_async_client=httpx2.AsyncClient(transport=transport),
        max_retries=2,
    )
    return model, sent


@pytest.mark.parametrize(
    "failure",
    [
        KeyError("content-length"),
        MemoryError(),
        RecursionError("maximum recursion depth exceeded"),  # a deep caller's
    ],
    ids=["library-bug", "out-of-memory", "deep-caller"],
)
def test_a_bug_or_spent_resource_in_the_http_stack_reaches_them_unchanged(
    make_model, call, failure
):
    model, sent = _model_whose_http_stack_raises(make_model, failure)

    with pytest.raises(type(failure)) as raised:
        call(model, "Hi")

    assert raised.value is failure  # not a connection error "maybe billed"
    assert len(sent) == 1


def test_a_socket_failure_in_the_http_stack_is_a_connection_error(make_model, call):
    model, sent = _model_whose_http_stack_raises(
        make_model, ConnectionResetError(104, "Connection reset by peer")
    )

    with pytest.raises(SegmindConnectionError, match="may have been billed") as raised:
        call(model, "Hi")

    assert isinstance(raised.value.__cause__, ConnectionResetError)
    assert len(sent) == 1


def test_a_connection_error_whose_causes_loop_is_one_of_ours(make_model, call):
    refused, inner = httpx2.ConnectError("refused"), OSError("inner")
    refused.__cause__, inner.__cause__ = inner, refused  # set by hand: a loop
    model, sent = _model_whose_http_stack_raises(make_model, refused)

    with pytest.raises(SegmindConnectionError, match="could not reach Segmind"):
        call(model, "Hi")
    assert len(sent) == 3  # not sent: retried


def test_a_cookie_of_the_users_client_http_cannot_carry_is_an_input_error_unsent(
    make_model, recorder, call
):
    transport = httpx2.MockTransport(recorder)
    jar = {"session": "café"}  # header text is ASCII
    model = make_model(
        http_client=httpx2.Client(transport=transport, cookies=jar),
        http_async_client=httpx2.AsyncClient(transport=transport, cookies=jar),
        max_retries=2,
    )

    with pytest.raises(SegmindInputError, match="cannot be sent as given"):
        call(model, "Hi")
    assert recorder.count == 0
