/* SPDX-License-Identifier: ISC */
/*
 * The mail control endpoints: /control/mail (how the next /control/deliver
 * mail looks) and /control/mail/{deliver,draft,sent,move,keyword,destroy,
 * mailbox,forget}, each one change to the model, one state bump and one
 * StateChange (tests/server/README.md).  String arguments come URL-encoded
 * (lws ends one at an encoded CR or LF and takes about 4 KiB of request
 * line) or, as `<name>file=PATH`, from a file of up to 1 MiB: hostile
 * values of any size and bytes but NUL.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xmalloc.h"

#include "mail.h"

#define ARG_MAX		4096		/* a URL-encoded argument, decoded */
#define ARG_FILE_MAX	(1024 * 1024)	/* a <name>file= argument */

/* The looks of the next /control/deliver mail; NULL: the defaults. */
static struct {
	char	*from_name;
	char	*from_email;
	char	*subject;
	bool	 seen;
	char	*mailbox;
} next_mail;

/*
 * String argument `name`: given as name=VALUE or namefile=PATH.  Returns
 * 1 with *out (freed by the caller), 0 when absent, -1 after answering 400
 * (*rv what the callback returns).
 */
static int
mailctl_str(struct lws *wsi, const char *name, char **out, int *rv)
{
	char key[64], *buf = xmalloc(ARG_MAX), msg[256];
	const char *v;
	FILE *f;
	size_t len;

	*out = NULL;
	snprintf(key, sizeof(key), "%s=", name);
	if ((v = lws_get_urlarg_by_name(wsi, key, buf, ARG_MAX)) != NULL) {
		*out = xstrdup(v);
		free(buf);
		return 1;
	}
	snprintf(key, sizeof(key), "%sfile=", name);
	if ((v = lws_get_urlarg_by_name(wsi, key, buf, ARG_MAX)) == NULL) {
		free(buf);
		return 0;
	}
	if ((f = fopen(v, "rb")) == NULL) {
		snprintf(msg, sizeof(msg), "%sfile: %s: %s", name, v,
		    strerror(errno));
		free(buf);
		*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
		return -1;
	}
	free(buf);
	*out = xmalloc(ARG_FILE_MAX + 1);
	len = fread(*out, 1, ARG_FILE_MAX + 1, f);
	fclose(f);
	if (len > ARG_FILE_MAX || memchr(*out, '\0', len) != NULL) {
		free(*out);
		*out = NULL;
		snprintf(msg, sizeof(msg), "%sfile: over 1 MiB or holds a NUL "
		    "byte", name);
		*rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
		return -1;
	}
	(*out)[len] = '\0';
	return 1;
}

/* Short argument (an id, a number, a keyword list), or NULL. */
static const char *
mailctl_arg(struct lws *wsi, const char *name, char *buf, size_t size)
{
	char key[64];

	snprintf(key, sizeof(key), "%s=", name);
	return lws_get_urlarg_by_name(wsi, key, buf, (int)size);
}

/* Answers 400 {"error": the message}. */
static int __attribute__((__format__(__printf__, 2, 3)))
mailctl_bad(struct lws *wsi, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST, msg);
}

/* The account= argument (default u1), or -1 after a 400. */
static int
mailctl_account(struct ts_server *s, struct lws *wsi, int *rv)
{
	char buf[64];
	const char *id;
	int account;

	if ((id = mailctl_arg(wsi, "account", buf, sizeof(buf))) == NULL)
		id = s->state.accounts[0].id;
	if ((account = state_account_find(&s->state, id)) == -1)
		*rv = mailctl_bad(wsi, "account: no account \"%s\"", id);
	return account;
}

/* A mailbox argument (id, role or path), or -1 after a 400; def when
 * the argument is absent (-1: required). */
