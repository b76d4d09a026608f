/* SPDX-License-Identifier: ISC */
/*
 * A round's mail events as each output sees them.  Filtering and merging
 * happen here once, so that a hook's environment, its stdin, the socket and
 * D-Bus all agree on which mailboxes changed and what counts as new.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "session/mailbox.h"
#include "config/mailmatch.h"
#include "session/mailresult.h"
#include "util/xmalloc.h"

static char *
mailresult_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
mailresult_free_new(struct mailresult_new *n)
{
	free(n->id);
	free(n->mailbox);
	for (size_t i = 0; i < n->nbox_ids; i++)
		free(n->box_ids[i]);
	free(n->box_ids);
	for (size_t i = 0; i < n->nfrom; i++) {
		free(n->from[i].name);
		free(n->from[i].email);
	}
	free(n->from);
	free(n->subject);
	free(n->received_at);
	free(n->message_id);
	free(n->thread_id);
	free(n->preview);
}

void
mailresult_clear(struct mailresult *r)
{
	for (size_t i = 0; i < r->nboxes; i++) {
		free(r->boxes[i].id);
		free(r->boxes[i].path);
		free(r->boxes[i].role);
	}
	free(r->boxes);
	for (size_t i = 0; i < r->nnews; i++)
		mailresult_free_new(&r->news[i]);
	free(r->news);
	for (size_t i = 0; i < r->ntouched; i++) {
		free(r->touched[i].id);
		for (size_t k = 0; k < r->touched[i].nbox_ids; k++)
			free(r->touched[i].box_ids[k]);
		free(r->touched[i].box_ids);
	}
	free(r->touched);
	memset(r, 0, sizeof(*r));
}

struct mailresult_box *
mailresult_box(const struct mailresult *r, const char *id)
{
	for (size_t i = 0; i < r->nboxes; i++)
		if (strcmp(r->boxes[i].id, id) == 0)
			return &r->boxes[i];
	return NULL;
}

static struct mailresult_box *
mailresult_add_box(struct mailresult *r, const struct mailresult_box *b)
{
	struct mailresult_box *d;

	r->boxes = xreallocarray(r->boxes, r->nboxes + 1, sizeof(*r->boxes));
	d = &r->boxes[r->nboxes++];
	*d = *b;
	d->id = xstrdup(b->id);
	d->path = xstrdup(b->path);
	d->role = mailresult_dup(b->role);
	return d;
}

/* Appends a copy of n, new in the mailbox at path. */
static void
mailresult_add_new(struct mailresult *r, const struct mailresult_new *n,
    const char *path)
{
	struct mailresult_new *d;

	r->news = xreallocarray(r->news, r->nnews + 1, sizeof(*r->news));
	d = &r->news[r->nnews++];
	memset(d, 0, sizeof(*d));
	d->id = xstrdup(n->id);
	d->mailbox = xstrdup(path);
	d->box_ids = xcalloc(n->nbox_ids + 1, sizeof(*d->box_ids));
	for (size_t i = 0; i < n->nbox_ids; i++)
		d->box_ids[i] = xstrdup(n->box_ids[i]);
	d->nbox_ids = n->nbox_ids;
	d->from = xcalloc(n->nfrom + 1, sizeof(*d->from));
	for (size_t i = 0; i < n->nfrom; i++) {
		d->from[i].name = mailresult_dup(n->from[i].name);
		d->from[i].email = mailresult_dup(n->from[i].email);
	}
	d->nfrom = n->nfrom;
	d->subject = mailresult_dup(n->subject);
	d->received_at = mailresult_dup(n->received_at);
	d->message_id = mailresult_dup(n->message_id);
	d->thread_id = mailresult_dup(n->thread_id);
	d->preview = mailresult_dup(n->preview);
}

/* A kept mailbox's id and its place in path order, sorted by id so that
 * each new email finds its first kept mailbox in O(its ids * log n). */
struct mailresult_rank {
	const char	*id;
	size_t		 pos;
};

static int
mailresult_cmp_rank(const void *a, const void *b)
{
	return strcmp(((const struct mailresult_rank *)a)->id,
	    ((const struct mailresult_rank *)b)->id);
}

