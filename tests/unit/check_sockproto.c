/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "output/outputs.h"
#include "output/sockproto.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
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

	line = "{\"cmd\":\"mute\",\"seconds\":3600}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_int_eq(c.kind, SOCKCMD_MUTE);
	ck_assert_uint_eq(c.seconds, 3600);
	sockcmd_clear(&c);
	/* No seconds, or null: until unmuted. */
	line = "{\"cmd\":\"mute\"}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_int_eq(c.kind, SOCKCMD_MUTE);
	ck_assert_uint_eq(c.seconds, 0);
	sockcmd_clear(&c);
	line = "{\"cmd\":\"mute\",\"seconds\":null}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_uint_eq(c.seconds, 0);
	sockcmd_clear(&c);
	line = "{\"cmd\":\"unmute\"}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_int_eq(c.kind, SOCKCMD_UNMUTE);
	sockcmd_clear(&c);
}
END_TEST

START_TEST(test_mute)
{
	char *line;

	line = sockproto_mute(true, 0);
	ck_assert_str_eq(line, "{\"event\":\"mute\",\"muted\":true,"
	    "\"mutedUntil\":null}\n");
	free(line);
	line = sockproto_mute(true, 1796300000);
	ck_assert_str_eq(line, "{\"event\":\"mute\",\"muted\":true,"
	    "\"mutedUntil\":1796300000}\n");
	free(line);
	/* Not muted: no end, whatever until says. */
	line = sockproto_mute(false, 1796300000);
	ck_assert_str_eq(line, "{\"event\":\"mute\",\"muted\":false,"
	    "\"mutedUntil\":null}\n");
	free(line);
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
	    "status, subscribe, reconnect, reload, mute, unmute or "
	    "test-notify\",\"cmd\":\"x\"}\n");
	/* A reply quoting invalid UTF-8 stays valid JSON. */
	parse_fails("{\"cmd\":\"x\xff\xc3\"}", "{\"error\":\"unknown command: "
	    "use status, subscribe, reconnect, reload, mute, unmute or "
	    "test-notify\",\"cmd\":\"x"
	    "\xef\xbf\xbd\xef\xbf\xbd\"}\n");
	parse_fails("{\"cmd\":\"mute\",\"seconds\":-1}", "{\"error\":"
	    "\"\\\"seconds\\\" must be a whole number of seconds, 0 or "
	    "absent for until unmuted\",\"cmd\":\"mute\"}\n");
	parse_fails("{\"cmd\":\"mute\",\"seconds\":\"1h\"}", "{\"error\":"
	    "\"\\\"seconds\\\" must be a whole number of seconds, 0 or "
	    "absent for until unmuted\",\"cmd\":\"mute\"}\n");
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

/* Inbox (inbox, 3/10), Work (1/4), Work/Lists (0/2): the cache after a
 * round. */
static void
mail_cache(struct mailbox_cache *c)
{
	static const char *boxes[] = {
		"{\"id\":\"m1\",\"name\":\"Inbox\",\"parentId\":null,"
		"\"role\":\"inbox\",\"totalEmails\":10,\"unreadEmails\":3}",
		"{\"id\":\"m2\",\"name\":\"Work\",\"parentId\":null,"
		"\"role\":null,\"totalEmails\":4,\"unreadEmails\":1}",
		"{\"id\":\"m3\",\"name\":\"Lists\",\"parentId\":\"m2\","
		"\"role\":null,\"totalEmails\":2,\"unreadEmails\":0}",
	};

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < 3; i++) {
		struct json_object *o = json_tokener_parse(boxes[i]);

		ck_assert(mailbox_update(c, o));
		json_object_put(o);
	}
	mailbox_cache_paths(c);
}

static struct mailmatch *
match(const char *spec)
{
	enum mailmatch_error e;
	struct mailmatch *mm;
	char err[128];

	ck_assert_int_eq(mailmatch_parse(spec, &mm, &e, err, sizeof(err)), 0);
	return mm;
}

/* A round: a new email in Inbox and one in Work/Lists, Work's counts
 * changed (read), Inbox's too. */
static void
mail_round(struct mailresult *r)
{
	static char *in_ids[] = { "m1" }, *li_ids[] = { "m3" };
	static struct mailresult_addr from = { "Ann \"A\" <x>", "ann@x.org" };
	static struct mailresult_box boxes[] = {
		{ "m1", "Inbox", "inbox", 3, 10, MAILMATCH_NEW, 1, 0, true },
		{ "m2", "Work", NULL, 1, 4, MAILMATCH_CHANGED, 0, 0, true },
		{ "m3", "Work/Lists", NULL, 0, 2, MAILMATCH_NEW, 1, 0, false },
	};
	static struct mailresult_new news[] = {
		{ "e1", "Inbox", in_ids, 1, &from, 1, "Hi\n$(x)", "2026-12-03"
		    "T10:00:00Z", "a@b", "t1", "pre" },
		{ "e2", "Work/Lists", li_ids, 1, NULL, 0, NULL, NULL, NULL,
		    "t2", NULL },
	};

	memset(r, 0, sizeof(*r));
	r->boxes = boxes;
	r->nboxes = 3;
	r->news = news;
	r->nnews = 2;
	r->new_count = 2;
}