static int
mailctl_mailbox(struct ts_server *s, struct lws *wsi, size_t account,
    const char *name, int def, int *rv)
{
	char *key;
	int b, got;

	if ((got = mailctl_str(wsi, name, &key, rv)) == -1)
		return -1;
	if (got == 0) {
		if (def == -1)
			*rv = mailctl_bad(wsi, "%s: missing", name);
		return def;
	}
	if ((b = mbox_find(&mail_model(s)->accounts[account], key)) == -1)
		*rv = mailctl_bad(wsi, "no mailbox \"%.200s\" (give an id, a "
		    "role or a path)", key);
	free(key);
	return b;
}

/* The answer: {"account", "ids", "changed": [types], "pushState",
 * "states": {this account's}} plus `extra` members (taken). */
static int
mailctl_answer(struct ts_server *s, struct lws *wsi, size_t account,
    struct json_object *ids, unsigned types, struct json_object *extra)
{
	struct json_object *o = json_object_new_object(), *changed, *all, *st;
	char push[32];

	json_object_object_add(o, "account", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(o, "ids", ids != NULL ? ids :
	    json_object_new_array());
	changed = json_object_new_array();
	for (int t = 0; t < TS_NTYPES; t++)
		if (types & (1u << t))
			json_object_array_add(changed,
			    json_object_new_string(state_type_name(t)));
	json_object_object_add(o, "changed", changed);
	state_push_string(s->state.push, push, sizeof(push));
	json_object_object_add(o, "pushState", json_object_new_string(push));
	all = state_states_json(&s->state);
	json_object_object_get_ex(all, s->state.accounts[account].id, &st);
	json_object_object_add(o, "states", json_object_get(st));
	json_object_put(all);
	if (extra != NULL) {
		json_object_object_foreach(extra, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(extra);
	}
	return http_send_json(wsi, HTTP_STATUS_OK, o);
}

/* A new email's defaults for number n (its id "M<n>"). */
static void
mailctl_defaults(struct email *e, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;

	if (e->from_name == NULL)
		xasprintf(&e->from_name, "Sender %zu", n);
	if (e->from_email == NULL)
		xasprintf(&e->from_email, "sender%zu@example.com", n);
	if (e->subject == NULL)
		xasprintf(&e->subject, "Message %zu", n);
	if (e->preview == NULL)
		e->preview = xstrdup(e->subject);
	gmtime_r(&now, &tm);
	strftime(e->received, sizeof(e->received), "%Y-%m-%dT%H:%M:%SZ",
	    &tm);
	e->size = 512 + (long)(strlen(e->from_name) + strlen(e->from_email) +
	    2 * strlen(e->subject));
}

/* One mail by the looks /control/mail set, as its own change with the
 * four types a delivery moves (/control/deliver). */
void
mailctl_deliver(struct ts_server *s, size_t account)
{
	struct mail_model *m = mail_model(s);
	struct mail_account *a = &m->accounts[account];
	struct email e;
	size_t i;
	int b = -1;

	memset(&e, 0, sizeof(e));
	e.thread = SIZE_MAX;
	e.from_name = next_mail.from_name;
	e.from_email = next_mail.from_email;
	e.subject = next_mail.subject;
	if (next_mail.mailbox != NULL)
		b = mbox_find(a, next_mail.mailbox);
	if (b == -1)
		b = mbox_role(a, "inbox");
	e.mailboxes = (uint64_t)1 << b;
	mailctl_defaults(&e, m->nemails + 1);
	xasprintf(&e.message_id, "msg%zu@example.com", m->nemails + 1);
	if (next_mail.seen)
		email_keyword(&e, "$seen", true);
	free(next_mail.mailbox);
	memset(&next_mail, 0, sizeof(next_mail));
	i = email_add(s, account, &e);
	ts_info("mail: M%zu to %s in %s from %s <%s>%s", i + 1,
	    s->state.accounts[account].id, a->mboxes[b].id,
	    m->emails[i].from_name, m->emails[i].from_email,
	    email_has(&m->emails[i], "$seen") ? ", seen" : "");
	mail_commit(s, account, TS_DELIVERY_TYPES);
}

/* Replaces *field with v (taken). */
static void
mailctl_set(char **field, char *v)
{
	free(*field);
	*field = v;
}

/* GET /control/mail?name=&email=&subject=&seen=1&mailbox=M, or
 * ?forget=1 (the Email history of every account). */
static int
mailctl_next(struct ts_server *s, struct lws *wsi)
{
	struct mail_model *m = mail_model(s);
	struct json_object *o;
	char buf[16], *v;
	const char *seen;
	int rv, got;

	if (mailctl_arg(wsi, "forget", buf, sizeof(buf)) != NULL) {
		for (size_t i = 0; i < s->state.naccounts; i++)
			mail_log_forget(&m->accounts[i].email_log,
			    s->state.accounts[i].counter[TS_EMAIL]);
		ts_info("mail: Email history forgotten");
	}
	if ((got = mailctl_str(wsi, "name", &v, &rv)) == -1)
		return rv;
	if (got)
		mailctl_set(&next_mail.from_name, v);
	if ((got = mailctl_str(wsi, "email", &v, &rv)) == -1)
		return rv;
	if (got)
		mailctl_set(&next_mail.from_email, v);
	if ((got = mailctl_str(wsi, "subject", &v, &rv)) == -1)
		return rv;
	if (got)
		mailctl_set(&next_mail.subject, v);
	if ((seen = mailctl_arg(wsi, "seen", buf, sizeof(buf))) != NULL)
		next_mail.seen = strcmp(seen, "1") == 0;
	if ((got = mailctl_str(wsi, "mailbox", &v, &rv)) == -1)
		return rv;
	if (got && mbox_find(&m->accounts[0], v) == -1) {
		rv = mailctl_bad(wsi, "mailbox: no mailbox \"%.200s\"", v);
		free(v);
		return rv;
	}
	if (got)
		mailctl_set(&next_mail.mailbox, v);
	o = json_object_new_object();
	json_object_object_add(o, "mails",
	    json_object_new_int64((int64_t)m->nemails));
	return http_send_json(wsi, HTTP_STATUS_OK, o);
}

/* Adds `list` (comma-separated keywords) to or from e. */
static void
mailctl_keywords(struct email *e, const char *list, bool on)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		email_keyword(e, tok, on);
	free(copy);
}

/* deliver, draft and sent: count mails in one change. */
static int
mailctl_add(struct ts_server *s, struct lws *wsi, const char *what)
{
	struct mail_model *m;
	struct email e;
	struct json_object *ids;
	char buf[ARG_MAX], *str[5] = { NULL };
	static const char *const names[5] = {
		"name", "email", "subject", "preview", "messageId"
	};
	const char *v, *role = strcmp(what, "draft") == 0 ? "drafts" :
	    strcmp(what, "sent") == 0 ? "sent" : "inbox";
	struct email *found;
	size_t thread = SIZE_MAX;
	long count = 1;
	int account, b, rv, i;
	unsigned types;

	if ((account = mailctl_account(s, wsi, &rv)) == -1)
		return rv;
	m = mail_model(s);
	if ((b = mailctl_mailbox(s, wsi, account, "mailbox",
	    mbox_role(&m->accounts[account], role), &rv)) == -1)
		return rv;
	if ((v = mailctl_arg(wsi, "count", buf, sizeof(buf))) != NULL &&
	    ((count = strtol(v, NULL, 10)) < 1 || count > 100000))
		return mailctl_bad(wsi, "count: 1 to 100000, not %s", v);
	if ((v = mailctl_arg(wsi, "thread", buf, sizeof(buf))) != NULL &&
	    (found = email_find(s, account, v)) == NULL)
		return mailctl_bad(wsi, "thread: no email \"%.200s\"", v);
	if (v != NULL)
		thread = found->thread;
	for (i = 0; i < 5; i++)
		if (mailctl_str(wsi, names[i], &str[i], &rv) == -1) {
			while (i-- > 0)
				free(str[i]);
			return rv;
		}
	ids = json_object_new_array();
	for (long n = 0; n < count; n++) {
		size_t x;

		memset(&e, 0, sizeof(e));
		e.thread = thread;
		e.mailboxes = (uint64_t)1 << b;
		e.from_name = str[0] != NULL ? xstrdup(str[0]) : NULL;
		e.from_email = str[1] != NULL ? xstrdup(str[1]) : NULL;
		e.subject = str[2] != NULL ? xstrdup(str[2]) : NULL;
		e.preview = str[3] != NULL ? xstrdup(str[3]) : NULL;
		mailctl_defaults(&e, m->nemails + 1);
		if (str[4] == NULL)
			xasprintf(&e.message_id, "msg%zu@example.com",
			    m->nemails + 1);
		else if (str[4][0] != '\0')
			e.message_id = xstrdup(str[4]);
		if (strcmp(what, "draft") == 0)
			mailctl_keywords(&e, "$draft,$seen", true);
		else if (strcmp(what, "sent") == 0)
			mailctl_keywords(&e, "$seen", true);
		if ((v = mailctl_arg(wsi, "keywords", buf, sizeof(buf))) !=
		    NULL)
			mailctl_keywords(&e, v, true);
		x = email_add(s, account, &e);
		json_object_array_add(ids, json_object_new_string(email_idof(s,
		    account, x, buf, sizeof(buf))));
	}
	for (i = 0; i < 5; i++)
		free(str[i]);
	types = mail_commit(s, account, strcmp(what, "deliver") == 0 ?
	    1u << TS_EMAIL_DELIVERY : 0);
	ts_info("mail: %s: %ld mail(s) to %s in %s", what, count,
	    s->state.accounts[account].id, m->accounts[account].mboxes[b].id);
	return mailctl_answer(s, wsi, account, ids, types, NULL);
}

/*
 * The emails named by id= (comma-separated) as indexes into the model, in
 * *out (freed by the caller); -1 after a 400.
 */
static int
mailctl_ids(struct ts_server *s, struct lws *wsi, size_t account,
    size_t **out, size_t *n, int *rv)
{
	char buf[ARG_MAX], *tok, *save = NULL;
	const char *v;
	struct email *e;

	*out = NULL;
	*n = 0;
	if ((v = mailctl_arg(wsi, "id", buf, sizeof(buf))) == NULL) {
		*rv = mailctl_bad(wsi, "%s: missing", "id");
		return -1;
	}
	for (tok = strtok_r((char *)v, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((e = email_find(s, account, tok)) == NULL) {
			free(*out);
			*rv = mailctl_bad(wsi, "id: no email \"%.200s\"", tok);
			return -1;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = (size_t)(e - mail_model(s)->emails);
	}
	if (*n == 0) {
		*rv = mailctl_bad(wsi, "%s: no ids", "id");
		return -1;
	}
	return 0;
}

/* move (to=; from= or add=1 optional), keyword (set=, unset=) and destroy
 * of the emails id= names, in one change. */
static int
mailctl_update(struct ts_server *s, struct lws *wsi, const char *what)
{
	struct mail_model *m;
	struct json_object *ids;
	char set[ARG_MAX], unset[ARG_MAX], buf[32];
	const char *vset = NULL, *vunset = NULL, *v;
	size_t *idx, n;
	int account, to = -1, from = -1, rv;
	bool changed, add;

	if ((account = mailctl_account(s, wsi, &rv)) == -1)
		return rv;
	if (strcmp(what, "move") == 0 &&
	    ((to = mailctl_mailbox(s, wsi, account, "to", -1, &rv)) == -1 ||
	    (from = mailctl_mailbox(s, wsi, account, "from", -2, &rv)) == -1))
		return rv;
	add = (v = mailctl_arg(wsi, "add", buf, sizeof(buf))) != NULL &&
	    strcmp(v, "1") == 0;
	if (strcmp(what, "keyword") == 0) {
		vset = mailctl_arg(wsi, "set", set, sizeof(set));
		vunset = mailctl_arg(wsi, "unset", unset, sizeof(unset));
		if (vset == NULL && vunset == NULL)
			return mailctl_bad(wsi, "%s: give set= or unset=",
			    what);
	}
	if (mailctl_ids(s, wsi, account, &idx, &n, &rv) == -1)
		return rv;
	m = mail_model(s);
	ids = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct email *e = &m->emails[idx[i]];
		uint64_t before = e->mailboxes;

		if (e->destroyed)	/* named twice */
			continue;
		email_touch(s, e);
		changed = false;
		if (strcmp(what, "destroy") == 0) {
			e->destroyed = changed = true;
		} else if (strcmp(what, "move") == 0) {
			if (from >= 0)
				e->mailboxes &= ~((uint64_t)1 << from);
			else if (!add)
				e->mailboxes = 0;
			e->mailboxes |= (uint64_t)1 << to;
			changed = e->mailboxes != before;
		} else {
			if (vunset != NULL) {
				size_t k = e->nkeywords;

				mailctl_keywords(e, vunset, false);
				changed = k != e->nkeywords;
			}
			if (vset != NULL) {
				size_t k = e->nkeywords;

				mailctl_keywords(e, vset, true);
				changed = changed || k != e->nkeywords;
			}
		}
		email_touch(s, e);
		if (changed)
			email_changed(s, account, e, e->destroyed ?
			    MAIL_DESTROYED : MAIL_UPDATED);
		json_object_array_add(ids, json_object_new_string(email_idof(s,
		    account, idx[i], buf, sizeof(buf))));
	}
	free(idx);
	ts_info("mail: %s: %zu mail(s) of %s", what, n,
	    s->state.accounts[account].id);
	return mailctl_answer(s, wsi, account, ids,
	    mail_commit(s, account, 0), NULL);
}

/* mailbox?op=create&name=&parent=&role=, op=rename&mailbox=&name=&parent=
 * (empty parent: top level), op=destroy&mailbox=. */
static int
mailctl_mbox(struct ts_server *s, struct lws *wsi)
{
	struct mail_account *a;
	struct json_object *extra;
	char opbuf[32], rbuf[64], *name = NULL, *pkey = NULL;
	const char *op, *role;
	int account, b = -1, parent = -2, rv, got;

	if ((account = mailctl_account(s, wsi, &rv)) == -1)
		return rv;
	a = &mail_model(s)->accounts[account];
	if ((op = mailctl_arg(wsi, "op", opbuf, sizeof(opbuf))) == NULL ||
	    (strcmp(op, "create") != 0 && strcmp(op, "rename") != 0 &&
	    strcmp(op, "destroy") != 0))
		return mailctl_bad(wsi, "%s: create, rename or destroy", "op");
	if (strcmp(op, "create") != 0 && (b = mailctl_mailbox(s, wsi,
	    account, "mailbox", -1, &rv)) == -1)
		return rv;
	if (strcmp(op, "destroy") == 0) {
		if (mbox_has_child(a, (size_t)b))
			return mailctl_bad(wsi, "%s: has child mailboxes",
			    a->mboxes[b].id);
		mbox_destroy(s, account, (size_t)b);
		goto done;
	}
	if ((got = mailctl_str(wsi, "parent", &pkey, &rv)) == -1 ||
	    mailctl_str(wsi, "name", &name, &rv) == -1) {
		free(pkey);
		return rv;
	}
	if (got)
		parent = pkey[0] == '\0' ? -1 : mbox_find(a, pkey);
	if (got && pkey[0] != '\0' && (parent == -1 ||
	    (b >= 0 && mbox_below(a, parent, b)))) {
		rv = mailctl_bad(wsi, "parent: \"%.200s\" is no mailbox or "
		    "lies below it", pkey);
		goto out;
	}
	if (strcmp(op, "create") == 0) {
		role = mailctl_arg(wsi, "role", rbuf, sizeof(rbuf));
		if (name == NULL) {
			rv = mailctl_bad(wsi, "%s: missing", "name");
			goto out;
		}
		if ((b = mbox_create(s, account, name, parent == -2 ? -1 :
		    parent, role != NULL && *role != '\0' ? role : NULL)) ==
		    -1) {
			rv = mailctl_bad(wsi, "account %s has no room for "
			    "another mailbox", s->state.accounts[account].id);
			goto out;
		}
	} else
		mbox_rename(s, account, (size_t)b, name, parent);
	free(pkey);
	free(name);
done:
	ts_info("mail: mailbox %s: %s of %s", op, a->mboxes[b].id,
	    s->state.accounts[account].id);
	extra = json_object_new_object();
	json_object_object_add(extra, "mailbox",
	    json_object_new_string(a->mboxes[b].id));
	return mailctl_answer(s, wsi, account, NULL,
	    mail_commit(s, account, 0), extra);
out:
	free(pkey);
	free(name);
	return rv;
}

/*
 * forget?what=email|mailbox|all&account=ID: that history of that account
 * (every account without account=) is lost and its state moves on, as on
 * a server whose restart lost its change log: every earlier state answers
 * cannotCalculateChanges, the new one works.  One change per account.
 */
static int
mailctl_forget(struct ts_server *s, struct lws *wsi)
{
	struct mail_model *m = mail_model(s);
	char buf[32];
	const char *what = mailctl_arg(wsi, "what", buf, sizeof(buf));
	bool email, mbox;
	int account = -1, rv;
	unsigned types;

	if (what == NULL)
		what = "all";
	email = strcmp(what, "email") == 0 || strcmp(what, "all") == 0;
	mbox = strcmp(what, "mailbox") == 0 || strcmp(what, "all") == 0;
	if (!email && !mbox)
		return mailctl_bad(wsi, "%s: email, mailbox or all", "what");
	if (mailctl_arg(wsi, "account", buf, sizeof(buf)) != NULL &&
	    (account = mailctl_account(s, wsi, &rv)) == -1)
		return rv;
	types = (email ? 1u << TS_EMAIL : 0) | (mbox ? 1u << TS_MAILBOX : 0);
	for (size_t i = 0; i < s->state.naccounts; i++) {
		if (account != -1 && i != (size_t)account)
			continue;
		if (email)
			mail_log_forget(&m->accounts[i].email_log,
			    s->state.accounts[i].counter[TS_EMAIL]);
		if (mbox)
			mail_log_forget(&m->accounts[i].mbox_log,
			    s->state.accounts[i].counter[TS_MAILBOX]);
		control_bump(s, i, types);
	}
	ts_info("mail: forget: %s history of %s", what, account == -1 ?
	    "every account" : s->state.accounts[account].id);
	return mailctl_answer(s, wsi, account == -1 ? 0 : (size_t)account,
	    NULL, types, NULL);
}

/* /control/mail and /control/mail/...: what is "mail" or "mail/NAME". */
int
mailctl_handle(struct ts_server *s, struct lws *wsi, const char *what)
{
	if (strcmp(what, "mail") == 0)
		return mailctl_next(s, wsi);
	what += strlen("mail/");
	if (strcmp(what, "deliver") == 0 || strcmp(what, "draft") == 0 ||
	    strcmp(what, "sent") == 0)
		return mailctl_add(s, wsi, what);
	if (strcmp(what, "move") == 0 || strcmp(what, "keyword") == 0 ||
	    strcmp(what, "destroy") == 0)
		return mailctl_update(s, wsi, what);
	if (strcmp(what, "mailbox") == 0)
		return mailctl_mbox(s, wsi);
	if (strcmp(what, "forget") == 0)
		return mailctl_forget(s, wsi);
	return http_send_error(wsi, HTTP_STATUS_NOT_FOUND,
	    "unknown control endpoint");
}
