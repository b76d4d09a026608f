/* SPDX-License-Identifier: ISC */
/* The mail view: the batched request, a round that cannot be calculated,
 * answers that change nothing, many and hostile emails, and filtering,
 * merging and the hook environment of a result; the event rules are in
 * check_mailtally.c. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "session/mailview.h"
#include "util/strv.h"
#include "util/xmalloc.h"
#include "mailtest.h"
#include "unit.h"

START_TEST(request)
{
	struct mailview *v = view(), *empty = mailview_new();
	struct json_object *using, *calls;

	mailview_request(v, "u1", &using, &calls);
	ck_assert_str_eq(plain(using), "[\"urn:ietf:params:jmap:core\","
	    "\"urn:ietf:params:jmap:mail\"]");
	ck_assert_str_eq(plain(calls),
	    "[[\"Mailbox/changes\",{\"accountId\":\"u1\",\"sinceState\":\"m1\"},"
	    "\"mc\"],"
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":"
	    "\"mc\",\"name\":\"Mailbox/changes\",\"path\":\"/created\"},"
	    "\"properties\":[\"id\",\"name\",\"parentId\",\"role\","
	    "\"totalEmails\",\"unreadEmails\"]},\"mgc\"],"
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":"
	    "\"mc\",\"name\":\"Mailbox/changes\",\"path\":\"/updated\"},"
	    "\"#properties\":{\"resultOf\":\"mc\",\"name\":\"Mailbox/changes\","
	    "\"path\":\"/updatedProperties\"}},\"mgu\"],"
	    "[\"Email/changes\",{\"accountId\":\"u1\",\"sinceState\":\"e1\","
	    "\"maxChanges\":256},\"ec\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":\"ec\","
	    "\"name\":\"Email/changes\",\"path\":\"/created\"},\"properties\":"
	    "[\"id\",\"mailboxIds\",\"keywords\",\"from\",\"subject\","
	    "\"receivedAt\",\"messageId\",\"threadId\",\"preview\"]},\"egc\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":\"ec\","
	    "\"name\":\"Email/changes\",\"path\":\"/updated\"},\"properties\":"
	    "[\"id\",\"mailboxIds\",\"keywords\"]},\"egu\"]]");
	json_object_put(using);
	json_object_put(calls);

	/* Nothing cached: every mailbox, and the Email state only. */
	mailview_request(empty, "u1", &using, &calls);
	ck_assert_str_eq(plain(calls),
	    "[[\"Mailbox/get\",{\"accountId\":\"u1\",\"ids\":null,"
	    "\"properties\":[\"id\",\"name\",\"parentId\",\"role\","
	    "\"totalEmails\",\"unreadEmails\"]},\"mga\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"ids\":[]},\"es\"]]");
	json_object_put(using);
	json_object_put(calls);
	mailview_free(v);
	mailview_free(empty);
}
END_TEST

