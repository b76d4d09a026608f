/* SPDX-License-Identifier: ISC */
/*
 * An account's durable state file: pushState, the states last seen, hook
 * runs owed, the mail views and the followed notifications, read at open
 * (checked, bounded, a damaged file moved aside) and saved atomically.
 */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "state/statedir.h"
#include "state/storeparse.h"
#include "state/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* A state file is a few hundred bytes; anything huge is not ours. */
#define STORE_MAX_SIZE	(16 * 1024 * 1024)
/* What a server may make the store remember, so that the file stays well
 * below STORE_MAX_SIZE (and memory with it) whatever the server pushes:
 * so many (account, type) states, each with its names at most so long. */
#define STORE_MAX_STATES	10000
#define STORE_MAX_ENTRY		1024
/* One JMAP account's saved mail view at most (its mailboxes' names). */
#define STORE_MAX_MAIL		(4 * 1024 * 1024)

struct store {
	char *dir;
	char *file;		/* "<account>.state", encoded */
	char *path;		/* dir/file */
	char *push_state;
	char *event_id;
	struct json_object *states;	/* {ACCOUNT_ID: {TYPE: STATE}} */
	/* NULL while empty, as most are: an empty json-c object costs ~750
	 * bytes (a hash table of 16 entries), per account. */
	struct json_object *pending;	/* {HOOK: {ACCOUNT_ID: run}} */
	struct json_object *mail;	/* {ACCOUNT_ID: mail view} */
	struct json_object *notify;	/* [followed notification], or NULL */
	bool dirty;
	bool save_failed;	/* the failure was logged; repeats are debug */
	size_t nstates;		/* (account, type) pairs in states */
	bool full_logged;	/* a state beyond the bounds was dropped */
	bool mail_full_logged;	/* a mail view too large was dropped */
	bool waiting;		/* in store_waiting */
	TAILQ_ENTRY(store) wait_entry;
};

/*
 * The stores store_save_later() was asked for, saved together when the
 * first one's delay is over (statedir_write_files: two syncs for all of
 * them, not two per store), and the one timer for them, freed whenever
 * none waits so that it never outlives its event base.
 */
static TAILQ_HEAD(, store) store_waiting =
    TAILQ_HEAD_INITIALIZER(store_waiting);
static struct event *store_timer;

/* Fills s from the document; the reason it is unusable otherwise. */
static const char *
store_parse(struct store *s, const char *buf, size_t len, char *why,
    size_t whylen)
{
	struct storeparse d;
	const char *bad;

	if ((bad = storeparse_doc(buf, len, why, whylen, &d)) != NULL)
		return bad;
	s->push_state = d.push_state;
	s->event_id = d.event_id;
	if (d.states != NULL) {
		json_object_put(s->states);
		s->states = d.states;
		s->nstates = d.nstates;
	}
	if (d.pending != NULL) {
		json_object_put(s->pending);
		s->pending = d.pending;
	}
	if (d.mail != NULL) {
		json_object_put(s->mail);
		s->mail = d.mail;
	}
	if (d.notify != NULL) {
		json_object_put(s->notify);
		s->notify = d.notify;
	}
	return NULL;
}

/* Frees *o once its last member is gone: pending and mail stay NULL while
 * empty. */
static void
store_drop_if_empty(struct json_object **o)
{
	if (*o != NULL && json_object_object_length(*o) == 0) {
		json_object_put(*o);
		*o = NULL;
	}
}

static void
store_reset(struct store *s)
{
	free(s->push_state);
	free(s->event_id);
	s->push_state = s->event_id = NULL;
	json_object_put(s->states);
	s->states = json_object_new_object();
	s->nstates = 0;
	json_object_put(s->pending);
	s->pending = NULL;
	json_object_put(s->mail);
	s->mail = NULL;
	json_object_put(s->notify);
	s->notify = NULL;
}

