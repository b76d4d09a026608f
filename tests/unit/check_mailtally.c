/* SPDX-License-Identifier: ISC */
/* The event rules of the mail view (mailtally.c): every rule of issue 14's
 * "Semantics, settled" that the pure core decides, with exact results. */
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

START_TEST(first_round_is_silent)
{
	struct mailview *v = mailview_new();
	struct mailresult r;
	char err[200];
	bool more;

	ck_assert_int_eq(answer(v, "[[\"Mailbox/get\",{\"state\":\"m5\","
	    "\"list\":[{\"id\":\"I\",\"name\":\"Inbox\",\"role\":\"inbox\","
	    "\"totalEmails\":4,\"unreadEmails\":4}]},\"mga\"],"
	    "[\"Email/get\",{\"state\":\"e5\",\"list\":[]},\"es\"]]", &r, &more,
	    err, sizeof(err)), MAILVIEW_OK);
	ck_assert(!more);
	ck_assert_str_eq(events_of(&r, "I"), "");
	ck_assert(r.boxes[0].props_changed);
	ck_assert(r.list_changed);
	ck_assert_uint_eq(r.new_count, 0);
	ck_assert_uint_eq(r.nnews, 0);
	ck_assert_str_eq(mailview_cache(v)->state, "m5");
	ck_assert_str_eq(mailview_cache(v)->email_state, "e5");
	mailresult_clear(&r);
	mailview_free(v);
}
END_TEST

START_TEST(inbox_delivery_is_new)
{
	struct mailview *v = view();
	struct mailresult r, f;
	struct json_object *j;
	char *env;

	round_ok(v, INBOX_PLUS, "\"created\":[\"m1\"],\"updated\":[],"
	    "\"destroyed\":[]", DELIVERY, "[]", &r);
	ck_assert_uint_eq(r.nboxes, 1);
	ck_assert_str_eq(events_of(&r, "I"), "new");
	ck_assert_int_eq(r.boxes[0].unread, 3);
	ck_assert_int_eq(r.boxes[0].total, 11);
	ck_assert_uint_eq(r.boxes[0].nnew, 1);
	ck_assert_uint_eq(r.new_count, 1);
	ck_assert_uint_eq(r.nnews, 1);
	ck_assert_str_eq(r.news[0].mailbox, "Inbox");
	ck_assert_str_eq(r.news[0].message_id, "m1@x");
	ck_assert(!r.list_changed);
	ck_assert_str_eq(mailview_cache(v)->state, "m2");
	ck_assert_str_eq(mailview_cache(v)->email_state, "e2");

	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Inbox|JMAP_MAILBOX=Inbox|"
	    "JMAP_EVENTS=new|JMAP_NEW_COUNT=1|JMAP_UNREAD=3");
	free(env);
	j = mailresult_json(&f, "u1", 1 << 20);
	ck_assert_str_eq(plain(j), "{\"accountId\":\"u1\",\"mailboxes\":[{"
	    "\"id\":\"I\",\"path\":\"Inbox\",\"role\":\"inbox\",\"unread\":3,"
	    "\"total\":11,\"events\":[\"new\"]}],\"new\":[{\"id\":\"m1\","
	    "\"mailbox\":\"Inbox\",\"from\":[{\"name\":\"Alice\",\"email\":"
	    "\"a@x\"}],\"subject\":\"Hi\",\"receivedAt\":"
	    "\"2026-12-03T10:00:00Z\",\"messageId\":\"m1@x\",\"threadId\":"
	    "\"t1\",\"preview\":\"hello\"}],\"newTruncated\":0}");
	json_object_put(j);
	mailresult_clear(&f);
	/* events = changed: nothing for this hook. */
	filter(&r, v, "inbox", MAILMATCH_CHANGED, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 0);
	mailresult_clear(&f);
	mailresult_clear(&r);
	mailview_free(v);
}
END_TEST

