/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/evqueue.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/xmalloc.h"

/* Longest id evqueue_from_json() accepts: the opaque token. */
#define EVQ_ID_MAX	64

enum evq_kind {
	EVQ_STATE,
	EVQ_CONNECTION,
	EVQ_MAIL,		/* mailbox, mail and anything else: droppable */
	EVQ_OVERFLOW,
};

struct evq_account;

struct evq_item {
	struct evqueue_item	 pub;		/* first: what peek returns */
	char			 id[EVQ_ID_MAX + 1];
	enum evq_kind		 kind;
	uint64_t		 seq;		/* queue order */
	size_t			 dropped;	/* EVQ_OVERFLOW */
	bool			 pinned;
	bool			 in_flight;
	struct evq_account	*acct;
	TAILQ_ENTRY(evq_item)	 all;
	TAILQ_ENTRY(evq_item)	 mine;
};
TAILQ_HEAD(evq_items, evq_item);

struct evq_account {
	char			*name;
	struct evq_items	 items;
	size_t			 n;
	/* The overflow item later drops add to: unpinned, or NULL. */
	struct evq_item		*overflow;
	TAILQ_ENTRY(evq_account) entry;
};

struct evqueue {
	struct evq_items	 items;
	TAILQ_HEAD(, evq_account) accounts;
	/* The same accounts by name: a thousand accounts' events cost no
	 * walk per event. */
	struct namemap		*byname;
	size_t			 len;
	size_t			 bounded;	/* len minus overflow items */
	size_t			 max;
	uint64_t		 seq;
};

/* A fresh delivery id: random, so that ids stay unique across restarts
 * and instances without any state. */
static void
evq_make_id(char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[EVQUEUE_ID_LEN / 2];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fatal("evqueue: getrandom");
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 0xf];
	}
	buf[EVQUEUE_ID_LEN] = '\0';
}

/* The string member key of o, or NULL. */
static const char *
evq_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static enum evq_kind
evq_kind_of(struct json_object *event)
{
	const char *ev = evq_str(event, "event");

	if (strcmp(ev, "state") == 0)
		return EVQ_STATE;
	if (strcmp(ev, "connection") == 0)
		return EVQ_CONNECTION;
	if (strcmp(ev, "overflow") == 0)
		return EVQ_OVERFLOW;
	return EVQ_MAIL;
}

/* {"event":"overflow","account":A,"dropped":N}. */
static struct json_object *
evq_overflow_json(const char *account, size_t dropped)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("overflow"));
	json_object_object_add(o, "account", json_object_new_string(account));
	json_object_object_add(o, "dropped",
	    json_object_new_int64((int64_t)dropped));
	return o;
}

static struct evq_account *
evq_account_find(const struct evqueue *q, const char *name)
{
	return namemap_get(q->byname, name);
}

static struct evq_account *
evq_account_get(struct evqueue *q, const char *name)
{
	struct evq_account *a = evq_account_find(q, name);

	if (a != NULL)
		return a;
	a = xcalloc(1, sizeof(*a));
	a->name = xstrdup(name);
	TAILQ_INIT(&a->items);
	TAILQ_INSERT_TAIL(&q->accounts, a, entry);
	namemap_put(q->byname, a->name, a);
	return a;
}

/* A new item, in no list yet; event taken; id NULL: a fresh one. */
static struct evq_item *
evq_item_new(struct evq_account *a, struct json_object *event,
    enum evq_kind kind, const char *id)
{
	struct evq_item *it = xcalloc(1, sizeof(*it));

	if (id != NULL)
		snprintf(it->id, sizeof(it->id), "%s", id);
	else
		evq_make_id(it->id);
	it->kind = kind;
	it->acct = a;
	it->pub.account = a->name;
	it->pub.id = it->id;
	it->pub.event = event;
	return it;
}

static void
evq_count(struct evqueue *q, const struct evq_item *it, int delta)
{
	q->len += (size_t)delta;
	it->acct->n += (size_t)delta;
	if (it->kind != EVQ_OVERFLOW)
		q->bounded += (size_t)delta;
}

/* Takes it out of the queue and frees it, and its account when that has
 * no items left. */
static void
evq_remove(struct evqueue *q, struct evq_item *it)
{
	struct evq_account *a = it->acct;

	TAILQ_REMOVE(&q->items, it, all);
	TAILQ_REMOVE(&a->items, it, mine);
	evq_count(q, it, -1);
	if (a->overflow == it)
		a->overflow = NULL;
	json_object_put(it->pub.event);
	free(it);
	if (a->n == 0) {
		TAILQ_REMOVE(&q->accounts, a, entry);
		namemap_del(q->byname, a->name);
		free(a->name);
		free(a);
	}
}

/* Puts it (in no list) at before's place in both orders. */
static void
evq_insert_before(struct evqueue *q, struct evq_item *before,
    struct evq_item *it)
{
	it->seq = before->seq;
	TAILQ_INSERT_BEFORE(before, it, all);
	TAILQ_INSERT_BEFORE(before, it, mine);
	evq_count(q, it, 1);
}

