/* SPDX-License-Identifier: ISC */
/* A state file's text checked and taken apart (store.c reads and writes
 * the file).  No I/O. */
#ifndef JP_STOREPARSE_H
#define JP_STOREPARSE_H

#include <stddef.h>

struct json_object;

/* The format's version, written in every file and required when read. */
#define STOREPARSE_VERSION	1

/* What a state file holds; each member NULL (0) when the file has none. */
struct storeparse {
	char			*push_state;
	char			*event_id;
	struct json_object	*states;	/* {ACCOUNT_ID: {TYPE: STATE}} */
	size_t			 nstates;	/* (account, type) pairs in it */
	struct json_object	*pending;	/* {HOOK: {ACCOUNT_ID: run}} */
	struct json_object	*mail;		/* {ACCOUNT_ID: {...}} */
	struct json_object	*notify;	/* [...] */
};

/* Parses buf (len bytes, not NUL-terminated) into out, which the caller
 * then owns (storeparse_clear).  NULL on success; otherwise why the text
 * is unusable (a constant, or why filled), and out is empty. */
const char *storeparse_doc(const char *buf, size_t len, char *why,
    size_t whylen, struct storeparse *out);
/* Frees what out holds and empties it. */
void storeparse_clear(struct storeparse *out);

#endif
