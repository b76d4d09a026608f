# SPDX-License-Identifier: ISC
"""Figure 6: start-up.

From the exec of the daemon (just before Popen) to its READY=1 on a
NOTIFY_SOCKET the bench listens on (an AF_UNIX datagram socket, so no
systemd is needed), with 1 and 1,000 accounts configured on a running test
server. READY must not wait for the servers (src/daemon/daemon.c sends it
once every account is started, before any connects).

Reload (issue 17): SIGHUP to READY=1 (after RELOADING=1) with 1,000 and
10,000 accounts, one of them changed (its URL) by each reload.  What is
measured is the matching of old and new accounts, so the accounts point at
a port that refuses connections, with a backoff of an hour: after their
first attempt they wait, and the daemon is otherwise idle while it
reloads.
"""
import os
import signal
import socket
import time

import benchlib as bl


def once(ctx, port, naccounts):
    d = ctx.tmpdir()
    cfg = bl.write_config(ctx, d, port, naccounts=naccounts)
    path = os.path.join(d, "notify")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    try:
        t0 = time.monotonic_ns()
        dm = bl.daemon_start(ctx, cfg, env=env)
        while True:
            msg = ns.recv(4096)
            if b"READY=1" in msg.split(b"\n"):
                t1 = time.monotonic_ns()
                break
        ctx.stop(dm)
    finally:
        ns.close()
    return (t1 - t0) / 1e6


RELOAD_SIZES = (1000, 10000)
# The first attempts (jitter up to 1 s, 100 in flight) end within this.
RELOAD_SETTLE_S = 3


def reload_config(ctx, d, port, n, changed_port):
    """Accounts on port (nothing listens), a1 on changed_port."""
    cfg = bl.write_config(ctx, d, port, naccounts=n,
                          daemon="backoff_initial = 1h\nbackoff_max = 1h")
    with open(cfg) as f:
        text = f.read()
    text = text.replace("127.0.0.1:%d/" % port,
                        "127.0.0.1:%d/" % changed_port, 1)
    with open(cfg, "w") as f:
        f.write(text)
    return cfg


def reloads(ctx, n, times):
    """times reloads of a daemon with n accounts; returns ms each."""
    d = ctx.tmpdir()
    # Bound, never listening: connections are refused.
    socks = [socket.socket() for _ in range(2)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    cfg = reload_config(ctx, d, ports[0], n, ports[0])
    path = os.path.join(d, "notify")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(60)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    vals = []
    try:
        dm = bl.daemon_start(ctx, cfg, env=env)
        while b"READY=1" not in ns.recv(65536).split(b"\n"):
            pass
        time.sleep(RELOAD_SETTLE_S)
        for i in range(times):
            reload_config(ctx, d, ports[0], n, ports[(i + 1) % 2])
            # Whatever the daemon said before the reload is not the answer.
            ns.setblocking(False)
            try:
                while True:
                    ns.recv(65536)
            except BlockingIOError:
                pass
            ns.settimeout(60)
            t0 = time.monotonic_ns()
            dm.send_signal(signal.SIGHUP)
            reloading = False
            while True:
                msg = ns.recv(65536).split(b"\n")
                reloading = reloading or b"RELOADING=1" in msg
                if reloading and b"READY=1" in msg:
                    t1 = time.monotonic_ns()
                    break
            vals.append((t1 - t0) / 1e6)
        ctx.stop(dm)
    finally:
        ns.close()
        for s in socks:
            s.close()
    return vals


def exec_true(ctx):
    """The same clock around an exec of /bin/true: what starting any
    process costs on this machine right now."""
    t0 = time.monotonic_ns()
    p = ctx.spawn(["/bin/true"])
    p.wait()
    return (time.monotonic_ns() - t0) / 1e6


def run(ctx):
    rows = []
    port, srv = bl.server_start(ctx)
    base = bl.stats([exec_true(ctx) for _ in range(ctx.repeats * 3)])
    for n in (1, 1000):
        vals = []
        for i in range(ctx.repeats):
            ctx.log("start-up: %d account(s), run %d/%d" %
                    (n, i + 1, ctx.repeats))
            vals.append(once(ctx, port, n))
        rows.append(bl.figure(
            "start-up: exec to READY=1, %s account%s" %
            ("{:,}".format(n), "" if n == 1 else "s"), "ms", vals,
            baseline="exec of /bin/true to its exit",
            baseline_value=base["median"],
            note="test server running; READY does not wait for it"))
    ctx.stop(srv)
    for n in RELOAD_SIZES:
        ctx.log("reload: %d accounts, %d reloads" % (n, ctx.repeats))
        rows.append(bl.figure(
            "reload, %s accounts, one changed: SIGHUP to READY=1" %
            "{:,}".format(n), "ms", reloads(ctx, n, ctx.repeats),
            note="%d reloads of one daemon; accounts in backoff (their "
                 "port refuses), so the daemon is otherwise idle" %
                 ctx.repeats))
    return rows
