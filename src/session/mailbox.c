/* SPDX-License-Identifier: ISC */
/*
 * The Mailbox cache.  Everything in it came from a server: types are
 * checked before use, strings are repaired and bounded as they come in, and
 * nothing a server sends (parent cycles, missing parents, ten thousand
 * levels) makes a path walk loop or grow without bound.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "session/mailbox.h"
#include "util/json.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define MAILBOX_SAVE_VERSION	1

static void
mailbox_free_one(struct mailbox *m)
{
	free(m->id);
	free(m->name);
	free(m->parent_id);
	free(m->role);
	free(m->path);
}

void
mailbox_cache_clear(struct mailbox_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		mailbox_free_one(&c->v[i]);
	free(c->v);
	free(c->by_path);
	free(c->state);
	free(c->email_state);
	memset(c, 0, sizeof(*c));
}

static char *
mailbox_strdup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
mailbox_cache_copy(struct mailbox_cache *dst, const struct mailbox_cache *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->n = src->n;
	dst->v = xcalloc(src->n + 1, sizeof(*dst->v));
	dst->by_path = xcalloc(src->n + 1, sizeof(*dst->by_path));
	for (size_t i = 0; i < src->n; i++) {
		const struct mailbox *s = &src->v[i];
		struct mailbox *d = &dst->v[i];

		d->id = xstrdup(s->id);
		d->name = xstrdup(s->name);
		d->parent_id = mailbox_strdup_or_null(s->parent_id);
		d->role = mailbox_strdup_or_null(s->role);
		d->path = mailbox_strdup_or_null(s->path);
		d->total = s->total;
		d->unread = s->unread;
		if (src->by_path != NULL)
			dst->by_path[i] = src->by_path[i];
	}
	dst->state = mailbox_strdup_or_null(src->state);
	dst->email_state = mailbox_strdup_or_null(src->email_state);
}

/* The first index whose id is not below id (binary search over v). */
static size_t
mailbox_lower(const struct mailbox_cache *c, const char *id)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(c->v[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
mailbox_index(const struct mailbox_cache *c, const char *id)
{
	size_t i;

	if (id == NULL)
		return (size_t)-1;
	i = mailbox_lower(c, id);
	return i < c->n && strcmp(c->v[i].id, id) == 0 ? i : (size_t)-1;
}

struct mailbox *
mailbox_find(const struct mailbox_cache *c, const char *id)
{
	size_t i = mailbox_index(c, id);

	return i != (size_t)-1 ? &c->v[i] : NULL;
}

char *
mailbox_string(struct json_object *o)
{
	const char	*s;
	char		*nonul, *out;
	size_t		 n, o_len, i, k;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	n = (size_t)json_object_get_string_len(o);
	/* A NUL would end the string early in every C consumer (env, D-Bus). */
	nonul = xreallocarray(NULL, n + 1, 3);
	for (i = 0, k = 0; i < n; i++) {
		if (s[i] == '\0') {
			memcpy(nonul + k, UTF8_REPLACEMENT, 3);
			k += 3;
		} else
			nonul[k++] = s[i];
	}
	out = utf8_sanitize(nonul, k, &o_len);
	free(nonul);
	if (o_len > MAILBOX_STR_MAX) {
		o_len = MAILBOX_STR_MAX;
		while (o_len > 0 && ((unsigned char)out[o_len] & 0xc0) == 0x80)
			o_len--;
		out[o_len] = '\0';
	}
	return out;
}

/* Sets *field from member key of m when present: a string is copied, JSON
 * null (or any other type, when nullable) clears it. */
static void
mailbox_take_string(struct json_object *m, const char *key, char **field,
    bool nullable)
{
	struct json_object	*v;
	char			*s;

	if (!json_object_object_get_ex(m, key, &v))
		return;
	if ((s = mailbox_string(v)) == NULL && !nullable)
		s = xstrdup("");
	free(*field);
	*field = s;
}

/* Counts are JMAP UnsignedInts (below 2^53): clamped so, sums over any
 * number of mailboxes stay far from overflowing. */
static void
mailbox_take_count(struct json_object *m, const char *key, int64_t *field)
{
	struct json_object	*v;
	int64_t			 n;

	if (!json_object_object_get_ex(m, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return;
	n = json_object_get_int64(v);
	*field = n < 0 ? 0 : n > MAILBOX_COUNT_MAX ? MAILBOX_COUNT_MAX : n;
}

bool
mailbox_update(struct mailbox_cache *c, struct json_object *m)
{
	struct mailbox	*mb;
	const char	*id;
	size_t		 at;

	/* Ids reach every output as they are: only sane ones are kept. */
	if (!json_object_is_type(m, json_type_object) ||
	    (id = jsonu_string_of(jsonu_member(m, "id"))) == NULL ||
	    *id == '\0' || strlen(id) > MAILBOX_STR_MAX ||
	    !utf8_valid(id, strlen(id)))
		return false;
	at = mailbox_lower(c, id);
	if (at == c->n || strcmp(c->v[at].id, id) != 0) {
		c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
		memmove(&c->v[at + 1], &c->v[at], (c->n - at) * sizeof(*c->v));
		memset(&c->v[at], 0, sizeof(*c->v));
		c->v[at].id = xstrdup(id);
		c->v[at].name = xstrdup("");
		c->n++;
		/* by_path no longer covers every mailbox. */
		free(c->by_path);
		c->by_path = NULL;
	}
	mb = &c->v[at];
	mailbox_take_string(m, "name", &mb->name, false);
	mailbox_take_string(m, "parentId", &mb->parent_id, true);
	mailbox_take_string(m, "role", &mb->role, true);
	mailbox_take_count(m, "totalEmails", &mb->total);
	mailbox_take_count(m, "unreadEmails", &mb->unread);
	return true;
}

void
mailbox_remove(struct mailbox_cache *c, const char *id)
{
	size_t at = mailbox_index(c, id);

	if (at == (size_t)-1)
		return;
	mailbox_free_one(&c->v[at]);
	memmove(&c->v[at], &c->v[at + 1], (c->n - at - 1) * sizeof(*c->v));
	c->n--;
	free(c->by_path);
	c->by_path = NULL;
}

/* qsort_r is not portable: the cache being sorted is set around the call. */
static const struct mailbox_cache *mailbox_sorting;

static int
mailbox_cmp_path(const void *a, const void *b)
{
	const struct mailbox *ma = &mailbox_sorting->v[*(const size_t *)a];
	const struct mailbox *mb = &mailbox_sorting->v[*(const size_t *)b];
	int d = strcmp(ma->path, mb->path);

	return d != 0 ? d : strcmp(ma->id, mb->id);
}

/* The path of v[i]: walks up at most MAILBOX_DEPTH_MAX parents, stopping
 * at a missing one or one already walked (mark == i + 1), then joins the
 * names top down, cut at MAILBOX_STR_MAX bytes on a character boundary. */
static char *
mailbox_path_of(struct mailbox_cache *c, size_t i, size_t *chain)
{
	size_t	 depth = 0, o = 0, nlen;
	char	*path = xmalloc(MAILBOX_STR_MAX + 4);

	for (size_t at = i; at != (size_t)-1 && depth < MAILBOX_DEPTH_MAX &&
	    c->v[at].mark != i + 1; at = mailbox_index(c, c->v[at].parent_id)) {
		c->v[at].mark = i + 1;
		chain[depth++] = at;
	}
	for (; depth > 0 && o <= MAILBOX_STR_MAX; depth--) {
		const char *name = c->v[chain[depth - 1]].name;

		nlen = strlen(name);
		if (nlen > MAILBOX_STR_MAX + 1 - o)
			nlen = MAILBOX_STR_MAX + 1 - o;
		memcpy(path + o, name, nlen);
		o += nlen;
		if (depth > 1 && o <= MAILBOX_STR_MAX)
			path[o++] = '/';
	}
	if (o > MAILBOX_STR_MAX) {
		o = MAILBOX_STR_MAX;
		while (o > 0 && ((unsigned char)path[o] & 0xc0) == 0x80)
			o--;
	}
	path[o] = '\0';
	return xrealloc(path, o + 1);
}

void
mailbox_cache_paths(struct mailbox_cache *c)
{
	size_t *chain = xcalloc(MAILBOX_DEPTH_MAX, sizeof(*chain));

	for (size_t i = 0; i < c->n; i++)
		c->v[i].mark = 0;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		c->v[i].path = mailbox_path_of(c, i, chain);
	}
	free(chain);
	free(c->by_path);
	c->by_path = xcalloc(c->n + 1, sizeof(*c->by_path));
	for (size_t i = 0; i < c->n; i++)
		c->by_path[i] = i;
	mailbox_sorting = c;
	qsort(c->by_path, c->n, sizeof(*c->by_path), mailbox_cmp_path);
	mailbox_sorting = NULL;
}

void
mailbox_set_state(struct mailbox_cache *c, const char *state)
{
	free(c->state);
	c->state = mailbox_strdup_or_null(state);
}

void
mailbox_set_email_state(struct mailbox_cache *c, const char *state)
{
	free(c->email_state);
	c->email_state = mailbox_strdup_or_null(state);
}

static struct json_object *
mailbox_json_string(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_object *
mailbox_cache_save(const struct mailbox_cache *c)
{
	struct json_object *o = json_object_new_object(), *list, *m;

	json_object_object_add(o, "version",
	    json_object_new_int(MAILBOX_SAVE_VERSION));
	json_object_object_add(o, "mailboxState", mailbox_json_string(c->state));
	json_object_object_add(o, "emailState",
	    mailbox_json_string(c->email_state));
	list = json_object_new_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct mailbox *mb = &c->v[i];

		m = json_object_new_object();
		json_object_object_add(m, "id", json_object_new_string(mb->id));
		json_object_object_add(m, "name",
		    json_object_new_string(mb->name));
		json_object_object_add(m, "parentId",
		    mailbox_json_string(mb->parent_id));
		json_object_object_add(m, "role", mailbox_json_string(mb->role));
		json_object_object_add(m, "totalEmails",
		    json_object_new_int64(mb->total));
		json_object_object_add(m, "unreadEmails",
		    json_object_new_int64(mb->unread));
		json_object_array_add(list, m);
	}
	json_object_object_add(o, "mailboxes", list);
	return o;
}

/* A state member: absent or null is NULL (*ok stays), else a string. */
static const char *
mailbox_saved_state(struct json_object *o, const char *key, bool *ok)
{
	struct json_object *v = jsonu_member(o, key);
	const char *s;

	if (v == NULL)
		return NULL;
	if ((s = jsonu_string_of(v)) == NULL)
		*ok = false;
	return s;
}

int
mailbox_cache_restore(struct mailbox_cache *c, struct json_object *saved)
{
	struct json_object	*list, *v;
	const char		*state, *email_state;
	bool			 ok = true;

	mailbox_cache_clear(c);
	v = jsonu_member(saved, "version");
	list = jsonu_member(saved, "mailboxes");
	state = mailbox_saved_state(saved, "mailboxState", &ok);
	email_state = mailbox_saved_state(saved, "emailState", &ok);
	if (!ok || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != MAILBOX_SAVE_VERSION ||
	    !json_object_is_type(list, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		if (!mailbox_update(c, json_object_array_get_idx(list, i))) {
			mailbox_cache_clear(c);
			return -1;
		}
	}
	mailbox_set_state(c, state);
	mailbox_set_email_state(c, email_state);
	mailbox_cache_paths(c);
	return 0;
}
