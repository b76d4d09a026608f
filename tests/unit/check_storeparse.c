/* SPDX-License-Identifier: ISC */
/* A damaged, hostile or merely lenient state file: refused whole and moved
 * aside, or read as far as it is compatible (storeparse.c). */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "state/store.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "storetest.h"
#include "unit.h"

static void
check_corrupt(const char *content, const char *reason)
{
	char *path = dir_path("acct.state"), *text, *want, *list;
	struct store *s;
	long long t0 = (long long)time(NULL), t;
	char *corrupt;

	write_file("acct.state", content);
	s = store_open(dir, "acct");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(store_push_state(s));
	ck_assert_ptr_null(store_event_id(s));
	ck_assert_ptr_null(store_type_state(s, "u1", "Email"));

	list = dir_list();
	ck_assert_int_eq(sscanf(list, "acct.state.corrupt-%lld", &t), 1);
	ck_assert(t >= t0 && t <= t0 + 5);
	xasprintf(&corrupt, "%s.corrupt-%lld", path, t);
	text = slurp(corrupt);
	ck_assert_str_eq(text, content);
	free(text);

	text = logged();
	xasprintf(&want, "warning: state file %s is corrupt (%s); moved aside "
	    "to %s; changes made while the daemon was down will be found by "
	    "a resync\n", path, reason, corrupt);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);

	/* the store works from scratch */
	store_set_push_state(s, "p");
	ck_assert_int_eq(store_save(s), 0);
	store_free(s);
	s = store_open(dir, "acct");
	ck_assert_str_eq(store_push_state(s), "p");
	store_free(s);
	free(corrupt);
	free(list);
	free(path);
}

START_TEST(test_corrupt_empty)
{
	check_corrupt("", "the file is empty");
}
END_TEST

START_TEST(test_corrupt_truncated)
{
	check_corrupt("{\"version\":1,\"pushState\":\"ab", "truncated JSON");
}
END_TEST

START_TEST(test_corrupt_garbage)
{
	check_corrupt("\x01garbage", "invalid JSON at byte 0: "
	    "unexpected character");
}
END_TEST

START_TEST(test_corrupt_trailing)
{
	check_corrupt("{\"version\":1} {}", "unexpected data at byte 14");
}
END_TEST

START_TEST(test_corrupt_not_object)
{
	check_corrupt("[1,2]\n", "not a JSON object");
}
END_TEST

START_TEST(test_corrupt_no_version)
{
	check_corrupt("{\"pushState\":\"x\"}", "no \"version\"");
}
END_TEST

START_TEST(test_corrupt_wrong_version)
{
	check_corrupt("{\"version\":2,\"pushState\":\"x\"}",
	    "unknown version 2, expected 1");
}
END_TEST

START_TEST(test_corrupt_bad_fields)
{
	check_corrupt("{\"version\":1,\"pushState\":5}",
	    "\"pushState\" is not a string");
}
END_TEST

START_TEST(test_corrupt_bad_event_id)
{
	check_corrupt("{\"version\":1,\"pushState\":\"p\",\"eventId\":[]}",
	    "\"eventId\" is not a string");
}
END_TEST

START_TEST(test_corrupt_bad_states)
{
	check_corrupt("{\"version\":1,\"pushState\":\"p\",\"states\":"
	    "{\"u1\":{\"Email\":\"e\",\"Mailbox\":7}}}",
	    "\"states\" is not an object of objects of strings");
}
END_TEST

START_TEST(test_corrupt_states_not_object)
{
	check_corrupt("{\"version\":1,\"states\":{\"u1\":\"e\"}}",
	    "\"states\" is not an object of objects of strings");
}
END_TEST

START_TEST(test_corrupt_bad_pending)
{
	check_corrupt("{\"version\":1,\"pending\":{\"h\":{\"u1\":"
	    "{\"changed\":{\"Email\":\"e\"}}}}}",
	    "\"pending\" is not an object of hook runs");
}
END_TEST

START_TEST(test_corrupt_bad_mail)
{
	check_corrupt("{\"version\":1,\"mail\":{\"u1\":[]}}",
	    "\"mail\" is not an object of objects");
}
END_TEST

START_TEST(test_corrupt_bad_notify)
{
	check_corrupt("{\"version\":1,\"notify\":{}}",
	    "\"notify\" is not an array");
}
END_TEST

/* Extra keys and null fields from a compatible writer are fine. */
START_TEST(test_lenient)
{
	struct store *s;
	char *text;

	write_file("acct.state", "  {\"version\":1,\"pushState\":null,"
	    "\"future\":true,\"states\":{}}\n\n");
	s = store_open(dir, "acct");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(store_push_state(s));
	store_free(s);
	text = logged();
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

static Suite *
storeparse_suite(void)
{
	Suite *s = suite_create("storeparse");
	TCase *tc = tcase_create("storeparse");

	tcase_add_checked_fixture(tc, storetest_setup, storetest_teardown);
	tcase_add_test(tc, test_corrupt_bad_mail);
	tcase_add_test(tc, test_corrupt_bad_notify);
	tcase_add_test(tc, test_corrupt_empty);
	tcase_add_test(tc, test_corrupt_truncated);
	tcase_add_test(tc, test_corrupt_garbage);
	tcase_add_test(tc, test_corrupt_trailing);
	tcase_add_test(tc, test_corrupt_not_object);
	tcase_add_test(tc, test_corrupt_no_version);
	tcase_add_test(tc, test_corrupt_wrong_version);
	tcase_add_test(tc, test_corrupt_bad_fields);
	tcase_add_test(tc, test_corrupt_bad_event_id);
	tcase_add_test(tc, test_corrupt_bad_states);
	tcase_add_test(tc, test_corrupt_states_not_object);
	tcase_add_test(tc, test_corrupt_bad_pending);
	tcase_add_test(tc, test_lenient);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(storeparse_suite());
}
