"""A v2 job: polls are GETs, and each failure a typed error that keeps the job."""

from __future__ import annotations

import httpx2
import pytest
from langchain_core import exceptions as core

from langchain_segmind import (
    ChatSegmind,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindContextOverflowError,
    SegmindError,
    SegmindRateLimitError,
    SegmindResponseError,
)

from .conftest import BrokenBody


def test_a_v2_jobs_polls_are_gets_without_a_body(make_model, recorder):
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    recorder.reply({"status": "COMPLETED", "output": recorder.openai_payload("done")})

    make_model(ChatSegmind, model="gpt-4o", api_version="v2").invoke("Hi")

    submit, *polls = recorder.requests
    assert submit.headers["content-type"] == "application/json"
    assert [poll.method for poll in polls] == ["GET", "GET"]
    for poll in polls:
        assert "content-length" not in poll.headers
        assert "content-type" not in poll.headers
        assert poll.headers["x-api-key"] == "test-key"


@pytest.mark.parametrize("result_status", [422, 200])
def test_a_v2_job_that_failed_on_a_too_long_prompt_is_a_context_overflow(
    make_model, recorder, call, result_status
):
    model = make_model(ChatSegmind, model="gpt-4o", api_version="v2")
    base = "https://api.segmind.com/v2/requests/job-1"
    recorder.queue(
        httpx2.Response(
            200,
            json={
                "request_id": "job-1",
                "status_url": f"{base}/status",
                "response_url": base,
            },
        ),
        httpx2.Response(200, json={"status": "FAILED"}),
        httpx2.Response(
            result_status,
            json={"status": "FAILED", "error": "prompt is too long: 9 > 8 tokens"},
        ),
    )

    with pytest.raises(SegmindContextOverflowError) as raised:
        call(model, "Hi")

    assert isinstance(raised.value, core.ContextOverflowError)
    assert raised.value.job is not None
    assert raised.value.job.request_id == "job-1"


def test_a_v2_poll_refused_with_an_html_page_keeps_its_type_and_the_job(
    make_model, recorder
):
    # Only the result's 422 says the job failed: a 405 says nothing of the job.
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply(text="<html>Method Not Allowed</html>", status=405, headers={})

    with pytest.raises(SegmindBadRequestError) as raised:
        make_model(ChatSegmind, model="gpt-4o", api_version="v2").invoke("Hi")

    assert type(raised.value) is SegmindBadRequestError
    assert raised.value.job is not None
    assert raised.value.request_id == "job-1"
    assert raised.value.hint.startswith("Segmind accepted the job")  # its only hint
    assert "llm.resume(error.job)" in str(raised.value)


def test_a_users_hook_failing_on_a_v2_poll_is_the_cause_its_text_not_copied(
    recorder,
):
    def refuse_polls(request: httpx2.Request) -> None:
        if request.method == "GET":
            raise RuntimeError("hook refused sk-user-text")

    client = httpx2.Client(
        transport=httpx2.MockTransport(recorder),
        event_hooks={"request": [refuse_polls]},
    )
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    model = ChatSegmind(
        model="gpt-4o", api_key="k", api_version="v2", http_client=client
    )

    with pytest.raises(SegmindConnectionError) as raised:
        model.invoke("Hi")

    assert "sk-user-text" not in raised.value.message
    assert "RuntimeError" in raised.value.message
    assert str(raised.value.__cause__) == "hook refused sk-user-text"
    assert raised.value.job is not None


def test_an_accepted_job_is_logged_with_its_id_quoted(make_model, recorder, caplog):
    # A server's id cannot write a log line of its own.
    forged = "job-1\nSegmind accepted v2 job forged"
    base = "https://api.segmind.com/v2/requests/job-1"
    urls = {"status_url": f"{base}/status", "response_url": base}
    recorder.reply({"request_id": forged, "status": "QUEUED", **urls})
    recorder.reply({"status": "FAILED"})
    recorder.reply({"status": "FAILED", "error": "boom"}, status=422)
    caplog.set_level("INFO", logger="langchain_segmind")

    with pytest.raises(SegmindError):
        make_model(ChatSegmind, model="gpt-4o", api_version="v2").invoke("Hi")

    [accepted] = [r for r in caplog.records if "accepted" in r.getMessage()]
    assert "\n" not in accepted.getMessage()
    assert repr(forged) in accepted.getMessage()


def test_a_v2_job_output_of_too_many_json_values_is_refused(make_model, recorder):
    # The output is a JSON string inside the answer: escaped, its brackets and
    # commas are not the answer's own.
    output = "\\u005b" + "\\u007b\\u007d\\u002c" * 300_000 + "1]"
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    recorder.reply(text=f'{{"status": "COMPLETED", "output": "{output}"}}')

    with pytest.raises(SegmindResponseError) as raised:
        make_model(ChatSegmind, model="gpt-4o", api_version="v2").invoke("Hi")

    assert "output is JSON of more than 250,000 values" in str(raised.value)
    assert raised.value.request_id == "job-1"
    assert raised.value.job is None  # billed: a resume would fetch the same output


def _cut_answer(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, stream=BrokenBody(httpx2.RemoteProtocolError("cut")))


def _huge_answer(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, content=b" " * (8 * 2**20 + 1))


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (httpx2.ReadError("connection reset by peer"), SegmindConnectionError),
        (httpx2.RemoteProtocolError("illegal status line"), SegmindResponseError),
        (_cut_answer, SegmindResponseError),
        (_huge_answer, SegmindResponseError),
    ],
    ids=["broken", "not-http", "cut-off", "too-large"],
)
def test_a_poll_that_may_have_arrived_is_retried_and_never_called_billed(
    make_model, recorder, caplog, failure, kind
):
    # A poll is a GET: repeating it bills nothing, so it is retried.
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.queue(*[failure] * 4)
    caplog.set_level("INFO", logger="langchain_segmind")

    with pytest.raises(kind) as raised:
        make_model(ChatSegmind, model="gpt-4o", api_version="v2").invoke("Hi")

    assert [sent.method for sent in recorder.requests] == ["POST"] + ["GET"] * 4
    lines = [
        record.getMessage() for record in caplog.records if "GET" in record.getMessage()
    ]
    assert [line.rpartition("; ")[2] for line in lines] == [
        "retrying in 0.50s",
        "retrying in 1.00s",
        "retrying in 2.00s",
        "giving up",
    ]
    for text in [*lines, str(raised.value)]:
        assert "billed" not in text
        assert "not retried" not in text
    assert raised.value.job is not None
    assert (raised.value.hint or "").startswith("Segmind accepted the job")


def test_a_poll_refused_by_a_far_rate_limit_says_when_and_how_to_resume(
    make_model, recorder
):
    # 90 s after the fake clock's now: too far to wait for.
    reset = {"x-rate-limit-reset-at-utc": "2026-01-01T12:01:30Z"}
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.fail(429, "Please retry after the reset time.", headers=reset)

    with pytest.raises(SegmindRateLimitError) as raised:
        make_model(ChatSegmind, model="gpt-4o", api_version="v2").invoke("Hi")

    assert "rate limit resets at 2026-01-01 12:01:30 UTC" in str(raised.value)
    assert "llm.resume(error.job)" in str(raised.value)
