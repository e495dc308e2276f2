"""The command line asks the permissions service too: every ``flask`` command of the app records the action it
performs (``cli_requires``), so a new command without a rule fails here, and a command runs only when the operator
may do its action."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from contest.access import permissions
from contest.access.permissions import OPERATOR, Action, can, cli_requires

# Flask-Migrate's schema commands: the deployer's, not the app's, and they change no contest data.
LIBRARY_GROUPS = {"db"}


def commands_of(group: click.Group, prefix: str = ""):
    """``(full name, command)`` of every command under ``group``, nested groups included."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands_of(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def unruled(app: Flask) -> list[str]:
    return [name for name, command in commands_of(app.cli)
            if name.split()[0] not in LIBRARY_GROUPS
            and not isinstance(getattr(command.callback, "permission", None), Action)]


def test_every_command_of_the_app_records_its_action(app):
    names = [name for name, _command in commands_of(app.cli) if name.split()[0] not in LIBRARY_GROUPS]
    assert len(names) >= 14 and "users end-logins" in names and "data retention" in names
    assert unruled(app) == []
    rules = {name: command.callback.permission for name, command in commands_of(app.cli)
             if name.split()[0] not in LIBRARY_GROUPS}
    assert rules["users end-logins"] is Action.END_LOGINS and rules["bank export"] is Action.BANK_EXPORT
    assert rules["contest create"] is Action.CONTEST_CREATE and rules["demo seed"] is Action.DEMO_SEED


def test_a_command_without_a_rule_is_caught():
    app = Flask(__name__)
    group = AppGroup("things")

    @group.command("wipe")
    def wipe() -> None:
        """A new command nobody gave a rule."""

    @group.command("count")
    @cli_requires(Action.HOME)
    def count() -> None:
        """One with a rule."""

    app.cli.add_command(group)
    assert unruled(app) == ["things wipe"]


def test_the_operator_may_do_everything_so_commands_behave_as_before(db_session):
    assert all(can(db_session, OPERATOR, action) for action in Action)
    assert all(permissions.operator_can(action) for action in Action)


def test_a_command_the_operator_may_not_do_stops_before_it_runs(app, monkeypatch):
    ran = []
    group = AppGroup("things")

    @group.command("wipe")
    @cli_requires(Action.DATA_RETENTION)
    @click.option("--all", "everything", is_flag=True)
    def wipe(everything: bool) -> None:
        ran.append(everything)

    runner = app.test_cli_runner()
    assert runner.invoke(group, ["wipe", "--all"]).exit_code == 0 and ran == [True]
    asked = []
    monkeypatch.setattr(permissions, "can", lambda _session, user, action, **_kw: asked.append((user, action)))
    result = runner.invoke(group, ["wipe", "--all"])
    assert result.exit_code == 1 and "may not do data.retention" in result.output
    assert ran == [True] and asked == [(OPERATOR, Action.DATA_RETENTION)]
