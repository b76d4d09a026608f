# SPDX-License-Identifier: ISC
"""Figure 1: push latency.

The test server (--stamp-states) writes one StateChange per
/control/burst?count=1 with CLOCK_MONOTONIC of its write inside the state
string; each consumer takes CLOCK_MONOTONIC when the data reaches it:
(a) a socket subscriber (jp-bench-read on the daemon's control socket) and,
as baselines, the minimal lws client and the Python websockets client, both
printing frames to a pipe read by the same jp-bench-read; (b) the hook
process starting (jp-bench-hook, debounce 0, exec without a shell); (c) a
client of the StateChanged signal on a private session bus (jp-bench-dbus).
Pushes are sent one at a time, each after the previous one arrived.
"""
import os
import subprocess
import time

import benchlib as bl

WARMUP = 10
# The hook figure's pause after each push (the previous hook run must be
# reaped first), and the pause before each start of its idle baseline.
HOOK_PAUSE = 0.02


def pushes(ctx):
    return 200 if ctx.quick else 500


def stamped(reader, timeout):
    """The next (seq, sent, seen) with a stamp, or None after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        line = reader.readline(max(0, deadline - time.monotonic()))
        if line is None:
            return None
        seq, sent, seen = (int(x) for x in line.split())
        if seq != 0:
            return seq, sent, seen


def measure(ctx, port, reader, n, settle=0.0):
    """n pushes, one at a time; returns latencies in us.  reader yields
    "<seq> <sent> <seen>" lines; settle is a pause after each push (the
    hook needs its previous run reaped, which nothing reports)."""
    c = bl.Control(port)
    lat = []
    expect = 0
    try:
        # The first pushes also prove that the consumer is connected:
        # until it is, a push may go nowhere and is simply sent again.
        # Lines without a stamp (seq 0) are skipped: the hook also runs
        # for the daemon's resync after connecting, which may see the
        # server's own states (burst frames do not change them).
        got = False
        for _ in range(50):
            c.get("burst?count=1")
            line = stamped(reader, 2)
            if line is not None:
                expect = line[0]
                got = True
                break
        if not got:
            raise RuntimeError("the consumer never saw a push")
        for i in range(WARMUP + n):
            if settle:
                time.sleep(settle)
            c.get("burst?count=1")
            expect += 1
            line = stamped(reader, 10)
            if line is None:
                raise RuntimeError("push %d never arrived" % expect)
            seq, sent, seen = line
            if seq != expect:
                raise RuntimeError("push %d arrived as %d" % (expect, seq))
            if i >= WARMUP:
                lat.append((seen - sent) / 1000.0)
    finally:
        c.close()
    return lat


def read_pipe(ctx, producer_argv, d):
    """producer | jp-bench-read: returns (reader LineReader, procs)."""
    with open(os.path.join(d, "client.log"), "ab") as err:
        prod = ctx.spawn(producer_argv, stdout=subprocess.PIPE, stderr=err)
    rd = ctx.spawn([ctx.builddir("bench/jp-bench-read")], stdin=prod.stdout,
                   stdout=subprocess.PIPE)
    prod.stdout.close()
    return bl.LineReader(rd.stdout), [rd, prod]


def run_socket(ctx, n):
    d = ctx.tmpdir()
    port, srv = bl.server_start(ctx, "--stamp-states")
    cfg = bl.write_config(ctx, d, port)
    dm = bl.daemon_start(ctx, cfg)
    bl.Control(port).wait("pushEnabled=1")
    rd = ctx.spawn([ctx.builddir("bench/jp-bench-read"), "--unix",
                    os.path.join(d, "sock")], stdout=subprocess.PIPE)
    r = bl.LineReader(rd.stdout)
    r.expect("ready")
    try:
        return measure(ctx, port, r, n)
    finally:
        for p in (rd, dm, srv):
            ctx.stop(p)


def run_client(ctx, n, argv_of_port):
    d = ctx.tmpdir()
    port, srv = bl.server_start(ctx, "--stamp-states")
    r, procs = read_pipe(ctx, argv_of_port(port), d)
    bl.Control(port).wait("pushEnabled=1")
    try:
        return measure(ctx, port, r, n)
    finally:
        for p in procs + [srv]:
            ctx.stop(p)


def run_hook(ctx, n):
    d = ctx.tmpdir()
    fifo = os.path.join(d, "hook.fifo")
    os.mkfifo(fifo)
    # Read-write: the FIFO never reports end of file between hook runs.
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    port, srv = bl.server_start(ctx, "--stamp-states")
    cfg = bl.write_config(ctx, d, port, sections="\n".join([
        "[hook stamp]", "debounce = 0",
        "exec = %s %s Mailbox" % (ctx.builddir("bench/jp-bench-hook"),
                                  fifo)]))
    dm = bl.daemon_start(ctx, cfg)
    bl.Control(port).wait("pushEnabled=1")
    try:
        return measure(ctx, port, bl.LineReader(fd), n, settle=HOOK_PAUSE)
    finally:
        for p in (dm, srv):
            ctx.stop(p)
        os.close(fd)


def run_dbus(ctx, n):
    d = ctx.tmpdir()
    addr, bus = bl.dbus_start(ctx, d)
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=addr)
    ls = ctx.spawn([ctx.builddir("bench/jp-bench-dbus")], env=env,
                   stdout=subprocess.PIPE)
    r = bl.LineReader(ls.stdout)
    r.expect("ready")
    port, srv = bl.server_start(ctx, "--stamp-states")
    cfg = bl.write_config(ctx, d, port, daemon="dbus = session")
    dm = bl.daemon_start(ctx, cfg, env=env)
    bl.Control(port).wait("pushEnabled=1")
    try:
        return measure(ctx, port, r, n)
    finally:
        for p in (ls, dm, srv, bus):
            ctx.stop(p)


def run_spawn(ctx, n, pause=0.0):
    """What starting any process costs on this machine right now: the
    baseline of the hook rows (the daemon forks and execs each run).  With
    a pause before each start, the machine is as idle as when a hook
    starts in the hook figure; a VM's idle CPU and cold caches make a
    start slower then (2.1 against 2.8 ms on the 2-core AMD EPYC VM)."""
    lat = []
    for _ in range(min(n, 100)):
        time.sleep(pause)
        t0 = time.monotonic_ns()
        subprocess.run(["/bin/true"], check=True)
        lat.append((time.monotonic_ns() - t0) / 1000.0)
    return lat


def run(ctx):
    n = pushes(ctx)
    lws = ctx.builddir("bench/jp-bench-lws")
    py = ctx.srcdir("bench/pyclient.py")
    kinds = {
        "socket": lambda: run_socket(ctx, n),
        "lws": lambda: run_client(ctx, n, lambda p: [lws, str(p)]),
        "python": lambda: run_client(ctx, n, lambda p: [
            "/usr/bin/python3", py, "--url",
            "ws://127.0.0.1:%d/jmap/ws/" % p, "--user", bl.USER,
            "--password", bl.PASSWORD]),
        "hook": lambda: run_hook(ctx, n),
        "spawn": lambda: run_spawn(ctx, n),
        "spawn_idle": lambda: run_spawn(ctx, n, HOOK_PAUSE),
        "dbus": lambda: run_dbus(ctx, n),
    }
    med = {k: [] for k in kinds}
    p99 = {k: [] for k in kinds}
    errors = {}
    for i in range(ctx.repeats):
        for k, fn in kinds.items():
            if k in errors:
                continue
            ctx.log("latency: %s, run %d/%d, %d pushes" %
                    (k, i + 1, ctx.repeats, n))
            try:
                lat = fn()
            except Exception as e:  # noqa: BLE001 -- one row fails
                errors[k] = "%s: %s" % (type(e).__name__, e)
                continue
            med[k].append(bl.percentile(lat, 50))
            p99[k].append(bl.percentile(lat, 99))
            ctx.cleanup()

    def mid(k, which):
        return bl.stats(which[k])["median"] if which[k] else None

    note = "%d pushes per run, one at a time, median of %d runs" % (
        n, ctx.repeats)
    rows = []

    def add(name, k, which, target=None, baseline=None, bk=None,
            ratio_target=False, extra=""):
        if k in errors or (bk is not None and bk in errors):
            rows.append(bl.failed(name, errors.get(k) or errors.get(bk)))
            return
        rows.append(bl.figure(
            name, "us", which[k], baseline=baseline,
            baseline_value=mid(bk, which) if bk else None, target=target,
            ratio_target=ratio_target,
            note=(note + ("; " + extra if extra else ""))))

    add("push latency to socket subscriber, median", "socket", med, 150,
        "minimal lws client", "lws")
    add("push latency to socket subscriber, p99", "socket", p99, 1000,
        "minimal lws client", "lws")
    add("push latency to socket subscriber, median, ratio ours/lws",
        "socket", med, 1.3, "minimal lws client", "lws", ratio_target=True)
    add("push latency to socket subscriber vs Python, median", "socket",
        med, None, "Python websockets client", "python")
    add("push latency to socket subscriber vs Python, p99", "socket",
        p99, None, "Python websockets client", "python")
    hook_note = ("20 ms pause after each push for the hook to be reaped; "
                 "baseline: /bin/true started and exited from Python, "
                 "100 times per run")
    add("push latency to hook start (debounce 0), median", "hook", med,
        2000, "exec of /bin/true", "spawn", extra=hook_note)
    add("push latency to hook start (debounce 0), p99", "hook", p99,
        None, "exec of /bin/true", "spawn", extra=hook_note)
    add("push latency to hook start (debounce 0), median, idle baseline",
        "hook", med, None, "exec of /bin/true after 20 ms idle",
        "spawn_idle", extra="the same runs; baseline: as above, with the "
        "hook's 20 ms pause before each start")
    add("push latency to D-Bus signal (private bus), median", "dbus", med,
        1000)
    add("push latency to D-Bus signal (private bus), p99", "dbus", p99)
    return rows
