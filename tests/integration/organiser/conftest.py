from tests.integration.rounds.conftest import admin, english, fresh_live_counts, organiser  # noqa: F401
