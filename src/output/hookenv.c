/* SPDX-License-Identifier: ISC */
/*
 * What a hook run gets: which changes pass a hook's filters, its
 * environment and its stdin, and the program exec = names.  No I/O but
 * the PATH search.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config/config.h"
#include "output/hookenv.h"
#include "session/mailresult.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* A hook's stdin at most (its "mail" object gives way), and a mail
 * variable at most: longer ones (JMAP_MAILBOXES of many long paths) would
 * make the exec fail (E2BIG) and the run be lost; they are on stdin. */
#define HOOKENV_STDIN_MAX	(1024 * 1024)
#define HOOKENV_MAIL_MAX	(64 * 1024)

/*
 * A type makes JMAP_STATE_<Type> only when its name is boring enough to be
 * part of a variable name, and the pair only fits the environment when the
 * values stay small: the kernel refuses an exec whose single string passes
 * 128 KiB, and the run would be lost.  Stdin, which JSON escapes, carries
 * every type whatever its name or size.
 */
#define HOOKENV_TYPE_NAME_MAX	128
#define HOOKENV_VALUE_MAX	4096

static bool
hookenv_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n > 0 && n <= HOOKENV_TYPE_NAME_MAX;
}

static bool
hookenv_value_ok(const char *s)
{
	return strlen(s) <= HOOKENV_VALUE_MAX;
}

/* The types of urn:ietf:params:jmap:mail: a mail-aware hook sees them only
 * as mail events (a Thread change comes with every Email change). */
static bool
hookenv_mail_type(const char *type)
{
	return strcmp(type, "Email") == 0 || strcmp(type, "Mailbox") == 0 ||
	    strcmp(type, "EmailDelivery") == 0 || strcmp(type, "Thread") == 0;
}

/* A mail-aware hook runs for other types only when types lists them. */
static bool
hookenv_wants_type(const struct config_hook *h, const char *type)
{
	if (h->mail_aware && hookenv_mail_type(type))
		return false;
	if (h->types == NULL || h->ntypes == 0)
		return !h->mail_aware;
	for (size_t i = 0; i < h->ntypes; i++)
		if (strcmp(h->types[i], type) == 0)
			return true;
	return false;
}

static int
hookenv_type_cmp(const void *a, const void *b)
{
	const struct hookenv_type *x = a, *y = b;

	return strcmp(x->type, y->type);
}

struct hookenv_type *
hookenv_types(const struct config_hook *h, const struct push_event *ev,
    size_t *np)
{
	struct hookenv_type *v;
	size_t n = 0;

	*np = 0;
	if (ev->changed == NULL ||
	    !json_object_is_type(ev->changed, json_type_object))
		return NULL;
	v = xcalloc((size_t)json_object_object_length(ev->changed) + 1,
	    sizeof(*v));
	json_object_object_foreach(ev->changed, type, val) {
		if (!json_object_is_type(val, json_type_string)) {
			char q[JSONU_QUOTE_SIZE(64)];

			log_debug("hook %s: account %s: ignoring type \"%s\" "
			    "whose state is not a string", h->name, ev->account,
			    jsonu_quote(q, sizeof(q), type));
			continue;
		}
		if (!hookenv_wants_type(h, type))
			continue;
		v[n].type = type;
		v[n].state = json_object_get_string(val);
		n++;
	}
	qsort(v, n, sizeof(*v), hookenv_type_cmp);
	*np = n;
	return v;
}

bool
hookenv_matches(const struct config_hook *h, const struct push_event *ev)
{
	struct hookenv_type *types;
	size_t n;

	if (h->account != NULL && strcmp(h->account, ev->account) != 0)
		return false;
	if ((h->types == NULL || h->ntypes == 0) && !h->mail_aware)
		return true;
	types = hookenv_types(h, ev, &n);
	free(types);
	return n > 0;
}

