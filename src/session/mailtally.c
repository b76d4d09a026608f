/* SPDX-License-Identifier: ISC */
/*
 * The event rules of the mail view.  Emails are matched to mailboxes by id
 * through the cache; an id the cache does not know names no mailbox, so
 * nothing here can point outside it.  Every string kept is a copy made by
 * mailbox_string().
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "session/mailtally.h"
#include "util/json.h"
#include "util/xmalloc.h"

/* An email's mailboxes as last seen. */
struct mailtally_email {
	char	 *id;
	char	**boxes;
	size_t	  nboxes;
};

/* The memory, a ring: the oldest email is forgotten first. */
struct mailtally_seen {
	struct mailtally_email	*v;		/* MAILTALLY_SEEN_MAX */
	size_t			 next;		/* slot the next one takes */
};

static void
mailtally_forget(struct mailtally_email *s)
{
	free(s->id);
	for (size_t i = 0; i < s->nboxes; i++)
		free(s->boxes[i]);
	free(s->boxes);
	memset(s, 0, sizeof(*s));
}

struct mailtally_seen *
mailtally_seen_new(void)
{
	struct mailtally_seen *v = xcalloc(1, sizeof(*v));

	v->v = xcalloc(MAILTALLY_SEEN_MAX, sizeof(*v->v));
	return v;
}

void
mailtally_seen_free(struct mailtally_seen *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < MAILTALLY_SEEN_MAX; i++)
		mailtally_forget(&v->v[i]);
	free(v->v);
	free(v);
}

void
mailtally_init(struct mailtally *t, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->events = xcalloc(n + 1, sizeof(*t->events));
	t->nnew = xcalloc(n + 1, sizeof(*t->nnew));
	t->unfetched = xcalloc(n + 1, sizeof(*t->unfetched));
	t->delta = xcalloc(n + 1, sizeof(*t->delta));
}

void
mailtally_clear(struct mailtally *t)
{
	free(t->events);
	free(t->nnew);
	free(t->unfetched);
	free(t->delta);
	memset(t, 0, sizeof(*t));
}

static struct mailtally_email *
mailtally_lookup(const struct mailtally_seen *v, const char *id)
{
	for (size_t i = 0; i < MAILTALLY_SEEN_MAX; i++)
		if (v->v[i].id != NULL && strcmp(v->v[i].id, id) == 0)
			return &v->v[i];
	return NULL;
}

/* Remembers (or forgets, when there are too many) id's mailboxes. */
static void
mailtally_remember(struct mailtally_seen *v, const char *id, char *const *boxes,
    size_t n)
{
	struct mailtally_email *s = mailtally_lookup(v, id);

	if (s != NULL)
		mailtally_forget(s);
	if (n > MAILTALLY_BOXES)
		return;
	if (s == NULL) {
		s = &v->v[v->next];
		v->next = (v->next + 1) % MAILTALLY_SEEN_MAX;
		mailtally_forget(s);
	}
	s->id = xstrdup(id);
	s->boxes = xcalloc(n + 1, sizeof(*s->boxes));
	for (size_t i = 0; i < n; i++)
		s->boxes[i] = xstrdup(boxes[i]);
	s->nboxes = n;
}

