/* SPDX-License-Identifier: ISC */
/*
 * The keys of the outputs that leave the machine: [webhook NAME] (url,
 * signing secret, headers_file, filters, queue) and [mqtt] (broker,
 * credentials, topics).  See keys.c.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/config-int.h"
#include "config/config.h"
#include "config/mailmatch.h"
#include "config/values.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* The most events a webhook's or the broker's queue may hold. */
#define QUEUE_MAX	10000000

/* Whether host (as in a URL, "[::1]" with brackets) is this machine. */
static bool
keysremote_loopback(const char *host, size_t len)
{
	if (len == 9 && strncmp(host, "localhost", 9) == 0)
		return true;
	if (len == 5 && strncmp(host, "[::1]", 5) == 0)
		return true;
	return len > 4 && strncmp(host, "127.", 4) == 0 &&
	    strspn(host, "0123456789.") == len;
}

/* url =: http(s), no credentials, plain http only to loopback unless
 * insecure (the events name accounts and mailboxes). */
static void
keysremote_url(struct parser *p, struct config_webhook *w,
    const struct section *s, const struct keyset *ks)
{
	const char	*v = ks->val[K_URL], *host;
	size_t		 hlen;
	bool		 tls;

	if (v == NULL) {
		if (ks->line[K_URL] == 0)
			parser_error(p, s->line, "%s needs url = (the receiver, "
			    "https://HOST/PATH)", s->label);
		return;
	}
	if (strncmp(v, "https://", 8) == 0)
		tls = true;
	else if (strncmp(v, "http://", 7) == 0)
		tls = false;
	else {
		parser_error(p, ks->line[K_URL], "%s: url must start with "
		    "https:// (or http:// for a receiver on this machine)",
		    s->label);
		return;
	}
	host = v + (tls ? 8 : 7);
	hlen = strcspn(host, "/?#");
	if (memchr(host, '@', hlen) != NULL) {
		parser_error(p, ks->line[K_URL], "%s: credentials in url are "
		    "not supported: put an Authorization header in "
		    "headers_file", s->label);
		return;
	}
	if (*host == '[' && memchr(host, ']', hlen) != NULL)
		hlen = (size_t)((const char *)memchr(host, ']', hlen) - host) +
		    1;
	else
		hlen = strcspn(host, ":/?#");
	if (hlen == 0) {
		parser_error(p, ks->line[K_URL], "%s: url has no host",
		    s->label);
		return;
	}
	if (!tls && !w->insecure && !keysremote_loopback(host, hlen)) {
		parser_error(p, ks->line[K_URL], "%s: url %s would send the "
		    "events unencrypted to another machine: use https://, or "
		    "insecure = yes if that is really meant", s->label, v);
		return;
	}
	w->url = xstrdup(v);
}

/* Whether a header name is one jmap-pushd sets itself. */
static bool
keysremote_header_refused(const char *name)
{
	return strcasecmp(name, "host") == 0 ||
	    strncasecmp(name, "content-", 8) == 0 ||
	    strncasecmp(name, "x-jmap-pushd-", 13) == 0 ||
	    strcasecmp(name, "transfer-encoding") == 0 ||
	    strcasecmp(name, "connection") == 0;
}

/*
 * What a webhook's url and headers_file lines may take of a POST's head
 * together.  libwebsockets (4.1) builds a request's head in a fixed
 * buffer; one whose headers do not fit is never sent, and the POST would
 * fail again on every retry.  Measured: with the request line's method
 * and version, Host, lws's own headers and the daemon's (delivery,
 * timestamp, signature, Content-Type, Content-Length), the path, host and
 * header lines may take 3,963 bytes; less a margin for longer
 * Content-Lengths and ports, counting the whole url.
 */
#define WEBHOOK_HEADER_ROOM	3840

/* headers_file: private like a password_file, "Name: value" lines (blank
 * lines and #comments skipped).  Read now, so that --check-config finds
 * its mistakes, a head too large for libwebsockets included; the values
 * never reach a message. */
