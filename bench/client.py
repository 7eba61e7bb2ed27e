"""Single HTTP requests to the servers: sign-in, probes, warm-up."""

from __future__ import annotations

from typing import Any

import httpx

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken errors { code message } }
}
"""


class ProbeError(RuntimeError):
    pass


def post_graphql(client: httpx.Client, url: str, body: dict[str, Any], authorization: str | None = None) -> Any:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(f"{url}/graphql", json=body, headers=headers)
    if response.status_code != 200:
        raise ProbeError(f"POST /graphql answered {response.status_code}: {response.text[:500]}")
    return response.json()


def get_json(client: httpx.Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise ProbeError(f"GET {url} answered {response.status_code}: {response.text[:500]}")
    return response.json()


def sign_in(client: httpx.Client, url: str, email: str, password: str) -> str:
    """An `Authorization` header value for the account."""
    body = post_graphql(client, url, {"query": LOGIN, "variables": {"email": email, "password": password}})
    payload = body["data"]["login"]
    if payload["errors"] or not payload["accessToken"]:
        raise ProbeError(f"sign-in as {email} failed: {payload['errors']}")
    return f"Bearer {payload['accessToken']}"
