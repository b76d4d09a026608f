/* SPDX-License-Identifier: ISC */
/* The outgoing event queue: order per account, stable ids, pinning, each
 * coalescing rule with its exact result, the overflow item, persistence. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/evqueue.h"
#include "unit.h"

#define PLAIN	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static struct json_object *
ev(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_ptr_nonnull(o);
	return o;
}

/* A state event of account a, accountId aid. */
static struct json_object *
state(const char *a, const char *aid, const char *changed, const char *ps)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "{\"event\":\"state\",\"account\":\"%s\","
	    "\"accountId\":\"%s\",\"changed\":%s,\"pushState\":\"%s\","
	    "\"reason\":\"push\",\"time\":\"2026-12-03T20:00:0%sZ\"}",
	    a, aid, changed, ps, ps + strlen(ps) - 1);
	return ev(buf);
}

static struct json_object *
conn(const char *a, const char *status)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "{\"event\":\"connection\",\"account\":"
	    "\"%s\",\"status\":\"%s\"}", a, status);
	return ev(buf);
}

static struct json_object *
mail(const char *a, int n)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "{\"event\":\"mail\",\"account\":\"%s\","
	    "\"accountId\":\"u1\",\"n\":%d}", a, n);
	return ev(buf);
}

/* The whole queue as "account event-json" lines, ids left out. */
static char *
dump(const struct evqueue *q)
{
	struct json_object *arr = evqueue_to_json(q), *o, *e, *acc;
	size_t len = 0, cap = 1;
	char *out = calloc(1, 1);

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *a, *j;

		o = json_object_array_get_idx(arr, i);
		json_object_object_get_ex(o, "account", &acc);
		json_object_object_get_ex(o, "event", &e);
		a = json_object_get_string(acc);
		j = json_object_to_json_string_ext(e, PLAIN);
		cap += strlen(a) + strlen(j) + 2;
		out = realloc(out, cap);
		len += (size_t)sprintf(out + len, "%s %s\n", a, j);
	}
	json_object_put(arr);
	return out;
}

static bool
is_hex_id(const char *id)
{
	return strlen(id) == EVQUEUE_ID_LEN &&
	    strspn(id, "0123456789abcdef") == EVQUEUE_ID_LEN;
}

START_TEST(test_order_and_ids)
{
	struct evqueue *q = evqueue_new(10);
	const struct evqueue_item *it;
	char id1[EVQUEUE_ID_LEN + 1];

	ck_assert_ptr_null(evqueue_peek(q, "a"));
	evqueue_push(q, "a", conn("a", "connected"));
	evqueue_push(q, "b", mail("b", 1));
	evqueue_push(q, "a", mail("a", 2));
	ck_assert_uint_eq(evqueue_len(q), 3);
	ck_assert_uint_eq(evqueue_account_len(q, "a"), 2);
	ck_assert_uint_eq(evqueue_account_len(q, "zz"), 0);

	it = evqueue_peek(q, "a");
	ck_assert_str_eq(it->account, "a");
	ck_assert(is_hex_id(it->id));
	ck_assert(evqueue_in_flight(q, "a"));
	ck_assert(!evqueue_in_flight(q, "b"));
	strcpy(id1, it->id);
	/* A failed attempt: still first, same id. */
	evqueue_release(q, "a");
	ck_assert(!evqueue_in_flight(q, "a"));
	it = evqueue_peek(q, "a");
	ck_assert_str_eq(it->id, id1);
	ck_assert_str_eq(json_object_to_json_string_ext(it->event, PLAIN),
	    "{\"event\":\"connection\",\"account\":\"a\",\"status\":"
	    "\"connected\"}");
	evqueue_done(q, "a");
	it = evqueue_peek(q, "a");
	ck_assert_str_ne(it->id, id1);
	ck_assert(is_hex_id(it->id));
	ck_assert_str_eq(json_object_to_json_string_ext(it->event, PLAIN),
	    "{\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":2}");
	evqueue_done(q, "a");
	ck_assert_ptr_null(evqueue_peek(q, "a"));
	ck_assert_uint_eq(evqueue_len(q), 1);
	/* Not an event: dropped, never queued. */
	evqueue_push(q, "a", json_object_new_int(3));
	evqueue_push(q, "a", ev("{\"x\":1}"));
	ck_assert_uint_eq(evqueue_len(q), 1);
	evqueue_free(q);
}
END_TEST

