#!/usr/bin/env python3
"""A stand-in feed server for the refresh-timer benchmark: N small feeds at /feed/<i>.xml, each
with an ETag; a request that sends the ETag back gets 304. It logs every request's time and the
connections open at once, and prints the figures on SIGTERM/Ctrl-C.
usage: serve.py PORT N OUT.json"""
import json, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, N, OUT = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
state = {"open": 0, "peak": 0, "requests": [], "not_modified": 0}

def feed(i):
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Show {i}</title>'
            f'<item><guid>{i}-1</guid><title>Episode of show {i}</title>'
            f'<enclosure url="http://127.0.0.1:9/{i}.mp3" type="audio/mpeg" length="1000"/></item>'
            '</channel></rss>').encode()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        with lock:
            state["open"] += 1
            state["peak"] = max(state["peak"], state["open"])
            state["requests"].append(time.time())
        try:
            i = int(self.path.split("/")[-1].split(".")[0])
            etag = f'"show-{i}-v1"'
            if self.headers.get("If-None-Match") == etag:
                with lock:
                    state["not_modified"] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = feed(i)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with lock:
                state["open"] -= 1

def finish(*_):
    with open(OUT, "w") as out:
        json.dump(state, out)
    sys.exit(0)

signal.signal(signal.SIGTERM, finish)
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
try:
    server.serve_forever()
except KeyboardInterrupt:
    finish()
