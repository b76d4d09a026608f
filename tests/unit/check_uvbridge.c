/* SPDX-License-Identifier: ISC */
/* The libuv-in-libevent bridge: libuv timers and work handed over from
 * libevent callbacks run under event_base_dispatch(), and an empty libuv
 * loop leaves no timer behind to spin on; lws's long timers are put off to
 * a libevent timer that wakes the daemon anyway. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include <event2/event.h>
#include <uv.h>

#include "transport/uvbridge.h"
#include "unit.h"

struct fixture {
	struct event_base *base;
	struct uvbridge *ub;
	struct event *guard;
	uv_timer_t timer;
	int fired;
	bool guard_hit;
	struct event *late;	/* added between two pumps */
	struct timeval late_tv;
};

static void
guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fixture *f = arg;

	f->guard_hit = true;
	event_base_loopbreak(f->base);
}

static void
fixture_init(struct fixture *f, int guard_ms)
{
	struct timeval tv = { guard_ms / 1000, (guard_ms % 1000) * 1000 };

	f->base = event_base_new();
	ck_assert_ptr_nonnull(f->base);
	f->ub = uvbridge_new(f->base);
	f->guard = evtimer_new(f->base, guard_cb, f);
	evtimer_add(f->guard, &tv);
	f->fired = 0;
	f->guard_hit = false;
	f->late = NULL;
}

static void
fixture_done(struct fixture *f)
{
	event_free(f->guard);
	uvbridge_free(f->ub);
	event_base_free(f->base);
}

static void
timer_closed(uv_handle_t *h)
{
}

static void
on_uv_timer(uv_timer_t *t)
{
	struct fixture *f = t->data;

	f->fired++;
	uv_close((uv_handle_t *)t, timer_closed);
	event_base_loopbreak(f->base);
}

START_TEST(test_uv_timer_fires_under_libevent)
{
	struct fixture f;

	fixture_init(&f, 5000);
	uv_timer_init(uvbridge_loop(f.ub), &f.timer);
	f.timer.data = &f;
	uv_timer_start(&f.timer, on_uv_timer, 20, 0);
	uvbridge_pump(f.ub);
	event_base_dispatch(f.base);
	ck_assert_int_eq(f.fired, 1);
	ck_assert(!f.guard_hit);
	fixture_done(&f);
}
END_TEST

/* Work started from a libevent callback must not wait for an unrelated
 * wakeup: the kick runs libuv on the next turn. */
static void
start_from_libevent(evutil_socket_t fd, short what, void *arg)
{
	struct fixture *f = arg;

	uv_timer_init(uvbridge_loop(f->ub), &f->timer);
	f->timer.data = f;
	uv_timer_start(&f->timer, on_uv_timer, 0, 0);
	uvbridge_kick(f->ub);
}

START_TEST(test_kick_runs_new_work)
{
	struct fixture f;
	struct timeval zero = { 0, 0 };

	fixture_init(&f, 5000);
	event_base_once(f.base, -1, EV_TIMEOUT, start_from_libevent, &f, &zero);
	event_base_dispatch(f.base);
	ck_assert_int_eq(f.fired, 1);
	ck_assert(!f.guard_hit);
	fixture_done(&f);
}
END_TEST

/* Once the last handle is closed the loop reports timeout 0; re-arming on
 * that would wake libevent continuously.  Count pumps over a quiet period:
 * there must be almost none. */
START_TEST(test_empty_loop_does_not_spin)
{
	struct fixture f;
	unsigned long before;

	fixture_init(&f, 200);
	uv_timer_init(uvbridge_loop(f.ub), &f.timer);
	f.timer.data = &f;
	uv_timer_start(&f.timer, on_uv_timer, 0, 0);
	/* A due timer runs within the pump itself. */
	uvbridge_pump(f.ub);
	ck_assert_int_eq(f.fired, 1);
	ck_assert(!uvbridge_alive(f.ub));

	before = uvbridge_pumps(f.ub);
	event_base_dispatch(f.base);
	ck_assert(f.guard_hit);
	ck_assert_uint_le(uvbridge_pumps(f.ub) - before, 2);
	fixture_done(&f);
}
END_TEST

static void
nop_cb(evutil_socket_t fd, short what, void *arg)
{
}

struct found {
	const void *arg;
	struct timeval tv;
	int n;
};

static int
find_cb(const struct event_base *base, const struct event *ev, void *arg)
{
	struct found *fd = arg;

	if (event_get_callback_arg(ev) == fd->arg &&
	    event_pending(ev, EV_TIMEOUT, &fd->tv))
		fd->n++;
	return 0;
}

/* When the bridge's libevent timer expires (the bridge's events are the
 * ones whose argument is the bridge). */
