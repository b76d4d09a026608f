/* SPDX-License-Identifier: ISC */
/*
 * Single configuration values: durations, sizes, booleans, lists, exec
 * words, home paths and the "did you mean" guess.  Nothing here knows about
 * keys, lines or the error list, so that the command line and the tests can
 * use the public parsers as they are.
 */
#include "autoconf.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/config.h"
#include "config/values.h"
#include "util/strv.h"
#include "util/xmalloc.h"

/* Durations end up in time_t, timevals and int milliseconds elsewhere. */
#define DURATION_MAX_MS	((uint64_t)INT32_MAX * 1000)

const char *
value_digits(const char *s, uint64_t max, uint64_t *n)
{
	uint64_t d;

	if (!isdigit((unsigned char)*s))
		return NULL;
	for (*n = 0; isdigit((unsigned char)*s); s++) {
		d = (uint64_t)(*s - '0');
		/* d > max would wrap max - d around. */
		if (d > max || *n > (max - d) / 10)
			return NULL;
		*n = *n * 10 + d;
	}
	return s;
}

int
value_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char	*unit;
		uint64_t	 ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	uint64_t	 n;
	const char	*p;

	if ((p = value_digits(s, DURATION_MAX_MS, &n)) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (n > DURATION_MAX_MS / units[i].ms)
			return -1;
		*ms = n * units[i].ms;
		return 0;
	}
	return -1;
}

void
value_format_ms(uint64_t ms, char *buf, size_t len)
{
	static const struct {
		uint64_t	 ms;
		const char	*unit;
	} units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms != 0 && ms % units[i].ms == 0) {
			snprintf(buf, len, "%llu%s",
			    (unsigned long long)(ms / units[i].ms),
			    units[i].unit);
			return;
		}
	snprintf(buf, len, "%llums", (unsigned long long)ms);
}

int
value_parse_size(const char *s, size_t *bytes)
{
	static const char	 units[] = "kmg";
	uint64_t		 n;
	size_t			 mult = 1;
	const char		*p, *u;

	if ((p = value_digits(s, SIZE_MAX, &n)) == NULL)
		return -1;
	if (*p != '\0') {
		if (p[1] != '\0' || (u = strchr(units,
		    tolower((unsigned char)*p))) == NULL)
			return -1;
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
	}
	if (n > SIZE_MAX / mult)
		return -1;
	*bytes = (size_t)n * mult;
	return 0;
}

int
value_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

size_t
value_find(const char *word, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, words[i]) == 0)
			break;
	return i;
}

/* Levenshtein distance, case-insensitive; both strings are short here. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);
	size_t	*row, d;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	row = xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);

			d = diag + cost;
			if (up + 1 < d)
				d = up + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static bool
is_prefix(const char *word, const char *of)
{
	size_t n = strlen(word);

	return n >= 3 && strncasecmp(word, of, n) == 0;
}

/* The closest candidate within distance 2, else one the word begins. */
const char *
value_suggest(const char *word, const char *const *cands, size_t n)
{
	const char	*best = NULL;
	size_t		 bestd = 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	for (size_t i = 0; best == NULL && i < n; i++)
		if (is_prefix(word, cands[i]) || is_prefix(cands[i], word))
			best = cands[i];
	return best;
}

void
value_list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

bool
value_list_has(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

size_t
value_split_list(const char *value, const char *seps, char ***out)
{
	char	*copy, *tok, *save = NULL, *end;
	char	**items = NULL;
	size_t	 n = 0;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, seps, &save); tok != NULL;
	    tok = strtok_r(NULL, seps, &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*tok == '\0' || value_list_has(items, n, tok))
			continue;
		items = xreallocarray(items, n + 1, sizeof(*items));
		items[n++] = xstrdup(tok);
	}
	free(copy);
	*out = items;
	return n;
}

char *
value_home_path(const char *rest)
{
	const char	*home = getenv("HOME");
	struct passwd	*pw;
	char		*path;

	if ((home == NULL || *home == '\0') &&
	    (pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL)
		home = pw->pw_dir;
	if (home == NULL || *home == '\0')
		return NULL;
	xasprintf(&path, "%s%s%s", home,
	    home[strlen(home) - 1] == '/' ? "" : "/", rest);
	return path;
}

static void
argv_push(char ***v, size_t *n, char *word)
{
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = word;
	(*v)[*n] = NULL;
}

int
value_split_argv(const char *s, char ***argvp, char *err, size_t errlen)
{
	char	**v = NULL, *w;
	size_t	 n = 0, len;
	char	 quote;

	*argvp = NULL;
	w = xmalloc(strlen(s) + 1);
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		len = 0;
		quote = '\0';
		for (; *s != '\0'; s++) {
			if (quote == '\0' && (*s == ' ' || *s == '\t'))
				break;
			if (quote == '\0' && (*s == '\'' || *s == '"')) {
				quote = *s;
				continue;
			}
			if (quote != '\0' && *s == quote) {
				quote = '\0';
				continue;
			}
			if (*s == '\\' && quote != '\'' && s[1] != '\0' &&
			    (quote == '\0' || s[1] == '"' || s[1] == '\\'))
				s++;
			w[len++] = *s;
		}
		if (quote != '\0') {
			snprintf(err, errlen, "unterminated %c quote: close "
			    "it", quote);
			goto fail;
		}
		w[len] = '\0';
		argv_push(&v, &n, xstrdup(w));
	}
	if (n == 0) {
		snprintf(err, errlen, "no program: write the program and its "
		    "arguments, e.g. /usr/bin/mujmap sync");
		goto fail;
	}
	free(w);
	*argvp = v;
	return 0;
fail:
	free(w);
	strv_free(v);
	return -1;
}
