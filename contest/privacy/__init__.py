"""Personal data (Decree 13/2023): who may see phone, citizen ID and birth date, the audit of every disclosure,
and the retention command that erases or pseudonymises a closed contest's entrants."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.privacy.cli import data
    from contest.privacy.disclosure import may_see_personal_data

    app.add_template_global(may_see_personal_data)
    app.cli.add_command(data)
