"""The Segmind LLM slugs the package knows of: those with a profile.

The emulator serves these by default; a 404 for a mistyped slug suggests one.
"""

from __future__ import annotations

from langchain_segmind.catalogue.profiles import PROFILES

DIRECTORY_SLUGS = tuple(PROFILES)
