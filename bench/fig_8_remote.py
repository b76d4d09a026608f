# SPDX-License-Identifier: ISC
"""Figure 8: outputs beyond the machine (issue 16): MQTT and webhooks.

MQTT: a private mosquitto on a free loopback port, the daemon's [mqtt]
output (QoS 1) publishing every state event to <prefix>/<account>/state,
and `mosquitto_sub -q 1` subscribed to jmap-pushd/+/state, its stdout read
by jp-bench-read (which takes the time as soon as a line arrives).
- latency: one push at a time (/control/burst?count=1, stamped by the test
  server when it writes the frame) to the subscriber line; baseline: a
  stamped message given to `mosquitto_pub -l` (the broker hop alone);
- throughput: a burst of N StateChanges per account, 1 account and 1,000
  accounts, from the burst request to the subscriber's last line; baseline:
  N messages through `mosquitto_pub -l -q 1` as fast as it sends them.

Webhook: a [webhook] (events = state, signed) to bench/webhookrecv.py, a
threaded Python receiver on loopback that answers 204 and prints the
stamp of each body as it reads it.  latency as above, baseline a Python
client POSTing a stamped body on a new connection (the HTTP hop alone);
throughput: a burst per account, 1 and 1,000 accounts (one POST in flight
per account, so 1,000 accounts run 1,000 requests at once).  The receiver
is Python and is likely the bottleneck of the throughput rows: the note
says so where the baseline is no faster.
"""
import os
import socket
import subprocess
import sys
import time

import benchlib as bl
import scalelib

TOPIC = "jmap-pushd/+/state"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listen(port, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("nothing listens on port %d" % port)
            time.sleep(0.02)


def mosquitto_start(ctx, d):
    """A private broker; returns (port, proc)."""
    port = free_port()
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\n"
                "persistence false\nmax_queued_messages 0\n"
                "max_inflight_messages 0\n" % port)
    p = ctx.spawn(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                  stderr=open(os.path.join(d, "mosquitto.log"), "ab"))
    wait_listen(port)
    return port, p


def subscriber(ctx, port, summary=None, warm=0):
    """mosquitto_sub | jp-bench-read, subscribed (a probe message came
    through); returns (LineReader, procs)."""
    sub = ctx.spawn(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port),
                     "-q", "1", "-t", TOPIC, "-t", "bench/probe"],
                    stdout=subprocess.PIPE)
    argv = [ctx.builddir("bench/jp-bench-read")]
    if summary is not None:
        argv += ["--summary", summary, "--warm", str(warm)]
    rd = ctx.spawn(argv, stdin=sub.stdout, stdout=subprocess.PIPE)
    sub.stdout.close()
    out = bl.LineReader(rd.stdout)
    # mosquitto_sub says nothing once subscribed: a probe (seq 0) shows it.
    for _ in range(100):
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port),
                        "-q", "1", "-t", "bench/probe",
                        "-m", '{"probe":"b0-0"}'], check=True)
        line = out.readline(0.3)
        if line is not None:
            break
    else:
        raise RuntimeError("mosquitto_sub never got a probe")
    # Probes sent before the subscription took are lost, not queued; the
    # ones after it are skipped by the readers (seq 0).
    return out, (sub, rd)


def stamped(out, timeout):
    """The next "<seq> <sent> <seen>" line with seq > 0, or None."""
    deadline = time.monotonic() + timeout
    while True:
        line = out.readline(max(0, deadline - time.monotonic()))
        if line is None or line.split()[0] != "0":
            return line


def stamp_line(seq):
    return '{"Mailbox":"b%d-%d"}' % (seq, time.monotonic_ns())


def ram_state(d, cfg, naccounts):
    """With many accounts the state directory goes to RAM, as in the scale
    figures (scalelib.state_dir): each account's first save after a burst
    costs two fsync() calls, which on this VM's disk would make the
    figure one of disk waits."""
    if naccounts == 1:
        return
    with open(cfg) as f:
        text = f.read()
    with open(cfg, "w") as f:
        f.write(text.replace("state_dir = %s/state" % d,
                             "state_dir = " + scalelib.state_dir()))


