/* SPDX-License-Identifier: ISC */
/*
 * The mail model's common part: the Mailbox/ and Email/ method dispatch
 * and its per-account call counters, RFC 8620 3.7 back-references, the
 * change logs behind Foo/changes (RFC 8620 5.2) and the commit that turns
 * what a change touched into one state bump and one StateChange.
 *
 * A state is "<prefix><counter>" (the type's counter in state.c).  Every
 * change to an object appends a log record at the counter its change
 * moved the state to; a page of Foo/changes that ends inside one change
 * returns the intermediate state "<prefix><counter>.<k>": after that
 * counter and the first k records of the next change.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "mail.h"

static struct mail_model	*model;

/* The model, made on first use with every account's mailbox tree. */
struct mail_model *
mail_model(struct ts_server *s)
{
	if (model != NULL)
		return model;
	model = xcalloc(1, sizeof(*model));
	model->naccounts = s->state.naccounts;
	model->accounts = xcalloc(model->naccounts, sizeof(*model->accounts));
	model->touched = xcalloc(model->naccounts, sizeof(*model->touched));
	for (size_t i = 0; i < model->naccounts; i++) {
		mbox_init(&model->accounts[i]);
		model->accounts[i].methods = json_object_new_object();
	}
	return model;
}

struct json_object *
mail_error(const char *type, const char *call_id)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "type", json_object_new_string(type));
	return mail_response("error", args, call_id);
}

/* [name, out, call_id]; out is taken. */
struct json_object *
mail_response(const char *name, struct json_object *out, const char *call_id)
{
	struct json_object *resp = json_object_new_array();

	json_object_array_add(resp, json_object_new_string(name));
	json_object_array_add(resp, out);
	json_object_array_add(resp, json_object_new_string(call_id));
	return resp;
}

/* RFC 6901 unescaping of one token, in place. */
static void
mail_unescape(char *tok)
{
	char *w = tok;

	for (char *r = tok; *r != '\0'; r++, w++) {
		if (r[0] == '~' && (r[1] == '0' || r[1] == '1')) {
			*w = r[1] == '0' ? '~' : '/';
			r++;
		} else
			*w = *r;
	}
	*w = '\0';
}

/* Applies the pointer tokens[0..n) to v; "*" maps over an array and
 * flattens arrays it yields (RFC 8620 3.7).  A new reference, or NULL. */
static struct json_object *
mail_pointer(struct json_object *v, char **tokens, size_t n)
{
	struct json_object *out, *x;

	if (n == 0)
		return json_object_get(v);
	if (strcmp(tokens[0], "*") == 0) {
		if (!json_object_is_type(v, json_type_array))
			return NULL;
		out = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			x = mail_pointer(json_object_array_get_idx(v, i),
			    tokens + 1, n - 1);
			if (x == NULL) {
				json_object_put(out);
				return NULL;
			}
			if (json_object_is_type(x, json_type_array)) {
				for (size_t j = 0;
				    j < json_object_array_length(x); j++)
					json_object_array_add(out,
					    json_object_get(
					    json_object_array_get_idx(x, j)));
				json_object_put(x);
			} else
				json_object_array_add(out, x);
		}
		return out;
	}
	if (json_object_is_type(v, json_type_array)) {
		char *end;
		long i;

		errno = 0;
		i = strtol(tokens[0], &end, 10);
		if (*tokens[0] == '\0' || *end != '\0' || errno != 0 || i < 0 ||
		    (size_t)i >= json_object_array_length(v))
			return NULL;
		return mail_pointer(json_object_array_get_idx(v, (size_t)i),
		    tokens + 1, n - 1);
	}
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, tokens[0], &x))
		return NULL;
	return mail_pointer(x, tokens + 1, n - 1);
}

/*
 * RFC 8620 3.7: {resultOf, name, path} against the earlier responses.  A
 * new reference to the value, or NULL with *err "invalidResultReference".
 */
