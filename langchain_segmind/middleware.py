"""Agent middleware for LangChain's `create_agent` (needs the `langchain` package).

LangChain's agent loop runs only a reply's `tool_calls`. A reply whose calls
were all refused (arguments the tool's schema rejects, an unknown tool, a
block that is not JSON) sits in `invalid_tool_calls`, so the agent ends there
with an empty answer. `InvalidToolCallRetryMiddleware` sends the reasons back
to the model instead, as `ToolNode` does for a call that fails validation.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

try:
    from langchain.agents.middleware import AgentMiddleware, AgentState, hook_config
    from langgraph.runtime import Runtime
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "langchain_segmind.middleware needs LangChain's agents: install the "
        "`agents` extra (langchain-segmind[agents]) or `langchain`"
    ) from error


class InvalidToolCallRetryMiddleware(AgentMiddleware):
    """Answer a reply's invalid tool calls with their errors and call the model again.

    Each invalid call of the model's reply gets an error `ToolMessage` with
    the reason (LangChain's own says only "malformed or truncated"). When the
    reply holds no valid call, the agent then calls the model again, at most
    `max_retries` times in a row; after that the agent ends as it would
    without the middleware. A reply's valid calls run as usual.

    List it first in `middleware=[...]`: LangChain runs `after_model` hooks
    last to first, and its jump back to the model skips the hooks not yet
    run, so a `ModelCallLimitMiddleware` listed before it would not count
    the retries (each a billed request).

    With a `response_format`, give it as `ToolStrategy(schema)`: LangChain
    runs a bare schema as `ProviderStrategy` for most of Segmind's models,
    which raises `StructuredOutputValidationError` on such a reply before any
    middleware sees it.

    Example:
        ```python
        from langchain.agents import create_agent
        from langchain_segmind import ChatSegmindClaude
        from langchain_segmind.middleware import InvalidToolCallRetryMiddleware

        agent = create_agent(
            ChatSegmindClaude(),
            [get_weather],
            middleware=[InvalidToolCallRetryMiddleware()],
        )
        ```
    """

    def __init__(self, max_retries: int = 2) -> None:
        """Retry at most `max_retries` replies in a row.

        Args:
            max_retries: The most model calls in a row for replies holding
                invalid calls only.

        Raises:
            ValueError: `max_retries` is negative (as `ModelRetryMiddleware`'s).
        """
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        super().__init__()
        self.max_retries = max_retries

    @hook_config(can_jump_to=["model"])
    def after_model(
        self, state: AgentState[Any], runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Answer the last reply's invalid calls; with no valid one, call the model.

        Args:
            state: The agent's state; its last message is the model's reply.
            runtime: The agent's runtime, unused.

        Returns:
            The error `ToolMessage`s of the reply's invalid calls that have an
            id, with a jump back to the model if the reply has no valid call;
            `None` if there are none, or if no retry is left for such a reply.
        """
        *earlier, last = state["messages"]
        if not isinstance(last, AIMessage) or not (errors := _error_messages(last)):
            return None
        if last.tool_calls:  # they run; the errors go back with their results
            return {"messages": errors}
        retried = 0
        for message in reversed(earlier):
            if (
                isinstance(message, AIMessage)
                and message.invalid_tool_calls
                and not message.tool_calls
            ):
                retried += 1
            elif not isinstance(message, ToolMessage):
                break
        if retried >= self.max_retries:
            return None
        return {"messages": errors, "jump_to": "model"}


def _error_messages(reply: AIMessage) -> list[ToolMessage]:
    # A message built from a stream keeps the reasons in its metadata.
    reasons = reply.response_metadata.get("invalid_tool_call_errors") or {}
    errors = []
    for call in reply.invalid_tool_calls:
        if call.get("id"):
            reason = call.get("error") or reasons.get(call["id"])
            errors.append(
                ToolMessage(
                    f"Error: {reason or 'the call could not be read'}\n"
                    "Please fix your mistakes.",
                    tool_call_id=call["id"],
                    name=call.get("name") or "unknown",
                    status="error",
                )
            )
    return errors