/* The first (in path order) box of r that n is new in, or (size_t)-1. */
static size_t
mailresult_first_box(const struct mailresult_rank *ranks, size_t nranks,
    const struct mailresult_new *n)
{
	struct mailresult_rank	 key, *hit;
	size_t			 best = (size_t)-1;

	for (size_t i = 0; i < n->nbox_ids; i++) {
		key.id = n->box_ids[i];
		hit = nranks == 0 ? NULL : bsearch(&key, ranks, nranks,
		    sizeof(*ranks), mailresult_cmp_rank);
		if (hit != NULL && hit->pos < best)
			best = hit->pos;
	}
	return best;
}

void
mailresult_filter(const struct mailresult *r,
    const struct mailbox_cache *cache, const struct mailmatch *mm,
    unsigned events, const char *only, struct mailresult *out)
{
	const struct mailresult_box	*b;
	struct mailresult_rank		*ranks;
	size_t				 k;

	memset(out, 0, sizeof(*out));
	out->wanted = events;
	for (size_t i = 0; i < r->nboxes; i++) {
		b = &r->boxes[i];
		if ((only != NULL && strcmp(b->id, only) != 0) ||
		    (mm != NULL && !mailmatch_mailbox(mm, b->path, b->role)) ||
		    (b->events & events) == 0)
			continue;
		mailresult_add_box(out, b);
		out->new_count += b->unfetched;
	}
	/* Each email once, named by the first kept mailbox it is new in. */
	ranks = xcalloc(out->nboxes + 1, sizeof(*ranks));
	for (k = 0; k < out->nboxes; k++) {
		ranks[k].id = out->boxes[k].id;
		ranks[k].pos = k;
	}
	if (out->nboxes > 1)
		qsort(ranks, out->nboxes, sizeof(*ranks), mailresult_cmp_rank);
	for (size_t i = 0; i < r->nnews; i++) {
		if ((k = mailresult_first_box(ranks, out->nboxes,
		    &r->news[i])) == (size_t)-1)
			continue;
		out->new_count++;
		if (out->nnews < MAILRESULT_NEW_MAX)
			mailresult_add_new(out, &r->news[i], out->boxes[k].path);
	}
	free(ranks);
	for (size_t i = 0; i < cache->n; i++) {
		const struct mailbox *m = &cache->v[i];

		if (only != NULL ? strcmp(m->id, only) == 0 :
		    mm == NULL || mailmatch_mailbox(mm, m->path, m->role))
			out->unread = m->unread > INT64_MAX - out->unread ?
			    INT64_MAX : out->unread + m->unread;
	}
}

static int
mailresult_cmp_box(const void *a, const void *b)
{
	const struct mailresult_box *x = a, *y = b;
	int d = strcmp(x->path, y->path);

	return d != 0 ? d : strcmp(x->id, y->id);
}

void
mailresult_merge(struct mailresult *dst, const struct mailresult *src)
{
	struct mailresult_box *d;

	for (size_t i = 0; i < src->nboxes; i++) {
		const struct mailresult_box *s = &src->boxes[i];

		if ((d = mailresult_box(dst, s->id)) == NULL) {
			mailresult_add_box(dst, s);
			continue;
		}
		free(d->path);
		d->path = xstrdup(s->path);
		free(d->role);
		d->role = mailresult_dup(s->role);
		d->unread = s->unread;
		d->total = s->total;
		d->events |= s->events;
		d->nnew += s->nnew;
		d->unfetched += s->unfetched;
		d->props_changed = d->props_changed || s->props_changed;
	}
	if (dst->nboxes > 1)
		qsort(dst->boxes, dst->nboxes, sizeof(*dst->boxes),
		    mailresult_cmp_box);
	for (size_t i = 0; i < src->nnews && dst->nnews < MAILRESULT_NEW_MAX;
	    i++)
		mailresult_add_new(dst, &src->news[i], src->news[i].mailbox);
	dst->new_count += src->new_count;
	dst->unread = src->unread;
	dst->wanted |= src->wanted;
	dst->list_changed = dst->list_changed || src->list_changed;
}