START_TEST(draft_and_sent_are_changed)
{
	struct mailview *v = view();
	struct mailresult r, f;
	char *env;

	/* A draft autosave: in Drafts with $draft (not $seen). */
	round_ok(v, "[{\"id\":\"D\",\"totalEmails\":2,\"unreadEmails\":0}]",
	    "\"created\":[\"d1\"],\"updated\":[],\"destroyed\":[]",
	    "[{\"id\":\"d1\",\"mailboxIds\":{\"D\":true},\"keywords\":"
	    "{\"$draft\":true},\"messageId\":[]}]", "[]", &r);
	ck_assert_str_eq(events_of(&r, "D"), "changed");
	ck_assert_str_eq(events_of(&r, "I"), "-");
	ck_assert_uint_eq(r.new_count, 0);
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 0);
	mailresult_clear(&f);
	filter(&r, v, "drafts", MAILMATCH_ALL_EVENTS, NULL, &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Drafts|JMAP_MAILBOX=Drafts|"
	    "JMAP_EVENTS=changed|JMAP_NEW_COUNT=0|JMAP_UNREAD=0");
	free(env);
	mailresult_clear(&f);
	mailresult_clear(&r);

	/* A Sent append carries $seen. */
	round_ok(v, "[{\"id\":\"S\",\"totalEmails\":6}]",
	    "\"created\":[\"s1\"],\"updated\":[],\"destroyed\":[]",
	    "[{\"id\":\"s1\",\"mailboxIds\":{\"S\":true},\"keywords\":"
	    "{\"$seen\":true}}]", "[]", &r);
	ck_assert_uint_eq(r.nboxes, 1);
	ck_assert_str_eq(events_of(&r, "S"), "changed");
	ck_assert_uint_eq(r.new_count, 0);
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 0);
	mailresult_clear(&f);
	mailresult_clear(&r);
	mailview_free(v);
}
END_TEST

START_TEST(moves_and_flags)
{
	struct mailview *v = view();
	struct mailresult r, f;
	char *env;

	round_ok(v, INBOX_PLUS, "\"created\":[\"m1\"]", DELIVERY, "[]", &r);
	mailresult_clear(&r);

	/* Mark as read: changed in the inbox only. */
	round_ok(v, "[{\"id\":\"I\",\"unreadEmails\":2}]",
	    "\"created\":[],\"updated\":[\"m1\"],\"destroyed\":[]", "[]",
	    "[{\"id\":\"m1\",\"mailboxIds\":{\"I\":true},\"keywords\":"
	    "{\"$seen\":true}}]", &r);
	ck_assert_uint_eq(r.nboxes, 1);
	ck_assert_str_eq(events_of(&r, "I"), "changed");
	filter(&r, v, "inbox", MAILMATCH_NEW, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 0);
	mailresult_clear(&f);
	mailresult_clear(&r);

	/* Archive: changed for both; the counts add nothing. */
	round_ok(v, "[{\"id\":\"I\",\"totalEmails\":10},{\"id\":\"A\","
	    "\"totalEmails\":101}]", "\"created\":[],\"updated\":[\"m1\"]",
	    "[]", "[{\"id\":\"m1\",\"mailboxIds\":{\"A\":true},\"keywords\":"
	    "{\"$seen\":true}}]", &r);
	ck_assert_uint_eq(r.nboxes, 2);
	ck_assert_str_eq(r.boxes[0].path, "Archive");
	ck_assert_str_eq(events_of(&r, "A"), "changed");
	ck_assert_str_eq(events_of(&r, "I"), "changed");
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Inbox|JMAP_MAILBOX=Inbox|"
	    "JMAP_EVENTS=changed|JMAP_NEW_COUNT=0|JMAP_UNREAD=2");
	free(env);
	mailresult_clear(&f);
	mailresult_clear(&r);

	/* Archive to Work/Projects: no concern of an inbox-only hook. */
	round_ok(v, "[{\"id\":\"A\",\"totalEmails\":100},{\"id\":\"P\","
	    "\"totalEmails\":5}]", "\"updated\":[\"m1\"]", "[]",
	    "[{\"id\":\"m1\",\"mailboxIds\":{\"P\":true}}]", &r);
	ck_assert_str_eq(events_of(&r, "A"), "changed");
	ck_assert_str_eq(events_of(&r, "P"), "changed");
	filter(&r, v, "inbox", MAILMATCH_ALL_EVENTS, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 0);
	mailresult_clear(&f);
	filter(&r, v, "Work/*", MAILMATCH_ALL_EVENTS, NULL, &f);
	env = env_text(&f);
	ck_assert_str_eq(env, "JMAP_MAILBOXES=Work/Projects|"
	    "JMAP_MAILBOX=Work/Projects|JMAP_EVENTS=changed|"
	    "JMAP_NEW_COUNT=0|JMAP_UNREAD=0");
	free(env);
	mailresult_clear(&f);
	mailresult_clear(&r);

	/* To Trash: changed for both, never deleted. */
	round_ok(v, "[{\"id\":\"P\",\"totalEmails\":4},{\"id\":\"T\","
	    "\"totalEmails\":1}]", "\"updated\":[\"m1\"]", "[]",
	    "[{\"id\":\"m1\",\"mailboxIds\":{\"T\":true}}]", &r);
	ck_assert_uint_eq(r.nboxes, 2);
	ck_assert_str_eq(events_of(&r, "P"), "changed");
	ck_assert_str_eq(events_of(&r, "T"), "changed");
	mailresult_clear(&r);

	/* Destroyed from Trash: deleted there. */
	round_ok(v, "[{\"id\":\"T\",\"totalEmails\":0}]",
	    "\"destroyed\":[\"m1\"]", "[]", "[]", &r);
	ck_assert_uint_eq(r.nboxes, 1);
	ck_assert_str_eq(events_of(&r, "T"), "deleted");
	filter(&r, v, "trash", MAILMATCH_DELETED, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 1);
	mailresult_clear(&f);
	filter(&r, v, "trash", MAILMATCH_NEW, NULL, &f);
	ck_assert_uint_eq(f.nboxes, 0);
	mailresult_clear(&f);
	mailresult_clear(&r);
	mailview_free(v);
}
END_TEST

