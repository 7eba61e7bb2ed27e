"""Passwords, tokens and the request's viewer."""
