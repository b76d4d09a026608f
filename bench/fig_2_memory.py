# SPDX-License-Identifier: ISC
"""Figure 2: memory.  RSS of the daemon with 1 idle account, and the RSS
each additional idle session costs at 100, 1,000, 10,000 and 50,000
sessions over ws:// and wss:// (50,000 spread over four test servers:
scalelib.SESSIONS_PER_SERVER): (RSS(N) - RSS(1)) / (N - 1), each RSS read once all N
push channels are enabled on the server and the RSS has stopped moving.
Baseline: bench/pyclient.py (Python asyncio websockets) with 1 and 100
sessions, measured the same way."""
import subprocess
import time

import benchlib
import scalelib

MB = 1024.0
# Full size; the last needs a hard RLIMIT_NOFILE above 50,000
# (scalelib.raise_nofile).
SIZES = [100, 1000, 10000, 50000]


def _daemon_rss(ctx, n, tls):
    started = scalelib.servers(ctx, n, tls=tls)
    ports = [port for port, _ in started]
    try:
        _, cfg = scalelib.config(ctx, ports, n, tls=tls)
        p, secs = scalelib.connect_all(ctx, ports, n, cfg,
                                       60 + n // (25 if tls else 50), tls)
        rss = scalelib.settled_rss_kb(p.pid)
        ctx.stop(p)
    finally:
        for _, server in started:
            ctx.stop(server)
    if n >= 10000:
        ctx.log("memory: %d %s sessions connected in %.1fs over %d "
                "server(s)" % (n, "wss" if tls else "ws", secs, len(ports)))
    return rss


def _python_rss(ctx, n):
    port, server = scalelib.server(ctx)
    p = ctx.spawn(["/usr/bin/python3", ctx.srcdir("bench/pyclient.py"),
                   "--url", "ws://127.0.0.1:%d/jmap/ws/" % port,
                   "--user", benchlib.USER, "--password", benchlib.PASSWORD,
                   "--sessions", str(n)],
                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline().decode().strip()
    if line != "ready %d" % n:
        raise RuntimeError("pyclient.py said %r, not 'ready %d'" % (line, n))
    rss = scalelib.settled_rss_kb(p.pid)
    ctx.stop(p)
    ctx.stop(server)
    return rss


def run(ctx):
    sizes = ctx.scale_sizes(SIZES, [100, 1000])
    # Raised size by size below: a size whose sessions cannot fit fails
    # its own rows only.
    scalelib.raise_nofile(min(sizes))
    tls = scalelib.tls_files(ctx)
    rows = []

    try:
        py1m = benchlib.stats([_python_rss(ctx, 1)
                               for _ in range(ctx.repeats)])["median"]
        py100m = benchlib.stats([_python_rss(ctx, 100)
                                 for _ in range(ctx.repeats)])["median"]
        py_marginal = (py100m - py1m) / 99.0
        py_note = ""
    except (OSError, RuntimeError) as e:
        py1m = py100m = py_marginal = None
        py_note = "Python baseline failed: %s" % e
    rss100 = []

    # Issue 17 set lower targets at 50,000 sessions than at the small
    # sizes, where the fixed costs still weigh.
    for scheme, t, target, target_big in (("ws", None, 16, 12),
                                          ("wss", tls, 64, 32)):
        base = [_daemon_rss(ctx, 1, t) for _ in range(ctx.repeats)]
        base_m = benchlib.stats(base)["median"]
        if scheme == "ws":
            rows.append(benchlib.figure(
                "RSS, 1 idle account (ws)", "MiB", [v / MB for v in base],
                baseline="Python websockets client, 1 session",
                baseline_value=py1m / MB if py1m else None, target=10,
                better="lower", note=py_note))
        for n in sizes:
            name = "RSS per extra idle session, %s, %d sessions" % (scheme, n)
            # Big sizes take minutes each: fewer runs.
            reps = ctx.repeats if n <= 100 else min(ctx.repeats, 3) \
                if n <= 1000 else 1
            vals = []
            try:
                scalelib.raise_nofile(n)
                note_fd = scalelib.nofile_note()
                for _ in range(reps):
                    rss = _daemon_rss(ctx, n, t)
                    if n == 100 and scheme == "ws":
                        rss100.append(rss / MB)
                    vals.append((rss - base_m) / (n - 1))
                    ctx.log("memory: %s %d sessions: %.1f KiB/session" %
                            (scheme, n, vals[-1]))
            except RuntimeError as e:
                # One size that cannot connect in time keeps the others.
                rows.append(benchlib.failed(name, str(e)))
                continue
            bl = bv = None
            if n == 100 and scheme == "ws":
                bl, bv = "Python websockets client, 100 sessions", \
                    py_marginal
            rows.append(benchlib.figure(
                name, "KiB", vals, baseline=bl, baseline_value=bv,
                target=target_big if n >= 50000 else target, better="lower",
                note=("%d run(s); %d test server(s); %s" %
                      (reps, scalelib.nservers(n), note_fd)) if n > 1000
                else ""))
    if rss100:      # not when --sizes leaves out 100
        rows.insert(1, benchlib.figure(
            "RSS, 100 idle accounts (ws)", "MiB", rss100,
            baseline="Python websockets client, 100 sessions",
            baseline_value=py100m / MB if py100m else None, note=py_note))
    return rows
