/* SPDX-License-Identifier: ISC */
/*
 * jmap-pushctl: talks to jmap-pushd over its control socket (see
 * jmap-pushctl(1) for the protocol).  Plain blocking I/O: one connection,
 * one command, or a stream of events for watch.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config/config.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define SYSTEM_SOCKET	"/run/jmap-pushd/socket"
/* How deep a daemon's line may nest: json_tokener_parse()'s default, far
 * above the 5 levels of a status reply. */
#define CTL_JSON_DEPTH	32

enum watch_mode { WATCH_HUMAN, WATCH_JSON, WATCH_FORMAT, WATCH_WAYBAR };

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: jmap-pushctl [-s SOCKET] [-c CONFIG] COMMAND\n"
	    "  status [--json]             accounts and their connections\n"
	    "  watch [--json | --format FORMAT | --waybar]\n"
	    "                              events as they happen\n"
	    "  reconnect [ACCOUNT]         reconnect one account, or all\n"
	    "  reload                      re-read the configuration\n");
	exit(status);
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static const char *
str_or(struct json_object *o, const char *key, const char *dflt)
{
	const char *s = str(o, key);

	return s != NULL ? s : dflt;
}

/* The socket: -s, else the config's socket =, else the default place, else
 * the system service's. */
static char *
find_socket(const char *opt, const char *config_path)
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

static FILE *
connect_daemon(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	FILE *f;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "jmap-pushctl: socket path too long: %s\n",
		    path);
		exit(1);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		perror("jmap-pushctl: socket");
		exit(1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, "jmap-pushctl: jmap-pushd is not "
			    "running (nothing listens on %s); start it (e.g. "
			    "systemctl --user start jmap-pushd), or give its "
			    "socket with -s\n", path);
		else if (errno == EACCES)
			fprintf(stderr, "jmap-pushctl: %s: permission denied: "
			    "only the daemon's user, root and the members of "
			    "its socket_group may use it\n", path);
		else
			fprintf(stderr, "jmap-pushctl: cannot connect to %s: "
			    "%s\n", path, strerror(errno));
		exit(1);
	}
	if ((f = fdopen(fd, "r+")) == NULL) {
		perror("jmap-pushctl: fdopen");
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
	    str(o, "error") != NULL) {
		fprintf(stderr, "jmap-pushctl: %s\n", str(o, "error"));
		exit(1);
	}
	json_object_put(o);
}

/* A connection the daemon closed is an error to report, not a signal; a
 * closed stdout (watch | head) still ends us with SIGPIPE. */
static void
send_line(FILE *f, struct json_object *o)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rc;

	sigaction(SIGPIPE, &ign, &old);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	rc = fflush(f);
	sigaction(SIGPIPE, &old, NULL);
	if (rc == EOF) {
		if (errno == EPIPE)
			peer_error(fileno(f));
		perror("jmap-pushctl: write to the daemon");
		exit(1);
	}
}

/* The next line that is a JSON object (others are skipped), parsed with its
 * length; NULL at EOF.  *raw is the line itself, valid until the next
 * call. */
static struct json_object *
read_obj(FILE *f, char **raw)
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
static struct json_object *
command(FILE *f, struct json_object *cmd, char **raw)
{
	struct json_object *o;

	send_line(f, cmd);
	while ((o = read_obj(f, raw)) != NULL) {
		if (str(o, "event") != NULL) {
			json_object_put(o);
			continue;
		}
		if (str(o, "error") != NULL) {
			fprintf(stderr, "jmap-pushctl: %s\n", str(o, "error"));
			exit(1);
		}
		if (str(o, "reply") != NULL)
			return o;
		json_object_put(o);
	}
	fprintf(stderr, "jmap-pushctl: the daemon closed the connection\n");
	exit(1);
}

static struct json_object *
cmd_new(const char *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cmd", json_object_new_string(name));
	return o;
}

/* "12:03:04Z" from an ISO time, for narrow lines. */
static const char *
short_time(const char *iso)
{
	const char *t;

	if (iso == NULL)
		return "-";
	return (t = strchr(iso, 'T')) != NULL ? t + 1 : iso;
}

/* One table row, without trailing blanks. */
static void
row(const char *a, const char *b, const char *c, const char *d, const char *e,
    const char *err)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%-16s %-12s %-10s %-20s %-20s %s", a,
	    b, c, d, e, err);
	if (n < 0)
		return;
	n = n < (int)sizeof(line) ? n : (int)sizeof(line) - 1;
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	printf("%s\n", line);
}