START_TEST(cannot_calculate_reloads)
{
	struct mailview *v = view();
	struct json_object *using, *calls;
	struct mailresult r;
	char err[200];
	bool more;

	ck_assert_int_eq(answer(v, "[[\"Mailbox/changes\",{\"newState\":"
	    "\"m2\",\"updated\":[]},\"mc\"],[\"Mailbox/get\",{\"state\":\"m2\","
	    "\"list\":[]},\"mgc\"],[\"Mailbox/get\",{\"state\":\"m2\",\"list\":"
	    "[]},\"mgu\"],[\"error\",{\"type\":\"cannotCalculateChanges\"},"
	    "\"ec\"],[\"error\",{\"type\":\"invalidResultReference\"},\"egc\"],"
	    "[\"error\",{\"type\":\"invalidResultReference\"},\"egu\"]]", &r,
	    &more, err, sizeof(err)), MAILVIEW_RELOAD);
	ck_assert(more);
	ck_assert_str_eq(err, "Email/changes: cannotCalculateChanges; "
	    "reloading");
	ck_assert_uint_eq(r.nboxes, 0);
	mailview_request(v, "u1", &using, &calls);
	ck_assert_str_eq(plain(calls),
	    "[[\"Mailbox/get\",{\"accountId\":\"u1\",\"ids\":null,"
	    "\"properties\":[\"id\",\"name\",\"parentId\",\"role\","
	    "\"totalEmails\",\"unreadEmails\"]},\"mga\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"ids\":[]},\"es\"]]");
	json_object_put(using);
	json_object_put(calls);

	/* 5000 mails arrived meanwhile, Work was renamed: counts, no new. */
	ck_assert_int_eq(answer(v, "[[\"Mailbox/get\",{\"state\":\"m9\","
	    "\"list\":["
	    "{\"id\":\"I\",\"name\":\"Inbox\",\"role\":\"inbox\","
	    "\"totalEmails\":5010,\"unreadEmails\":4000},"
	    "{\"id\":\"D\",\"name\":\"Drafts\",\"role\":\"drafts\","
	    "\"totalEmails\":1,\"unreadEmails\":0},"
	    "{\"id\":\"S\",\"name\":\"Sent\",\"role\":\"sent\","
	    "\"totalEmails\":5,\"unreadEmails\":0},"
	    "{\"id\":\"A\",\"name\":\"Archive\",\"role\":\"archive\","
	    "\"totalEmails\":100,\"unreadEmails\":0},"
	    "{\"id\":\"T\",\"name\":\"Trash\",\"role\":\"trash\","
	    "\"totalEmails\":0,\"unreadEmails\":0},"
	    "{\"id\":\"W\",\"name\":\"Job\",\"parentId\":null,"
	    "\"totalEmails\":3,\"unreadEmails\":1},"
	    "{\"id\":\"P\",\"name\":\"Projects\",\"parentId\":\"W\","
	    "\"totalEmails\":4,\"unreadEmails\":0}]},\"mga\"],"
	    "[\"Email/get\",{\"state\":\"e9\",\"list\":[]},\"es\"]]", &r, &more,
	    err, sizeof(err)), MAILVIEW_OK);
	ck_assert(!more);
	ck_assert_uint_eq(r.nboxes, 2);
	ck_assert_str_eq(events_of(&r, "I"), "changed");
	ck_assert_str_eq(events_of(&r, "W"), "changed");
	/* Only its path changed: the list changed, the mailbox did not. */
	ck_assert_str_eq(events_of(&r, "P"), "-");
	ck_assert_str_eq(mailbox_find(mailview_cache(v), "P")->path,
	    "Job/Projects");
	ck_assert_int_eq(mailresult_box(&r, "I")->unread, 4000);
	ck_assert_uint_eq(r.new_count, 0);
	ck_assert_uint_eq(r.nnews, 0);
	ck_assert(r.list_changed);
	ck_assert_str_eq(mailview_cache(v)->email_state, "e9");
	ck_assert_str_eq(mailview_cache(v)->state, "m9");
	mailresult_clear(&r);

	/* Mailbox history lost: redone whole, Email state kept. */
	ck_assert_int_eq(answer(v, "[[\"error\",{\"type\":"
	    "\"cannotCalculateChanges\"},\"mc\"]]", &r, &more, err,
	    sizeof(err)), MAILVIEW_RELOAD);
	ck_assert(more);
	ck_assert_ptr_null(mailview_cache(v)->state);
	ck_assert_str_eq(mailview_cache(v)->email_state, "e9");
	mailview_free(v);
}
END_TEST

