"""The reference server: ``/play`` answered from memory by Flask-SocketIO on gevent + gevent-websocket, served the
same way as ``contest/serving.py``. No database, no login: what is left is the cost of Socket.IO itself, which is
what the harness divides the app's figures by (DESIGN.md §5: absolute times drift on these machines).

    python -m bench.bare_server --port 5099 --questions 10
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402  (everything below is imported after patching)
import itertools  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import Namespace, SocketIO  # noqa: E402

OPTION_KEYS = ("a", "b", "c", "d")


def fake_paper(questions: int) -> list[dict]:
    """A paper shaped like the app's: slots from 1, four options, texts of a realistic length."""
    return [
        {"slot": slot, "multiple": False,
         "text": f"Câu hỏi số {slot}: nội dung câu hỏi về lịch sử và pháp luật, đủ dài như một câu hỏi thật?",
         "options": [{"key": key, "text": f"Phương án {key.upper()} của câu {slot}"} for key in OPTION_KEYS]}
        for slot in range(1, questions + 1)
    ]


def now_ms() -> int:
    return int(time.time() * 1000)


class BarePlay(Namespace):
    """The ``/play`` events of DESIGN.md §3, minimally: every connection is welcome, nothing is checked much."""

    def __init__(self, namespace: str, questions: int, time_limit_s: int):
        super().__init__(namespace)
        self.paper = fake_paper(questions)
        self.time_limit_ms = time_limit_s * 1000
        self.attempt_ids = itertools.count(1)
        self.answers: dict[int, dict[int, list]] = {}  # attempt id -> slot -> choice: the "store"

    def on_connect(self, auth=None):
        return True

    def on_time_sync(self, data=None):
        return {"ok": True, "server_now": now_ms()}

    def on_attempt_start(self, data=None):
        attempt_id = next(self.attempt_ids)
        self.answers[attempt_id] = {}
        started = now_ms()
        return {"ok": True, "attempt": {"id": attempt_id, "deadline": started + self.time_limit_ms,
                                        "server_now": started, "questions": self.paper, "answers": {}}}

    def on_answer(self, data=None):
        try:
            self.answers[data["attempt_id"]][data["slot"]] = data["choice"]
            return {"ok": True, "slot": data["slot"], "seq": data["seq"]}
        except (KeyError, TypeError):
            return {"ok": False, "error": {"code": "bad_request", "message": "bad answer"}}

    def on_attempt_submit(self, data=None):
        held = self.answers.pop(data.get("attempt_id") if isinstance(data, dict) else None, None)
        if held is None:
            return {"ok": False, "error": {"code": "not_found", "message": "no such attempt"}}
        return {"ok": True, "result": {"score": 0, "max_score": len(self.paper), "duration_ms": 0}}


def create_app(questions: int, time_limit_s: int = 600) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bare"
    socketio = SocketIO(app, async_mode="gevent")
    socketio.on_namespace(BarePlay("/play", questions, time_limit_s))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--max-connections", type=int, default=10_000)
    args = parser.parse_args()

    from gevent.pool import Pool
    from gevent.pywsgi import WSGIServer
    from geventwebsocket.handler import WebSocketHandler

    from contest.serving import tune_gc

    logging.basicConfig(level=logging.WARNING)
    server = WSGIServer((args.host, args.port), create_app(args.questions), handler_class=WebSocketHandler,
                        spawn=Pool(args.max_connections), log=None, backlog=2048)
    print(f"bare server on http://{args.host}:{args.port}, {args.questions} questions", flush=True)
    tune_gc()  # the same collector settings as the app, so the ratio compares handlers, not GC settings
    server.serve_forever()


if __name__ == "__main__":
    main()
