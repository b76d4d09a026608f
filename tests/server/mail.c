/* SPDX-License-Identifier: ISC */
/*
 * A small mail model for desktop notifications: two mailboxes (an inbox
 * with role "inbox" and an archive), the mails /control/deliver creates,
 * and the methods that read them: Mailbox/get, Email/changes, Email/get
 * (with properties and #ids back-references) and Email/query.  Mail ids
 * are "M1", "M2", ...; a mail was created at the Email state its delivery
 * made.  /control/mail sets what the next delivered mail looks like, or
 * forgets the Email history (then Email/changes from an older state answers
 * cannotCalculateChanges).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xmalloc.h"

#include "testserver.h"

struct ts_mail {
	char		 id[16];
	size_t		 account;
	unsigned long	 created;	/* Email counter after the delivery */
	char		*from_name;
	char		*from_email;
	char		*subject;
	bool		 seen;
	int		 mailbox;	/* index into mailboxes */
	char		 received[32];
};

static const struct {
	const char	*id;
	const char	*name;
	const char	*role;
} mailboxes[] = {
	{ "mb-inbox", "Inbox", "inbox" },
	{ "mb-archive", "Archive", "archive" },
};
#define NMAILBOXES	(sizeof(mailboxes) / sizeof(mailboxes[0]))

static struct ts_mail	*mails;
static size_t		 nmails;
/* The next delivery's looks; NULL fields take the defaults. */
static struct {
	char	*from_name;
	char	*from_email;
	char	*subject;
	bool	 seen;
	int	 mailbox;
} next_mail;
/* Email/changes from a state below this is cannotCalculateChanges. */
static unsigned long	 forgotten;

void
mail_deliver(struct ts_server *s, size_t account)
{
	struct ts_mail	*m;
	struct tm	 tm;
	time_t		 now = time(NULL);

	mails = xreallocarray(mails, nmails + 1, sizeof(*mails));
	m = &mails[nmails++];
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "M%zu", nmails);
	m->account = account;
	m->created = s->state.accounts[account].counter[TS_EMAIL];
	if (next_mail.from_name != NULL)
		m->from_name = next_mail.from_name;
	else
		xasprintf(&m->from_name, "Sender %zu", nmails);
	if (next_mail.from_email != NULL)
		m->from_email = next_mail.from_email;
	else
		xasprintf(&m->from_email, "sender%zu@example.com", nmails);
	if (next_mail.subject != NULL)
		m->subject = next_mail.subject;
	else
		xasprintf(&m->subject, "Message %zu", nmails);
	m->seen = next_mail.seen;
	m->mailbox = next_mail.mailbox;
	gmtime_r(&now, &tm);
	strftime(m->received, sizeof(m->received), "%Y-%m-%dT%H:%M:%SZ", &tm);
	memset(&next_mail, 0, sizeof(next_mail));
	ts_info("mail: %s to %s in %s from %s <%s>%s", m->id,
	    s->state.accounts[account].id, mailboxes[m->mailbox].id,
	    m->from_name, m->from_email, m->seen ? ", seen" : "");
}

static void
mail_set(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? xstrdup(v) : NULL;
}

/* GET /control/mail?name=&email=&subject=&seen=1&mailbox=archive, or
 * ?forget=1. */
int
mail_control(struct ts_server *s, struct lws *wsi)
{
	char		 buf[512];
	const char	*v;
	struct json_object *o;

	if (lws_get_urlarg_by_name(wsi, "forget=", buf, sizeof(buf)) != NULL) {
		forgotten = 0;
		for (size_t i = 0; i < s->state.naccounts; i++)
			if (s->state.accounts[i].counter[TS_EMAIL] + 1 >
			    forgotten)
				forgotten =
				    s->state.accounts[i].counter[TS_EMAIL] + 1;
		ts_info("mail: Email history forgotten below e%lu", forgotten);
	}
	if ((v = lws_get_urlarg_by_name(wsi, "name=", buf, sizeof(buf))) !=
	    NULL)
		mail_set(&next_mail.from_name, v);
	if ((v = lws_get_urlarg_by_name(wsi, "email=", buf, sizeof(buf))) !=
	    NULL)
		mail_set(&next_mail.from_email, v);
	if ((v = lws_get_urlarg_by_name(wsi, "subject=", buf, sizeof(buf))) !=
	    NULL)
		mail_set(&next_mail.subject, v);
	if ((v = lws_get_urlarg_by_name(wsi, "seen=", buf, sizeof(buf))) !=
	    NULL)
		next_mail.seen = strcmp(v, "1") == 0;
	if ((v = lws_get_urlarg_by_name(wsi, "mailbox=", buf, sizeof(buf))) !=
	    NULL) {
		size_t i;

		for (i = 0; i < NMAILBOXES; i++)
			if (strcmp(v, mailboxes[i].role) == 0)
				break;
		if (i == NMAILBOXES)
			return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
			    "mailbox: use inbox or archive");
		next_mail.mailbox = (int)i;
	}
	o = json_object_new_object();
	json_object_object_add(o, "mails",
	    json_object_new_int64((int64_t)nmails));
	return http_send_json(wsi, HTTP_STATUS_OK, o);
}