bool
mailtally_true(struct json_object *obj, const char *key)
{
	struct json_object *v = jsonu_member(obj, key);

	return json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

/* The "list" array of a get answer; an empty one when absent. */
size_t
mailtally_list(struct json_object *args, struct json_object **listp)
{
	struct json_object *l = jsonu_member(args, "list");

	*listp = json_object_is_type(l, json_type_array) ? l : NULL;
	return *listp != NULL ? json_object_array_length(l) : 0;
}

/* The ids of obj's members set to true (mailboxIds), at most max + 1. */
static size_t
mailtally_true_keys(struct json_object *obj, char ***out, size_t max)
{
	size_t n = 0;

	*out = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return 0;
	json_object_object_foreach(obj, key, val) {
		if (!json_object_is_type(val, json_type_boolean) ||
		    !json_object_get_boolean(val))
			continue;
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = xstrdup(key);
		if (n > max)
			break;
	}
	return n;
}

static void
mailtally_free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* Copies what an output shows of a new email into r. */
static void
mailtally_add_new(struct mailresult *r, struct json_object *e, const char *id,
    char **boxes, size_t nboxes)
{
	struct mailresult_new	*n;
	struct json_object	*from, *mid;

	r->news = xreallocarray(r->news, r->nnews + 1, sizeof(*r->news));
	n = &r->news[r->nnews++];
	memset(n, 0, sizeof(*n));
	n->id = mailbox_string(jsonu_member(e, "id"));
	if (n->id == NULL)
		n->id = xstrdup(id);
	n->box_ids = xcalloc(nboxes + 1, sizeof(*n->box_ids));
	for (size_t i = 0; i < nboxes; i++)
		n->box_ids[n->nbox_ids++] = xstrdup(boxes[i]);
	from = jsonu_member(e, "from");
	if (json_object_is_type(from, json_type_array)) {
		size_t k = json_object_array_length(from);

		if (k > MAILTALLY_FROM_MAX)
			k = MAILTALLY_FROM_MAX;
		n->from = xcalloc(k + 1, sizeof(*n->from));
		for (size_t i = 0; i < k; i++) {
			struct json_object *a = json_object_array_get_idx(from,
			    i);

			if (!json_object_is_type(a, json_type_object))
				continue;
			n->from[n->nfrom].name = mailbox_string(
			    jsonu_member(a, "name"));
			n->from[n->nfrom].email = mailbox_string(
			    jsonu_member(a, "email"));
			n->nfrom++;
		}
	}
	n->subject = mailbox_string(jsonu_member(e, "subject"));
	n->received_at = mailbox_string(jsonu_member(e, "receivedAt"));
	mid = jsonu_member(e, "messageId");
	if (json_object_is_type(mid, json_type_array) &&
	    json_object_array_length(mid) > 0)
		n->message_id = mailbox_string(json_object_array_get_idx(mid,
		    0));
	n->thread_id = mailbox_string(jsonu_member(e, "threadId"));
	n->preview = mailbox_string(jsonu_member(e, "preview"));
}

/* Marks ev in every mailbox of ids that the cache knows, adding dir to
 * the explained change of its totalEmails. */
static void
mailtally_mark(const struct mailbox_cache *c, struct mailtally *t,
    char *const *ids, size_t n, unsigned ev, int dir)
{
	size_t i;

	for (size_t k = 0; k < n; k++) {
		if ((i = mailbox_index(c, ids[k])) == (size_t)-1)
			continue;
		t->events[i] |= ev;
		t->delta[i] += dir;
		if (ev == MAILMATCH_NEW)
			t->nnew[i]++;
	}
}

static bool
mailtally_has(char *const *ids, size_t n, const char *id)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(ids[k], id) == 0)
			return true;
	return false;
}

/* Email/get of created ids: new or changed where each email landed. */
void
mailtally_created(struct mailtally_seen *v, const struct mailbox_cache *c,
    struct json_object *get, size_t ncreated, struct mailtally *t,
    struct mailresult *r)
{
	struct json_object	*list, *e, *kw;
	const char		*id;
	char			**boxes, **known;
	size_t			 n, nlist, fetched = 0, nknown;
	unsigned		 ev;

	nlist = mailtally_list(get, &list);
	for (size_t i = 0; i < nlist; i++) {
		e = json_object_array_get_idx(list, i);
		if ((id = jsonu_string_of(jsonu_member(e, "id"))) == NULL)
			continue;
		fetched++;
		kw = jsonu_member(e, "keywords");
		ev = mailtally_true(kw, "$seen") ||
		    mailtally_true(kw, "$draft") ? MAILMATCH_CHANGED :
		    MAILMATCH_NEW;
		n = mailtally_true_keys(jsonu_member(e, "mailboxIds"), &boxes,
		    MAILTALLY_BOXES);
		mailtally_mark(c, t, boxes, n, ev, 1);
		if (ev == MAILMATCH_NEW) {
			known = xcalloc(n + 1, sizeof(*known));
			nknown = 0;
			for (size_t k = 0; k < n; k++)
				if (mailbox_index(c, boxes[k]) != (size_t)-1)
					known[nknown++] = boxes[k];
			if (nknown > 0)
				mailtally_add_new(r, e, id, known, nknown);
			free(known);
		}
		mailtally_remember(v, id, boxes, n);
		mailtally_free_keys(boxes, n);
	}
	t->unfetched_total = ncreated > fetched ? ncreated - fetched : 0;
}