static void
collect(const char *account, void *arg)
{
	strcat(arg, account);
	strcat(arg, ",");
}

START_TEST(test_foreach_oldest_first)
{
	struct evqueue *q = evqueue_new(10);
	char seen[64] = "";

	evqueue_push(q, "b", mail("b", 1));
	evqueue_push(q, "a", mail("a", 1));
	evqueue_push(q, "c", mail("c", 1));
	evqueue_push(q, "b", mail("b", 2));
	evqueue_foreach_account(q, collect, seen);
	ck_assert_str_eq(seen, "b,a,c,");
	evqueue_done(q, "b");
	seen[0] = '\0';
	evqueue_foreach_account(q, collect, seen);
	ck_assert_str_eq(seen, "a,c,b,");
	evqueue_free(q);
}
END_TEST

START_TEST(test_state_merge)
{
	struct evqueue *q = evqueue_new(2);
	struct json_object *later = state("a", "u1", "{\"Email\":\"e2\"}",
	    "p2");
	const struct evqueue_item *it;
	char *d, id2[EVQUEUE_ID_LEN + 1];
	struct json_object *arr;

	evqueue_push(q, "a", state("a", "u1",
	    "{\"Email\":\"e1\",\"Mailbox\":\"m1\"}", "p1"));
	/* The later event is shared (as with other outputs): never
	 * modified in place. */
	evqueue_push(q, "a", json_object_get(later));
	arr = evqueue_to_json(q);
	strcpy(id2, json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(arr, 1), "id")));
	json_object_put(arr);
	evqueue_push(q, "a", state("a", "u2", "{\"Email\":\"x\"}", "p3"));
	ck_assert_uint_eq(evqueue_len(q), 2);
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"state\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"changed\":{\"Email\":\"e2\",\"Mailbox\":\"m1\"},"
	    "\"pushState\":\"p2\",\"reason\":\"push\","
	    "\"time\":\"2026-12-03T20:00:02Z\"}\n"
	    "a {\"event\":\"state\",\"account\":\"a\",\"accountId\":\"u2\","
	    "\"changed\":{\"Email\":\"x\"},\"pushState\":\"p3\","
	    "\"reason\":\"push\",\"time\":\"2026-12-03T20:00:03Z\"}\n");
	free(d);
	ck_assert_str_eq(json_object_to_json_string_ext(
	    json_object_object_get(later, "changed"), PLAIN),
	    "{\"Email\":\"e2\"}");
	json_object_put(later);
	it = evqueue_peek(q, "a");
	ck_assert_str_eq(it->id, id2);
	evqueue_free(q);
}
END_TEST

START_TEST(test_different_accounts_do_not_merge)
{
	struct evqueue *q = evqueue_new(2);
	char *d;

	/* Two accounts' state events: no twin, so the oldest is dropped and
	 * counted in its account's overflow item. */
	evqueue_push(q, "a", state("a", "u1", "{\"Email\":\"e1\"}", "p1"));
	evqueue_push(q, "b", state("b", "u1", "{\"Email\":\"e2\"}", "p2"));
	evqueue_push(q, "c", state("c", "u1", "{\"Email\":\"e3\"}", "p3"));
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":1}\n"
	    "b {\"event\":\"state\",\"account\":\"b\",\"accountId\":\"u1\","
	    "\"changed\":{\"Email\":\"e2\"},\"pushState\":\"p2\","
	    "\"reason\":\"push\",\"time\":\"2026-12-03T20:00:02Z\"}\n"
	    "c {\"event\":\"state\",\"account\":\"c\",\"accountId\":\"u1\","
	    "\"changed\":{\"Email\":\"e3\"},\"pushState\":\"p3\","
	    "\"reason\":\"push\",\"time\":\"2026-12-03T20:00:03Z\"}\n");
	free(d);
	ck_assert_uint_eq(evqueue_len(q), 3);
	ck_assert(is_hex_id(evqueue_peek(q, "a")->id));
	evqueue_free(q);
}
END_TEST

