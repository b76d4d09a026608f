/* SPDX-License-Identifier: ISC */
/*
 * A control socket client.  Lines handed to its bufferevent can only be
 * written (libevent freezes the front of a bufferevent's output buffer:
 * nothing can be taken back out), so at most a chunk goes there and the
 * rest waits in our own queue of whole lines, where state events can be
 * merged and an overflow can drop lines.  Waiting state events are indexed
 * by "account\naccountId" in a hash table, so that merging costs no walk.
 */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "config/values.h"
#include "output/outputs.h"
#include "output/sockclient.h"
#include "output/sockproto.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* How long a client being dropped may read nothing before it is cut off. */
#define SOCKCLIENT_GRACE_MS	1000
/* The most of a client's output handed to its bufferevent at once. */
#define SOCKCLIENT_CHUNK_MAX	(16 * 1024)

/* A line waiting for room in a client's bufferevent.  A state event keeps
 * what merging needs: for a client that falls behind only the newest state
 * of each (account, accountId, type) matters. */
struct sockclient_line {
	TAILQ_ENTRY(sockclient_line) entry;
	char *text;		/* ends in '\n' */
	size_t len;
	char *key;		/* state events: "account\naccountId" */
	uint32_t hash;		/* of key */
	struct sockclient_line *hnext;	/* in its bucket of the index */
	struct json_object *changed;	/* state events: {Type: state} */
};
TAILQ_HEAD(sockclient_lines, sockclient_line);

struct sockclient {
	unsigned id;
	struct bufferevent *bev;
	struct sockproto_sub sub;
	bool discarding;	/* inside a line that is too long */
	bool closing;		/* no input or events; goes once flushed */
	bool dead;		/* stopped, for its owner to free */
	/* While output waits: fires when the client has taken none of it for
	 * socket_stall (SOCKCLIENT_GRACE_MS once closing). */
	struct event *timer;
	int64_t progress_ms;	/* output last taken, or began to wait */
	/* Whole lines behind what the bufferevent holds, oldest first, and
	 * the state events among them by key (a table of nbuckets, a power
	 * of two, chained through hnext). */
	struct sockclient_lines pending;
	size_t npending, pending_bytes;
	struct sockclient_line **buckets;
	size_t nbuckets, nkeyed;
	const struct sockclient_limits *lim;
	sockclient_line_fn line_cb;
	sockclient_dead_fn dead_cb;
	void *arg;
};

static int64_t
sockclient_now_ms(void)
{
	return (int64_t)timeutil_mono_ms();
}

/* l must be out of its queue and index. */
static void
sockclient_line_free(struct sockclient_line *l)
{
	free(l->text);
	free(l->key);
	json_object_put(l->changed);
	free(l);
}

/* Frees the lines c has not handed to its bufferevent; their number. */
static size_t
sockclient_drop_pending(struct sockclient *c)
{
	struct sockclient_line *l;
	size_t n = c->npending;

	while ((l = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, l, entry);
		sockclient_line_free(l);
	}
	c->npending = c->pending_bytes = 0;
	free(c->buckets);
	c->buckets = NULL;
	c->nbuckets = c->nkeyed = 0;
	return n;
}

void
sockclient_free(struct sockclient *c)
{
	if (c == NULL)
		return;
	bufferevent_free(c->bev);
	event_free(c->timer);
	sockproto_sub_clear(&c->sub);
	sockclient_drop_pending(c);
	free(c);
}

/* Stops c for good; its owner frees it on a later turn: this may run
 * inside c's own callbacks. */
static void
sockclient_kill(struct sockclient *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("socket client %u: %s", c->id, why);
	c->dead = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	evtimer_del(c->timer);
	c->dead_cb(c, c->arg);
}

/* (Re)starts c's timer: ms from now. */
static void
sockclient_arm(struct sockclient *c, int64_t ms)
{
	struct timeval tv = timeutil_tv_ms((uint64_t)ms);

	evtimer_add(c->timer, &tv);
}

/* Output began to wait for c: its clock of progress starts. */
static void
sockclient_waiting(struct sockclient *c)
{
	c->progress_ms = sockclient_now_ms();
	if (!evtimer_pending(c->timer, NULL))
		sockclient_arm(c, (int64_t)c->lim->stall_ms);
}

/* Stops reading; the client goes once its output is written, or once it
 * has taken none of it for a short grace. */
static void
sockclient_close(struct sockclient *c)
{
	if (c->closing)
		return;
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 &&
	    TAILQ_EMPTY(&c->pending)) {
		sockclient_kill(c, "closed");
		return;
	}
	c->progress_ms = sockclient_now_ms();
	sockclient_arm(c, SOCKCLIENT_GRACE_MS);
}

/* How much of its output a client's bufferevent may hold. */
static size_t
sockclient_chunk(const struct sockclient *c)
{
	return c->lim->queue_max / 4 < SOCKCLIENT_CHUNK_MAX ?
	    c->lim->queue_max / 4 : SOCKCLIENT_CHUNK_MAX;
}

/* Of an index key; any spread will do, the chains are compared in full. */
static uint32_t
sockclient_key_hash(const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 16777619u;
	}
	return h;
}

