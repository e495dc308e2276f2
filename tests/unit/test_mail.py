"""The mail service: without MAIL_SERVER a message goes to the log and the outbox; with it, over SMTP (STARTTLS,
login when a user is set), handed to ``spawn`` so a request never waits for the mail server, and a failing
server is logged, never raised."""

from __future__ import annotations

import smtplib

from flask import Flask

from contest import mail

SMTP_SETTINGS = {"MAIL_SERVER": "smtp.example.org", "MAIL_PORT": 2525, "MAIL_USERNAME": "olympiad",
                 "MAIL_PASSWORD": "pw", "MAIL_USE_TLS": True, "MAIL_SENDER": "noreply@example.org",
                 "MAIL_TIMEOUT_S": 3}


class FakeSMTP:
    sent: list = []
    calls: list = []

    def __init__(self, host, port, timeout):
        self.calls.append(("connect", host, port, timeout))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.sent.append(message)


def test_without_a_server_the_message_is_kept_in_the_outbox():
    app = Flask(__name__)
    app.config["MAIL_SERVER"] = ""
    mail.send(app, mail.Mail(to="an@example.org", subject="Mã", body="K7QM-2XWD-9PTA"))
    assert mail.outbox(app) == [mail.Mail(to="an@example.org", subject="Mã", body="K7QM-2XWD-9PTA")]


def test_with_a_server_the_message_goes_over_smtp_off_the_request(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.calls = [], []
    app = Flask(__name__)
    app.config.update(SMTP_SETTINGS)
    spawned = []
    mail.send(app, mail.Mail(to="an@example.org", subject="Đặt mật khẩu mới", body="Mã: K7QM-2XWD-9PTA"),
              spawn=lambda fn, *args: spawned.append((fn, args)))
    assert FakeSMTP.sent == [] and mail.outbox(app) == []
    [(fn, args)] = spawned
    fn(*args)
    assert FakeSMTP.calls == [("connect", "smtp.example.org", 2525, 3.0), ("starttls",), ("login", "olympiad", "pw")]
    [message] = FakeSMTP.sent
    assert (message["To"], message["From"], message["Subject"]) == ("an@example.org", "noreply@example.org",
                                                                     "Đặt mật khẩu mới")
    assert "K7QM-2XWD-9PTA" in message.get_content()


def test_a_failing_server_is_logged_not_raised(monkeypatch, caplog):
    def refuse(*_args, **_kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    mail.deliver(SMTP_SETTINGS, mail.Mail(to="an@example.org", subject="s", body="b"))
    assert "could not be sent" in caplog.text
