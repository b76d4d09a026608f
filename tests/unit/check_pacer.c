/* SPDX-License-Identifier: ISC */
/* The connection pacer: at most max attempts at once, the rest in arrival
 * order, and an abandoned ticket gives back its slot or its place. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include <event2/event.h>

#include "session/pacer.h"
#include "unit.h"

#define NT	5

static char order[32];
static size_t norder;
static struct pacer_ticket *release_in_go;

static void
go(void *arg)
{
	const char *name = arg;

	order[norder++] = name[0];
	order[norder] = '\0';
	if (release_in_go != NULL) {
		struct pacer_ticket *t = release_in_go;

		release_in_go = NULL;
		pacer_release(t);
	}
}

static struct event_base *base;
static struct pacer *p;
static struct pacer_ticket *t[NT];
static const char *names[NT] = { "a", "b", "c", "d", "e" };

static void
setup(void)
{
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	p = pacer_new(base, 2);
	for (int i = 0; i < NT; i++)
		t[i] = pacer_ticket_new(p, go, (void *)names[i]);
	norder = 0;
	order[0] = '\0';
	release_in_go = NULL;
}

static void
teardown(void)
{
	for (int i = 0; i < NT; i++)
		pacer_ticket_free(t[i]);
	pacer_free(p);
	event_base_free(base);
}

/* One loop turn; the orders asserted after it show what it ran. */
static void
turn(void)
{
	ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
}

START_TEST(test_cap_and_fifo)
{
	for (int i = 0; i < NT; i++)
		pacer_acquire(t[i]);
	/* Two start at once, three wait. */
	ck_assert_str_eq(order, "ab");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	ck_assert_uint_eq(pacer_queued(p), 3);
	ck_assert(pacer_holding(t[0]) && pacer_waiting(t[2]));

	/* A freed slot goes to the first waiter, on the next loop turn:
	 * not from inside the caller that ended its attempt. */
	pacer_release(t[1]);
	ck_assert_str_eq(order, "ab");
	turn();
	ck_assert_str_eq(order, "abc");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	ck_assert_uint_eq(pacer_queued(p), 2);

	pacer_release(t[0]);
	pacer_release(t[2]);
	turn();
	ck_assert_str_eq(order, "abcde");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	ck_assert_uint_eq(pacer_queued(p), 0);

	/* A newcomer waits behind nobody but still needs a free slot. */
	pacer_acquire(t[0]);
	ck_assert_str_eq(order, "abcde");
	ck_assert(pacer_waiting(t[0]));
	pacer_release(t[3]);
	turn();
	ck_assert_str_eq(order, "abcdea");
}
END_TEST

START_TEST(test_free_slot_joins_the_queue_end)
{
	pacer_acquire(t[0]);
	pacer_acquire(t[1]);
	pacer_acquire(t[2]);
	pacer_acquire(t[3]);
	pacer_release(t[0]);
	/* A slot is free but c and d wait for the grant: e must not pass
	 * them. */
	pacer_acquire(t[4]);
	ck_assert_str_eq(order, "ab");
	ck_assert(pacer_waiting(t[4]));
	turn();
	ck_assert_str_eq(order, "abc");
	pacer_release(t[1]);
	pacer_release(t[2]);
	turn();
	ck_assert_str_eq(order, "abcde");
}
END_TEST

START_TEST(test_repeat_acquire)
{
	pacer_acquire(t[0]);
	pacer_acquire(t[1]);
	pacer_acquire(t[2]);
	/* Holding: the next attempt (a reconnect) keeps the slot. */
	pacer_acquire(t[0]);
	ck_assert_str_eq(order, "aba");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	/* Waiting: stays in its place, no second entry. */
	pacer_acquire(t[2]);
	ck_assert_uint_eq(pacer_queued(p), 1);
	/* Releasing twice frees one slot only. */
	pacer_release(t[0]);
	pacer_release(t[0]);
	ck_assert_uint_eq(pacer_inflight(p), 1);
	turn();
	ck_assert_str_eq(order, "abac");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	ck_assert_uint_eq(pacer_queued(p), 0);
}
END_TEST

START_TEST(test_hurry)
{
	for (int i = 0; i < NT; i++)
		pacer_acquire(t[i]);
	/* The user asked for e: it goes before c and d. */
	pacer_hurry(t[4]);
	/* Already first, holding or idle: nothing moves. */
	pacer_hurry(t[4]);
	pacer_hurry(t[0]);
	ck_assert_uint_eq(pacer_queued(p), 3);
	ck_assert_uint_eq(pacer_inflight(p), 2);
	pacer_release(t[0]);
	pacer_release(t[1]);
	turn();
	ck_assert_str_eq(order, "abec");
	pacer_release(t[4]);
	turn();
	ck_assert_str_eq(order, "abecd");
}
END_TEST

START_TEST(test_abandoned_waiter_leaves)
{
	for (int i = 0; i < NT; i++)
		pacer_acquire(t[i]);
	/* Stopped while waiting (a reload removed it, or shutdown). */
	pacer_release(t[2]);
	pacer_ticket_free(t[3]);
	t[3] = NULL;
	ck_assert_uint_eq(pacer_queued(p), 1);
	/* Freed while holding. */
	pacer_ticket_free(t[0]);
	t[0] = NULL;
	ck_assert_uint_eq(pacer_inflight(p), 1);
	turn();
	ck_assert_str_eq(order, "abe");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	ck_assert_uint_eq(pacer_queued(p), 0);
	ck_assert(!pacer_waiting(t[2]) && !pacer_holding(t[2]));
}
END_TEST

START_TEST(test_attempt_fails_at_once)
{
	pacer_acquire(t[0]);
	pacer_acquire(t[1]);
	pacer_acquire(t[2]);
	pacer_acquire(t[3]);
	/* c's attempt fails inside its go (a bad state directory): the
	 * slot passes on to d in the same grant. */
	release_in_go = t[2];
	pacer_release(t[0]);
	turn();
	ck_assert_str_eq(order, "abcd");
	ck_assert_uint_eq(pacer_inflight(p), 2);
	ck_assert(pacer_holding(t[1]) && pacer_holding(t[3]));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pacer");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cap_and_fifo);
	tcase_add_test(tc, test_free_slot_joins_the_queue_end);
	tcase_add_test(tc, test_repeat_acquire);
	tcase_add_test(tc, test_hurry);
	tcase_add_test(tc, test_abandoned_waiter_leaves);
	tcase_add_test(tc, test_attempt_fails_at_once);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
