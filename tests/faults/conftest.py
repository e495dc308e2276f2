"""One private deployment (PostgreSQL, Redis, nginx, two app processes) for the whole fault stage, and the
entrants' cookies, logged in once. Tests run one after another (no -n): each breaks the shared stack and mends it."""

from __future__ import annotations

import pytest

from tests.faults.rounds import cookies_for
from tests.faults.stack import Stack

ENTRANTS = 200
# Demo entrants past the 200 of the load: the flooding account and the never-reading clients.
EXTRA = 10


def pytest_collection_modifyitems(items):
    # ``server`` too: they start servers, and every "not server" selection (make test, the quick suite) skips them.
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    deployment = Stack(tmp_path_factory.mktemp("faults"), entrants=ENTRANTS + EXTRA)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.close()


@pytest.fixture
def live(stack):
    """The stack, mended if an earlier test left something broken."""
    stack.ensure_up()
    return stack


@pytest.fixture(scope="session")
def cookies(stack, tmp_path_factory):
    return cookies_for(stack.url, 1, ENTRANTS, tmp_path_factory.mktemp("sessions") / "sessions.json")