START_TEST(ten_thousand_created)
{
	struct mailview *v = view();
	struct mailresult r, f, m;
	struct json_object *j, *news;
	size_t cap = 10000 * 96 + 64, o, k;
	char *ids = xmalloc(cap), *list = xmalloc(cap), *ec, *env;

	o = (size_t)snprintf(ids, cap, "\"created\":[");
	k = (size_t)snprintf(list, cap, "[");
	for (int i = 0; i < 10000; i++) {
		o += (size_t)snprintf(ids + o, cap - o, "%s\"n%d\"",
		    i > 0 ? "," : "", i);
		k += (size_t)snprintf(list + k, cap - k, "%s{\"id\":\"n%d\","
		    "\"mailboxIds\":{\"I\":true},\"subject\":\"s%d\"}",
		    i > 0 ? "," : "", i, i);
	}
	snprintf(ids + o, cap - o, "]");
	snprintf(list + k, cap - k, "]");
	xasprintf(&ec, "%s", ids);
	round_ok(v, "[{\"id\":\"I\",\"totalEmails\":10010,\"unreadEmails\":"
	    "10002}]", ec, list, "[]", &r);
	ck_assert_uint_eq(r.new_count, 10000);
	ck_assert_uint_eq(mailresult_box(&r, "I")->nnew, 10000);
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	ck_assert_uint_eq(f.nnews, MAILRESULT_NEW_MAX);
	ck_assert_uint_eq(f.new_count, 10000);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Inbox|JMAP_MAILBOX=Inbox|"
	    "JMAP_EVENTS=new|JMAP_NEW_COUNT=10000|JMAP_UNREAD=10002");
	free(env);
	j = mailresult_json(&f, "u1", 1 << 20);
	ck_assert(json_object_object_get_ex(j, "new", &news));
	ck_assert_uint_eq(json_object_array_length(news), 256);
	ck_assert_str_eq(plain(json_object_object_get(j, "newTruncated")),
	    "9744");
	json_object_put(j);
	/* A byte budget cuts entries too, counted the same way. */
	j = mailresult_json(&f, "u1", 1000);
	ck_assert(json_object_object_get_ex(j, "new", &news));
	ck_assert_uint_lt(json_object_array_length(news), 256);
	ck_assert_uint_le(strlen(plain(j)), 1000);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(j,
	    "newTruncated")), 10000 - (int64_t)json_object_array_length(news));
	json_object_put(j);

	/* Merged with itself: counts summed, entries still bounded. */
	memset(&m, 0, sizeof(m));
	mailresult_merge(&m, &f);
	mailresult_merge(&m, &f);
	ck_assert_uint_eq(m.nnews, MAILRESULT_NEW_MAX);
	ck_assert_uint_eq(m.new_count, 20000);
	ck_assert_uint_eq(m.nboxes, 1);
	mailresult_clear(&m);
	mailresult_clear(&f);
	mailresult_clear(&r);
	free(ids);
	free(list);
	free(ec);
	mailview_free(v);
}
END_TEST

START_TEST(hostile_strings)
{
	struct mailview *v = view();
	struct mailresult r, f;
	struct json_object *j;
	char *big = xmalloc(10241), *egc, *env, *want;

	memset(big, 'x', 10240);
	big[10240] = '\0';
	/* Inbox renamed: invalid UTF-8, a newline, shell text, a NUL. */
	xasprintf(&egc, "[{\"id\":\"h1\",\"mailboxIds\":{\"I\":true},"
	    "\"subject\":\"%s\\n$(rm -rf ~)\xff\",\"from\":[{\"name\":"
	    "\"\\ud800E\\u0000ve\",\"email\":\"e@x\"}],\"messageId\":null}]",
	    big);
	round_ok(v, "[{\"id\":\"I\",\"name\":\"In\xc3\x28\\nbox;`id`\","
	    "\"totalEmails\":11,\"unreadEmails\":3}]", "\"created\":[\"h1\"]",
	    egc, "[]", &r);
	ck_assert_str_eq(mailresult_box(&r, "I")->path,
	    "In\xef\xbf\xbd(\nbox;`id`");
	ck_assert_uint_eq(strlen(r.news[0].subject), 10240 + 15);
	ck_assert_str_eq(r.news[0].subject + 10240, "\n$(rm -rf ~)\xef\xbf\xbd");
	ck_assert_str_eq(r.news[0].from[0].name,
	    "\xef\xbf\xbd" "E\xef\xbf\xbdve");
	ck_assert_ptr_null(r.news[0].message_id);
	ck_assert(r.list_changed);
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=In\xef\xbf\xbd(\nbox;`id`|"
	    "JMAP_MAILBOX=In\xef\xbf\xbd(\nbox;`id`|JMAP_EVENTS=new|"
	    "JMAP_NEW_COUNT=1|JMAP_UNREAD=3");
	free(env);
	j = mailresult_json(&f, "u1", 1 << 20);
	xasprintf(&want, "{\"accountId\":\"u1\",\"mailboxes\":[{\"id\":\"I\","
	    "\"path\":\"In\xef\xbf\xbd(\\nbox;`id`\",\"role\":\"inbox\","
	    "\"unread\":3,\"total\":11,\"events\":[\"new\"]}],\"new\":[{"
	    "\"id\":\"h1\",\"mailbox\":\"In\xef\xbf\xbd(\\nbox;`id`\",\"from\":"
	    "[{\"name\":\"\xef\xbf\xbd" "E\xef\xbf\xbdve\",\"email\":\"e@x\"}],"
	    "\"subject\":\"%s\\n$(rm -rf ~)\xef\xbf\xbd\",\"receivedAt\":null,"
	    "\"messageId\":null,\"threadId\":null,\"preview\":null}],"
	    "\"newTruncated\":0}", big);
	ck_assert_str_eq(plain(j), want);
	json_object_put(j);
	mailresult_clear(&f);
	mailresult_clear(&r);
	free(want);
	free(big);
	free(egc);
	mailview_free(v);
}
END_TEST