/* Email/get of updated ids: changed in every mailbox before and after. */
void
mailtally_updated(struct mailtally_seen *v, const struct mailbox_cache *c,
    struct json_object *get, struct mailtally *t)
{
	struct json_object	*list, *e;
	struct mailtally_email	*before;
	const char		*id;
	char			**after;
	size_t			 n, nlist;

	nlist = mailtally_list(get, &list);
	for (size_t i = 0; i < nlist; i++) {
		e = json_object_array_get_idx(list, i);
		if ((id = jsonu_string_of(jsonu_member(e, "id"))) == NULL)
			continue;
		n = mailtally_true_keys(jsonu_member(e, "mailboxIds"), &after,
		    MAILTALLY_BOXES);
		if ((before = mailtally_lookup(v, id)) == NULL) {
			t->unknown_before++;
			mailtally_mark(c, t, after, n, MAILMATCH_CHANGED, 0);
		} else {
			for (size_t k = 0; k < n; k++)
				mailtally_mark(c, t, &after[k], 1,
				    MAILMATCH_CHANGED, mailtally_has(
				    before->boxes, before->nboxes, after[k]) ?
				    0 : 1);
			for (size_t k = 0; k < before->nboxes; k++)
				mailtally_mark(c, t, &before->boxes[k], 1,
				    MAILMATCH_CHANGED, mailtally_has(after, n,
				    before->boxes[k]) ? 0 : -1);
		}
		mailtally_remember(v, id, after, n);
		mailtally_free_keys(after, n);
	}
}

/* Email/changes destroyed: deleted where each email was, when known. */
void
mailtally_destroyed(struct mailtally_seen *v, const struct mailbox_cache *c,
    struct json_object *ids, struct mailtally *t)
{
	struct mailtally_email	*before;
	const char		*id;

	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		if ((id = jsonu_string_of(json_object_array_get_idx(ids,
		    i))) == NULL)
			continue;
		if ((before = mailtally_lookup(v, id)) == NULL) {
			t->unknown_destroyed++;
			continue;
		}
		mailtally_mark(c, t, before->boxes, before->nboxes,
		    MAILMATCH_DELETED, -1);
		mailtally_forget(before);
	}
}

/* What became of the updated and destroyed emails, for the outputs that
 * follow single emails (notifications). */
void
mailtally_touched(struct json_object *get, struct json_object *ids,
    struct mailresult *r)
{
	struct json_object		*list, *e;
	struct mailresult_touched	*t;
	const char			*id;
	size_t				 nlist, nids;

	nlist = get != NULL ? mailtally_list(get, &list) : 0;
	nids = json_object_is_type(ids, json_type_array) ?
	    json_object_array_length(ids) : 0;
	if (nlist + nids == 0)
		return;
	r->touched = xreallocarray(r->touched, r->ntouched + nlist + nids,
	    sizeof(*r->touched));
	for (size_t i = 0; i < nlist; i++) {
		e = json_object_array_get_idx(list, i);
		if ((id = jsonu_string_of(jsonu_member(e, "id"))) == NULL)
			continue;
		t = &r->touched[r->ntouched++];
		memset(t, 0, sizeof(*t));
		t->id = xstrdup(id);
		t->seen = mailtally_true(jsonu_member(e, "keywords"), "$seen");
		t->nbox_ids = mailtally_true_keys(jsonu_member(e,
		    "mailboxIds"), &t->box_ids, MAILTALLY_BOXES);
	}
	for (size_t i = 0; i < nids; i++) {
		if ((id = jsonu_string_of(json_object_array_get_idx(ids,
		    i))) == NULL)
			continue;
		t = &r->touched[r->ntouched++];
		memset(t, 0, sizeof(*t));
		t->id = xstrdup(id);
		t->destroyed = true;
	}
}

