#!/usr/bin/env python3
"""A webhook receiver for the integration tests: verifies every message with the
Standard Webhooks reference library (PyPI `standardwebhooks`) and keeps what it got.

Prints `PORT <n>` once listening on 127.0.0.1. Control endpoints:
  POST /__secret      body: {"path": "/all", "secret": "whsec_..."}: the secret of the
                      subscription posting to that path (until then it gets 503)
  POST /__fail        body: {"times": N}: answer 500 to the first N attempts of each message
  GET  /__received    {"accepted": [...], "attempts": {"<path> <id>": n}, "unverified": n}
POST /redirect answers 302 to another host; any other POST is a message.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

lock = threading.Lock()
state = {"secrets": {}, "fail_times": 0, "accepted": [], "attempts": {}, "unverified": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/__received":
            return self.answer(404)
        with lock:
            body = json.dumps({k: state[k] for k in ("accepted", "attempts", "unverified")})
        self.answer(200, body.encode())

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/__secret":
            given = json.loads(body)
            with lock:
                state["secrets"][given["path"]] = given["secret"]
            return self.answer(204)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("location", "http://169.254.169.254/latest/meta-data")
            self.send_header("content-length", "0")
            self.end_headers()
            return None
        if self.path == "/__fail":
            with lock:
                state["fail_times"] = json.loads(body)["times"]
            return self.answer(204)
        with lock:
            secret = state["secrets"].get(self.path)
        if secret is None:
            return self.answer(503)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            with lock:
                state["unverified"] += 1
            return self.answer(401)
        message_id = headers["webhook-id"]
        key = f"{self.path} {message_id}"
        with lock:
            attempt = state["attempts"].get(key, 0) + 1
            state["attempts"][key] = attempt
            if attempt <= state["fail_times"]:
                failing = True
            else:
                failing = False
                state["accepted"].append({"id": message_id, "attempt": attempt, "path": self.path,
                                          "payload": payload})
        self.answer(500 if failing else 204)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
