/* SPDX-License-Identifier: ISC */
/*
 * What a hook run gets: which changes pass a hook's filters
 * (hookenv_matches), its environment, its stdin, and the program exec =
 * names.  Pure but for hookenv_find_program's PATH search; hook.c runs
 * what this builds.
 */
#ifndef JP_HOOKENV_H
#define JP_HOOKENV_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "output/outputs.h"

struct mailresult;

/* A changed type and its state, borrowed from the event. */
struct hookenv_type {
	const char *type;
	const char *state;
};

/* The changed types of ev that pass h's filter, sorted by name, strings
 * borrowed from ev; *np of them.  The caller frees the array (NULL when ev
 * has no changes). */
struct hookenv_type *hookenv_types(const struct config_hook *h,
    const struct push_event *ev, size_t *np);
/* Whether ev is for hook h (the filters of hook_dispatch). */
bool hookenv_matches(const struct config_hook *h, const struct push_event *ev);
/* environ (base, NULL-terminated) minus any inherited JMAP_* variables, plus
 * JMAP_ACCOUNT, JMAP_ACCOUNT_ID (unless ev->account_id is NULL or longer
 * than 4096 bytes), JMAP_TYPES (space separated, sorted, only types passing
 * the hook's filter whose name is 1-128 of [A-Za-z0-9_] and whose state is
 * at most 4096 bytes; others are logged at debug), JMAP_STATE_<Type> for
 * exactly those types, JMAP_PUSH_STATE (only when known and at most 4096
 * bytes), JMAP_REASON, JMAP_HOOK, in that order after the inherited ones.
 * Values are as the server sent them (newlines included).  Caller frees
 * with strv_free. */
char **hookenv_build(const struct config_hook *, const struct push_event *,
    char *const *base);
/* {"@type":"StateChange","changed":{ACCOUNT_ID:{TYPE:STATE,...}},
 * "pushState":P} with every string-valued type passing the hook's filter
 * (also those JMAP_TYPES leaves out), pushState omitted when unknown,
 * types sorted, plain JSON without escaped slashes.  malloc'd. */
char *hookenv_stdin(const struct config_hook *, const struct push_event *);

/* env plus the mail variables of r (mailresult_env), each that fits the
 * environment (at most 64 KiB; a longer one is logged for hook name and
 * left to stdin); env is taken, the result the caller's (strv_free). */
char **hookenv_mail(const char *name, char **env, const struct mailresult *r);
/* hookenv_stdin's StateChange with "mail" (mailresult_json), within 1 MiB;
 * malloc'd. */
char *hookenv_mail_stdin(const struct config_hook *, const struct push_event *,
    const struct mailresult *r);
/* exec = runs without a shell, so PATH is searched here (execve does not):
 * the full path of prog (itself when it has a '/'), malloc'd, or NULL
 * when no executable file of that name is in PATH. */
char *hookenv_find_program(const char *prog);

#endif
