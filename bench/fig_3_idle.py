# SPDX-License-Identifier: ISC
"""Figure 3: idle cost.  Two daemons, one with 1 account and one with 1,000,
each on its own test server, ping_interval 30s, all channels up and quiet.
Over a 120 s window (20 s quick) we read the daemon's context switches
(/proc/PID/task/*/status: every voluntary switch is the event loop going
to sleep and being woken) and its CPU time (/proc/PID/stat utime+stime).

What the pings need: one timer wakeup to send a round of pings and one to
read the pongs, per 30 s round (the daemon puts the pings of all sessions
on shared ticks, src/transport/ws.c ws_ping_delay(), so 1,000 sessions
need the same rounds as one, give or take a tick)."""
import math
import os
import time

import benchlib
import scalelib

INTERVAL_S = 30


def _start(ctx, n):
    port, server = scalelib.server(ctx)
    _, cfg = scalelib.config(ctx, port, n,
                             daemon="ping_interval = %ds" % INTERVAL_S)
    p, _ = scalelib.connect_all(ctx, port, n, cfg, 60 + n // 50)
    return p


def run(ctx):
    window = 20 if ctx.quick else 120
    windows = min(ctx.repeats, 3)
    sizes = (1, 1000)
    scalelib.raise_nofile(max(sizes))
    hz = os.sysconf("SC_CLK_TCK")
    procs = {n: _start(ctx, n) for n in sizes}
    # The connect burst (first resync, state saves) settles first.
    time.sleep(3)
    wake = {n: [] for n in sizes}
    invol = {n: [] for n in sizes}
    cpu = {n: [] for n in sizes}
    for w in range(windows):
        before = {n: (scalelib.ctx_switches(p.pid), scalelib.cpu_ticks(p.pid))
                  for n, p in procs.items()}
        time.sleep(window)
        for n, p in procs.items():
            if p.poll() is not None:
                raise RuntimeError("the %d-account daemon exited" % n)
            (v0, i0), t0 = before[n]
            (v1, i1), t1 = scalelib.ctx_switches(p.pid), \
                scalelib.cpu_ticks(p.pid)
            wake[n].append(v1 - v0)
            invol[n].append(i1 - i0)
            cpu[n].append(100.0 * (t1 - t0) / hz / window)
        ctx.log("idle: window %d/%d: wakeups %s, cpu %s" %
                (w + 1, windows, {n: wake[n][-1] for n in sizes},
                 {n: round(cpu[n][-1], 3) for n in sizes}))
    need = 2 * math.ceil(window / INTERVAL_S)
    rows = []
    for n in sizes:
        label = "1 account" if n == 1 else "%d accounts" % n
        rows.append(benchlib.figure(
            "idle wakeups, %s, %d s" % (label, window), "wakeups", wake[n],
            baseline="what the pings need (2 per %ds round)" % INTERVAL_S,
            baseline_value=need, target=need, better="lower",
            note="voluntary context switches; involuntary: median %d" %
            benchlib.stats(invol[n])["median"]))
        rows.append(benchlib.figure(
            "idle CPU, %s" % label, "%", cpu[n],
            target=0.1 if n == 1000 else None, better="lower",
            note="%d windows of %d s; clock tick %.0f ms" %
            (windows, window, 1000.0 / hz)))
    return rows
