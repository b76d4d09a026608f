/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/time.h>

#include <stdint.h>
#include <stdlib.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <uv.h>

#include "transport/uvbridge.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* uv_run(NOWAIT) handles one batch; a timeout of 0 afterwards means more is
 * ready (expired timers, pending callbacks).  A few extra rounds drain that
 * without starving libevent. */
#define UVBRIDGE_MAX_ROUNDS 4

/*
 * lws keeps two housekeeping timers of 30 s on the loop (lws_sul_plat_unix,
 * which for this daemon finds nothing to do, and the HTTP header-table
 * lifecheck, which logs and closes a connection holding its headers for
 * over 370 s), each re-armed 30 s after it ran; they would wake an idle
 * daemon between the ping rounds.  A libuv deadline first seen at least
 * DEFER_MIN_MS away is therefore put off to the latest libevent timer due
 * within DEFER_MAX_MS after it: the 30 s timers then run on every other
 * ping round (pings recur every 28,672 ms for ping_interval 30s, so a
 * window of one 4 s tick would never reach one).  A deadline first seen
 * nearer (lws's connect and handshake timeouts are 20 s) is never moved,
 * and any other wakeup runs an expired libuv timer at once.
 * DEFER_SLACK_MS keeps the chosen moment clearly after the libuv
 * deadline, whose clock may lag libevent's by a few milliseconds.
 */
#define UVBRIDGE_DEFER_MIN_MS	25000
#define UVBRIDGE_DEFER_MAX_MS	30000
#define UVBRIDGE_DEFER_SLACK_MS	16
/* A search walks every pending libevent event: with more than SEARCH_CHEAP
 * of them it is made at most once per SEARCH_EVERY_MS. */
#define UVBRIDGE_SEARCH_CHEAP	1024
#define UVBRIDGE_SEARCH_EVERY_MS 100

struct uvbridge {
	struct event_base *base;
	uv_loop_t loop;
	struct event *io;	/* uv_backend_fd() readable */
	struct event *timer;	/* uv_backend_timeout() */
	struct event *kick;	/* deferred pump */
	bool in_pump;
	unsigned long pumps;
	uint64_t long_due;	/* libuv deadline first seen >= DEFER_MIN_MS
				 * away; 0: none */
	bool deferred;		/* the timer waits on a libevent timer for it */
	uint64_t searched_at;	/* libuv time of the last search */
	size_t searched_n;	/* events it walked */
};

struct uvbridge_search {
	const struct event *self;
	struct timeval from, to, best;
	bool found;
	size_t n;
};

/*
 * event_base_foreach_event() callback: the latest other timer in
 * [from, to].  The latest, not the earliest: a ping's answer deadline
 * (ping_timeout after the ping) is nearly always deleted before it
 * expires, while the next ping, later, does expire.  event_pending() also
 * says EV_TIMEOUT for an event made active with EV_TIMEOUT (every kick
 * here), and then fills tv from a timeout that was never set (valgrind
 * saw it): only an event in the timeout heap (EVLIST_TIMEOUT, from
 * event_struct.h, whose layout is part of libevent 2.1's ABI) has one.
 */
static int
uvbridge_search_cb(const struct event_base *base, const struct event *ev,
    void *arg)
{
	struct uvbridge_search *s = arg;
	struct timeval tv;

	s->n++;
	if (ev == s->self || !(ev->ev_evcallback.evcb_flags & EVLIST_TIMEOUT) ||
	    !event_pending(ev, EV_TIMEOUT, &tv))
		return 0;
	if (timercmp(&tv, &s->from, <) || timercmp(&tv, &s->to, >))
		return 0;
	if (!s->found || timercmp(&tv, &s->best, >)) {
		s->best = tv;
		s->found = true;
	}
	return 0;
}

/*
 * Sets *tv to the delay until the latest libevent timer of base other
 * than self that is due at least ms (plus the slack) and at most
 * DEFER_MAX_MS later than that; false if there is none.  The delay is
 * computed from libevent's cached time, the clock evtimer_add() counts
 * from inside a callback, so a timer added with it in the same callback
 * expires together with the one found (outside the loop both read the
 * clock afresh, and the two may differ by microseconds).  *n is set to
 * the number of events walked.
 */
static bool
uvbridge_defer_to(struct event_base *base, const struct event *self,
    uint64_t ms, struct timeval *tv, size_t *n)
{
	struct uvbridge_search s = { .self = self };
	struct timeval now, d;

	event_base_gettimeofday_cached(base, &now);
	d = timeutil_tv_ms(ms + UVBRIDGE_DEFER_SLACK_MS);
	timeradd(&now, &d, &s.from);
	d = timeutil_tv_ms(ms + UVBRIDGE_DEFER_MAX_MS);
	timeradd(&now, &d, &s.to);
	event_base_foreach_event(base, uvbridge_search_cb, &s);
	*n = s.n;
	if (!s.found)
		return false;
	timersub(&s.best, &now, tv);
	return true;
}

