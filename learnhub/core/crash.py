"""Crash points: named places in cross-store writes where a test can make the process die.

They exist to prove recovery (DESIGN.md section 6): a test starts a gateway with
CRASH_POINTS naming a step, the process exits there as a power cut would (no cleanup, no
response), and the test shows the stores are consistent and the request retryable. Settings
refuse crash points in production.
"""

from __future__ import annotations

import os

from learnhub.core.settings import Settings

EXIT_CODE = 86


def crash_point(settings: Settings, name: str) -> None:
    if name in settings.crash_points:
        os._exit(EXIT_CODE)