static struct json_object *
mail_error(const char *type, const char *call_id)
{
	struct json_object *resp = json_object_new_array();
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "type", json_object_new_string(type));
	json_object_array_add(resp, json_object_new_string("error"));
	json_object_array_add(resp, args);
	json_object_array_add(resp, json_object_new_string(call_id));
	return resp;
}

static struct json_object *
mail_response(const char *name, struct json_object *out, const char *call_id)
{
	struct json_object *resp = json_object_new_array();

	json_object_array_add(resp, json_object_new_string(name));
	json_object_array_add(resp, out);
	json_object_array_add(resp, json_object_new_string(call_id));
	return resp;
}

/* RFC 8620 3.7: #name {resultOf, name, path} against the earlier
 * responses; the path is a JSON pointer of object keys.  NULL: invalid. */
static struct json_object *
mail_resolve(struct json_object *ref, struct json_object *responses)
{
	struct json_object	*r, *v = NULL, *of, *nm, *path;
	char			*copy, *tok, *save = NULL;

	if (!json_object_is_type(ref, json_type_object) ||
	    !json_object_object_get_ex(ref, "resultOf", &of) ||
	    !json_object_object_get_ex(ref, "name", &nm) ||
	    !json_object_object_get_ex(ref, "path", &path) ||
	    !json_object_is_type(of, json_type_string) ||
	    !json_object_is_type(nm, json_type_string) ||
	    !json_object_is_type(path, json_type_string))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(responses); i++) {
		r = json_object_array_get_idx(responses, i);
		if (strcmp(json_object_get_string(json_object_array_get_idx(r,
		    2)), json_object_get_string(of)) == 0 &&
		    strcmp(json_object_get_string(json_object_array_get_idx(r,
		    0)), json_object_get_string(nm)) == 0)
			v = json_object_array_get_idx(r, 1);
	}
	copy = xstrdup(json_object_get_string(path));
	for (tok = strtok_r(copy, "/", &save); tok != NULL && v != NULL;
	    tok = strtok_r(NULL, "/", &save))
		if (!json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, tok, &v))
			v = NULL;
	free(copy);
	return v;
}

/* The account of a call, or -1 with *err set. */
static int
mail_account(struct ts_server *s, struct json_object *args, const char **err)
{
	struct json_object	*acct;
	int			 account;

	if (!json_object_object_get_ex(args, "accountId", &acct) ||
	    !json_object_is_type(acct, json_type_string)) {
		*err = "invalidArguments";
		return -1;
	}
	if ((account = state_account_find(&s->state,
	    json_object_get_string(acct))) == -1)
		*err = "accountNotFound";
	return account;
}

static struct json_object *
mail_mailbox_get(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct json_object	*out, *list, *ids = NULL, *nf, *m;
	char			 state[32];

	json_object_object_get_ex(args, "ids", &ids);
	out = json_object_new_object();
	list = json_object_new_array();
	nf = json_object_new_array();
	for (size_t i = 0; i < NMAILBOXES; i++) {
		bool want = ids == NULL;

		for (size_t j = 0; ids != NULL &&
		    j < json_object_array_length(ids); j++)
			want = want || strcmp(json_object_get_string(
			    json_object_array_get_idx(ids, j)),
			    mailboxes[i].id) == 0;
		if (!want)
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "id",
		    json_object_new_string(mailboxes[i].id));
		json_object_object_add(m, "name",
		    json_object_new_string(mailboxes[i].name));
		json_object_object_add(m, "role",
		    json_object_new_string(mailboxes[i].role));
		json_object_array_add(list, m);
	}
	state_string(&s->state, account, TS_MAILBOX, state, sizeof(state));
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "state", json_object_new_string(state));
	json_object_object_add(out, "list", list);
	json_object_object_add(out, "notFound", nf);
	return mail_response("Mailbox/get", out, call_id);
}

