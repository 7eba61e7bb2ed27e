"""A Stripe-compatible API on 127.0.0.1: `localstripe` (a stateful local Stripe server, PyPI).

What it serves (checked with the `stripe` 16.1 SDK): customers, payment methods, products, the
Plans API, subscriptions, PaymentIntents (update with a payment method, then confirm:
`succeeded`), refunds, and the webhook configuration route `POST /_config/webhooks/<name>`
(url + signing secret), after which it posts signed events (`payment_intent.succeeded`,
`customer.subscription.created`, ...) about a second after the change. What it does not:
`/v1/prices` and Checkout Sessions (404), `Idempotency-Key` (ignored), `charge.refunded`
events, renewals over time, disputes.

localstripe keeps its state in a pickle at a fixed `/tmp/localstripe.pickle`, shared by every
instance on the machine; this module is also the server's entry point
(`python -m learnhub.embedded.stripe --port N --state FILE`) so each instance keeps its state
in its own data folder.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import httpx

from learnhub.embedded.base import EmbeddedServer
from learnhub.embedded.process import ManagedProcess

# The signing secret the local server signs webhooks with (a development value, like the rest).
LOCAL_WEBHOOK_NAME = "learnhub"


class EmbeddedStripe(EmbeddedServer):
    name = "Stripe"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "learnhub.embedded.stripe",
            "--port",
            str(self.port),
            "--state",
            str(self.data_dir / "state.pickle"),
        ]
        self.process = ManagedProcess(self.name, command, self.log_path, pid_file=self.pid_file)
        self.process.start()

    def _ping(self) -> bool:
        try:
            # Any authenticated read: 200 once the server routes requests.
            answer = httpx.get(f"{self.url}/v1/customers?limit=1", auth=("sk_test_ping", ""), timeout=0.5)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(self._ping, timeout)

    def env(self) -> dict[str, str]:
        return {"STRIPE_API_URL": self.url}


def configure_webhook(api_url: str, target_url: str, secret: str, name: str = LOCAL_WEBHOOK_NAME) -> None:
    """Have the local server post its events, signed with `secret`, to `target_url`."""
    answer = httpx.post(f"{api_url}/_config/webhooks/{name}", data={"url": target_url, "secret": secret}, timeout=5)
    answer.raise_for_status()


def _serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m learnhub.embedded.stripe")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)
    state: Path = args.state

    # Imported here: only the server process needs them (localstripe ships no type hints).
    from localstripe import resources, server  # type: ignore[import-untyped]

    def load(self: Any) -> None:
        try:
            with state.open("rb") as fh:
                self.clear()
                self.update(pickle.load(fh))  # noqa: S301 - our own file, written just below
        except (FileNotFoundError, EOFError):
            pass

    def dump(self: Any) -> None:
        with state.open("wb") as fh:
            pickle.dump(dict(self), fh, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    sys.argv = ["localstripe", "--port", str(args.port)]
    server.start()


if __name__ == "__main__":
    _serve(sys.argv[1:])
