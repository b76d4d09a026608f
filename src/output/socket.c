/* SPDX-License-Identifier: ISC */
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

#include <event2/event.h>
#include <event2/listener.h>
#include <systemd/sd-daemon.h>

#include "config/config.h"
#include "output/outputs.h"
#include "output/sockauth.h"
#include "output/sockclient.h"
#include "output/sockcmd.h"
#include "output/sockproto.h"
#include "output/socket.h"
#include "session/account.h"
#include "util/log.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* A client in the socket's lists. */
struct sock_client {
	TAILQ_ENTRY(sock_client) entry;
	struct sock *s;
	struct sockclient *c;
};
TAILQ_HEAD(sock_clients, sock_client);

struct sock {
	struct event_base *base;
	const struct outputs_callbacks *cb;
	struct evconnlistener *listener;
	char *path;		/* the file we created, removed on exit */
	ino_t ino;
	/* Held: the one the socket was made with, whose path, socket_mode
	 * and socket_group stay until a restart, and the current one. */
	struct config *made;
	struct config *cfg;
	struct sockclient_limits limits;	/* every client's, from cfg */
	unsigned nclients;	/* in clients */
	unsigned long refused_full;	/* in this burst at max_clients */
	uid_t self;
	bool has_group;
	gid_t group;		/* socket_group's, when has_group */
	struct sockauth_limit denied_log;
	unsigned next_id;
	struct sock_clients clients;
	struct sock_clients dead;
	struct event *reaper;
};

static void
sock_client_free(struct sock_client *sc)
{
	sockclient_free(sc->c);
	free(sc);
}

static void
sock_reap(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	struct sock_client *sc;

	while ((sc = TAILQ_FIRST(&s->dead)) != NULL) {
		TAILQ_REMOVE(&s->dead, sc, entry);
		sock_client_free(sc);
	}
}

/* The client stopped: freed on the reaper's turn, as this runs inside its
 * own callbacks. */
static void
sock_client_dead(struct sockclient *c, void *arg)
{
	struct sock_client *sc = arg;
	struct sock *s = sc->s;

	TAILQ_REMOVE(&s->clients, sc, entry);
	s->nclients--;
	if (sockproto_sub_mail(sockclient_sub(c)))
		s->cb->mail_wanted_changed(s->cb->arg);
	if (s->refused_full > 0 && s->nclients < s->cfg->max_clients) {
		log_info("socket: %lu connection(s) refused while at "
		    "max_clients (%u); accepting again", s->refused_full,
		    s->cfg->max_clients);
		s->refused_full = 0;
	}
	TAILQ_INSERT_TAIL(&s->dead, sc, entry);
	event_active(s->reaper, EV_TIMEOUT, 0);
}

static void
sock_client_line(struct sockclient *c, const char *line, size_t len,
    void *arg)
{
	struct sock_client *sc = arg;

	sockcmd_run(sc->s->cb, c, line, len);
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
		    s->has_group ? s->made->socket_group : "", more);
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
	struct sock_client *sc;

	if (!sock_peer_allowed(s, fd, &peer)) {
		sock_refuse(fd, "permission denied: only the daemon's user, "
		    "root and the members of its socket_group may use this "
		    "socket");
		return;
	}
	sockauth_peer_clear(&peer);
	if (s->nclients >= s->cfg->max_clients) {
		if (s->refused_full++ == 0)
			log_warnx("socket: %u clients connected, the "
			    "max_clients limit: refusing new ones until one "
			    "leaves", s->nclients);
		sock_refuse(fd, "too many clients: try again later, or raise "
		    "max_clients");
		return;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->s = s;
	sc->c = sockclient_new(s->base, fd, ++s->next_id, &s->limits,
	    sock_client_line, sock_client_dead, sc);
	TAILQ_INSERT_TAIL(&s->clients, sc, entry);
	s->nclients++;
	log_debug("socket client %u: connected (uid %u, pid %ld)", s->next_id,
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
		    "SupplementaryGroups=%s)", path, cfg->socket_group,
		    cfg->socket_group);
		close(fd);
		return -1;
	}
	if (chmod(path, (mode_t)cfg->socket_mode) == -1) {
		log_warn("socket %s: chmod", path);
		close(fd);
		return -1;
	}
	if (listen(fd, 64) == -1) {
		log_warn("socket %s: listen", path);
		close(fd);
		return -1;
	}
	return fd;
}

