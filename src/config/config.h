/* SPDX-License-Identifier: ISC */
/* The configuration file: INI parsed with inih, validated completely. */
#ifndef JP_CONFIG_H
#define JP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct mailmatch;

/* sizeof(sun_path) on Linux. */
#define CONFIG_SOCKET_PATH_MAX	108
/* The most max_clients may be: well within a process's file limit. */
#define CONFIG_MAX_CLIENTS	10000

enum config_transport {
	TRANSPORT_AUTO,
	TRANSPORT_WEBSOCKET,
	TRANSPORT_EVENTSOURCE,
};

enum config_secret {
	SECRET_NONE,
	SECRET_PASSWORD_COMMAND,
	SECRET_PASSWORD_FILE,
	SECRET_TOKEN_COMMAND,	/* Bearer */
	SECRET_TOKEN_FILE,	/* Bearer */
};

/* Connection tuning: may stand in [daemon] as the default for every account. */
struct config_tuning {
	enum config_transport transport;
	uint64_t ping_interval_ms;	/* default 30s; 0 disables */
	uint64_t ping_timeout_ms;	/* default 10s */
	uint64_t backoff_initial_ms;	/* default 1s */
	uint64_t backoff_max_ms;	/* default 5m */
	uint64_t backoff_reset_ms;	/* default 60s */
	bool sync_on_start;		/* default no */
	uint64_t resync_interval_ms;	/* default 15m; 0 disables */
	size_t max_frame;		/* bytes, default 1 MiB (512k, 1M) */
	char **types;			/* NULL: all the Session offers */
	size_t ntypes;
};

struct config;
struct namemap;

struct config_account {
	/* The config holding this section (no reference). */
	struct config *config;
	char *name;		/* the word after "account" */
	char *file;
	int line;		/* line of the section header */
	char *url;		/* as written: host, .well-known, Session URL */
	char *username;		/* NULL when absent */
	enum config_secret secret_kind;
	char *secret;		/* the command or the file path */
	char *ca_file;		/* NULL when absent */
	bool insecure;
	struct config_tuning tuning;
	TAILQ_ENTRY(config_account) entry;
};
TAILQ_HEAD(config_accounts, config_account);

struct config_hook {
	char *name;
	char *file;
	int line;
	char *account;		/* NULL: every account */
	char **types;		/* NULL: any change */
	size_t ntypes;
	char *command;		/* run with /bin/sh -c; NULL when argv is set */
	/* exec = split into words, NULL-terminated; NULL when command is
	 * set */
	char **argv;
	uint64_t debounce_ms;	/* default 1s */
	uint64_t max_delay_ms;	/* default 30s */
	uint64_t timeout_ms;	/* default 10m; 0: none */
	bool on_start;		/* default no */
	/* Mail-aware (mailboxes = or events = given): Email, Mailbox,
	 * EmailDelivery and Thread changes run it only through mail events
	 * (hook_mail); other types only when listed in types. */
	bool mail_aware;
	struct mailmatch *mailboxes;	/* NULL: every mailbox */
	unsigned events;	/* enum mailmatch_event bits; default all */
	bool per_mailbox;	/* default no: one run per mailbox */
	TAILQ_ENTRY(config_hook) entry;
};
TAILQ_HEAD(config_hooks, config_hook);

/* Where the D-Bus service goes; AUTO is decided at start (dbus.h). */
enum config_dbus {
	CONFIG_DBUS_AUTO,
	CONFIG_DBUS_SESSION,
	CONFIG_DBUS_SYSTEM,
	CONFIG_DBUS_NONE,
};

enum config_urgency {
	URGENCY_LOW,
	URGENCY_NORMAL,
	URGENCY_CRITICAL,
};

/* [notify]: desktop notifications of new mail. */
/* The actions a notification of one email offers ([notify] actions =). */
enum config_notify_action {
	NOTIFY_ACTION_OPEN,		/* open_command, as a click does */
	NOTIFY_ACTION_MARK_READ,	/* keywords/$seen */
	NOTIFY_ACTION_ARCHIVE,		/* to the archive role mailbox */
	NOTIFY_ACTION_TRASH,		/* to the trash role mailbox */
	NOTIFY_ACTION_COUNT
};

struct config_notify {
	bool enabled;		/* default: yes with a [notify] section */
	char **accounts;	/* NULL: every account */
	size_t naccounts;
	char **mailboxes;	/* names or roles; default { "inbox" } */
	size_t nmailboxes;
	unsigned max_per_burst;	/* default 3 */
	enum config_urgency urgency;	/* default normal */
	int32_t timeout_ms;	/* -1 (default): the server's; 0: never */
	char *open_command;	/* run by /bin/sh -c on a click; or */
	char **open_argv;	/* open_exec, run as it is; NULL-ended */
	/* In the order given, each once; default open (with open_command
	 * or open_exec), mark-read. */
	enum config_notify_action actions[NOTIFY_ACTION_COUNT];
	size_t nactions;
};

/* [webhook NAME]: events POSTed, signed, to an HTTP(S) receiver. */
#define CONFIG_WEBHOOK_EV_STATE		0x1
#define CONFIG_WEBHOOK_EV_CONNECTION	0x2
#define CONFIG_WEBHOOK_EV_MAILBOX	0x4
#define CONFIG_WEBHOOK_EV_MAIL		0x8
#define CONFIG_WEBHOOK_EV_ALL		0xf

