#include "autoconf.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>
#include <systemd/sd-daemon.h>

#include "config/config.h"
#include "config/values.h"
#include "output/outputs.h"
#include "output/sockauth.h"
#include "output/sockproto.h"
#include "output/socket.h"
#include "session/account.h"
#include "state/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* How long a client being dropped may read nothing before it is cut off. */
#define SOCK_CLOSE_GRACE_MS	1000
/* The most of a client's output handed to its bufferevent at once.  Lines
 * there can only be written (libevent freezes the front of a bufferevent's
 * output buffer: nothing can be taken back out), so the rest waits in our
 * own queue of whole lines, where state events can be merged and an
 * overflow can drop lines. */
#define SOCK_CHUNK_MAX		(16 * 1024)

/* A line waiting for room in a client's bufferevent.  A state event keeps
 * what merging needs: for a client that falls behind only the newest state
 * of each (account, accountId, type) matters. */
struct sock_line {
	TAILQ_ENTRY(sock_line) entry;
	char *text;		/* ends in '\n' */
	size_t len;
	char *key;		/* state events: "account\naccountId", else NULL */
	uint32_t hash;		/* of key */
	struct sock_line *hnext;	/* in its bucket of the client's index */
	struct json_object *changed;	/* state events: {Type: state} */
};
TAILQ_HEAD(sock_lines, sock_line);

struct sock_client {
	TAILQ_ENTRY(sock_client) entry;
	struct sock *s;
	unsigned id;
	struct bufferevent *bev;
	struct sockproto_sub sub;
	bool discarding;	/* inside a line that is too long */
	bool closing;		/* no more input or events; freed once flushed */
	bool dead;		/* waiting for the reaper */
	/* While output waits: fires when the client has taken none of it for
	 * socket_stall (SOCK_CLOSE_GRACE_MS once closing). */
	struct event *timer;
	int64_t progress_ms;	/* output last taken, or began to wait */
	/* Whole lines behind what the bufferevent holds, oldest first, and
	 * the state events among them by key (a table of nbuckets, a power
	 * of two, chained through hnext). */
	struct sock_lines pending;
	size_t npending, pending_bytes;
	struct sock_line **buckets;
	size_t nbuckets, nkeyed;
};
TAILQ_HEAD(sock_clients, sock_client);

struct sock {
	struct event_base *base;
	const struct outputs_callbacks *cb;
	struct evconnlistener *listener;
	char *path;		/* the file we created, removed on exit */
	ino_t ino;
	size_t queue_max;
	uint64_t stall_ms;
	unsigned max_clients;
	unsigned nclients;	/* in clients */
	unsigned long refused_full;	/* in this burst at max_clients */
	uid_t self;
	bool has_group;
	gid_t group;		/* socket_group's, when has_group */
	char *group_name;
	unsigned mode;		/* socket_mode when the socket was made */
	struct sockauth_limit denied_log;
	unsigned next_id;
	struct sock_clients clients;
	struct sock_clients dead;
	struct event *reaper;
};

/* Milliseconds on a clock that no wall-clock change moves. */
static int64_t
sock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* l must be out of its queue and index. */
static void
sock_line_free(struct sock_line *l)
{
	free(l->text);
	free(l->key);
	json_object_put(l->changed);
	free(l);
}

/* Frees the lines c has not handed to its bufferevent; their number. */
static size_t
sock_client_drop_pending(struct sock_client *c)
{
	struct sock_line *l;
	size_t n = c->npending;

	while ((l = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, l, entry);
		sock_line_free(l);
	}
	c->npending = c->pending_bytes = 0;
	free(c->buckets);
	c->buckets = NULL;
	c->nbuckets = c->nkeyed = 0;
	return n;
}

static void
sock_client_free(struct sock_client *c)
{
	bufferevent_free(c->bev);
	event_free(c->timer);
	sockproto_sub_clear(&c->sub);
	sock_client_drop_pending(c);
	free(c);
}

static void
sock_reap(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	struct sock_client *c;

	while ((c = TAILQ_FIRST(&s->dead)) != NULL) {
		TAILQ_REMOVE(&s->dead, c, entry);
		sock_client_free(c);
	}
}