/* Puts l in its bucket; the table must be there. */
static void
sockclient_index_file(struct sockclient *c, struct sockclient_line *l)
{
	size_t i = l->hash & (c->nbuckets - 1);

	l->hnext = c->buckets[i];
	c->buckets[i] = l;
}

/* Indexes l, already pending; the table doubles to keep chains short. */
static void
sockclient_index_add(struct sockclient *c, struct sockclient_line *l)
{
	struct sockclient_line *p;

	if (++c->nkeyed <= c->nbuckets) {
		sockclient_index_file(c, l);
		return;
	}
	free(c->buckets);
	c->nbuckets = c->nbuckets != 0 ? c->nbuckets * 2 : 16;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	TAILQ_FOREACH(p, &c->pending, entry)
		if (p->key != NULL)
			sockclient_index_file(c, p);
}

/* l must be indexed. */
static void
sockclient_index_remove(struct sockclient *c, struct sockclient_line *l)
{
	struct sockclient_line **pp = &c->buckets[l->hash & (c->nbuckets - 1)];

	while (*pp != l)
		pp = &(*pp)->hnext;
	*pp = l->hnext;
	c->nkeyed--;
}

/* The pending state event of that key, NULL when none. */
static struct sockclient_line *
sockclient_index_find(const struct sockclient *c, const char *key,
    uint32_t hash)
{
	struct sockclient_line *l;

	if (c->nbuckets == 0)
		return NULL;
	for (l = c->buckets[hash & (c->nbuckets - 1)]; l != NULL;
	    l = l->hnext)
		if (l->hash == hash && strcmp(l->key, key) == 0)
			return l;
	return NULL;
}

/* Moves pending lines into the bufferevent while it has room. */
static void
sockclient_fill(struct sockclient *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t chunk = sockclient_chunk(c);
	struct sockclient_line *l;

	while (evbuffer_get_length(out) < chunk &&
	    (l = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, l, entry);
		if (l->key != NULL)
			sockclient_index_remove(c, l);
		c->npending--;
		c->pending_bytes -= l->len;
		evbuffer_add(out, l->text, l->len);
		sockclient_line_free(l);
	}
}

/* Every pending line is dropped, the client is told how many events it
 * lost (lost: those that never got in, added), and is disconnected.  What
 * the bufferevent holds (whole lines, the first maybe partly written) goes
 * out first. */
static void
sockclient_drop(struct sockclient *c, size_t lost, const char *why)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t dropped = sockclient_drop_pending(c) + lost;
	char *line;

	line = sockproto_overflow(dropped);
	evbuffer_add(out, line, strlen(line));
	free(line);
	log_warnx("socket client %u: %s; dropped %zu event(s), "
	    "disconnecting", c->id, why, dropped);
	sockclient_close(c);
}

/* The output waiting for c is over socket_queue, merged as it is. */
static void
sockclient_full(struct sockclient *c, size_t lost)
{
	char why[128];

	snprintf(why, sizeof(why), "output queue over %zu bytes with state "
	    "events merged (the client reads too slowly)", c->lim->queue_max);
	sockclient_drop(c, lost, why);
}

/* While output waits: a client that took none of it for the limit is
 * dropped (closing: cut off). */
static void
sockclient_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sockclient *c = arg;
	int64_t limit = c->closing ? SOCKCLIENT_GRACE_MS :
	    (int64_t)c->lim->stall_ms;
	int64_t idle = sockclient_now_ms() - c->progress_ms;
	char why[128], dur[32];

	if (c->dead || (evbuffer_get_length(bufferevent_get_output(c->bev)) ==
	    0 && TAILQ_EMPTY(&c->pending)))
		return;
	if (idle < limit) {
		sockclient_arm(c, limit - idle);
		return;
	}
	if (c->closing) {
		sockclient_kill(c, "dropped");
		return;
	}
	value_format_ms(c->lim->stall_ms, dur, sizeof(dur));
	snprintf(why, sizeof(why), "read nothing for %s while output waited "
	    "(the client does not read)", dur);
	sockclient_drop(c, 0, why);
}

/* The bufferevent wrote some of c's output to the socket: progress (only
 * its writes take bytes from the front of the buffer). */
static void
sockclient_moved(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct sockclient *c = arg;

	if (info->n_deleted > 0)
		c->progress_ms = sockclient_now_ms();
}

/* Sets every {Type: state} of from in to (a newer state replaces an older
 * one); from is borrowed and may be NULL. */
static void
sockclient_changed_add(struct json_object *to, struct json_object *from)
{
	if (from == NULL || !json_object_is_type(from, json_type_object))
		return;
	json_object_object_foreach(from, type, state)
		json_object_object_add(to, type, json_object_get(state));
}

/* Merges ev into l, the pending state event for the same account and
 * accountId, which moves to the end of the queue: the client learns the
 * newest state of every type either changed, with ev's pushState, reason
 * and time. */
