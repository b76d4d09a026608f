# SPDX-License-Identifier: ISC
"""Figure 6: start-up.

From the exec of the daemon (just before Popen) to its READY=1 on a
NOTIFY_SOCKET the bench listens on (an AF_UNIX datagram socket, so no
systemd is needed), with 1 and 1,000 accounts configured on a running test
server. READY must not wait for the servers (src/daemon/daemon.c sends it
once every account is started, before any connects).
"""
import os
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
    return rows
