/* SPDX-License-Identifier: ISC */
/* New mail: the request, reading answers, what counts as new, escaping,
 * bursts and the Notify arguments. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/config.h"
#include "output/newmail.h"
#include "unit.h"

static struct config_notify cfg;
static char *inbox_only[] = { "inbox" };

static void
setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.enabled = true;
	cfg.mailboxes = inbox_only;
	cfg.nmailboxes = 1;
	cfg.max_per_burst = 3;
	cfg.urgency = URGENCY_NORMAL;
	cfg.timeout_ms = -1;
}

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

START_TEST(request_changes)
{
	struct json_object *calls = newmail_request("u1", "e4", NULL, true);

	ck_assert_str_eq(plain(calls),
	    "[[\"Mailbox/get\",{\"accountId\":\"u1\",\"ids\":null,"
	    "\"properties\":[\"name\",\"role\"]},\"mb\"],"
	    "[\"Email/changes\",{\"accountId\":\"u1\",\"sinceState\":\"e4\","
	    "\"maxChanges\":256},\"ch\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":\"ch\","
	    "\"name\":\"Email/changes\",\"path\":\"/created\"},\"properties\":"
	    "[\"from\",\"subject\",\"receivedAt\",\"mailboxIds\",\"keywords\","
	    "\"preview\"]},\"get\"]]");
	json_object_put(calls);
}
END_TEST

START_TEST(request_query)
{
	struct json_object *calls = newmail_request("u1", NULL,
	    "2026-11-25T22:00:00Z", false);

	ck_assert_str_eq(plain(calls),
	    "[[\"Email/query\",{\"accountId\":\"u1\",\"filter\":{\"after\":"
	    "\"2026-11-25T22:00:00Z\"},\"sort\":[{\"property\":\"receivedAt\","
	    "\"isAscending\":false}],\"limit\":256},\"q\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":\"q\","
	    "\"name\":\"Email/query\",\"path\":\"/ids\"},\"properties\":"
	    "[\"from\",\"subject\",\"receivedAt\",\"mailboxIds\",\"keywords\","
	    "\"preview\"]},\"get\"]]");
	json_object_put(calls);
}
END_TEST

#define MAILBOXES "[\"Mailbox/get\",{\"list\":[{\"id\":\"A\",\"name\":" \
	"\"Inbox\",\"role\":\"inbox\"},{\"id\":\"B\",\"name\":\"Lists\"," \
	"\"role\":null}]},\"mb\"]"

static void
parse(const char *text, struct newmail_mailboxes *mbx,
    struct newmail_result *res)
{
	struct json_object *r = json_tokener_parse(text);

	ck_assert_ptr_nonnull(r);
	newmail_parse(r, &cfg, mbx, res);
	json_object_put(r);
}

START_TEST(parse_new_only)
{
	struct newmail_mailboxes mbx = { 0 };
	struct newmail_result res;

	parse("[" MAILBOXES ",[\"Email/changes\",{\"newState\":\"e9\","
	    "\"hasMoreChanges\":true,\"created\":[\"1\",\"2\",\"3\",\"4\"]},"
	    "\"ch\"],[\"Email/get\",{\"state\":\"e9\",\"list\":["
	    "{\"id\":\"1\",\"from\":[{\"name\":\"Bob\",\"email\":\"b@x\"}],"
	    "\"subject\":\"later\",\"receivedAt\":\"2026-01-02T00:00:00Z\","
	    "\"mailboxIds\":{\"A\":true},\"keywords\":{}},"
	    "{\"id\":\"2\",\"subject\":\"read\",\"mailboxIds\":{\"A\":true},"
	    "\"keywords\":{\"$seen\":true}},"
	    "{\"id\":\"3\",\"subject\":\"elsewhere\",\"mailboxIds\":{\"B\":true}},"
	    "{\"id\":\"4\",\"from\":[{\"email\":\"a@x\"}],\"subject\":\"first\","
	    "\"receivedAt\":\"2026-01-01T00:00:00Z\",\"mailboxIds\":{\"A\":true}}"
	    "]},\"get\"]]", &mbx, &res);
	ck_assert_int_eq(res.status, NEWMAIL_OK);
	ck_assert_str_eq(res.state, "e9");
	ck_assert(res.more);
	ck_assert_uint_eq(res.nmails, 2);
	ck_assert_str_eq(res.mails[0].id, "4");
	ck_assert_ptr_null(res.mails[0].from_name);
	ck_assert_str_eq(res.mails[1].from_name, "Bob");
	ck_assert(mbx.valid);
	ck_assert_uint_eq(mbx.n, 2);
	newmail_result_clear(&res);

	/* Selected by name too. */
	cfg.mailboxes = (char *[]){ "Lists" };
	parse("[[\"Email/changes\",{\"newState\":\"e10\",\"created\":[\"3\"]},"
	    "\"ch\"],[\"Email/get\",{\"list\":[{\"id\":\"3\",\"mailboxIds\":"
	    "{\"B\":true}}]},\"get\"]]", &mbx, &res);
	ck_assert_int_eq(res.status, NEWMAIL_OK);
	ck_assert_uint_eq(res.nmails, 1);
	newmail_result_clear(&res);
	newmail_mailboxes_clear(&mbx);
}
END_TEST

