"""Free ports for the local servers: distinct, bindable, and out of the kernel's ephemeral range."""

from __future__ import annotations

import socket

import pytest

from learnhub.embedded.base import _bindable, _ephemeral_range, free_port


def test_ports_are_never_handed_out_twice_and_sit_below_the_ephemeral_range() -> None:
    low, high = _ephemeral_range()
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(not low <= port <= high for port in ports)


@pytest.mark.parametrize(("family", "host"), [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::")])
def test_a_port_with_a_listener_on_either_stack_is_not_free(family: socket.AddressFamily, host: str) -> None:
    port = free_port()
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.bind((host, port))
        listener.listen()
        assert not _bindable(port)
    assert _bindable(port)