START_TEST(test_connection_keeps_latest)
{
	struct evqueue *q = evqueue_new(3);
	char *d;

	evqueue_push(q, "a", conn("a", "connecting"));
	evqueue_push(q, "a", mail("a", 1));
	evqueue_push(q, "a", conn("a", "backoff"));
	evqueue_push(q, "a", conn("a", "connected"));
	evqueue_push(q, "a", conn("a", "closed"));
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":1}\n"
	    "a {\"event\":\"connection\",\"account\":\"a\",\"status\":"
	    "\"connected\"}\n"
	    "a {\"event\":\"connection\",\"account\":\"a\",\"status\":"
	    "\"closed\"}\n");
	free(d);
	evqueue_free(q);
}
END_TEST

START_TEST(test_merges_before_drops)
{
	struct evqueue *q = evqueue_new(3);
	char *d;

	/* The mail event is older, but merging two states loses nothing. */
	evqueue_push(q, "a", mail("a", 1));
	evqueue_push(q, "a", state("a", "u1", "{\"Email\":\"e1\"}", "p1"));
	evqueue_push(q, "a", state("a", "u1", "{\"Thread\":\"t2\"}", "p2"));
	evqueue_push(q, "a", mail("a", 2));
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":1}\n"
	    "a {\"event\":\"state\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"changed\":{\"Email\":\"e1\",\"Thread\":\"t2\"},"
	    "\"pushState\":\"p2\",\"reason\":\"push\","
	    "\"time\":\"2026-12-03T20:00:02Z\"}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":2}\n");
	free(d);
	evqueue_free(q);
}
END_TEST

START_TEST(test_overflow_item)
{
	struct evqueue *q = evqueue_new(2);
	const struct evqueue_item *it;
	char ovid[EVQUEUE_ID_LEN + 1];
	char *d;

	evqueue_push(q, "a", mail("a", 1));
	evqueue_push(q, "b", mail("b", 1));
	evqueue_push(q, "a", mail("a", 2));
	evqueue_push(q, "a", mail("a", 3));
	evqueue_push(q, "a", mail("a", 4));
	/* a's 1 and 2 and b's 1 went, in order; the overflow items stand
	 * where each account's first drop was, and do not count. */
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":2}\n"
	    "b {\"event\":\"overflow\",\"account\":\"b\",\"dropped\":1}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":3}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":4}\n");
	free(d);
	ck_assert_uint_eq(evqueue_len(q), 4);

	/* Once pinned, the overflow item is left alone; the next drop makes
	 * a new one with a new id. */
	it = evqueue_peek(q, "a");
	strcpy(ovid, it->id);
	evqueue_push(q, "a", mail("a", 5));
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":2}\n"
	    "b {\"event\":\"overflow\",\"account\":\"b\",\"dropped\":1}\n"
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":1}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":4}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":5}\n");
	free(d);
	evqueue_done(q, "a");
	it = evqueue_peek(q, "a");
	ck_assert_str_ne(it->id, ovid);
	ck_assert(is_hex_id(it->id));
	evqueue_free(q);
}
END_TEST

START_TEST(test_pinned_never_touched)
{
	struct evqueue *q = evqueue_new(1);
	const struct evqueue_item *it;
	char *d;

	evqueue_push(q, "a", state("a", "u1", "{\"Email\":\"e1\"}", "p1"));
	it = evqueue_peek(q, "a");
	evqueue_release(q, "a");
	evqueue_push(q, "a", state("a", "u1", "{\"Email\":\"e2\"}", "p2"));
	/* The first may have reached the receiver: it stays as it was, and
	 * the second, alone unpinned, is what goes. */
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"state\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"changed\":{\"Email\":\"e1\"},\"pushState\":\"p1\","
	    "\"reason\":\"push\",\"time\":\"2026-12-03T20:00:01Z\"}\n"
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":1}\n");
	free(d);
	ck_assert_ptr_eq(evqueue_peek(q, "a"), it);
	evqueue_free(q);

	/* Every item pinned: over max it stays. */
	q = evqueue_new(10);
	evqueue_push(q, "a", conn("a", "connected"));
	evqueue_push(q, "b", conn("b", "connected"));
	evqueue_peek(q, "a");
	evqueue_peek(q, "b");
	evqueue_set_max(q, 1);
	ck_assert_uint_eq(evqueue_len(q), 2);
	evqueue_free(q);
}
END_TEST