/*
 * What one mode makes of a status reply: start runs once the reply is known
 * to list accounts (may be NULL), account once for each of them, in the
 * daemon's order.  The account object is borrowed for the call.
 */
struct status_cbs {
	void	(*start)(void *arg);
	void	(*account)(struct json_object *acct, void *arg);
};

/*
 * Asks the daemon for its status and walks the accounts of the reply: the
 * one walk behind status, watch and watch --waybar.  0, or -1 when the
 * reply lists no accounts (nothing was called; *raw is the reply line,
 * valid until the next read).
 */
static int
status_walk(FILE *f, const struct status_cbs *cbs, void *arg, char **raw)
{
	struct json_object *r, *accts;

	r = command(f, cmd_new("status"), raw);
	if (!json_object_object_get_ex(r, "accounts", &accts) ||
	    !json_object_is_type(accts, json_type_array)) {
		json_object_put(r);
		return -1;
	}
	if (cbs->start != NULL)
		cbs->start(arg);
	for (size_t i = 0; i < json_object_array_length(accts); i++)
		cbs->account(json_object_array_get_idx(accts, i), arg);
	json_object_put(r);
	return 0;
}

/* status: the table's header, once the reply has accounts. */
static void
table_start(void *arg)
{
	(void)arg;
	row("ACCOUNT", "STATUS", "TRANSPORT", "SINCE", "LAST PUSH", "ERROR");
}

/* status: one account's row; the seconds to its next attempt, when
 * known, follow its status ("backoff 30s"). */
static void
table_account(struct json_object *a, void *arg)
{
	const char *retry = str(a, "retryIn");
	char status[64];

	(void)arg;
	if (retry != NULL)
		snprintf(status, sizeof(status), "%s %ss",
		    str_or(a, "status", "?"), retry);
	else
		snprintf(status, sizeof(status), "%s",
		    str_or(a, "status", "?"));
	row(str_or(a, "account", "?"), status, str_or(a, "transport", "-"),
	    str_or(a, "since", "-"), str_or(a, "lastPush", "-"),
	    str_or(a, "error", ""));
}

/* status: the reply as it came with --json, else as a table. */
static int
do_status(FILE *f, bool json)
{
	static const struct status_cbs table = { table_start, table_account };
	struct json_object *r;
	char *raw;

	if (json) {
		r = command(f, cmd_new("status"), &raw);
		printf("%s\n", raw);
		json_object_put(r);
		return 0;
	}
	if (status_walk(f, &table, NULL, &raw) == -1) {
		fprintf(stderr, "jmap-pushctl: unexpected reply: %s\n", raw);
		return 1;
	}
	return 0;
}

static char *
changed_types(struct json_object *ev, bool with_states)
{
	struct json_object *ch;
	size_t len = 1;
	char *s;

	if (!json_object_object_get_ex(ev, "changed", &ch) ||
	    !json_object_is_type(ch, json_type_object))
		return xstrdup("");
	json_object_object_foreach(ch, k1, v1)
		len += strlen(k1) + 2 + (with_states && json_object_is_type(v1,
		    json_type_string) ? strlen(json_object_get_string(v1)) : 0);
	s = xcalloc(1, len);
	json_object_object_foreach(ch, k, v) {
		if (*s != '\0')
			strcat(s, " ");
		strcat(s, k);
		if (with_states && json_object_is_type(v, json_type_string)) {
			strcat(s, "=");
			strcat(s, json_object_get_string(v));
		}
	}
	return s;
}

/* {field} is replaced by the event's field ("types" and "changed" list the
 * changed types, the latter with their states); \n and \t are escapes. */
static void
print_format(const char *fmt, struct json_object *ev)
{
	for (const char *p = fmt; *p != '\0'; p++) {
		const char *end;

		if (*p == '\\' && p[1] == 'n') {
			putchar('\n');
			p++;
		} else if (*p == '\\' && p[1] == 't') {
			putchar('\t');
			p++;
		} else if (*p == '{' && (end = strchr(p, '}')) != NULL) {
			char key[64];
			size_t n = (size_t)(end - p - 1);

			snprintf(key, sizeof(key), "%.*s", (int)n, p + 1);
			if (strcmp(key, "types") == 0 ||
			    strcmp(key, "changed") == 0) {
				char *t = changed_types(ev,
				    strcmp(key, "changed") == 0);

				fputs(t, stdout);
				free(t);
			} else
				fputs(str_or(ev, key, ""), stdout);
			p = end;
		} else
			putchar(*p);
	}
	putchar('\n');
}