def mqtt_daemon(ctx, d, srv_port, broker, naccounts):
    cfg = bl.write_config(ctx, d, srv_port, naccounts=naccounts,
                          sections="\n".join([
                              "[mqtt]",
                              "broker = mqtt://127.0.0.1:%d" % broker,
                              "qos = 1", "queue = 2000000"]))
    ram_state(d, cfg, naccounts)
    return bl.daemon_start(ctx, cfg)


def mqtt_latency(ctx, n):
    d = ctx.tmpdir()
    broker, mq = mosquitto_start(ctx, d)
    port, srv = bl.server_start(ctx, "--stamp-states")
    dm = mqtt_daemon(ctx, d, port, broker, 1)
    out, procs = subscriber(ctx, broker)
    try:
        bl.Control(port).wait("pushEnabled=1")
        import fig_1_latency as f1
        return f1.measure(ctx, port, out, n)
    finally:
        for p in (dm, srv) + procs + (mq,):
            ctx.stop(p)


def mqtt_latency_baseline(ctx, n):
    d = ctx.tmpdir()
    broker, mq = mosquitto_start(ctx, d)
    out, procs = subscriber(ctx, broker)
    pub = ctx.spawn(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker),
                     "-q", "1", "-t", "bench/probe", "-l"],
                    stdin=subprocess.PIPE)
    lat = []
    try:
        for seq in range(1, n + 1):
            pub.stdin.write((stamp_line(seq) + "\n").encode())
            pub.stdin.flush()
            line = stamped(out, 10)
            if line is None:
                raise RuntimeError("baseline message %d never arrived" % seq)
            s, sent, seen = (int(x) for x in line.split())
            lat.append((seen - sent) / 1000.0)
        return lat
    finally:
        pub.stdin.close()
        for p in (pub,) + procs + (mq,):
            ctx.stop(p)


def mqtt_throughput(ctx, naccounts, per):
    d = ctx.tmpdir()
    broker, mq = mosquitto_start(ctx, d)
    port, srv = bl.server_start(ctx, "--stamp-states")
    dm = mqtt_daemon(ctx, d, port, broker, naccounts)
    c = bl.Control(port)
    total = naccounts * per
    out, procs = subscriber(ctx, broker, "2:%d:%d" % (per + 1, total),
                            warm=naccounts)
    try:
        c.wait("pushEnabled=%d" % naccounts, timeout_ms=120000)
        # One push to every account first (seq 1): the daemon is connected
        # to the broker once all arrived; until then events queue, which
        # is not the figure.
        c.get("burst?count=1")
        line = out.readline(120)
        while line == "probe":
            line = out.readline(120)
        if line != "warm":
            raise RuntimeError("the first pushes never reached the "
                               "broker (daemon log in %s): %r" % (d, line))
        t0 = time.monotonic_ns()
        c.get("burst?count=%d" % per)
        line = out.readline(300)
        while line == "probe":
            line = out.readline(300)
        if line is None:
            raise RuntimeError("the subscriber did not get the burst within "
                               "300 s (daemon log in %s)" % d)
        count, _last, _f, seen = (int(x) for x in line.split())
        return total / ((seen - t0) / 1e9)
    finally:
        c.close()
        for p in (dm, srv) + procs + (mq,):
            ctx.stop(p)