/* Freed on the reaper's turn: this may run inside c's own callbacks. */
static void
sock_client_kill(struct sock_client *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("socket client %u: %s", c->id, why);
	c->dead = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	evtimer_del(c->timer);
	TAILQ_REMOVE(&c->s->clients, c, entry);
	c->s->nclients--;
	if (c->s->refused_full > 0 && c->s->nclients < c->s->max_clients) {
		log_info("socket: %lu connection(s) refused while at "
		    "max_clients (%u); accepting again", c->s->refused_full,
		    c->s->max_clients);
		c->s->refused_full = 0;
	}
	TAILQ_INSERT_TAIL(&c->s->dead, c, entry);
	event_active(c->s->reaper, EV_TIMEOUT, 0);
}

/* (Re)starts c's timer: ms from now. */
static void
sock_client_arm(struct sock_client *c, int64_t ms)
{
	struct timeval tv = { ms / 1000, ms % 1000 * 1000 };

	evtimer_add(c->timer, &tv);
}

/* Output began to wait for c: its clock of progress starts. */
static void
sock_client_waiting(struct sock_client *c)
{
	c->progress_ms = sock_now_ms();
	if (!evtimer_pending(c->timer, NULL))
		sock_client_arm(c, (int64_t)c->s->stall_ms);
}

/* Stops reading; the client goes once its output is written, or once it
 * has taken none of it for a short grace. */
static void
sock_client_close(struct sock_client *c)
{
	if (c->closing)
		return;
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 &&
	    TAILQ_EMPTY(&c->pending)) {
		sock_client_kill(c, "closed");
		return;
	}
	c->progress_ms = sock_now_ms();
	sock_client_arm(c, SOCK_CLOSE_GRACE_MS);
}

/* How much of its output a client's bufferevent may hold. */
static size_t
sock_chunk(const struct sock *s)
{
	return s->queue_max / 4 < SOCK_CHUNK_MAX ? s->queue_max / 4 :
	    SOCK_CHUNK_MAX;
}

/* Of an index key; any spread will do, the chains are compared in full. */
static uint32_t
sock_key_hash(const char *key)
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
sock_index_file(struct sock_client *c, struct sock_line *l)
{
	size_t i = l->hash & (c->nbuckets - 1);

	l->hnext = c->buckets[i];
	c->buckets[i] = l;
}

/* Indexes l, already pending; the table doubles to keep chains short. */
static void
sock_index_add(struct sock_client *c, struct sock_line *l)
{
	struct sock_line *p;

	if (++c->nkeyed <= c->nbuckets) {
		sock_index_file(c, l);
		return;
	}
	free(c->buckets);
	c->nbuckets = c->nbuckets != 0 ? c->nbuckets * 2 : 16;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	TAILQ_FOREACH(p, &c->pending, entry)
		if (p->key != NULL)
			sock_index_file(c, p);
}

/* l must be indexed. */
static void
sock_index_remove(struct sock_client *c, struct sock_line *l)
{
	struct sock_line **pp = &c->buckets[l->hash & (c->nbuckets - 1)];

	while (*pp != l)
		pp = &(*pp)->hnext;
	*pp = l->hnext;
	c->nkeyed--;
}

/* The pending state event of that key, NULL when none. */
static struct sock_line *
sock_index_find(const struct sock_client *c, const char *key, uint32_t hash)
{
	struct sock_line *l;

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
sock_client_fill(struct sock_client *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t chunk = sock_chunk(c->s);
	struct sock_line *l;

	while (evbuffer_get_length(out) < chunk &&
	    (l = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, l, entry);
		if (l->key != NULL)
			sock_index_remove(c, l);
		c->npending--;
		c->pending_bytes -= l->len;
		evbuffer_add(out, l->text, l->len);
		sock_line_free(l);
	}
}

/* Every pending line is dropped, the client is told how many events it
 * lost (lost: those that never got in, added), and is disconnected.  What
 * the bufferevent holds (whole lines, the first maybe partly written) goes
 * out first. */
static void
sock_client_drop(struct sock_client *c, size_t lost, const char *why)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t dropped = sock_client_drop_pending(c) + lost;
	char *line;

	line = sockproto_overflow(dropped);
	evbuffer_add(out, line, strlen(line));
	free(line);
	log_warnx("socket client %u: %s; dropped %zu event(s), "
	    "disconnecting", c->id, why, dropped);
	sock_client_close(c);
}

/* The output waiting for c is over socket_queue, merged as it is. */
static void
sock_client_full(struct sock_client *c, size_t lost)
{
	char why[128];

	snprintf(why, sizeof(why), "output queue over %zu bytes with state "
	    "events merged (the client reads too slowly)", c->s->queue_max);
	sock_client_drop(c, lost, why);
}

