/* SPDX-License-Identifier: ISC */
/* `mailboxes =` and `events =`: roles, paths, globs, errors, row by row. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config/mailmatch.h"
#include "unit.h"

static const struct {
	const char	*spec;
	const char	*path;
	const char	*role;
	bool		 match;
} rows[] = {
	{ "inbox", "Inbox", "inbox", true },
	{ "inbox", "INBOX", NULL, false },	/* a role, not a path */
	{ "inbox", "inbox", NULL, false },
	{ "inbox", "Posteingang", "inbox", true },
	{ "inbox", "Weird", "Inbox", true },	/* a server's capital */
	{ "sent, drafts", "Sent Items", "sent", true },
	{ "sent, drafts", "Drafts", "drafts", true },
	{ "sent, drafts", "Inbox", "inbox", false },
	{ "Inbox", "Inbox", "inbox", true },	/* a path */
	{ "Inbox", "inbox", NULL, false },	/* case-sensitive */
	{ "Work/*", "Work", NULL, false },
	{ "Work/*", "Work/a", NULL, true },
	{ "Work/*", "Work/a/b", NULL, true },
	{ "Work/*", "Workshop/a", NULL, false },
	{ "Work*", "Workshop/a", NULL, true },
	{ "Work", "Work", NULL, true },
	{ "Work", "Work/a", NULL, false },
	{ "*/rust", "Lists/rust", NULL, true },
	{ "*/rust", "Lists/rust/old", NULL, false },
	{ "L*s/r*t", "Lists/rust", NULL, true },
	{ "*", "anything/at/all", NULL, true },
	{ "  inbox ,\tWork/* , Lists/rust  ", "Lists/rust", NULL, true },
	{ "  inbox ,\tWork/* , Lists/rust  ", "Work/x", NULL, true },
	{ "  inbox ,\tWork/* , Lists/rust  ", "Lists", NULL, false },
	{ "Lists/rust", "Lists/Rust", NULL, false },
	{ "a b", "a b", NULL, true },		/* inner blanks kept */
	{ "archive", "Archive", "archive", true },
	{ "archive", "archive", NULL, false },
	{ "Archive", "Archive", NULL, true },
	{ "junk, trash", "Spam", "junk", true },
};

START_TEST(match_rows)
{
	struct mailmatch *mm;
	enum mailmatch_error e;
	char err[200];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_msg(mailmatch_parse(rows[i].spec, &mm, &e, err,
		    sizeof(err)) == 0, "row %zu: %s", i, err);
		ck_assert_int_eq(e, MAILMATCH_OK);
		ck_assert_msg(mailmatch_mailbox(mm, rows[i].path,
		    rows[i].role) == rows[i].match, "row %zu: '%s' on '%s'",
		    i, rows[i].spec, rows[i].path);
		mailmatch_free(mm);
	}
}
END_TEST

START_TEST(parse_items)
{
	struct mailmatch *mm;
	enum mailmatch_error e;
	char err[200];

	ck_assert_int_eq(mailmatch_parse(" inbox , Work/* ", &mm, &e, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(mm->n, 2);
	ck_assert_str_eq(mm->items[0], "inbox");
	ck_assert(mm->is_role[0]);
	ck_assert_str_eq(mm->items[1], "Work/*");
	ck_assert(!mm->is_role[1]);
	mailmatch_free(mm);

	ck_assert_int_eq(mailmatch_parse("inbox,,Work", &mm, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, MAILMATCH_EMPTY_ITEM);
	ck_assert_str_eq(err, "empty item in mailboxes 'inbox,,Work'; "
	    "separate mailbox names with single commas");
	ck_assert_int_eq(mailmatch_parse("inbox, ", &mm, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, MAILMATCH_EMPTY_ITEM);
	ck_assert_int_eq(mailmatch_parse(" \t", &mm, &e, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(e, MAILMATCH_EMPTY_LIST);
	ck_assert_str_eq(err, "mailboxes is empty; name a role such as inbox "
	    "or a path such as Work/*");
	ck_assert(mailmatch_is_role("trash"));
	ck_assert(!mailmatch_is_role("Trash"));
	ck_assert(!mailmatch_is_role("subscribed"));
}
END_TEST

START_TEST(glob_rows)
{
	ck_assert(mailmatch_glob("", ""));
	ck_assert(!mailmatch_glob("", "a"));
	ck_assert(mailmatch_glob("**", ""));
	ck_assert(mailmatch_glob("a*b*c", "axxbyyc"));
	ck_assert(!mailmatch_glob("a*b*c", "axxbyy"));
	ck_assert(mailmatch_glob("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaab"));
	ck_assert(!mailmatch_glob("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

START_TEST(events)
{
	enum mailmatch_error e;
	unsigned mask;
	char err[200], buf[32];

	ck_assert_int_eq(mailmatch_events("new changed deleted", &mask, &e,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(mask, MAILMATCH_ALL_EVENTS);
	ck_assert_int_eq(mailmatch_events(" deleted,new ", &mask, &e, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(mask, MAILMATCH_NEW | MAILMATCH_DELETED);
	ck_assert_str_eq(mailmatch_events_string(mask, buf, sizeof(buf)),
	    "new deleted");
	ck_assert_str_eq(mailmatch_events_string(MAILMATCH_ALL_EVENTS, buf,
	    sizeof(buf)), "new changed deleted");
	ck_assert_str_eq(mailmatch_events_string(0, buf, sizeof(buf)), "");
	ck_assert_int_eq(mailmatch_events("new foo", &mask, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, MAILMATCH_UNKNOWN_EVENT);
	ck_assert_str_eq(err, "unknown event 'foo'; use new, changed or "
	    "deleted");
	ck_assert_int_eq(mailmatch_events("New", &mask, &e, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown event 'New'; use new, changed or "
	    "deleted");
	ck_assert_int_eq(mailmatch_events(" , ", &mask, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, MAILMATCH_EMPTY_LIST);
	ck_assert_str_eq(err, "events is empty; use new, changed or deleted");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mailmatch");
	TCase *tc = tcase_create("mailmatch");

	tcase_add_test(tc, match_rows);
	tcase_add_test(tc, parse_items);
	tcase_add_test(tc, glob_rows);
	tcase_add_test(tc, events);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
