/* SPDX-License-Identifier: ISC */
/*
 * What the keys mean: which section takes which key, the defaults, and the
 * checks of every value, each reported at its line.  config.c has read the
 * file into sections of raw keys; this turns them into a struct config.
 */
#include "autoconf.h"

#include <ctype.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/config-int.h"
#include "config/config.h"
#include "config/values.h"
#include "config/mailmatch.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/namemap.h"
#include "util/xmalloc.h"

#define MAX_FRAME_MIN	1024

#define IN_DAEMON	0x1
#define IN_ACCOUNT	0x2
#define IN_HOOK		0x4
#define IN_NOTIFY	0x8
#define IN_WEBHOOK	0x10
/* [mqtt] */
#define IN_MQTT		0x20

enum key_id {
	K_STATE_DIR,
	K_LOG_LEVEL,
	K_URL,
	K_USERNAME,
	K_PASSWORD_COMMAND,
	K_PASSWORD_FILE,
	K_TOKEN_COMMAND,
	K_TOKEN_FILE,
	K_CA_FILE,
	K_INSECURE,
	K_TRANSPORT,
	K_PING_INTERVAL,
	K_PING_TIMEOUT,
	K_BACKOFF_INITIAL,
	K_BACKOFF_MAX,
	K_BACKOFF_RESET,
	K_SYNC_ON_START,
	K_RESYNC_INTERVAL,
	K_MAX_FRAME,
	K_TYPES,
	K_COMMAND,
	K_ACCOUNT,
	K_EXEC,
	K_DEBOUNCE,
	K_MAX_DELAY,
	K_TIMEOUT,
	K_ON_START,
	K_SOCKET,
	K_SOCKET_MODE,
	K_SOCKET_GROUP,
	K_SOCKET_QUEUE,
	K_SOCKET_STALL,
	K_MAX_CLIENTS,
	K_DBUS,
	K_ENABLED,
	K_ACCOUNTS,
	K_MAILBOXES,
	K_MAX_PER_BURST,
	K_URGENCY,
	K_EVENTS,
	K_PER_MAILBOX,
	K_OPEN_COMMAND,
	K_OPEN_EXEC,
	K_ACTIONS,
	/* [webhook] */
	K_SECRET_FILE,
	K_SECRET_COMMAND,
	K_HEADERS_FILE,
	K_QUEUE,
	/* [mqtt] */
	K_BROKER,
	K_CLIENT_ID,
	K_TOPIC_PREFIX,
	K_QOS,
	K_KEEPALIVE,
	K_HOMEASSISTANT_DISCOVERY,
	K_COUNT
};

#define TUNING	(IN_DAEMON | IN_ACCOUNT)
static const struct {
	const char	*name;
	unsigned	 where;
} keys[K_COUNT] = {
	[K_STATE_DIR] = { "state_dir", IN_DAEMON },
	[K_LOG_LEVEL] = { "log_level", IN_DAEMON },
	[K_URL] = { "url", IN_ACCOUNT | IN_WEBHOOK },
	[K_USERNAME] = { "username", IN_ACCOUNT | IN_MQTT },
	[K_PASSWORD_COMMAND] = { "password_command", IN_ACCOUNT | IN_MQTT },
	[K_PASSWORD_FILE] = { "password_file", IN_ACCOUNT | IN_MQTT },
	[K_TOKEN_COMMAND] = { "token_command", IN_ACCOUNT },
	[K_TOKEN_FILE] = { "token_file", IN_ACCOUNT },
	[K_CA_FILE] = { "ca_file", TUNING | IN_WEBHOOK | IN_MQTT },
	[K_INSECURE] = { "insecure", IN_ACCOUNT | IN_WEBHOOK },
	[K_TRANSPORT] = { "transport", TUNING },
	[K_PING_INTERVAL] = { "ping_interval", TUNING },
	[K_PING_TIMEOUT] = { "ping_timeout", TUNING },
	[K_BACKOFF_INITIAL] = { "backoff_initial",
	    TUNING | IN_WEBHOOK | IN_MQTT },
	[K_BACKOFF_MAX] = { "backoff_max", TUNING | IN_WEBHOOK | IN_MQTT },
	[K_BACKOFF_RESET] = { "backoff_reset", TUNING },
	[K_SYNC_ON_START] = { "sync_on_start", TUNING },
	[K_RESYNC_INTERVAL] = { "resync_interval", TUNING },
	[K_MAX_FRAME] = { "max_frame", TUNING },
	[K_TYPES] = { "types", TUNING | IN_HOOK | IN_WEBHOOK },
	[K_COMMAND] = { "command", IN_HOOK },
	[K_ACCOUNT] = { "account", IN_HOOK },
	[K_EXEC] = { "exec", IN_HOOK },
	[K_DEBOUNCE] = { "debounce", IN_HOOK },
	[K_MAX_DELAY] = { "max_delay", IN_HOOK },
	[K_TIMEOUT] = { "timeout", IN_HOOK | IN_NOTIFY | IN_WEBHOOK },
	[K_ON_START] = { "on_start", IN_HOOK },
	[K_SOCKET] = { "socket", IN_DAEMON },
	[K_SOCKET_MODE] = { "socket_mode", IN_DAEMON },
	[K_SOCKET_GROUP] = { "socket_group", IN_DAEMON },
	[K_SOCKET_QUEUE] = { "socket_queue", IN_DAEMON },
	[K_SOCKET_STALL] = { "socket_stall", IN_DAEMON },
	[K_MAX_CLIENTS] = { "max_clients", IN_DAEMON },
	[K_DBUS] = { "dbus", IN_DAEMON },
	[K_ENABLED] = { "enabled", IN_NOTIFY },
	[K_ACCOUNTS] = { "accounts", IN_NOTIFY | IN_WEBHOOK | IN_MQTT },
	[K_MAILBOXES] = { "mailboxes", IN_NOTIFY | IN_HOOK },
	[K_MAX_PER_BURST] = { "max_per_burst", IN_NOTIFY },
	[K_URGENCY] = { "urgency", IN_NOTIFY },
	[K_EVENTS] = { "events", IN_HOOK | IN_WEBHOOK },
	[K_PER_MAILBOX] = { "per_mailbox", IN_HOOK },
	[K_OPEN_COMMAND] = { "open_command", IN_NOTIFY },
	[K_OPEN_EXEC] = { "open_exec", IN_NOTIFY },
	[K_ACTIONS] = { "actions", IN_NOTIFY },
	/* [webhook] */
	[K_SECRET_FILE] = { "secret_file", IN_WEBHOOK },
	[K_SECRET_COMMAND] = { "secret_command", IN_WEBHOOK },
	[K_HEADERS_FILE] = { "headers_file", IN_WEBHOOK },
	[K_QUEUE] = { "queue", IN_WEBHOOK | IN_MQTT },
	/* [mqtt] */
	[K_BROKER] = { "broker", IN_MQTT },
	[K_CLIENT_ID] = { "client_id", IN_MQTT },
	[K_TOPIC_PREFIX] = { "topic_prefix", IN_MQTT },
	[K_QOS] = { "qos", IN_MQTT },
	[K_KEEPALIVE] = { "keepalive", IN_MQTT },
	[K_HOMEASSISTANT_DISCOVERY] = { "homeassistant_discovery", IN_MQTT },
};

