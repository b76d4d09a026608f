/* SPDX-License-Identifier: ISC */
/* The control socket's commands (status, subscribe, reconnect, reload,
 * mute, unmute, test-notify):
 * a client's line is parsed into a struct sockcmd, carried out through the
 * daemon's callbacks and answered with one line on the same client.
 * Parsing does no I/O. */
#ifndef JP_SOCKCMD_H
#define JP_SOCKCMD_H

#include <stddef.h>
#include <stdint.h>

struct mailmatch;
struct outputs_callbacks;
struct sockclient;

enum sockcmd_kind {
	SOCKCMD_STATUS,
	SOCKCMD_SUBSCRIBE,
	SOCKCMD_RECONNECT,
	SOCKCMD_RELOAD,
	SOCKCMD_MUTE,
	SOCKCMD_UNMUTE,
	SOCKCMD_TEST_NOTIFY,
};

struct sockcmd {
	enum sockcmd_kind kind;
	char *cmd;		/* the "cmd" as sent, for replies */
	char **accounts;	/* subscribe: NULL means every account */
	size_t naccounts;
	char **types;		/* subscribe: NULL means every type */
	size_t ntypes;
	unsigned events;	/* subscribe: SOCKPROTO_EV_* */
	struct mailmatch *mailboxes; /* subscribe, status: NULL means every
				 * mailbox */
	char *account;		/* reconnect: NULL means every account;
				 * test-notify: NULL for none in particular */
	uint64_t seconds;	/* mute: 0 means until unmuted */
};

/* 0 and c filled, or -1 with a malloc'd error line in *reply (which echoes
 * the "cmd" when there was a string one).  line need not be NUL-terminated. */
int sockcmd_parse(const char *line, size_t len, struct sockcmd *c,
    char **reply);
void sockcmd_clear(struct sockcmd *);

/* line as sockclient_line_fn gives it: NULL for one that was too long.
 * cb and c are borrowed. */
void sockcmd_run(const struct outputs_callbacks *cb, struct sockclient *c,
    const char *line, size_t len);

#endif
