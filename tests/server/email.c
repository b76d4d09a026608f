/* SPDX-License-Identifier: ISC */
/*
 * Emails (RFC 8621 4): ids "M1", "M2", ... (an index into the model, never
 * reused), each in one or more mailboxes, with keywords and the few
 * properties a notifier reads.  Every email starts a thread of its own
 * ("T<n>", n its number) unless it joins another's.  Email/get,
 * Email/changes, Email/query and Email/set (update of keywords and
 * mailboxIds, whole or patched, and destroy; ifInState) work on them.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "mail.h"

/*
 * Adds an email to the account; the strings of *e are taken, its thread
 * is SIZE_MAX for a thread of its own.  Records the creation; returns its
 * index.  The caller commits.
 */
size_t
email_add(struct ts_server *s, size_t account, const struct email *e)
{
	struct mail_model *m = mail_model(s);
	struct email *n;
	size_t i = m->nemails;

	if (m->nemails == m->emails_size) {
		m->emails_size = m->emails_size == 0 ? 64 : m->emails_size * 2;
		m->emails = xreallocarray(m->emails, m->emails_size,
		    sizeof(*m->emails));
	}
	n = &m->emails[m->nemails++];
	*n = *e;
	n->account = account;
	if (n->thread == SIZE_MAX)
		n->thread = i;
	else
		m->emails[n->thread].joined = true;
	email_touch(s, n);
	email_changed(s, account, n, MAIL_CREATED);
	return i;
}

/* "M<n>" of this account, not destroyed; NULL when none. */
struct email *
email_find(struct ts_server *s, size_t account, const char *id)
{
	struct mail_model *m = mail_model(s);
	char *end;
	unsigned long n;

	if (id[0] != 'M' || id[1] < '1' || id[1] > '9')
		return NULL;
	n = strtoul(id + 1, &end, 10);
	if (*end != '\0' || n == 0 || n > m->nemails ||
	    m->emails[n - 1].destroyed || m->emails[n - 1].account != account)
		return NULL;
	return &m->emails[n - 1];
}

const char *
email_idof(struct ts_server *s, size_t account, size_t i, char *buf,
    size_t size)
{
	(void)s;
	(void)account;
	snprintf(buf, size, "M%zu", i + 1);
	return buf;
}

bool
email_has(const struct email *e, const char *kw)
{
	for (size_t i = 0; i < e->nkeywords; i++)
		if (strcasecmp(e->keywords[i], kw) == 0)
			return true;
	return false;
}

/* Sets (on) or clears a keyword, stored in lower case (RFC 8621 4.1.1).
 * Returns whether it changed. */