char **
hookenv_build(const struct config_hook *h, const struct push_event *ev,
    char *const *base)
{
	struct hookenv_type *types;
	size_t ntypes, nenv = 0, nbase = strv_len(base), n = 0, tlen = 1;
	char **env, *joined;

	types = hookenv_types(h, ev, &ntypes);
	/* Values may hold newlines and any UTF-8: they are data, and the
	 * variable names are ours.  Only the type names and sizes are
	 * checked. */
	for (size_t i = 0; i < ntypes; i++) {
		if (!hookenv_name_ok(types[i].type) ||
		    !hookenv_value_ok(types[i].state)) {
			char q[JSONU_QUOTE_SIZE(64)];

			log_debug("hook %s: account %s: type \"%s\" only on "
			    "stdin: its name or state does not fit a variable",
			    h->name, ev->account,
			    jsonu_quote(q, sizeof(q), types[i].type));
			continue;
		}
		types[nenv++] = types[i];
	}
	/* base, 6 fixed variables, one per type, NULL */
	env = xcalloc(nbase + 6 + nenv + 1, sizeof(*env));
	for (size_t i = 0; i < nbase; i++)
		if (strncmp(base[i], "JMAP_", 5) != 0)
			env[n++] = xstrdup(base[i]);
	xasprintf(&env[n++], "JMAP_ACCOUNT=%s", ev->account);
	if (ev->account_id != NULL && hookenv_value_ok(ev->account_id))
		xasprintf(&env[n++], "JMAP_ACCOUNT_ID=%s", ev->account_id);
	for (size_t i = 0; i < nenv; i++)
		tlen += strlen(types[i].type) + 1;
	joined = xcalloc(1, tlen);
	for (size_t i = 0; i < nenv; i++) {
		if (i > 0)
			strcat(joined, " ");
		strcat(joined, types[i].type);
	}
	xasprintf(&env[n++], "JMAP_TYPES=%s", joined);
	free(joined);
	for (size_t i = 0; i < nenv; i++)
		xasprintf(&env[n++], "JMAP_STATE_%s=%s", types[i].type,
		    types[i].state);
	if (ev->push_state != NULL && hookenv_value_ok(ev->push_state))
		xasprintf(&env[n++], "JMAP_PUSH_STATE=%s", ev->push_state);
	xasprintf(&env[n++], "JMAP_REASON=%s", ev->reason);
	xasprintf(&env[n++], "JMAP_HOOK=%s", h->name);
	env[n] = NULL;
	free(types);
	return env;
}

/* The StateChange object of hookenv_stdin(); the caller owns it. */
static struct json_object *
hookenv_stdin_root(const struct config_hook *h, const struct push_event *ev)
{
	struct json_object *root, *changed, *acct;
	struct hookenv_type *types;
	size_t ntypes;

	types = hookenv_types(h, ev, &ntypes);
	root = json_object_new_object();
	changed = json_object_new_object();
	acct = json_object_new_object();
	/* json-c keeps insertion order, so the output is sorted too. */
	for (size_t i = 0; i < ntypes; i++)
		json_object_object_add(acct, types[i].type,
		    json_object_new_string(types[i].state));
	if (ev->account_id != NULL)
		json_object_object_add(changed, ev->account_id, acct);
	else
		json_object_put(acct);
	json_object_object_add(root, "@type",
	    json_object_new_string("StateChange"));
	json_object_object_add(root, "changed", changed);
	if (ev->push_state != NULL)
		json_object_object_add(root, "pushState",
		    json_object_new_string(ev->push_state));
	free(types);
	return root;
}

/* root as stdin text; root is freed. */
static char *
hookenv_stdin_text(struct json_object *root)
{
	const char *json;
	char *s;

	json = json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* The parser repaired server text; this keeps stdin valid UTF-8 should
	 * a string reach ev some other way (json-c writes bytes back
	 * unchecked). */
	s = utf8_valid(json, strlen(json)) ? xstrdup(json) :
	    utf8_sanitize(json, strlen(json), NULL);
	json_object_put(root);
	return s;
}

char *
hookenv_stdin(const struct config_hook *h, const struct push_event *ev)
{
	return hookenv_stdin_text(hookenv_stdin_root(h, ev));
}

/* exec = runs without a shell, so PATH is searched here: execve does not. */
char *
hookenv_find_program(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;
	char *full;

	if (strchr(prog, '/') != NULL)
		return xstrdup(prog);
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		xasprintf(&full, "%.*s/%s", end > p ? (int)(end - p) : 1,
		    end > p ? p : ".", prog);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return full;
		free(full);
		if (*end == '\0')
			return NULL;
	}
}

/* env plus the mail variables of r (mailresult_env), each that fits the
 * environment; env is taken, the result the caller's. */
char **
hookenv_mail(const char *name, char **env, const struct mailresult *r)
{
	char **mail = mailresult_env(r);
	size_t n = strv_len(env), k = strv_len(mail);

	env = xreallocarray(env, n + k + 1, sizeof(*env));
	for (size_t i = 0; i < k; i++) {
		if (strlen(mail[i]) > HOOKENV_MAIL_MAX) {
			log_warnx("hook %s: %.*s is too long for the "
			    "environment (%zu bytes); read it from stdin "
			    "(\"mail\")", name,
			    (int)strcspn(mail[i], "="), mail[i],
			    strlen(mail[i]));
			free(mail[i]);
			continue;
		}
		env[n++] = mail[i];
	}
	env[n] = NULL;
	free(mail);
	return env;
}

/* The StateChange of ev with "mail" (mailresult_json), within
 * HOOKENV_STDIN_MAX. */
char *
hookenv_mail_stdin(const struct config_hook *c, const struct push_event *ev,
    const struct mailresult *r)
{
	struct json_object *root = hookenv_stdin_root(c, ev);
	size_t used = strlen(json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	/* ,"mail": and room for the closing brace */
	size_t room = HOOKENV_STDIN_MAX > used + 16 ? HOOKENV_STDIN_MAX - used - 16 :
	    0;

	json_object_object_add(root, "mail", mailresult_json(r,
	    ev->account_id, room));
	return hookenv_stdin_text(root);
}