def mqtt_throughput_baseline(ctx, total):
    d = ctx.tmpdir()
    broker, mq = mosquitto_start(ctx, d)
    out, procs = subscriber(ctx, broker, "1:%d:%d" % (total, total))
    data = "".join(stamp_line(seq) + "\n" for seq in range(1, total + 1))
    t0 = time.monotonic_ns()
    pub = ctx.spawn(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker),
                     "-q", "1", "-t", "bench/probe", "-l"],
                    stdin=subprocess.PIPE)
    try:
        pub.stdin.write(data.encode())
        pub.stdin.close()
        line = out.readline(300)
        while line == "probe":
            line = out.readline(300)
        if line is None:
            raise RuntimeError("baseline burst not received in 300 s")
        count, _last, _f, seen = (int(x) for x in line.split())
        return count / ((seen - t0) / 1e9)
    finally:
        for p in (pub,) + procs + (mq,):
            ctx.stop(p)


# --- webhooks ---------------------------------------------------------------

def receiver_start(ctx, summary=None, warm=0):
    """bench/webhookrecv.py; returns (port, LineReader, proc)."""
    argv = [sys.executable, ctx.srcdir("bench/webhookrecv.py")]
    if summary is not None:
        argv += ["--summary", summary, "--warm", str(warm)]
    p = ctx.spawn(argv, stdout=subprocess.PIPE)
    out = bl.LineReader(p.stdout)
    line = out.readline(30)
    if line is None or not line.startswith("port "):
        raise RuntimeError("the webhook receiver did not start")
    return int(line.split()[1]), out, p


def webhook_daemon(ctx, d, srv_port, recv_port, naccounts):
    secret = os.path.join(d, "hook-secret")
    with open(secret, "w") as f:
        f.write("bench-secret\n")
    os.chmod(secret, 0o600)
    cfg = bl.write_config(ctx, d, srv_port, naccounts=naccounts,
                          sections="\n".join([
                              "[webhook bench]",
                              "url = http://127.0.0.1:%d/hook" % recv_port,
                              "events = state", "secret_file = " + secret,
                              "queue = 2000000"]))
    ram_state(d, cfg, naccounts)
    return bl.daemon_start(ctx, cfg)


def webhook_latency(ctx, n):
    d = ctx.tmpdir()
    rport, out, rp = receiver_start(ctx)
    port, srv = bl.server_start(ctx, "--stamp-states")
    dm = webhook_daemon(ctx, d, port, rport, 1)
    try:
        bl.Control(port).wait("pushEnabled=1")
        import fig_1_latency as f1
        return f1.measure(ctx, port, out, n)
    finally:
        for p in (dm, srv, rp):
            ctx.stop(p)


def webhook_latency_baseline(ctx, n):
    rport, out, rp = receiver_start(ctx)
    lat = []
    try:
        for seq in range(1, n + 1):
            conn = http_conn(rport)
            body = '{"event":"state","changed":%s}' % stamp_line(seq)
            conn.request("POST", "/hook", body,
                         {"Content-Type": "application/json"})
            conn.getresponse().read()
            conn.close()
            line = out.readline(10)
            if line is None:
                raise RuntimeError("baseline POST %d never arrived" % seq)
            s, sent, seen = (int(x) for x in line.split())
            lat.append((seen - sent) / 1000.0)
        return lat
    finally:
        ctx.stop(rp)


def http_conn(port):
    import http.client
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def webhook_throughput(ctx, naccounts, per):
    d = ctx.tmpdir()
    total = naccounts * per
    rport, out, rp = receiver_start(ctx, "2:%d:%d" % (per + 1, total),
                                    warm=naccounts)
    port, srv = bl.server_start(ctx, "--stamp-states")
    dm = webhook_daemon(ctx, d, port, rport, naccounts)
    c = bl.Control(port)
    try:
        c.wait("pushEnabled=%d" % naccounts, timeout_ms=120000)
        # One push to every account first (seq 1), the timed burst after.
        c.get("burst?count=1")
        line = out.readline(120)
        if line is None or line != "warm":
            raise RuntimeError("the first pushes never reached the receiver "
                               "(daemon log in %s): %r" % (d, line))
        t0 = time.monotonic_ns()
        c.get("burst?count=%d" % per)
        line = out.readline(600)
        if line is None:
            raise RuntimeError("the receiver did not get the burst within "
                               "600 s (daemon log in %s)" % d)
        count, _last, _f, seen = (int(x) for x in line.split())
        return count / ((seen - t0) / 1e9)
    finally:
        c.close()
        for p in (dm, srv, rp):
            ctx.stop(p)


