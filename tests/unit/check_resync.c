/* SPDX-License-Identifier: ISC */
/* The state comparison's pure parts: reading the answer, and leaving out
 * what was pushed while it was in flight. */
#include "autoconf.h"

#include <check.h>
#include <string.h>

#include <json-c/json.h>

#include "session/resync.h"
#include "unit.h"

static struct json_object *
parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_ptr_nonnull(o);
	return o;
}

/* o's compact JSON equals want. */
static void
expect_json(struct json_object *o, const char *want)
{
	const char *got = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN);

	ck_assert_msg(strcmp(got, want) == 0, "got %s, want %s", got, want);
}

START_TEST(test_states_skip_errors)
{
	struct json_object *r = parse("[[\"Email/get\",{\"accountId\":\"u1\","
	    "\"state\":\"e0\",\"list\":[]},\"s0\"],"
	    "[\"error\",{\"type\":\"accountNotSupportedByMethod\"},\"s1\"],"
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"state\":\"m0\","
	    "\"list\":[]},\"s2\"],"
	    "[\"Thread/get\",{\"accountId\":\"s2\",\"state\":\"t9\","
	    "\"list\":[]},\"s3\"]]");
	struct json_object *states = resync_states(r);

	expect_json(states, "{\"u1\":{\"Email\":\"e0\",\"Mailbox\":\"m0\"},"
	    "\"s2\":{\"Thread\":\"t9\"}}");
	json_object_put(states);
	json_object_put(r);
}
END_TEST

/* The answer says e0/m0/t0 for u1 and t5 for s2; Email, EmailDelivery and
 * Mailbox of u1 were pushed meanwhile: only u1's Thread and s2 remain. */
START_TEST(test_drop_pushed)
{
	struct json_object *pushed = json_object_new_object();
	struct json_object *current = parse("{\"u1\":{\"Email\":\"e0\","
	    "\"Mailbox\":\"m0\",\"Thread\":\"t0\"},\"s2\":{\"Thread\":\"t5\"}}");
	struct json_object *f1 = parse("{\"u1\":{\"Email\":\"e1\","
	    "\"EmailDelivery\":\"d1\"}}");
	struct json_object *f2 = parse("{\"u1\":{\"Mailbox\":\"m1\"},"
	    "\"x9\":{\"Email\":\"x1\"}}");

	resync_note_pushed(pushed, f1);
	resync_note_pushed(pushed, f2);
	expect_json(pushed, "{\"u1\":{\"Email\":true,\"EmailDelivery\":true,"
	    "\"Mailbox\":true},\"x9\":{\"Email\":true}}");
	ck_assert_uint_eq(resync_drop_pushed(current, pushed), 2);
	expect_json(current, "{\"u1\":{\"Thread\":\"t0\"},"
	    "\"s2\":{\"Thread\":\"t5\"}}");
	json_object_put(f1);
	json_object_put(f2);
	json_object_put(current);
	json_object_put(pushed);
}
END_TEST

/* An account whose every type was pushed leaves the answer entirely. */
START_TEST(test_drop_whole_account)
{
	struct json_object *pushed = json_object_new_object();
	struct json_object *current = parse("{\"u1\":{\"Email\":\"e0\"},"
	    "\"s2\":{\"Email\":\"e7\"}}");
	struct json_object *f = parse("{\"s2\":{\"Email\":\"e8\"}}");

	resync_note_pushed(pushed, f);
	ck_assert_uint_eq(resync_drop_pushed(current, pushed), 1);
	expect_json(current, "{\"u1\":{\"Email\":\"e0\"}}");
	/* Nothing pushed: nothing dropped. */
	json_object_put(pushed);
	pushed = json_object_new_object();
	ck_assert_uint_eq(resync_drop_pushed(current, pushed), 0);
	expect_json(current, "{\"u1\":{\"Email\":\"e0\"}}");
	json_object_put(f);
	json_object_put(current);
	json_object_put(pushed);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("resync");
	TCase *tc = tcase_create("resync");

	tcase_add_test(tc, test_states_skip_errors);
	tcase_add_test(tc, test_drop_pushed);
	tcase_add_test(tc, test_drop_whole_account);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
