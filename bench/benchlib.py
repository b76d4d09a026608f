# SPDX-License-Identifier: ISC
"""Shared by bench/run and the figure modules (bench/fig_*.py).

Standard library only.  Everything a figure starts goes through Ctx, which
kills it and removes its directories at the end of the run, whatever
happens in between.
"""
import json
import os
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import http.client

USER = "alice@example.com"
PASSWORD = "secret"


class Ctx:
    """What bench/run hands every figure module."""

    def __init__(self, top_builddir, top_srcdir, quick, sizes=None):
        self.top_builddir = os.path.abspath(top_builddir)
        self.top_srcdir = os.path.abspath(top_srcdir)
        self.quick = quick
        # bench/run --sizes: the session counts the scale figures run
        # instead of their own (None: their own).
        self.sizes = sizes
        self.repeats = 3 if quick else 5
        self._dirs = []
        self._procs = []

    def scale_sizes(self, full, quick):
        """The session counts a scale figure runs: --sizes when given,
        else its quick or full list."""
        if self.sizes:
            return list(self.sizes)
        return quick if self.quick else full

    def log(self, msg):
        print("bench: " + msg, file=sys.stderr, flush=True)

    def tmpdir(self):
        """A fresh private directory, removed at the end of the run."""
        d = tempfile.mkdtemp(prefix="jp-bench.")
        self._dirs.append(d)
        return d

    def builddir(self, *parts):
        return os.path.join(self.top_builddir, *parts)

    def srcdir(self, *parts):
        return os.path.join(self.top_srcdir, *parts)

    def spawn(self, argv, **kw):
        """subprocess.Popen, killed at the end of the run if still alive."""
        p = subprocess.Popen(argv, **kw)
        self._procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=10):
        """Stops p (and reaps it); returns its exit status."""
        if p.poll() is None:
            try:
                p.send_signal(sig)
                return p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
        return p.wait()

    def cleanup(self):
        for p in reversed(self._procs):
            if p.poll() is None:
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self._procs = []
        for d in self._dirs:
            shutil.rmtree(d, ignore_errors=True)
        self._dirs = []


# --- the test server -------------------------------------------------------

def server_start(ctx, *args, log=None):
    """Starts tests/server/jmap-testserver with args; returns (port, proc).

    Its stderr goes to `log` (a path; default a file in a fresh tmpdir)."""
    if log is None:
        log = os.path.join(ctx.tmpdir(), "server.log")
    with open(log, "ab") as err:
        p = ctx.spawn([ctx.builddir("tests/server/jmap-testserver"),
                       "--port-file", "-"] + list(args),
                      stdout=subprocess.PIPE, stderr=err)
    line = p.stdout.readline()
    if not line.strip().isdigit():
        raise RuntimeError("test server did not start (see %s)" % log)
    return int(line), p


class Control:
    """A keep-alive HTTP connection to a test server's /control/ API."""

    def __init__(self, port, timeout=60):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port,
                                               timeout=timeout)

    def get(self, path):
        try:
            r = self._request(path)
        except (http.client.RemoteDisconnected, ConnectionResetError,
                BrokenPipeError):
            # The server may close an idle keep-alive connection (seen
            # under emulation with 50,000 sessions): every control GET
            # can be asked again, on a new connection.
            self.conn.close()
            r = self._request(path)
        body = r.read()
        if r.status != 200:
            raise RuntimeError("control %s: %d %s" % (path, r.status,
                                                      body[:200]))
        return json.loads(body)

    def _request(self, path):
        self.conn.request("GET", "/control/" + path)
        return self.conn.getresponse()

    def wait(self, cond, timeout_ms=30000):
        """Blocks until the server reports cond (e.g. "pushEnabled=1")."""
        return self.get("wait?%s&timeout=%d" % (cond, timeout_ms))

    def close(self):
        self.conn.close()


def control(port, path):
    c = Control(port)
    try:
        return c.get(path)
    finally:
        c.close()


# --- the daemon ------------------------------------------------------------

