"""langchain-segmind's tests: the unit tier, the emulator tier, and what they share."""

# Deeper than the standard `json` module reads or writes on any supported
# Python (3.11 stops near 1,000 levels, 3.12 near 1,500, 3.13 near 10,000).
TOO_DEEP_FOR_JSON = 100_000
