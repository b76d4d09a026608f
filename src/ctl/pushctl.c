/* SPDX-License-Identifier: ISC */
/*
 * jmap-pushctl: talks to jmap-pushd over its control socket (see
 * jmap-pushctl(1) for the protocol).  Plain blocking I/O: one connection,
 * one command, or a stream of events for watch (watch.c); the socket
 * itself in ctlconn.c.
 */
#include "autoconf.h"

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config/values.h"
#include "ctl/ctlconn.h"
#include "ctl/mailbar.h"
#include "ctl/watch.h"

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: jmap-pushctl [-s SOCKET] [-c CONFIG] COMMAND\n"
	    "  status [--json]             accounts and their connections\n"
	    "  mailboxes [--json] [ACCOUNT]\n"
	    "                              mailboxes with unread and total\n"
	    "  watch [--json | --format FORMAT | --waybar | --i3blocks]\n"
	    "        [--mailboxes LIST]    events as they happen\n"
	    "  reconnect [ACCOUNT]         reconnect one account, or all\n"
	    "  reload                      re-read the configuration\n"
	    "  mute [DURATION]             no desktop notifications for\n"
	    "                              DURATION (e.g. 1h), or until unmute\n"
	    "  unmute                      desktop notifications again\n"
	    "  test-notify [ACCOUNT]       show a sample notification\n");
	exit(status);
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
	const char *retry = ctl_str(a, "retryIn");
	char status[64];

	(void)arg;
	if (retry != NULL)
		snprintf(status, sizeof(status), "%s %ss",
		    ctl_str_or(a, "status", "?"), retry);
	else
		snprintf(status, sizeof(status), "%s",
		    ctl_str_or(a, "status", "?"));
	row(ctl_str_or(a, "account", "?"), status,
	    ctl_str_or(a, "transport", "-"),
	    ctl_str_or(a, "since", "-"), ctl_str_or(a, "lastPush", "-"),
	    ctl_str_or(a, "error", ""));
}