enum config_webhook_secret {
	WEBHOOK_SECRET_FILE,
	WEBHOOK_SECRET_COMMAND,
};

struct config_webhook {
	char *name;
	char *file;
	int line;
	char *url;		/* http:// or https:// */
	char **accounts;	/* NULL: every account */
	size_t naccounts;
	char **types;		/* NULL: every type */
	size_t ntypes;
	unsigned events;	/* CONFIG_WEBHOOK_EV_*; default all */
	enum config_webhook_secret secret_kind;
	char *secret;		/* the file path or the command */
	/* From headers_file, read at load: names ("x-foo:", lowercase) and
	 * values alternating, NULL-terminated; wiped when freed, never
	 * logged.  NULL: none. */
	char **headers;
	char *headers_file;	/* NULL when absent */
	char *ca_file;		/* NULL: the system store (or [daemon]'s) */
	bool insecure;
	uint64_t timeout_ms;	/* default 10s */
	uint64_t backoff_initial_ms;	/* default [daemon]'s */
	uint64_t backoff_max_ms;
	size_t queue;		/* events held at most, default 10000 */
	TAILQ_ENTRY(config_webhook) entry;
};
TAILQ_HEAD(config_webhooks, config_webhook);

/* [mqtt]: events to an MQTT broker. */
struct config_mqtt {
	char *file;
	int line;		/* of the section header */
	char *broker;		/* as written, for messages */
	char *host;		/* without brackets: "::1" */
	unsigned port;		/* default 1883, 8883 with mqtts */
	bool tls;		/* mqtts:// */
	char *ca_file;		/* NULL: the system store */
	char *username;		/* NULL when absent */
	enum config_secret secret_kind;	/* NONE or PASSWORD_* */
	char *secret;		/* the command or the file path */
	char *client_id;	/* NULL: the default, made at start */
	char *topic_prefix;	/* default "jmap-pushd" */
	int qos;		/* 0..2, default 1 */
	uint64_t keepalive_ms;	/* default 60s, whole seconds, 5s..18h */
	size_t queue;		/* events waiting, default 10000 */
	bool ha_discovery;	/* homeassistant_discovery, default no */
	uint64_t backoff_initial_ms;	/* default: [daemon]'s */
	uint64_t backoff_max_ms;
	char **accounts;	/* NULL: every account */
	size_t naccounts;
};

struct config {
	unsigned refs;		/* config_ref(); freed when the last one goes */
	char *path;
	char *state_dir;	/* resolved default when not set */
	int log_level;		/* syslog priority; -1 when not in the file */
	struct config_tuning defaults;
	bool socket_set;	/* socket = was given */
	/* Resolved default when not set; NULL: socket = none, or no
	 * default */
	char *socket_path;
	unsigned socket_mode;	/* default 0600, 0660 with socket_group */
	char *socket_group;	/* NULL: the daemon's group */
	size_t socket_queue;	/* per-client output bound, default 256 KiB */
	uint64_t socket_stall_ms;	/* a client reading none of its output
					 * this long is dropped, default 30 s */
	unsigned max_clients;	/* control socket clients at once, default 64 */
	enum config_dbus dbus;	/* default auto */
	struct config_notify notify;
	struct config_accounts accounts;
	struct namemap *account_names;	/* name -> config_account */
	struct config_hooks hooks;
	struct config_webhooks webhooks;
	struct config_mqtt *mqtt;	/* NULL: no [mqtt] section */
};

/* Errors are collected, never printed by the parser, each formatted as
 * "FILE:LINE: message" (LINE 0 for file-level errors such as an unreadable
 * file or a config with no account). */
struct config_errors {
	char **msgs;
	size_t n;
};

/* The default config path: $XDG_CONFIG_HOME/jmap-pushd/config (else
 * ~/.config/jmap-pushd/config) for a normal user, SYSCONFDIR
 * "/jmap-pushd/jmap-pushd.conf" for root.  Caller frees. */
char *config_default_path(void);
/* The default state directory: $STATE_DIRECTORY, else
 * $XDG_STATE_HOME/jmap-pushd, else ~/.local/state/jmap-pushd.  Caller frees. */
char *config_default_state_dir(void);

/* The default socket: /run/jmap-pushd/socket for the system service (run as
 * root, or with a $RUNTIME_DIRECTORY under /run/ but not /run/user/), else
 * $XDG_RUNTIME_DIR/jmap-pushd.sock; NULL when there is no runtime directory.
 * Caller frees. */
char *config_default_socket_path(void);

/* NULL when errs->n > 0 after parsing; errs is filled either way.  The
 * caller holds the one reference. */
struct config *config_load(const char *path, struct config_errors *errs);
/* Same, from memory; name is used in error messages as FILE. */
struct config *config_load_string(const char *text, const char *name,
    struct config_errors *errs);
/* One more reference: whoever keeps a pointer into a config (a section, a
 * string) past a reload holds one.  Returns cfg. */
struct config *config_ref(struct config *);
/* Drops a reference; the last one frees the config.  NULL is ignored. */
void config_unref(struct config *);
/* Frees a config its caller alone holds (fatal when another reference is
 * left): for a config that is loaded, read and thrown away. */
void config_free(struct config *);
void config_errors_clear(struct config_errors *);

/* Frees an [mqtt] section; NULL is fine. */

const struct config_account *config_find_account(const struct config *,
    const char *name);
/* true when two accounts would connect the same way (reload keeps those). */
bool config_account_equal(const struct config_account *,
    const struct config_account *);

#endif