static struct json_object *
mail_changes(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct json_object	*since, *out, *created;
	unsigned long		 from, now;
	char			 state[32], *end;
	const char		*v;

	now = s->state.accounts[account].counter[TS_EMAIL];
	if (!json_object_object_get_ex(args, "sinceState", &since) ||
	    !json_object_is_type(since, json_type_string))
		return mail_error("invalidArguments", call_id);
	v = json_object_get_string(since);
	if (v[0] != 'e' || (from = strtoul(v + 1, &end, 10), *end != '\0') ||
	    from > now || from < forgotten) {
		ts_info("mail: Email/changes from %s: cannotCalculateChanges",
		    v);
		return mail_error("cannotCalculateChanges", call_id);
	}
	created = json_object_new_array();
	for (size_t i = 0; i < nmails; i++)
		if (mails[i].account == (size_t)account &&
		    mails[i].created > from)
			json_object_array_add(created,
			    json_object_new_string(mails[i].id));
	state_string(&s->state, account, TS_EMAIL, state, sizeof(state));
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "oldState", json_object_get(since));
	json_object_object_add(out, "newState", json_object_new_string(state));
	json_object_object_add(out, "hasMoreChanges",
	    json_object_new_boolean(0));
	json_object_object_add(out, "created", created);
	json_object_object_add(out, "updated", json_object_new_array());
	json_object_object_add(out, "destroyed", json_object_new_array());
	return mail_response("Email/changes", out, call_id);
}

static bool
mail_wants(struct json_object *props, const char *name)
{
	if (props == NULL)
		return true;
	for (size_t i = 0; i < json_object_array_length(props); i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(props, i)), name) == 0)
			return true;
	return false;
}

static struct json_object *
mail_json(const struct ts_mail *m, struct json_object *props)
{
	struct json_object *o = json_object_new_object(), *from, *addr, *x;

	json_object_object_add(o, "id", json_object_new_string(m->id));
	if (mail_wants(props, "from")) {
		addr = json_object_new_object();
		json_object_object_add(addr, "name",
		    json_object_new_string(m->from_name));
		json_object_object_add(addr, "email",
		    json_object_new_string(m->from_email));
		from = json_object_new_array();
		json_object_array_add(from, addr);
		json_object_object_add(o, "from", from);
	}
	if (mail_wants(props, "subject"))
		json_object_object_add(o, "subject",
		    json_object_new_string(m->subject));
	if (mail_wants(props, "receivedAt"))
		json_object_object_add(o, "receivedAt",
		    json_object_new_string(m->received));
	if (mail_wants(props, "mailboxIds")) {
		x = json_object_new_object();
		json_object_object_add(x, mailboxes[m->mailbox].id,
		    json_object_new_boolean(1));
		json_object_object_add(o, "mailboxIds", x);
	}
	if (mail_wants(props, "keywords")) {
		x = json_object_new_object();
		if (m->seen)
			json_object_object_add(x, "$seen",
			    json_object_new_boolean(1));
		json_object_object_add(o, "keywords", x);
	}
	if (mail_wants(props, "preview"))
		json_object_object_add(o, "preview",
		    json_object_new_string(m->subject));
	return o;
}

