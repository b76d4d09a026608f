/* SPDX-License-Identifier: ISC */
/*
 * What counts as new mail, and what the user sees of it.  Every string here
 * comes from the server: types are checked before use, text is made valid
 * UTF-8 (sd-bus refuses anything else) and escaped where the notification
 * server reads markup.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "output/newmail.h"
#include "util/json.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define NEWMAIL_SUMMARY_MAX	200
#define NEWMAIL_BODY_MAX	400
/* Senders named in a burst's summary body. */
#define NEWMAIL_BURST_SENDERS	3

static const char *const newmail_properties[] = {
	"from", "subject", "receivedAt", "mailboxIds", "keywords", "preview",
};

struct json_object *
newmail_using(void)
{
	struct json_object *u = json_object_new_array();

	json_object_array_add(u,
	    json_object_new_string("urn:ietf:params:jmap:core"));
	json_object_array_add(u,
	    json_object_new_string("urn:ietf:params:jmap:mail"));
	return u;
}

static void
newmail_call(struct json_object *calls, const char *name,
    struct json_object *args, const char *id)
{
	struct json_object *c = json_object_new_array();

	json_object_array_add(c, json_object_new_string(name));
	json_object_array_add(c, args);
	json_object_array_add(c, json_object_new_string(id));
	json_object_array_add(calls, c);
}

static struct json_object *
newmail_args(const char *account_id)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "accountId",
	    json_object_new_string(account_id));
	return a;
}

static struct json_object *
newmail_ref(const char *call_id, const char *name, const char *path)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "resultOf", json_object_new_string(call_id));
	json_object_object_add(r, "name", json_object_new_string(name));
	json_object_object_add(r, "path", json_object_new_string(path));
	return r;
}

struct json_object *
newmail_request(const char *account_id, const char *since_state,
    const char *after, bool want_mailboxes)
{
	struct json_object *calls = json_object_new_array(), *a, *props;
	struct json_object *filter, *sort, *cmp;

	if (want_mailboxes) {
		a = newmail_args(account_id);
		json_object_object_add(a, "ids", NULL);
		props = json_object_new_array();
		json_object_array_add(props, json_object_new_string("name"));
		json_object_array_add(props, json_object_new_string("role"));
		json_object_object_add(a, "properties", props);
		newmail_call(calls, "Mailbox/get", a, "mb");
	}
	a = newmail_args(account_id);
	if (since_state != NULL) {
		json_object_object_add(a, "sinceState",
		    json_object_new_string(since_state));
		json_object_object_add(a, "maxChanges",
		    json_object_new_int(NEWMAIL_MAX_CHANGES));
		newmail_call(calls, "Email/changes", a, "ch");
	} else {
		filter = json_object_new_object();
		json_object_object_add(filter, "after",
		    json_object_new_string(after));
		json_object_object_add(a, "filter", filter);
		cmp = json_object_new_object();
		json_object_object_add(cmp, "property",
		    json_object_new_string("receivedAt"));
		json_object_object_add(cmp, "isAscending",
		    json_object_new_boolean(0));
		sort = json_object_new_array();
		json_object_array_add(sort, cmp);
		json_object_object_add(a, "sort", sort);
		json_object_object_add(a, "limit",
		    json_object_new_int(NEWMAIL_MAX_CHANGES));
		newmail_call(calls, "Email/query", a, "q");
	}
	a = newmail_args(account_id);
	json_object_object_add(a, "#ids", since_state != NULL ?
	    newmail_ref("ch", "Email/changes", "/created") :
	    newmail_ref("q", "Email/query", "/ids"));
	props = json_object_new_array();
	for (size_t i = 0; i < sizeof(newmail_properties) /
	    sizeof(newmail_properties[0]); i++)
		json_object_array_add(props,
		    json_object_new_string(newmail_properties[i]));
	json_object_object_add(a, "properties", props);
	newmail_call(calls, "Email/get", a, "get");
	return calls;
}

static char *
member_strdup(struct json_object *obj, const char *key)
{
	const char *s = jsonu_string_of(jsonu_member(obj, key));

	return s != NULL ? xstrdup(s) : NULL;
}

void
newmail_mailboxes_clear(struct newmail_mailboxes *mbx)
{
	for (size_t i = 0; i < mbx->n; i++) {
		free(mbx->v[i].id);
		free(mbx->v[i].name);
		free(mbx->v[i].role);
	}
	free(mbx->v);
	memset(mbx, 0, sizeof(*mbx));
}