START_TEST(test_set_max)
{
	struct evqueue *q = evqueue_new(10);
	char *d;

	for (int i = 1; i <= 4; i++)
		evqueue_push(q, "a", mail("a", i));
	evqueue_set_max(q, 2);
	d = dump(q);
	ck_assert_str_eq(d,
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":2}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":3}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":4}\n");
	free(d);
	evqueue_free(q);
}
END_TEST

START_TEST(test_json_round_trip)
{
	struct evqueue *q = evqueue_new(3), *r = evqueue_new(3);
	struct json_object *arr, *back;
	char *d1, *d2;

	evqueue_push(q, "a", mail("a", 1));
	evqueue_push(q, "b/x%", conn("b/x%", "connected"));
	for (int i = 2; i <= 4; i++)
		evqueue_push(q, "a", mail("a", i));
	arr = evqueue_to_json(q);
	ck_assert_int_eq(evqueue_from_json(r, arr), 0);
	back = evqueue_to_json(r);
	ck_assert_str_eq(json_object_to_json_string_ext(arr, PLAIN),
	    json_object_to_json_string_ext(back, PLAIN));
	json_object_put(back);
	/* The restored overflow item still counts further drops. */
	evqueue_push(r, "a", mail("a", 5));
	d1 = dump(r);
	ck_assert_str_eq(d1,
	    "a {\"event\":\"overflow\",\"account\":\"a\",\"dropped\":3}\n"
	    "b/x% {\"event\":\"connection\",\"account\":\"b/x%\","
	    "\"status\":\"connected\"}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":4}\n"
	    "a {\"event\":\"mail\",\"account\":\"a\",\"accountId\":\"u1\","
	    "\"n\":5}\n");
	free(d1);
	ck_assert_str_eq(evqueue_peek(r, "a")->id, json_object_get_string(
	    json_object_object_get(json_object_array_get_idx(arr, 0), "id")));
	json_object_put(arr);

	/* Malformed: nothing taken. */
	d1 = dump(r);
	arr = ev("[{\"account\":\"a\",\"id\":\"abc\",\"event\":{\"event\":"
	    "\"mail\"}},{\"account\":\"a\",\"id\":\"a b\",\"event\":"
	    "{\"event\":\"mail\"}}]");
	ck_assert_int_eq(evqueue_from_json(r, arr), -1);
	json_object_put(arr);
	const char *bad[] = {
		"{}", "[1]", "[{\"account\":\"\",\"id\":\"x\",\"event\":"
		"{\"event\":\"mail\"}}]",
		"[{\"account\":\"a\",\"event\":{\"event\":\"mail\"}}]",
		"[{\"account\":\"a\",\"id\":\"x\",\"event\":{}}]",
		"[{\"account\":\"a\",\"id\":"
		"\"0123456789012345678901234567890123456789012345678901234567"
		"890123456789\",\"event\":{\"event\":\"mail\"}}]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		arr = ev(bad[i]);
		ck_assert_int_eq(evqueue_from_json(r, arr), -1);
		json_object_put(arr);
	}
	d2 = dump(r);
	ck_assert_str_eq(d1, d2);
	free(d1);
	free(d2);
	evqueue_free(q);
	evqueue_free(r);
}
END_TEST

static Suite *
evqueue_suite(void)
{
	Suite *s = suite_create("evqueue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order_and_ids);
	tcase_add_test(tc, test_foreach_oldest_first);
	tcase_add_test(tc, test_state_merge);
	tcase_add_test(tc, test_different_accounts_do_not_merge);
	tcase_add_test(tc, test_connection_keeps_latest);
	tcase_add_test(tc, test_merges_before_drops);
	tcase_add_test(tc, test_overflow_item);
	tcase_add_test(tc, test_pinned_never_touched);
	tcase_add_test(tc, test_set_max);
	tcase_add_test(tc, test_json_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(evqueue_suite());
}