/* While output waits: a client that took none of it for the limit is
 * dropped (closing: cut off). */
static void
sock_client_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sock_client *c = arg;
	int64_t limit = c->closing ? SOCK_CLOSE_GRACE_MS :
	    (int64_t)c->s->stall_ms;
	int64_t idle = sock_now_ms() - c->progress_ms;
	char why[128], dur[32];

	if (c->dead || (evbuffer_get_length(bufferevent_get_output(c->bev)) ==
	    0 && TAILQ_EMPTY(&c->pending)))
		return;
	if (idle < limit) {
		sock_client_arm(c, limit - idle);
		return;
	}
	if (c->closing) {
		sock_client_kill(c, "dropped");
		return;
	}
	value_format_ms(c->s->stall_ms, dur, sizeof(dur));
	snprintf(why, sizeof(why), "read nothing for %s while output waited "
	    "(the client does not read)", dur);
	sock_client_drop(c, 0, why);
}

/* The bufferevent wrote some of c's output to the socket: progress (only
 * its writes take bytes from the front of the buffer). */
static void
sock_client_moved(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct sock_client *c = arg;

	if (info->n_deleted > 0)
		c->progress_ms = sock_now_ms();
}

/* Sets every {Type: state} of from in to (a newer state replaces an older
 * one); from is borrowed and may be NULL. */
static void
sock_changed_add(struct json_object *to, struct json_object *from)
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
sock_client_merge(struct sock_client *c, struct sock_line *l,
    const struct push_event *ev)
{
	struct json_object *merged = json_object_new_object();
	struct push_event m = *ev;

	sock_changed_add(merged, l->changed);
	sock_changed_add(merged, ev->changed);
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

/* Queues one line for c, within the bound; takes nothing.  ev: the state
 * event line is, NULL for any other line.  A client with nothing queued
 * gets the line at once: leaving it to the bufferevent would cost a turn
 * of the loop (and two epoll_ctl) on every event's latency. */
static void
sock_client_send(struct sock_client *c, const char *line,
    const struct push_event *ev)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t len = strlen(line), olen = evbuffer_get_length(out);
	struct sock_line *l;
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
		sock_client_waiting(c);
		return;
	}
	if (ev != NULL) {
		xasprintf(&key, "%s\n%s", ev->account, ev->account_id);
		hash = sock_key_hash(key);
		if ((l = sock_index_find(c, key, hash)) != NULL) {
			free(key);
			sock_client_merge(c, l, ev);
			if (olen + c->pending_bytes > c->s->queue_max)
				sock_client_full(c, 0);
			return;
		}
	}
	if (olen + c->pending_bytes + len > c->s->queue_max) {
		free(key);
		sock_client_full(c, 1);
		return;
	}
	if (TAILQ_EMPTY(&c->pending) && olen < sock_chunk(c->s)) {
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
		sock_index_add(c, l);
	}
}

static void
sock_account_status(struct account *a, void *arg)
{
	struct json_object *arr = arg, *o = json_object_new_object();
	enum account_status st = account_status(a);
	const struct store *store = account_store(a);
	struct json_object *states;

	json_object_object_add(o, "account",
	    json_object_new_string(account_name(a)));
	json_object_object_add(o, "status",
	    json_object_new_string(account_status_name(st)));
	json_object_object_add(o, "transport",
	    json_object_new_string(account_transport(a)));
	json_object_object_add(o, "since",
	    sockproto_time_json(account_since(a)));
	json_object_object_add(o, "lastPush",
	    sockproto_time_json(account_last_push(a)));
	states = store != NULL ? store_states(store) : NULL;
	json_object_object_add(o, "states", states != NULL ?
	    json_object_get(states) : json_object_new_object());
	if (st == ACCOUNT_BACKOFF || st == ACCOUNT_AUTH_FAILED ||
	    st == ACCOUNT_DISABLED)
		json_object_object_add(o, "retryIn",
		    sockproto_seconds_json(account_retry_in(a)));
	if (account_error(a) != NULL)
		json_object_object_add(o, "error",
		    json_object_new_string(account_error(a)));
	json_object_array_add(arr, o);
}

