/* SPDX-License-Identifier: ISC */
/*
 * jmap-pushctl watch: the daemon's events as they come, as JSON lines, as
 * lines for a person, or through a --format template; the status bar modes
 * and --format with mail fields are in mailbar.c.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl/ctlconn.h"
#include "ctl/watch.h"
#include "util/xmalloc.h"

/* "12:03:04Z" from an ISO time, for narrow lines. */
static const char *
short_time(const char *iso)
{
	const char *t;

	if (iso == NULL)
		return "-";
	return (t = strchr(iso, 'T')) != NULL ? t + 1 : iso;
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

void
watch_print_format(const char *fmt, struct json_object *ev)
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
				fputs(ctl_str_or(ev, key, ""), stdout);
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
	printf("%s: %s", ctl_str_or(o, "account", "?"),
	    ctl_str_or(o, "status", "?"));
	if (ctl_str(o, "retryIn") != NULL)
		printf(", retry in %ss", ctl_str(o, "retryIn"));
	if (ctl_str(o, "error") != NULL)
		printf(" (%s)", ctl_str(o, "error"));
	putchar('\n');
}

/* watch: one event as a line for a person. */
static void
print_human(struct json_object *ev)
{
	const char *kind = ctl_str_or(ev, "event", "?");

	if (strcmp(kind, "state") == 0) {
		char *t = changed_types(ev, true);

		printf("%s %s %s: %s (%s%s%s)\n",
		    short_time(ctl_str(ev, "time")),
		    ctl_str_or(ev, "account", "?"),
		    ctl_str_or(ev, "accountId", "?"),
		    t, ctl_str_or(ev, "reason", "?"),
		    ctl_str(ev, "pushState") ? ", pushState " : "",
		    ctl_str_or(ev, "pushState", ""));
		free(t);
	} else if (strcmp(kind, "connection") == 0)
		print_connection(ev, NULL);
	else if (strcmp(kind, "overflow") == 0)
		printf("too slow: the daemon dropped %s event(s) and this "
		    "connection\n", ctl_str_or(ev, "dropped", "?"));
}

/* watch: events until the daemon closes the connection, which is an
 * error (1). */
int
watch_run(FILE *f, enum watch_mode mode, const char *fmt)
{
	static const struct ctl_status_cbs human = { NULL, print_connection };
	struct json_object *o;
	char *raw;

	/* Readable output starts with where every account stands. */
	if (mode == WATCH_HUMAN) {
		ctl_status_walk(f, &human, NULL, &raw);
		fflush(stdout);
	}
	while ((o = ctl_read(f, &raw)) != NULL) {
		const char *kind = ctl_str(o, "event");

		if (kind == NULL) {
			if (ctl_str(o, "error") != NULL) {
				fprintf(stderr, "jmap-pushctl: %s\n",
				    ctl_str(o, "error"));
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
			watch_print_format(fmt, o);
			break;
		case WATCH_HUMAN:
			print_human(o);
			break;
		}
		fflush(stdout);
		json_object_put(o);
	}
	fprintf(stderr, "jmap-pushctl: the daemon closed the connection\n");
	return 1;
}
