"""Loopback helpers for tests that start real servers (PostgreSQL, Dovecot, Prefect)."""

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
