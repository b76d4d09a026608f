/* SPDX-License-Identifier: ISC */
/*
 * Between the reader (config.c), which turns the file into sections of raw
 * keys with their lines, and the interpreter (keys.c), which turns those into
 * a struct config; private to src/config/.
 */
#ifndef JP_CONFIG_INT_H
#define JP_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

enum section_kind {
	SEC_DAEMON,
	SEC_ACCOUNT,
	SEC_HOOK,
	SEC_NOTIFY,
	SEC_WEBHOOK,
	SEC_MQTT,
};

struct raw_key {
	char	*name;
	char	*value;
	int	 line;
};

struct section {
	enum section_kind	 kind;
	/* NULL for [daemon], [notify], [mqtt] */
	char			*name;
	/* "[account NAME]" for messages */
	char			*label;
	int			 line;
	struct raw_key		*keys;
	size_t			 nkeys;
};

struct error {
	int	 line;
	size_t	 seq;
	char	*msg;
};

enum line_kind {
	LINE_OTHER,
	LINE_KEY,
	LINE_CONTINUATION,
};

struct parser {
	const char		*file;
	const char		*text;
	size_t			 len;
	size_t			 pos;
	int			 lineno;
	enum line_kind		 kind;		/* of the line inih works on */
	bool			 prev_key;	/* inih's prev_name is set */
	struct section		**secs;
	size_t			 nsecs;
	struct namemap		*labels;	/* "[account a]" -> section */
	struct section		*cur;		/* NULL: keys are dropped */
	bool			 outside;	/* no header seen yet */
	struct section		*last_sec;	/* where continuations go */
	size_t			 last_key;
	char			*daemon_ca_file;
	struct error		*errs;
	size_t			 nerrs;
};

/* Records "FILE:LINE: message"; the messages are sorted by line at the end. */
void parser_error(struct parser *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The keys every section may hold, by id (the names are keys.c's). */
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

/* The keys of one section, by id, after duplicates were weeded out. */
struct keyset {
	const char	*val[K_COUNT];	/* NULL when absent or empty */
	int		 line[K_COUNT];	/* 0 when absent */
	bool		 bad[K_COUNT];	/* value was rejected */
};

/* Sorts a section's keys by id into ks, reporting unknown and repeated
 * ones. */
void keys_fill(struct parser *, const struct section *, struct keyset *ks);
/* Parses the key id, when present, as a duration or a yes/no into *out;
 * a bad value is reported at its line and marked bad. */
void keys_duration(struct parser *, struct keyset *ks, enum key_id id,
    uint64_t *out);
void keys_bool(struct parser *, struct keyset *ks, enum key_id id,
    bool *out);
/* The later of two keys' lines when this section set either and none of the
 * two was rejected; 0 when the problem is inherited (reported at [daemon]). */
int keys_pair_line(const struct keyset *ks, enum key_id a, enum key_id b);
/* A types = list (TypeName, ...) into *out and *nout; -1 when it was
 * reported bad. */
int keys_types(struct parser *, int line, const char *value, char ***out,
    size_t *nout);
/* The key id as an absolute path ("~/" means $HOME), allocated, or NULL
 * (absent, or bad and reported). */
char *keys_path(struct parser *, const struct keyset *ks, enum key_id id);
/* Reports at line when s names an account (name) cfg has no
 * [account NAME] for. */
void keys_check_account(struct parser *, const struct config *cfg,
    const struct section *s, int line, const char *name);

/* The section loaders of keysout.c and keysremote.c: each reports its
 * errors to the parser and adds what it read to cfg. */
void keysout_hook(struct parser *, struct config *cfg,
    const struct section *);
void keysout_notify_defaults(struct config_notify *);
void keysout_notify(struct parser *, struct config *cfg,
    const struct section *);
void keysremote_webhook(struct parser *, struct config *cfg,
    const struct section *);
void keysremote_mqtt(struct parser *, struct config *cfg,
    const struct section *);

/* Interprets every section read; the errors go to the parser. */
struct config *keys_build(struct parser *);

#endif
