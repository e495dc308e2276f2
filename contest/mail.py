"""Sending mail: SMTP when ``MAIL_SERVER`` is set, otherwise every message is written to the log and kept in the
app's outbox (``outbox(app)``), which is what tests and a machine without mail read.

A message to SMTP is sent off the request (a background task): how long the mail server takes must not tell a
visitor whether an address has an account.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask

log = logging.getLogger(__name__)
OUTBOX_KEY = "olympiad_outbox"
OUTBOX_KEEP = 100  # the last messages; the log has them all


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def outbox(app: Flask) -> list[Mail]:
    """The messages the log backend kept, oldest first."""
    return app.extensions.setdefault(OUTBOX_KEY, [])


def send(app: Flask, mail: Mail, *, spawn=None) -> None:
    """Send ``mail`` with the backend the settings choose; ``spawn(fn, *args)`` runs the SMTP delivery in the
    background (the server's ``socketio.start_background_task``); without it, delivery happens here."""
    if not app.config.get("MAIL_SERVER"):
        log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        box = outbox(app)
        box.append(mail)
        del box[:-OUTBOX_KEEP]
        return
    if spawn is None:
        deliver(dict(app.config), mail)
    else:
        spawn(deliver, dict(app.config), mail)


def deliver(config: dict, mail: Mail) -> None:
    """One message over SMTP (STARTTLS when ``MAIL_USE_TLS``); a failure is logged, never raised to a visitor."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_SENDER"], mail.to, mail.subject
    message.set_content(mail.body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                          timeout=float(config["MAIL_TIMEOUT_S"])) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s could not be sent", mail.to)