def run(ctx):
    n = 100 if ctx.quick else 300
    per1 = 2000 if ctx.quick else 20000
    per1k = 2 if ctx.quick else 10
    rows = []

    def attempt(name, unit, fn, **kw):
        vals = []
        for i in range(ctx.repeats):
            ctx.log("remote: %s, run %d/%d" % (name, i + 1, ctx.repeats))
            try:
                v = fn()
            except Exception as e:  # noqa: BLE001 -- one row fails
                ctx.cleanup()
                return None, "%s: %s" % (type(e).__name__, e)
            ctx.cleanup()
            vals.append(v)
        return vals, None

    def lat_rows(what, ours, base):
        med, err = attempt(what + " latency", "us",
                           lambda: bl.percentile(ours(), 50))
        bmed, berr = attempt(what + " latency baseline", "us",
                             lambda: bl.percentile(base(), 50))
        name = "push latency to %s, median" % what
        if err:
            rows.append(bl.failed(name, err))
            return
        bv = bl.stats(bmed)["median"] if bmed else None
        rows.append(bl.figure(name, "us", med,
                              baseline="the hop alone" +
                              ("" if bv else " (failed: %s)" % berr),
                              baseline_value=bv))

    def rate_rows(what, ours, base, base_name):
        for naccounts, per in ((1, per1), (1000, per1k)):
            name = "throughput to %s, %d account(s) x %d events" % (
                what, naccounts, per)
            vals, err = attempt(name, "events/s",
                                lambda: ours(naccounts, per))
            if err:
                rows.append(bl.failed(name, err))
                continue
            bvals, berr = attempt(name + " baseline", "events/s",
                                  lambda: base(naccounts * per))
            bv = bl.stats(bvals)["median"] if bvals else None
            rows.append(bl.figure(name, "events/s", vals, better="higher",
                                  baseline=base_name +
                                  ("" if bv else " (failed: %s)" % berr),
                                  baseline_value=bv))

    if not shutil_which("mosquitto") or not shutil_which("mosquitto_sub"):
        rows.append(bl.failed("MQTT", "mosquitto is not installed"))
    else:
        lat_rows("MQTT subscriber (QoS 1)", lambda: mqtt_latency(ctx, n),
                 lambda: mqtt_latency_baseline(ctx, n))
        rate_rows("MQTT (QoS 1)", lambda a, p: mqtt_throughput(ctx, a, p),
                  lambda t: mqtt_throughput_baseline(ctx, t),
                  "mosquitto_pub -l -q 1")
    lat_rows("webhook receiver", lambda: webhook_latency(ctx, n),
             lambda: webhook_latency_baseline(ctx, n))
    rate_rows("webhook", lambda a, p: webhook_throughput(ctx, a, p),
              lambda t: webhook_throughput_baseline(ctx, t),
              "a Python client, one POST per connection")
    return rows


def webhook_throughput_baseline(ctx, total):
    total = min(total, 5000)
    rport, out, rp = receiver_start(ctx, "1:%d:%d" % (total, total))
    try:
        t0 = time.monotonic_ns()
        for seq in range(1, total + 1):
            conn = http_conn(rport)
            conn.request("POST", "/hook", '{"changed":%s}' % stamp_line(seq),
                         {"Content-Type": "application/json"})
            conn.getresponse().read()
            conn.close()
        line = out.readline(300)
        if line is None:
            raise RuntimeError("baseline burst not received")
        count, _last, _f, seen = (int(x) for x in line.split())
        return count / ((seen - t0) / 1e9)
    finally:
        ctx.stop(rp)


def shutil_which(name):
    import shutil
    return shutil.which(name)