START_TEST(parse_errors)
{
	struct newmail_mailboxes mbx = { 0 };
	struct newmail_result res;

	parse("[" MAILBOXES ",[\"error\",{\"type\":\"cannotCalculateChanges\"},"
	    "\"ch\"],[\"error\",{\"type\":\"invalidResultReference\"},\"get\"]]",
	    &mbx, &res);
	ck_assert_int_eq(res.status, NEWMAIL_CANNOT_CALCULATE);
	newmail_result_clear(&res);
	parse("[[\"error\",{\"type\":\"serverFail\"},\"ch\"]]", &mbx, &res);
	ck_assert_int_eq(res.status, NEWMAIL_ERROR);
	ck_assert_str_eq(res.error, "error serverFail");
	newmail_result_clear(&res);
	newmail_mailboxes_clear(&mbx);
	/* Without mailboxes nothing can be selected: an error, not silence. */
	parse("[[\"Email/query\",{\"ids\":[]},\"q\"],[\"Email/get\",{\"state\":"
	    "\"e1\",\"list\":[]},\"get\"]]", &mbx, &res);
	ck_assert_int_eq(res.status, NEWMAIL_ERROR);
	newmail_result_clear(&res);
	parse("[1,[\"Email/get\"],{\"a\":2},[\"Email/get\",[],\"get\"]]", &mbx,
	    &res);
	ck_assert_int_eq(res.status, NEWMAIL_ERROR);
	newmail_result_clear(&res);
	newmail_parse(NULL, &cfg, &mbx, &res);
	ck_assert_int_eq(res.status, NEWMAIL_ERROR);
	newmail_result_clear(&res);
}
END_TEST

START_TEST(text_escape)
{
	char *s;

	s = newmail_text("Tom & Jerry <3 \"q\" it's", 100, true);
	ck_assert_str_eq(s, "Tom &amp; Jerry &lt;3 &quot;q&quot; it&apos;s");
	free(s);
	s = newmail_text("a<b", 100, false);
	ck_assert_str_eq(s, "a<b");
	free(s);
	/* Bad UTF-8 becomes U+FFFD, control characters spaces. */
	s = newmail_text("x\xff\xc3(\ty\xc3\xa9", 100, false);
	ck_assert_str_eq(s, "x\xef\xbf\xbd\xef\xbf\xbd( y\xc3\xa9");
	free(s);
	s = newmail_text("\xed\xa0\x80", 100, false);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	/* Cut at the limit with an ellipsis, never inside an entity. */
	s = newmail_text("abcdef&&&", 10, true);
	ck_assert_str_eq(s, "abcdef\xe2\x80\xa6");
	free(s);
	ck_assert_uint_le(strlen(s = newmail_text("&&&&&&&&&&&&&&&&", 12,
	    true)), 12);
	free(s);
}
END_TEST

START_TEST(notes)
{
	struct newmail m[5] = {
		{ "1", "Alice", "alice@example.com", "Hi <there>", NULL },
		{ "2", NULL, "bob@example.com", NULL, NULL },
		{ "3", NULL, NULL, "", NULL },
		{ "4", "Alice", "alice@example.com", "again", NULL },
		{ "5", "Carol", "c@example.com", "x", NULL },
	};
	struct newmail_note *n;
	size_t count;

	count = newmail_notes(m, 3, 3, &n);
	ck_assert_uint_eq(count, 3);
	ck_assert_str_eq(n[0].summary, "Alice <alice@example.com>");
	ck_assert_str_eq(n[0].body, "Hi &lt;there&gt;");
	ck_assert_str_eq(n[1].summary, "bob@example.com");
	ck_assert_str_eq(n[1].body, "(no subject)");
	ck_assert_str_eq(n[2].summary, "(unknown sender)");
	ck_assert_str_eq(n[2].body, "(no subject)");
	newmail_notes_free(n, count);

	count = newmail_notes(m, 5, 3, &n);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(n[0].summary, "5 new messages");
	ck_assert_str_eq(n[0].body, "From Carol, Alice, (unknown sender) and "
	    "1 other");
	newmail_notes_free(n, count);

	count = newmail_notes(m, 4, 1, &n);
	ck_assert_str_eq(n[0].body, "From Alice, (unknown sender) and "
	    "bob@example.com");
	newmail_notes_free(n, count);
	ck_assert_uint_eq(newmail_notes(m, 0, 3, &n), 0);
}
END_TEST

START_TEST(notify_args)
{
	struct newmail_notify_args a;
	char date[32];

	newmail_notify_args(&cfg, &a);
	ck_assert_str_eq(a.app_name, "jmap-pushd");
	ck_assert_str_eq(a.category, "email.arrived");
	ck_assert_str_eq(a.desktop_entry, "jmap-pushd");
	ck_assert_uint_eq(a.urgency, 1);
	ck_assert_int_eq(a.expire_timeout, -1);
	cfg.urgency = URGENCY_CRITICAL;
	cfg.timeout_ms = 8000;
	newmail_notify_args(&cfg, &a);
	ck_assert_uint_eq(a.urgency, 2);
	ck_assert_int_eq(a.expire_timeout, 8000);
	cfg.urgency = URGENCY_LOW;
	newmail_notify_args(&cfg, &a);
	ck_assert_uint_eq(a.urgency, 0);
	newmail_utcdate(1795644000, date, sizeof(date));
	ck_assert_str_eq(date, "2026-11-25T22:00:00Z");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("newmail");
	TCase *tc = tcase_create("newmail");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, request_changes);
	tcase_add_test(tc, request_query);
	tcase_add_test(tc, parse_new_only);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, text_escape);
	tcase_add_test(tc, notes);
	tcase_add_test(tc, notify_args);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
