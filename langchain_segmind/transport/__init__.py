"""The transport room: how a call reaches Segmind and what comes back.

- `clients.py`: the default HTTP clients (and the user's, used as given);
- `deadline.py`: the one deadline of a call, and the clock it is timed on;
- `send.py`: one request with its attempts, size bounds and JSON parsing;
- `retry.py`: whether to send again, and how long to wait;
- `failures.py`: which typed error a failure becomes;
- `queue.py`: the v2 queue API, and collecting an accepted job later.
"""
