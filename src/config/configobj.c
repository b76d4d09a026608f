/* SPDX-License-Identifier: ISC */
/*
 * A struct config once read (config.c, keys.c): its lifetime (shared by
 * reference), finding and comparing accounts, and the default paths.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/values.h"
#include "config/mailmatch.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/strv.h"
#include "util/xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static void
account_free(struct config_account *a)
{
	free(a->name);
	free(a->file);
	free(a->url);
	free(a->username);
	free(a->secret);
	free(a->ca_file);
	value_list_free(a->tuning.types, a->tuning.ntypes);
	free(a);
}

static void
config_hook_clear(struct config_hook *h)
{
	free(h->name);
	free(h->file);
	free(h->account);
	value_list_free(h->types, h->ntypes);
	free(h->command);
	strv_free(h->argv);
	mailmatch_free(h->mailboxes);
	memset(h, 0, sizeof(*h));
}

static void
config_webhook_free(struct config_webhook *w)
{
	free(w->name);
	free(w->file);
	free(w->url);
	value_list_free(w->accounts, w->naccounts);
	value_list_free(w->types, w->ntypes);
	free(w->secret);
	for (size_t i = 0; w->headers != NULL && w->headers[i] != NULL; i++)
		explicit_bzero(w->headers[i], strlen(w->headers[i]));
	strv_free(w->headers);
	free(w->headers_file);
	free(w->ca_file);
	free(w);
}

static void
config_mqtt_free(struct config_mqtt *m)
{
	if (m == NULL)
		return;
	free(m->file);
	free(m->broker);
	free(m->host);
	free(m->ca_file);
	free(m->username);
	free(m->secret);
	free(m->client_id);
	free(m->topic_prefix);
	value_list_free(m->accounts, m->naccounts);
	free(m);
}


static void
config_destroy(struct config *cfg)
{
	struct config_account	*a;
	struct config_hook	*h;
	struct config_webhook	*w;

	namemap_free(cfg->account_names);
	while ((a = TAILQ_FIRST(&cfg->accounts)) != NULL) {
		TAILQ_REMOVE(&cfg->accounts, a, entry);
		account_free(a);
	}
	while ((h = TAILQ_FIRST(&cfg->hooks)) != NULL) {
		TAILQ_REMOVE(&cfg->hooks, h, entry);
		config_hook_clear(h);
		free(h);
	}
	while ((w = TAILQ_FIRST(&cfg->webhooks)) != NULL) {
		TAILQ_REMOVE(&cfg->webhooks, w, entry);
		config_webhook_free(w);
	}
	value_list_free(cfg->defaults.types, cfg->defaults.ntypes);
	value_list_free(cfg->notify.accounts, cfg->notify.naccounts);
	value_list_free(cfg->notify.mailboxes, cfg->notify.nmailboxes);
	free(cfg->notify.open_command);
	strv_free(cfg->notify.open_argv);
	config_mqtt_free(cfg->mqtt);
	free(cfg->path);
	free(cfg->state_dir);
	free(cfg->socket_path);
	free(cfg->socket_group);
	free(cfg);
}

/* An account holds a reference for as long as it lives, so that the
 * section it runs from outlives a reload that replaced it while it closes. */
struct config *
config_ref(struct config *cfg)
{
	cfg->refs++;
	return cfg;
}

/* The last reference frees; no holder frees a config another still uses. */
void
config_unref(struct config *cfg)
{
	if (cfg != NULL && --cfg->refs == 0)
		config_destroy(cfg);
}

/* A config shared by mistake would be freed under its other holder: stop
 * here rather than in a use-after-free later. */
void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->refs != 1)
		fatalx("config: freeing a configuration with %u references "
		    "left", cfg->refs);
	config_destroy(cfg);
}

void
config_errors_clear(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

const struct config_account *
config_find_account(const struct config *cfg, const char *name)
{
	return namemap_get(cfg->account_names, name);
}

static bool
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Types are a set: their order does not change what is subscribed to. */
static bool
types_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	if ((a == NULL) != (b == NULL) || na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!value_list_has(b, nb, a[i]))
			return false;
	return true;
}

bool
config_account_equal(const struct config_account *a,
    const struct config_account *b)
{
	const struct config_tuning *ta = &a->tuning, *tb = &b->tuning;

	return str_equal(a->name, b->name) &&
	    str_equal(a->url, b->url) &&
	    str_equal(a->username, b->username) &&
	    a->secret_kind == b->secret_kind &&
	    str_equal(a->secret, b->secret) &&
	    str_equal(a->ca_file, b->ca_file) &&
	    a->insecure == b->insecure &&
	    ta->transport == tb->transport &&
	    ta->ping_interval_ms == tb->ping_interval_ms &&
	    ta->ping_timeout_ms == tb->ping_timeout_ms &&
	    ta->backoff_initial_ms == tb->backoff_initial_ms &&
	    ta->backoff_max_ms == tb->backoff_max_ms &&
	    ta->backoff_reset_ms == tb->backoff_reset_ms &&
	    ta->sync_on_start == tb->sync_on_start &&
	    ta->resync_interval_ms == tb->resync_interval_ms &&
	    ta->max_frame == tb->max_frame &&
	    types_equal(ta->types, ta->ntypes, tb->types, tb->ntypes);
}

/* $XDG_* variables count only when absolute, as the XDG spec says. */
static const char *
xdg_dir(const char *var)
{
	const char *v = getenv(var);

	return v != NULL && *v == '/' ? v : NULL;
}

/* Without a home directory, "/" stands in: a default must exist. */
static char *
home_path(const char *rest)
{
	char *path;

	if ((path = value_home_path(rest)) == NULL)
		xasprintf(&path, "/%s", rest);
	return path;
}

char *
config_default_path(void)
{
	const char	*xdg;
	char		*path;

	if (getuid() == 0)
		return xstrdup(SYSCONFDIR "/jmap-pushd/jmap-pushd.conf");
	if ((xdg = xdg_dir("XDG_CONFIG_HOME")) != NULL) {
		xasprintf(&path, "%s/jmap-pushd/config", xdg);
		return path;
	}
	return home_path(".config/jmap-pushd/config");
}

char *
config_default_state_dir(void)
{
	const char	*v;
	char		*path;

	/* systemd's StateDirectory=; several are separated by ':'. */
	if ((v = getenv("STATE_DIRECTORY")) != NULL && *v == '/')
		return xstrndup(v, strcspn(v, ":"));
	if ((v = xdg_dir("XDG_STATE_HOME")) != NULL) {
		xasprintf(&path, "%s/jmap-pushd", v);
		return path;
	}
	return home_path(".local/state/jmap-pushd");
}

char *
config_default_socket_path(void)
{
	const char	*rt = getenv("RUNTIME_DIRECTORY");
	const char	*v;
	char		*path;

	if (getuid() == 0 || (rt != NULL && strncmp(rt, "/run/", 5) == 0 &&
	    strncmp(rt, "/run/user/", 10) != 0))
		return xstrdup("/run/jmap-pushd/socket");
	if ((v = xdg_dir("XDG_RUNTIME_DIR")) == NULL)
		return NULL;
	xasprintf(&path, "%s/jmap-pushd.sock", v);
	if (strlen(path) >= CONFIG_SOCKET_PATH_MAX) {
		free(path);
		return NULL;
	}
	return path;
}
