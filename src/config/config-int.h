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

/* Interprets every section read; the errors go to the parser. */
struct config *keys_build(struct parser *);

#endif
