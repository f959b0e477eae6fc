#!/usr/bin/env python3
"""A loopback HTTP server for checks heard in real time: serves a folder with Range support,
throttled to RATE bytes/s per connection, and logs each request (time, path, Range) to stderr.

usage: serve.py DIR PORT RATE_BYTES_PER_SEC
Also serves /feed.xml: an RSS feed whose items are the audio files in DIR.
"""
import os, sys, time, email.utils
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

root, port, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
TYPES = {".mp3": "audio/mpeg", ".opus": "audio/ogg", ".m4a": "audio/mp4", ".ogg": "audio/ogg"}

def feed(host):
    files = sorted(f for f in os.listdir(root) if os.path.splitext(f)[1] in TYPES)
    items = "".join(
        f"<item><guid>{f}</guid><title>{f}</title><pubDate>{email.utils.formatdate(1700000000 + i)}</pubDate>"
        f"<enclosure url=\"http://{host}/{f}\" type=\"{TYPES[os.path.splitext(f)[1]]}\" "
        f"length=\"{os.path.getsize(os.path.join(root, f))}\"/></item>"
        for i, f in enumerate(files))
    return (f"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Position tones</title>"
            f"<description>Pitch tells the second</description>{items}</channel></rss>").encode()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        rng = self.headers.get("Range")
        print(f"{time.time():.3f} GET {self.path} range={rng}", file=sys.stderr, flush=True)
        if self.path == "/feed.xml":
            body = feed(self.headers.get("Host"))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = os.path.join(root, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start, end = 0, size - 1
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a) if a else 0
            end = min(int(b), size - 1) if b else size - 1
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", TYPES.get(os.path.splitext(path)[1], "application/octet-stream"))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f"\"{size}\"")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(start)
            left, chunk, t0, sent = end - start + 1, max(1024, rate // 20), time.time(), 0
            try:
                while left > 0:
                    data = f.read(min(chunk, left))
                    self.wfile.write(data)
                    left -= len(data); sent += len(data)
                    ahead = sent / rate - (time.time() - t0)
                    if ahead > 0:
                        time.sleep(ahead)
            except (BrokenPipeError, ConnectionResetError):
                pass

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