/* Three new emails in Inbox with 30,000-byte subjects. */
static void
news_long(struct mailresult *r, char *subject)
{
	static char *ids[] = { "m1" };
	static struct mailresult_new news[3];
	static char *names[] = { "e1", "e2", "e3" };

	memset(subject, 'x', 30000);
	subject[30000] = '\0';
	for (size_t i = 0; i < 3; i++)
		news[i] = (struct mailresult_new){ names[i], "Inbox", ids, 1,
		    NULL, 0, subject, NULL, NULL, NULL, NULL };
	r->news = news;
	r->nnews = 3;
	r->new_count = 3;
}

START_TEST(test_mail_events)
{
	struct mailbox_cache c;
	struct mailmatch *inbox = match("inbox"), *work = match("Work/*");
	struct json_object *arr;
	struct mailresult r;
	char *s, *big = xmalloc(30001);

	mail_cache(&c);
	mail_round(&r);
	s = sockproto_mailbox("personal", "u1", &r, &c, NULL);
	ck_assert_str_eq(s, "{\"event\":\"mailbox\",\"account\":"
	    "\"personal\",\"accountId\":\"u1\",\"mailboxes\":[{\"id\":"
	    "\"m1\",\"path\":\"Inbox\",\"role\":\"inbox\",\"unread\":3,"
	    "\"total\":10},{\"id\":\"m2\",\"path\":\"Work\",\"role\":"
	    "null,\"unread\":1,\"total\":4}]}\n");
	free(s);
	/* Work/Lists had an event, but its counts did not change. */
	ck_assert_ptr_null(sockproto_mailbox("personal", "u1", &r, &c, work));
	/* A mailbox created, renamed or destroyed: the whole list. */
	r.list_changed = true;
	s = sockproto_mailbox("personal", "u1", &r, &c, work);
	ck_assert_str_eq(s, "{\"event\":\"mailbox\",\"account\":"
	    "\"personal\",\"accountId\":\"u1\",\"mailboxes\":[{\"id\":"
	    "\"m3\",\"path\":\"Work/Lists\",\"role\":null,\"unread\":0,"
	    "\"total\":2}],\"complete\":true}\n");
	free(s);
	r.list_changed = false;

	s = sockproto_mail("personal", "u1", &r, &c, inbox);
	ck_assert_str_eq(s, "{\"event\":\"mail\",\"account\":"
	    "\"personal\",\"accountId\":\"u1\",\"new\":[{\"id\":\"e1\","
	    "\"mailbox\":\"Inbox\",\"from\":[{\"name\":\"Ann \\\"A\\\" "
	    "<x>\",\"email\":\"ann@x.org\"}],\"subject\":\"Hi\\n$(x)\","
	    "\"receivedAt\":\"2026-12-03T10:00:00Z\",\"messageId\":\"a@b\","
	    "\"threadId\":\"t1\",\"preview\":\"pre\"}],"
	    "\"newTruncated\":0}\n");
	free(s);
	s = sockproto_mail("personal", "u1", &r, &c, NULL);
	ck_assert_ptr_nonnull(strstr(s, "\"new\":[{\"id\":\"e1\""));
	ck_assert_ptr_nonnull(strstr(s, "},{\"id\":\"e2\",\"mailbox\":"
	    "\"Work/Lists\",\"from\":[],\"subject\":null,"));
	free(s);
	/* Long subjects: the entries stop before 64 KiB of JSON. */
	news_long(&r, big);
	s = sockproto_mail("personal", "u1", &r, &c, NULL);
	ck_assert_uint_lt(strlen(s), 64 * 1024);
	ck_assert_ptr_nonnull(strstr(s, "\"newTruncated\":1}\n"));
	ck_assert_ptr_nonnull(strstr(s, "{\"id\":\"e2\""));
	ck_assert_ptr_null(strstr(s, "{\"id\":\"e3\""));
	free(s);
	mail_round(&r);
	/* Nothing new in Work itself. */
	mailmatch_free(work);
	work = match("Work");
	ck_assert_ptr_null(sockproto_mail("personal", "u1", &r, &c, work));

	arr = json_object_new_array();
	sockproto_mailboxes_add(arr, "u1", &c, NULL);
	sockproto_mailboxes_add(arr, "u2", &c, inbox);
	ck_assert_str_eq(json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN), "[{\"accountId\":\"u1\",\"id\":\"m1\","
	    "\"path\":\"Inbox\",\"role\":\"inbox\",\"unread\":3,"
	    "\"total\":10},{\"accountId\":\"u1\",\"id\":\"m2\",\"path\":"
	    "\"Work\",\"role\":null,\"unread\":1,\"total\":4},"
	    "{\"accountId\":\"u1\",\"id\":\"m3\",\"path\":\"Work\\/Lists\","
	    "\"role\":null,\"unread\":0,\"total\":2},{\"accountId\":\"u2\","
	    "\"id\":\"m1\",\"path\":\"Inbox\",\"role\":\"inbox\","
	    "\"unread\":3,\"total\":10}]");
	json_object_put(arr);
	mailmatch_free(inbox);
	mailmatch_free(work);
	mailbox_cache_clear(&c);
	free(big);
}
END_TEST