/* status: a line below the table while notifications are muted. */
static void
mute_line(struct json_object *r)
{
	struct json_object	*v;
	struct tm		 tm;
	time_t			 until;
	char			 buf[32];

	if (!json_object_object_get_ex(r, "muted", &v) ||
	    !json_object_is_type(v, json_type_boolean) ||
	    !json_object_get_boolean(v))
		return;
	if (!json_object_object_get_ex(r, "mutedUntil", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		printf("notifications muted until unmuted\n");
		return;
	}
	until = (time_t)json_object_get_int64(v);
	if (gmtime_r(&until, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		printf("notifications muted\n");
	else
		printf("notifications muted until %s\n", buf);
}

/* status: a line per remote output below the table, when the reply has
 * any: "webhook NAME: 2 queued, 1 in flight, retry in 29.5s, last error:
 * ..." and "mqtt BROKER: connected, 0 queued". */
static void
outputs_lines(struct json_object *r)
{
	struct json_object	*o, *v, *w;
	const char		*s;

	if (!json_object_object_get_ex(r, "outputs", &o) ||
	    !json_object_is_type(o, json_type_object))
		return;
	if (json_object_object_get_ex(o, "webhooks", &v) &&
	    json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			w = json_object_array_get_idx(v, i);
			printf("webhook %s: %s queued, %s in flight",
			    ctl_str_or(w, "name", "?"),
			    ctl_str_or(w, "queued", "?"),
			    ctl_str_or(w, "inFlight", "?"));
			if ((s = ctl_str(w, "retryIn")) != NULL)
				printf(", retry in %ss", s);
			if ((s = ctl_str(w, "lastError")) != NULL)
				printf(", last error: %s", s);
			printf("\n");
		}
	if (json_object_object_get_ex(o, "mqtt", &v) &&
	    json_object_is_type(v, json_type_object)) {
		printf("mqtt %s: %s", ctl_str_or(v, "broker", "?"),
		    ctl_str_or(v, "status", "?"));
		if ((s = ctl_str(v, "retryIn")) != NULL)
			printf(" %ss", s);
		printf(", %s queued", ctl_str_or(v, "queued", "?"));
		if ((s = ctl_str(v, "lastError")) != NULL)
			printf(", last error: %s", s);
		printf("\n");
	}
}

/* status: the reply as it came with --json, else as a table. */
static int
do_status(FILE *f, bool json)
{
	static const struct ctl_status_cbs table = {
		table_start, table_account
	};
	struct json_object *r;
	char *raw;

	r = ctl_command(f, ctl_cmd_new("status"), &raw);
	if (json) {
		printf("%s\n", raw);
		json_object_put(r);
		return 0;
	}
	if (ctl_status_walk_reply(r, &table, NULL) == -1) {
		fprintf(stderr, "jmap-pushctl: unexpected reply: %s\n", raw);
		json_object_put(r);
		return 1;
	}
	mute_line(r);
	outputs_lines(r);
	json_object_put(r);
	return 0;
}

/* mute's DURATION in whole seconds, at least one; exits with 2 on one
 * that is not a duration, before anything is sent. */
static uint64_t
mute_seconds(const char *duration)
{
	uint64_t ms;

	if (value_parse_duration(duration, &ms) == -1 || ms < 1000 ||
	    ms / 1000 > INT64_MAX) {
		fprintf(stderr, "jmap-pushctl: invalid duration '%s': use "
		    "e.g. 90s, 30m, 1h or 2d, or nothing for until unmute\n",
		    duration);
		exit(2);
	}
	return ms / 1000;
}

/* mute [DURATION]: {"cmd":"mute","seconds":N}, no seconds for until
 * unmuted. */
static int
do_mute(FILE *f, const char *duration, uint64_t seconds)
{
	struct json_object	*o = ctl_cmd_new("mute");
	char			*raw;

	if (duration != NULL)
		json_object_object_add(o, "seconds",
		    json_object_new_int64((int64_t)seconds));
	json_object_put(ctl_command(f, o, &raw));
	if (duration != NULL)
		printf("notifications muted for %s\n", duration);
	else
		printf("notifications muted until unmuted\n");
	return 0;
}

/* mailboxes: the header, once the reply has accounts. */
static void
mailboxes_start(void *arg)
{
	(void)arg;
	printf("%-16s %-30s %-10s %7s %7s\n", "ACCOUNT", "PATH", "ROLE",
	    "UNREAD", "TOTAL");
}

/* What mailboxes [ACCOUNT] shows: the account asked for (NULL: every
 * one), as a table or as the status entries (json: an array). */
struct mailboxes_walk {
	const char		*account;
	struct json_object	*json;
	bool			 found;
};

/* mailboxes: one row per mailbox of an account, or its status entries
 * with "account" added into the --json array. */
static void
mailboxes_account(struct json_object *a, void *arg)
{
	struct mailboxes_walk *w = arg;
	const char *name = ctl_str_or(a, "account", "?");
	struct json_object *boxes;

	if (w->account != NULL && strcmp(w->account, name) != 0)
		return;
	w->found = true;
	if (!json_object_object_get_ex(a, "mailboxes", &boxes) ||
	    !json_object_is_type(boxes, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(boxes); i++) {
		struct json_object *e = json_object_array_get_idx(boxes, i), *c;
		char line[1024];
		int n;

		if (w->json != NULL) {
			c = json_object_new_object();
			json_object_object_add(c, "account",
			    json_object_new_string(name));
			json_object_object_foreach(e, k, v)
				json_object_object_add(c, k,
				    json_object_get(v));
			json_object_array_add(w->json, c);
			continue;
		}
		n = snprintf(line, sizeof(line), "%-16s %-30s %-10s %7s %7s",
		    name, ctl_str_or(e, "path", "?"),
		    ctl_str_or(e, "role", "-"), ctl_str_or(e, "unread", "?"),
		    ctl_str_or(e, "total", "?"));
		if (n < 0)
			continue;
		printf("%s\n", line);
	}
}

/* How long mailboxes waits for an account's first mailbox fetch. */
#define MAILBOXES_WAIT_S	10

static volatile sig_atomic_t mailboxes_timeout;

static void
mailboxes_alarm(int sig)
{
	(void)sig;
	mailboxes_timeout = 1;
}

/* Whether name (NULL: any) is a connected account of the status reply r
 * whose mailboxes the daemon has not fetched yet. */
static bool
mailboxes_missing(struct json_object *r, const char *name)
{
	struct json_object *accts, *boxes;

	if (!json_object_object_get_ex(r, "accounts", &accts) ||
	    !json_object_is_type(accts, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(accts); i++) {
		struct json_object *a = json_object_array_get_idx(accts, i);
		const char *st = ctl_str(a, "status");
		const char *acct = ctl_str(a, "account");

		if (acct == NULL || (name != NULL && strcmp(acct, name) != 0) ||
		    st == NULL || strcmp(st, "connected") != 0)
			continue;
		if (!json_object_object_get_ex(a, "mailboxes", &boxes) ||
		    (json_object_is_type(boxes, json_type_array) &&
		    json_object_array_length(boxes) == 0))
			return true;
	}
	return false;
}

/*
 * The status reply, once the daemon fetched the mailboxes: subscribing to
 * mailbox events makes it fetch them (it does not while no output needs
 * them), and a connected account without any waits (at most
 * MAILBOXES_WAIT_S) for its first complete list.  The caller's.
 */
static struct json_object *
mailboxes_status(FILE *f, const char *account)
{
	struct sigaction sa = { .sa_handler = mailboxes_alarm }, old;
	struct json_object *sub = ctl_cmd_new("subscribe"), *ev, *o;
	struct json_object *r = NULL;
	char *raw;

	ev = json_object_new_array();
	json_object_array_add(ev, json_object_new_string("mailbox"));
	json_object_object_add(sub, "events", ev);
	ctl_send(f, sub);
	ctl_send(f, ctl_cmd_new("status"));
	/* No SA_RESTART: the alarm ends a read that waits too long. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(MAILBOXES_WAIT_S);
	while ((o = ctl_read(f, &raw)) != NULL) {
		const char *reply = ctl_str(o, "reply");
		struct json_object *c;

		if (ctl_str(o, "event") == NULL && ctl_str(o, "error") != NULL) {
			fprintf(stderr, "jmap-pushctl: %s\n",
			    ctl_str(o, "error"));
			exit(1);
		}
		if (reply != NULL && strcmp(reply, "status") == 0) {
			json_object_put(r);
			r = o;
			if (!mailboxes_missing(r, account))
				break;
			continue;
		}
		/* A first fetch: ask again once it is there. */
		if (r != NULL && ctl_str(o, "event") != NULL &&
		    strcmp(ctl_str(o, "event"), "mailbox") == 0 &&
		    json_object_object_get_ex(o, "complete", &c) &&
		    json_object_get_boolean(c))
			ctl_send(f, ctl_cmd_new("status"));
		json_object_put(o);
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (o == NULL && !mailboxes_timeout) {
		fprintf(stderr, "jmap-pushctl: the daemon closed the "
		    "connection\n");
		exit(1);
	}
	return r;
}

/* mailboxes [ACCOUNT]: every mailbox the daemon knows, with counts. */
static int
do_mailboxes(FILE *f, const char *account, bool json)
{
	static const struct ctl_status_cbs table = {
		mailboxes_start, mailboxes_account
	}, list = { NULL, mailboxes_account };
	struct mailboxes_walk w = { account, NULL, false };
	struct json_object *r;

	if ((r = mailboxes_status(f, account)) == NULL) {
		fprintf(stderr, "jmap-pushctl: no status from the daemon "
		    "within %d s\n", MAILBOXES_WAIT_S);
		return 1;
	}
	if (json)
		w.json = json_object_new_array();
	if (ctl_status_walk_reply(r, json ? &list : &table, &w) == -1) {
		fprintf(stderr, "jmap-pushctl: unexpected reply: %s\n",
		    json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(w.json);
		json_object_put(r);
		return 1;
	}
	json_object_put(r);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(w.json,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(w.json);
	if (account != NULL && !w.found) {
		fprintf(stderr, "jmap-pushctl: unknown account '%s': use one "
		    "of the names jmap-pushctl status shows\n", account);
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "waybar", no_argument, NULL, 'w' },
		{ "i3blocks", no_argument, NULL, 'i' },
		{ "mailboxes", required_argument, NULL, 'm' },
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum watch_mode mode = WATCH_HUMAN;
	const char *sockopt = NULL, *config = NULL, *fmt = NULL, *cmd;
	const char *mailboxes = NULL;
	uint64_t mute_for = 0;
	int bar = -1;
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
			bar = MAILBAR_WAYBAR;
			break;
		case 'i':
			bar = MAILBAR_I3BLOCKS;
			break;
		case 'm':
			mailboxes = optarg;
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
	if (strcmp(cmd, "reconnect") == 0 || strcmp(cmd, "mailboxes") == 0 ||
	    strcmp(cmd, "mute") == 0 || strcmp(cmd, "test-notify") == 0 ?
	    argc - optind > 1 : argc != optind)
		usage(2);
	if ((mode == WATCH_FORMAT || bar != -1 || mailboxes != NULL) &&
	    strcmp(cmd, "watch") != 0)
		usage(2);
	if (bar != -1 && mode != WATCH_HUMAN)
		usage(2);
	if (mode == WATCH_JSON && strcmp(cmd, "watch") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "mailboxes") != 0)
		usage(2);
	if (mode == WATCH_FORMAT && mailbar_format_is_mail(fmt))
		bar = MAILBAR_FORMAT;
	if (mailboxes != NULL && bar == -1)
		usage(2);

	if (strcmp(cmd, "status") != 0 && strcmp(cmd, "watch") != 0 &&
	    strcmp(cmd, "mailboxes") != 0 &&
	    strcmp(cmd, "reconnect") != 0 && strcmp(cmd, "reload") != 0 &&
	    strcmp(cmd, "mute") != 0 && strcmp(cmd, "unmute") != 0 &&
	    strcmp(cmd, "test-notify") != 0) {
		fprintf(stderr, "jmap-pushctl: unknown command '%s'\n", cmd);
		usage(2);
	}
	if (strcmp(cmd, "mute") == 0 && optind < argc)
		mute_for = mute_seconds(argv[optind]);
	path = ctl_find_socket(sockopt, config);
	if (bar != -1) {
		/* It connects, and again, by itself. */
		rc = mailbar_run(path, bar, mailboxes, fmt);
		free(path);
		return rc;
	}
	f = ctl_connect(path);
	free(path);
	if (strcmp(cmd, "status") == 0)
		rc = do_status(f, mode == WATCH_JSON);
	else if (strcmp(cmd, "mailboxes") == 0)
		rc = do_mailboxes(f, optind < argc ? argv[optind] : NULL,
		    mode == WATCH_JSON);
	else if (strcmp(cmd, "watch") == 0)
		rc = watch_run(f, mode, fmt);
	else if (strcmp(cmd, "mute") == 0)
		rc = do_mute(f, optind < argc ? argv[optind] : NULL,
		    mute_for);
	else if (strcmp(cmd, "unmute") == 0) {
		json_object_put(ctl_command(f, ctl_cmd_new("unmute"), &raw));
		printf("notifications unmuted\n");
	} else {
		o = ctl_cmd_new(cmd);
		if (optind < argc)
			json_object_object_add(o, "account",
			    json_object_new_string(argv[optind]));
		json_object_put(ctl_command(f, o, &raw));
		if (strcmp(cmd, "reconnect") == 0)
			printf("reconnecting %s\n", optind < argc ?
			    argv[optind] : "every account");
		else if (strcmp(cmd, "test-notify") == 0)
			printf("test notification sent; if none appears, "
			    "see the daemon's log\n");
		else
			printf("configuration reloaded\n");
	}
	fclose(f);
	return rc;
}
