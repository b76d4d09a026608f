/* SPDX-License-Identifier: ISC */
/*
 * jmap-pushctl's side of the control socket: finding it, connecting, one
 * JSON line out, the next JSON object in, a command and its reply, and the
 * one walk over a status reply.  Plain blocking I/O; every failure here
 * ends the program with a message saying what to do, but for the ctl_try_
 * functions, which let watch's status bar modes keep retrying.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config/config.h"
#include "ctl/ctlconn.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define SYSTEM_SOCKET	"/run/jmap-pushd/socket"
/* How deep a daemon's line may nest: json_tokener_parse()'s default, far
 * above the 5 levels of a status reply. */
#define CTL_JSON_DEPTH	32

const char *
ctl_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

const char *
ctl_str_or(struct json_object *o, const char *key, const char *dflt)
{
	const char *s = ctl_str(o, key);

	return s != NULL ? s : dflt;
}

/* The socket: -s, else the config's socket =, else the default place, else
 * the system service's. */
char *
ctl_find_socket(const char *opt, const char *config_path)
{
	struct config_errors errs = { 0 };
	struct config *cfg;
	struct stat st;
	char *path = NULL, *cp;

	if (opt != NULL)
		return xstrdup(opt);
	cp = config_path != NULL ? xstrdup(config_path) : config_default_path();
	if (config_path != NULL || access(cp, R_OK) == 0) {
		if ((cfg = config_load(cp, &errs)) != NULL) {
			if (cfg->socket_set && cfg->socket_path == NULL) {
				fprintf(stderr, "jmap-pushctl: %s sets socket "
				    "= none: the daemon has no socket\n", cp);
				exit(1);
			}
			if (cfg->socket_path != NULL)
				path = xstrdup(cfg->socket_path);
			config_free(cfg);
		} else if (config_path != NULL)
			fprintf(stderr, "jmap-pushctl: %s has errors; looking "
			    "for the socket in its default place\n", cp);
		config_errors_clear(&errs);
	}
	free(cp);
	if (path == NULL)
		path = config_default_socket_path();
	if (path == NULL || (stat(path, &st) == -1 &&
	    stat(SYSTEM_SOCKET, &st) == 0)) {
		free(path);
		path = xstrdup(SYSTEM_SOCKET);
	}
	return path;
}

FILE *
ctl_try_connect(const char *path, char **why)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	FILE *f;
	int fd;

	*why = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		xasprintf(why, "socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(why, "socket: %s", strerror(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			xasprintf(why, "jmap-pushd is not running (nothing "
			    "listens on %s); start it (e.g. systemctl --user "
			    "start jmap-pushd), or give its socket with -s",
			    path);
		else if (errno == EACCES)
			xasprintf(why, "%s: permission denied: only the "
			    "daemon's user, root and the members of its "
			    "socket_group may use it", path);
		else
			xasprintf(why, "cannot connect to %s: %s", path,
			    strerror(errno));
		close(fd);
		return NULL;
	}
	if ((f = fdopen(fd, "r+")) == NULL) {
		xasprintf(why, "fdopen: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

FILE *
ctl_connect(const char *path)
{
	char *why;
	FILE *f;

	if ((f = ctl_try_connect(path, &why)) == NULL) {
		fprintf(stderr, "jmap-pushctl: %s\n", why);
		exit(1);
	}
	return f;
}

/* The daemon closed the connection before our command reached it: it
 * refuses a client with one error line, still there to be read. */
static void
peer_error(int fd)
{
	char buf[4096], err[128], *nl;
	struct json_object *o;
	ssize_t n;

	if ((n = read(fd, buf, sizeof(buf))) <= 0)
		return;
	if ((nl = memchr(buf, '\n', (size_t)n)) != NULL)
		n = nl - buf;
	if (jsonu_parse_buffer(buf, (size_t)n, CTL_JSON_DEPTH, &o, err,
	    sizeof(err)) == -1)
		return;
	if (json_object_is_type(o, json_type_object) &&
	    ctl_str(o, "error") != NULL) {
		fprintf(stderr, "jmap-pushctl: %s\n", ctl_str(o, "error"));
		exit(1);
	}
	json_object_put(o);
}

/* A connection the daemon closed is an error to report, not a signal; a
 * closed stdout (watch | head) still ends us with SIGPIPE. */
int
ctl_try_send(FILE *f, struct json_object *o)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rc;

	sigaction(SIGPIPE, &ign, &old);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	rc = fflush(f);
	sigaction(SIGPIPE, &old, NULL);
	return rc == EOF ? -1 : 0;
}

void
ctl_send(FILE *f, struct json_object *o)
{
	if (ctl_try_send(f, o) == -1) {
		if (errno == EPIPE)
			peer_error(fileno(f));
		perror("jmap-pushctl: write to the daemon");
		exit(1);
	}
}

/* The next line that is a JSON object (others are skipped), parsed with its
 * length; NULL at EOF.  *raw is the line itself, valid until the next
 * call. */
struct json_object *
ctl_read(FILE *f, char **raw)
{
	static char *line;
	static size_t cap;
	char err[128];
	ssize_t n;
	struct json_object *o;

	for (;;) {
		if ((n = getline(&line, &cap, f)) == -1)
			return NULL;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (jsonu_parse_buffer(line, (size_t)n, CTL_JSON_DEPTH, &o, err,
		    sizeof(err)) == -1)
			continue;
		if (json_object_is_type(o, json_type_object)) {
			*raw = line;
			return o;
		}
		json_object_put(o);
	}
}

/* Sends cmd and returns its reply, skipping events; exits on an error
 * reply or a lost connection.  A connection event carries an "error" of
 * its own (the account's last one), so only a line that is no event can
 * be the answer. */
struct json_object *
ctl_command(FILE *f, struct json_object *cmd, char **raw)
{
	struct json_object *o;

	ctl_send(f, cmd);
	while ((o = ctl_read(f, raw)) != NULL) {
		if (ctl_str(o, "event") != NULL) {
			json_object_put(o);
			continue;
		}
		if (ctl_str(o, "error") != NULL) {
			fprintf(stderr, "jmap-pushctl: %s\n",
			    ctl_str(o, "error"));
			exit(1);
		}
		if (ctl_str(o, "reply") != NULL)
			return o;
		json_object_put(o);
	}
	fprintf(stderr, "jmap-pushctl: the daemon closed the connection\n");
	exit(1);
}

struct json_object *
ctl_cmd_new(const char *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cmd", json_object_new_string(name));
	return o;
}


/*
 * Asks the daemon for its status and walks the accounts of the reply: the
 * one walk behind status, watch and watch --waybar.  0, or -1 when the
 * reply lists no accounts (nothing was called; *raw is the reply line,
 * valid until the next read).
 */
int
ctl_status_walk_reply(struct json_object *r, const struct ctl_status_cbs *cbs,
    void *arg)
{
	struct json_object *accts;

	if (!json_object_object_get_ex(r, "accounts", &accts) ||
	    !json_object_is_type(accts, json_type_array))
		return -1;
	if (cbs->start != NULL)
		cbs->start(arg);
	for (size_t i = 0; i < json_object_array_length(accts); i++)
		cbs->account(json_object_array_get_idx(accts, i), arg);
	return 0;
}

int
ctl_status_walk(FILE *f, const struct ctl_status_cbs *cbs, void *arg,
    char **raw)
{
	struct json_object *r;
	int rc;

	r = ctl_command(f, ctl_cmd_new("status"), raw);
	rc = ctl_status_walk_reply(r, cbs, arg);
	json_object_put(r);
	return rc;
}
