"""Request rate limits: token buckets in Redis that every gateway process shares."""

from __future__ import annotations

import httpx

from tests.support.accounts import new_account
from tests.support.addresses import fresh_ip
from tests.support.client import post_graphql
from tests.support.servers import GatewayFactory

QUERY = "{ __typename }"


async def test_ip_limit_is_shared_by_two_gateways(gateway_factory: GatewayFactory) -> None:
    limits = {"rate_limit_ip_burst": 6, "rate_limit_ip_per_second": 0.001, "trust_forwarded_for": True}
    one, two = gateway_factory(**limits), gateway_factory(**limits)
    headers = {"x-forwarded-for": fresh_ip()}
    async with httpx.AsyncClient(base_url=one.url) as a, httpx.AsyncClient(base_url=two.url) as b:
        for n in range(6):
            client = a if n % 2 == 0 else b
            assert (await post_graphql(client, QUERY, headers=headers)).status_code == 200, n
        refused = await post_graphql(b, QUERY, headers=headers)
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        assert wait >= 1
        error = refused.json()["errors"][0]
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfterSeconds": wait}
        assert (await post_graphql(a, QUERY, headers=headers)).status_code == 429
        # Another address still gets through.
        assert (await post_graphql(a, QUERY, headers={"x-forwarded-for": fresh_ip()})).status_code == 200


async def test_user_limit_follows_the_user_not_the_address(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(rate_limit_user_burst=4, rate_limit_user_per_second=0.001, trust_forwarded_for=True)
    async with httpx.AsyncClient(base_url=server.url) as http:
        account = await new_account(http)
        statuses = [
            (
                await post_graphql(http, QUERY, token=account["accessToken"], headers={"x-forwarded-for": fresh_ip()})
            ).status_code
            for _ in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]
        other = await new_account(http)
        fine = await post_graphql(http, QUERY, token=other["accessToken"])
        assert fine.status_code == 200


async def test_just_below_the_limit_is_never_refused(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(rate_limit_ip_burst=10, rate_limit_ip_per_second=0.001, trust_forwarded_for=True)
    headers = {"x-forwarded-for": fresh_ip()}
    async with httpx.AsyncClient(base_url=server.url) as http:
        statuses = [(await post_graphql(http, QUERY, headers=headers)).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