static void
newmail_read_mailboxes(struct json_object *args,
    struct newmail_mailboxes *mbx)
{
	struct json_object	*list, *m;
	const char		*id;

	newmail_mailboxes_clear(mbx);
	if (!json_object_object_get_ex(args, "list", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		m = json_object_array_get_idx(list, i);
		if ((id = jsonu_string_of(jsonu_member(m, "id"))) == NULL)
			continue;
		mbx->v = xreallocarray(mbx->v, mbx->n + 1, sizeof(*mbx->v));
		mbx->v[mbx->n].id = xstrdup(id);
		mbx->v[mbx->n].name = member_strdup(m, "name");
		mbx->v[mbx->n].role = member_strdup(m, "role");
		mbx->n++;
	}
	mbx->valid = true;
}

static bool
newmail_selected(const struct config_notify *cfg,
    const struct newmail_mailboxes *mbx, const char *id)
{
	const struct newmail_mailbox *m = NULL;

	for (size_t i = 0; i < mbx->n && m == NULL; i++)
		if (strcmp(mbx->v[i].id, id) == 0)
			m = &mbx->v[i];
	if (m == NULL)
		return false;
	for (size_t i = 0; i < cfg->nmailboxes; i++)
		if ((m->role != NULL &&
		    strcasecmp(m->role, cfg->mailboxes[i]) == 0) ||
		    (m->name != NULL &&
		    strcmp(m->name, cfg->mailboxes[i]) == 0))
			return true;
	return false;
}

static bool
newmail_is_new(struct json_object *e, const struct config_notify *cfg,
    const struct newmail_mailboxes *mbx)
{
	struct json_object *kw, *seen, *ids;

	if (json_object_object_get_ex(e, "keywords", &kw) &&
	    json_object_is_type(kw, json_type_object) &&
	    json_object_object_get_ex(kw, "$seen", &seen) &&
	    json_object_is_type(seen, json_type_boolean) &&
	    json_object_get_boolean(seen))
		return false;
	if (!json_object_object_get_ex(e, "mailboxIds", &ids) ||
	    !json_object_is_type(ids, json_type_object))
		return false;
	json_object_object_foreach(ids, id, in) {
		if (json_object_is_type(in, json_type_boolean) &&
		    json_object_get_boolean(in) &&
		    newmail_selected(cfg, mbx, id))
			return true;
	}
	return false;
}

static void
newmail_add(struct newmail_result *res, struct json_object *e)
{
	struct json_object	*from, *addr;
	struct newmail		*m;
	size_t			 at;

	res->mails = xreallocarray(res->mails, res->nmails + 1,
	    sizeof(*res->mails));
	m = xcalloc(1, sizeof(*m));
	m->id = member_strdup(e, "id");
	m->subject = member_strdup(e, "subject");
	m->received_at = member_strdup(e, "receivedAt");
	if (json_object_object_get_ex(e, "from", &from) &&
	    json_object_is_type(from, json_type_array) &&
	    json_object_array_length(from) > 0) {
		addr = json_object_array_get_idx(from, 0);
		m->from_name = member_strdup(addr, "name");
		m->from_email = member_strdup(addr, "email");
	}
	/* Oldest first, so that the newest notification ends on top; equal
	 * times keep the server's order. */
	for (at = res->nmails; at > 0; at--) {
		const char *prev = res->mails[at - 1].received_at;

		if (m->received_at == NULL || (prev != NULL &&
		    strcmp(prev, m->received_at) <= 0))
			break;
		res->mails[at] = res->mails[at - 1];
	}
	res->mails[at] = *m;
	res->nmails++;
	free(m);
}

static void
newmail_read_emails(struct json_object *args,
    const struct config_notify *cfg, const struct newmail_mailboxes *mbx,
    struct newmail_result *res)
{
	struct json_object *list, *e;

	if (!json_object_object_get_ex(args, "list", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		if (jsonu_string_of(jsonu_member(e, "id")) != NULL &&
		    json_object_is_type(e, json_type_object) &&
		    newmail_is_new(e, cfg, mbx))
			newmail_add(res, e);
	}
}

static void
newmail_fail(struct newmail_result *res, enum newmail_status st,
    const char *what, const char *detail)
{
	if (res->status != NEWMAIL_OK)
		return;
	res->status = st;
	snprintf(res->error, sizeof(res->error), "%s%s", what, detail);
}

void
newmail_parse(struct json_object *responses, const struct config_notify *cfg,
    struct newmail_mailboxes *mbx, struct newmail_result *res)
{
	struct json_object	*r, *args, *get = NULL, *more;
	const char		*name, *id, *type, *state = NULL;
	bool			 changes = false;

