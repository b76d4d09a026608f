/* SPDX-License-Identifier: ISC */
/* The mail view: the batched request, and every rule of issue 14's
 * "Semantics, settled" that the pure core decides, with exact results;
 * filtering, merging, the hook environment and the stdin object. */
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
#include "unit.h"

/* Inbox 10/2, Drafts, Sent, Archive, Trash, Work and Work/Projects. */
#define CACHE "{\"version\":1,\"mailboxState\":\"m1\",\"emailState\":\"e1\"," \
	"\"mailboxes\":[" \
	"{\"id\":\"I\",\"name\":\"Inbox\",\"role\":\"inbox\"," \
	"\"totalEmails\":10,\"unreadEmails\":2}," \
	"{\"id\":\"D\",\"name\":\"Drafts\",\"role\":\"drafts\"," \
	"\"totalEmails\":1,\"unreadEmails\":0}," \
	"{\"id\":\"S\",\"name\":\"Sent\",\"role\":\"sent\"," \
	"\"totalEmails\":5,\"unreadEmails\":0}," \
	"{\"id\":\"A\",\"name\":\"Archive\",\"role\":\"archive\"," \
	"\"totalEmails\":100,\"unreadEmails\":0}," \
	"{\"id\":\"T\",\"name\":\"Trash\",\"role\":\"trash\"," \
	"\"totalEmails\":0,\"unreadEmails\":0}," \
	"{\"id\":\"W\",\"name\":\"Work\",\"parentId\":null," \
	"\"totalEmails\":3,\"unreadEmails\":1}," \
	"{\"id\":\"P\",\"name\":\"Projects\",\"parentId\":\"W\"," \
	"\"totalEmails\":4,\"unreadEmails\":0}]}"

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static struct mailview *
view(void)
{
	struct mailview *v = mailview_new();
	struct json_object *saved = json_tokener_parse(CACHE);

	ck_assert_ptr_nonnull(saved);
	ck_assert_int_eq(mailview_restore(v, saved), 0);
	json_object_put(saved);
	return v;
}

/* Sends a request (to set what the answer must hold), then parses text. */
static enum mailview_status
answer(struct mailview *v, const char *text, struct mailresult *r,
    bool *more, char *err, size_t errlen)
{
	struct json_object *using, *calls, *resp;
	enum mailview_status st;

	mailview_request(v, "u1", &using, &calls);
	json_object_put(using);
	json_object_put(calls);
	resp = json_tokener_parse(text);
	ck_assert_msg(resp != NULL, "bad test JSON: %s", text);
	st = mailview_parse(v, resp, r, more, err, errlen);
	json_object_put(resp);
	return st;
}

/*
 * A normal round's answer: Mailbox/changes updating the mailboxes of mgu
 * (a list), Email/changes with the members ec ("created":[..],...), and
 * the gets of created (egc) and updated (egu) emails.
 */
static char *
round_text(const char *mgu, const char *ec, const char *egc, const char *egu)
{
	char *s;

	xasprintf(&s, "[[\"Mailbox/changes\",{\"accountId\":\"u1\","
	    "\"oldState\":\"m1\",\"newState\":\"m2\",\"hasMoreChanges\":false,"
	    "\"created\":[],\"updated\":[],\"destroyed\":[],"
	    "\"updatedProperties\":[\"totalEmails\",\"unreadEmails\"]},\"mc\"],"
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"state\":\"m2\",\"list\":"
	    "[],\"notFound\":[]},\"mgc\"],"
	    "[\"Mailbox/get\",{\"accountId\":\"u1\",\"state\":\"m2\",\"list\":"
	    "%s,\"notFound\":[]},\"mgu\"],"
	    "[\"Email/changes\",{\"accountId\":\"u1\",\"oldState\":\"e1\","
	    "\"newState\":\"e2\",\"hasMoreChanges\":false,%s},\"ec\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"state\":\"e2\",\"list\":%s,"
	    "\"notFound\":[]},\"egc\"],"
	    "[\"Email/get\",{\"accountId\":\"u1\",\"state\":\"e2\",\"list\":%s,"
	    "\"notFound\":[]},\"egu\"]]", mgu, ec, egc, egu);
	return s;
}

static enum mailview_status
round_ok(struct mailview *v, const char *mgu, const char *ec,
    const char *egc, const char *egu, struct mailresult *r)
{
	char *text = round_text(mgu, ec, egc, egu), err[200];
	enum mailview_status st;
	bool more;

	st = answer(v, text, r, &more, err, sizeof(err));
	ck_assert_msg(st == MAILVIEW_OK, "status %d: %s", st, err);
	ck_assert(!more);
	free(text);
	return st;
}

/* text (taken) with the first from replaced by to; the caller frees. */
static char *
subst(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from), *s;

	ck_assert_ptr_nonnull(at);
	xasprintf(&s, "%.*s%s%s", (int)(at - text), text, to,
	    at + strlen(from));
	free(text);
	return s;
}

/* The events of box id in r, as text; "-" when r does not list it. */
static const char *
events_of(const struct mailresult *r, const char *id)
{
	static char buf[32];
	struct mailresult_box *b = mailresult_box(r, id);

	if (b == NULL)
		return "-";
	return mailmatch_events_string(b->events, buf, sizeof(buf));
}

/* r filtered by spec/events into out. */
static void
filter(const struct mailresult *r, const struct mailview *v,
    const char *spec, unsigned events, const char *only,
    struct mailresult *out)
{
	struct mailmatch *mm = NULL;
	enum mailmatch_error e;
	char err[200];

	if (spec != NULL)
		ck_assert_int_eq(mailmatch_parse(spec, &mm, &e, err,
		    sizeof(err)), 0);
	mailresult_filter(r, mailview_cache(v), mm, events, only, out);
	mailmatch_free(mm);
}

/* The hook variables of out, joined with '|' for one exact assertion. */
static char *
env_text(const struct mailresult *out)
{
	char **env = mailresult_env(out), *s = xstrdup(""), *t;

	for (size_t i = 0; env[i] != NULL; i++) {
		xasprintf(&t, "%s%s%s", s, i > 0 ? "|" : "", env[i]);
		free(s);
		s = t;
	}
	strv_free(env);
	return s;
}

#define DELIVERY "[{\"id\":\"m1\",\"mailboxIds\":{\"I\":true}," \
	"\"keywords\":{},\"from\":[{\"name\":\"Alice\",\"email\":\"a@x\"}]," \
	"\"subject\":\"Hi\",\"receivedAt\":\"2026-12-03T10:00:00Z\"," \
	"\"messageId\":[\"m1@x\",\"other@x\"],\"threadId\":\"t1\"," \
	"\"preview\":\"hello\"}]"
#define INBOX_PLUS "[{\"id\":\"I\",\"totalEmails\":11,\"unreadEmails\":3}]"

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
	tcase_add_test(tc, first_round_is_silent);
	tcase_add_test(tc, inbox_delivery_is_new);
	tcase_add_test(tc, draft_and_sent_are_changed);
	tcase_add_test(tc, moves_and_flags);
	tcase_add_test(tc, unknown_emails_use_counts);
	tcase_add_test(tc, cannot_calculate_reloads);
	tcase_add_test(tc, ten_thousand_created);
	tcase_add_test(tc, hostile_strings);
	tcase_add_test(tc, filter_merge_per_mailbox);
	tcase_add_test(tc, errors_change_nothing);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