/* Whether what outputs list of a mailbox differs between old and new. */
static bool
mailtally_props_differ(const struct mailbox *o, const struct mailbox *n)
{
	return o->total != n->total || o->unread != n->unread ||
	    strcmp(o->name, n->name) != 0 ||
	    (o->parent_id == NULL) != (n->parent_id == NULL) ||
	    (o->parent_id != NULL && strcmp(o->parent_id, n->parent_id) != 0) ||
	    (o->role == NULL) != (n->role == NULL) ||
	    (o->role != NULL && strcmp(o->role, n->role) != 0);
}

/*
 * What counts alone say, for the changes the emails could not name: see
 * mailview.h.  reload: the mailboxes were all fetched again, so every
 * difference without an event is `changed`.
 */
void
mailtally_counts(const struct mailbox_cache *old, const struct mailbox_cache *c,
    struct mailtally *t, bool emails, bool reload)
{
	const struct mailbox	*o, *m;
	int64_t			 actual, d;
	uint64_t		 growth;

	for (size_t i = 0; i < c->n; i++) {
		m = &c->v[i];
		if ((o = mailbox_find(old, m->id)) == NULL)
			continue;
		actual = m->total - o->total;
		d = t->delta[i];
		if (emails && t->unfetched_total > 0 && actual > d) {
			growth = (uint64_t)(actual - d);
			if (growth > t->unfetched_total)
				growth = t->unfetched_total;
			t->events[i] |= MAILMATCH_NEW;
			t->nnew[i] += growth;
			t->unfetched[i] = growth;
		}
		if (emails && t->unknown_destroyed > 0 && actual < d)
			t->events[i] |= MAILMATCH_DELETED;
		if (emails && t->unknown_before > 0 && t->events[i] == 0 &&
		    (actual != d || m->unread != o->unread))
			t->events[i] |= MAILMATCH_CHANGED;
		if (reload && t->events[i] == 0 && mailtally_props_differ(o, m))
			t->events[i] |= MAILMATCH_CHANGED;
	}
}

/* The result's mailboxes, in path order, and each new email's mailbox. */
void
mailtally_result(const struct mailbox_cache *old, const struct mailbox_cache *c,
    const struct mailtally *t, struct mailresult *r)
{
	const struct mailbox	*m, *o;
	struct mailresult_box	*b;
	size_t			*rank;
	bool			 props;

	r->list_changed = old->n != c->n;
	for (size_t k = 0; k < c->n; k++) {
		size_t i = c->by_path[k];

		m = &c->v[i];
		o = mailbox_find(old, m->id);
		props = o == NULL || mailtally_props_differ(o, m);
		if (o == NULL || strcmp(o->path != NULL ? o->path : "",
		    m->path) != 0 || (o->role == NULL) != (m->role == NULL) ||
		    (o->role != NULL && strcmp(o->role, m->role) != 0))
			r->list_changed = true;
		if (t->events[i] == 0 && !props)
			continue;
		r->boxes = xreallocarray(r->boxes, r->nboxes + 1,
		    sizeof(*r->boxes));
		b = &r->boxes[r->nboxes++];
		memset(b, 0, sizeof(*b));
		b->id = xstrdup(m->id);
		b->path = xstrdup(m->path);
		b->role = m->role != NULL ? xstrdup(m->role) : NULL;
		b->unread = m->unread;
		b->total = m->total;
		b->events = t->events[i];
		b->nnew = t->nnew[i];
		b->unfetched = t->unfetched[i];
		b->props_changed = props;
		r->new_count += t->unfetched[i];
	}
	/* Each new email is named by its first mailbox in path order: every
	 * one of its box_ids is in c and had the event new. */
	rank = xcalloc(c->n + 1, sizeof(*rank));
	for (size_t k = 0; k < c->n; k++)
		rank[c->by_path[k]] = k;
	for (size_t k = 0; k < r->nnews; k++) {
		struct mailresult_new	*n = &r->news[k];
		size_t			 best = (size_t)-1, i;

		r->new_count++;
		for (size_t j = 0; j < n->nbox_ids; j++)
			if ((i = mailbox_index(c, n->box_ids[j])) !=
			    (size_t)-1 && (best == (size_t)-1 ||
			    rank[i] < rank[best]))
				best = i;
		if (best != (size_t)-1)
			n->mailbox = xstrdup(c->v[best].path);
	}
	free(rank);
}