	memset(res, 0, sizeof(*res));
	if (responses == NULL ||
	    !json_object_is_type(responses, json_type_array)) {
		newmail_fail(res, NEWMAIL_ERROR, "no methodResponses", "");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(responses); i++) {
		r = json_object_array_get_idx(responses, i);
		if (!json_object_is_type(r, json_type_array) ||
		    json_object_array_length(r) != 3 ||
		    !json_object_is_type(json_object_array_get_idx(r, 0),
		    json_type_string) ||
		    !json_object_is_type(args = json_object_array_get_idx(r, 1),
		    json_type_object) ||
		    !json_object_is_type(json_object_array_get_idx(r, 2),
		    json_type_string))
			continue;
		name = json_object_get_string(json_object_array_get_idx(r, 0));
		id = json_object_get_string(json_object_array_get_idx(r, 2));
		if (strcmp(name, "error") == 0) {
			type = jsonu_string_of(jsonu_member(args, "type"));
			if (strcmp(id, "ch") == 0 && type != NULL &&
			    strcmp(type, "cannotCalculateChanges") == 0)
				newmail_fail(res, NEWMAIL_CANNOT_CALCULATE,
				    "cannotCalculateChanges", "");
			else
				newmail_fail(res, NEWMAIL_ERROR, "error ",
				    type != NULL ? type : "(no type)");
		} else if (strcmp(name, "Mailbox/get") == 0 &&
		    strcmp(id, "mb") == 0)
			newmail_read_mailboxes(args, mbx);
		else if (strcmp(name, "Email/changes") == 0 &&
		    strcmp(id, "ch") == 0) {
			changes = true;
			state = jsonu_string_of(jsonu_member(args, "newState"));
			res->more = json_object_object_get_ex(args,
			    "hasMoreChanges", &more) &&
			    json_object_is_type(more, json_type_boolean) &&
			    json_object_get_boolean(more);
		} else if (strcmp(name, "Email/get") == 0 &&
		    strcmp(id, "get") == 0)
			get = args;
	}
	if (res->status != NEWMAIL_OK)
		return;
	if (get == NULL) {
		newmail_fail(res, NEWMAIL_ERROR, "no Email/get answer", "");
		return;
	}
	if (!changes)
		state = jsonu_string_of(jsonu_member(get, "state"));
	if (state == NULL) {
		newmail_fail(res, NEWMAIL_ERROR, "no Email state", "");
		return;
	}
	if (!mbx->valid) {
		newmail_fail(res, NEWMAIL_ERROR, "no Mailbox/get answer", "");
		return;
	}
	res->state = xstrdup(state);
	newmail_read_emails(get, cfg, mbx, res);
}

static void
newmail_free_mail(struct newmail *m)
{
	free(m->id);
	free(m->from_name);
	free(m->from_email);
	free(m->subject);
	free(m->received_at);
}

void
newmail_result_clear(struct newmail_result *res)
{
	for (size_t i = 0; i < res->nmails; i++)
		newmail_free_mail(&res->mails[i]);
	free(res->mails);
	free(res->state);
	memset(res, 0, sizeof(*res));
}

char *
newmail_text(const char *str, size_t max, bool markup)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), i = 0, o = 0, len;
	const char		*ent;
	char			*out;

	/* Each input byte grows to 6 at most ("&quot;", U+FFFD is 3). */
	out = xmalloc(max + 8);
	while (i < n) {
		char		 buf[8];
		size_t		 blen;

		ent = NULL;
		if ((len = utf8_seqlen(str + i, n - i)) == 0) {
			memcpy(buf, UTF8_REPLACEMENT, 3);
			blen = 3;
			len = 1;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			buf[0] = ' ';
			blen = 1;
		} else if (markup && (ent = s[i] == '&' ? "&amp;" :
		    s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" :
		    s[i] == '"' ? "&quot;" : s[i] == '\'' ? "&apos;" :
		    NULL) != NULL) {
			blen = strlen(ent);
			memcpy(buf, ent, blen);
		} else {
			memcpy(buf, s + i, len);
			blen = len;
		}
		if (o + blen > max) {
			/* "…" says the text was cut. */
			if (o + 3 > max)
				o = max >= 3 ? max - 3 : 0;
			memcpy(out + o, "\xe2\x80\xa6", 3);
			o += 3;
			break;
		}
		memcpy(out + o, buf, blen);
		o += blen;
		i += len;
	}
	out[o] = '\0';
	return out;
}