START_TEST(filter_merge_per_mailbox)
{
	struct mailview *v = view();
	struct mailresult r, f, g, m;
	char *env;

	round_ok(v, "[{\"id\":\"I\",\"totalEmails\":11,\"unreadEmails\":3},"
	    "{\"id\":\"P\",\"totalEmails\":5,\"unreadEmails\":1},"
	    "{\"id\":\"W\",\"totalEmails\":4}]", "\"created\":[\"a\",\"b\","
	    "\"c\"]", "[{\"id\":\"a\",\"mailboxIds\":{\"I\":true}},"
	    "{\"id\":\"b\",\"mailboxIds\":{\"P\":true,\"W\":true}},"
	    "{\"id\":\"c\",\"mailboxIds\":{\"W\":true},\"keywords\":"
	    "{\"$seen\":true}}]", "[]", &r);
	ck_assert_uint_eq(r.new_count, 2);
	ck_assert_str_eq(r.news[0].mailbox, "Inbox");
	ck_assert_str_eq(r.news[1].mailbox, "Work");
	filter(&r, v, "inbox, Work/*, Work", MAILMATCH_ALL_EVENTS, NULL, &f);
	env = env_text(&f);
	/* b counts once though it is new in two matching mailboxes. */
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Inbox\nWork\nWork/Projects|"
	    "JMAP_EVENTS=new changed|JMAP_NEW_COUNT=2|JMAP_UNREAD=5");
	free(env);
	ck_assert_str_eq(f.news[1].mailbox, "Work");
	mailresult_clear(&f);
	filter(&r, v, "Work/*", MAILMATCH_ALL_EVENTS, NULL, &f);
	ck_assert_str_eq(f.news[0].mailbox, "Work/Projects");
	mailresult_clear(&f);
	/* events = changed: W had both; JMAP_EVENTS shows what passes. */
	filter(&r, v, "Work", MAILMATCH_CHANGED, NULL, &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Work|JMAP_MAILBOX=Work|"
	    "JMAP_EVENTS=changed|JMAP_NEW_COUNT=1|JMAP_UNREAD=1");
	free(env);
	mailresult_clear(&f);
	/* per_mailbox: one mailbox's data only. */
	filter(&r, v, "inbox, Work/*, Work", MAILMATCH_ALL_EVENTS, "P", &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Work/Projects|"
	    "JMAP_MAILBOX=Work/Projects|JMAP_EVENTS=new|JMAP_NEW_COUNT=1|"
	    "JMAP_UNREAD=1");
	free(env);
	mailresult_clear(&f);

	/* A debounced batch: the inbox run, then a mark-read. */
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	mailresult_clear(&r);
	round_ok(v, "[{\"id\":\"I\",\"unreadEmails\":2}]",
	    "\"updated\":[\"a\"]", "[]", "[{\"id\":\"a\",\"mailboxIds\":"
	    "{\"I\":true},\"keywords\":{\"$seen\":true}}]", &r);
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &g);
	memset(&m, 0, sizeof(m));
	mailresult_merge(&m, &f);
	mailresult_merge(&m, &g);
	env = env_text(&m);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Inbox|JMAP_MAILBOX=Inbox|"
	    "JMAP_EVENTS=new changed|JMAP_NEW_COUNT=1|JMAP_UNREAD=2");
	free(env);
	ck_assert_int_eq(m.boxes[0].unread, 2);
	ck_assert_uint_eq(m.nnews, 1);
	mailresult_clear(&m);
	mailresult_clear(&f);
	mailresult_clear(&g);
	mailresult_clear(&r);
	mailview_free(v);
}
END_TEST