static const struct {
	enum key_id		 key;
	enum config_secret	 kind;
} secret_keys[] = {
	{ K_PASSWORD_COMMAND, SECRET_PASSWORD_COMMAND },
	{ K_PASSWORD_FILE, SECRET_PASSWORD_FILE },
	{ K_TOKEN_COMMAND, SECRET_TOKEN_COMMAND },
	{ K_TOKEN_FILE, SECRET_TOKEN_FILE },
};
#define nsecret_keys (sizeof(secret_keys) / sizeof(secret_keys[0]))

/* The keys of one section, by id, after duplicates were weeded out. */
struct keyset {
	const char	*val[K_COUNT];	/* NULL when absent or empty */
	int		 line[K_COUNT];	/* 0 when absent */
	bool		 bad[K_COUNT];	/* value was rejected */
};

/* Sorts a section's keys by id, reporting unknown and repeated ones. */
static void
keyset_fill(struct parser *p, const struct section *s, struct keyset *ks)
{
	static const unsigned where[] = {
		[SEC_DAEMON] = IN_DAEMON,
		[SEC_ACCOUNT] = IN_ACCOUNT,
		[SEC_HOOK] = IN_HOOK,
		[SEC_NOTIFY] = IN_NOTIFY,
		[SEC_WEBHOOK] = IN_WEBHOOK,
		[SEC_MQTT] = IN_MQTT,
	};
	unsigned	 mask = where[s->kind];

	memset(ks, 0, sizeof(*ks));
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct raw_key	*k = &s->keys[i];
		const char		*cands[K_COUNT];
		const char		*sug;
		size_t			 n = 0;
		int			 id;

		if (strcmp(k->name, "password") == 0) {
			parser_error(p, k->line, "inline passwords are not "
			    "supported; use password_command or password_file");
			continue;
		}
		for (id = 0; id < K_COUNT; id++)
			if (strcmp(k->name, keys[id].name) == 0)
				break;
		if (id < K_COUNT && (keys[id].where & mask) == 0) {
			if (s->kind == SEC_DAEMON && (keys[id].where &
			    IN_ACCOUNT)) {
				parser_error(p, k->line, "'%s' cannot stand in "
				    "[daemon]: put it in each [account NAME]",
				    k->name);
				continue;
			}
			if (s->kind == SEC_ACCOUNT && keys[id].where ==
			    IN_DAEMON) {
				parser_error(p, k->line, "'%s' can only stand "
				    "in [daemon]", k->name);
				continue;
			}
			id = K_COUNT;
		}
		if (id == K_COUNT) {
			for (int j = 0; j < K_COUNT; j++)
				if (keys[j].where & mask)
					cands[n++] = keys[j].name;
			if ((sug = value_suggest(k->name, cands, n)) != NULL)
				parser_error(p, k->line, "unknown key '%s' in "
				    "%s; did you mean '%s'?", k->name,
				    s->label, sug);
			else
				parser_error(p, k->line, "unknown key '%s' in "
				    "%s: remove it", k->name, s->label);
			continue;
		}
		if (ks->line[id] != 0) {
			parser_error(p, k->line, "duplicate key '%s' in %s "
			    "(also on line %d): keep one", k->name, s->label,
			    ks->line[id]);
			continue;
		}
		ks->line[id] = k->line;
		if (*k->value == '\0') {
			parser_error(p, k->line, "'%s' has no value: give one "
			    "or remove the line", k->name);
			ks->bad[id] = true;
			continue;
		}
		ks->val[id] = k->value;
	}
}

static void
parse_duration_key(struct parser *p, struct keyset *ks, enum key_id id,
    uint64_t *out)
{
	if (ks->val[id] == NULL)
		return;
	if (value_parse_duration(ks->val[id], out) == -1) {
		parser_error(p, ks->line[id], "invalid duration for %s: '%s'; "
		    "use e.g. 250ms, 30s, 5m, 1h or 2d", keys[id].name,
		    ks->val[id]);
		ks->bad[id] = true;
	}
}

