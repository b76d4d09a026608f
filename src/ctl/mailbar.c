/* SPDX-License-Identifier: ISC */
/*
 * jmap-pushctl watch --waybar, --i3blocks and --format with mail fields.
 * The daemon filters by --mailboxes (its subscribe and status take the
 * same list), so every mailbox this sees is counted: the status reply
 * gives the counts to start from, mailbox events replace them, mail
 * events bring the new messages.  Nothing is polled; only a connection
 * that failed or ended is tried again, after 1, 2, 4, then every 8
 * seconds.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl/ctlconn.h"
#include "ctl/mailbar.h"
#include "ctl/watch.h"
#include "util/xmalloc.h"

/* The tooltip's last new messages. */
#define MAILBAR_RECENT		5
#define MAILBAR_RETRY_MAX	8

struct mailbar_box {
	char	*account, *account_id, *id, *path;
	int64_t	 unread, total;
};

struct mailbar_acct {
	char	*name, *status;
};

struct mailbar {
	enum mailbar_mode	 mode;
	const char		*fmt;
	struct json_object	*mailboxes;	/* the --mailboxes items */
	struct mailbar_box	*boxes;		/* in the daemon's order */
	size_t			 nboxes;
	struct mailbar_acct	*accts;
	size_t			 naccts;
	char			*recent[MAILBAR_RECENT]; /* newest first */
	bool			 reachable;
	bool			 muted;		/* notifications muted */
	char			*last;		/* the line printed last */
};

int
mailbar_format_is_mail(const char *fmt)
{
	static const char *fields[] = {
		"{unread}", "{new}", "{mailbox}", "{from}", "{subject}",
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strstr(fmt, fields[i]) != NULL)
			return 1;
	return 0;
}

/* o's member key as a count; 0 when it is not a non-negative integer. */
static int64_t
mailbar_count(struct json_object *o, const char *key)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	n = json_object_get_int64(v);
	return n < 0 ? 0 : n;
}

/* Forgets every account and mailbox (the daemon is gone, or a status reply
 * brings them all again); the last new messages stay for the tooltip. */
static void
mailbar_forget(struct mailbar *mb)
{
	for (size_t i = 0; i < mb->nboxes; i++) {
		free(mb->boxes[i].account);
		free(mb->boxes[i].account_id);
		free(mb->boxes[i].id);
		free(mb->boxes[i].path);
	}
	free(mb->boxes);
	mb->boxes = NULL;
	mb->nboxes = 0;
	for (size_t i = 0; i < mb->naccts; i++) {
		free(mb->accts[i].name);
		free(mb->accts[i].status);
	}
	free(mb->accts);
	mb->accts = NULL;
	mb->naccts = 0;
}

/* The account called name, added when new. */
static struct mailbar_acct *
mailbar_acct(struct mailbar *mb, const char *name)
{
	for (size_t i = 0; i < mb->naccts; i++)
		if (strcmp(mb->accts[i].name, name) == 0)
			return &mb->accts[i];
	mb->accts = xreallocarray(mb->accts, mb->naccts + 1,
	    sizeof(*mb->accts));
	mb->accts[mb->naccts] = (struct mailbar_acct){ xstrdup(name),
	    xstrdup("unknown") };
	return &mb->accts[mb->naccts++];
}

/* A mailbox entry (of a status reply or a mailbox event) of account:
 * replaces the one with the same accountId and id, or is added. */
static void
mailbar_box_set(struct mailbar *mb, const char *account,
    const char *account_id, struct json_object *e)
{
	const char *id = ctl_str(e, "id");
	struct mailbar_box *b = NULL;

	if (id == NULL || account_id == NULL)
		return;
	for (size_t i = 0; i < mb->nboxes && b == NULL; i++)
		if (strcmp(mb->boxes[i].account, account) == 0 &&
		    strcmp(mb->boxes[i].account_id, account_id) == 0 &&
		    strcmp(mb->boxes[i].id, id) == 0)
			b = &mb->boxes[i];
	if (b == NULL) {
		mb->boxes = xreallocarray(mb->boxes, mb->nboxes + 1,
		    sizeof(*mb->boxes));
		b = &mb->boxes[mb->nboxes++];
		b->account = xstrdup(account);
		b->account_id = xstrdup(account_id);
		b->id = xstrdup(id);
	} else
		free(b->path);
	b->path = xstrdup(ctl_str_or(e, "path", id));
	b->unread = mailbar_count(e, "unread");
	b->total = mailbar_count(e, "total");
}

/* Forgets the mailboxes of account's accountId (a complete list
 * follows). */