static void
sock_client_command(struct sock_client *c, const char *line, size_t len)
{
	struct json_object *arr;
	struct sockcmd cmd;
	char *reply = NULL;

	if (sockcmd_parse(line, len, &cmd, &reply) == -1) {
		sock_client_send(c, reply, NULL);
		free(reply);
		return;
	}
	switch (cmd.kind) {
	case SOCKCMD_STATUS:
		arr = json_object_new_array();
		c->s->cb->foreach_account(c->s->cb->arg, sock_account_status,
		    arr);
		reply = sockproto_status(arr);
		break;
	case SOCKCMD_SUBSCRIBE:
		sockproto_sub_set(&c->sub, &cmd);
		reply = sockproto_ok(cmd.cmd);
		break;
	case SOCKCMD_RECONNECT:
		if (c->s->cb->reconnect(c->s->cb->arg, cmd.account) == -1)
			reply = sockproto_error("unknown account: use one of "
			    "the names jmap-pushctl status shows", cmd.cmd);
		else {
			log_info("reconnecting %s: asked on the socket",
			    cmd.account != NULL ? cmd.account : "every account");
			reply = sockproto_ok(cmd.cmd);
		}
		break;
	case SOCKCMD_RELOAD:
		if (c->s->cb->reload(c->s->cb->arg) == -1)
			reply = sockproto_error("the new configuration has "
			    "errors (see the log, or jmap-pushd --check-config); "
			    "the running one stays", cmd.cmd);
		else
			reply = sockproto_ok(cmd.cmd);
		break;
	}
	sock_client_send(c, reply, NULL);
	free(reply);
	sockcmd_clear(&cmd);
}

static void
sock_client_read(struct bufferevent *bev, void *arg)
{
	struct sock_client *c = arg;
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
					sock_client_command(c, NULL, len);
				c->discarding = true;
				evbuffer_drain(in, len);
			}
			return;
		}
		len = (size_t)eol.pos;
		if (c->discarding || len > SOCKPROTO_MAX_LINE) {
			if (!c->discarding)
				sock_client_command(c, NULL, len);
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
			sock_client_command(c, line, len);
		free(line);
	}
}

static void
sock_client_written(struct bufferevent *bev, void *arg)
{
	struct sock_client *c = arg;

	sock_client_fill(c);
	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) ==
	    0)
		sock_client_kill(c, "closed");
}

static void
sock_client_event(struct bufferevent *bev, short what, void *arg)
{
	struct sock_client *c = arg;

	if (what & BEV_EVENT_ERROR)
		sock_client_kill(c, "connection error");
	else if (what & BEV_EVENT_EOF)
		/* A client that sent its commands and shut down its side
		 * still gets the replies. */
		sock_client_close(c);
}

/* Tells a refused client why, if the line fits at once (a new
 * connection's buffer is empty), and closes it. */
static void
sock_refuse(evutil_socket_t fd, const char *why)
{
	char *line = sockproto_error(why, NULL);

	(void)send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
	free(line);
	evutil_closesocket(fd);
}

/* Whether the peer on fd may talk; refusals are logged within a bound. */
static bool
sock_peer_allowed(struct sock *s, evutil_socket_t fd, struct sockauth_peer *p)
{
	unsigned long missed = 0;
	char more[80] = "";

	if (sockauth_peer_get(fd, p, s->self, s->has_group, s->group) == -1)
		return false;
	if (sockauth_check(p, s->self, s->has_group, s->group) !=
	    SOCKAUTH_DENIED)
		return true;
	if (sockauth_limit_log(&s->denied_log, time(NULL), &missed)) {
		if (missed > 0)
			snprintf(more, sizeof(more), " (and %lu more before, "
			    "not logged)", missed);
		log_warnx("socket: refused a client with uid %u (pid %ld): "
		    "not the daemon's user, root%s%s%s", (unsigned)p->uid,
		    (long)p->pid, s->has_group ? " or a member of " : "",
		    s->has_group ? s->group_name : "", more);
	}
	sockauth_peer_clear(p);
	return false;
}