static void
keysremote_headers(struct parser *p, struct config_webhook *w,
    const struct section *s, int line)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char		 buf[16384], *save = NULL, *l, *c;
	struct stat	 st;
	ssize_t		 n;
	size_t		 nh = 0, len = 0, sent = 0, room;
	int		 fd, lno = 0;
	bool		 bad = false;

	if ((fd = open(w->headers_file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) ==
	    -1 || fstat(fd, &st) == -1) {
		parser_error(p, line, "%s: cannot read headers_file %s: %s",
		    s->label, w->headers_file, strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		parser_error(p, line, "%s: headers_file %s is readable by "
		    "group or others; run chmod 600 %s", s->label,
		    w->headers_file, w->headers_file);
		close(fd);
		return;
	}
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	for (l = strtok_r(buf, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		lno++;
		l[strcspn(l, "\r")] = '\0';
		if (*l == '\0' || *l == '#')
			continue;
		if ((c = strchr(l, ':')) == NULL || c == l ||
		    strspn(l, tchar) != (size_t)(c - l)) {
			parser_error(p, line, "%s: headers_file %s line %d is "
			    "not 'Name: value'", s->label, w->headers_file,
			    lno);
			bad = true;
			continue;
		}
		*c++ = '\0';
		if (keysremote_header_refused(l)) {
			parser_error(p, line, "%s: headers_file %s line %d: "
			    "jmap-pushd sets %s itself; remove the line",
			    s->label, w->headers_file, lno, l);
			bad = true;
			continue;
		}
		while (*c == ' ' || *c == '\t')
			c++;
		w->headers = xreallocarray(w->headers, nh + 3,
		    sizeof(*w->headers));
		for (char *q = l; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		xasprintf(&w->headers[nh++], "%s:", l);
		w->headers[nh++] = xstrdup(c);
		w->headers[nh] = NULL;
		/* As sent: "name: value" and CRLF. */
		sent += strlen(l) + 2 + strlen(c) + 2;
	}
	explicit_bzero(buf, sizeof(buf));
	room = WEBHOOK_HEADER_ROOM;
	if (w->url != NULL)
		room -= strlen(w->url) < room ? strlen(w->url) : room;
	if (!bad && sent > room) {
		parser_error(p, line, "%s: headers_file %s: %zu bytes of "
		    "headers, at most %zu fit (with this url); shorten or "
		    "remove some", s->label, w->headers_file, sent, room);
		bad = true;
	}
	if (bad) {
		for (size_t i = 0; i < nh; i++) {
			explicit_bzero(w->headers[i], strlen(w->headers[i]));
			free(w->headers[i]);
		}
		free(w->headers);
		w->headers = NULL;
	}
}

/* events = state connection mailbox mail (the socket's event names). */
static void
keysremote_events(struct parser *p, struct config_webhook *w,
    const struct section *s, const struct keyset *ks)
{
	static const char *const names[] = {
		"state", "connection", "mailbox", "mail",
	};
	char	**items;
	size_t	 count, k;

	if (ks->val[K_EVENTS] == NULL)
		return;
	w->events = 0;
	count = value_split_list(ks->val[K_EVENTS], " \t,", &items);
	for (size_t i = 0; i < count; i++) {
		if ((k = value_find(items[i], names, 4)) == 4)
			parser_error(p, ks->line[K_EVENTS], "%s: unknown event "
			    "'%s': use state, connection, mailbox or mail",
			    s->label, items[i]);
		else
			w->events |= 1u << k;
	}
	if (count == 0)
		parser_error(p, ks->line[K_EVENTS], "%s: events lists no "
		    "event: name some, or remove the line", s->label);
	value_list_free(items, count);
}

void
keysremote_webhook(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_webhook	*w;
	struct keyset		 ks;
	const char		*v, *end;
	char			**items;
	size_t			 count;
	uint64_t		 u;
	int			 line;

	keys_fill(p, s, &ks);
	w = xcalloc(1, sizeof(*w));
	w->name = xstrdup(s->name);
	w->file = xstrdup(p->file);
	w->line = s->line;
	w->events = CONFIG_WEBHOOK_EV_ALL;
	w->timeout_ms = 10 * 1000;
	w->backoff_initial_ms = cfg->defaults.backoff_initial_ms;
	w->backoff_max_ms = cfg->defaults.backoff_max_ms;
	w->queue = 10000;
	TAILQ_INSERT_TAIL(&cfg->webhooks, w, entry);

	keys_bool(p, &ks, K_INSECURE, &w->insecure);
	keysremote_url(p, w, s, &ks);
	if ((v = ks.val[K_ACCOUNTS]) != NULL) {
		count = value_split_list(v, " \t,", &items);
		for (size_t i = 0; i < count; i++)
			keys_check_account(p, cfg, s, ks.line[K_ACCOUNTS], items[i]);
		w->accounts = items;
		w->naccounts = count;
		if (count == 0)
			parser_error(p, ks.line[K_ACCOUNTS], "accounts lists "
			    "no account: name some, or remove the line");
	}
	if (ks.val[K_TYPES] != NULL)
		keys_types(p, ks.line[K_TYPES], ks.val[K_TYPES], &w->types,
		    &w->ntypes);
	keysremote_events(p, w, s, &ks);
	if (ks.line[K_SECRET_FILE] != 0 && ks.line[K_SECRET_COMMAND] != 0)
		parser_error(p, ks.line[K_SECRET_FILE] >
		    ks.line[K_SECRET_COMMAND] ? ks.line[K_SECRET_FILE] :
		    ks.line[K_SECRET_COMMAND], "%s has both secret_file and "
		    "secret_command: keep only one", s->label);
	else if (ks.val[K_SECRET_FILE] != NULL) {
		w->secret_kind = WEBHOOK_SECRET_FILE;
		w->secret = keys_path(p, &ks, K_SECRET_FILE);
	} else if (ks.val[K_SECRET_COMMAND] != NULL) {
		w->secret_kind = WEBHOOK_SECRET_COMMAND;
		w->secret = xstrdup(ks.val[K_SECRET_COMMAND]);
	} else if (ks.line[K_SECRET_FILE] == 0 &&
	    ks.line[K_SECRET_COMMAND] == 0)
		parser_error(p, s->line, "%s needs secret_file = or "
		    "secret_command = (the key every POST is signed with)",
		    s->label);
	if (ks.val[K_HEADERS_FILE] != NULL &&
	    (w->headers_file = keys_path(p, &ks, K_HEADERS_FILE)) != NULL)
		keysremote_headers(p, w, s, ks.line[K_HEADERS_FILE]);
	if (ks.val[K_CA_FILE] != NULL)
		w->ca_file = keys_path(p, &ks, K_CA_FILE);
	else if (p->daemon_ca_file != NULL)
		w->ca_file = xstrdup(p->daemon_ca_file);
	keys_duration(p, &ks, K_TIMEOUT, &w->timeout_ms);
	if (ks.val[K_TIMEOUT] != NULL && !ks.bad[K_TIMEOUT] &&
	    w->timeout_ms == 0)
		parser_error(p, ks.line[K_TIMEOUT], "%s: timeout must be more "
		    "than 0, e.g. 10s", s->label);
	keys_duration(p, &ks, K_BACKOFF_INITIAL, &w->backoff_initial_ms);
	keys_duration(p, &ks, K_BACKOFF_MAX, &w->backoff_max_ms);
	if (w->backoff_initial_ms == 0 && ks.val[K_BACKOFF_INITIAL] != NULL &&
	    !ks.bad[K_BACKOFF_INITIAL])
		parser_error(p, ks.line[K_BACKOFF_INITIAL], "backoff_initial "
		    "must be more than 0, e.g. 1s");
	else if (w->backoff_initial_ms > w->backoff_max_ms &&
	    (line = keys_pair_line(&ks, K_BACKOFF_INITIAL, K_BACKOFF_MAX)) != 0)
		parser_error(p, line, "%s: backoff_initial is more than "
		    "backoff_max: lower backoff_initial or raise backoff_max",
		    s->label);
	if ((v = ks.val[K_QUEUE]) != NULL) {
		if ((end = value_digits(v, QUEUE_MAX, &u)) == NULL ||
		    *end != '\0' || u < 1)
			parser_error(p, ks.line[K_QUEUE], "invalid queue '%s': "
			    "use a number of events from 1 to %d", v,
			    QUEUE_MAX);
		else
			w->queue = (size_t)u;
	}
}

/* [mqtt] */
/* broker = mqtt://HOST[:PORT] or mqtts://...; [::1] for an IPv6 address;
 * nothing after the port but an optional "/". */
static void
keysremote_broker(struct parser *p, struct config_mqtt *m, const struct keyset *ks)
{
	const char	*v = ks->val[K_BROKER], *h, *end, *rest;
	uint64_t	 port;

	if (strncmp(v, "mqtt://", 7) == 0) {
		h = v + 7;
		m->port = 1883;
	} else if (strncmp(v, "mqtts://", 8) == 0) {
		h = v + 8;
		m->tls = true;
		m->port = 8883;
	} else {
		parser_error(p, ks->line[K_BROKER], "invalid broker '%s': use "
		    "mqtt://HOST[:PORT] or mqtts://HOST[:PORT]", v);
		return;
	}
	if (strpbrk(h, "@") != NULL) {
		parser_error(p, ks->line[K_BROKER], "broker '%s' holds "
		    "credentials: remove them and use username and "
		    "password_file or password_command in [mqtt]", v);
		return;
	}
	if (*h == '[') {
		if ((end = strchr(h, ']')) == NULL || end == h + 1) {
			parser_error(p, ks->line[K_BROKER], "invalid broker "
			    "'%s': an IPv6 address needs its ']'", v);
			return;
		}
		m->host = xstrndup(h + 1, (size_t)(end - h - 1));
		end++;
	} else {
		end = h + strcspn(h, ":/");
		m->host = xstrndup(h, (size_t)(end - h));
	}
	if (*m->host == '\0' || strpbrk(m->host, " \t") != NULL) {
		parser_error(p, ks->line[K_BROKER], "invalid broker '%s': "
		    "it names no host", v);
		return;
	}
	if (*end == ':') {
		if ((rest = value_digits(end + 1, 65535, &port)) == NULL ||
		    port == 0) {
			parser_error(p, ks->line[K_BROKER], "invalid port in "
			    "broker '%s': use 1 to 65535", v);
			return;
		}
		m->port = (unsigned)port;
		end = rest;
	}
	if (strcmp(end, "") != 0 && strcmp(end, "/") != 0)
		parser_error(p, ks->line[K_BROKER], "invalid broker '%s': "
		    "nothing may follow the host and port", v);
}

void
keysremote_mqtt(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_mqtt	*m;
	struct keyset		 ks;
	const char		*v, *end;
	uint64_t		 u;
	size_t			 n;

	keys_fill(p, s, &ks);
	m = xcalloc(1, sizeof(*m));
	cfg->mqtt = m;
	m->file = xstrdup(p->file);
	m->line = s->line;
	m->qos = 1;
	m->keepalive_ms = 60 * 1000;
	m->queue = 10000;
	m->backoff_initial_ms = cfg->defaults.backoff_initial_ms;
	m->backoff_max_ms = cfg->defaults.backoff_max_ms;
	m->topic_prefix = xstrdup("jmap-pushd");

	if (ks.val[K_BROKER] != NULL)
		keysremote_broker(p, m, &ks);
	else if (ks.line[K_BROKER] == 0)
		parser_error(p, s->line, "[mqtt] needs broker = (such as "
		    "mqtt://localhost or mqtts://broker.example:8883)");
	m->broker = xstrdup(ks.val[K_BROKER] != NULL ? ks.val[K_BROKER] : "");
	if (ks.val[K_CA_FILE] != NULL)
		m->ca_file = keys_path(p, &ks, K_CA_FILE);
	else if (p->daemon_ca_file != NULL)
		m->ca_file = xstrdup(p->daemon_ca_file);
	if (ks.val[K_USERNAME] != NULL)
		m->username = xstrdup(ks.val[K_USERNAME]);
	if (ks.line[K_PASSWORD_COMMAND] != 0 && ks.line[K_PASSWORD_FILE] != 0)
		parser_error(p, ks.line[K_PASSWORD_COMMAND] >
		    ks.line[K_PASSWORD_FILE] ? ks.line[K_PASSWORD_COMMAND] :
		    ks.line[K_PASSWORD_FILE], "[mqtt] has both "
		    "password_command and password_file: keep only one");
	else if (ks.val[K_PASSWORD_FILE] != NULL) {
		m->secret_kind = SECRET_PASSWORD_FILE;
		m->secret = keys_path(p, &ks, K_PASSWORD_FILE);
	} else if (ks.val[K_PASSWORD_COMMAND] != NULL) {
		m->secret_kind = SECRET_PASSWORD_COMMAND;
		m->secret = xstrdup(ks.val[K_PASSWORD_COMMAND]);
	}
	if (m->secret_kind != SECRET_NONE && m->username == NULL)
		parser_error(p, ks.line[K_PASSWORD_FILE] != 0 ?
		    ks.line[K_PASSWORD_FILE] : ks.line[K_PASSWORD_COMMAND],
		    "[mqtt] has a password but no username: add username = "
		    "(your login at the broker)");
	if ((v = ks.val[K_CLIENT_ID]) != NULL) {
		if (!utf8_valid(v, strlen(v)) || strlen(v) > 65535)
			parser_error(p, ks.line[K_CLIENT_ID], "invalid "
			    "client_id: use UTF-8 text");
		else
			m->client_id = xstrdup(v);
	}
	if ((v = ks.val[K_TOPIC_PREFIX]) != NULL) {
		if (strpbrk(v, "+#") != NULL || *v == '/' ||
		    v[strlen(v) - 1] == '/' || !utf8_valid(v, strlen(v)))
			parser_error(p, ks.line[K_TOPIC_PREFIX], "invalid "
			    "topic_prefix '%s': use topic levels without + or "
			    "# and without a leading or trailing /, such as "
			    "home/mail", v);
		else {
			free(m->topic_prefix);
			m->topic_prefix = xstrdup(v);
		}
	}
	if ((v = ks.val[K_QOS]) != NULL) {
		if ((end = value_digits(v, 2, &u)) == NULL || *end != '\0')
			parser_error(p, ks.line[K_QOS], "invalid qos '%s': use "
			    "0, 1 or 2", v);
		else
			m->qos = (int)u;
	}
	if ((v = ks.val[K_KEEPALIVE]) != NULL) {
		if (value_parse_duration(v, &u) == -1 || u < 5000 ||
		    u > 65535 * 1000 || u % 1000 != 0)
			parser_error(p, ks.line[K_KEEPALIVE], "invalid "
			    "keepalive '%s': use whole seconds from 5s to 18h, "
			    "such as 60s", v);
		else
			m->keepalive_ms = u;
	}
	if ((v = ks.val[K_QUEUE]) != NULL) {
		if ((end = value_digits(v, QUEUE_MAX, &u)) == NULL ||
		    *end != '\0' || u < 1)
			parser_error(p, ks.line[K_QUEUE], "invalid queue '%s': "
			    "use a number of events from 1 to %d", v,
			    QUEUE_MAX);
		else
			m->queue = (size_t)u;
	}
	keys_bool(p, &ks, K_HOMEASSISTANT_DISCOVERY, &m->ha_discovery);
	keys_duration(p, &ks, K_BACKOFF_INITIAL, &m->backoff_initial_ms);
	keys_duration(p, &ks, K_BACKOFF_MAX, &m->backoff_max_ms);
	if (m->backoff_initial_ms == 0 && ks.line[K_BACKOFF_INITIAL] != 0)
		parser_error(p, ks.line[K_BACKOFF_INITIAL], "backoff_initial "
		    "must be more than 0, e.g. 1s");
	else if (m->backoff_initial_ms > m->backoff_max_ms &&
	    (ks.line[K_BACKOFF_INITIAL] != 0 || ks.line[K_BACKOFF_MAX] != 0))
		parser_error(p, ks.line[K_BACKOFF_INITIAL] >
		    ks.line[K_BACKOFF_MAX] ? ks.line[K_BACKOFF_INITIAL] :
		    ks.line[K_BACKOFF_MAX], "[mqtt]: backoff_initial is more "
		    "than backoff_max: lower backoff_initial or raise "
		    "backoff_max");
	if ((v = ks.val[K_ACCOUNTS]) != NULL) {
		n = value_split_list(v, " \t,", &m->accounts);
		m->naccounts = n;
		for (size_t i = 0; i < n; i++)
			keys_check_account(p, cfg, s, ks.line[K_ACCOUNTS],
			    m->accounts[i]);
		if (n == 0)
			parser_error(p, ks.line[K_ACCOUNTS], "accounts lists "
			    "no account: name some, or remove the line");
	}
}