bool
email_keyword(struct email *e, const char *kw, bool on)
{
	size_t i;

	for (i = 0; i < e->nkeywords; i++)
		if (strcasecmp(e->keywords[i], kw) == 0)
			break;
	if (on == (i < e->nkeywords))
		return false;
	if (!on) {
		free(e->keywords[i]);
		e->keywords[i] = e->keywords[--e->nkeywords];
		return true;
	}
	e->keywords = xreallocarray(e->keywords, e->nkeywords + 1,
	    sizeof(*e->keywords));
	e->keywords[e->nkeywords] = xstrdup(kw);
	for (char *p = e->keywords[e->nkeywords]; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	e->nkeywords++;
	return true;
}

/* Marks the mailboxes whose counts a change to e may move: those of
 * every email in its thread (unreadThreads looks at the whole thread). */
void
email_touch(struct ts_server *s, const struct email *e)
{
	struct mail_model *m = mail_model(s);
	const struct email *root = &m->emails[e->thread];

	if (root == e && !e->joined) {
		m->touched[e->account] |= e->mailboxes;
		return;
	}
	for (size_t j = 0; j < m->nemails; j++)
		if (!m->emails[j].destroyed && m->emails[j].thread == e->thread)
			m->touched[e->account] |= m->emails[j].mailboxes;
	m->touched[e->account] |= e->mailboxes;
}

/* Records a change to e for Email/changes; creations and destructions
 * change a thread too. */
void
email_changed(struct ts_server *s, size_t account, const struct email *e,
    enum mail_kind kind)
{
	struct mail_model *m = mail_model(s);

	mail_log_add(&m->accounts[account].email_log,
	    s->state.accounts[account].counter[TS_EMAIL] + 1,
	    (size_t)(e - m->emails), kind, false);
	m->pending |= 1u << TS_EMAIL;
	if (kind != MAIL_UPDATED)
		m->pending |= 1u << TS_THREAD;
}

static struct json_object *
email_json(struct ts_server *s, const struct email *e, struct json_object *props)
{
	struct mail_model *m = mail_model(s);
	const struct mail_account *a = &m->accounts[e->account];
	struct json_object *o = json_object_new_object(), *from, *addr, *x;
	char buf[32];

	json_object_object_add(o, "id", json_object_new_string(email_idof(s,
	    e->account, (size_t)(e - m->emails), buf, sizeof(buf))));
	if (mail_wants(props, "threadId")) {
		snprintf(buf, sizeof(buf), "T%zu", e->thread + 1);
		json_object_object_add(o, "threadId",
		    json_object_new_string(buf));
	}
	if (mail_wants(props, "mailboxIds")) {
		x = json_object_new_object();
		for (size_t i = 0; i < a->nmboxes; i++)
			if (e->mailboxes & ((uint64_t)1 << i))
				json_object_object_add(x, a->mboxes[i].id,
				    json_object_new_boolean(1));
		json_object_object_add(o, "mailboxIds", x);
	}
	if (mail_wants(props, "keywords")) {
		x = json_object_new_object();
		for (size_t i = 0; i < e->nkeywords; i++)
			json_object_object_add(x, e->keywords[i],
			    json_object_new_boolean(1));
		json_object_object_add(o, "keywords", x);
	}
	if (mail_wants(props, "size"))
		json_object_object_add(o, "size",
		    json_object_new_int64(e->size));
	if (mail_wants(props, "receivedAt"))
		json_object_object_add(o, "receivedAt",
		    json_object_new_string(e->received));
	if (mail_wants(props, "messageId")) {
		x = NULL;
		if (e->message_id != NULL) {
			x = json_object_new_array();
			json_object_array_add(x,
			    json_object_new_string(e->message_id));
		}
		json_object_object_add(o, "messageId", x);
	}
	if (mail_wants(props, "from")) {
		addr = json_object_new_object();
		json_object_object_add(addr, "name",
		    json_object_new_string(e->from_name));
		json_object_object_add(addr, "email",
		    json_object_new_string(e->from_email));
		from = json_object_new_array();
		json_object_array_add(from, addr);
		json_object_object_add(o, "from", from);
	}
	if (mail_wants(props, "subject"))
		json_object_object_add(o, "subject",
		    json_object_new_string(e->subject));
	if (mail_wants(props, "preview"))
		json_object_object_add(o, "preview",
		    json_object_new_string(e->preview));
	return o;
}

/* The "state" an Email method answers with. */
static struct json_object *
email_state(struct ts_server *s, int account)
{
	char state[32];

	state_string(&s->state, account, TS_EMAIL, state, sizeof(state));
	return json_object_new_string(state);
}

/* Email/get: ids or #ids (null: every email of the account), properties
 * (id always). */
struct json_object *
email_get(struct ts_server *s, int account, struct json_object *args,
    const char *call_id, struct json_object *responses)
{
	struct mail_model *m = mail_model(s);
	struct json_object *ids, *props = NULL, *out, *list, *nf;
	const struct email *e;
	const char *err;

	ids = mail_ids_arg(args, responses, &err);
	if (err != NULL)
		return mail_error(err, call_id);
	if (json_object_object_get_ex(args, "properties", &props) &&
	    json_object_is_type(props, json_type_null))
		props = NULL;
	if (props != NULL && !json_object_is_type(props, json_type_array)) {
		json_object_put(ids);
		return mail_error("invalidArguments", call_id);
	}
	list = json_object_new_array();
	nf = json_object_new_array();
	for (size_t j = 0; ids == NULL && j < m->nemails; j++)
		if (!m->emails[j].destroyed &&
		    m->emails[j].account == (size_t)account)
			json_object_array_add(list, email_json(s,
			    &m->emails[j], props));
	for (size_t i = 0; ids != NULL && i < json_object_array_length(ids);
	    i++) {
		struct json_object *id = json_object_array_get_idx(ids, i);

		if ((e = email_find(s, account, json_object_get_string(id))) !=
		    NULL)
			json_object_array_add(list, email_json(s, e, props));
		else
			json_object_array_add(nf, json_object_get(id));
	}
	json_object_put(ids);
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "state", email_state(s, account));
	json_object_object_add(out, "list", list);
	json_object_object_add(out, "notFound", nf);
	return mail_response("Email/get", out, call_id);
}

struct json_object *
email_changes(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct mail_model *m = mail_model(s);

	return mail_changes(s, account, TS_EMAIL,
	    &m->accounts[account].email_log, m->nemails, email_idof, args,
	    "Email/changes", call_id);
}

