/* SPDX-License-Identifier: ISC */
/*
 * What the keys mean: which section takes which key, the defaults, and the
 * checks of every value, each reported at its line.  config.c has read the
 * file into sections of raw keys; this turns them into a struct config:
 * [daemon] and [account NAME] here, [hook NAME] and [notify] in keysout.c,
 * [webhook NAME] and [mqtt] in keysremote.c, with the helpers below.
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


/* Sorts a section's keys by id, reporting unknown and repeated ones. */
void
keys_fill(struct parser *p, const struct section *s, struct keyset *ks)
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

void
keys_duration(struct parser *p, struct keyset *ks, enum key_id id,
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

void
keys_bool(struct parser *p, struct keyset *ks, enum key_id id, bool *out)
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
int
keys_pair_line(const struct keyset *ks, enum key_id a, enum key_id b)
{
	if (ks->bad[a] || ks->bad[b])
		return 0;
	return ks->line[a] > ks->line[b] ? ks->line[a] : ks->line[b];
}

int
keys_types(struct parser *p, int line, const char *value, char ***out,
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
	keys_duration(p, ks, K_PING_INTERVAL, &t->ping_interval_ms);
	keys_duration(p, ks, K_PING_TIMEOUT, &t->ping_timeout_ms);
	keys_duration(p, ks, K_BACKOFF_INITIAL, &t->backoff_initial_ms);
	keys_duration(p, ks, K_BACKOFF_MAX, &t->backoff_max_ms);
	keys_duration(p, ks, K_BACKOFF_RESET, &t->backoff_reset_ms);
	keys_bool(p, ks, K_SYNC_ON_START, &t->sync_on_start);
	keys_duration(p, ks, K_RESYNC_INTERVAL, &t->resync_interval_ms);
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

		if (keys_types(p, ks->line[K_TYPES], v, &types, &n) == 0) {
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
	    (line = keys_pair_line(ks, K_BACKOFF_INITIAL, K_BACKOFF_MAX)) != 0) {
		value_format_ms(t->backoff_initial_ms, a, sizeof(a));
		value_format_ms(t->backoff_max_ms, b, sizeof(b));
		parser_error(p, line, "backoff_initial (%s) is more than "
		    "backoff_max (%s): lower backoff_initial or raise "
		    "backoff_max", a, b);
	}
	if (t->ping_interval_ms > 0 && t->ping_timeout_ms == 0 &&
	    (line = keys_pair_line(ks, K_PING_INTERVAL, K_PING_TIMEOUT)) != 0) {
		value_format_ms(t->ping_interval_ms, a, sizeof(a));
		parser_error(p, line, "ping_timeout is 0 while ping_interval "
		    "is %s: set ping_timeout (e.g. 10s), or ping_interval = 0 "
		    "to turn pings off", a);
	}
}

/* "~/" means $HOME; the result must be absolute, as the daemon's working
 * directory is no place to look for files. */
char *
keys_path(struct parser *p, const struct keyset *ks, enum key_id id)
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
		    (cfg->socket_path = keys_path(p, ks, K_SOCKET)) != NULL &&
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

	keys_fill(p, s, &ks);
	if (ks.val[K_STATE_DIR] != NULL &&
	    (path = keys_path(p, &ks, K_STATE_DIR)) != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = path;
	}
	if ((v = ks.val[K_LOG_LEVEL]) != NULL &&
	    (cfg->log_level = log_level_parse(v)) == -1)
		parser_error(p, ks.line[K_LOG_LEVEL], "invalid log_level '%s': "
		    "use error, warning, info or debug", v);
	if (ks.val[K_CA_FILE] != NULL)
		p->daemon_ca_file = keys_path(p, &ks, K_CA_FILE);
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

	keys_fill(p, s, &ks);
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
			a->secret = keys_path(p, &ks, first);
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
		a->ca_file = keys_path(p, &ks, K_CA_FILE);
	else if (p->daemon_ca_file != NULL)
		a->ca_file = xstrdup(p->daemon_ca_file);
	keys_bool(p, &ks, K_INSECURE, &a->insecure);
	parse_tuning(p, &ks, &a->tuning);
}

/* Hooks and [notify] may only name accounts that exist. */
void
keys_check_account(struct parser *p, const struct config *cfg,
    const struct section *s, int line, const char *name)
{
	if (config_find_account(cfg, name) == NULL)
		parser_error(p, line, "%s names account '%s' but there is no "
		    "[account %s]: fix the name or add the account", s->label,
		    name, name);
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
	keysout_notify_defaults(&cfg->notify);
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
			keysout_hook(p, cfg, p->secs[i]);
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_NOTIFY)
			keysout_notify(p, cfg, p->secs[i]);
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_WEBHOOK)
			keysremote_webhook(p, cfg, p->secs[i]);
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_MQTT)
			keysremote_mqtt(p, cfg, p->secs[i]);
	if (TAILQ_EMPTY(&cfg->accounts))
		parser_error(p, 0, "no [account NAME] section: add one");
	return cfg;
}

