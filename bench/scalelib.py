# SPDX-License-Identifier: ISC
"""Helpers of the scale figures (memory, idle cost, reconnect storm).

Standard library only; builds on benchlib (bench/run puts bench/ on
sys.path).  Thousands of sessions need thousands of descriptors in the
daemon and in the test server: both raise their own soft RLIMIT_NOFILE to
the hard limit at start, and raise_nofile() does the same for the bench
process (raising the hard limit too when the sessions need it and we may),
so the value every child starts with is the hard limit.

Past SESSIONS_PER_SERVER sessions the accounts are spread over several
test servers on different loopback ports (servers(), config() and
connect_all() take lists): the kernel picks a client's ephemeral port per
destination address and port, and ip_local_port_range (32768-60999 by
default: 28,232 ports) cannot hold 50,000 WebSockets to one server, let
alone the short HTTP connections in TIME_WAIT beside them.  Two cores
also share the servers' work.
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


# At most this many sessions per test server: well under the 28,232
# ephemeral ports a destination has by default, leaving room for the
# Session GETs and event source connections in TIME_WAIT.
SESSIONS_PER_SERVER = 12500


def raise_nofile(sessions):
    """Soft limit to the hard limit, after raising the hard limit (to the
    next power of two, at most fs.nr_open) if sessions do not fit under it;
    only a process with CAP_SYS_RESOURCE may raise it (root, but not root
    in a container without it), so elsewhere a RuntimeError says what to
    do.  Children inherit both limits.  Returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = sessions + FD_SLACK
    if hard != resource.RLIM_INFINITY and hard < need:
        want = 1 << (need - 1).bit_length()
        try:
            with open("/proc/sys/fs/nr_open") as f:
                want = max(need, min(want, int(f.read())))
        except (OSError, ValueError):
            pass
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
        except (OSError, ValueError) as e:
            raise RuntimeError("hard open files limit %d is below %d "
                               "sessions and cannot be raised (%s: needs "
                               "CAP_SYS_RESOURCE); raise it (ulimit -Hn, "
                               "limits.conf, LimitNOFILE=)" %
                               (hard, sessions, e))
        return want
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


def nservers(n):
    """How many test servers n sessions are spread over."""
    return max(1, -(-n // SESSIONS_PER_SERVER))


def servers(ctx, n, tls=None, ports=None):
    """nservers(n) test servers (on `ports` when given, e.g. to start them
    again after a kill).  Returns [(port, proc), ...]."""
    if ports is None:
        ports = [None] * nservers(n)
    started = []
    try:
        for port in ports:
            started.append(server(ctx, tls=tls, port=port))
    except BaseException:
        for _, p in started:
            ctx.stop(p)
        raise
    return started


def share(ports, n):
    """{port: sessions on it} when account i uses ports[i % len(ports)]
    (benchlib.write_config)."""
    if isinstance(ports, int):
        ports = [ports]
    k = len(ports)
    return {port: len(range(j, n, k)) for j, port in enumerate(ports)}


def config(ctx, ports, n, tls=None, daemon="", account=""):
    """A config with n accounts spread over the servers at ports (an int
    or a list); wss when tls is given.  Returns (dir, path)."""
    d = ctx.tmpdir()
    if tls is not None:
        daemon = "ca_file = %s\n%s" % (tls[0], daemon)
    path = benchlib.write_config(ctx, d, ports, naccounts=n, daemon=daemon,
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


def wait_all(ports, n, timeout_s, tls=None, alive=None):
    """Waits until the servers at ports hold their share of n push
    channels (their pushEnabled summed).  alive() is called between short
    waits and raises if what should connect died.  Returns the status of
    each server, in order; RuntimeError after timeout_s."""
    t0 = time.monotonic()
    want = share(ports, n)
    conns = {port: control(port, tls) for port in want}
    try:
        done = {}
        while True:
            for port, c in conns.items():
                if port not in done:
                    st = c.get("status")
                    if st.get("pushEnabled", 0) >= want[port]:
                        done[port] = st
            if len(done) == len(want):
                return [done[port] for port in want]
            if alive is not None:
                alive()
            if time.monotonic() - t0 > timeout_s:
                got = sum(done[p].get("pushEnabled", 0) if p in done else
                          conns[p].get("status").get("pushEnabled", 0)
                          for p in want)
                raise RuntimeError("only %d of %d sessions connected in "
                                   "%ds" % (got, n, timeout_s))
            # Short waits on one server not there yet, so that a daemon
            # that died is noticed at once.
            port = next(p for p in want if p not in done)
            try:
                conns[port].wait("pushEnabled=%d" % want[port],
                                 timeout_ms=1000)
            except RuntimeError:
                pass    # 408: not yet
    finally:
        for c in conns.values():
            c.close()


def connect_all(ctx, ports, n, cfg, timeout_s, tls=None):
    """Starts the daemon on cfg and waits until the servers at ports (an
    int or a list) hold n push channels.  Returns (daemon process, seconds
    from its exec to the last channel)."""
    t0 = time.monotonic()
    p = benchlib.daemon_start(ctx, cfg)

    def alive():
        if p.poll() is not None:
            raise RuntimeError("the daemon exited with status %d (see "
                               "%s/daemon.log)" %
                               (p.returncode, os.path.dirname(cfg)))

    try:
        wait_all(ports, n, timeout_s, tls, alive)
    except BaseException:
        ctx.stop(p)
        raise
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