static void
parse_bool_key(struct parser *p, struct keyset *ks, enum key_id id, bool *out)
{
	if (ks->val[id] == NULL)
		return;
	if (value_parse_bool(ks->val[id], out) == -1) {
		parser_error(p, ks->line[id], "invalid value for %s: '%s'; use "
		    "yes or no", keys[id].name, ks->val[id]);
		ks->bad[id] = true;
	}
}

/* The later of two keys' lines when this section set either and none of the
 * two was rejected; 0 when the problem is inherited (reported at [daemon]). */
static int
pair_line(const struct keyset *ks, enum key_id a, enum key_id b)
{
	if (ks->bad[a] || ks->bad[b])
		return 0;
	return ks->line[a] > ks->line[b] ? ks->line[a] : ks->line[b];
}

static int
parse_types(struct parser *p, int line, const char *value, char ***out,
    size_t *nout)
{
	char	*copy, *tok, *save = NULL;
	char	**types = NULL;
	size_t	 n = 0;
	int	 rc = 0;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		bool ok = isalpha((unsigned char)*tok);

		for (const char *c = tok; ok && *c; c++)
			ok = isalnum((unsigned char)*c);
		if (!ok) {
			parser_error(p, line, "invalid type name '%s' in "
			    "types: use JMAP type names such as Email, "
			    "Mailbox or EmailDelivery", tok);
			rc = -1;
			continue;
		}
		if (value_list_has(types, n, tok))
			continue;
		types = xreallocarray(types, n + 1, sizeof(*types));
		types[n++] = xstrdup(tok);
	}
	free(copy);
	if (rc == 0 && n == 0) {
		parser_error(p, line, "types lists no type: name some, such as "
		    "Email Mailbox, or remove the line");
		rc = -1;
	}
	if (rc == -1) {
		value_list_free(types, n);
		return -1;
	}
	*out = types;
	*nout = n;
	return 0;
}

static void
tuning_defaults(struct config_tuning *t)
{
	memset(t, 0, sizeof(*t));
	t->transport = TRANSPORT_AUTO;
	t->ping_interval_ms = 30 * 1000;
	t->ping_timeout_ms = 10 * 1000;
	t->backoff_initial_ms = 1000;
	t->backoff_max_ms = 5 * 60 * 1000;
	t->backoff_reset_ms = 60 * 1000;
	t->sync_on_start = false;
	t->resync_interval_ms = 15 * 60 * 1000;
	t->max_frame = 1024 * 1024;
}

static void
tuning_copy(struct config_tuning *dst, const struct config_tuning *src)
{
	*dst = *src;
	if (src->types == NULL)
		return;
	dst->types = xreallocarray(NULL, src->ntypes, sizeof(*dst->types));
	for (size_t i = 0; i < src->ntypes; i++)
		dst->types[i] = xstrdup(src->types[i]);
}

static void
parse_tuning(struct parser *p, struct keyset *ks, struct config_tuning *t)
{
	static const char *const transports[] = {
		[TRANSPORT_AUTO] = "auto", [TRANSPORT_WEBSOCKET] = "websocket",
		[TRANSPORT_EVENTSOURCE] = "eventsource",
	};
	const size_t	 ntransports =
	    sizeof(transports) / sizeof(transports[0]);
	const char	*v;
	char		 a[32], b[32];
	int		 line;
	size_t		 i;

	if ((v = ks->val[K_TRANSPORT]) != NULL) {
		if ((i = value_find(v, transports, ntransports)) == ntransports)
			parser_error(p, ks->line[K_TRANSPORT], "invalid "
			    "transport '%s': use auto, websocket or "
			    "eventsource", v);
		else
			t->transport = (enum config_transport)i;
	}
	parse_duration_key(p, ks, K_PING_INTERVAL, &t->ping_interval_ms);
	parse_duration_key(p, ks, K_PING_TIMEOUT, &t->ping_timeout_ms);
	parse_duration_key(p, ks, K_BACKOFF_INITIAL, &t->backoff_initial_ms);
	parse_duration_key(p, ks, K_BACKOFF_MAX, &t->backoff_max_ms);
	parse_duration_key(p, ks, K_BACKOFF_RESET, &t->backoff_reset_ms);
	parse_bool_key(p, ks, K_SYNC_ON_START, &t->sync_on_start);
	parse_duration_key(p, ks, K_RESYNC_INTERVAL, &t->resync_interval_ms);
	if ((v = ks->val[K_MAX_FRAME]) != NULL) {
		size_t n;

		if (value_parse_size(v, &n) == -1 || n < MAX_FRAME_MIN)
			parser_error(p, ks->line[K_MAX_FRAME], "invalid "
			    "max_frame '%s': use a size of at least 1k, such "
			    "as 512k, 1M or 1048576", v);
		else
			t->max_frame = n;
	}
	if ((v = ks->val[K_TYPES]) != NULL) {
		char	**types;
		size_t	 n;

		if (parse_types(p, ks->line[K_TYPES], v, &types, &n) == 0) {
			value_list_free(t->types, t->ntypes);
			t->types = types;
			t->ntypes = n;
		}
	}

	if (ks->val[K_BACKOFF_INITIAL] != NULL && !ks->bad[K_BACKOFF_INITIAL] &&
	    t->backoff_initial_ms == 0)
		parser_error(p, ks->line[K_BACKOFF_INITIAL], "backoff_initial "
		    "must be more than 0, e.g. 1s");
	else if (t->backoff_initial_ms > t->backoff_max_ms &&
	    (line = pair_line(ks, K_BACKOFF_INITIAL, K_BACKOFF_MAX)) != 0) {
		value_format_ms(t->backoff_initial_ms, a, sizeof(a));
		value_format_ms(t->backoff_max_ms, b, sizeof(b));
		parser_error(p, line, "backoff_initial (%s) is more than "
		    "backoff_max (%s): lower backoff_initial or raise "
		    "backoff_max", a, b);
	}
	if (t->ping_interval_ms > 0 && t->ping_timeout_ms == 0 &&
	    (line = pair_line(ks, K_PING_INTERVAL, K_PING_TIMEOUT)) != 0) {
		value_format_ms(t->ping_interval_ms, a, sizeof(a));
		parser_error(p, line, "ping_timeout is 0 while ping_interval "
		    "is %s: set ping_timeout (e.g. 10s), or ping_interval = 0 "
		    "to turn pings off", a);
	}
}

