#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/config.h"
#include "output/hook.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/xmalloc.h"

extern char **environ;

struct hooks {
	struct config_hook *v;
	size_t n;
};

struct hook_type {
	const char *type;
	const char *state;
};

static char **
hook_strv_copy(char *const *v, size_t n)
{
	char **r;

	if (v == NULL)
		return NULL;
	r = xcalloc(n + 1, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void
hooks_clear(struct hooks *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		struct config_hook *h = &hs->v[i];

		free(h->name);
		free(h->file);
		free(h->account);
		for (size_t j = 0; j < h->ntypes; j++)
			free(h->types[j]);
		free(h->types);
		free(h->command);
	}
	free(hs->v);
	hs->v = NULL;
	hs->n = 0;
}

void
hooks_set_config(struct hooks *hs, const struct config *cfg)
{
	const struct config_hook *src;
	size_t n = 0;

	hooks_clear(hs);
	TAILQ_FOREACH(src, &cfg->hooks, entry)
		n++;
	hs->v = xcalloc(n, sizeof(*hs->v));
	TAILQ_FOREACH(src, &cfg->hooks, entry) {
		struct config_hook *h = &hs->v[hs->n++];

		h->name = xstrdup(src->name);
		h->file = src->file != NULL ? xstrdup(src->file) : NULL;
		h->line = src->line;
		h->account = src->account != NULL ? xstrdup(src->account) : NULL;
		h->types = hook_strv_copy(src->types, src->ntypes);
		h->ntypes = src->types != NULL ? src->ntypes : 0;
		h->command = xstrdup(src->command);
	}
}

struct hooks *
hooks_new(const struct config *cfg)
{
	struct hooks *hs = xcalloc(1, sizeof(*hs));

	hooks_set_config(hs, cfg);
	return hs;
}

void
hooks_free(struct hooks *hs)
{
	if (hs == NULL)
		return;
	hooks_clear(hs);
	free(hs);
}

/* Type names become parts of variable names: keep them boring. */
static bool
hook_type_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool
hook_wants_type(const struct config_hook *h, const char *type)
{
	if (h->types == NULL || h->ntypes == 0)
		return true;
	for (size_t i = 0; i < h->ntypes; i++)
		if (strcmp(h->types[i], type) == 0)
			return true;
	return false;
}

static int
hook_type_cmp(const void *a, const void *b)
{
	const struct hook_type *x = a, *y = b;

	return strcmp(x->type, y->type);
}

/* The changed types that pass h's filter, sorted; strings borrowed from ev. */
static struct hook_type *
hook_select_types(const struct config_hook *h, const struct push_event *ev,
    size_t *np)
{
	struct hook_type *v;
	size_t n = 0;

	*np = 0;
	if (ev->changed == NULL ||
	    !json_object_is_type(ev->changed, json_type_object))
		return NULL;
	v = xcalloc((size_t)json_object_object_length(ev->changed) + 1,
	    sizeof(*v));
	json_object_object_foreach(ev->changed, type, val) {
		if (!hook_type_name_ok(type)) {
			log_debug("hook %s: account %s: ignoring changed type "
			    "with unusable name", h->name, ev->account);
			continue;
		}
		if (!json_object_is_type(val, json_type_string)) {
			log_debug("hook %s: account %s: ignoring type %s whose "
			    "state is not a string", h->name, ev->account, type);
			continue;
		}
		if (!hook_wants_type(h, type))
			continue;
		v[n].type = type;
		v[n].state = json_object_get_string(val);
		n++;
	}
	qsort(v, n, sizeof(*v), hook_type_cmp);
	*np = n;
	return v;
}

bool
hook_matches(const struct config_hook *h, const struct push_event *ev)
{
	struct hook_type *types;
	size_t n;

	if (h->account != NULL && strcmp(h->account, ev->account) != 0)
		return false;
	if (h->types == NULL || h->ntypes == 0)
		return true;
	types = hook_select_types(h, ev, &n);
	free(types);
	return n > 0;
}

char **
hook_build_env(const struct config_hook *h, const struct push_event *ev,
    char *const *base)
{
	struct hook_type *types;
	size_t ntypes, nbase = proc_strv_len(base), n = 0, tlen = 1;
	char **env, *joined;

	types = hook_select_types(h, ev, &ntypes);
	/* base, 6 fixed variables, one per type, NULL */
	env = xcalloc(nbase + 6 + ntypes + 1, sizeof(*env));
	for (size_t i = 0; i < nbase; i++)
		if (strncmp(base[i], "JMAP_", 5) != 0)
			env[n++] = xstrdup(base[i]);
	xasprintf(&env[n++], "JMAP_ACCOUNT=%s", ev->account);
	xasprintf(&env[n++], "JMAP_ACCOUNT_ID=%s", ev->account_id);
	for (size_t i = 0; i < ntypes; i++)
		tlen += strlen(types[i].type) + 1;
	joined = xcalloc(1, tlen);
	for (size_t i = 0; i < ntypes; i++) {
		if (i > 0)
			strcat(joined, " ");
		strcat(joined, types[i].type);
	}
	xasprintf(&env[n++], "JMAP_TYPES=%s", joined);
	free(joined);
	for (size_t i = 0; i < ntypes; i++)
		xasprintf(&env[n++], "JMAP_STATE_%s=%s", types[i].type,
		    types[i].state);
	if (ev->push_state != NULL)
		xasprintf(&env[n++], "JMAP_PUSH_STATE=%s", ev->push_state);
	xasprintf(&env[n++], "JMAP_REASON=%s", ev->reason);
	xasprintf(&env[n++], "JMAP_HOOK=%s", h->name);
	env[n] = NULL;
	free(types);
	return env;
}

char *
hook_build_stdin(const struct config_hook *h, const struct push_event *ev)
{
	struct json_object *root, *changed, *acct;
	struct hook_type *types;
	size_t ntypes;
	char *s;

	types = hook_select_types(h, ev, &ntypes);
	root = json_object_new_object();
	changed = json_object_new_object();
	acct = json_object_new_object();
	/* json-c keeps insertion order, so the output is sorted too. */
	for (size_t i = 0; i < ntypes; i++)
		json_object_object_add(acct, types[i].type,
		    json_object_new_string(types[i].state));
	json_object_object_add(changed, ev->account_id, acct);
	json_object_object_add(root, "@type",
	    json_object_new_string("StateChange"));
	json_object_object_add(root, "changed", changed);
	if (ev->push_state != NULL)
		json_object_object_add(root, "pushState",
		    json_object_new_string(ev->push_state));
	s = xstrdup(json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	free(types);
	return s;
}

static void
hook_run(const struct config_hook *h, const struct push_event *ev)
{
	char *argv[] = { "/bin/sh", "-c", h->command, NULL };
	struct proc_spec spec = { 0 };
	char *name, *in;
	char **env;

	xasprintf(&name, "hook %s", h->name);
	env = hook_build_env(h, ev, environ);
	in = hook_build_stdin(h, ev);
	spec.name = name;
	spec.argv = argv;
	spec.envp = env;
	spec.stdin_data = in;
	spec.stdin_len = strlen(in);
	log_debug("%s: running for account %s (%s)", name, ev->account,
	    ev->reason);
	/* A failure to start is logged by proc_spawn. */
	proc_spawn(&spec);
	free(name);
	free(in);
	proc_strv_free(env);
}

void
hooks_dispatch(struct hooks *hs, const struct push_event *ev)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hook_matches(&hs->v[i], ev))
			hook_run(&hs->v[i], ev);
}
