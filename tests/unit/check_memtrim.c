/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include <event2/event.h>

#include "util/log.h"
#include "util/memtrim.h"
#include "unit.h"

/* Linked with -Wl,--wrap=malloc_trim (tests/unit/local.mk). */
int __real_malloc_trim(size_t);
int __wrap_malloc_trim(size_t);

static int ntrims;

int
__wrap_malloc_trim(size_t pad)
{
	ntrims++;
	return __real_malloc_trim(pad);
}

static struct event_base *base;

static void
setup(void)
{
	log_init(LOG_INFO);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ntrims = 0;
}

static void
teardown(void)
{
	event_base_free(base);
}

/* Fewer events than a burst arm nothing (an idle daemon gets no wakeup
 * from it).  The burst's last event arms the timer, which trims once and is
 * not armed again. */
START_TEST(test_burst_only)
{
	struct memtrim *m = memtrim_new(base, 10, 5);

	for (int i = 0; i < 4; i++)
		memtrim_note(m);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);
	memtrim_note(m);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 1);
	ck_assert_int_eq(event_base_dispatch(base), 1);
	ck_assert_int_eq(ntrims, 1);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);
	/* Counting starts again after a trim. */
	for (int i = 0; i < 4; i++)
		memtrim_note(m);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);
	memtrim_free(m);
}
END_TEST

static void
note_cb(evutil_socket_t fd, short what, void *arg)
{
	memtrim_note(arg);
}

/* Events while the timer runs put the trim off until a quiet period. */
START_TEST(test_waits_for_quiet)
{
	struct memtrim *m = memtrim_new(base, 50, 1);
	struct timeval tv = { 0, 30000 };
	struct event *ev = evtimer_new(base, note_cb, m);
	struct timeval t0, t1;

	memtrim_note(m);
	evtimer_add(ev, &tv);
	ck_assert_int_eq(evutil_gettimeofday(&t0, NULL), 0);
	ck_assert_int_eq(event_base_dispatch(base), 1);
	ck_assert_int_eq(evutil_gettimeofday(&t1, NULL), 0);
	ck_assert_int_eq(ntrims, 1);
	/* First check at 50 ms finds the event of 30 ms, the next at 100 ms
	 * trims: 50 ms after it at the earliest. */
	ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_usec - t0.tv_usec), 80000);
	event_free(ev);
	memtrim_free(m);
}
END_TEST

static Suite *
memtrim_suite(void)
{
	Suite *s = suite_create("memtrim");
	TCase *tc = tcase_create("memtrim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_burst_only);
	tcase_add_test(tc, test_waits_for_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(memtrim_suite());
}