/* Whether two libuv deadlines are lws's same timer, restarted. */
static bool
uvbridge_same(uint64_t a, uint64_t b)
{
	return a <= b + UVBRIDGE_DEFER_SLACK_MS / 2 &&
	    b <= a + UVBRIDGE_DEFER_SLACK_MS / 2;
}

static void
uvbridge_arm(struct uvbridge *ub)
{
	int ms;
	uint64_t now, due;
	struct timeval tv;

	/* An empty loop reports a timeout of 0: re-arming it would spin. */
	if (!uv_loop_alive(&ub->loop)) {
		ub->long_due = 0;
		ub->deferred = false;
		evtimer_del(ub->timer);
		return;
	}
	ms = uv_backend_timeout(&ub->loop);
	if (ms < 0) {
		evtimer_del(ub->timer);
		return;
	}
	/*
	 * lws restarts its libuv timer after every service, so the same
	 * deadline comes back on every pump, give or take a millisecond.  A
	 * long one stays eligible until it ran, also once it is near: the
	 * ping it can join is armed only when the previous round's pong
	 * arrives, a second or two before lws's deadline.  The timer chosen
	 * may be deleted later (an answer deadline, when the pong arrives),
	 * so every pump looks again; only a large daemon looks less often.
	 */
	now = uv_now(&ub->loop);
	due = now + (uint64_t)ms;
	if (ms >= UVBRIDGE_DEFER_MIN_MS && !uvbridge_same(due, ub->long_due)) {
		ub->long_due = due;
		ub->deferred = false;
	}
	if (ub->long_due != 0 && uvbridge_same(due, ub->long_due)) {
		if (ub->searched_n > UVBRIDGE_SEARCH_CHEAP &&
		    now < ub->searched_at + UVBRIDGE_SEARCH_EVERY_MS) {
			if (ub->deferred && evtimer_pending(ub->timer, NULL))
				return;
		} else {
			ub->searched_at = now;
			ub->deferred = uvbridge_defer_to(ub->base, ub->timer,
			    (uint64_t)ms, &tv, &ub->searched_n);
			if (ub->deferred) {
				evtimer_add(ub->timer, &tv);
				return;
			}
		}
	} else
		ub->deferred = false;
	tv = timeutil_tv_ms((uint64_t)ms);
	evtimer_add(ub->timer, &tv);
}

void
uvbridge_pump(struct uvbridge *ub)
{
	if (ub->in_pump)
		return;
	ub->in_pump = true;
	ub->pumps++;
	for (int i = 0; i < UVBRIDGE_MAX_ROUNDS; i++) {
		uv_run(&ub->loop, UV_RUN_NOWAIT);
		if (!uv_loop_alive(&ub->loop) ||
		    uv_backend_timeout(&ub->loop) != 0)
			break;
	}
	ub->in_pump = false;
	uvbridge_arm(ub);
}

static void
uvbridge_cb(evutil_socket_t fd, short what, void *arg)
{
	uvbridge_pump(arg);
}

void
uvbridge_hold(struct uvbridge *ub)
{
	event_del(ub->io);
}

void
uvbridge_release(struct uvbridge *ub)
{
	event_add(ub->io, NULL);
	uvbridge_pump(ub);
}

struct uvbridge *
uvbridge_new(struct event_base *base)
{
	struct uvbridge *ub = xcalloc(1, sizeof(*ub));
	int r;

	ub->base = base;
	if ((r = uv_loop_init(&ub->loop)) != 0)
		fatalx("libuv: cannot create a loop: %s", uv_strerror(r));
	ub->io = xevent_new(base, uv_backend_fd(&ub->loop),
	    EV_READ | EV_PERSIST, uvbridge_cb, ub);
	ub->timer = xevtimer_new(base, uvbridge_cb, ub);
	ub->kick = xevent_new(base, -1, 0, uvbridge_cb, ub);
	event_add(ub->io, NULL);
	return ub;
}

uv_loop_t *
uvbridge_loop(struct uvbridge *ub)
{
	return &ub->loop;
}

void
uvbridge_kick(struct uvbridge *ub)
{
	event_active(ub->kick, EV_TIMEOUT, 0);
}

unsigned long
uvbridge_pumps(const struct uvbridge *ub)
{
	return ub->pumps;
}

bool
uvbridge_alive(struct uvbridge *ub)
{
	return uv_loop_alive(&ub->loop) != 0;
}

void
uvbridge_free(struct uvbridge *ub)
{
	int r;

	if (ub == NULL)
		return;
	event_free(ub->io);
	event_free(ub->timer);
	event_free(ub->kick);
	/* Handles closed by lws need one more turn to run their close
	 * callbacks. */
	uv_run(&ub->loop, UV_RUN_NOWAIT);
	if ((r = uv_loop_close(&ub->loop)) != 0)
		log_warnx("libuv: loop still has handles at exit: %s",
		    uv_strerror(r));
	free(ub);
}
