/* SPDX-License-Identifier: ISC */
/* The libuv-in-libevent bridge: libuv timers and work handed over from
 * libevent callbacks run under event_base_dispatch(), and an empty libuv
 * loop leaves no timer behind to spin on. */
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

static Suite *
uvbridge_suite(void)
{
	Suite *s = suite_create("uvbridge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_uv_timer_fires_under_libevent);
	tcase_add_test(tc, test_kick_runs_new_work);
	tcase_add_test(tc, test_empty_loop_does_not_spin);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(uvbridge_suite());
}
