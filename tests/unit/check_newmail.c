/* SPDX-License-Identifier: ISC */
/* New mail: which mailboxes [notify] selects (old configs too), which new
 * emails of a round it announces, escaping, bursts and the Notify
 * arguments. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/config.h"
#include "config/mailmatch.h"
#include "output/newmail.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
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

static void
update(struct mailbox_cache *c, const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	ck_assert(mailbox_update(c, o));
	json_object_put(o);
}

/* Inbox (role inbox), Lists, Lists/rust, Work, Work/rust, and INBOX, a
 * mailbox without a role. */
static void
mailboxes(struct mailbox_cache *c)
{
	memset(c, 0, sizeof(*c));
	update(c, "{\"id\":\"A\",\"name\":\"Inbox\",\"role\":\"inbox\"}");
	update(c, "{\"id\":\"L\",\"name\":\"Lists\"}");
	update(c, "{\"id\":\"R\",\"name\":\"rust\",\"parentId\":\"L\"}");
	update(c, "{\"id\":\"W\",\"name\":\"Work\"}");
	update(c, "{\"id\":\"S\",\"name\":\"rust\",\"parentId\":\"W\"}");
	update(c, "{\"id\":\"I\",\"name\":\"INBOX\"}");
	mailbox_cache_paths(c);
}

static enum newmail_match
selects(const char *spec, const struct mailbox_cache *c, const char *id,
    size_t *item)
{
	char			*items[8], *copy = strdup(spec), *save, *t;
	struct config_notify	 nc = { 0 };
	struct mailmatch	*mm;
	enum newmail_match	 r;

	for (t = strtok_r(copy, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save))
		items[nc.nmailboxes++] = t;
	nc.mailboxes = items;
	mm = newmail_mailmatch(&nc);
	*item = 99;
	r = newmail_selects(mm, mailbox_find(c, id), item);
	mailmatch_free(mm);
	free(copy);
	return r;
}

/* mailboxes = as hooks read it, and what [notify] read before: a role in
 * any case, a mailbox's own name at any depth. */
START_TEST(select_old_and_new)
{
	struct mailbox_cache	c;
	size_t			item;

	mailboxes(&c);
	ck_assert_int_eq(selects("inbox", &c, "A", &item), NEWMAIL_YES);
	ck_assert_int_eq(selects("inbox", &c, "I", &item), NEWMAIL_NO);
	ck_assert_int_eq(selects("Inbox", &c, "A", &item), NEWMAIL_YES);
	ck_assert_int_eq(selects("INBOX", &c, "A", &item), NEWMAIL_OLD_ROLE);
	ck_assert_uint_eq(item, 0);
	ck_assert_int_eq(selects("INBOX", &c, "I", &item), NEWMAIL_YES);
	ck_assert_int_eq(selects("Lists/rust", &c, "R", &item), NEWMAIL_YES);
	ck_assert_int_eq(selects("Lists/rust", &c, "S", &item), NEWMAIL_NO);
	ck_assert_int_eq(selects("Work/*", &c, "S", &item), NEWMAIL_YES);
	ck_assert_int_eq(selects("Work/*", &c, "W", &item), NEWMAIL_NO);
	ck_assert_int_eq(selects("*/rust", &c, "R", &item), NEWMAIL_YES);
	ck_assert_int_eq(selects("Work,rust", &c, "S", &item),
	    NEWMAIL_OLD_NAME);
	ck_assert_uint_eq(item, 1);
	ck_assert_int_eq(selects("rust", &c, "L", &item), NEWMAIL_NO);
	ck_assert_int_eq(selects("Sent", &c, "A", &item), NEWMAIL_NO);
	mailbox_cache_clear(&c);
}
END_TEST

static void
news(struct mailresult_new *e, const char *id, const char *box,
    const char *from, const char *received)
{
	memset(e, 0, sizeof(*e));
	e->id = strdup(id);
	e->mailbox = strdup("");
	e->box_ids = calloc(1, sizeof(*e->box_ids));
	e->box_ids[0] = strdup(box);
	e->nbox_ids = 1;
	e->from = calloc(1, sizeof(*e->from));
	e->from[0].name = strdup(from);
	e->nfrom = 1;
	e->subject = strdup(id);
	e->received_at = received != NULL ? strdup(received) : NULL;
}

/* The new emails of selected mailboxes only, oldest first, with the growth
 * the round did not fetch counted. */
