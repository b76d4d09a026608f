/* Hooks: shell commands run for each StateChange. */
#ifndef JP_HOOK_H
#define JP_HOOK_H

#include "config/config.h"
#include "output/outputs.h"

struct json_object;


struct hooks;

/* Copies what it needs from cfg: cfg may be freed after. */
struct hooks *hooks_new(const struct config *cfg);
/* On reload; running hooks continue. */
void hooks_set_config(struct hooks *, const struct config *cfg);
/* Does not kill running procs; the daemon uses proc_terminate_all. */
void hooks_free(struct hooks *);
/* Runs every matching hook: account filter (hook account NULL or ==
 * ev->account) and types filter (at least one changed type in the hook's
 * types, or hook has no types).  Each run: /bin/sh -c COMMAND via
 * proc_spawn, name "hook NAME". */
void hooks_dispatch(struct hooks *, const struct push_event *ev);

/* Whether ev is for hook h (the filters of hooks_dispatch). */
bool hook_matches(const struct config_hook *h, const struct push_event *ev);
/* environ (base, NULL-terminated) minus any inherited JMAP_* variables, plus
 * JMAP_ACCOUNT, JMAP_ACCOUNT_ID, JMAP_TYPES (space separated, sorted, only
 * types passing the hook's filter), JMAP_STATE_<Type> for exactly those
 * types, JMAP_PUSH_STATE (only when known), JMAP_REASON, JMAP_HOOK, in that
 * order after the inherited ones.  Caller frees with proc_strv_free. */
char **hook_build_env(const struct config_hook *, const struct push_event *,
    char *const *base);
/* {"@type":"StateChange","changed":{ACCOUNT_ID:{TYPE:STATE,...}},
 * "pushState":P} filtered like JMAP_TYPES, pushState omitted when unknown,
 * types sorted, plain JSON without escaped slashes.  malloc'd. */
char *hook_build_stdin(const struct config_hook *, const struct push_event *);

#endif