static void
sock_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct sock *s = arg;
	struct sockauth_peer peer;
	struct sock_client *c;

	if (!sock_peer_allowed(s, fd, &peer)) {
		sock_refuse(fd, "permission denied: only the daemon's user, "
		    "root and the members of its socket_group may use this "
		    "socket");
		return;
	}
	sockauth_peer_clear(&peer);
	if (s->nclients >= s->max_clients) {
		if (s->refused_full++ == 0)
			log_warnx("socket: %u clients connected, the "
			    "max_clients limit: refusing new ones until one "
			    "leaves", s->nclients);
		sock_refuse(fd, "too many clients: try again later, or raise "
		    "max_clients");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->id = ++s->next_id;
	TAILQ_INIT(&c->pending);
	sockproto_sub_all(&c->sub);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("libevent: cannot create a socket client buffer");
	bufferevent_setcb(c->bev, sock_client_read, sock_client_written,
	    sock_client_event, c);
	evbuffer_add_cb(bufferevent_get_output(c->bev), sock_client_moved, c);
	if ((c->timer = evtimer_new(s->base, sock_client_timer, c)) == NULL)
		fatalx("libevent: cannot create a socket client timer");
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&s->clients, c, entry);
	s->nclients++;
	log_debug("socket client %u: connected (uid %u, pid %ld)", c->id,
	    (unsigned)peer.uid, (long)peer.pid);
}

static void
sock_accept_error(struct evconnlistener *l, void *arg)
{
	/* EMFILE and the like: the listener retries on the next client. */
	log_warn("socket: accept");
}

/* The socket systemd passed: 1 and *fd, 0 when none, -1 on error. */
static int
sock_activated(int *fd)
{
	int n = sd_listen_fds(1);

	if (n <= 0)
		return 0;
	if (n > 1)
		log_warnx("socket: systemd passed %d sockets; using the first",
		    n);
	*fd = SD_LISTEN_FDS_START;
	if (sd_is_socket_unix(*fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
		log_warnx("socket: the socket systemd passed is not a "
		    "listening UNIX stream socket: fix ListenStream= in "
		    "jmap-pushd.socket");
		return -1;
	}
	return 1;
}

/* socket_group's gid, which the access check needs for a socket systemd
 * passed too. */
static int
sock_resolve_group(struct sock *s, const struct config *cfg)
{
	struct group *gr;

	s->self = geteuid();
	if (cfg->socket_group == NULL)
		return 0;
	errno = 0;
	if ((gr = getgrnam(cfg->socket_group)) == NULL) {
		if (errno != 0)
			log_warn("socket: cannot look up group %s",
			    cfg->socket_group);
		else
			log_warnx("socket: no group %s: create it (groupadd "
			    "%s) or fix socket_group", cfg->socket_group,
			    cfg->socket_group);
		return -1;
	}
	s->has_group = true;
	s->group = gr->gr_gid;
	s->group_name = xstrdup(cfg->socket_group);
	return 0;
}

/* Whether a daemon answers at path: then it is not ours to replace. */
static int
sock_probe(const struct sockaddr_un *sun)
{
	int fd, rc = 0;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		rc = 1;
	else if (errno != ECONNREFUSED && errno != ENOENT)
		rc = -1;
	close(fd);
	return rc;
}

static int
sock_bind(struct sock *s, const struct config *cfg)
{
	const char *path = cfg->socket_path;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	char *dir;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("socket %s: path too long; set a shorter socket =",
		    path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	dir = xstrdup(path);
	if (mkdir(dirname(dir), 0755) == 0)
		log_info("socket: created the directory %s", dir);
	free(dir);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("socket %s: exists and is not a socket; "
			    "remove it or set another socket =", path);
			return -1;
		}
		switch (sock_probe(&sun)) {
		case 1:
			log_warnx("socket %s: another jmap-pushd is listening "
			    "there; stop it first, or set another socket =",
			    path);
			return -1;
		case 0:
			log_info("socket %s: replacing a stale socket", path);
			if (unlink(path) == -1 && errno != ENOENT) {
				log_warn("socket %s: unlink", path);
				return -1;
			}
			break;
		default:
			log_warn("socket %s: cannot check the existing socket",
			    path);
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("socket %s: socket", path);
		return -1;
	}
	/* Never reachable by others, not even for a moment. */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("socket %s: bind", path);
		close(fd);
		return -1;
	}
	umask(old);
	s->path = xstrdup(path);
	if (lstat(path, &st) == 0)
		s->ino = st.st_ino;
	/* A socket the group cannot reach would refuse its members with
	 * no word to them: better not to start. */
	if (s->has_group && chown(path, (uid_t)-1, s->group) == -1) {
		log_warn("socket %s: cannot give it to group %s (the daemon's "
		    "user must be a member of it; under systemd, add "
		    "SupplementaryGroups=%s)", path, s->group_name,
		    s->group_name);
		close(fd);
		return -1;
	}
	if (chmod(path, (mode_t)cfg->socket_mode) == -1) {
		log_warn("socket %s: chmod", path);
		close(fd);
		return -1;
	}
	s->mode = cfg->socket_mode;
	if (listen(fd, 64) == -1) {
		log_warn("socket %s: listen", path);
		close(fd);
		return -1;
	}
	return fd;
}