static void
store_move_aside(struct store *s, const char *why)
{
	char *aside;

	xasprintf(&aside, "%s.corrupt-%lld", s->path, (long long)time(NULL));
	if (rename(s->path, aside) == 0)
		log_warnx("state file %s is corrupt (%s); moved aside to %s; "
		    "changes made while the daemon was down will be found by "
		    "a resync", s->path, why, aside);
	else
		log_warnx("state file %s is corrupt (%s) and cannot be moved "
		    "aside: %s; it will be replaced; changes made while the "
		    "daemon was down will be found by a resync", s->path, why,
		    strerror(errno));
	free(aside);
}

static int
store_load(struct store *s)
{
	struct stat st;
	char *buf = NULL;
	char why[256];
	const char *bad = NULL;
	size_t len = 0;
	int fd;

	if ((fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("cannot open state file %s", s->path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("state file %s", s->path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("state file %s is not a regular file", s->path);
		close(fd);
		return -1;
	}
	if (st.st_size > STORE_MAX_SIZE) {
		bad = "larger than 16 MiB";
	} else {
		buf = xmalloc((size_t)st.st_size + 1);
		while (len < (size_t)st.st_size) {
			ssize_t n = read(fd, buf + len,
			    (size_t)st.st_size - len);

			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1) {
				log_warn("cannot read state file %s", s->path);
				free(buf);
				close(fd);
				return -1;
			}
			if (n == 0)
				break;
			len += (size_t)n;
		}
		bad = store_parse(s, buf, len, why, sizeof(why));
	}
	close(fd);
	free(buf);
	if (bad != NULL) {
		store_reset(s);
		store_move_aside(s, bad);
	}
	return 0;
}

struct store *
store_open(const char *state_dir, const char *account)
{
	struct store *s;

	if (statedir_mkdirs(state_dir) == -1)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(state_dir);
	s->file = statedir_file_name("", account, ".state");
	xasprintf(&s->path, "%s/%s", s->dir, s->file);
	s->states = json_object_new_object();
	statedir_remove_stale(s->dir, s->file);
	if (store_load(s) == -1) {
		store_free(s);
		return NULL;
	}
	return s;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	/* A clean stop loses nothing that was delivered (store_flush() has
	 * saved it already when the daemon stops). */
	if (s->waiting)
		store_save(s);
	free(s->dir);
	free(s->file);
	free(s->path);
	free(s->push_state);
	free(s->event_id);
	json_object_put(s->states);
	json_object_put(s->pending);
	json_object_put(s->mail);
	json_object_put(s->notify);
	free(s);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

static void
store_set_str(struct store *s, char **field, const char *v)
{
	if (*field == NULL && v == NULL)
		return;
	if (*field != NULL && v != NULL && strcmp(*field, v) == 0)
		return;
	free(*field);
	*field = v != NULL ? xstrdup(v) : NULL;
	s->dirty = true;
}

const char *
store_push_state(const struct store *s)
{
	return s->push_state;
}

void
store_set_push_state(struct store *s, const char *v)
{
	store_set_str(s, &s->push_state, v);
}

const char *
store_event_id(const struct store *s)
{
	return s->event_id;
}

void
store_set_event_id(struct store *s, const char *v)
{
	store_set_str(s, &s->event_id, v);
}

const char *
store_type_state(const struct store *s, const char *account_id,
    const char *type)
{
	struct json_object *types, *v;

	if (!json_object_object_get_ex(s->states, account_id, &types) ||
	    !json_object_object_get_ex(types, type, &v))
		return NULL;
	return json_object_get_string(v);
}

/* Whether a new state would go beyond the bounds (logged once). */
static bool
store_full(struct store *s, bool is_new, const char *account_id,
    const char *type, const char *state)
{
	if (strlen(account_id) + strlen(type) + strlen(state) <=
	    STORE_MAX_ENTRY && (!is_new || s->nstates < STORE_MAX_STATES))
		return false;
	if (!s->full_logged)
		log_warnx("state %s: the server sent more states than the %d "
		    "kept (or names longer than %d bytes); changes of the "
		    "others are still delivered but not remembered across "
		    "restarts", s->path, STORE_MAX_STATES, STORE_MAX_ENTRY);
	s->full_logged = true;
	return true;
}

void
store_set_type_state(struct store *s, const char *account_id,
    const char *type, const char *state)
{
	struct json_object *types, *v = NULL;
	bool have = json_object_object_get_ex(s->states, account_id, &types);
	bool is_new = !have || !json_object_object_get_ex(types, type, &v);

	if (state == NULL) {
		if (is_new)
			return;
		json_object_object_del(types, type);
		s->nstates--;
		if (json_object_object_length(types) == 0)
			json_object_object_del(s->states, account_id);
		s->dirty = true;
		return;
	}
	if (store_full(s, is_new, account_id, type, state))
		return;
	if (!is_new && strcmp(json_object_get_string(v), state) == 0)
		return;
	if (!have) {
		types = json_object_new_object();
		json_object_object_add(s->states, account_id, types);
	}
	json_object_object_add(types, type, json_object_new_string(state));
	if (is_new)
		s->nstates++;
	s->dirty = true;
}

static char *
store_serialize(const struct store *s)
{
	struct json_object *root = json_object_new_object();
	char *text;

	json_object_object_add(root, "version",
	    json_object_new_int(STOREPARSE_VERSION));
	if (s->push_state != NULL)
		json_object_object_add(root, "pushState",
		    json_object_new_string(s->push_state));
	json_object_object_add(root, "states", json_object_get(s->states));
	if (s->event_id != NULL)
		json_object_object_add(root, "eventId",
		    json_object_new_string(s->event_id));
	if (s->pending != NULL && json_object_object_length(s->pending) > 0)
		json_object_object_add(root, "pending",
		    json_object_get(s->pending));
	if (s->mail != NULL && json_object_object_length(s->mail) > 0)
		json_object_object_add(root, "mail", json_object_get(s->mail));
	if (s->notify != NULL)
		json_object_object_add(root, "notify",
		    json_object_get(s->notify));
	xasprintf(&text, "%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}


/* One warning per failure streak: a full disk must not flood the log. */
static int
store_save_failed(struct store *s, const char *what, const char *path)
{
	if (s->save_failed)
		log_debug("cannot save state file %s: %s %s: %s", s->path,
		    what, path, strerror(errno));
	else
		log_warnx("cannot save state file %s: %s %s: %s", s->path,
		    what, path, strerror(errno));
	s->save_failed = true;
	return -1;
}

struct json_object *
store_states(const struct store *st)
{
	return st->states;
}

/* Takes s off the waiting list; the timer goes with the last one. */
static void
store_unwait(struct store *s)
{
	if (!s->waiting)
		return;
	TAILQ_REMOVE(&store_waiting, s, wait_entry);
	s->waiting = false;
	if (TAILQ_EMPTY(&store_waiting) && store_timer != NULL) {
		event_free(store_timer);
		store_timer = NULL;
	}
}

/* What a save that succeeded or failed leaves in s, logged once. */
static void
store_saved(struct store *s, const struct statedir_write *w)
{
	if (w->what != NULL) {
		errno = w->error;
		store_save_failed(s, w->what, w->where);
		return;
	}
	if (s->save_failed)
		log_info("state file %s saved again", s->path);
	else
		log_debug("state file %s saved", s->path);
	s->save_failed = false;
	s->dirty = false;
}

int
store_save(struct store *s)
{
	struct statedir_write w = {
		.dir = s->dir, .file = s->file, .path = s->path,
	};

	store_unwait(s);
	if (!s->dirty)
		return 0;
	w.text = store_serialize(s);
	(void)statedir_write_files(&w, 1);
	store_saved(s, &w);
	free((char *)w.text);
	free(w.where);
	return w.what == NULL ? 0 : -1;
}

void
store_flush(void)
{
	struct statedir_write *w;
	struct store **v, *s;
	size_t n = 0, k = 0;

	TAILQ_FOREACH(s, &store_waiting, wait_entry)
		n++;
	if (n == 0)
		return;
	v = xcalloc(n, sizeof(*v));
	w = xcalloc(n, sizeof(*w));
	while ((s = TAILQ_FIRST(&store_waiting)) != NULL) {
		store_unwait(s);
		if (!s->dirty)
			continue;
		v[k] = s;
		w[k].dir = s->dir;
		w[k].file = s->file;
		w[k].path = s->path;
		w[k].text = store_serialize(s);
		k++;
	}
	(void)statedir_write_files(w, k);
	for (size_t i = 0; i < k; i++) {
		store_saved(v[i], &w[i]);
		free((char *)w[i].text);
		free(w[i].where);
	}
	free(w);
	free(v);
}

static void
store_flush_timer(evutil_socket_t fd, short what, void *arg)
{
	store_flush();
}

void
store_save_later(struct store *s, struct event_base *base)
{
	struct timeval tv = timeutil_tv_ms(STORE_SAVE_DELAY_MS);

	if (s->waiting)
		return;
	TAILQ_INSERT_TAIL(&store_waiting, s, wait_entry);
	s->waiting = true;
	if (store_timer == NULL) {
		store_timer = xevtimer_new(base, store_flush_timer, NULL);
		evtimer_add(store_timer, &tv);
	}
}

/* An unchanged run leaves the store clean: every push re-states the runs
 * it touched. */
void
store_set_pending(struct store *s, const char *hook, const char *account_id,
    struct json_object *run)
{
	struct json_object *runs, *old;
	bool have = json_object_object_get_ex(s->pending, hook, &runs);

	if (run == NULL) {
		if (!have || !json_object_object_get_ex(runs, account_id, NULL))
			return;
		json_object_object_del(runs, account_id);
		if (json_object_object_length(runs) == 0)
			json_object_object_del(s->pending, hook);
		store_drop_if_empty(&s->pending);
		s->dirty = true;
		return;
	}
	if (have && json_object_object_get_ex(runs, account_id, &old) &&
	    json_object_equal(old, run)) {
		json_object_put(run);
		return;
	}
	if (!have) {
		if (s->pending == NULL)
			s->pending = json_object_new_object();
		runs = json_object_new_object();
		json_object_object_add(s->pending, hook, runs);
	}
	json_object_object_add(runs, account_id, run);
	s->dirty = true;
}

struct json_object *
store_take_pending(struct store *s)
{
	struct json_object *p = s->pending;

	s->pending = NULL;
	if (p != NULL && json_object_object_length(p) > 0)
		s->dirty = true;
	return p;
}

struct json_object *
store_mail(const struct store *s, const char *account_id)
{
	struct json_object *v;

	return json_object_object_get_ex(s->mail, account_id, &v) ? v : NULL;
}

/* A view too large would make the whole file unreadable (STORE_MAX_SIZE):
 * it is then left out, and the next start begins an empty view. */
void
store_set_mail(struct store *s, const char *account_id,
    struct json_object *view)
{
	struct json_object *old;
	size_t len;

	if (view != NULL) {
		len = strlen(json_object_to_json_string_ext(view,
		    JSON_C_TO_STRING_PLAIN));
		if (len > STORE_MAX_MAIL) {
			if (!s->mail_full_logged)
				log_warnx("%s: the mail view of %s is %zu bytes, "
				    "more than %d; it is not saved, and after "
				    "a restart mail events start afresh",
				    s->path, account_id, len, STORE_MAX_MAIL);
			s->mail_full_logged = true;
			json_object_put(view);
			view = NULL;
		}
	}
	if (view == NULL) {
		if (json_object_object_get_ex(s->mail, account_id, NULL)) {
			json_object_object_del(s->mail, account_id);
			store_drop_if_empty(&s->mail);
			s->dirty = true;
		}
		return;
	}
	if (json_object_object_get_ex(s->mail, account_id, &old) &&
	    json_object_equal(old, view)) {
		json_object_put(view);
		return;
	}
	if (s->mail == NULL)
		s->mail = json_object_new_object();
	json_object_object_add(s->mail, account_id, view);
	s->dirty = true;
}

struct json_object *
store_notify(const struct store *s)
{
	return s->notify;
}

void
store_set_notify(struct store *s, struct json_object *list)
{
	if (list != NULL && json_object_array_length(list) == 0) {
		json_object_put(list);
		list = NULL;
	}
	if (list == NULL ? s->notify == NULL :
	    s->notify != NULL && json_object_equal(s->notify, list)) {
		json_object_put(list);
		return;
	}
	json_object_put(s->notify);
	s->notify = list;
	s->dirty = true;
}