/* "~/" means $HOME; the result must be absolute, as the daemon's working
 * directory is no place to look for files. */
static char *
parse_path(struct parser *p, const struct keyset *ks, enum key_id id)
{
	const char	*v = ks->val[id];
	char		*path;

	if (strncmp(v, "~/", 2) == 0) {
		if ((path = value_home_path(v + 2)) == NULL)
			parser_error(p, ks->line[id], "cannot expand '~/' in "
			    "%s: HOME is not set; write the full path",
			    keys[id].name);
		return path;
	}
	if (*v != '/') {
		parser_error(p, ks->line[id], "%s must be an absolute path or "
		    "start with ~/", keys[id].name);
		return NULL;
	}
	return xstrdup(v);
}

/* Only the key's presence is recorded here; keys_build resolves the
 * default path once every [daemon] key is known. */
static void
load_socket(struct parser *p, struct config *cfg, struct keyset *ks)
{
	const char	*v, *rest;
	char		*end;
	unsigned long	 mode;
	uint64_t	 u;
	size_t		 n;

	if ((v = ks->val[K_SOCKET]) != NULL) {
		cfg->socket_set = true;
		if (strcmp(v, "none") != 0 &&
		    (cfg->socket_path = parse_path(p, ks, K_SOCKET)) != NULL &&
		    strlen(cfg->socket_path) >= CONFIG_SOCKET_PATH_MAX)
			parser_error(p, ks->line[K_SOCKET], "socket path is "
			    "longer than %d bytes: choose a shorter one",
			    CONFIG_SOCKET_PATH_MAX - 1);
	}
	if ((v = ks->val[K_SOCKET_MODE]) != NULL) {
		errno = 0;
		mode = strtoul(v, &end, 8);
		if (errno != 0 || *end != '\0' || *v == '-' || mode > 0777 ||
		    (mode & 0600) != 0600)
			parser_error(p, ks->line[K_SOCKET_MODE], "invalid "
			    "socket_mode '%s': use octal permissions that let "
			    "the owner read and write, such as 0600 or 0660",
			    v);
		else
			cfg->socket_mode = (unsigned)mode;
	}
	if ((v = ks->val[K_SOCKET_GROUP]) != NULL) {
		cfg->socket_group = xstrdup(v);
		/* The group is there to be let in. */
		if (ks->val[K_SOCKET_MODE] == NULL)
			cfg->socket_mode = 0660;
	}
	if ((v = ks->val[K_SOCKET_QUEUE]) != NULL) {
		if (value_parse_size(v, &n) == -1 || n < 4096)
			parser_error(p, ks->line[K_SOCKET_QUEUE], "invalid "
			    "socket_queue '%s': use a size of at least 4k, "
			    "such as 256k", v);
		else
			cfg->socket_queue = n;
	}
	if ((v = ks->val[K_SOCKET_STALL]) != NULL) {
		if (value_parse_duration(v, &u) == -1 || u < 1000)
			parser_error(p, ks->line[K_SOCKET_STALL], "invalid "
			    "socket_stall '%s': use a duration of at least 1s, "
			    "such as 30s", v);
		else
			cfg->socket_stall_ms = u;
	}
	if ((v = ks->val[K_MAX_CLIENTS]) != NULL) {
		if ((rest = value_digits(v, CONFIG_MAX_CLIENTS, &u)) ==
		    NULL || *rest != '\0' || u < 1)
			parser_error(p, ks->line[K_MAX_CLIENTS], "invalid "
			    "max_clients '%s': use a number from 1 to %d", v,
			    CONFIG_MAX_CLIENTS);
		else
			cfg->max_clients = (unsigned)u;
	}
}

static void
load_dbus(struct parser *p, struct config *cfg, struct keyset *ks)
{
	static const char *const names[] = { "session", "system", "none" };
	static const enum config_dbus modes[] = {
		CONFIG_DBUS_SESSION, CONFIG_DBUS_SYSTEM, CONFIG_DBUS_NONE
	};
	const size_t	 nnames = sizeof(names) / sizeof(names[0]);
	const char	*v;
	size_t		 i;

	if ((v = ks->val[K_DBUS]) == NULL)
		return;
	if ((i = value_find(v, names, nnames)) == nnames)
		parser_error(p, ks->line[K_DBUS], "invalid dbus '%s': use "
		    "session, system or none", v);
	else
		cfg->dbus = modes[i];
}