char *
newmail_sender(const struct newmail *m)
{
	char *s, *name = NULL, *email = NULL;

	if (m->from_name != NULL && *m->from_name != '\0')
		name = newmail_text(m->from_name, NEWMAIL_SUMMARY_MAX, false);
	if (m->from_email != NULL && *m->from_email != '\0')
		email = newmail_text(m->from_email, NEWMAIL_SUMMARY_MAX,
		    false);
	if (name != NULL && email != NULL)
		xasprintf(&s, "%s <%s>", name, email);
	else if (name != NULL || email != NULL)
		s = xstrdup(name != NULL ? name : email);
	else
		s = xstrdup("(unknown sender)");
	free(name);
	free(email);
	return s;
}

/* The shorter form a burst lists: the name, else the address. */
static const char *
newmail_sender_short(const struct newmail *m)
{
	if (m->from_name != NULL && *m->from_name != '\0')
		return m->from_name;
	if (m->from_email != NULL && *m->from_email != '\0')
		return m->from_email;
	return "(unknown sender)";
}

static char *
newmail_burst_body(const struct newmail *mails, size_t n)
{
	const char	*names[NEWMAIL_BURST_SENDERS];
	size_t		 nnames = 0, others = 0;
	char		*list = xstrdup(""), *tmp, *body;

	/* Newest first: the mails are sorted oldest first. */
	for (size_t i = n; i > 0; i--) {
		const char	*s = newmail_sender_short(&mails[i - 1]);
		bool		 dup = false;

		for (size_t j = 0; j < nnames; j++)
			dup = dup || strcmp(names[j], s) == 0;
		if (dup)
			continue;
		if (nnames < NEWMAIL_BURST_SENDERS)
			names[nnames++] = s;
		else
			others++;
	}
	for (size_t j = 0; j < nnames; j++) {
		xasprintf(&tmp, "%s%s%s", list, j == 0 ? "" :
		    j + 1 == nnames && others == 0 ? " and " : ", ", names[j]);
		free(list);
		list = tmp;
	}
	if (others > 0) {
		xasprintf(&tmp, "%s and %zu other%s", list, others,
		    others == 1 ? "" : "s");
		free(list);
		list = tmp;
	}
	xasprintf(&tmp, "From %s", list);
	free(list);
	body = newmail_text(tmp, NEWMAIL_BODY_MAX, true);
	free(tmp);
	return body;
}

size_t
newmail_notes(const struct newmail *mails, size_t n, unsigned max_per_burst,
    struct newmail_note **out)
{
	struct newmail_note *notes;

	*out = NULL;
	if (n == 0)
		return 0;
	if (n > max_per_burst) {
		notes = xcalloc(1, sizeof(*notes));
		xasprintf(&notes->summary, "%zu new messages", n);
		notes->body = newmail_burst_body(mails, n);
		*out = notes;
		return 1;
	}
	notes = xcalloc(n, sizeof(*notes));
	for (size_t i = 0; i < n; i++) {
		notes[i].summary = newmail_sender(&mails[i]);
		notes[i].body = newmail_text(mails[i].subject != NULL &&
		    *mails[i].subject != '\0' ? mails[i].subject :
		    "(no subject)", NEWMAIL_BODY_MAX, true);
	}
	*out = notes;
	return n;
}

void
newmail_notes_free(struct newmail_note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(notes[i].summary);
		free(notes[i].body);
	}
	free(notes);
}

void
newmail_notify_args(const struct config_notify *cfg,
    struct newmail_notify_args *a)
{
	a->app_name = "jmap-pushd";
	a->app_icon = "mail-unread";
	a->category = "email.arrived";
	a->desktop_entry = "jmap-pushd";
	a->urgency = cfg->urgency == URGENCY_LOW ? 0 :
	    cfg->urgency == URGENCY_CRITICAL ? 2 : 1;
	a->expire_timeout = cfg->timeout_ms;
}

void
newmail_utcdate(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}