static struct json_object *
mail_resolve(struct json_object *ref, struct json_object *responses,
    const char **err)
{
	struct json_object	*r, *v = NULL, *of, *nm, *path, *out;
	char			*copy, *p, **tokens = NULL;
	size_t			 n = 0;

	*err = "invalidResultReference";
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
		    2)), json_object_get_string(of)) != 0)
			continue;
		/* The first response with that call id; its name must match. */
		if (strcmp(json_object_get_string(json_object_array_get_idx(r,
		    0)), json_object_get_string(nm)) == 0)
			v = json_object_array_get_idx(r, 1);
		break;
	}
	if (v == NULL)
		return NULL;
	copy = xstrdup(json_object_get_string(path));
	if (copy[0] != '/' && copy[0] != '\0') {
		free(copy);
		return NULL;
	}
	for (p = copy; *p == '/'; ) {
		*p++ = '\0';
		tokens = xreallocarray(tokens, n + 1, sizeof(*tokens));
		tokens[n++] = p;
		p += strcspn(p, "/");
	}
	for (size_t i = 0; i < n; i++)
		mail_unescape(tokens[i]);
	out = mail_pointer(v, tokens, n);
	free(tokens);
	free(copy);
	return out;
}

/*
 * The ids of a /get: "#ids" resolved, or "ids" (NULL: all, as JSON null).
 * Returns a new reference, NULL for all; *err is set on an error.
 */
struct json_object *
mail_ids_arg(struct json_object *args, struct json_object *responses,
    const char **err)
{
	struct json_object *ref, *ids = NULL;

	*err = NULL;
	if (json_object_object_get_ex(args, "#ids", &ref)) {
		if ((ids = mail_resolve(ref, responses, err)) == NULL)
			return NULL;
		*err = NULL;
	} else if (json_object_object_get_ex(args, "ids", &ids))
		ids = json_object_get(ids);
	if (ids != NULL && !json_object_is_type(ids, json_type_array)) {
		json_object_put(ids);
		*err = "invalidArguments";
		return NULL;
	}
	for (size_t i = 0; ids != NULL && i < json_object_array_length(ids);
	    i++)
		if (!json_object_is_type(json_object_array_get_idx(ids, i),
		    json_type_string)) {
			json_object_put(ids);
			*err = "invalidArguments";
			return NULL;
		}
	return ids;
}

/* Whether `properties` (NULL: all) asks for name. */
bool
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

void
mail_log_add(struct mail_log *log, unsigned long counter, size_t index,
    enum mail_kind kind, bool counts_only)
{
	if (log->n == log->size) {
		log->size = log->size == 0 ? 64 : log->size * 2;
		log->v = xreallocarray(log->v, log->size, sizeof(*log->v));
	}
	log->v[log->n].counter = counter;
	log->v[log->n].index = index;
	log->v[log->n].kind = kind;
	log->v[log->n].counts_only = counts_only;
	log->n++;
}

/* As after a restart without history: no state up to `now` (the current
 * one included) can be changed from. */
void
mail_log_forget(struct mail_log *log, unsigned long now)
{
	free(log->v);
	log->v = NULL;
	log->n = log->size = 0;
	log->forgotten = now + 1;
}

/* The first record of a change after `counter`. */
static size_t
mail_log_after(const struct mail_log *log, unsigned long counter)
{
	size_t lo = 0, hi = log->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log->v[mid].counter <= counter)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* "<prefix>N" or "<prefix>N.K", decimal without sign or leading zeros. */
static int
mail_number(const char *s, unsigned long *v, const char **end)
{
	char *e;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' &&
	    s[1] <= '9'))
		return -1;
	errno = 0;
	*v = strtoul(s, &e, 10);
	*end = e;
	return errno == 0 ? 0 : -1;
}

/*
 * The log position a state stands for, or -1 when the state is not one
 * this log can continue from (unknown, in the future or forgotten).
 */
static int
mail_log_start(const struct mail_log *log, char prefix, const char *state,
    unsigned long now, size_t *pos)
{
	unsigned long counter, k = 0;
	const char *end;
	size_t first, next;

	if (state[0] != prefix || mail_number(state + 1, &counter, &end) ==
	    -1 || counter > now || counter < log->forgotten)
		return -1;
	if (*end == '.' && (mail_number(end + 1, &k, &end) == -1 || k == 0))
		return -1;
	if (*end != '\0')
		return -1;
	first = mail_log_after(log, counter);
	next = mail_log_after(log, counter + 1);
	if (k >= next - first && k > 0)
		return -1;
	*pos = first + k;
	return 0;
}

/* The state after the records before pos (the current one at the end). */
static void
mail_log_state(const struct mail_log *log, char prefix, size_t pos,
    unsigned long now, char *buf, size_t size)
{
	unsigned long c;
	size_t first;

	if (pos >= log->n) {
		snprintf(buf, size, "%c%lu", prefix, now);
		return;
	}
	c = log->v[pos].counter;
	first = mail_log_after(log, c - 1);
	if (pos == first)
		snprintf(buf, size, "%c%lu", prefix, c - 1);
	else
		snprintf(buf, size, "%c%lu.%zu", prefix, c - 1, pos - first);
}