static void
mailbar_box_drop(struct mailbar *mb, const char *account,
    const char *account_id)
{
	size_t j = 0;

	for (size_t i = 0; i < mb->nboxes; i++) {
		struct mailbar_box *b = &mb->boxes[i];

		if (strcmp(b->account, account) == 0 &&
		    strcmp(b->account_id, account_id) == 0) {
			free(b->account);
			free(b->account_id);
			free(b->id);
			free(b->path);
		} else
			mb->boxes[j++] = *b;
	}
	mb->nboxes = j;
}

/* "muted" of a status reply or a mute event. */
static void
mailbar_mute(struct mailbar *mb, struct json_object *o)
{
	struct json_object *v;

	mb->muted = json_object_object_get_ex(o, "muted", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

/* A status reply: where every account stands and its mailboxes' counts,
 * from scratch. */
static void
mailbar_status(struct mailbar *mb, struct json_object *reply)
{
	struct json_object *accts, *boxes;
	struct mailbar_acct *acct;

	mailbar_forget(mb);
	mailbar_mute(mb, reply);
	if (!json_object_object_get_ex(reply, "accounts", &accts) ||
	    !json_object_is_type(accts, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(accts); i++) {
		struct json_object *a = json_object_array_get_idx(accts, i);
		const char *name = ctl_str(a, "account");

		if (name == NULL)
			continue;
		acct = mailbar_acct(mb, name);
		free(acct->status);
		acct->status = xstrdup(ctl_str_or(a, "status", "unknown"));
		if (!json_object_object_get_ex(a, "mailboxes", &boxes) ||
		    !json_object_is_type(boxes, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(boxes); k++) {
			struct json_object *e =
			    json_object_array_get_idx(boxes, k);

			mailbar_box_set(mb, name, ctl_str(e, "accountId"), e);
		}
	}
}

/* The unread emails of every mailbox counted (the daemon sends only those
 * that match --mailboxes). */
static int64_t
mailbar_unread(const struct mailbar *mb)
{
	int64_t n = 0;

	for (size_t i = 0; i < mb->nboxes; i++)
		n += mb->boxes[i].unread;
	return n;
}

/* "Name <addr>", or the address (or the name) alone, of a new entry's
 * first sender; "" when it has none.  Caller frees. */
static char *
mailbar_from(struct json_object *e)
{
	struct json_object *from, *a;
	const char *name, *email;
	char *s;

	if (!json_object_object_get_ex(e, "from", &from) ||
	    !json_object_is_type(from, json_type_array) ||
	    json_object_array_length(from) == 0)
		return xstrdup("");
	a = json_object_array_get_idx(from, 0);
	name = ctl_str(a, "name");
	email = ctl_str(a, "email");
	if (name != NULL && *name != '\0' && email != NULL)
		xasprintf(&s, "%s <%s>", name, email);
	else
		s = xstrdup(email != NULL ? email : name != NULL ? name : "");
	return s;
}

/* The tooltip's line for a new message. */
static void
mailbar_recent_add(struct mailbar *mb, struct json_object *e)
{
	char *from = mailbar_from(e), *line;

	xasprintf(&line, "%s: %s", from, ctl_str_or(e, "subject", ""));
	free(from);
	free(mb->recent[MAILBAR_RECENT - 1]);
	memmove(&mb->recent[1], &mb->recent[0],
	    (MAILBAR_RECENT - 1) * sizeof(mb->recent[0]));
	mb->recent[0] = line;
}

/* --format with mail fields: one line for a mail event, its fields those
 * of the first new message. */
static void
mailbar_format(struct mailbar *mb, struct json_object *ev)
{
	struct json_object *o = json_object_new_object(), *news, *first = NULL;
	int64_t n = 0;
	char buf[32], *from;

	if (json_object_object_get_ex(ev, "new", &news) &&
	    json_object_is_type(news, json_type_array)) {
		n = (int64_t)json_object_array_length(news);
		if (n > 0)
			first = json_object_array_get_idx(news, 0);
	}
	n += mailbar_count(ev, "newTruncated");
	json_object_object_foreach(ev, k, v)
		if (strcmp(k, "new") != 0)
			json_object_object_add(o, k, json_object_get(v));
	snprintf(buf, sizeof(buf), "%lld", (long long)mailbar_unread(mb));
	json_object_object_add(o, "unread", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%lld", (long long)n);
	json_object_object_add(o, "new", json_object_new_string(buf));
	from = first != NULL ? mailbar_from(first) : xstrdup("");
	json_object_object_add(o, "from", json_object_new_string(from));
	free(from);
	json_object_object_add(o, "mailbox", json_object_new_string(
	    first != NULL ? ctl_str_or(first, "mailbox", "") : ""));
	json_object_object_add(o, "subject", json_object_new_string(
	    first != NULL ? ctl_str_or(first, "subject", "") : ""));
	watch_print_format(mb->fmt, o);
	fflush(stdout);
	json_object_put(o);
}

/* One event of the subscription. */
static void
mailbar_event(struct mailbar *mb, struct json_object *ev, const char *kind)
{
	const char *account = ctl_str(ev, "account");
	const char *account_id = ctl_str(ev, "accountId");
	struct json_object *arr, *c;

	if (strcmp(kind, "mute") == 0) {
		mailbar_mute(mb, ev);
		return;
	}
	if (account == NULL)
		return;
	if (strcmp(kind, "connection") == 0) {
		struct mailbar_acct *a = mailbar_acct(mb, account);

		free(a->status);
		a->status = xstrdup(ctl_str_or(ev, "status", "unknown"));
	} else if (strcmp(kind, "mailbox") == 0 && account_id != NULL &&
	    json_object_object_get_ex(ev, "mailboxes", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		if (json_object_object_get_ex(ev, "complete", &c) &&
		    json_object_get_boolean(c))
			mailbar_box_drop(mb, account, account_id);
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			mailbar_box_set(mb, account, account_id,
			    json_object_array_get_idx(arr, i));
	} else if (strcmp(kind, "mail") == 0) {
		if (mb->mode == MAILBAR_FORMAT) {
			mailbar_format(mb, ev);
			return;
		}
		if (json_object_object_get_ex(ev, "new", &arr) &&
		    json_object_is_type(arr, json_type_array))
			for (size_t i = 0; i < json_object_array_length(arr);
			    i++)
				mailbar_recent_add(mb,
				    json_object_array_get_idx(arr, i));
	}
}

/* unread, empty, muted (notifications are, whatever the count), error (an
 * account's credentials were refused) or disconnected (the daemon or an
 * account is not connected), the last two before the others. */
static const char *
mailbar_class(const struct mailbar *mb)
{
	bool down = !mb->reachable;

	for (size_t i = 0; i < mb->naccts && mb->reachable; i++) {
		if (strcmp(mb->accts[i].status, "auth_failed") == 0)
			return "error";
		if (strcmp(mb->accts[i].status, "connected") != 0)
			down = true;
	}
	if (down)
		return "disconnected";
	if (mb->muted)
		return "muted";
	return mailbar_unread(mb) > 0 ? "unread" : "empty";
}

/* s with Pango markup's &, < and > escaped (waybar reads markup) appended
 * to the string *buf. */
static void
mailbar_cat_markup(char **buf, const char *s)
{
	size_t len = strlen(*buf), n = len + 1;

	for (const char *p = s; *p != '\0'; p++)
		n += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : 1;
	*buf = xrealloc(*buf, n);
	for (const char *p = s; *p != '\0'; p++) {
		const char *r = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
		    *p == '>' ? "&gt;" : NULL;

		if (r != NULL) {
			memcpy(*buf + len, r, strlen(r));
			len += strlen(r);
		} else
			(*buf)[len++] = *p;
	}
	(*buf)[len] = '\0';
}

/* The bar's line as it stands now.  Caller frees. */
static char *
mailbar_line(const struct mailbar *mb)
{
	const char *cls = mailbar_class(mb);
	struct json_object *o;
	char text[32], *tip, *line, *l;

	if (mb->reachable)
		snprintf(text, sizeof(text), "%lld",
		    (long long)mailbar_unread(mb));
	else
		snprintf(text, sizeof(text), "-");
	/* i3blocks keeps only the text of each line: the mute is said
	 * there, as waybar's class says it. */
	if (mb->mode == MAILBAR_I3BLOCKS) {
		xasprintf(&line, "%s%s\n", text, strcmp(cls, "muted") == 0 ?
		    " (muted)" : "");
		return line;
	}
	tip = xstrdup("");
	if (!mb->reachable)
		mailbar_cat_markup(&tip, "jmap-pushd cannot be reached; "
		    "retrying");
	for (size_t i = 0; i < mb->naccts && mb->reachable; i++) {
		const struct mailbar_acct *a = &mb->accts[i];

		for (size_t k = 0; k < mb->nboxes; k++) {
			const struct mailbar_box *b = &mb->boxes[k];

			if (strcmp(b->account, a->name) != 0)
				continue;
			xasprintf(&l, "%s%s %s: %lld unread, %lld total",
			    *tip != '\0' ? "\n" : "", a->name, b->path,
			    (long long)b->unread, (long long)b->total);
			mailbar_cat_markup(&tip, l);
			free(l);
		}
		if (strcmp(a->status, "connected") != 0) {
			xasprintf(&l, "%s%s: %s", *tip != '\0' ? "\n" : "",
			    a->name, a->status);
			mailbar_cat_markup(&tip, l);
			free(l);
		}
	}
	for (size_t i = 0; i < MAILBAR_RECENT && mb->recent[i] != NULL; i++) {
		if (*tip != '\0')
			mailbar_cat_markup(&tip, "\n");
		mailbar_cat_markup(&tip, mb->recent[i]);
	}
	o = json_object_new_object();
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "tooltip", json_object_new_string(tip));
	json_object_object_add(o, "class", json_object_new_string(cls));
	json_object_object_add(o, "alt", json_object_new_string(cls));
	xasprintf(&line, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(tip);
	return line;
}

/* Prints the bar's line when it changed. */
static void
mailbar_print(struct mailbar *mb)
{
	char *line;

	if (mb->mode == MAILBAR_FORMAT)
		return;
	line = mailbar_line(mb);
	if (mb->last != NULL && strcmp(mb->last, line) == 0) {
		free(line);
		return;
	}
	fputs(line, stdout);
	fflush(stdout);
	free(mb->last);
	mb->last = line;
}

/* {"cmd": name, "mailboxes": [...]}, plus the events for subscribe. */
static struct json_object *
mailbar_cmd(const struct mailbar *mb, const char *name)
{
	struct json_object *o = ctl_cmd_new(name), *ev;

	if (strcmp(name, "subscribe") == 0) {
		ev = json_object_new_array();
		if (mb->mode != MAILBAR_FORMAT)
			json_object_array_add(ev,
			    json_object_new_string("connection"));
		json_object_array_add(ev, json_object_new_string("mailbox"));
		json_object_array_add(ev, json_object_new_string("mail"));
		/* waybar's class and i3blocks's text show it. */
		if (mb->mode != MAILBAR_FORMAT)
			json_object_array_add(ev,
			    json_object_new_string("mute"));
		json_object_object_add(o, "events", ev);
	}
	json_object_object_add(o, "mailboxes",
	    json_object_get(mb->mailboxes));
	return o;
}

/* One connection, until the daemon closes it. */
static void
mailbar_session(struct mailbar *mb, FILE *f)
{
	struct json_object *o;
	bool ready = false;
	char *raw;

	if (ctl_try_send(f, mailbar_cmd(mb, "subscribe")) == -1 ||
	    ctl_try_send(f, mailbar_cmd(mb, "status")) == -1)
		return;
	while ((o = ctl_read(f, &raw)) != NULL) {
		const char *kind = ctl_str(o, "event");
		const char *reply = ctl_str(o, "reply");

		if (kind != NULL && ready) {
			mailbar_event(mb, o, kind);
			mailbar_print(mb);
		} else if (reply != NULL && strcmp(reply, "status") == 0) {
			mailbar_status(mb, o);
			mb->reachable = ready = true;
			mailbar_print(mb);
		} else if (kind == NULL && ctl_str(o, "error") != NULL) {
			/* Our command refused is the user's to fix; a refused
			 * connection (no "cmd") is retried. */
			if (ctl_str(o, "cmd") != NULL) {
				fprintf(stderr, "jmap-pushctl: %s\n",
				    ctl_str(o, "error"));
				exit(1);
			}
			json_object_put(o);
			break;
		}
		json_object_put(o);
	}
}

int
mailbar_run(const char *path, enum mailbar_mode mode, const char *mailboxes,
    const char *fmt)
{
	struct mailbar mb;
	unsigned delay = 1;
	const char *p, *comma;
	char *why;
	FILE *f;

	memset(&mb, 0, sizeof(mb));
	mb.mode = mode;
	mb.fmt = fmt;
	/* The daemon trims the items and says what is wrong with them. */
	mb.mailboxes = json_object_new_array();
	for (p = mailboxes != NULL ? mailboxes : "inbox"; ; p = comma + 1) {
		comma = strchr(p, ',');
		json_object_array_add(mb.mailboxes, json_object_new_string_len(
		    p, comma != NULL ? (int)(comma - p) : (int)strlen(p)));
		if (comma == NULL)
			break;
	}
	for (;;) {
		if ((f = ctl_try_connect(path, &why)) == NULL &&
		    mode == MAILBAR_FORMAT) {
			fprintf(stderr, "jmap-pushctl: %s\n", why);
			exit(1);
		}
		free(why);
		if (f != NULL) {
			mailbar_session(&mb, f);
			fclose(f);
			if (mb.reachable)
				delay = 1;
		}
		if (mode == MAILBAR_FORMAT)
			break;
		mb.reachable = false;
		mailbar_forget(&mb);
		mailbar_print(&mb);
		sleep(delay);
		delay = delay * 2 > MAILBAR_RETRY_MAX ? MAILBAR_RETRY_MAX :
		    delay * 2;
	}
	fprintf(stderr, "jmap-pushctl: the daemon closed the connection\n");
	mailbar_forget(&mb);
	for (size_t i = 0; i < MAILBAR_RECENT; i++)
		free(mb.recent[i]);
	free(mb.last);
	json_object_put(mb.mailboxes);
	return 1;
}
