"""Request handling: routing, faults, the gateway's validation order and replies."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from ._faults import fault_answer
from ._protocol_model import protocol_reply
from ._queue import QUEUED
from ._replies import (
    Family,
    complete,
    context_overflow,
    default_reply,
    family_of,
    prompt_tokens,
    provider_body,
)
from ._state import RETIRED, GatewayState, RecordedRequest, insufficient_credits
from ._validation import check_messages, check_provider_rules, parse_object
from ._wire import (
    Answer,
    RequestRejectedError,
    html_answer,
    json_answer,
    reject,
    text_answer,
)

Responder = Callable[[str, dict[str, Any]], str | None]

_MASKED_HEADERS = frozenset({"x-api-key", "authorization"})
_MISSING_KEY = "Missing Authorization or x-api-key in header"
_INVALID_KEY = (
    "Unauthorized. API key is invalid or may have expired. Please check your API key."
)


@dataclass(frozen=True)
class Settings:
    """What does not change while the emulator serves."""

    api_key: str
    cost_per_call: float
    responder: Responder | None
    url: str


@dataclass(frozen=True)
class Incoming:
    """One HTTP request, read off the socket."""

    method: str
    target: str
    headers: dict[str, str]
    raw_body: bytes

    def recorded(self) -> RecordedRequest:
        """The request as the log keeps it, credentials masked."""
        headers = {
            name: "***" if name in _MASKED_HEADERS else value
            for name, value in self.headers.items()
        }
        try:
            body = json.loads(self.raw_body) if self.raw_body else None
        except (ValueError, UnicodeDecodeError):
            body = None
        return RecordedRequest(self.method, self.target, headers, body, self.raw_body)


@dataclass(frozen=True)
class Route:
    """Which endpoint a request target names."""

    kind: str  # v1 | submit | status | result | unknown
    slug: str | None = None
    request_id: str | None = None


def route_of(target: str) -> Route:
    """Parse a request target into a route."""
    parts = [unquote(part) for part in target.split("?", 1)[0].strip("/").split("/")]
    if len(parts) == 2 and parts[0] in ("v1", "v2") and parts[1]:
        return Route("v1" if parts[0] == "v1" else "submit", slug=parts[1])
    if len(parts) == 3 and parts[:2] == ["v2", "requests"]:
        return Route("result", request_id=parts[2])
    if len(parts) == 4 and parts[:2] == ["v2", "requests"] and parts[3] == "status":
        return Route("status", request_id=parts[2])
    return Route("unknown")


class Gateway:
    """Answers requests as Segmind's gateway would, from the shared state."""

    def __init__(self, state: GatewayState, settings: Settings) -> None:
        self._state = state
        self._settings = settings
        self._endpoints: dict[str, Callable[[Route, Incoming, float], Answer]] = {
            "v1": self._v1,
            "submit": self._submit,
            "status": self._status,
            "result": self._result,
        }

    def serve(self, incoming: Incoming) -> Answer:
        """Record, apply any armed fault, then answer `incoming`."""
        self._state.record(incoming.recorded())
        route = route_of(incoming.target)
        fault = self._state.take_fault(self._slug_of(route))
        started = time.monotonic()
        delay = self._state.latency + (fault.latency if fault else 0.0)
        if delay > 0:
            time.sleep(delay)
        if fault is not None and not fault.passthrough:
            return fault_answer(fault)
        try:
            answer = self._endpoint(route)(route, incoming, started)
        except RequestRejectedError as rejected:
            answer = rejected.answer
        except Exception as exc:  # a responder's bug: say so rather than hang up
            answer = json_answer(500, {"error": f"emulator failure: {exc!r}"})
        return replace(
            answer,
            headers={**answer.headers, "x-request-id": str(uuid.uuid4())},
            drip=fault.drip if fault else 0.0,
            close_after=fault.close_after if fault else False,
        )

    # -- endpoints ------------------------------------------------------------

    def _endpoint(self, route: Route) -> Callable[[Route, Incoming, float], Answer]:
        return self._endpoints.get(route.kind, _not_found)

    def _v1(self, route: Route, incoming: Incoming, started: float) -> Answer:
        slug, family, body = self._admit(route, incoming)
        return self._bill_and_answer(slug, family, body, started)

    def _submit(self, route: Route, incoming: Incoming, started: float) -> Answer:
        slug, family, body = self._admit(route, incoming)
        output = self._provider_body(slug, family, body)
        request_id = str(uuid.uuid4())
        self._state.add_job(request_id, slug, output, self._settings.cost_per_call)
        # At the address the client used, as a real gateway answers.
        host = incoming.headers.get("host")
        root = f"http://{host}" if host else self._settings.url
        base = f"{root}/v2/requests/{request_id}"
        return json_answer(
            200,
            {
                "request_id": request_id,
                "status": QUEUED,
                "status_url": f"{base}/status",
                "response_url": base,
            },
        )

    def _status(self, route: Route, incoming: Incoming, started: float) -> Answer:
        request_id = self._admit_poll(route, incoming)
        payload = self._state.poll_job(request_id, self._settings.cost_per_call)
        if payload is None:
            raise _unknown_job(request_id)
        return json_answer(422 if payload["status"] == "FAILED" else 200, payload)

    def _result(self, route: Route, incoming: Incoming, started: float) -> Answer:
        request_id = self._admit_poll(route, incoming)
        result = self._state.fetch_job(request_id)
        if result is None:
            raise _unknown_job(request_id)
        return json_answer(*result)

    # -- admission: the gateway's checks, in its order ------------------------

    def _admit(
        self, route: Route, incoming: Incoming
    ) -> tuple[str, Family, dict[str, Any]]:
        """The slug, its provider family and the body of a call that may go ahead."""
        _require_method(incoming, "POST")
        self._authenticate(incoming.headers)
        _require_json_content(incoming.headers)
        slug = route.slug or ""
        self._require_available(slug)
        body = parse_object(incoming.raw_body)
        check_messages(body)
        balance, cost = self._state.credits, self._settings.cost_per_call
        if balance < cost:
            raise reject(406, insufficient_credits(balance, cost))
        family = family_of(slug)
        check_provider_rules(family, slug, body)
        window, tokens = self._state.context_window, prompt_tokens(body)
        if window is not None and tokens > window:
            raise RequestRejectedError(
                json_answer(400, context_overflow(family, tokens, window))
            )
        return slug, family, body

    def _admit_poll(self, route: Route, incoming: Incoming) -> str:
        _require_method(incoming, "GET")
        self._authenticate(incoming.headers)
        return route.request_id or ""

    def _authenticate(self, headers: dict[str, str]) -> None:
        key = headers.get("x-api-key")
        if not key:
            raise reject(401, _MISSING_KEY)
        if key != self._settings.api_key:
            raise reject(401, _INVALID_KEY)

    def _require_available(self, slug: str) -> None:
        status = self._state.model_status(slug)
        if status is None:
            raise reject(404, f"Model {slug} not found")
        if status == RETIRED:
            raise reject(
                410,
                f"Model {slug} has been retired. Please switch to a current model "
                "from the Segmind model directory.",
            )

    # -- replies ----------------------------------------------------------------

    def _bill_and_answer(
        self, slug: str, family: Family, body: dict[str, Any], started: float
    ) -> Answer:
        payload = self._provider_body(slug, family, body)
        billed = self._state.charge(self._settings.cost_per_call)
        if isinstance(billed, str):
            raise reject(406, billed)
        cost, remaining = billed
        headers = {
            "x-remaining-credits": str(remaining),
            "x-cost": str(cost),
            "x-generation-time": f"{time.monotonic() - started:.6f}",
        }
        return json_answer(200, payload, headers)

    def _provider_body(
        self, slug: str, family: Family, body: dict[str, Any]
    ) -> dict[str, Any]:
        script = self._state.next_script(slug)
        if isinstance(script, dict):
            return copy.deepcopy(script)
        completion = complete(self._reply_text(slug, body, script), body)
        return provider_body(family, slug, completion, self._state.next_sequence())

    def _reply_text(self, slug: str, body: dict[str, Any], text: str | None) -> str:
        if text is None and self._settings.responder is not None:
            text = self._settings.responder(slug, body)
        if text is None:
            text = protocol_reply(body)
        return default_reply(body) if text is None else text

    def _slug_of(self, route: Route) -> str | None:
        """The model a request is about, for matching slug-specific faults."""
        if route.slug is not None:
            return route.slug
        if route.request_id is not None:
            return self._state.job_slug(route.request_id)
        return None


def _require_method(incoming: Incoming, method: str) -> None:
    if incoming.method != method:
        raise RequestRejectedError(html_answer(405))


def _require_json_content(headers: dict[str, str]) -> None:
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise RequestRejectedError(text_answer(406, "Invalid content type"))


def _unknown_job(request_id: str) -> RequestRejectedError:
    return reject(404, f"Request {request_id} not found")


def _not_found(route: Route, incoming: Incoming, started: float) -> Answer:
    return json_answer(404, {"error": "Not found"})