/* What Foo/changes says about one object, merged over records. */
enum mail_seen {
	SEEN_NONE,
	SEEN_CREATED,
	SEEN_UPDATED,
	SEEN_DESTROYED,
	SEEN_GONE	/* created and destroyed: left out (RFC 8620 5.2) */
};

const char *const mail_count_names[MBOX_NCOUNTS] = {
	"totalEmails", "unreadEmails", "totalThreads", "unreadThreads"
};

/*
 * Foo/changes (RFC 8620 5.2) of `type` from log: at most maxChanges ids,
 * each in one list; a page that stops early returns an intermediate
 * newState and hasMoreChanges.  Mailbox/changes adds updatedProperties
 * (RFC 8621 2.2): the four counts when every update it reports changed
 * only counts, else null.  nobjects bounds the log's indexes; idof names
 * one.
 */
struct json_object *
mail_changes(struct ts_server *s, int account, int type,
    const struct mail_log *log, size_t nobjects, mail_idof_fn idof,
    struct json_object *args, const char *name, const char *call_id)
{
	struct json_object	*since, *max, *out, *lists[3], *props;
	unsigned char		*seen;
	bool			*counts_only, only = true;
	size_t			*order, norder = 0, pos, p;
	int64_t			 limit = -1;
	unsigned long		 now = s->state.accounts[account].counter[type];
	char			 state[64], id[64];
	const char		*v;
	char			 prefix = type == TS_EMAIL ? 'e' : 'm';

	if (!json_object_object_get_ex(args, "sinceState", &since) ||
	    !json_object_is_type(since, json_type_string))
		return mail_error("invalidArguments", call_id);
	if (json_object_object_get_ex(args, "maxChanges", &max) &&
	    !json_object_is_type(max, json_type_null)) {
		if (!json_object_is_type(max, json_type_int) ||
		    (limit = json_object_get_int64(max)) <= 0)
			return mail_error("invalidArguments", call_id);
	}
	v = json_object_get_string(since);
	if (mail_log_start(log, prefix, v, now, &pos) == -1) {
		ts_info("mail: %s from %s: cannotCalculateChanges", name, v);
		return mail_error("cannotCalculateChanges", call_id);
	}
	seen = xcalloc(nobjects + 1, 1);
	counts_only = xcalloc(nobjects + 1, sizeof(*counts_only));
	order = xcalloc(nobjects + 1, sizeof(*order));
	for (p = pos; p < log->n; p++) {
		const struct mail_rec *r = &log->v[p];

		if (seen[r->index] == SEEN_NONE) {
			if (limit >= 0 && (int64_t)norder == limit)
				break;
			order[norder++] = r->index;
			counts_only[r->index] = true;
		}
		if (r->kind == MAIL_CREATED)
			seen[r->index] = SEEN_CREATED;
		else if (r->kind == MAIL_DESTROYED)
			seen[r->index] = seen[r->index] == SEEN_CREATED ?
			    SEEN_GONE : SEEN_DESTROYED;
		else {
			if (seen[r->index] == SEEN_NONE)
				seen[r->index] = SEEN_UPDATED;
			counts_only[r->index] &= r->counts_only;
		}
	}
	for (int i = 0; i < 3; i++)
		lists[i] = json_object_new_array();
	for (size_t i = 0; i < norder; i++) {
		size_t x = order[i];

		if (seen[x] == SEEN_GONE)
			continue;
		json_object_array_add(lists[seen[x] - SEEN_CREATED],
		    json_object_new_string(idof(s, account, x, id,
		    sizeof(id))));
		if (seen[x] == SEEN_UPDATED)
			only = only && counts_only[x];
	}
	mail_log_state(log, prefix, p, now, state, sizeof(state));
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "oldState", json_object_get(since));
	json_object_object_add(out, "newState", json_object_new_string(state));
	json_object_object_add(out, "hasMoreChanges",
	    json_object_new_boolean(p < log->n));
	json_object_object_add(out, "created", lists[0]);
	json_object_object_add(out, "updated", lists[1]);
	json_object_object_add(out, "destroyed", lists[2]);
	if (type == TS_MAILBOX) {
		props = NULL;
		if (only && json_object_array_length(lists[1]) > 0) {
			props = json_object_new_array();
			for (int i = 0; i < MBOX_NCOUNTS; i++)
				json_object_array_add(props,
				    json_object_new_string(
				    mail_count_names[i]));
		}
		json_object_object_add(out, "updatedProperties", props);
	}
	free(seen);
	free(counts_only);
	free(order);
	return mail_response(name, out, call_id);
}

