# SPDX-License-Identifier: ISC
"""Figure 5: reconnect storm.  10,000 and 50,000 sessions (1,000 quick)
spread over test servers of at most 12,500 sessions each
(scalelib.SESSIONS_PER_SERVER: one for 10,000, four for 50,000; one
destination port cannot hold more WebSockets than ip_local_port_range has
ports).  First the start-up: from
the exec of the daemon until every push channel is enabled.  Then the
servers are all killed (SIGKILL: no close frames, like a crash) and
started again at once on the same ports.  We measure the time from the
kill until the servers hold every push channel again (issue 17: <= 60 s),
the peak number of TCP connections they accepted in one second (counted
by each server: /control/status "acceptsPerSecond", summed second by
second; each reconnect is a Session GET, an event source and a WebSocket
attempt or so, about three per session), and the daemon's peak RSS during
the storm (sampled every 50 ms).  Reconnects wait a full-jitter backoff
(src/session/backoff.c): uniform in [0, backoff_initial = 1 s] for the
first failure, doubling after each failed attempt; at most 100 attempts are
in flight at a time (src/session/pacer.c), the others wait in order."""
import signal
import time

import benchlib
import scalelib

MB = 1024.0
# Full size: 10,000 as in earlier runs, and issue 17's 50,000.
SIZES = [10000, 50000]


def _spread(timeline):
    """Seconds from the first to the last second with accepts."""
    busy = [i for i, v in enumerate(timeline) if v > 0]
    return busy[-1] - busy[0] + 1 if busy else 0


def _timeline(statuses):
    """The servers' acceptsPerSecond summed second by second (they were
    started within milliseconds of each other)."""
    lines = [st.get("acceptsPerSecond", []) for st in statuses]
    width = max([len(t) for t in lines] + [0])
    return [sum(t[i] for t in lines if i < len(t)) for i in range(width)]


def run(ctx):
    rows = []
    for n in ctx.scale_sizes(SIZES, [1000]):
        try:
            rows += _storm(ctx, n)
        except RuntimeError as e:
            # 50,000 needs a hard open-files limit only root with
            # CAP_SYS_RESOURCE may raise: 10,000 still reports.
            rows += [benchlib.failed("%s, %d sessions" % (what, n), str(e))
                     for what in ("start-up to all connected",
                                  "reconnect storm")]
    return rows


def _storm(ctx, n):
    """The rows of one size: start-up, then the storms."""
    storms = ctx.repeats if ctx.quick else 3
    scalelib.raise_nofile(n)
    ports = [scalelib.free_port() for _ in range(scalelib.nservers(n))]
    servers = [p for _, p in scalelib.servers(ctx, n, ports=ports)]
    _, cfg = scalelib.config(ctx, ports, n)
    daemon, startup = scalelib.connect_all(ctx, ports, n, cfg,
                                           60 + n // 20)
    ctx.log("storm: %d sessions up in %.1fs over %d server(s)" %
            (n, startup, len(ports)))
    rss_before = scalelib.settled_rss_kb(daemon.pid)

    def alive():
        if daemon.poll() is not None:
            raise RuntimeError("the daemon exited during the storm")

    times, peaks, rss_peaks, spreads, ratios = [], [], [], [], []
    for i in range(storms):
        sampler = scalelib.RssSampler(daemon.pid)
        for server in servers:
            server.send_signal(signal.SIGKILL)
        for server in servers:
            ctx.stop(server, sig=signal.SIGKILL)
        t0 = time.monotonic()
        servers = [p for _, p in scalelib.servers(ctx, n, ports=ports)]
        try:
            statuses = scalelib.wait_all(ports, n, 300, alive=alive)
        except RuntimeError as e:
            raise RuntimeError("storm %d: %s (bench/README.md)" %
                               (i + 1, e))
        elapsed = time.monotonic() - t0
        rss_peaks.append(sampler.stop() / MB)
        timeline = _timeline(statuses)
        accepts = sum(st.get("accepts", 0) for st in statuses)
        times.append(elapsed)
        peaks.append(max(timeline + [0]))
        spreads.append(_spread(timeline))
        ratios.append(accepts / float(n))
        ctx.log("storm %d/%d: %.2fs, peak %d accepts/s, timeline %s" %
                (i + 1, storms, elapsed, peaks[-1], timeline[:60]))
        # Quiet again before the next kill.
        scalelib.settled_rss_kb(daemon.pid)
    alive()
    label = "%d sessions" % n
    where = "%d test server(s)" % len(ports)
    return [
        benchlib.figure("start-up to all connected, %s" % label, "s",
                        [startup], better="lower",
                        note="from exec of the daemon to every push "
                        "channel enabled; 1 run; %s; at most 100 "
                        "connects in flight" % where),
        benchlib.figure("reconnect storm, %s: all connected again" % label,
                        "s", times, target=60, better="lower",
                        note="from SIGKILL of the server(s); %d storms; %s"
                        % (storms, where)),
        benchlib.figure("reconnect storm, %s: peak accepts per second" %
                        label, "conn/s", peaks, better="lower",
                        note="server-side TCP accepts summed over %s, %.1f "
                        "per session; spread over %s s (median); jitter in "
                        "[0, 1s] first, 100 attempts in flight at most" %
                        (where, benchlib.stats(ratios)["median"],
                         benchlib.stats(spreads)["median"])),
        benchlib.figure("reconnect storm, %s: daemon RSS peak" % label,
                        "MiB", rss_peaks, better="lower",
                        note="RSS before: %.1f MiB; %s" %
                        (rss_before / MB, scalelib.nofile_note())),
    ]