struct sock *
sock_new(struct event_base *base, struct config *cfg,
    const struct outputs_callbacks *cb)
{
	struct sock *s = xcalloc(1, sizeof(*s));
	int fd = -1, rc;

	s->base = base;
	s->cb = cb;
	s->made = config_ref(cfg);
	s->cfg = config_ref(cfg);
	s->limits.queue_max = cfg->socket_queue;
	s->limits.stall_ms = cfg->socket_stall_ms;
	TAILQ_INIT(&s->clients);
	TAILQ_INIT(&s->dead);
	s->reaper = xevent_new(base, -1, 0, sock_reap, s);
	if ((rc = sock_activated(&fd)) == 0 && cfg->socket_path == NULL) {
		log_info("socket: none (%s)", cfg->socket_set ?
		    "socket = none" :
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
sock_set_config(struct sock *s, struct config *cfg)
{
	const char *group = s->has_group ? s->made->socket_group : NULL;

	config_ref(cfg);
	config_unref(s->cfg);
	s->cfg = cfg;
	s->limits.queue_max = cfg->socket_queue;
	s->limits.stall_ms = cfg->socket_stall_ms;
	if (s->path != NULL && (cfg->socket_path == NULL ||
	    strcmp(cfg->socket_path, s->path) != 0))
		log_warnx("socket: a new socket path takes effect only when "
		    "jmap-pushd restarts; still listening on %s", s->path);
	/* The check and the file's mode and group go together. */
	if ((cfg->socket_group == NULL) != (group == NULL) ||
	    (cfg->socket_group != NULL &&
	    strcmp(cfg->socket_group, group) != 0) ||
	    (s->path != NULL && cfg->socket_mode != s->made->socket_mode))
		log_warnx("socket: a new socket_group or socket_mode takes "
		    "effect only when jmap-pushd restarts");
}

void
sock_free(struct sock *s)
{
	struct sock_client *sc;
	struct stat st;

	if (s == NULL)
		return;
	while ((sc = TAILQ_FIRST(&s->clients)) != NULL) {
		TAILQ_REMOVE(&s->clients, sc, entry);
		sock_client_free(sc);
	}
	sock_reap(-1, 0, s);
	if (s->listener != NULL)
		evconnlistener_free(s->listener);
	/* Only our own file: another daemon may have taken the path. */
	if (s->path != NULL && lstat(s->path, &st) == 0 && st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	config_unref(s->made);
	config_unref(s->cfg);
	event_free(s->reaper);
	free(s);
}

void
sock_state(struct sock *s, const struct push_event *ev)
{
	struct sock_client *sc, *next;
	char *line = NULL;

	for (sc = TAILQ_FIRST(&s->clients); sc != NULL; sc = next) {
		next = TAILQ_NEXT(sc, entry);
		if (!sockproto_sub_wants(sockclient_sub(sc->c),
		    SOCKPROTO_EV_STATE, ev->account, ev->changed))
			continue;
		if (line == NULL)
			line = sockproto_state(ev, time(NULL));
		sockclient_send(sc->c, line, ev);
	}
	free(line);
}

void
sock_connection(struct sock *s, struct account *a)
{
	struct sock_client *sc, *next;
	char *line = NULL;

	for (sc = TAILQ_FIRST(&s->clients); sc != NULL; sc = next) {
		next = TAILQ_NEXT(sc, entry);
		if (!sockproto_sub_wants(sockclient_sub(sc->c),
		    SOCKPROTO_EV_CONNECTION, account_name(a), NULL))
			continue;
		if (line == NULL)
			line = sockproto_account_connection(a);
		sockclient_send(sc->c, line, NULL);
	}
	free(line);
}

void
sock_muted(struct sock *s, bool muted, time_t until)
{
	struct sock_client *sc, *next;
	char *line = NULL;

	for (sc = TAILQ_FIRST(&s->clients); sc != NULL; sc = next) {
		next = TAILQ_NEXT(sc, entry);
		if ((sockclient_sub(sc->c)->events & SOCKPROTO_EV_MUTE) == 0)
			continue;
		if (line == NULL)
			line = sockproto_mute(muted, until);
		sockclient_send(sc->c, line, NULL);
	}
	free(line);
}

bool
sock_mail_wanted(const struct sock *s, const char *account)
{
	struct sock_client *sc;

	TAILQ_FOREACH(sc, &s->clients, entry)
		if (sockproto_sub_mail_of(sockclient_sub(sc->c), account))
			return true;
	return false;
}

void
sock_mail(struct sock *s, const struct mail_event *ev)
{
	struct sock_client *sc, *next;
	struct sockproto_sub *sub;
	char *line;

	/* Each client's own mailboxes filter: formatted per client. */
	for (sc = TAILQ_FIRST(&s->clients); sc != NULL; sc = next) {
		next = TAILQ_NEXT(sc, entry);
		sub = sockclient_sub(sc->c);
		if (sockproto_sub_wants(sub, SOCKPROTO_EV_MAILBOX, ev->account,
		    NULL) && (line = sockproto_mailbox(ev->account,
		    ev->account_id, ev->result, ev->cache,
		    sub->mailboxes)) != NULL) {
			sockclient_send(sc->c, line, NULL);
			free(line);
		}
		if (sockproto_sub_wants(sub, SOCKPROTO_EV_MAIL, ev->account,
		    NULL) && (line = sockproto_mail(ev->account,
		    ev->account_id, ev->result, ev->cache,
		    sub->mailboxes)) != NULL) {
			sockclient_send(sc->c, line, NULL);
			free(line);
		}
	}
}
