/* SPDX-License-Identifier: ISC */
/* Telling a suspend and a wall-clock jump from normal time passing, from
 * three clock readings; and watching for them without waking by itself. */
#include "autoconf.h"

#include <check.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/wakeup.h"
#include "unit.h"

static struct wakeup_clocks
at(uint64_t mono, uint64_t boot, int64_t real)
{
	struct wakeup_clocks c = { mono, boot, real };

	return c;
}

START_TEST(test_normal_time)
{
	struct wakeup_clocks a = at(1000, 5000, 1700000000000);
	struct wakeup_clocks b = at(6000, 10000, 1700000005000);

	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
	/* Scheduling noise between the clocks is not sleep. */
	b = at(6000, 11500, 1700000005000);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
}
END_TEST

START_TEST(test_suspend)
{
	/* Monotonic moved 5 s, boottime 2 hours: the machine slept. */
	struct wakeup_clocks a = at(1000, 5000, 1700000000000);
	struct wakeup_clocks b = at(6000, 5000 + 7200000, 1700007200000);

	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_RESUMED);
}
END_TEST

START_TEST(test_clock_jump)
{
	struct wakeup_clocks a = at(1000, 5000, 1700000000000);
	struct wakeup_clocks b = at(6000, 10000, 1700000000000 + 5000 + 31000);

	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_CLOCK_JUMP);
	/* Backwards too. */
	b = at(6000, 10000, 1700000000000 - 60000);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_CLOCK_JUMP);
	/* A small correction (NTP slewing) is not a jump. */
	b = at(6000, 10000, 1700000000000 + 5000 + 29000);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
}
END_TEST

START_TEST(test_real_clocks_now)
{
	struct wakeup_clocks a, b;

	wakeup_read_clocks(&a);
	wakeup_read_clocks(&b);
	ck_assert_int_eq(wakeup_compare(&a, &b, 30000), WAKEUP_NONE);
}
END_TEST

START_TEST(test_jump_timer)
{
	struct itimerspec its;
	struct pollfd pfd;
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(wakeup_jump_arm(fd), 0);
	ck_assert_int_eq(timerfd_gettime(fd, &its), 0);
	/* Never expires in practice, and is not periodic. */
	ck_assert_int_gt(its.it_value.tv_sec, 364 * 24 * 3600);
	ck_assert_int_eq(its.it_interval.tv_sec, 0);
	ck_assert_int_eq(its.it_interval.tv_nsec, 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	close(fd);
}
END_TEST

struct timers {
	const void *owner;
	int n;
	struct timeval first;
};

static int
count_timer(const struct event_base *base, const struct event *ev,
    void *arg)
{
	struct timers *t = arg;
	struct timeval tv;

	/* A system bus, if any, brings sd-bus's own timers: not ours. */
	if (event_get_callback_arg(ev) != t->owner ||
	    !event_pending((struct event *)ev, EV_TIMEOUT, &tv))
		return 0;
	if (t->n == 0 || timercmp(&tv, &t->first, <))
		t->first = tv;
	t->n++;
	return 0;
}

static void
never(enum wakeup_reason r, void *arg)
{
	ck_abort_msg("woken for %s", wakeup_reason_name(r));
}

/* The only timer is on the shared ping tick (ws_ping_delay: 25.9-30 s for
 * 30 s), where the pings wake the daemon anyway; the old 5 s poll is gone. */
START_TEST(test_no_own_tick)
{
	struct event_base *base = event_base_new();
	struct wakeup *w;
	struct timers t = { 0 };
	struct timeval now, left;

	ck_assert_ptr_nonnull(base);
	w = wakeup_new(base, 30000, never, NULL);
	t.owner = w;
	event_base_foreach_event(base, count_timer, &t);
	ck_assert_int_eq(t.n, 1);
	gettimeofday(&now, NULL);
	timersub(&t.first, &now, &left);
	ck_assert_int_ge(left.tv_sec, 25);
	ck_assert_int_le(left.tv_sec, 30);
	ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 0);
	wakeup_free(w);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wakeup");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_normal_time);
	tcase_add_test(tc, test_suspend);
	tcase_add_test(tc, test_clock_jump);
	tcase_add_test(tc, test_real_clocks_now);
	tcase_add_test(tc, test_jump_timer);
	tcase_add_test(tc, test_no_own_tick);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