/* The next item of it's account after it that it may merge into or be
 * superseded by: a state event of the same accountId, a connection
 * event.  NULL when there is none (or it is neither). */
static struct evq_item *
evq_later_twin(struct evq_item *it)
{
	const char *aid = NULL, *other;
	struct evq_item *t;

	if (it->kind == EVQ_STATE) {
		aid = evq_str(it->pub.event, "accountId");
		if (aid == NULL)
			return NULL;
	} else if (it->kind != EVQ_CONNECTION)
		return NULL;
	for (t = TAILQ_NEXT(it, mine); t != NULL; t = TAILQ_NEXT(t, mine)) {
		if (t->kind != it->kind)
			continue;
		if (it->kind == EVQ_CONNECTION)
			return t;
		other = evq_str(t->pub.event, "accountId");
		if (other != NULL && strcmp(other, aid) == 0)
			return t;
	}
	return NULL;
}

/*
 * The state event later with earlier's changes under it: a new object
 * (the events may be shared with other outputs, so neither is modified)
 * holding later's members, "changed" the union with later's states
 * winning.
 */
static struct json_object *
evq_merge_state(struct json_object *earlier, struct json_object *later)
{
	struct json_object *o = json_object_new_object();
	struct json_object *changed = json_object_new_object();
	struct json_object *c;

	if (json_object_object_get_ex(earlier, "changed", &c) &&
	    json_object_is_type(c, json_type_object)) {
		json_object_object_foreach(c, k, v)
			json_object_object_add(changed, k, json_object_get(v));
	}
	if (json_object_object_get_ex(later, "changed", &c) &&
	    json_object_is_type(c, json_type_object)) {
		json_object_object_foreach(c, k, v)
			json_object_object_add(changed, k, json_object_get(v));
	}
	json_object_object_foreach(later, key, val) {
		if (strcmp(key, "changed") == 0)
			json_object_object_add(o, key, json_object_get(changed));
		else
			json_object_object_add(o, key, json_object_get(val));
	}
	if (!json_object_object_get_ex(o, "changed", NULL))
		json_object_object_add(o, "changed", json_object_get(changed));
	json_object_put(changed);
	return o;
}

/* Drops it, counting it in its account's overflow item, which it makes
 * (with a fresh id, in it's place) when the account has none to add to. */
static void
evq_drop_counted(struct evqueue *q, struct evq_item *it)
{
	struct evq_account *a = it->acct;
	struct evq_item *ov = a->overflow;

	if (ov == NULL) {
		ov = evq_item_new(a, NULL, EVQ_OVERFLOW, NULL);
		evq_insert_before(q, it, ov);
		a->overflow = ov;
	} else if (it->seq < ov->seq) {
		/* The receiver must learn of the gap before anything that
		 * came after it. */
		TAILQ_REMOVE(&q->items, ov, all);
		TAILQ_REMOVE(&a->items, ov, mine);
		evq_count(q, ov, -1);
		evq_insert_before(q, it, ov);
	}
	ov->dropped++;
	json_object_put(ov->pub.event);
	ov->pub.event = evq_overflow_json(a->name, ov->dropped);
	evq_remove(q, it);
}

/* One coalescing step (see evqueue.h); false when nothing is left that
 * may go. */
static bool
evq_coalesce_one(struct evqueue *q)
{
	struct evq_item *it, *twin;

	TAILQ_FOREACH(it, &q->items, all) {
		if (it->pinned || (twin = evq_later_twin(it)) == NULL)
			continue;
		if (it->kind == EVQ_STATE) {
			struct json_object *m;

			m = evq_merge_state(it->pub.event, twin->pub.event);
			json_object_put(twin->pub.event);
			twin->pub.event = m;
		}
		evq_remove(q, it);
		return true;
	}
	TAILQ_FOREACH(it, &q->items, all) {
		if (!it->pinned && it->kind == EVQ_MAIL) {
			evq_drop_counted(q, it);
			return true;
		}
	}
	TAILQ_FOREACH(it, &q->items, all) {
		if (!it->pinned && it->kind != EVQ_OVERFLOW) {
			evq_drop_counted(q, it);
			return true;
		}
	}
	return false;
}

static void
evq_fit(struct evqueue *q)
{
	while (q->bounded > q->max && evq_coalesce_one(q))
		;
}

/* Appends event (taken) with id (NULL: a fresh one); an overflow event
 * becomes the account's overflow item again. */
static void
evq_append(struct evqueue *q, const char *account, struct json_object *event,
    const char *id)
{
	struct evq_account *a = evq_account_get(q, account);
	enum evq_kind kind = evq_kind_of(event);
	struct evq_item *it = evq_item_new(a, event, kind, id);
	struct json_object *d;

	it->seq = q->seq++;
	TAILQ_INSERT_TAIL(&q->items, it, all);
	TAILQ_INSERT_TAIL(&a->items, it, mine);
	evq_count(q, it, 1);
	if (kind == EVQ_OVERFLOW) {
		if (json_object_object_get_ex(event, "dropped", &d) &&
		    json_object_is_type(d, json_type_int) &&
		    json_object_get_int64(d) > 0)
			it->dropped = (size_t)json_object_get_int64(d);
		a->overflow = it;
	}
	evq_fit(q);
}

