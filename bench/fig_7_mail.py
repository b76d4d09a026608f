# SPDX-License-Identifier: ISC
"""Figure 7: mail-aware hooks (issue 14).

A delivery into the inbox through the test server's /control/mail/deliver
(a real change: a new Email, one StateChange of Email, EmailDelivery,
Mailbox and Thread pushed to the daemon), to jp-bench-hook starting, with
and without mail data: a hook with `mailboxes = inbox` waits for the mail
view's one batched Mailbox/Email request (one more round trip on
loopback); a plain hook runs on the push alone. The burst stamps of figure
1 cannot carry a real change, so the send time is CLOCK_MONOTONIC taken
here right before the control request is written (Python's
time.monotonic_ns), and the hook's start is its CLOCK_MONOTONIC first
thing. Both kinds are measured the same way, so their difference is the
mail view's cost.

Requests per change: the test server's apiRequests (JMAP Request objects,
POSTed or over the WebSocket) and mailCalls over the measured deliveries,
divided by their number.
"""
import os
import time

import benchlib as bl

WARMUP = 10
# The plain hook also runs for the daemon's resync after connecting, and a
# run still being reaped makes the next push wait: as in figure 1.
SETTLE = 0.02
TYPES = "types = Email EmailDelivery Mailbox"


def deliveries(ctx):
    return 200 if ctx.quick else 500


def drain(reader):
    """Drops the hook runs already reported (the resync's run)."""
    while reader.readline(0.001) is not None:
        pass


def counts(c):
    st = c.get("status")
    methods = st["mailMethods"].get("u1", {})
    return st["apiRequests"], st["mailCalls"].get("u1", 0), dict(methods)


def once(ctx, n, mail):
    d = ctx.tmpdir()
    fifo = os.path.join(d, "hook.fifo")
    os.mkfifo(fifo)
    # Read-write: the FIFO never reports end of file between hook runs.
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    port, srv = bl.server_start(ctx)
    lines = ["[hook stamp]", "debounce = 0", TYPES]
    if mail:
        lines.append("mailboxes = inbox")
    lines.append("exec = %s %s Email" % (ctx.builddir("bench/jp-bench-hook"),
                                         fifo))
    cfg = bl.write_config(ctx, d, port, sections="\n".join(lines))
    dm = bl.daemon_start(ctx, cfg)
    c = bl.Control(port)
    r = bl.LineReader(fd)
    lat = []
    try:
        c.wait("pushEnabled=1")
        # Until the daemon has its states (and the mail view its first
        # round, which only learns them), a delivery may run no hook: the
        # first deliveries also prove the hook runs.
        for _ in range(50):
            c.get("mail/deliver")
            if r.readline(2) is not None:
                break
        else:
            raise RuntimeError("the hook never ran")
        before = None
        for i in range(WARMUP + n):
            time.sleep(SETTLE)
            drain(r)
            if i == WARMUP:
                before = counts(c)
            t0 = time.monotonic_ns()
            c.get("mail/deliver")
            line = r.readline(10)
            if line is None:
                raise RuntimeError("delivery %d ran no hook" % (i + 1))
            start = int(line.split()[2])
            if i >= WARMUP:
                lat.append((start - t0) / 1000.0)
        # A request after the hook started (none is expected) would
        # still be counted.
        time.sleep(0.2)
        after = counts(c)
        extra = r.readline(0.001)
        if extra is not None:
            raise RuntimeError("a hook run no delivery explains: %r" % extra)
    finally:
        c.close()
        for p in (dm, srv):
            ctx.stop(p)
        os.close(fd)
    methods = {k: v - before[2].get(k, 0) for k, v in after[2].items()
               if v != before[2].get(k, 0)}
    return (lat, (after[0] - before[0]) / n, (after[1] - before[1]) / n,
            methods)


def run(ctx):
    n = deliveries(ctx)
    med = {"plain": [], "mail": []}
    p99 = {"plain": [], "mail": []}
    reqs = {"plain": [], "mail": []}
    calls = {"plain": [], "mail": []}
    methods = {}
    errors = {}
    for i in range(ctx.repeats):
        for k in ("plain", "mail"):
            if k in errors:
                continue
            ctx.log("mail: %s hook, run %d/%d, %d deliveries" %
                    (k, i + 1, ctx.repeats, n))
            try:
                lat, rq, cl, ms = once(ctx, n, k == "mail")
            except Exception as e:  # noqa: BLE001 -- one row fails
                errors[k] = "%s: %s" % (type(e).__name__, e)
                continue
            finally:
                ctx.cleanup()
            med[k].append(bl.percentile(lat, 50))
            p99[k].append(bl.percentile(lat, 99))
            reqs[k].append(rq)
            calls[k].append(cl)
            methods[k] = ms

    def mid(k, which):
        return bl.stats(which[k])["median"] if which[k] else None

    note = ("%d deliveries per run, one at a time, %d ms pause before each, "
            "median of %d runs; from the control request's send to the "
            "hook's start" % (n, SETTLE * 1000, ctx.repeats))
    rows = []

    def add(name, k, which, unit, target=None, bk=None, baseline=None,
            extra=""):
        if k in errors or (bk is not None and bk in errors):
            rows.append(bl.failed(name, errors.get(k) or errors.get(bk)))
            return None
        row = bl.figure(name, unit, which[k], baseline=baseline,
                        baseline_value=mid(bk, which) if bk else None,
                        target=target, note=extra)
        rows.append(row)
        return row

    add("push -> hook start with mail data (mailboxes = inbox), median",
        "mail", med, "us", bk="plain",
        baseline="the same hook without mail data", extra=note)
    add("push -> hook start with mail data (mailboxes = inbox), p99",
        "mail", p99, "us", bk="plain",
        baseline="the same hook without mail data", extra=note)
    # Paired by run: each mail run follows a plain run on the same
    # machine moments before.
    diff = {"mail": [m - p for m, p in zip(med["mail"], med["plain"])]}
    name = "push -> hook start, what the mail data adds, median"
    if "plain" in errors:
        rows.append(bl.failed(name, errors["plain"]))
    else:
        add(name, "mail", diff, "us",
            extra="per run: median with mail data minus median without, "
                  "the same run's pair")
    total = n * len(reqs["mail"])
    row = add("API requests per delivered mail, mail-aware hook", "mail",
              reqs, "requests", target=1, bk="plain",
              baseline="plain hook (no mail data)",
              extra="counted at the test server (apiRequests); %s mail "
                    "calls per delivery in them: %s; runs: %s" % (
                        "/".join("%g" % v for v in calls["mail"]),
                        ", ".join("%s %g" % (m, v / n) for m, v in
                                  sorted(methods.get("mail", {}).items())),
                        "/".join("%g" % v for v in reqs["mail"])))
    if row is not None:
        # Exactly one: none would mean the mail data was never fetched.
        row["met"] = all(v == 1 for v in reqs["mail"])
        ctx.log("mail: %d deliveries, requests per delivery %s" %
                (total, reqs["mail"]))
    return rows
