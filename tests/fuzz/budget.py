"""How many examples the fuzz and property tests draw: few in CI, many in a campaign.

``HYPOTHESIS_PROFILE=campaign`` (``make fuzz``) multiplies every budget, by
``LOSSCLI_FUZZ_SCALE`` (default 100); otherwise each test draws its CI budget, which keeps
``make test`` fast and, derandomized, the same on every run. Deadlines are off: the machines
are shared and no test is timed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

CAMPAIGN = os.environ.get("HYPOTHESIS_PROFILE") == "campaign"
SCALE = int(os.environ.get("LOSSCLI_FUZZ_SCALE", "100")) if CAMPAIGN else 1


def budget(ci_examples: int) -> settings:
    """Hypothesis settings drawing ``ci_examples`` examples (times the campaign scale)."""
    return settings(
        max_examples=ci_examples * SCALE,
        deadline=None,
        database=None,
        # CI draws the same examples every run (no flaky make test); a campaign explores.
        derandomize=not CAMPAIGN,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
