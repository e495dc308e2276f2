"""The signed-cookie session, read once per Socket.IO connection instead of once per event.

Flask-SocketIO builds a request context for every event from the connection's WSGI environ, and Flask opens
the session cookie each time: an HMAC check and a JSON parse, ~1 ms of CPU, on every answer. The environ
of a connection is one dict for its whole life, so the session read at the first event is kept in it.
Plain HTTP requests get a fresh environ each, so for them nothing changes.

An answer marked ``Cache-Control: public`` (the bank's pictures, ``/media``) never carries the session cookie:
a shared cache would hand one entrant's login to everyone loading the same address.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

ENVIRON_KEY = "olympiad.session"


class ConnectionCachedSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        cached = request.environ.get(ENVIRON_KEY)
        if cached is None:
            cached = request.environ[ENVIRON_KEY] = super().open_session(app, request)
        return cached

    def save_session(self, app, session, response):
        if response.cache_control.public:
            return None
        return super().save_session(app, session, response)