static void
load_daemon(struct parser *p, struct config *cfg, const struct section *s)
{
	struct keyset	 ks;
	const char	*v;
	char		*path;

	keyset_fill(p, s, &ks);
	if (ks.val[K_STATE_DIR] != NULL &&
	    (path = parse_path(p, &ks, K_STATE_DIR)) != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = path;
	}
	if ((v = ks.val[K_LOG_LEVEL]) != NULL &&
	    (cfg->log_level = log_level_parse(v)) == -1)
		parser_error(p, ks.line[K_LOG_LEVEL], "invalid log_level '%s': "
		    "use error, warning, info or debug", v);
	if (ks.val[K_CA_FILE] != NULL)
		p->daemon_ca_file = parse_path(p, &ks, K_CA_FILE);
	parse_tuning(p, &ks, &cfg->defaults);
	load_socket(p, cfg, &ks);
	load_dbus(p, cfg, &ks);
}

static void
load_account(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_account	*a;
	struct keyset		 ks;
	enum key_id		 first = K_COUNT;
	size_t			 set[nsecret_keys], nset = 0;

	keyset_fill(p, s, &ks);
	a = xcalloc(1, sizeof(*a));
	a->config = cfg;
	a->name = xstrdup(s->name);
	a->file = xstrdup(p->file);
	a->line = s->line;
	tuning_copy(&a->tuning, &cfg->defaults);
	TAILQ_INSERT_TAIL(&cfg->accounts, a, entry);
	namemap_put(cfg->account_names, a->name, a);

	if (ks.val[K_URL] != NULL)
		a->url = xstrdup(ks.val[K_URL]);
	else if (ks.line[K_URL] == 0)
		parser_error(p, s->line, "%s needs url = (a host name, "
		    "https://HOST/.well-known/jmap or the session URL)",
		    s->label);
	if (ks.val[K_USERNAME] != NULL)
		a->username = xstrdup(ks.val[K_USERNAME]);

	/* In file order, so that the later ones are reported. */
	for (size_t i = 0; i < nsecret_keys; i++) {
		size_t j;

		if (ks.line[secret_keys[i].key] == 0)
			continue;
		for (j = nset; j > 0 && ks.line[secret_keys[set[j - 1]].key] >
		    ks.line[secret_keys[i].key]; j--)
			set[j] = set[j - 1];
		set[j] = i;
		nset++;
	}
	if (nset > 0) {
		first = secret_keys[set[0]].key;
		a->secret_kind = secret_keys[set[0]].kind;
		if (ks.val[first] != NULL && (first == K_PASSWORD_FILE ||
		    first == K_TOKEN_FILE))
			a->secret = parse_path(p, &ks, first);
		else if (ks.val[first] != NULL)
			a->secret = xstrdup(ks.val[first]);
	}
	for (size_t i = 1; i < nset; i++)
		parser_error(p, ks.line[secret_keys[set[i]].key], "%s has both "
		    "%s and %s: keep only one", s->label, keys[first].name,
		    keys[secret_keys[set[i]].key].name);
	if ((a->secret_kind == SECRET_PASSWORD_COMMAND ||
	    a->secret_kind == SECRET_PASSWORD_FILE) && ks.line[K_USERNAME] == 0)
		parser_error(p, ks.line[first], "%s has %s but no username: "
		    "add username = (your login name)", s->label,
		    keys[first].name);

	if (ks.val[K_CA_FILE] != NULL)
		a->ca_file = parse_path(p, &ks, K_CA_FILE);
	else if (p->daemon_ca_file != NULL)
		a->ca_file = xstrdup(p->daemon_ca_file);
	parse_bool_key(p, &ks, K_INSECURE, &a->insecure);
	parse_tuning(p, &ks, &a->tuning);
}

/* Hooks and [notify] may only name accounts that exist. */
static void
check_account(struct parser *p, const struct config *cfg,
    const struct section *s, int line, const char *name)
{
	if (config_find_account(cfg, name) == NULL)
		parser_error(p, line, "%s names account '%s' but there is no "
		    "[account %s]: fix the name or add the account", s->label,
		    name, name);
}

/* The mail-aware keys: mailboxes =, events = (mailmatch's syntax and
 * messages) and per_mailbox =, which needs one of them. */
static void
load_hook_mail(struct parser *p, struct config_hook *h,
    const struct section *s, struct keyset *ks)
{
	enum mailmatch_error	 e;
	char			 err[256];

	h->events = MAILMATCH_ALL_EVENTS;
	h->mail_aware = ks->val[K_MAILBOXES] != NULL ||
	    ks->val[K_EVENTS] != NULL;
	if (ks->val[K_MAILBOXES] != NULL &&
	    mailmatch_parse(ks->val[K_MAILBOXES], &h->mailboxes, &e, err,
	    sizeof(err)) == -1)
		parser_error(p, ks->line[K_MAILBOXES], "%s: %s", s->label, err);
	if (ks->val[K_EVENTS] != NULL &&
	    mailmatch_events(ks->val[K_EVENTS], &h->events, &e, err,
	    sizeof(err)) == -1)
		parser_error(p, ks->line[K_EVENTS], "%s: %s", s->label, err);
	parse_bool_key(p, ks, K_PER_MAILBOX, &h->per_mailbox);
	if (h->per_mailbox && !h->mail_aware)
		parser_error(p, ks->line[K_PER_MAILBOX], "%s has per_mailbox "
		    "but neither mailboxes nor events: add mailboxes = (such "
		    "as inbox, Work/*) or events = new changed deleted",
		    s->label);
}