struct sock *
sock_new(struct event_base *base, const struct config *cfg,
    const struct outputs_callbacks *cb)
{
	struct sock *s = xcalloc(1, sizeof(*s));
	int fd = -1, rc;

	s->base = base;
	s->cb = cb;
	s->queue_max = cfg->socket_queue;
	s->stall_ms = cfg->socket_stall_ms;
	s->max_clients = cfg->max_clients;
	TAILQ_INIT(&s->clients);
	TAILQ_INIT(&s->dead);
	if ((s->reaper = event_new(base, -1, 0, sock_reap, s)) == NULL)
		fatalx("libevent: cannot create the socket reaper");
	if ((rc = sock_activated(&fd)) == 0 && cfg->socket_path == NULL) {
		log_info("socket: none (%s)", cfg->socket_set ? "socket = none" :
		    "XDG_RUNTIME_DIR is not set; set socket = to have one");
		return s;
	}
	if (rc == -1 || sock_resolve_group(s, cfg) == -1 ||
	    (rc == 0 && (fd = sock_bind(s, cfg)) == -1)) {
		sock_free(s);
		return NULL;
	}
	if (rc == 1)
		log_info("socket: listening on the socket systemd passed");
	else
		log_info("socket: listening on %s", cfg->socket_path);
	evutil_make_socket_nonblocking(fd);
	s->listener = evconnlistener_new(base, sock_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (s->listener == NULL)
		fatalx("libevent: cannot listen on the socket");
	evconnlistener_set_error_cb(s->listener, sock_accept_error);
	return s;
}

void
sock_set_config(struct sock *s, const struct config *cfg)
{
	s->queue_max = cfg->socket_queue;
	s->stall_ms = cfg->socket_stall_ms;
	s->max_clients = cfg->max_clients;
	if (s->path != NULL && (cfg->socket_path == NULL ||
	    strcmp(cfg->socket_path, s->path) != 0))
		log_warnx("socket: a new socket path takes effect only when "
		    "jmap-pushd restarts; still listening on %s", s->path);
	/* The check and the file's mode and group go together. */
	if ((cfg->socket_group == NULL) != (s->group_name == NULL) ||
	    (cfg->socket_group != NULL &&
	    strcmp(cfg->socket_group, s->group_name) != 0) ||
	    (s->path != NULL && cfg->socket_mode != s->mode))
		log_warnx("socket: a new socket_group or socket_mode takes "
		    "effect only when jmap-pushd restarts");
}

void
sock_free(struct sock *s)
{
	struct sock_client *c;
	struct stat st;

	if (s == NULL)
		return;
	while ((c = TAILQ_FIRST(&s->clients)) != NULL) {
		TAILQ_REMOVE(&s->clients, c, entry);
		sock_client_free(c);
	}
	sock_reap(-1, 0, s);
	if (s->listener != NULL)
		evconnlistener_free(s->listener);
	/* Only our own file: another daemon may have taken the path. */
	if (s->path != NULL && lstat(s->path, &st) == 0 && st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	free(s->group_name);
	event_free(s->reaper);
	free(s);
}

void
sock_state(struct sock *s, const struct push_event *ev)
{
	struct sock_client *c, *next;
	char *line = NULL;

	for (c = TAILQ_FIRST(&s->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!sockproto_sub_wants(&c->sub, SOCKPROTO_EV_STATE,
		    ev->account, ev->changed))
			continue;
		if (line == NULL)
			line = sockproto_state(ev, time(NULL));
		sock_client_send(c, line, ev);
	}
	free(line);
}

void
sock_connection(struct sock *s, struct account *a)
{
	struct sock_client *c, *next;
	enum account_status st = account_status(a);
	char *line = NULL;

	for (c = TAILQ_FIRST(&s->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!sockproto_sub_wants(&c->sub, SOCKPROTO_EV_CONNECTION,
		    account_name(a), NULL))
			continue;
		if (line == NULL)
			line = sockproto_connection(account_name(a),
			    account_status_name(st), account_retry_in(a),
			    st == ACCOUNT_BACKOFF || st == ACCOUNT_AUTH_FAILED ||
			    st == ACCOUNT_DISABLED, account_error(a));
		sock_client_send(c, line, NULL);
	}
	free(line);
}