/* Email/query: filter {after, inMailbox}; newest first; limit. */
struct json_object *
email_query(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct mail_model *m = mail_model(s);
	struct json_object	*filter = NULL, *v, *out, *ids;
	const char		*after = NULL, *inbox = NULL;
	uint64_t		 bit = 0;
	int64_t			 limit = -1;
	char			 buf[32];
	int			 b;

	if (json_object_object_get_ex(args, "filter", &filter) &&
	    json_object_is_type(filter, json_type_object)) {
		if (json_object_object_get_ex(filter, "after", &v) &&
		    json_object_is_type(v, json_type_string))
			after = json_object_get_string(v);
		if (json_object_object_get_ex(filter, "inMailbox", &v) &&
		    json_object_is_type(v, json_type_string))
			inbox = json_object_get_string(v);
	}
	if (inbox != NULL) {
		for (b = 0; b < (int)m->accounts[account].nmboxes; b++)
			if (strcmp(m->accounts[account].mboxes[b].id,
			    inbox) == 0)
				bit = (uint64_t)1 << b;
	}
	if (json_object_object_get_ex(args, "limit", &v) &&
	    json_object_is_type(v, json_type_int))
		limit = json_object_get_int64(v);
	ids = json_object_new_array();
	for (size_t i = m->nemails; i > 0; i--) {
		const struct email *e = &m->emails[i - 1];

		if (e->destroyed || e->account != (size_t)account ||
		    (after != NULL && strcmp(e->received, after) <= 0) ||
		    (inbox != NULL && !(e->mailboxes & bit)))
			continue;
		if (limit >= 0 && (int64_t)json_object_array_length(ids) >=
		    limit)
			break;
		json_object_array_add(ids, json_object_new_string(email_idof(s,
		    account, i - 1, buf, sizeof(buf))));
	}
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "queryState", email_state(s, account));
	json_object_object_add(out, "canCalculateChanges",
	    json_object_new_boolean(0));
	json_object_object_add(out, "position", json_object_new_int(0));
	json_object_object_add(out, "ids", ids);
	ts_info("mail: Email/query after %s: %zu id(s)",
	    after != NULL ? after : "(any time)",
	    json_object_array_length(ids));
	return mail_response("Email/query", out, call_id);
}

/* A SetError {type, properties?}. */
static struct json_object *
email_set_error(const char *type, const char *property)
{
	struct json_object *o = json_object_new_object(), *props;

	json_object_object_add(o, "type", json_object_new_string(type));
	if (property != NULL) {
		props = json_object_new_array();
		json_object_array_add(props, json_object_new_string(property));
		json_object_object_add(o, "properties", props);
	}
	return o;
}

/*
 * Checks a patch of keywords and mailboxIds (whole, or "keywords/K" and
 * "mailboxIds/ID" set to true or null) and computes the new mailboxes.
 * NULL when it applies, else the SetError.
 */
static struct json_object *
email_patch_check(const struct mail_account *a, const struct email *e,
    struct json_object *patch, uint64_t *mailboxes)
{
	*mailboxes = e->mailboxes;
	json_object_object_foreach(patch, key, val) {
		bool on = json_object_is_type(val, json_type_boolean) &&
		    json_object_get_boolean(val);
		bool off = json_object_is_type(val, json_type_null);
		int b;

		if (strcmp(key, "keywords") == 0 ||
		    strcmp(key, "mailboxIds") == 0) {
			bool mb = key[0] == 'm';

			if (!json_object_is_type(val, json_type_object))
				return email_set_error("invalidProperties", key);
			if (mb)
				*mailboxes = 0;
			json_object_object_foreach(val, k, v) {
				if (!json_object_is_type(v, json_type_boolean) ||
				    !json_object_get_boolean(v))
					return email_set_error(
					    "invalidProperties", key);
				if (!mb)
					continue;
				if ((b = mbox_find(a, k)) == -1 ||
				    strcmp(a->mboxes[b].id, k) != 0)
					return email_set_error(
					    "invalidProperties", key);
				*mailboxes |= (uint64_t)1 << b;
			}
		} else if (strncmp(key, "keywords/", 9) == 0 && key[9] != '\0') {
			if (!on && !off)
				return email_set_error("invalidProperties", key);
		} else if (strncmp(key, "mailboxIds/", 11) == 0) {
			if ((!on && !off) || (b = mbox_find(a, key + 11)) == -1 ||
			    strcmp(a->mboxes[b].id, key + 11) != 0)
				return email_set_error("invalidProperties", key);
			if (on)
				*mailboxes |= (uint64_t)1 << b;
			else
				*mailboxes &= ~((uint64_t)1 << b);
		} else
			return email_set_error("invalidProperties", key);
	}
	if (*mailboxes == 0)
		return email_set_error("invalidProperties", "mailboxIds");
	return NULL;
}