static void
load_hook(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_hook	*h;
	struct keyset		 ks;
	int			 line;

	keyset_fill(p, s, &ks);
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(s->name);
	h->file = xstrdup(p->file);
	h->line = s->line;
	TAILQ_INSERT_TAIL(&cfg->hooks, h, entry);

	h->debounce_ms = 1000;
	h->max_delay_ms = 30 * 1000;
	h->timeout_ms = 10 * 60 * 1000;
	if (ks.line[K_COMMAND] != 0 && ks.line[K_EXEC] != 0)
		parser_error(p, ks.line[K_COMMAND] > ks.line[K_EXEC] ?
		    ks.line[K_COMMAND] : ks.line[K_EXEC], "%s has both command "
		    "and exec: keep only one", s->label);
	else if (ks.val[K_COMMAND] != NULL)
		h->command = xstrdup(ks.val[K_COMMAND]);
	else if (ks.val[K_EXEC] != NULL) {
		char err[128];

		if (value_split_argv(ks.val[K_EXEC], &h->argv, err,
		    sizeof(err)) == -1)
			parser_error(p, ks.line[K_EXEC], "invalid exec: %s",
			    err);
	} else if (ks.line[K_COMMAND] == 0 && ks.line[K_EXEC] == 0)
		parser_error(p, s->line, "%s needs command = (a shell command "
		    "to run on changes) or exec = (a program and its "
		    "arguments, run without a shell)", s->label);
	parse_duration_key(p, &ks, K_DEBOUNCE, &h->debounce_ms);
	parse_duration_key(p, &ks, K_MAX_DELAY, &h->max_delay_ms);
	parse_duration_key(p, &ks, K_TIMEOUT, &h->timeout_ms);
	parse_bool_key(p, &ks, K_ON_START, &h->on_start);
	if (h->max_delay_ms < h->debounce_ms &&
	    (line = pair_line(&ks, K_DEBOUNCE, K_MAX_DELAY)) != 0)
		parser_error(p, line, "%s: max_delay is shorter than "
		    "debounce: raise max_delay or lower debounce", s->label);
	if (ks.val[K_ACCOUNT] != NULL) {
		h->account = xstrdup(ks.val[K_ACCOUNT]);
		check_account(p, cfg, s, ks.line[K_ACCOUNT], h->account);
	}
	if (ks.val[K_TYPES] != NULL)
		parse_types(p, ks.line[K_TYPES], ks.val[K_TYPES], &h->types,
		    &h->ntypes);
	load_hook_mail(p, h, s, &ks);
}

static void
notify_defaults(struct config_notify *n)
{
	n->enabled = false;
	n->mailboxes = xreallocarray(NULL, 1, sizeof(*n->mailboxes));
	n->mailboxes[0] = xstrdup("inbox");
	n->nmailboxes = 1;
	n->max_per_burst = 3;
	n->urgency = URGENCY_NORMAL;
	n->timeout_ms = -1;
}

/* actions = open, mark-read, archive, trash (each once; open only with
 * something to open), else the default. */
static void
load_notify_actions(struct parser *p, struct config_notify *n,
    const struct keyset *ks)
{
	static const char *const names[] = {
		[NOTIFY_ACTION_OPEN] = "open",
		[NOTIFY_ACTION_MARK_READ] = "mark-read",
		[NOTIFY_ACTION_ARCHIVE] = "archive",
		[NOTIFY_ACTION_TRASH] = "trash",
	};
	bool	 open = n->open_command != NULL || n->open_argv != NULL;
	bool	 seen[NOTIFY_ACTION_COUNT] = { false };
	char	**items;
	size_t	 count, i, k;

	n->nactions = 0;
	if (ks->val[K_ACTIONS] == NULL) {
		if (open)
			n->actions[n->nactions++] = NOTIFY_ACTION_OPEN;
		n->actions[n->nactions++] = NOTIFY_ACTION_MARK_READ;
		return;
	}
	count = value_split_list(ks->val[K_ACTIONS], " \t,", &items);
	for (i = 0; i < count; i++) {
		if ((k = value_find(items[i], names, NOTIFY_ACTION_COUNT)) ==
		    NOTIFY_ACTION_COUNT)
			parser_error(p, ks->line[K_ACTIONS], "unknown action "
			    "'%s' in [notify]: use open, mark-read, archive or "
			    "trash", items[i]);
		else if (k == NOTIFY_ACTION_OPEN && !open)
			parser_error(p, ks->line[K_ACTIONS], "the action open "
			    "needs open_command or open_exec in [notify]");
		else if (!seen[k]) {
			seen[k] = true;
			n->actions[n->nactions++] =
			    (enum config_notify_action)k;
		}
	}
	value_list_free(items, count);
}