struct evqueue *
evqueue_new(size_t max)
{
	struct evqueue *q = xcalloc(1, sizeof(*q));

	TAILQ_INIT(&q->items);
	TAILQ_INIT(&q->accounts);
	q->byname = namemap_new();
	q->max = max > 0 ? max : 1;
	return q;
}

void
evqueue_set_max(struct evqueue *q, size_t max)
{
	q->max = max > 0 ? max : 1;
	evq_fit(q);
}

void
evqueue_free(struct evqueue *q)
{
	struct evq_item *it;

	if (q == NULL)
		return;
	while ((it = TAILQ_FIRST(&q->items)) != NULL)
		evq_remove(q, it);
	namemap_free(q->byname);
	free(q);
}

void
evqueue_push(struct evqueue *q, const char *account,
    struct json_object *event)
{
	if (!json_object_is_type(event, json_type_object) ||
	    evq_str(event, "event") == NULL) {
		log_warnx("evqueue: account %s: an event without a type "
		    "dropped", account);
		json_object_put(event);
		return;
	}
	evq_append(q, account, event, NULL);
}

/* The account's first item, NULL when it has none. */
static struct evq_item *
evq_first(const struct evqueue *q, const char *account)
{
	struct evq_account *a = evq_account_find(q, account);

	return a != NULL ? TAILQ_FIRST(&a->items) : NULL;
}

const struct evqueue_item *
evqueue_peek(struct evqueue *q, const char *account)
{
	struct evq_item *it = evq_first(q, account);

	if (it == NULL)
		return NULL;
	it->pinned = true;
	it->in_flight = true;
	if (it->acct->overflow == it)
		it->acct->overflow = NULL;
	return &it->pub;
}

bool
evqueue_in_flight(const struct evqueue *q, const char *account)
{
	struct evq_item *it = evq_first(q, account);

	return it != NULL && it->in_flight;
}

void
evqueue_done(struct evqueue *q, const char *account)
{
	struct evq_item *it = evq_first(q, account);

	if (it != NULL)
		evq_remove(q, it);
}

void
evqueue_release(struct evqueue *q, const char *account)
{
	struct evq_item *it = evq_first(q, account);

	if (it != NULL)
		it->in_flight = false;
}

size_t
evqueue_len(const struct evqueue *q)
{
	return q->len;
}

size_t
evqueue_account_len(const struct evqueue *q, const char *account)
{
	struct evq_account *a = evq_account_find(q, account);

	return a != NULL ? a->n : 0;
}

static int
evq_cmp_oldest(const void *x, const void *y)
{
	const struct evq_account *a = *(struct evq_account * const *)x;
	const struct evq_account *b = *(struct evq_account * const *)y;
	uint64_t sa = TAILQ_FIRST(&a->items)->seq;
	uint64_t sb = TAILQ_FIRST(&b->items)->seq;

	return sa < sb ? -1 : sa > sb;
}

void
evqueue_foreach_account(struct evqueue *q,
    void (*fn)(const char *account, void *arg), void *arg)
{
	struct evq_account *a, **v;
	size_t n = 0, i = 0;

	TAILQ_FOREACH(a, &q->accounts, entry)
		n++;
	if (n == 0)
		return;
	v = xreallocarray(NULL, n, sizeof(*v));
	TAILQ_FOREACH(a, &q->accounts, entry)
		v[i++] = a;
	qsort(v, n, sizeof(*v), evq_cmp_oldest);
	for (i = 0; i < n; i++)
		fn(v[i]->name, arg);
	free(v);
}

struct json_object *
evqueue_to_json(const struct evqueue *q)
{
	struct json_object *arr = json_object_new_array(), *o;
	struct evq_item *it;

	TAILQ_FOREACH(it, &q->items, all) {
		o = json_object_new_object();
		json_object_object_add(o, "account",
		    json_object_new_string(it->pub.account));
		json_object_object_add(o, "id",
		    json_object_new_string(it->id));
		json_object_object_add(o, "event",
		    json_object_get(it->pub.event));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Whether id is one evqueue_from_json() takes back: 1 to 64 of
 * [0-9A-Za-z_-]. */
static bool
evq_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > EVQ_ID_MAX)
		return false;
	return strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == n;
}

int
evqueue_from_json(struct evqueue *q, struct json_object *arr)
{
	struct json_object *o, *ev;
	const char *account, *id;
	size_t n, i;

	if (!json_object_is_type(arr, json_type_array))
		return -1;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(o, json_type_object) ||
		    (account = evq_str(o, "account")) == NULL ||
		    *account == '\0' ||
		    (id = evq_str(o, "id")) == NULL || !evq_id_ok(id) ||
		    !json_object_object_get_ex(o, "event", &ev) ||
		    !json_object_is_type(ev, json_type_object) ||
		    evq_str(ev, "event") == NULL)
			return -1;
	}
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		json_object_object_get_ex(o, "event", &ev);
		evq_append(q, evq_str(o, "account"), json_object_get(ev),
		    evq_str(o, "id"));
	}
	return 0;
}
