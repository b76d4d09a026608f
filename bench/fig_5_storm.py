# SPDX-License-Identifier: ISC
"""Figure 5: reconnect storm.  10,000 sessions (1,000 quick) on one test
server; the server is killed (SIGKILL: no close frames, like a crash) and
started again at once on the same port.  We measure the time from the kill
until the server holds every push channel again, the peak number of TCP
connections it accepted in one second (counted by the server:
/control/status "acceptsPerSecond"; each reconnect is a Session GET and a
WebSocket, so about two per session), and the daemon's peak RSS during the
storm (sampled every 50 ms).  Reconnects wait a full-jitter backoff
(src/session/backoff.c): uniform in [0, backoff_initial = 1 s] for the
first failure, doubling after each failed attempt; at most 100 attempts are
in flight at a time (src/session/pacer.c), the others wait in order."""
import signal
import time

import benchlib
import scalelib

MB = 1024.0


def _spread(timeline):
    """Seconds from the first to the last second with accepts."""
    busy = [i for i, v in enumerate(timeline) if v > 0]
    return busy[-1] - busy[0] + 1 if busy else 0


def run(ctx):
    n = 1000 if ctx.quick else 10000
    storms = ctx.repeats if ctx.quick else 3
    scalelib.raise_nofile(n)
    port = scalelib.free_port()
    _, server = scalelib.server(ctx, port=port)
    _, cfg = scalelib.config(ctx, port, n)
    daemon, secs = scalelib.connect_all(ctx, port, n, cfg, 60 + n // 20)
    ctx.log("storm: %d sessions up in %.1fs" % (n, secs))
    rss_before = scalelib.settled_rss_kb(daemon.pid)
    times, peaks, rss_peaks, spreads, ratios = [], [], [], [], []
    for i in range(storms):
        sampler = scalelib.RssSampler(daemon.pid)
        ctx.stop(server, sig=signal.SIGKILL)
        t0 = time.monotonic()
        _, server = scalelib.server(ctx, port=port)
        c = benchlib.Control(port, timeout=600)
        try:
            st = c.wait("pushEnabled=%d" % n, timeout_ms=300000)
        except RuntimeError:
            st = c.get("status")
            raise RuntimeError("storm %d: %d of %d sessions back after "
                               "300 s, %d accepts (bench/README.md)" %
                               (i + 1, st.get("pushEnabled", 0), n,
                                st.get("accepts", 0)))
        finally:
            c.close()
        elapsed = time.monotonic() - t0
        rss_peaks.append(sampler.stop() / MB)
        if st.get("pushEnabled", 0) < n:
            raise RuntimeError("only %s of %d sessions came back" %
                               (st.get("pushEnabled"), n))
        timeline = st.get("acceptsPerSecond", [])
        times.append(elapsed)
        peaks.append(st.get("acceptPeak", 0))
        spreads.append(_spread(timeline))
        ratios.append(st.get("accepts", 0) / float(n))
        ctx.log("storm %d/%d: %.2fs, peak %d accepts/s, timeline %s" %
                (i + 1, storms, elapsed, peaks[-1], timeline[:20]))
        # Quiet again before the next kill.
        scalelib.settled_rss_kb(daemon.pid)
    if daemon.poll() is not None:
        raise RuntimeError("the daemon exited during the storms")
    label = "%d sessions" % n
    return [
        benchlib.figure("reconnect storm, %s: all connected again" % label,
                        "s", times, better="lower",
                        note="from SIGKILL of the server; %d storms" %
                        storms),
        benchlib.figure("reconnect storm, %s: peak accepts per second" %
                        label, "conn/s", peaks, better="lower",
                        note="server-side TCP accepts, %.1f per session; "
                        "spread over %s s (median); jitter in [0, 1s] "
                        "first, 100 attempts in flight at most" % (benchlib.stats(ratios)["median"],
                                   benchlib.stats(spreads)["median"])),
        benchlib.figure("reconnect storm, %s: daemon RSS peak" % label,
                        "MiB", rss_peaks, better="lower",
                        note="RSS before: %.1f MiB; %s" %
                        (rss_before / MB, scalelib.nofile_note())),
    ]
