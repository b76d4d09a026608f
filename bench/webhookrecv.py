#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The benchmark's webhook receiver: a threaded HTTP server on loopback
that answers every POST 204 and, like jp-bench-read, takes
CLOCK_MONOTONIC as soon as a body is read and finds the test server's
stamp ("b<seq>-<ns>") in it.

Prints "port N" first.  Then, per stamped body, "<seq> <sent> <seen>";
or with --summary FIRST:LAST:COUNT nothing per body but, once COUNT
stamps with FIRST <= seq <= LAST came, "<count> <last seq> <first seen>
<last seen>"; "warm" once --warm N stamps below FIRST came.  Signatures
are not checked here: the integration tests do that.
"""
import argparse
import http.server
import re
import sys
import threading
import time

STAMP = re.compile(rb':"b(\d+)-(\d+)"')


class State:
    def __init__(self, a):
        self.lock = threading.Lock()
        self.summary = a.summary
        self.warm = a.warm
        self.warmed = 0
        self.count = 0
        self.first = 0
        self.last = 0
        self.last_seq = 0
        self.done = False
        if a.summary:
            f, t, c = a.summary.split(":")
            self.lo, self.hi, self.want = int(f), int(t), int(c)

    def seen(self, seq, sent, now):
        with self.lock:
            if not self.summary:
                out("%d %d %d" % (seq, sent, now))
                return
            if seq < self.lo:
                self.warmed += 1
                if self.warmed == self.warm:
                    out("warm")
                return
            if seq > self.hi or self.done:
                return
            if self.count == 0:
                self.first = now
            self.count += 1
            self.last = now
            self.last_seq = seq
            if self.count >= self.want:
                self.done = True
                out("%d %d %d %d" % (self.count, self.last_seq, self.first,
                                     self.last))


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        now = time.monotonic_ns()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        m = STAMP.search(body)
        if m:
            self.server.state.seen(int(m.group(1)), int(m.group(2)), now)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 4096
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--summary")
    p.add_argument("--warm", type=int, default=0)
    a = p.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = State(a)
    out("port %d" % srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
