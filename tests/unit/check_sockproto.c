/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/outputs.h"
#include "output/sockproto.h"
#include "util/xmalloc.h"
#include "unit.h"

static void
parse_fails(const char *line, const char *want)
{
	struct sockcmd c;
	char *reply;

	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), -1);
	ck_assert_str_eq(reply, want);
	free(reply);
}

START_TEST(test_parse_ok)
{
	const char *line = "{\"cmd\":\"subscribe\",\"accounts\":[\"work\"],"
	    "\"events\":[\"state\"]}\r";
	struct sockcmd c;
	char *reply;

	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_int_eq(c.kind, SOCKCMD_SUBSCRIBE);
	ck_assert_str_eq(c.cmd, "subscribe");
	ck_assert_uint_eq(c.naccounts, 1);
	ck_assert_str_eq(c.accounts[0], "work");
	ck_assert_ptr_null(c.types);
	ck_assert_uint_eq(c.events, SOCKPROTO_EV_STATE);
	sockcmd_clear(&c);

	line = "{\"cmd\":\"reconnect\"}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_int_eq(c.kind, SOCKCMD_RECONNECT);
	ck_assert_ptr_null(c.account);
	sockcmd_clear(&c);
	/* Not NUL-terminated: only len counts. */
	line = "{\"cmd\":\"reload\"}garbage";
	ck_assert_int_eq(sockcmd_parse(line, 16, &c, &reply), 0);
	ck_assert_int_eq(c.kind, SOCKCMD_RELOAD);
	sockcmd_clear(&c);
}
END_TEST

START_TEST(test_parse_errors)
{
	char *big = xcalloc(1, SOCKPROTO_MAX_LINE + 2);
	struct sockcmd c;
	char *reply;

	parse_fails("{\"cmd\":", "{\"error\":\"invalid JSON: send one object "
	    "a line, e.g. {\\\"cmd\\\":\\\"status\\\"}\",\"cmd\":null}\n");
	parse_fails("{\"cmd\":\"x\"}", "{\"error\":\"unknown command: use "
	    "status, subscribe, reconnect or reload\",\"cmd\":\"x\"}\n");
	/* A reply quoting invalid UTF-8 stays valid JSON. */
	parse_fails("{\"cmd\":\"x\xff\xc3\"}", "{\"error\":\"unknown command: "
	    "use status, subscribe, reconnect or reload\",\"cmd\":\"x"
	    "\xef\xbf\xbd\xef\xbf\xbd\"}\n");
	parse_fails("{\"cmd\":5}", "{\"error\":\"missing \\\"cmd\\\": send "
	    "e.g. {\\\"cmd\\\":\\\"status\\\"}\",\"cmd\":null}\n");
	parse_fails("{\"cmd\":\"subscribe\",\"types\":[\"Email\",3]}",
	    "{\"error\":\"\\\"types\\\" must be an array of type names\","
	    "\"cmd\":\"subscribe\"}\n");
	parse_fails("{\"cmd\":\"reconnect\",\"account\":[]}", "{\"error\":"
	    "\"\\\"account\\\" must be an account name\",\"cmd\":"
	    "\"reconnect\"}\n");
	memset(big, ' ', SOCKPROTO_MAX_LINE + 1);
	ck_assert_int_eq(sockcmd_parse(big, SOCKPROTO_MAX_LINE + 1, &c,
	    &reply), -1);
	ck_assert_str_eq(reply, "{\"error\":\"line too long: at most 65536 "
	    "bytes\",\"cmd\":null}\n");
	free(reply);
	free(big);
}
END_TEST

START_TEST(test_events)
{
	struct json_object *changed = json_tokener_parse("{\"Email\":\"s/2\"}");
	struct push_event ev = {
		.account = "personal", .account_id = "u1", .changed = changed,
		.push_state = "p9", .reason = "push",
	};
	char *s;

	s = sockproto_state(&ev, 1795644000);
	ck_assert_str_eq(s, "{\"event\":\"state\",\"account\":\"personal\","
	    "\"accountId\":\"u1\",\"changed\":{\"Email\":\"s/2\"},"
	    "\"pushState\":\"p9\",\"reason\":\"push\","
	    "\"time\":\"2026-11-25T22:00:00Z\"}\n");
	free(s);
	ev.push_state = NULL;
	s = sockproto_state(&ev, 0);
	ck_assert_ptr_null(strstr(s, "pushState"));
	free(s);
	s = sockproto_connection("personal", "backoff", 12.46, true,
	    "connection refused");
	ck_assert_str_eq(s, "{\"event\":\"connection\",\"account\":"
	    "\"personal\",\"status\":\"backoff\",\"retryIn\":12.5,\"error\":"
	    "\"connection refused\"}\n");
	free(s);
	s = sockproto_connection("personal", "connected", 0, false, NULL);
	ck_assert_str_eq(s, "{\"event\":\"connection\",\"account\":"
	    "\"personal\",\"status\":\"connected\"}\n");
	free(s);
	s = sockproto_overflow(7);
	ck_assert_str_eq(s, "{\"event\":\"overflow\",\"dropped\":7}\n");
	free(s);
	s = sockproto_ok("reload");
	ck_assert_str_eq(s, "{\"reply\":\"reload\",\"ok\":true}\n");
	free(s);
	json_object_put(changed);
}
END_TEST

START_TEST(test_subscriptions)
{
	struct json_object *email = json_tokener_parse("{\"Email\":\"e\"}");
	struct json_object *mbox = json_tokener_parse("{\"Mailbox\":\"m\"}");
	const char *line = "{\"cmd\":\"subscribe\",\"accounts\":[\"work\"],"
	    "\"types\":[\"Mailbox\"]}";
	struct sockproto_sub sub;
	struct sockcmd c;
	char *reply;

	sockproto_sub_all(&sub);
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "a", email));
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_CONNECTION, "a",
	    NULL));
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	sockproto_sub_set(&sub, &c);
	sockcmd_clear(&c);
	ck_assert(!sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "a", mbox));
	ck_assert(!sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "work",
	    email));
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "work", mbox));
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_CONNECTION, "work",
	    NULL));
	line = "{\"cmd\":\"subscribe\",\"events\":[\"connection\"]}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	sockproto_sub_set(&sub, &c);
	sockcmd_clear(&c);
	ck_assert(!sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "a", mbox));
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_CONNECTION, "a",
	    NULL));
	sockproto_sub_clear(&sub);
	json_object_put(email);
	json_object_put(mbox);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sockproto");
	TCase *tc = tcase_create("sockproto");

	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_subscriptions);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
