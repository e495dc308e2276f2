"""Prizes and certificates: prize rules per contest and round, award sets computed from each published results
version (``compute``, pure) and versioned with a changelog, the public prize pages, the prize committee's export,
PDF certificates with a verification code and QR code (``/verify/<code>``), and the entrant's share page.

From the ground up: ``rules``, ``compute`` (pure) < ``service`` < ``labels``, ``queries`` < ``export``,
``certificate_pdf`` < ``certificates`` < ``certificate_jobs``, ``share``; the edges ``pages`` and
``organiser_pages``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages and recompute the prizes after each publication of results."""
    from contest.leaderboards.results.publish import on_published
    from contest.prizes.organiser_pages import bp as organiser_pages
    from contest.prizes.pages import bp as pages
    from contest.prizes.service import after_publish

    app.register_blueprint(pages)
    app.register_blueprint(organiser_pages)
    on_published("prizes", after_publish)
