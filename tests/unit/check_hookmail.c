/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/hookmail.h"
#include "config/mailmatch.h"
#include "session/mailresult.h"
#include "util/xmalloc.h"
#include "unit.h"

static const char saved[] = "{\"boxes\":[{\"id\":\"mb-inbox\",\"path\":"
    "\"Inbox\",\"role\":\"inbox\",\"unread\":3,\"total\":9,\"events\":1,"
    "\"nnew\":2,\"unfetched\":1},{\"id\":\"mb-w\",\"path\":\"Work\\nx\","
    "\"role\":null,\"unread\":0,\"total\":1,\"events\":6,\"nnew\":0,"
    "\"unfetched\":0}],\"news\":[{\"id\":\"M1\",\"mailbox\":\"Inbox\","
    "\"from\":[{\"name\":null,\"email\":\"a@example.com\"}],\"subject\":"
    "\"Hi\",\"receivedAt\":\"2026-01-01T00:00:00Z\",\"messageId\":null,"
    "\"threadId\":\"T1\",\"preview\":\"p\"}],\"newCount\":2,\"unread\":3,"
    "\"wanted\":7}";

/* What an owed run keeps comes back as it was. */
START_TEST(test_round_trip)
{
	struct json_object *o = json_tokener_parse(saved), *again;
	struct mailresult r;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(hookmail_restore(o, &r), 0);
	ck_assert_uint_eq(r.nboxes, 2);
	ck_assert_str_eq(r.boxes[1].path, "Work\nx");
	ck_assert_ptr_null(r.boxes[1].role);
	ck_assert_uint_eq(r.boxes[1].events, MAILMATCH_CHANGED |
	    MAILMATCH_DELETED);
	ck_assert_uint_eq(r.nnews, 1);
	ck_assert_ptr_null(r.news[0].from[0].name);
	ck_assert_ptr_null(r.news[0].message_id);
	ck_assert_uint_eq(r.new_count, 2);
	again = hookmail_save(&r);
	ck_assert_str_eq(json_object_to_json_string_ext(again,
	    JSON_C_TO_STRING_PLAIN), saved);
	json_object_put(again);
	mailresult_clear(&r);
	json_object_put(o);
}
END_TEST

/* A damaged file gives an empty result and -1, never a half-read one. */
START_TEST(test_damaged)
{
	static const char *const bad[] = {
		"[]",
		"{}",
		"{\"boxes\":[],\"news\":[],\"newCount\":-1,\"unread\":0,"
		    "\"wanted\":1}",
		"{\"boxes\":[],\"news\":[],\"newCount\":0,\"unread\":0,"
		    "\"wanted\":8}",
		"{\"boxes\":[{\"id\":\"a\"}],\"news\":[],\"newCount\":0,"
		    "\"unread\":0,\"wanted\":1}",
		"{\"boxes\":[7],\"news\":[],\"newCount\":0,\"unread\":0,"
		    "\"wanted\":1}",
		"{\"boxes\":[],\"news\":[{\"id\":5}],\"newCount\":0,"
		    "\"unread\":0,\"wanted\":1}",
		"{\"boxes\":[],\"news\":[{\"id\":\"M1\",\"from\":[1]}],"
		    "\"newCount\":0,\"unread\":0,\"wanted\":1}",
	};
	struct json_object *o;
	struct mailresult r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = json_tokener_parse(bad[i]);
		ck_assert_ptr_nonnull(o);
		ck_assert_msg(hookmail_restore(o, &r) == -1, "accepted %s",
		    bad[i]);
		ck_assert_uint_eq(r.nboxes, 0);
		ck_assert_uint_eq(r.nnews, 0);
		ck_assert_ptr_null(r.boxes);
		json_object_put(o);
	}
}
END_TEST

static Suite *
hookmail_suite(void)
{
	Suite *s = suite_create("hookmail");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_damaged);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(hookmail_suite());
}
