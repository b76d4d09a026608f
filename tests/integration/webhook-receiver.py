#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A webhook receiver for the integration tests, on loopback.

Writes its port to --port-file.  Each request is checked (signature over
timestamp "." body with --secret, timestamp within 5 minutes, Content-Type)
and recorded as one line appended to --log:

    ID STATUS SIG AUTH BODY

ID the X-Jmap-Pushd-Delivery header, STATUS what it answered, SIG "ok" or
"bad", AUTH the Authorization header (blanks as "_") or "-", BODY the request body with its
"time" value replaced by "T".  The time of arrival (seconds since the epoch,
float) goes to --log with ".times" appended, one line per request.

The answers: --plan FILE holds one line per request to come, consumed from
the top, each "STATUS [RETRY-AFTER]" or "hold"; once the plan is empty the
answer is 200.  "hold" keeps the request unanswered (and the next ones
waiting, unless --threaded) until --plan's file with ".go" appended
exists, then answers 200.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import re
import ssl
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--threaded", action="store_true",
                    help="a thread per request: a held one holds no other")
    args = ap.parse_args()
    key = args.secret.encode()
    lock = threading.Lock()

    def next_plan():
        try:
            with open(args.plan) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return None
        if not lines:
            return None
        with open(args.plan + ".tmp", "w") as f:
            f.write("".join(line + "\n" for line in lines[1:]))
        os.rename(args.plan + ".tmp", args.plan)
        return lines[0].split()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            sys.stderr.write("receiver: " + fmt % a + "\n")

        def do_POST(self):
            arrived = time.time()
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            ts = self.headers.get("X-Jmap-Pushd-Timestamp", "")
            want = "sha256=" + hmac.new(key, ts.encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
            sig = "ok" if (
                hmac.compare_digest(
                    want, self.headers.get("X-Jmap-Pushd-Signature", ""))
                and ts.isdigit() and abs(int(ts) - time.time()) < 300
                and self.headers.get("Content-Type") == "application/json"
                and json.loads(body) is not None) else "bad"
            with lock:
                plan = next_plan() or ["200"]
            if plan[0] == "hold":
                while not os.path.exists(args.plan + ".go"):
                    time.sleep(0.02)
                plan = ["200"]
            status = int(plan[0])
            text = re.sub(rb'"time":"[^"]*"', b'"time":"T"', body)
            with lock, open(args.log, "ab") as f:
                f.write(("%s %d %s %s " % (
                    self.headers.get("X-Jmap-Pushd-Delivery", "-"), status,
                    sig, self.headers.get("Authorization", "-").replace(
                        " ", "_"))).encode()
                    + text + b"\n")
                f.flush()
                with open(args.log + ".times", "a") as t:
                    t.write("%f\n" % arrived)
            self.send_response(status)
            if len(plan) > 1:
                self.send_header("Retry-After", plan[1])
            self.send_header("Content-Length", "0")
            self.end_headers()

    cls = (http.server.ThreadingHTTPServer if args.threaded
           else http.server.HTTPServer)
    cls.allow_reuse_address = True
    srv = cls(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(args.port_file, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
