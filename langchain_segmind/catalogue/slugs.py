"""The Segmind LLM slugs the package knows of: those with a profile.

Segmind's 2026-08 model directory, plus the two slugs of the package's
classes. The emulator serves these by default, and a 404 for a mistyped slug
suggests the closest of them.
"""

from __future__ import annotations

from langchain_segmind.catalogue.profiles import PROFILES

DIRECTORY_SLUGS = tuple(PROFILES)
