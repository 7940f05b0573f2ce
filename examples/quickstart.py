"""The quickstart: Segmind's cats-and-dogs joke conversation as an LCEL chain.

Runs against Segmind when SEGMIND_API_KEY is set; otherwise it starts the
bundled emulator on 127.0.0.1 and says so, so it works on any machine.

    python dev.py demo              # or: python examples/quickstart.py
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from typing import Any

from langchain_core.prompts import ChatPromptTemplate

from langchain_segmind import ChatSegmindClaude, ChatSegmindGPT4o, SegmindError

# The conversation of the example on Segmind's API page.
PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "You are a playful comedian. Keep every joke to two lines."),
        ("human", "tell me a joke on {first}"),
        ("ai", "Why did the cat sit on the computer? To keep an eye on the mouse!"),
        ("human", "now one on {second}"),
    ]
)


def connection_settings(stack: ExitStack) -> dict[str, Any]:
    """Live settings when a key is set, else a started emulator's."""
    if os.environ.get("SEGMIND_API_KEY"):
        print("Calling Segmind's API (SEGMIND_API_KEY is set).\n")
        return {}
    from langchain_segmind.testing import SegmindEmulator

    emulator = stack.enter_context(SegmindEmulator())
    print(
        "SEGMIND_API_KEY is not set: the answers below come from the bundled "
        f"Segmind EMULATOR at {emulator.base_url}, not from a real model.\n"
    )
    return {"api_key": emulator.api_key, "base_url": emulator.base_url}


def main() -> None:
    """Run the chain with each class and print reply, usage and credits."""
    with ExitStack() as stack:
        settings = connection_settings(stack)
        for model_class in (ChatSegmindClaude, ChatSegmindGPT4o):
            llm = model_class(temperature=0.1, **settings)
            chain = PROMPT | llm
            reply = chain.invoke({"first": "cats", "second": "dogs"})
            metadata = reply.response_metadata
            print(f"== {model_class.__name__} ({metadata['model_name']})")
            print(reply.content)
            print(f"token usage:       {reply.usage_metadata}")
            print(f"remaining credits: {metadata['remaining_credits']}")
            print(f"cost of this call: {metadata['cost']}\n")


if __name__ == "__main__":
    try:
        main()
    except SegmindError as error:  # typed, the key in no part of it
        sys.exit(f"The call failed: {type(error).__name__}: {error}")
