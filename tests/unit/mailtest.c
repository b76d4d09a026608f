/* SPDX-License-Identifier: ISC */
/* The mail view test programs' shared cache, rounds and views of a
 * result; see mailtest.h. */
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

const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

struct mailview *
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
enum mailview_status
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
char *
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

enum mailview_status
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
char *
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
const char *
events_of(const struct mailresult *r, const char *id)
{
	static char buf[32];
	struct mailresult_box *b = mailresult_box(r, id);

	if (b == NULL)
		return "-";
	return mailmatch_events_string(b->events, buf, sizeof(buf));
}

/* r filtered by spec/events into out. */
void
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
char *
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