/* A connection event, or an account of a status reply (watch starts with
 * those): both carry account, status, retryIn and error. */
static void
print_connection(struct json_object *o, void *arg)
{
	(void)arg;
	printf("%s: %s", str_or(o, "account", "?"), str_or(o, "status", "?"));
	if (str(o, "retryIn") != NULL)
		printf(", retry in %ss", str(o, "retryIn"));
	if (str(o, "error") != NULL)
		printf(" (%s)", str(o, "error"));
	putchar('\n');
}

/* watch: one event as a line for a person. */
static void
print_human(struct json_object *ev)
{
	const char *kind = str_or(ev, "event", "?");

	if (strcmp(kind, "state") == 0) {
		char *t = changed_types(ev, true);

		printf("%s %s %s: %s (%s%s%s)\n", short_time(str(ev, "time")),
		    str_or(ev, "account", "?"), str_or(ev, "accountId", "?"),
		    t, str_or(ev, "reason", "?"),
		    str(ev, "pushState") ? ", pushState " : "",
		    str_or(ev, "pushState", ""));
		free(t);
	} else if (strcmp(kind, "connection") == 0)
		print_connection(ev, NULL);
	else if (strcmp(kind, "overflow") == 0)
		printf("too slow: the daemon dropped %s event(s) and this "
		    "connection\n", str_or(ev, "dropped", "?"));
}

/* --waybar: every account seen so far, with its status and last push
 * time (NULL: none yet). */
struct bar {
	struct bar_acct {
		char *name, *status, *last;
	} *v;
	size_t n;
};

/* --waybar: the account called name, added as "unknown" when new. */
static struct bar_acct *
bar_find(struct bar *bar, const char *name)
{
	for (size_t i = 0; i < bar->n; i++)
		if (strcmp(bar->v[i].name, name) == 0)
			return &bar->v[i];
	bar->v = xreallocarray(bar->v, bar->n + 1, sizeof(*bar->v));
	bar->v[bar->n] = (struct bar_acct){ xstrdup(name), xstrdup("unknown"),
	    NULL };
	return &bar->v[bar->n++];
}

static void
bar_set(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

/* --waybar: an account of the status reply watch starts with. */
static void
bar_account(struct json_object *a, void *arg)
{
	struct bar_acct *b = bar_find(arg, str_or(a, "account", "?"));

	bar_set(&b->status, str_or(a, "status", "?"));
	bar_set(&b->last, str(a, "lastPush"));
}

/* --waybar: one line for the bar: connected/all accounts as the text, a
 * line per account in the tooltip. */
static void
bar_print(const struct bar *bar)
{
	struct json_object *o = json_object_new_object();
	size_t up = 0, len = 1, n = bar->n;
	const struct bar_acct *v = bar->v;
	char *tip, text[64];

	for (size_t i = 0; i < n; i++) {
		up += strcmp(v[i].status, "connected") == 0;
		len += strlen(v[i].name) + strlen(v[i].status) + 40;
	}
	tip = xcalloc(1, len);
	for (size_t i = 0; i < n; i++) {
		size_t off = strlen(tip);

		snprintf(tip + off, len - off, "%s%s: %s, last push %s",
		    i ? "\n" : "", v[i].name, v[i].status,
		    v[i].last != NULL ? v[i].last : "none");
	}
	snprintf(text, sizeof(text), "%zu/%zu", up, n);
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "tooltip", json_object_new_string(tip));
	json_object_object_add(o, "class", json_object_new_string(up == n ?
	    "connected" : up == 0 ? "disconnected" : "degraded"));
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(tip);
}

/* --waybar: an event changes one account's status or last push. */
static void
bar_event(struct bar *bar, struct json_object *ev, const char *kind)
{
	struct bar_acct *b;

	if (str(ev, "account") == NULL)
		return;
	b = bar_find(bar, str(ev, "account"));
	if (strcmp(kind, "connection") == 0)
		bar_set(&b->status, str_or(ev, "status", "?"));
	else if (strcmp(kind, "state") == 0)
		bar_set(&b->last, str(ev, "time"));
}

