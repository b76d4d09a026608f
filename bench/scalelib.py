# SPDX-License-Identifier: ISC
"""Helpers of the scale figures (memory, idle cost, reconnect storm).

Standard library only; builds on benchlib (bench/run puts bench/ on
sys.path).  Thousands of sessions need thousands of descriptors in the
daemon and in the test server: both raise their own soft RLIMIT_NOFILE to
the hard limit at start, and raise_nofile() does the same for the bench
process, so the value every child starts with is the hard limit.
"""
import atexit
import http.client
import os
import resource
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import benchlib

# Descriptors beyond one per session: the daemon's own (log, socket, event
# loop, lws) and the test server's listeners and control connections.
FD_SLACK = 200


def raise_nofile(sessions):
    """Soft limit to the hard limit; RuntimeError if sessions cannot fit.
    Returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < sessions + FD_SLACK:
        raise RuntimeError("hard open files limit %d is below %d sessions; "
                           "raise it (ulimit -Hn, limits.conf)" %
                           (hard, sessions))
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def nofile_note():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return "RLIMIT_NOFILE %d" % soft


def tls_files(ctx):
    """A CA and a certificate for localhost signed by it (P-256, like
    tests/integration/tls.sh).  Returns (ca.pem, cert.pem, key.pem)."""
    d = ctx.tmpdir()

    def run(argv):
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    ca, cakey = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", cakey,
         "-out", ca, "-days", "2", "-subj", "/CN=jmap-pushd bench CA"])
    key, csr = os.path.join(d, "lh.key"), os.path.join(d, "lh.csr")
    cert, ext = os.path.join(d, "lh.pem"), os.path.join(d, "lh.ext")
    run(["openssl", "req", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
         "-out", csr, "-subj", "/CN=localhost"])
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext])
    return ca, cert, key


def free_port():
    """A loopback port nothing listens on now (for a server that must come
    back on the same port after a kill)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def server(ctx, tls=None, port=None, log=None):
    """The test server, plain or (tls = tls_files()) on https://localhost.
    "localhost" comes from /etc/hosts through evdns: no DNS query."""
    args = []
    if port is not None:
        args += ["--port", str(port)]
    if tls is not None:
        args += ["--host", "localhost", "--tls-cert", tls[1],
                 "--tls-key", tls[2]]
    return benchlib.server_start(ctx, *args, log=log)


def state_dir():
    """A state directory in RAM when /dev/shm exists.  The first connection
    of an account saves its state with two fsync() calls; on this kind of
    VM disk that is ~7 ms each, which would make 10,000 first connections
    take minutes of disk waits that none of these figures is about."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    d = tempfile.mkdtemp(prefix="jp-bench-state.", dir=base)
    atexit.register(shutil.rmtree, d, True)
    return d


def config(ctx, port, n, tls=None, daemon="", account=""):
    """A config with n accounts on one server; wss when tls is given.
    Returns (dir, path)."""
    d = ctx.tmpdir()
    if tls is not None:
        daemon = "ca_file = %s\n%s" % (tls[0], daemon)
    path = benchlib.write_config(ctx, d, port, naccounts=n, daemon=daemon,
                                 account=account)
    with open(path) as f:
        text = f.read()
    text = text.replace("state_dir = %s/state" % d,
                        "state_dir = %s" % state_dir(), 1)
    if tls is not None:
        text = text.replace("http://127.0.0.1:", "https://localhost:")
    with open(path, "w") as f:
        f.write(text)
    return d, path


def control(port, tls=None, timeout=30):
    """benchlib.Control, over https://localhost for a TLS server (its
    control API shares the listener)."""
    c = benchlib.Control(port, timeout=timeout)
    if tls is not None:
        c.conn.close()
        c.conn = http.client.HTTPSConnection(
            "localhost", port, timeout=timeout,
            context=ssl.create_default_context(cafile=tls[0]))
    return c


def connect_all(ctx, port, n, cfg, timeout_s, tls=None):
    """Starts the daemon on cfg and waits until the server holds n push
    channels.  Returns (daemon process, seconds it took)."""
    t0 = time.monotonic()
    p = benchlib.daemon_start(ctx, cfg)
    c = control(port, tls)
    try:
        # Short waits, so that a daemon that died is noticed at once.
        while True:
            st = c.get("status")
            if st.get("pushEnabled", 0) >= n:
                break
            if p.poll() is not None:
                raise RuntimeError("the daemon exited with status %d (see "
                                   "%s/daemon.log)" %
                                   (p.returncode, os.path.dirname(cfg)))
            if time.monotonic() - t0 > timeout_s:
                raise RuntimeError("only %s of %d sessions connected in "
                                   "%ds" % (st.get("pushEnabled"), n,
                                            timeout_s))
            try:
                c.wait("pushEnabled=%d" % n, timeout_ms=1000)
            except RuntimeError:
                pass    # 408: not yet
    except BaseException:
        ctx.stop(p)
        raise
    finally:
        c.close()
    return p, time.monotonic() - t0


def settled_rss_kb(pid, interval=0.5, rounds=20):
    """RSS once it stops moving (two samples in a row within 1%)."""
    last = benchlib.rss_kb(pid)
    for _ in range(rounds):
        time.sleep(interval)
        now = benchlib.rss_kb(pid)
        if abs(now - last) <= max(8, last // 100):
            return now
        last = now
    return last


def cpu_ticks(pid):
    """utime + stime of pid (all threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def ctx_switches(pid):
    """Voluntary and involuntary context switches summed over threads: each
    voluntary one is the loop going to sleep and being woken."""
    vol = invol = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        vol += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        invol += int(line.split()[1])
        except FileNotFoundError:
            pass
    return vol, invol


class RssSampler:
    """Samples a pid's RSS every period in a thread; .peak_kb."""

    def __init__(self, pid, period=0.05):
        self.pid = pid
        self.period = period
        self.peak_kb = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.peak_kb = max(self.peak_kb, benchlib.rss_kb(self.pid))
            except (OSError, RuntimeError):
                return
            self._stop.wait(self.period)

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.peak_kb
