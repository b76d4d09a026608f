/* SPDX-License-Identifier: ISC */
/* jmap-pushctl's connection to the daemon's control socket (blocking). */
#ifndef JP_CTLCONN_H
#define JP_CTLCONN_H

#include <stdio.h>

struct json_object;

/* o's member key as a string (a non-string as its JSON text), or NULL;
 * borrowed from o.  ctl_str_or: dflt when absent. */
const char *ctl_str(struct json_object *o, const char *key);
const char *ctl_str_or(struct json_object *o, const char *key,
    const char *dflt);

/* The socket's path: opt (-s), else the config's socket =, else the
 * default place, else the system service's.  Exits when the config says
 * socket = none.  Caller frees. */
char *ctl_find_socket(const char *opt, const char *config_path);
/* Connects to path; exits with a message saying what to do on failure. */
FILE *ctl_connect(const char *path);
/* As ctl_connect, but NULL and that message in *why (the caller's) on
 * failure. */
FILE *ctl_try_connect(const char *path, char **why);

/* Sends o as one line, and drops the caller's reference to it; exits when
 * the daemon is gone (with its refusal, when it sent one). */
void ctl_send(FILE *f, struct json_object *o);
/* As ctl_send, but -1 (errno set) when the daemon is gone. */
int ctl_try_send(FILE *f, struct json_object *o);
/* The next line that is a JSON object (others are skipped), parsed with
 * its length; NULL at EOF.  *raw is the line itself, valid until the next
 * call; the object is the caller's. */
struct json_object *ctl_read(FILE *f, char **raw);
/* Sends cmd (taken) and returns its reply (the caller's), skipping events;
 * exits on an error reply or a lost connection. */
struct json_object *ctl_command(FILE *f, struct json_object *cmd,
    char **raw);
/* {"cmd": name}, the caller's. */
struct json_object *ctl_cmd_new(const char *name);

/*
 * What one mode makes of a status reply: start runs once the reply is known
 * to list accounts (may be NULL), account once for each of them, in the
 * daemon's order.  The account object is borrowed for the call.
 */
struct ctl_status_cbs {
	void	(*start)(void *arg);
	void	(*account)(struct json_object *acct, void *arg);
};

/*
 * Asks the daemon for its status and walks the accounts of the reply: the
 * one walk behind status, watch and watch --waybar.  0, or -1 when the
 * reply lists no accounts (nothing was called; *raw is the reply line,
 * valid until the next read).
 */
int ctl_status_walk(FILE *f, const struct ctl_status_cbs *cbs, void *arg,
    char **raw);
/* The same walk over a status reply r already read (borrowed). */
int ctl_status_walk_reply(struct json_object *r,
    const struct ctl_status_cbs *cbs, void *arg);

#endif