/* Emails the view never saw: their old mailboxes come from the counts. */
START_TEST(unknown_emails_use_counts)
{
	struct mailview *v = view();
	struct mailresult r;

	/* Destroyed from the inbox (10 -> 9): deleted. */
	round_ok(v, "[{\"id\":\"I\",\"totalEmails\":9}]",
	    "\"destroyed\":[\"old1\"]", "[]", "[]", &r);
	ck_assert_uint_eq(r.nboxes, 1);
	ck_assert_str_eq(events_of(&r, "I"), "deleted");
	mailresult_clear(&r);

	/* Moved from the inbox to Trash: changed in both, not deleted. */
	round_ok(v, "[{\"id\":\"I\",\"totalEmails\":8},{\"id\":\"T\","
	    "\"totalEmails\":1}]", "\"updated\":[\"old2\"]", "[]",
	    "[{\"id\":\"old2\",\"mailboxIds\":{\"T\":true}}]", &r);
	ck_assert_uint_eq(r.nboxes, 2);
	ck_assert_str_eq(events_of(&r, "I"), "changed");
	ck_assert_str_eq(events_of(&r, "T"), "changed");
	mailresult_clear(&r);

	/* Created ids the get did not return: new where the total grew. */
	round_ok(v, "[{\"id\":\"I\",\"totalEmails\":9}]",
	    "\"created\":[\"x1\",\"x2\",\"x3\"]", "[{\"id\":\"x1\","
	    "\"mailboxIds\":{\"W\":true},\"keywords\":{}}]", "[]", &r);
	ck_assert_str_eq(events_of(&r, "I"), "new");
	ck_assert_str_eq(events_of(&r, "W"), "new");
	ck_assert_uint_eq(mailresult_box(&r, "I")->nnew, 1);
	ck_assert_uint_eq(mailresult_box(&r, "I")->unfetched, 1);
	ck_assert_uint_eq(r.new_count, 2);
	mailresult_clear(&r);
	mailview_free(v);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mailtally");
	TCase *tc = tcase_create("mailtally");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, first_round_is_silent);
	tcase_add_test(tc, inbox_delivery_is_new);
	tcase_add_test(tc, draft_and_sent_are_changed);
	tcase_add_test(tc, moves_and_flags);
	tcase_add_test(tc, unknown_emails_use_counts);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