static struct timeval
bridge_due(struct fixture *f)
{
	struct found fd = { .arg = f->ub };

	event_base_foreach_event(f->base, find_cb, &fd);
	ck_assert_int_eq(fd.n, 1);
	return fd.tv;
}

static void
pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fixture *f = arg;

	uvbridge_pump(f->ub);
	if (f->late != NULL) {
		evtimer_add(f->late, &f->late_tv);
		uvbridge_pump(f->ub);
	}
	event_base_loopbreak(f->base);
}

/* A libuv timer of uv_ms and a libevent timer ("the ping") of ev_ms, both
 * started and pumped from a libevent callback as in the daemon (if late,
 * the ping is added after a first pump, as a ping is armed after lws's
 * timer), and another libevent timer of other_ms unless that is 0;
 * returns the bridge's expiry minus the ping's, in microseconds. */
static long
bridge_vs_ping_at(int uv_ms, int ev_ms, bool late, int other_ms)
{
	struct fixture f;
	struct event *ping, *other;
	struct timeval tv = { ev_ms / 1000, (ev_ms % 1000) * 1000 };
	struct timeval otv = { other_ms / 1000, (other_ms % 1000) * 1000 };
	struct timeval zero = { 0, 0 }, pdue, bdue;
	long us;

	fixture_init(&f, 1000);
	uv_timer_init(uvbridge_loop(f.ub), &f.timer);
	f.timer.data = &f;
	uv_timer_start(&f.timer, on_uv_timer, uv_ms, 0);
	other = evtimer_new(f.base, nop_cb, NULL);
	if (other_ms != 0)
		evtimer_add(other, &otv);
	ping = evtimer_new(f.base, nop_cb, NULL);
	if (late) {
		f.late = ping;
		f.late_tv = tv;
	} else
		evtimer_add(ping, &tv);
	event_base_once(f.base, -1, EV_TIMEOUT, pump_cb, &f, &zero);
	event_base_dispatch(f.base);
	ck_assert_int_eq(f.fired, 0);
	ck_assert(event_pending(ping, EV_TIMEOUT, &pdue));
	bdue = bridge_due(&f);
	us = (bdue.tv_sec - pdue.tv_sec) * 1000000L +
	    (bdue.tv_usec - pdue.tv_usec);
	uv_close((uv_handle_t *)&f.timer, timer_closed);
	event_free(ping);
	event_free(other);
	fixture_done(&f);
	return us;
}

static long
bridge_vs_ping(int uv_ms, int ev_ms)
{
	return bridge_vs_ping_at(uv_ms, ev_ms, false, 0);
}

/* lws's 30 s housekeeping timer runs on the next ping round instead of
 * waking the daemon 1.3 s after this one (pings every 28,672 ms). */
START_TEST(test_long_timeout_joins_later_timer)
{
	/* The very same moment, so that one wakeup runs both. */
	ck_assert_int_eq(bridge_vs_ping(30000, 57344), 0);
	ck_assert_int_eq(bridge_vs_ping(25000, 26000), 0);
	ck_assert_int_eq(bridge_vs_ping_at(30000, 57344, true, 0), 0);
}
END_TEST

/* Of two timers in reach, the later: the earlier one may be a ping's
 * answer deadline, deleted when the pong arrives. */
START_TEST(test_long_timeout_joins_latest)
{
	ck_assert_int_eq(bridge_vs_ping_at(30000, 57344, false, 40000), 0);
	ck_assert_int_eq(bridge_vs_ping_at(30000, 57344, true, 40000), 0);
}
END_TEST

/* Shorter libuv timeouts (lws's 20 s connect and handshake timeouts) are
 * never moved, nor is a long one with no timer within 30 s after it. */
START_TEST(test_other_timeouts_kept)
{
	long us;

	us = bridge_vs_ping(20000, 21000);
	ck_assert_int_ge(us, -1010000);
	ck_assert_int_le(us, -990000);
	us = bridge_vs_ping(26000, 56500);
	ck_assert_int_ge(us, -30510000);
	ck_assert_int_le(us, -30490000);
	/* Not to a timer due before the libuv one, which could not run it. */
	us = bridge_vs_ping(26000, 25990);
	ck_assert_int_ge(us, 0);
	ck_assert_int_le(us, 20000);
}
END_TEST

static Suite *
uvbridge_suite(void)
{
	Suite *s = suite_create("uvbridge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_uv_timer_fires_under_libevent);
	tcase_add_test(tc, test_kick_runs_new_work);
	tcase_add_test(tc, test_empty_loop_does_not_spin);
	tcase_add_test(tc, test_long_timeout_joins_later_timer);
	tcase_add_test(tc, test_long_timeout_joins_latest);
	tcase_add_test(tc, test_other_timeouts_kept);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(uvbridge_suite());
}