static void
load_notify(struct parser *p, struct config *cfg, const struct section *s)
{
	static const char *const urgencies[] = {
		[URGENCY_LOW] = "low", [URGENCY_NORMAL] = "normal",
		[URGENCY_CRITICAL] = "critical",
	};
	const size_t		 nurgencies = sizeof(urgencies) /
	    sizeof(urgencies[0]);
	struct config_notify	*n = &cfg->notify;
	struct keyset		 ks;
	const char		*v;
	char			**items;
	const char		*end;
	size_t			 count, i;
	uint64_t		 ms, u;

	keyset_fill(p, s, &ks);
	n->enabled = true;
	parse_bool_key(p, &ks, K_ENABLED, &n->enabled);
	if ((v = ks.val[K_ACCOUNTS]) != NULL) {
		count = value_split_list(v, " \t,", &items);
		for (i = 0; i < count; i++)
			check_account(p, cfg, s, ks.line[K_ACCOUNTS], items[i]);
		n->accounts = items;
		n->naccounts = count;
		if (count == 0)
			parser_error(p, ks.line[K_ACCOUNTS], "accounts lists "
			    "no account: name some, or remove the line");
	}
	if ((v = ks.val[K_MAILBOXES]) != NULL) {
		if ((count = value_split_list(v, ",", &items)) == 0)
			parser_error(p, ks.line[K_MAILBOXES], "mailboxes lists "
			    "no mailbox: name some (roles such as inbox, or "
			    "names), separated by commas");
		else {
			value_list_free(n->mailboxes, n->nmailboxes);
			n->mailboxes = items;
			n->nmailboxes = count;
		}
	}
	if ((v = ks.val[K_MAX_PER_BURST]) != NULL) {
		if ((end = value_digits(v, 100, &u)) == NULL || *end != '\0' ||
		    u < 1)
			parser_error(p, ks.line[K_MAX_PER_BURST], "invalid "
			    "max_per_burst '%s': use a number from 1 to 100",
			    v);
		else
			n->max_per_burst = (unsigned)u;
	}
	if ((v = ks.val[K_URGENCY]) != NULL) {
		if ((i = value_find(v, urgencies, nurgencies)) == nurgencies)
			parser_error(p, ks.line[K_URGENCY], "invalid urgency "
			    "'%s': use low, normal or critical", v);
		else
			n->urgency = (enum config_urgency)i;
	}
	if ((v = ks.val[K_TIMEOUT]) != NULL) {
		if (strcmp(v, "default") == 0)
			n->timeout_ms = -1;
		else if (strcmp(v, "never") == 0)
			n->timeout_ms = 0;
		else if (value_parse_duration(v, &ms) == -1 || ms == 0 ||
		    ms > INT32_MAX)
			parser_error(p, ks.line[K_TIMEOUT], "invalid timeout "
			    "'%s' in [notify]: use default, never or a "
			    "duration such as 10s", v);
		else
			n->timeout_ms = (int32_t)ms;
	}
	if (ks.line[K_OPEN_COMMAND] != 0 && ks.line[K_OPEN_EXEC] != 0)
		parser_error(p, ks.line[K_OPEN_COMMAND] > ks.line[K_OPEN_EXEC] ?
		    ks.line[K_OPEN_COMMAND] : ks.line[K_OPEN_EXEC], "[notify] "
		    "has both open_command and open_exec: keep only one");
	else if (ks.val[K_OPEN_COMMAND] != NULL)
		n->open_command = xstrdup(ks.val[K_OPEN_COMMAND]);
	else if (ks.val[K_OPEN_EXEC] != NULL) {
		char err[128];

		if (value_split_argv(ks.val[K_OPEN_EXEC], &n->open_argv, err,
		    sizeof(err)) == -1)
			parser_error(p, ks.line[K_OPEN_EXEC], "invalid "
			    "open_exec: %s", err);
	}
	load_notify_actions(p, n, &ks);
}

/* [webhook] */
/* The most events a webhook's or the broker's queue may hold. */
#define QUEUE_MAX	10000000

/* Whether host (as in a URL, "[::1]" with brackets) is this machine. */
static bool
webhook_host_loopback(const char *host, size_t len)
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
load_webhook_url(struct parser *p, struct config_webhook *w,
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
	if (!tls && !w->insecure && !webhook_host_loopback(host, hlen)) {
		parser_error(p, ks->line[K_URL], "%s: url %s would send the "
		    "events unencrypted to another machine: use https://, or "
		    "insecure = yes if that is really meant", s->label, v);
		return;
	}
	w->url = xstrdup(v);
}