/* --waybar: frees every account kept. */
static void
bar_clear(struct bar *bar)
{
	for (size_t i = 0; i < bar->n; i++) {
		free(bar->v[i].name);
		free(bar->v[i].status);
		free(bar->v[i].last);
	}
	free(bar->v);
}

/* watch: events until the daemon closes the connection, which is an
 * error (1). */
static int
do_watch(FILE *f, enum watch_mode mode, const char *fmt)
{
	static const struct status_cbs human = { NULL, print_connection },
	    waybar = { NULL, bar_account };
	struct bar bar = { NULL, 0 };
	struct json_object *o;
	char *raw;

	/* Readable output starts with where every account stands. */
	if (mode == WATCH_HUMAN) {
		status_walk(f, &human, NULL, &raw);
		fflush(stdout);
	} else if (mode == WATCH_WAYBAR) {
		status_walk(f, &waybar, &bar, &raw);
		bar_print(&bar);
		fflush(stdout);
	}
	while ((o = read_obj(f, &raw)) != NULL) {
		const char *kind = str(o, "event");

		if (kind == NULL) {
			if (str(o, "error") != NULL) {
				fprintf(stderr, "jmap-pushctl: %s\n",
				    str(o, "error"));
				exit(1);
			}
			json_object_put(o);
			continue;
		}
		switch (mode) {
		case WATCH_JSON:
			printf("%s\n", raw);
			break;
		case WATCH_FORMAT:
			print_format(fmt, o);
			break;
		case WATCH_HUMAN:
			print_human(o);
			break;
		case WATCH_WAYBAR:
			bar_event(&bar, o, kind);
			bar_print(&bar);
			break;
		}
		fflush(stdout);
		json_object_put(o);
	}
	bar_clear(&bar);
	fprintf(stderr, "jmap-pushctl: the daemon closed the connection\n");
	return 1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "waybar", no_argument, NULL, 'w' },
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum watch_mode mode = WATCH_HUMAN;
	const char *sockopt = NULL, *config = NULL, *fmt = NULL, *cmd;
	struct json_object *o;
	char *path, *raw;
	FILE *f;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "+s:c:h", longopts, NULL)) != -1)
		switch (ch) {
		case 's':
			sockopt = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	if (optind >= argc)
		usage(2);
	cmd = argv[optind++];
	/* Options may also follow the command. */
	while ((ch = getopt_long(argc, argv, "+s:c:", longopts, NULL)) != -1)
		switch (ch) {
		case 'j':
			mode = WATCH_JSON;
			break;
		case 'f':
			mode = WATCH_FORMAT;
			fmt = optarg;
			break;
		case 'w':
			mode = WATCH_WAYBAR;
			break;
		case 's':
			sockopt = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		default:
			usage(2);
		}
	if (strcmp(cmd, "reconnect") == 0 ? argc - optind > 1 :
	    argc != optind)
		usage(2);
	if ((mode == WATCH_FORMAT || mode == WATCH_WAYBAR) &&
	    strcmp(cmd, "watch") != 0)
		usage(2);
	if (mode == WATCH_JSON && strcmp(cmd, "watch") != 0 &&
	    strcmp(cmd, "status") != 0)
		usage(2);

	if (strcmp(cmd, "status") != 0 && strcmp(cmd, "watch") != 0 &&
	    strcmp(cmd, "reconnect") != 0 && strcmp(cmd, "reload") != 0) {
		fprintf(stderr, "jmap-pushctl: unknown command '%s'\n", cmd);
		usage(2);
	}
	path = find_socket(sockopt, config);
	f = connect_daemon(path);
	free(path);
	if (strcmp(cmd, "status") == 0)
		rc = do_status(f, mode == WATCH_JSON);
	else if (strcmp(cmd, "watch") == 0)
		rc = do_watch(f, mode, fmt);
	else {
		o = cmd_new(cmd);
		if (optind < argc)
			json_object_object_add(o, "account",
			    json_object_new_string(argv[optind]));
		json_object_put(command(f, o, &raw));
		if (strcmp(cmd, "reconnect") == 0)
			printf("reconnecting %s\n", optind < argc ?
			    argv[optind] : "every account");
		else
			printf("configuration reloaded\n");
	}
	fclose(f);
	return rc;
}