/* Applies a patch email_patch_check accepted; whether anything changed. */
static bool
email_patch(struct ts_server *s, struct email *e, struct json_object *patch,
    uint64_t mailboxes)
{
	struct json_object *kws;
	bool changed = mailboxes != e->mailboxes;

	email_touch(s, e);
	e->mailboxes = mailboxes;
	if (json_object_object_get_ex(patch, "keywords", &kws)) {
		for (size_t i = e->nkeywords; i > 0; i--)
			if (!json_object_object_get_ex(kws, e->keywords[i - 1],
			    NULL))
				changed |= email_keyword(e, e->keywords[i - 1],
				    false);
		json_object_object_foreach(kws, k, v) {
			(void)v;
			changed |= email_keyword(e, k, true);
		}
	}
	json_object_object_foreach(patch, key, val)
		if (strncmp(key, "keywords/", 9) == 0)
			changed |= email_keyword(e, key + 9,
			    !json_object_is_type(val, json_type_null));
	email_touch(s, e);
	return changed;
}

/* o (taken) when it has members, else NULL. */
static struct json_object *
email_or_null(struct json_object *o)
{
	size_t n = json_object_is_type(o, json_type_array) ?
	    json_object_array_length(o) : (size_t)json_object_object_length(o);

	if (n > 0)
		return o;
	json_object_put(o);
	return NULL;
}

/* Email/set: update (keywords, mailboxIds) and destroy, in one change;
 * ifInState; create is not supported. */
struct json_object *
email_set(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct mail_model *m = mail_model(s);
	struct json_object *v, *update = NULL, *destroy = NULL, *out, *old;
	struct json_object *updated, *not_updated, *destroyed, *not_destroyed;
	struct json_object *err;
	struct email *e;
	uint64_t mailboxes;
	bool fail = s->fault_set_error > 0;

	if (fail)
		s->fault_set_error--;
	old = email_state(s, account);
	if (json_object_object_get_ex(args, "ifInState", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    strcmp(json_object_get_string(v), json_object_get_string(old)) !=
	    0) {
		json_object_put(old);
		return mail_error("stateMismatch", call_id);
	}
	if ((json_object_object_get_ex(args, "create", &v) &&
	    !json_object_is_type(v, json_type_null)) ||
	    (json_object_object_get_ex(args, "update", &update) &&
	    !json_object_is_type(update, json_type_null) &&
	    !json_object_is_type(update, json_type_object)) ||
	    (json_object_object_get_ex(args, "destroy", &destroy) &&
	    !json_object_is_type(destroy, json_type_null) &&
	    !json_object_is_type(destroy, json_type_array))) {
		json_object_put(old);
		return mail_error("invalidArguments", call_id);
	}
	updated = json_object_new_object();
	not_updated = json_object_new_object();
	destroyed = json_object_new_array();
	not_destroyed = json_object_new_object();
	if (json_object_is_type(update, json_type_object)) {
		json_object_object_foreach(update, id, patch) {
			if (fail) {
				err = email_set_error(s->fault_set_error_type,
				    NULL);
				if (s->fault_set_error_desc[0] != '\0')
					json_object_object_add(err,
					    "description",
					    json_object_new_string(
					    s->fault_set_error_desc));
			} else if ((e = email_find(s, account, id)) == NULL)
				err = email_set_error("notFound", NULL);
			else if (!json_object_is_type(patch, json_type_object))
				err = email_set_error("invalidPatch", NULL);
			else
				err = email_patch_check(&m->accounts[account],
				    e, patch, &mailboxes);
			if (err != NULL) {
				json_object_object_add(not_updated, id, err);
				continue;
			}
			if (email_patch(s, e, patch, mailboxes))
				email_changed(s, account, e, MAIL_UPDATED);
			json_object_object_add(updated, id, NULL);
		}
	}
	for (size_t i = 0; destroy != NULL &&
	    i < json_object_array_length(destroy); i++) {
		const char *id = json_object_get_string(
		    json_object_array_get_idx(destroy, i));

		if ((e = email_find(s, account, id)) == NULL) {
			json_object_object_add(not_destroyed, id,
			    email_set_error("notFound", NULL));
			continue;
		}
		email_touch(s, e);
		e->destroyed = true;
		email_changed(s, account, e, MAIL_DESTROYED);
		json_object_array_add(destroyed, json_object_new_string(id));
	}
	mail_commit(s, (size_t)account, 0);
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "oldState", old);
	json_object_object_add(out, "newState", email_state(s, account));
	json_object_object_add(out, "created", NULL);
	/* RFC 8620 5.3: null, not empty, when there is none. */
	json_object_object_add(out, "updated", email_or_null(updated));
	json_object_object_add(out, "destroyed", email_or_null(destroyed));
	json_object_object_add(out, "notCreated", NULL);
	json_object_object_add(out, "notUpdated", email_or_null(not_updated));
	json_object_object_add(out, "notDestroyed",
	    email_or_null(not_destroyed));
	return mail_response("Email/set", out, call_id);
}
