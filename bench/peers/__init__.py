"""Peers of the gateway: the same read shapes served by other GraphQL stacks (see README.md)."""