char **
mailresult_env(const struct mailresult *r)
{
	char		**env = xcalloc(6, sizeof(*env)), *paths, *tmp;
	char		  events[32];
	unsigned	  happened = 0;
	size_t		  n = 0;

	paths = xstrdup("");
	for (size_t i = 0; i < r->nboxes; i++) {
		xasprintf(&tmp, "%s%s%s", paths, i > 0 ? "\n" : "",
		    r->boxes[i].path);
		free(paths);
		paths = tmp;
		happened |= r->boxes[i].events;
	}
	xasprintf(&env[n++], "JMAP_MAILBOXES=%s", paths);
	free(paths);
	if (r->nboxes == 1)
		xasprintf(&env[n++], "JMAP_MAILBOX=%s", r->boxes[0].path);
	xasprintf(&env[n++], "JMAP_EVENTS=%s",
	    mailmatch_events_string(happened & r->wanted, events,
	    sizeof(events)));
	xasprintf(&env[n++], "JMAP_NEW_COUNT=%" PRIu64, r->new_count);
	xasprintf(&env[n++], "JMAP_UNREAD=%" PRId64, r->unread);
	return env;
}

static struct json_object *
mailresult_jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_object *
mailresult_new_json(const struct mailresult_new *n)
{
	struct json_object *o = json_object_new_object(), *from, *a;

	json_object_object_add(o, "id", json_object_new_string(n->id));
	json_object_object_add(o, "mailbox", mailresult_jstr(n->mailbox));
	from = json_object_new_array();
	for (size_t i = 0; i < n->nfrom; i++) {
		a = json_object_new_object();
		json_object_object_add(a, "name",
		    mailresult_jstr(n->from[i].name));
		json_object_object_add(a, "email",
		    mailresult_jstr(n->from[i].email));
		json_object_array_add(from, a);
	}
	json_object_object_add(o, "from", from);
	json_object_object_add(o, "subject", mailresult_jstr(n->subject));
	json_object_object_add(o, "receivedAt",
	    mailresult_jstr(n->received_at));
	json_object_object_add(o, "messageId", mailresult_jstr(n->message_id));
	json_object_object_add(o, "threadId", mailresult_jstr(n->thread_id));
	json_object_object_add(o, "preview", mailresult_jstr(n->preview));
	return o;
}

static size_t
mailresult_json_len(struct json_object *o)
{
	return strlen(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

struct json_object *
mailresult_json(const struct mailresult *r, const char *account_id,
    size_t max_bytes)
{
	struct json_object	*o = json_object_new_object(), *boxes, *b, *ev;
	struct json_object	*news = json_object_new_array(), *n;
	char			 events[32], *w, *save;
	size_t			 used, added = 0;

	json_object_object_add(o, "accountId", mailresult_jstr(account_id));
	boxes = json_object_new_array();
	for (size_t i = 0; i < r->nboxes; i++) {
		const struct mailresult_box *x = &r->boxes[i];

		b = json_object_new_object();
		json_object_object_add(b, "id", json_object_new_string(x->id));
		json_object_object_add(b, "path",
		    json_object_new_string(x->path));
		json_object_object_add(b, "role", mailresult_jstr(x->role));
		json_object_object_add(b, "unread",
		    json_object_new_int64(x->unread));
		json_object_object_add(b, "total",
		    json_object_new_int64(x->total));
		ev = json_object_new_array();
		mailmatch_events_string(x->events, events, sizeof(events));
		for (w = strtok_r(events, " ", &save); w != NULL;
		    w = strtok_r(NULL, " ", &save))
			json_object_array_add(ev, json_object_new_string(w));
		json_object_object_add(b, "events", ev);
		json_object_array_add(boxes, b);
	}
	json_object_object_add(o, "mailboxes", boxes);
	json_object_object_add(o, "new", news);
	/* The newTruncated digits are counted as if all were left out. */
	json_object_object_add(o, "newTruncated",
	    json_object_new_int64((int64_t)r->new_count));
	used = mailresult_json_len(o);
	for (size_t i = 0; i < r->nnews && i < MAILRESULT_NEW_MAX; i++) {
		n = mailresult_new_json(&r->news[i]);
		used += mailresult_json_len(n) + (added > 0 ? 1 : 0);
		if (used > max_bytes) {
			json_object_put(n);
			break;
		}
		json_object_array_add(news, n);
		added++;
	}
	json_object_object_add(o, "newTruncated", json_object_new_int64(
	    (int64_t)(r->new_count > added ? r->new_count - added : 0)));
	return o;
}