START_TEST(test_mail_subscribe)
{
	const char *line = "{\"cmd\":\"subscribe\",\"events\":[\"mail\","
	    "\"mailbox\"],\"mailboxes\":[\"inbox\",\" Work/* \"]}";
	struct sockproto_sub sub;
	struct sockcmd c;
	char *reply;

	sockproto_sub_all(&sub);
	/* Mail events only for those who ask. */
	ck_assert(!sockproto_sub_wants(&sub, SOCKPROTO_EV_MAIL, "a", NULL));
	ck_assert(!sockproto_sub_wants(&sub, SOCKPROTO_EV_MAILBOX, "a", NULL));
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_uint_eq(c.events, SOCKPROTO_EV_MAIL | SOCKPROTO_EV_MAILBOX);
	ck_assert_uint_eq(c.mailboxes->n, 2);
	sockproto_sub_set(&sub, &c);
	sockcmd_clear(&c);
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_MAIL, "a", NULL));
	ck_assert(sockproto_sub_wants(&sub, SOCKPROTO_EV_MAILBOX, "a", NULL));
	ck_assert(!sockproto_sub_wants(&sub, SOCKPROTO_EV_STATE, "a", NULL));
	ck_assert(mailmatch_mailbox(sub.mailboxes, "Work/x", NULL));
	ck_assert(!mailmatch_mailbox(sub.mailboxes, "Work", NULL));
	ck_assert(mailmatch_mailbox(sub.mailboxes, "Posteingang", "inbox"));
	ck_assert(sockproto_sub_mail_of(&sub, "work"));
	sockproto_sub_clear(&sub);
	ck_assert(!sockproto_sub_mail_of(&sub, "work"));
	line = "{\"cmd\":\"subscribe\",\"events\":[\"mail\"],\"accounts\":"
	    "[\"home\"]}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	sockproto_sub_set(&sub, &c);
	sockcmd_clear(&c);
	ck_assert(sockproto_sub_mail_of(&sub, "home"));
	ck_assert(!sockproto_sub_mail_of(&sub, "work"));
	sockproto_sub_clear(&sub);

	line = "{\"cmd\":\"status\",\"mailboxes\":[\"inbox\"]}";
	ck_assert_int_eq(sockcmd_parse(line, strlen(line), &c, &reply), 0);
	ck_assert_uint_eq(c.mailboxes->n, 1);
	sockcmd_clear(&c);

	parse_fails("{\"cmd\":\"subscribe\",\"events\":[\"mails\"]}",
	    "{\"error\":\"unknown event in \\\"events\\\": use "
	    "\\\"state\\\", \\\"connection\\\", \\\"mailbox\\\", "
	    "\\\"mail\\\" and \\\"mute\\\"\",\"cmd\":\"subscribe\"}\n");
	parse_fails("{\"cmd\":\"subscribe\",\"mailboxes\":\"inbox\"}",
	    "{\"error\":\"\\\"mailboxes\\\" must be an array of roles "
	    "(e.g. \\\"inbox\\\") and mailbox paths (e.g. \\\"Work/*\\\")\","
	    "\"cmd\":\"subscribe\"}\n");
	parse_fails("{\"cmd\":\"status\",\"mailboxes\":[\" \"]}",
	    "{\"error\":\"\\\"mailboxes\\\" must be an array of roles "
	    "(e.g. \\\"inbox\\\") and mailbox paths (e.g. \\\"Work/*\\\"), "
	    "none empty and none with a comma\",\"cmd\":\"status\"}\n");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sockproto");
	TCase *tc = tcase_create("sockproto");

	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_mute);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_subscriptions);
	tcase_add_test(tc, test_mail_events);
	tcase_add_test(tc, test_mail_subscribe);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
