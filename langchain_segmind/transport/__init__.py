"""The transport: default clients, one call's attempts and deadline, the v2 queue."""