static void
sockclient_merge(struct sockclient *c, struct sockclient_line *l,
    const struct push_event *ev)
{
	struct json_object *merged = json_object_new_object();
	struct push_event m = *ev;

	sockclient_changed_add(merged, l->changed);
	sockclient_changed_add(merged, ev->changed);
	json_object_put(l->changed);
	l->changed = m.changed = merged;
	c->pending_bytes -= l->len;
	free(l->text);
	l->text = sockproto_state(&m, time(NULL));
	l->len = strlen(l->text);
	c->pending_bytes += l->len;
	TAILQ_REMOVE(&c->pending, l, entry);
	TAILQ_INSERT_TAIL(&c->pending, l, entry);
}

/* A client with nothing queued
 * gets the line at once: leaving it to the bufferevent would cost a turn
 * of the loop (and two epoll_ctl) on every event's latency. */
void
sockclient_send(struct sockclient *c, const char *line,
    const struct push_event *ev)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t len = strlen(line), olen = evbuffer_get_length(out);
	struct sockclient_line *l;
	char *key = NULL;
	uint32_t hash = 0;
	ssize_t n;

	if (c->closing || c->dead)
		return;
	if (olen == 0 && TAILQ_EMPTY(&c->pending)) {
		/* An error is left for the bufferevent to find and report. */
		n = send(bufferevent_getfd(c->bev), line, len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return;
		if (n < 0)
			n = 0;
		/* One line always fits in an empty queue. */
		evbuffer_add(out, line + n, len - (size_t)n);
		sockclient_waiting(c);
		return;
	}
	if (ev != NULL) {
		xasprintf(&key, "%s\n%s", ev->account, ev->account_id);
		hash = sockclient_key_hash(key);
		if ((l = sockclient_index_find(c, key, hash)) != NULL) {
			free(key);
			sockclient_merge(c, l, ev);
			if (olen + c->pending_bytes > c->lim->queue_max)
				sockclient_full(c, 0);
			return;
		}
	}
	if (olen + c->pending_bytes + len > c->lim->queue_max) {
		free(key);
		sockclient_full(c, 1);
		return;
	}
	if (TAILQ_EMPTY(&c->pending) && olen < sockclient_chunk(c)) {
		free(key);
		evbuffer_add(out, line, len);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->text = xstrdup(line);
	l->len = len;
	TAILQ_INSERT_TAIL(&c->pending, l, entry);
	c->npending++;
	c->pending_bytes += len;
	if (key != NULL) {
		l->key = key;
		l->hash = hash;
		l->changed = json_object_get(ev->changed);
		sockclient_index_add(c, l);
	}
}

static void
sockclient_read(struct bufferevent *bev, void *arg)
{
	struct sockclient *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	size_t len;
	char *line;

	while (!c->closing && !c->dead) {
		eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			len = evbuffer_get_length(in);
			if (len > SOCKPROTO_MAX_LINE) {
				if (!c->discarding)
					c->line_cb(c, NULL, len, c->arg);
				c->discarding = true;
				evbuffer_drain(in, len);
			}
			return;
		}
		len = (size_t)eol.pos;
		if (c->discarding || len > SOCKPROTO_MAX_LINE) {
			if (!c->discarding)
				c->line_cb(c, NULL, len, c->arg);
			c->discarding = false;
			evbuffer_drain(in, len + 1);
			continue;
		}
		line = xmalloc(len + 1);
		evbuffer_remove(in, line, len);
		evbuffer_drain(in, 1);
		line[len] = '\0';
		/* Empty lines are a client's keep-alive. */
		if (strspn(line, " \t\r") != len)
			c->line_cb(c, line, len, c->arg);
		free(line);
	}
}

static void
sockclient_written(struct bufferevent *bev, void *arg)
{
	struct sockclient *c = arg;

	sockclient_fill(c);
	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) ==
	    0)
		sockclient_kill(c, "closed");
}

static void
sockclient_event(struct bufferevent *bev, short what, void *arg)
{
	struct sockclient *c = arg;

	if (what & BEV_EVENT_ERROR)
		sockclient_kill(c, "connection error");
	else if (what & BEV_EVENT_EOF)
		/* A client that sent its commands and shut down its side
		 * still gets the replies. */
		sockclient_close(c);
}

struct sockclient *
sockclient_new(struct event_base *base, int fd, unsigned id,
    const struct sockclient_limits *limits, sockclient_line_fn line_cb,
    sockclient_dead_fn dead_cb, void *arg)
{
	struct sockclient *c = xcalloc(1, sizeof(*c));

	c->id = id;
	c->lim = limits;
	c->line_cb = line_cb;
	c->dead_cb = dead_cb;
	c->arg = arg;
	TAILQ_INIT(&c->pending);
	sockproto_sub_all(&c->sub);
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("libevent: cannot create a socket client buffer");
	bufferevent_setcb(c->bev, sockclient_read, sockclient_written,
	    sockclient_event, c);
	evbuffer_add_cb(bufferevent_get_output(c->bev), sockclient_moved, c);
	c->timer = xevtimer_new(base, sockclient_timer, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

struct sockproto_sub *
sockclient_sub(struct sockclient *c)
{
	return &c->sub;
}