static struct json_object *
mail_email_get(struct ts_server *s, int account, struct json_object *args,
    const char *call_id, struct json_object *responses)
{
	struct json_object	*ids = NULL, *ref, *props = NULL, *out, *list;
	struct json_object	*nf;
	char			 state[32];

	if (json_object_object_get_ex(args, "#ids", &ref) &&
	    (ids = mail_resolve(ref, responses)) == NULL)
		return mail_error("invalidResultReference", call_id);
	if (ids == NULL)
		json_object_object_get_ex(args, "ids", &ids);
	if (ids != NULL && !json_object_is_type(ids, json_type_array))
		return mail_error("invalidArguments", call_id);
	json_object_object_get_ex(args, "properties", &props);
	if (props != NULL && !json_object_is_type(props, json_type_array))
		return mail_error("invalidArguments", call_id);
	list = json_object_new_array();
	nf = json_object_new_array();
	for (size_t j = 0; ids == NULL && j < nmails; j++)
		if (mails[j].account == (size_t)account)
			json_object_array_add(list, mail_json(&mails[j], props));
	for (size_t i = 0; ids != NULL && i < json_object_array_length(ids);
	    i++) {
		struct json_object *id = json_object_array_get_idx(ids, i);
		bool found = false;

		for (size_t j = 0; j < nmails && !found; j++)
			if (json_object_is_type(id, json_type_string) &&
			    mails[j].account == (size_t)account &&
			    strcmp(mails[j].id, json_object_get_string(id)) ==
			    0) {
				json_object_array_add(list,
				    mail_json(&mails[j], props));
				found = true;
			}
		if (!found)
			json_object_array_add(nf, json_object_get(id));
	}
	state_string(&s->state, account, TS_EMAIL, state, sizeof(state));
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "state", json_object_new_string(state));
	json_object_object_add(out, "list", list);
	json_object_object_add(out, "notFound", nf);
	return mail_response("Email/get", out, call_id);
}

/* filter {after, inMailbox}; newest first; limit. */
static struct json_object *
mail_query(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct json_object	*filter = NULL, *v, *out, *ids;
	const char		*after = NULL, *inbox = NULL;
	char			 state[32];
	int64_t			 limit = -1;

	if (json_object_object_get_ex(args, "filter", &filter) &&
	    json_object_is_type(filter, json_type_object)) {
		if (json_object_object_get_ex(filter, "after", &v) &&
		    json_object_is_type(v, json_type_string))
			after = json_object_get_string(v);
		if (json_object_object_get_ex(filter, "inMailbox", &v) &&
		    json_object_is_type(v, json_type_string))
			inbox = json_object_get_string(v);
	}
	if (json_object_object_get_ex(args, "limit", &v) &&
	    json_object_is_type(v, json_type_int))
		limit = json_object_get_int64(v);
	ids = json_object_new_array();
	for (size_t i = nmails; i > 0; i--) {
		const struct ts_mail *m = &mails[i - 1];

		if (m->account != (size_t)account ||
		    (after != NULL && strcmp(m->received, after) <= 0) ||
		    (inbox != NULL && strcmp(mailboxes[m->mailbox].id,
		    inbox) != 0))
			continue;
		if (limit >= 0 && (int64_t)json_object_array_length(ids) >=
		    limit)
			break;
		json_object_array_add(ids, json_object_new_string(m->id));
	}
	state_string(&s->state, account, TS_EMAIL, state, sizeof(state));
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "queryState", json_object_new_string(state));
	json_object_object_add(out, "canCalculateChanges",
	    json_object_new_boolean(0));
	json_object_object_add(out, "position", json_object_new_int(0));
	json_object_object_add(out, "ids", ids);
	ts_info("mail: Email/query after %s: %zu id(s)",
	    after != NULL ? after : "(any time)",
	    json_object_array_length(ids));
	return mail_response("Email/query", out, call_id);
}

/* The mail methods, or NULL for api.c to answer. */
struct json_object *
mail_method(struct ts_server *s, const char *name, struct json_object *args,
    const char *call_id, struct json_object *responses)
{
	const char	*err = NULL;
	int		 account;

	if (strcmp(name, "Mailbox/get") != 0 &&
	    strcmp(name, "Email/changes") != 0 &&
	    strcmp(name, "Email/get") != 0 &&
	    strcmp(name, "Email/query") != 0)
		return NULL;
	if ((account = mail_account(s, args, &err)) == -1)
		return mail_error(err, call_id);
	if (strcmp(name, "Mailbox/get") == 0)
		return mail_mailbox_get(s, account, args, call_id);
	if (strcmp(name, "Email/changes") == 0)
		return mail_changes(s, account, args, call_id);
	if (strcmp(name, "Email/get") == 0)
		return mail_email_get(s, account, args, call_id, responses);
	return mail_query(s, account, args, call_id);
}