START_TEST(collect)
{
	struct mailbox_cache	 c;
	struct mailresult	 r = { 0 };
	struct config_notify	 nc = { 0 };
	struct mailmatch	*mm;
	struct newmail		*v;
	uint64_t		 count;
	enum newmail_match	 old[2] = { NEWMAIL_NO, NEWMAIL_NO };
	size_t			 n;

	mailboxes(&c);
	r.news = calloc(4, sizeof(*r.news));
	news(&r.news[r.nnews++], "1", "A", "Bob", "2026-01-02T00:00:00Z");
	news(&r.news[r.nnews++], "2", "W", "Wendy", "2026-01-01T00:00:00Z");
	news(&r.news[r.nnews++], "3", "S", "Sam", "2026-01-01T00:00:00Z");
	news(&r.news[r.nnews++], "4", "A", "Alice", "2026-01-01T00:00:00Z");
	r.boxes = calloc(2, sizeof(*r.boxes));
	r.boxes[0].id = strdup("A");
	r.boxes[0].unfetched = 5;
	r.boxes[1].id = strdup("W");
	r.boxes[1].unfetched = 7;
	r.nboxes = 2;
	nc.mailboxes = (char *[]){ "inbox", "rust" };
	nc.nmailboxes = 2;
	mm = newmail_mailmatch(&nc);
	n = newmail_collect(&r, &c, mm, &v, &count, old);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0].id, "3");
	ck_assert_str_eq(v[1].id, "4");
	ck_assert_str_eq(v[2].id, "1");
	ck_assert_str_eq(v[1].from_name, "Alice");
	ck_assert_ptr_null(v[1].from_email);
	ck_assert_uint_eq(count, 3 + 5);
	ck_assert_int_eq(old[0], NEWMAIL_NO);
	ck_assert_int_eq(old[1], NEWMAIL_OLD_NAME);
	free(v);
	mailmatch_free(mm);

	/* Nothing selected: nothing, and no array. */
	nc.mailboxes = (char *[]){ "Archive" };
	nc.nmailboxes = 1;
	mm = newmail_mailmatch(&nc);
	ck_assert_uint_eq(newmail_collect(&r, &c, mm, &v, &count, NULL), 0);
	ck_assert_uint_eq(count, 0);
	ck_assert_ptr_null(v);
	mailmatch_free(mm);
	mailresult_clear(&r);
	mailbox_cache_clear(&c);
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

	count = newmail_notes(m, 3, 3, 3, &n);
	ck_assert_uint_eq(count, 3);
	ck_assert_str_eq(n[0].summary, "Alice <alice@example.com>");
	ck_assert_str_eq(n[0].body, "Hi &lt;there&gt;");
	ck_assert_str_eq(n[1].summary, "bob@example.com");
	ck_assert_str_eq(n[1].body, "(no subject)");
	ck_assert_str_eq(n[2].summary, "(unknown sender)");
	ck_assert_str_eq(n[2].body, "(no subject)");
	newmail_notes_free(n, count);

	count = newmail_notes(m, 5, 5, 3, &n);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(n[0].summary, "5 new messages");
	ck_assert_str_eq(n[0].body, "From Carol, Alice, (unknown sender) and "
	    "1 other");
	newmail_notes_free(n, count);

	count = newmail_notes(m, 4, 4, 1, &n);
	ck_assert_str_eq(n[0].body, "From Alice, (unknown sender) and "
	    "bob@example.com");
	newmail_notes_free(n, count);
	/* More than the round fetched: a summary even under the burst
	 * limit, and one without a sender when none is known. */
	count = newmail_notes(m, 1, 2, 3, &n);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(n[0].summary, "2 new messages");
	ck_assert_str_eq(n[0].body, "From Alice and others");
	newmail_notes_free(n, count);
	count = newmail_notes(m, 0, 300, 3, &n);
	ck_assert_str_eq(n[0].summary, "300 new messages");
	ck_assert_str_eq(n[0].body, "");
	newmail_notes_free(n, count);
	ck_assert_uint_eq(newmail_notes(m, 0, 0, 3, &n), 0);
}
END_TEST

START_TEST(notify_args)
{
	struct newmail_notify_args a;

	newmail_notify_args(&cfg, &a);
	ck_assert_str_eq(a.app_name, "jmap-pushd");
	ck_assert_str_eq(a.category, "email.arrived");
	ck_assert_str_eq(a.desktop_entry, "jmap-pushd");
	ck_assert_str_eq(a.sound_name, "message-new-email");
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
}
END_TEST

/* A thread's summary: the name, else the address, and the count; plain
 * text (no entities), control characters as spaces. */
START_TEST(thread_summary)
{
	struct newmail	 m = { .id = "M1", .from_name = "<b>Eve&\n",
	    .from_email = "eve@example.com" };
	char		*s;

	s = newmail_thread_summary(&m, 3);
	ck_assert_str_eq(s, "<b>Eve&  (3)");
	free(s);
	m.from_name = NULL;
	s = newmail_thread_summary(&m, 2);
	ck_assert_str_eq(s, "eve@example.com (2)");
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("newmail");
	TCase *tc = tcase_create("newmail");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, select_old_and_new);
	tcase_add_test(tc, collect);
	tcase_add_test(tc, text_escape);
	tcase_add_test(tc, notes);
	tcase_add_test(tc, notify_args);
	tcase_add_test(tc, thread_summary);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