/* Whether a header name is one jmap-pushd sets itself. */
static bool
webhook_header_refused(const char *name)
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
load_webhook_headers(struct parser *p, struct config_webhook *w,
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
		if (webhook_header_refused(l)) {
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
load_webhook_events(struct parser *p, struct config_webhook *w,
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

static void
load_webhook(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_webhook	*w;
	struct keyset		 ks;
	const char		*v, *end;
	char			**items;
	size_t			 count;
	uint64_t		 u;
	int			 line;

	keyset_fill(p, s, &ks);
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

	parse_bool_key(p, &ks, K_INSECURE, &w->insecure);
	load_webhook_url(p, w, s, &ks);
	if ((v = ks.val[K_ACCOUNTS]) != NULL) {
		count = value_split_list(v, " \t,", &items);
		for (size_t i = 0; i < count; i++)
			check_account(p, cfg, s, ks.line[K_ACCOUNTS], items[i]);
		w->accounts = items;
		w->naccounts = count;
		if (count == 0)
			parser_error(p, ks.line[K_ACCOUNTS], "accounts lists "
			    "no account: name some, or remove the line");
	}
	if (ks.val[K_TYPES] != NULL)
		parse_types(p, ks.line[K_TYPES], ks.val[K_TYPES], &w->types,
		    &w->ntypes);
	load_webhook_events(p, w, s, &ks);
	if (ks.line[K_SECRET_FILE] != 0 && ks.line[K_SECRET_COMMAND] != 0)
		parser_error(p, ks.line[K_SECRET_FILE] >
		    ks.line[K_SECRET_COMMAND] ? ks.line[K_SECRET_FILE] :
		    ks.line[K_SECRET_COMMAND], "%s has both secret_file and "
		    "secret_command: keep only one", s->label);
	else if (ks.val[K_SECRET_FILE] != NULL) {
		w->secret_kind = WEBHOOK_SECRET_FILE;
		w->secret = parse_path(p, &ks, K_SECRET_FILE);
	} else if (ks.val[K_SECRET_COMMAND] != NULL) {
		w->secret_kind = WEBHOOK_SECRET_COMMAND;
		w->secret = xstrdup(ks.val[K_SECRET_COMMAND]);
	} else if (ks.line[K_SECRET_FILE] == 0 &&
	    ks.line[K_SECRET_COMMAND] == 0)
		parser_error(p, s->line, "%s needs secret_file = or "
		    "secret_command = (the key every POST is signed with)",
		    s->label);
	if (ks.val[K_HEADERS_FILE] != NULL &&
	    (w->headers_file = parse_path(p, &ks, K_HEADERS_FILE)) != NULL)
		load_webhook_headers(p, w, s, ks.line[K_HEADERS_FILE]);
	if (ks.val[K_CA_FILE] != NULL)
		w->ca_file = parse_path(p, &ks, K_CA_FILE);
	else if (p->daemon_ca_file != NULL)
		w->ca_file = xstrdup(p->daemon_ca_file);
	parse_duration_key(p, &ks, K_TIMEOUT, &w->timeout_ms);
	if (ks.val[K_TIMEOUT] != NULL && !ks.bad[K_TIMEOUT] &&
	    w->timeout_ms == 0)
		parser_error(p, ks.line[K_TIMEOUT], "%s: timeout must be more "
		    "than 0, e.g. 10s", s->label);
	parse_duration_key(p, &ks, K_BACKOFF_INITIAL, &w->backoff_initial_ms);
	parse_duration_key(p, &ks, K_BACKOFF_MAX, &w->backoff_max_ms);
	if (w->backoff_initial_ms == 0 && ks.val[K_BACKOFF_INITIAL] != NULL &&
	    !ks.bad[K_BACKOFF_INITIAL])
		parser_error(p, ks.line[K_BACKOFF_INITIAL], "backoff_initial "
		    "must be more than 0, e.g. 1s");
	else if (w->backoff_initial_ms > w->backoff_max_ms &&
	    (line = pair_line(&ks, K_BACKOFF_INITIAL, K_BACKOFF_MAX)) != 0)
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
parse_broker(struct parser *p, struct config_mqtt *m, const struct keyset *ks)
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

static void
load_mqtt(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_mqtt	*m;
	struct keyset		 ks;
	const char		*v, *end;
	uint64_t		 u;
	size_t			 n;

	keyset_fill(p, s, &ks);
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
		parse_broker(p, m, &ks);
	else if (ks.line[K_BROKER] == 0)
		parser_error(p, s->line, "[mqtt] needs broker = (such as "
		    "mqtt://localhost or mqtts://broker.example:8883)");
	m->broker = xstrdup(ks.val[K_BROKER] != NULL ? ks.val[K_BROKER] : "");
	if (ks.val[K_CA_FILE] != NULL)
		m->ca_file = parse_path(p, &ks, K_CA_FILE);
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
		m->secret = parse_path(p, &ks, K_PASSWORD_FILE);
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
	parse_bool_key(p, &ks, K_HOMEASSISTANT_DISCOVERY, &m->ha_discovery);
	parse_duration_key(p, &ks, K_BACKOFF_INITIAL, &m->backoff_initial_ms);
	parse_duration_key(p, &ks, K_BACKOFF_MAX, &m->backoff_max_ms);
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
			check_account(p, cfg, s, ks.line[K_ACCOUNTS],
			    m->accounts[i]);
		if (n == 0)
			parser_error(p, ks.line[K_ACCOUNTS], "accounts lists "
			    "no account: name some, or remove the line");
	}
}

void
config_mqtt_free(struct config_mqtt *m)
{
	if (m == NULL)
		return;
	free(m->file);
	free(m->broker);
	free(m->host);
	free(m->ca_file);
	free(m->username);
	free(m->secret);
	free(m->client_id);
	free(m->topic_prefix);
	value_list_free(m->accounts, m->naccounts);
	free(m);
}

struct config *
keys_build(struct parser *p)
{
	struct config	*cfg;

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->refs = 1;
	cfg->path = xstrdup(p->file);
	cfg->log_level = -1;
	tuning_defaults(&cfg->defaults);
	cfg->socket_mode = 0600;
	cfg->socket_queue = 256 * 1024;
	cfg->socket_stall_ms = 30 * 1000;
	cfg->max_clients = 64;
	notify_defaults(&cfg->notify);
	TAILQ_INIT(&cfg->accounts);
	cfg->account_names = namemap_new();
	TAILQ_INIT(&cfg->hooks);
	TAILQ_INIT(&cfg->webhooks);

	/* [daemon] first: its values are every account's starting point. */
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_DAEMON)
			load_daemon(p, cfg, p->secs[i]);
	if (cfg->state_dir == NULL)
		cfg->state_dir = config_default_state_dir();
	if (!cfg->socket_set)
		cfg->socket_path = config_default_socket_path();
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_ACCOUNT)
			load_account(p, cfg, p->secs[i]);
	/* After every account, so that a hook may name a later one. */
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_HOOK)
			load_hook(p, cfg, p->secs[i]);
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_NOTIFY)
			load_notify(p, cfg, p->secs[i]);
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_WEBHOOK)
			load_webhook(p, cfg, p->secs[i]);
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_MQTT)
			load_mqtt(p, cfg, p->secs[i]);
	if (TAILQ_EMPTY(&cfg->accounts))
		parser_error(p, 0, "no [account NAME] section: add one");
	return cfg;
}
