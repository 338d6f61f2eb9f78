# SPDX-License-Identifier: MIT
"""HTTP on 127.0.0.1: go.dev's download routes over a snapshot of the
toolchain mirror, and the module mirror (GOPROXY protocol) under /mod/.

  GET /dl/?mode=json&include=all   every release, newest first
  GET /dl/?mode=json               the two newest stable releases
  GET /dl/<file>                   302 to /files/<file> (go.dev redirects
                                   to its storage host the same way)
  GET /files/<file>                the archive; Range: bytes=A-B / A-
  GET /mod/<escaped path>/@v/list, .info, .mod, .zip, /@latest
                                   files of <mirror>/mod/proxy/ (see
                                   modules.py); 404 / 410 like a proxy

The toolchain snapshot (index and open archive descriptors) is taken once
at start under the mirror's commit lock, so a rebuild while serving never
pairs an index with an archive of another build.
"""

import http.server
import json
import os
import re
import socketserver
import sys
import threading
import urllib.parse

from .util import Lock

SAFE_FILE = re.compile(r"[A-Za-z0-9._-]+")
# Escaped module paths are lower case (upper case letters become !x),
# versions are semver-ish; reject anything that could walk the tree.
MOD_PATH = re.compile(r"/mod/((?:[a-z0-9!._~-]+/)*[a-z0-9!._~-]+)/"
                      r"(@v/(?:list|[A-Za-z0-9!._+~-]+\.(?:info|mod|zip))"
                      r"|@latest)")


class Snapshot:
    """index.json plus an open descriptor per archive it names."""

    def __init__(self, root):
        self.root = root
        self.releases = []
        self.files = {}
        files = os.path.join(root, "files")
        lock = os.path.join(root, ".commit.lock")
        with Lock(lock, shared=True):
            try:
                with open(os.path.join(root, "index.json")) as f:
                    self.releases = json.load(f)
            except FileNotFoundError:
                return
            for r in self.releases:
                for fi in r.get("files", []):
                    name = fi["filename"]
                    if not SAFE_FILE.fullmatch(name):
                        continue
                    try:
                        fd = os.open(os.path.join(files, name), os.O_RDONLY)
                    except FileNotFoundError:
                        continue
                    self.files[name] = (fd, os.fstat(fd).st_size)

    def close(self):
        for fd, _ in self.files.values():
            os.close(fd)
        self.files = {}


def make_handler(snap, mod_root, log):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "go-mirror/2"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            if log:
                sys.stderr.write("go-mirror: %s %s\n" % (
                    self.address_string(), fmt % a))

        def send_text(self, code, body, ctype="text/plain; charset=utf-8"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(url.query)
            if url.path in ("/dl", "/dl/") and q.get("mode") == ["json"]:
                releases = snap.releases
                if q.get("include") != ["all"]:
                    releases = [r for r in releases if r["stable"]][:2]
                self.send_text(200, json.dumps(releases, indent=1) + "\n",
                               "application/json")
                return
            m = re.fullmatch(r"/dl/([A-Za-z0-9._-]+)", url.path)
            if m:
                self.send_response(302)
                self.send_header("Location", "/files/" + m.group(1))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            m = re.fullmatch(r"/files/([A-Za-z0-9._-]+)", url.path)
            if m and m.group(1) in snap.files:
                fd, size = snap.files[m.group(1)]
                self.send_fd(fd, size, "application/octet-stream")
                return
            if url.path.startswith("/mod/") and mod_root:
                self.send_module_file(url.path)
                return
            self.send_text(404, "not found\n")

        def send_module_file(self, path):
            m = MOD_PATH.fullmatch(path)
            if not m or ".." in path.split("/"):
                self.send_text(404, "not found\n")
                return
            rel = m.group(1) + "/" + m.group(2)
            full = os.path.join(mod_root, rel)
            ctype = "application/zip" if rel.endswith(".zip") else \
                "application/json" if rel.endswith((".info", "@latest")) \
                else "text/plain; charset=utf-8"
            try:
                fd = os.open(full, os.O_RDONLY)
            except (FileNotFoundError, NotADirectoryError):
                # The go command treats 404 and 410 alike: "not found".
                self.send_text(404, f"not found: {rel}\n")
                return
            try:
                self.send_fd(fd, os.fstat(fd).st_size, ctype)
            finally:
                os.close(fd)

        def send_fd(self, fd, size, ctype):
            start, end = 0, size - 1
            rng = self.headers.get("Range")
            code = 200
            if rng:
                m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
                if not m or int(m.group(1)) >= size:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start = int(m.group(1))
                if m.group(2):
                    end = min(int(m.group(2)), size - 1)
                code = 206
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if code == 206:
                self.send_header("Content-Range",
                                 f"bytes {start}-{end}/{size}")
            self.end_headers()
            if self.command == "HEAD":
                return
            off = start
            left = end - start + 1
            while left > 0:
                chunk = os.pread(fd, min(left, 1 << 20), off)
                if not chunk:
                    break
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return
                off += len(chunk)
                left -= len(chunk)

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(root, port, log, mod_root=None):
    snap = Snapshot(root)
    srv = Server(("127.0.0.1", port), make_handler(snap, mod_root, log))
    srv.snapshot = snap
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return srv


def stop(srv):
    srv.shutdown()
    srv.server_close()
    srv.snapshot.close()


def urls(port):
    base = f"http://127.0.0.1:{port}"
    return {"LUTGEN_INDEX_URL": f"{base}/dl/?mode=json&include=all",
            "LUTGEN_DOWNLOAD_URL": f"{base}/dl/",
            "GOPROXY_URL": f"{base}/mod"}
