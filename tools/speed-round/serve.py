#!/usr/bin/env python3
"""serve.py DIR PORT — serves DIR on 127.0.0.1:PORT like a feed host: every file with an ETag and
a Last-Modified, and 304 Not Modified to a request that sends either back. Quiet."""
import email.utils, os, sys
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler

root, port = sys.argv[1], int(sys.argv[2])

class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)
    def log_message(self, *args):
        pass
    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            st = os.stat(path)
            etag = f'"{st.st_size:x}-{int(st.st_mtime):x}"'
            modified = email.utils.formatdate(st.st_mtime, usegmt=True)
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            self._validators = (etag, modified)
        return super().send_head()
    def end_headers(self):
        validators = getattr(self, "_validators", None)
        if validators:
            self.send_header("ETag", validators[0])
            self._validators = None
        super().end_headers()

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