/*
 * Ends a change to one account: recounts the touched mailboxes and bumps
 * the pending types plus `extra` in one change (one pushState, pushed as
 * control.c does).  Returns the types bumped, 0 when nothing changed.
 */
unsigned
mail_commit(struct ts_server *s, size_t account, unsigned extra)
{
	struct mail_model *m = mail_model(s);
	unsigned types;

	if (mbox_recount(s, account))
		m->pending |= 1u << TS_MAILBOX;
	types = m->pending | extra;
	m->pending = 0;
	memset(m->touched, 0, m->naccounts * sizeof(*m->touched));
	if (types != 0)
		control_bump(s, account, types);
	return types;
}

/* A Foo/get with "ids": [] only asks for the state (resync.c does). */
static bool
mail_probe(const char *name, struct json_object *args)
{
	struct json_object *ids;
	size_t len = strlen(name);

	return len > 4 && strcmp(name + len - 4, "/get") == 0 &&
	    json_object_object_get_ex(args, "ids", &ids) &&
	    json_object_is_type(ids, json_type_array) &&
	    json_object_array_length(ids) == 0;
}

static void
mail_count(struct ts_server *s, int account, const char *name)
{
	struct mail_account *a = &mail_model(s)->accounts[account];
	struct json_object *n;
	int64_t v = 0;

	a->calls++;
	if (json_object_object_get_ex(a->methods, name, &n))
		v = json_object_get_int64(n);
	json_object_object_add(a->methods, name, json_object_new_int64(v + 1));
}

/* /control/status: "mailCalls" {"u1": N} and "mailMethods" {"u1":
 * {"Email/get": N, ...}}, every Mailbox/ and Email/ call but the state
 * probes ("ids": []). */
void
mail_status(struct ts_server *s, struct json_object *obj)
{
	struct mail_model *m = mail_model(s);
	struct json_object *calls, *methods;

	calls = json_object_new_object();
	methods = json_object_new_object();
	for (size_t i = 0; i < m->naccounts; i++) {
		json_object_object_add(calls, s->state.accounts[i].id,
		    json_object_new_int64((int64_t)m->accounts[i].calls));
		json_object_object_add(methods, s->state.accounts[i].id,
		    json_object_get(m->accounts[i].methods));
	}
	json_object_object_add(obj, "mailCalls", calls);
	json_object_object_add(obj, "mailMethods", methods);
}

/* The mail methods, or NULL for api.c to answer. */
struct json_object *
mail_method(struct ts_server *s, const char *name, struct json_object *args,
    const char *call_id, struct json_object *responses)
{
	struct json_object	*acct;
	int			 account;

	if (strncmp(name, "Mailbox/", 8) != 0 &&
	    strncmp(name, "Email/", 6) != 0)
		return NULL;
	if (!json_object_object_get_ex(args, "accountId", &acct) ||
	    !json_object_is_type(acct, json_type_string))
		return mail_error("invalidArguments", call_id);
	if ((account = state_account_find(&s->state,
	    json_object_get_string(acct))) == -1)
		return mail_error("accountNotFound", call_id);
	if (!mail_probe(name, args)) {
		mail_count(s, account, name);
		if (s->fault_mail_error > 0) {
			s->fault_mail_error--;
			return mail_error("serverFail", call_id);
		}
	}
	if (strcmp(name, "Mailbox/get") == 0)
		return mbox_get(s, account, args, call_id, responses);
	if (strcmp(name, "Mailbox/changes") == 0)
		return mbox_changes(s, account, args, call_id);
	if (strcmp(name, "Email/get") == 0)
		return email_get(s, account, args, call_id, responses);
	if (strcmp(name, "Email/changes") == 0)
		return email_changes(s, account, args, call_id);
	if (strcmp(name, "Email/query") == 0)
		return email_query(s, account, args, call_id);
	if (strcmp(name, "Email/set") == 0) {
		ts_info("mail: Email/set %s", json_object_to_json_string_ext(
		    args, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		return email_set(s, account, args, call_id);
	}
	return mail_error("unknownMethod", call_id);
}
