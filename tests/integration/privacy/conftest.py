"""The leaderboard fixtures (a store, the app's boards on it) and a closed round of four entrants, for this folder."""

from __future__ import annotations

from tests.integration.leaderboards.conftest import boards, store  # noqa: F401  (fixtures)
from tests.integration.leaderboards.test_results import closed_round  # noqa: F401  (a fixture)