def write_config(ctx, d, ports, naccounts=1, daemon="", account="",
                 sections=""):
    """Writes d/config for naccounts accounts (a1, a2, ...) on the test
    servers at `ports` (an int or a list: account i uses ports[i % n]).

    `daemon` and `account` are extra lines for [daemon] and for every
    account; `sections` is appended (hooks and so on).  D-Bus is off unless
    `daemon` says otherwise.  Returns the config path."""
    if isinstance(ports, int):
        ports = [ports]
    pw = os.path.join(d, "password")
    with open(pw, "w") as f:
        f.write(PASSWORD + "\n")
    os.chmod(pw, 0o600)
    lines = ["[daemon]", "state_dir = %s/state" % d, "socket = %s/sock" % d]
    if "dbus" not in daemon:
        lines.append("dbus = none")
    lines += [daemon, ""]
    for i in range(naccounts):
        lines += ["[account a%d]" % (i + 1),
                  "url = http://127.0.0.1:%d/.well-known/jmap" %
                  ports[i % len(ports)],
                  "username = " + USER,
                  "password_file = " + pw,
                  account, ""]
    lines.append(sections)
    path = os.path.join(d, "config")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def daemon_start(ctx, config, args=(), env=None, log=None):
    """Starts src/jmap-pushd -c config; returns the process at once (wait
    for it with Control.wait("pushEnabled=N"))."""
    if log is None:
        log = os.path.join(os.path.dirname(config), "daemon.log")
    with open(log, "ab") as err:
        return ctx.spawn([ctx.builddir("src/jmap-pushd"), "-c", config] +
                         list(args), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=err, env=env)


def connect_socket(path, timeout=30):
    """A client of the daemon's control socket, once it listens."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


# --- measurements ----------------------------------------------------------

def rss_kb(pid):
    """Resident set size of pid in KiB (VmRSS)."""
    return _status_field(pid, "VmRSS")


def hwm_kb(pid):
    """Peak resident set size of pid in KiB (VmHWM)."""
    return _status_field(pid, "VmHWM")


def _status_field(pid, name):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise RuntimeError("/proc/%d/status has no %s" % (pid, name))


def percentile(values, p):
    """Nearest-rank percentile, p in 0..100."""
    v = sorted(values)
    if not v:
        raise ValueError("no values")
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def stats(values):
    """{"median", "min", "max"} of a list of numbers."""
    if not values:
        raise ValueError("no values")
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values)}


def figure(name, unit, values, baseline=None, baseline_value=None,
           target=None, better="lower", note="", ratio_target=False):
    """One table row in the results.json shape.  values: the per-run
    values of ours.  With ratio_target the target applies to the ratio
    ours/baseline (and the name should say "ratio")."""
    ours = stats(values)
    ratio = None
    if baseline_value:
        ratio = ours["median"] / baseline_value
    met = None
    measured = ratio if ratio_target else ours["median"]
    if target is not None and measured is not None:
        met = measured <= target if better == "lower" else measured >= target
    return {"name": name, "unit": unit, "ours": ours, "baseline": baseline,
            "baseline_value": baseline_value, "ratio": ratio,
            "target": target, "met": met, "better": better, "note": note}


def failed(name, reason):
    return {"name": name, "unit": "", "ours": None, "baseline": None,
            "baseline_value": None, "ratio": None, "target": None,
            "met": None, "better": "lower", "note": "failed: " + reason}


class LineReader:
    """Lines from a file descriptor (a pipe or a FIFO) with a timeout."""

    def __init__(self, f):
        self.fd = f if isinstance(f, int) else f.fileno()
        self.buf = b""

    def readline(self, timeout=30):
        """The next line without its newline, or None after timeout
        seconds or at end of file."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def expect(self, what, timeout=30):
        """The next line, which must be `what`."""
        line = self.readline(timeout)
        if line != what:
            raise RuntimeError("expected %r, got %r" % (what, line))


def dbus_start(ctx, d):
    """A private session bus at d/bus, configured as the integration tests
    configure theirs (tests/dbus/private-bus.conf.in): without the standard
    service directories, so that nothing installed on the machine (a
    notification daemon) is started on it.  Returns (address, proc)."""
    addr = "unix:path=%s/bus" % d
    conf = os.path.join(d, "bus.conf")
    with open(ctx.srcdir("tests", "dbus", "private-bus.conf.in")) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("@ADDRESS@", addr))
    p = ctx.spawn(["dbus-daemon", "--config-file=" + conf, "--nofork",
                   "--print-address=1"],
                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if LineReader(p.stdout).readline(30) is None:
        raise RuntimeError("dbus-daemon did not start")
    return addr, p