START_TEST(errors_change_nothing)
{
	struct mailview *v = view();
	struct json_object *resp, *using, *calls;
	struct mailresult r;
	char err[200], *text;
	bool more;

	resp = json_tokener_parse("[]");
	ck_assert_int_eq(mailview_parse(v, resp, &r, &more, err, sizeof(err)),
	    MAILVIEW_MALFORMED);
	ck_assert_str_eq(err, "no request in flight");
	json_object_put(resp);
	ck_assert_int_eq(answer(v, "[[\"error\",{\"type\":\"serverFail\"},"
	    "\"ec\"]]", &r, &more, err, sizeof(err)), MAILVIEW_ERROR);
	ck_assert_str_eq(err, "Email/changes (ec) failed: serverFail");
	ck_assert(!more);
	/* A server's text reaches the log as printable ASCII. */
	ck_assert_int_eq(answer(v, "[[\"error\",{\"type\":\"bad\\n\xc3\xa9\"},"
	    "\"mc\"]]", &r, &more, err, sizeof(err)), MAILVIEW_ERROR);
	ck_assert_str_eq(err, "Mailbox/changes (mc) failed: bad???");
	ck_assert_int_eq(answer(v, "{}", &r, &more, err, sizeof(err)),
	    MAILVIEW_MALFORMED);
	ck_assert_str_eq(err, "no methodResponses array");
	/* The egu answer is missing. */
	text = subst(round_text("[]", "\"created\":[]", "[]", "[]"),
	    ",[\"Email/get\",{\"accountId\":\"u1\",\"state\":\"e2\","
	    "\"list\":[],\"notFound\":[]},\"egu\"]", "");
	ck_assert_int_eq(answer(v, text, &r, &more, err, sizeof(err)),
	    MAILVIEW_MALFORMED);
	ck_assert_str_eq(err, "no Email/get (egu) answer");
	free(text);
	text = round_text("[]", "\"created\":{}", "[]", "[]");
	ck_assert_int_eq(answer(v, text, &r, &more, err, sizeof(err)),
	    MAILVIEW_MALFORMED);
	ck_assert_str_eq(err, "Email/changes answer with created not an "
	    "array");
	free(text);
	ck_assert_str_eq(mailview_cache(v)->state, "m1");
	ck_assert_str_eq(mailview_cache(v)->email_state, "e1");
	ck_assert_int_eq(mailview_cache(v)->v[mailbox_index(mailview_cache(v),
	    "I")].total, 10);

	/* A server that refuses #properties: every property from then on. */
	text = subst(round_text("[]", "\"created\":[]", "[]", "[]"),
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"state\":\"m2\","
	    "\"list\":[],\"notFound\":[]},\"mgu\"]",
	    "[\"error\",{\"type\":\"invalidResultReference\"},\"mgu\"]");
	ck_assert_int_eq(answer(v, text, &r, &more, err, sizeof(err)),
	    MAILVIEW_ERROR);
	ck_assert(more);
	ck_assert_str_eq(err, "Mailbox/get (mgu) failed: "
	    "invalidResultReference; asking again without #properties");
	free(text);
	mailview_request(v, "u1", &using, &calls);
	ck_assert_str_eq(plain(json_object_array_get_idx(calls, 2)),
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"#ids\":{\"resultOf\":"
	    "\"mc\",\"name\":\"Mailbox/changes\",\"path\":\"/updated\"},"
	    "\"properties\":[\"id\",\"name\",\"parentId\",\"role\","
	    "\"totalEmails\",\"unreadEmails\"]},\"mgu\"]");
	json_object_put(using);
	json_object_put(calls);
	ck_assert_str_eq(mailview_cache(v)->state, "m1");

	/* hasMoreChanges asks for another round at once. */
	text = subst(round_text("[]", "\"created\":[]", "[]", "[]"),
	    "\"newState\":\"e2\",\"hasMoreChanges\":false",
	    "\"newState\":\"e2\",\"hasMoreChanges\":true");
	ck_assert_int_eq(answer(v, text, &r, &more, err, sizeof(err)),
	    MAILVIEW_OK);
	ck_assert(more);
	mailresult_clear(&r);
	free(text);
	mailview_free(v);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mailview");
	TCase *tc = tcase_create("mailview");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, request);
	tcase_add_test(tc, cannot_calculate_reloads);
	tcase_add_test(tc, ten_thousand_created);
	tcase_add_test(tc, hostile_strings);
	tcase_add_test(tc, filter_merge_per_mailbox);
	tcase_add_test(tc, errors_change_nothing);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
