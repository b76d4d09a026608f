/*
 * The configuration file.  inih splits lines into keys and values; our own
 * reader hands it the lines, so that we know the line of every key and see
 * section headers (even of sections with no keys).  The whole file is
 * collected first and interpreted afterwards, so that [daemon] may come after
 * the accounts it gives defaults to, and so that every error is found.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "config/config.h"
#include "util/log.h"
#include "util/xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* Longest line accepted; inih keeps the line buffer on the stack. */
#define CONFIG_MAX_LINE	4096
/* A config file is small; this only stops us reading /dev/zero forever. */
#define CONFIG_MAX_SIZE	(1024 * 1024)
/* Durations end up in time_t, timevals and int milliseconds elsewhere. */
#define DURATION_MAX_MS	((uint64_t)INT32_MAX * 1000)
#define MAX_FRAME_MIN	1024

#define IN_DAEMON	0x1
#define IN_ACCOUNT	0x2
#define IN_HOOK		0x4

enum key_id {
	K_STATE_DIR,
	K_LOG_LEVEL,
	K_URL,
	K_USERNAME,
	K_PASSWORD_COMMAND,
	K_PASSWORD_FILE,
	K_TOKEN_COMMAND,
	K_TOKEN_FILE,
	K_CA_FILE,
	K_INSECURE,
	K_TRANSPORT,
	K_PING_INTERVAL,
	K_PING_TIMEOUT,
	K_BACKOFF_INITIAL,
	K_BACKOFF_MAX,
	K_BACKOFF_RESET,
	K_SYNC_ON_START,
	K_MAX_FRAME,
	K_TYPES,
	K_COMMAND,
	K_ACCOUNT,
	K_COUNT
};

#define TUNING	(IN_DAEMON | IN_ACCOUNT)
static const struct {
	const char	*name;
	unsigned	 where;
} keys[K_COUNT] = {
	[K_STATE_DIR] = { "state_dir", IN_DAEMON },
	[K_LOG_LEVEL] = { "log_level", IN_DAEMON },
	[K_URL] = { "url", IN_ACCOUNT },
	[K_USERNAME] = { "username", IN_ACCOUNT },
	[K_PASSWORD_COMMAND] = { "password_command", IN_ACCOUNT },
	[K_PASSWORD_FILE] = { "password_file", IN_ACCOUNT },
	[K_TOKEN_COMMAND] = { "token_command", IN_ACCOUNT },
	[K_TOKEN_FILE] = { "token_file", IN_ACCOUNT },
	[K_CA_FILE] = { "ca_file", TUNING },
	[K_INSECURE] = { "insecure", IN_ACCOUNT },
	[K_TRANSPORT] = { "transport", TUNING },
	[K_PING_INTERVAL] = { "ping_interval", TUNING },
	[K_PING_TIMEOUT] = { "ping_timeout", TUNING },
	[K_BACKOFF_INITIAL] = { "backoff_initial", TUNING },
	[K_BACKOFF_MAX] = { "backoff_max", TUNING },
	[K_BACKOFF_RESET] = { "backoff_reset", TUNING },
	[K_SYNC_ON_START] = { "sync_on_start", TUNING },
	[K_MAX_FRAME] = { "max_frame", TUNING },
	[K_TYPES] = { "types", TUNING | IN_HOOK },
	[K_COMMAND] = { "command", IN_HOOK },
	[K_ACCOUNT] = { "account", IN_HOOK },
};

static const struct {
	enum key_id		 key;
	enum config_secret	 kind;
} secret_keys[] = {
	{ K_PASSWORD_COMMAND, SECRET_PASSWORD_COMMAND },
	{ K_PASSWORD_FILE, SECRET_PASSWORD_FILE },
	{ K_TOKEN_COMMAND, SECRET_TOKEN_COMMAND },
	{ K_TOKEN_FILE, SECRET_TOKEN_FILE },
};
#define nsecret_keys (sizeof(secret_keys) / sizeof(secret_keys[0]))

enum section_kind {
	SEC_DAEMON,
	SEC_ACCOUNT,
	SEC_HOOK,
};

struct raw_key {
	char	*name;
	char	*value;
	int	 line;
};

struct section {
	enum section_kind	 kind;
	char			*name;		/* NULL for [daemon] */
	char			*label;		/* "[account NAME]" for messages */
	int			 line;
	struct raw_key		*keys;
	size_t			 nkeys;
};

/* The keys of one section, by id, after duplicates were weeded out. */
struct keyset {
	const char	*val[K_COUNT];	/* NULL when absent or empty */
	int		 line[K_COUNT];	/* 0 when absent */
	bool		 bad[K_COUNT];	/* value was rejected */
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
	struct section		*cur;		/* NULL: keys are dropped */
	bool			 outside;	/* no header seen yet */
	struct section		*last_sec;	/* where continuations go */
	size_t			 last_key;
	char			*daemon_ca_file;
	struct error		*errs;
	size_t			 nerrs;
};

static char ini_comments[] = "#;";

static void parser_error(struct parser *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
parser_error(struct parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *full;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("config: out of memory");
	va_end(ap);
	xasprintf(&full, "%s:%d: %s", p->file, line, msg);
	free(msg);
	p->errs = xreallocarray(p->errs, p->nerrs + 1, sizeof(*p->errs));
	p->errs[p->nerrs].line = line;
	p->errs[p->nerrs].seq = p->nerrs;
	p->errs[p->nerrs].msg = full;
	p->nerrs++;
}

static int
error_cmp(const void *a, const void *b)
{
	const struct error *ea = a, *eb = b;

	if (ea->line != eb->line)
		return ea->line < eb->line ? -1 : 1;
	return ea->seq < eb->seq ? -1 : ea->seq > eb->seq;
}

/* Messages come out in file order, whichever pass found them. */
static void
parser_move_errors(struct parser *p, struct config_errors *errs)
{
	if (p->nerrs == 0)
		return;
	qsort(p->errs, p->nerrs, sizeof(*p->errs), error_cmp);
	errs->msgs = xreallocarray(errs->msgs, errs->n + p->nerrs,
	    sizeof(*errs->msgs));
	for (size_t i = 0; i < p->nerrs; i++)
		errs->msgs[errs->n++] = p->errs[i].msg;
	free(p->errs);
	p->errs = NULL;
	p->nerrs = 0;
}

static void
parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->nsecs; i++) {
		struct section *s = p->secs[i];

		for (size_t k = 0; k < s->nkeys; k++) {
			free(s->keys[k].name);
			free(s->keys[k].value);
		}
		free(s->keys);
		free(s->name);
		free(s->label);
		free(s);
	}
	free(p->secs);
	for (size_t i = 0; i < p->nerrs; i++)
		free(p->errs[i].msg);
	free(p->errs);
	free(p->daemon_ca_file);
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
static const char *
suggest(const char *word, const char *const *cands, size_t n)
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

/* Mirrors inih: an inline comment needs whitespace before it. */
static const char *
find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s && (chars == NULL || strchr(chars, *s) == NULL) &&
	    !(was_space && strchr(ini_comments, *s))) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static bool
is_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return false;
	return true;
}

static void
parser_add_section(struct parser *p, enum section_kind kind, const char *name)
{
	struct section *s = xcalloc(1, sizeof(*s));

	s->kind = kind;
	s->line = p->lineno;
	if (kind == SEC_DAEMON) {
		s->label = xstrdup("[daemon]");
	} else {
		s->name = xstrdup(name);
		xasprintf(&s->label, "[%s %s]",
		    kind == SEC_ACCOUNT ? "account" : "hook", name);
	}
	p->secs = xreallocarray(p->secs, p->nsecs + 1, sizeof(*p->secs));
	p->secs[p->nsecs++] = s;
	p->cur = s;
}

/* The text between '[' and ']', already cut out and NUL-terminated. */
static void
parser_section(struct parser *p, char *text)
{
	static const char *const kinds[] = { "daemon", "account", "hook" };
	static const char *const forms[] = {
		"[daemon]", "[account NAME]", "[hook NAME]"
	};
	char		*word, *name, *end, *whole;
	const char	*s;
	size_t		 i;

	p->cur = NULL;
	p->outside = false;
	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	whole = xstrdup(text);
	word = text;
	for (name = word; *name && !isspace((unsigned char)*name); name++)
		;
	if (*name) {
		*name++ = '\0';
		while (isspace((unsigned char)*name))
			name++;
	}

	for (i = 0; i < 3; i++)
		if (strcmp(word, kinds[i]) == 0)
			break;
	if (i == 3) {
		if ((s = suggest(word, kinds, 3)) != NULL) {
			for (i = 0; kinds[i] != s; i++)
				;
			parser_error(p, p->lineno, "unknown section [%s]; did "
			    "you mean %s?", whole, forms[i]);
		} else
			parser_error(p, p->lineno, "unknown section [%s]; use "
			    "[daemon], [account NAME] or [hook NAME]", whole);
		free(whole);
		return;
	}
	free(whole);
	if (i == SEC_DAEMON) {
		if (*name) {
			parser_error(p, p->lineno, "[daemon] takes no name: "
			    "write [daemon]");
			return;
		}
		for (size_t j = 0; j < p->nsecs; j++)
			if (p->secs[j]->kind == SEC_DAEMON) {
				parser_error(p, p->lineno, "second [daemon] "
				    "section: merge it into the one on line %d",
				    p->secs[j]->line);
				return;
			}
		parser_add_section(p, SEC_DAEMON, NULL);
		return;
	}
	if (*name == '\0') {
		parser_error(p, p->lineno, "[%s] needs a name: write %s", word,
		    forms[i]);
		return;
	}
	if (!is_name(name)) {
		parser_error(p, p->lineno, "invalid %s name '%s': use one word "
		    "of letters, digits, '.', '_' and '-'", word, name);
		return;
	}
	for (size_t j = 0; j < p->nsecs; j++)
		if (p->secs[j]->kind == (enum section_kind)i &&
		    strcmp(p->secs[j]->name, name) == 0) {
			parser_error(p, p->lineno, "duplicate [%s %s] (the "
			    "first is on line %d): rename or merge them", word,
			    name, p->secs[j]->line);
			return;
		}
	parser_add_section(p, i, name);
}

/*
 * Sorts the line inih is about to see the way inih will (a continuation, a
 * section header, a key, a comment) and reports the lines inih would reject,
 * so that every bad line is reported rather than only the first.
 */
static void
parser_classify(struct parser *p, char *line)
{
	char		*start, *end;
	const char	*c;

	p->kind = LINE_OTHER;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		end--;
	for (start = line; start < end && isspace((unsigned char)*start);
	    start++)
		;
	if (start == end || strchr(ini_comments, *start) != NULL)
		return;
	if (p->prev_key && start > line) {
		p->kind = LINE_CONTINUATION;
		return;
	}
	if (*start == '[') {
		char *copy = xstrndup(start, (size_t)(end - start));

		c = find_chars_or_comment(copy + 1, "]");
		if (*c != ']') {
			parser_error(p, p->lineno, "section header without "
			    "']': write [daemon], [account NAME] or "
			    "[hook NAME]");
			p->cur = NULL;
			p->outside = false;
		} else {
			const char *after = c + 1;

			while (isspace((unsigned char)*after))
				after++;
			if (*after != '\0' && strchr(ini_comments, *after) ==
			    NULL) {
				parser_error(p, p->lineno, "unexpected text "
				    "after ']': put comments on their own "
				    "line or after ' #'");
				p->cur = NULL;
				p->outside = false;
			} else {
				copy[c - copy] = '\0';
				parser_section(p, copy + 1);
			}
			p->prev_key = false;
		}
		free(copy);
		return;
	}
	c = find_chars_or_comment(start, "=:");
	if (*c == '=' || *c == ':') {
		p->kind = LINE_KEY;
		p->prev_key = c != start;
		return;
	}
	parser_error(p, p->lineno, "expected KEY = VALUE, a [SECTION] header or "
	    "a # comment");
}

/* An fgets() for inih over our buffer, numbering the lines it hands out. */
static char *
parser_read(char *str, int num, void *arg)
{
	struct parser	*p = arg;
	const char	*line, *nl;
	size_t		 len;

	if (p->pos >= p->len)
		return NULL;
	line = p->text + p->pos;
	nl = memchr(line, '\n', p->len - p->pos);
	len = nl != NULL ? (size_t)(nl - line) + 1 : p->len - p->pos;
	p->pos += len;
	p->lineno++;
	if (p->lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (memchr(line, '\0', len) != NULL) {
		parser_error(p, p->lineno, "NUL byte in line: remove it");
		len = 0;
	} else if (len + 1 > (size_t)num) {
		parser_error(p, p->lineno, "line longer than %d characters: "
		    "shorten it or continue it on indented lines", num - 2);
		len = 0;
	}
	memcpy(str, line, len);
	str[len] = '\0';
	parser_classify(p, str);
	return str;
}

static void
value_append(char **value, const char *more)
{
	char *joined;

	xasprintf(&joined, "%s %s", *value, more);
	free(*value);
	*value = joined;
}

static int
parser_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct parser	*p = arg;
	struct section	*s;
	struct raw_key	*k;

	if (p->kind == LINE_CONTINUATION) {
		char *v, *end;

		if (p->last_sec == NULL)
			return 1;
		/* inih leaves inline comments in continuation lines. */
		v = xstrdup(value);
		end = v + (find_chars_or_comment(v, NULL) - v);
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		if (*v != '\0') {
			k = &p->last_sec->keys[p->last_key];
			if (*k->value == '\0') {
				free(k->value);
				k->value = v;
				v = NULL;
			} else
				value_append(&k->value, v);
		}
		free(v);
		return 1;
	}
	p->last_sec = NULL;
	if (*name == '\0') {
		parser_error(p, p->lineno, "no key name before '='");
		return 1;
	}
	if (p->outside) {
		parser_error(p, p->lineno, "'%s' is outside any section: put it "
		    "under [daemon] or [account NAME]", name);
		return 1;
	}
	if ((s = p->cur) == NULL)
		return 1;
	s->keys = xreallocarray(s->keys, s->nkeys + 1, sizeof(*s->keys));
	k = &s->keys[s->nkeys];
	k->name = xstrdup(name);
	k->value = xstrdup(value);
	k->line = p->lineno;
	p->last_sec = s;
	p->last_key = s->nkeys++;
	return 1;
}

static void
parser_run(struct parser *p)
{
	int rc;

	ini_allow_multiline = true;
	ini_allow_bom = false;		/* our reader strips it */
	ini_allow_inline_comments = true;
	ini_inline_comment_prefixes = ini_comments;
	ini_use_stack = true;
	ini_max_line = CONFIG_MAX_LINE;
	ini_stop_on_first_error = false;
	ini_allow_no_value = false;

	p->outside = true;
	rc = ini_parse_stream(parser_read, p, parser_handler, p);
	if (rc < 0)
		fatalx("config: inih failed (%d)", rc);
	if (rc > 0) {
		/* Our reader should have reported it already. */
		for (size_t i = 0; i < p->nerrs; i++)
			if (p->errs[i].line == rc)
				return;
		parser_error(p, rc, "cannot parse this line");
	}
}

/* Sorts a section's keys by id, reporting unknown and repeated ones. */
static void
keyset_fill(struct parser *p, const struct section *s, struct keyset *ks)
{
	static const unsigned where[] = {
		[SEC_DAEMON] = IN_DAEMON,
		[SEC_ACCOUNT] = IN_ACCOUNT,
		[SEC_HOOK] = IN_HOOK,
	};
	unsigned	 mask = where[s->kind];

	memset(ks, 0, sizeof(*ks));
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct raw_key	*k = &s->keys[i];
		const char		*cands[K_COUNT];
		const char		*sug;
		size_t			 n = 0;
		int			 id;

		if (strcmp(k->name, "password") == 0) {
			parser_error(p, k->line, "inline passwords are not "
			    "supported; use password_command or password_file");
			continue;
		}
		for (id = 0; id < K_COUNT; id++)
			if (strcmp(k->name, keys[id].name) == 0)
				break;
		if (id < K_COUNT && (keys[id].where & mask) == 0) {
			if (s->kind == SEC_DAEMON && (keys[id].where &
			    IN_ACCOUNT)) {
				parser_error(p, k->line, "'%s' cannot stand in "
				    "[daemon]: put it in each [account NAME]",
				    k->name);
				continue;
			}
			if (s->kind == SEC_ACCOUNT && keys[id].where ==
			    IN_DAEMON) {
				parser_error(p, k->line, "'%s' can only stand "
				    "in [daemon]", k->name);
				continue;
			}
			id = K_COUNT;
		}
		if (id == K_COUNT) {
			for (int j = 0; j < K_COUNT; j++)
				if (keys[j].where & mask)
					cands[n++] = keys[j].name;
			if ((sug = suggest(k->name, cands, n)) != NULL)
				parser_error(p, k->line, "unknown key '%s' in "
				    "%s; did you mean '%s'?", k->name,
				    s->label, sug);
			else
				parser_error(p, k->line, "unknown key '%s' in "
				    "%s: remove it", k->name, s->label);
			continue;
		}
		if (ks->line[id] != 0) {
			parser_error(p, k->line, "duplicate key '%s' in %s (also "
			    "on line %d): keep one", k->name, s->label,
			    ks->line[id]);
			continue;
		}
		ks->line[id] = k->line;
		if (*k->value == '\0') {
			parser_error(p, k->line, "'%s' has no value: give one "
			    "or remove the line", k->name);
			ks->bad[id] = true;
			continue;
		}
		ks->val[id] = k->value;
	}
}

static void
format_ms(uint64_t ms, char *buf, size_t len)
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
config_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char	*unit;
		uint64_t	 ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	uint64_t	 n = 0;
	const char	*p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (DURATION_MAX_MS - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
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

int
config_parse_size(const char *s, size_t *bytes)
{
	static const char	 units[] = "kmg";
	size_t			 n = 0, mult = 1;
	const char		*p = s, *u;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (SIZE_MAX - (size_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (size_t)(*p - '0');
	}
	if (*p != '\0') {
		if (p[1] != '\0' || (u = strchr(units,
		    tolower((unsigned char)*p))) == NULL)
			return -1;
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
	}
	if (n > SIZE_MAX / mult)
		return -1;
	*bytes = n * mult;
	return 0;
}

int
config_parse_bool(const char *s, bool *out)
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

static void
types_free(char **types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(types[i]);
	free(types);
}

static bool
types_has(char *const *types, size_t n, const char *t)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(types[i], t) == 0)
			return true;
	return false;
}

static int
parse_types(struct parser *p, int line, const char *value, char ***out,
    size_t *nout)
{
	char	*copy, *tok, *save = NULL;
	char	**types = NULL;
	size_t	 n = 0;
	int	 rc = 0;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		bool ok = isalpha((unsigned char)*tok);

		for (const char *c = tok; ok && *c; c++)
			ok = isalnum((unsigned char)*c);
		if (!ok) {
			parser_error(p, line, "invalid type name '%s' in types: "
			    "use JMAP type names such as Email, Mailbox or "
			    "EmailDelivery", tok);
			rc = -1;
			continue;
		}
		if (types_has(types, n, tok))
			continue;
		types = xreallocarray(types, n + 1, sizeof(*types));
		types[n++] = xstrdup(tok);
	}
	free(copy);
	if (rc == 0 && n == 0) {
		parser_error(p, line, "types lists no type: name some, such as "
		    "Email Mailbox, or remove the line");
		rc = -1;
	}
	if (rc == -1) {
		types_free(types, n);
		return -1;
	}
	*out = types;
	*nout = n;
	return 0;
}

static void
tuning_copy(struct config_tuning *dst, const struct config_tuning *src)
{
	*dst = *src;
	if (src->types == NULL)
		return;
	dst->types = xreallocarray(NULL, src->ntypes, sizeof(*dst->types));
	for (size_t i = 0; i < src->ntypes; i++)
		dst->types[i] = xstrdup(src->types[i]);
}

static void
tuning_defaults(struct config_tuning *t)
{
	memset(t, 0, sizeof(*t));
	t->transport = TRANSPORT_AUTO;
	t->ping_interval_ms = 30 * 1000;
	t->ping_timeout_ms = 10 * 1000;
	t->backoff_initial_ms = 1000;
	t->backoff_max_ms = 5 * 60 * 1000;
	t->backoff_reset_ms = 60 * 1000;
	t->sync_on_start = false;
	t->max_frame = 1024 * 1024;
}

static void
parse_duration_key(struct parser *p, struct keyset *ks, enum key_id id,
    uint64_t *out)
{
	if (ks->val[id] == NULL)
		return;
	if (config_parse_duration(ks->val[id], out) == -1) {
		parser_error(p, ks->line[id], "invalid duration for %s: '%s'; "
		    "use e.g. 250ms, 30s, 5m, 1h or 2d", keys[id].name,
		    ks->val[id]);
		ks->bad[id] = true;
	}
}

static void
parse_bool_key(struct parser *p, struct keyset *ks, enum key_id id, bool *out)
{
	if (ks->val[id] == NULL)
		return;
	if (config_parse_bool(ks->val[id], out) == -1) {
		parser_error(p, ks->line[id], "invalid value for %s: '%s'; use "
		    "yes or no", keys[id].name, ks->val[id]);
		ks->bad[id] = true;
	}
}

/* The later of two keys' lines when this section set either and none of the
 * two was rejected; 0 when the problem is inherited (reported at [daemon]). */
static int
pair_line(const struct keyset *ks, enum key_id a, enum key_id b)
{
	if (ks->bad[a] || ks->bad[b])
		return 0;
	return ks->line[a] > ks->line[b] ? ks->line[a] : ks->line[b];
}

static void
parse_tuning(struct parser *p, struct keyset *ks, struct config_tuning *t)
{
	const char	*v;
	char		 a[32], b[32];
	int		 line;

	if ((v = ks->val[K_TRANSPORT]) != NULL) {
		if (strcmp(v, "auto") == 0)
			t->transport = TRANSPORT_AUTO;
		else if (strcmp(v, "websocket") == 0)
			t->transport = TRANSPORT_WEBSOCKET;
		else if (strcmp(v, "eventsource") == 0)
			t->transport = TRANSPORT_EVENTSOURCE;
		else
			parser_error(p, ks->line[K_TRANSPORT], "invalid "
			    "transport '%s': use auto, websocket or "
			    "eventsource", v);
	}
	parse_duration_key(p, ks, K_PING_INTERVAL, &t->ping_interval_ms);
	parse_duration_key(p, ks, K_PING_TIMEOUT, &t->ping_timeout_ms);
	parse_duration_key(p, ks, K_BACKOFF_INITIAL, &t->backoff_initial_ms);
	parse_duration_key(p, ks, K_BACKOFF_MAX, &t->backoff_max_ms);
	parse_duration_key(p, ks, K_BACKOFF_RESET, &t->backoff_reset_ms);
	parse_bool_key(p, ks, K_SYNC_ON_START, &t->sync_on_start);
	if ((v = ks->val[K_MAX_FRAME]) != NULL) {
		size_t n;

		if (config_parse_size(v, &n) == -1 || n < MAX_FRAME_MIN)
			parser_error(p, ks->line[K_MAX_FRAME], "invalid "
			    "max_frame '%s': use a size of at least 1k, such "
			    "as 512k, 1M or 1048576", v);
		else
			t->max_frame = n;
	}
	if ((v = ks->val[K_TYPES]) != NULL) {
		char	**types;
		size_t	 n;

		if (parse_types(p, ks->line[K_TYPES], v, &types, &n) == 0) {
			types_free(t->types, t->ntypes);
			t->types = types;
			t->ntypes = n;
		}
	}

	if (ks->val[K_BACKOFF_INITIAL] != NULL && !ks->bad[K_BACKOFF_INITIAL] &&
	    t->backoff_initial_ms == 0)
		parser_error(p, ks->line[K_BACKOFF_INITIAL], "backoff_initial "
		    "must be more than 0, e.g. 1s");
	else if (t->backoff_initial_ms > t->backoff_max_ms &&
	    (line = pair_line(ks, K_BACKOFF_INITIAL, K_BACKOFF_MAX)) != 0) {
		format_ms(t->backoff_initial_ms, a, sizeof(a));
		format_ms(t->backoff_max_ms, b, sizeof(b));
		parser_error(p, line, "backoff_initial (%s) is more than "
		    "backoff_max (%s): lower backoff_initial or raise "
		    "backoff_max", a, b);
	}
	if (t->ping_interval_ms > 0 && t->ping_timeout_ms == 0 &&
	    (line = pair_line(ks, K_PING_INTERVAL, K_PING_TIMEOUT)) != 0) {
		format_ms(t->ping_interval_ms, a, sizeof(a));
		parser_error(p, line, "ping_timeout is 0 while ping_interval is "
		    "%s: set ping_timeout (e.g. 10s), or ping_interval = 0 to "
		    "turn pings off", a);
	}
}

static char *
home_dir(void)
{
	const char	*home = getenv("HOME");
	struct passwd	*pw;

	if (home != NULL && *home != '\0')
		return xstrdup(home);
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL &&
	    *pw->pw_dir != '\0')
		return xstrdup(pw->pw_dir);
	return NULL;
}

/* "~/" means $HOME; the result must be absolute, as the daemon's working
 * directory is no place to look for files. */
static char *
parse_path(struct parser *p, const struct keyset *ks, enum key_id id)
{
	const char	*v = ks->val[id];
	char		*home, *path;

	if (strncmp(v, "~/", 2) == 0) {
		if ((home = home_dir()) == NULL) {
			parser_error(p, ks->line[id], "cannot expand '~/' in "
			    "%s: HOME is not set; write the full path",
			    keys[id].name);
			return NULL;
		}
		xasprintf(&path, "%s/%s", home, v + 2);
		free(home);
		return path;
	}
	if (*v != '/') {
		parser_error(p, ks->line[id], "%s must be an absolute path or "
		    "start with ~/", keys[id].name);
		return NULL;
	}
	return xstrdup(v);
}

static void
load_daemon(struct parser *p, struct config *cfg, const struct section *s)
{
	struct keyset	 ks;
	const char	*v;
	char		*path;

	keyset_fill(p, s, &ks);
	if (ks.val[K_STATE_DIR] != NULL &&
	    (path = parse_path(p, &ks, K_STATE_DIR)) != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = path;
	}
	if ((v = ks.val[K_LOG_LEVEL]) != NULL &&
	    (cfg->log_level = log_level_parse(v)) == -1)
		parser_error(p, ks.line[K_LOG_LEVEL], "invalid log_level '%s': "
		    "use error, warning, info or debug", v);
	if (ks.val[K_CA_FILE] != NULL)
		p->daemon_ca_file = parse_path(p, &ks, K_CA_FILE);
	parse_tuning(p, &ks, &cfg->defaults);
}

static void
account_free(struct config_account *a)
{
	free(a->name);
	free(a->file);
	free(a->url);
	free(a->username);
	free(a->secret);
	free(a->ca_file);
	types_free(a->tuning.types, a->tuning.ntypes);
	free(a);
}

static void
load_account(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_account	*a;
	struct keyset		 ks;
	enum key_id		 first = K_COUNT;
	size_t			 set[nsecret_keys], nset = 0;

	keyset_fill(p, s, &ks);
	a = xcalloc(1, sizeof(*a));
	a->name = xstrdup(s->name);
	a->file = xstrdup(p->file);
	a->line = s->line;
	tuning_copy(&a->tuning, &cfg->defaults);
	TAILQ_INSERT_TAIL(&cfg->accounts, a, entry);

	if (ks.val[K_URL] != NULL)
		a->url = xstrdup(ks.val[K_URL]);
	else if (ks.line[K_URL] == 0)
		parser_error(p, s->line, "%s needs url = (a host name, "
		    "https://HOST/.well-known/jmap or the session URL)",
		    s->label);
	if (ks.val[K_USERNAME] != NULL)
		a->username = xstrdup(ks.val[K_USERNAME]);

	/* In file order, so that the later ones are reported. */
	for (size_t i = 0; i < nsecret_keys; i++) {
		size_t j;

		if (ks.line[secret_keys[i].key] == 0)
			continue;
		for (j = nset; j > 0 && ks.line[secret_keys[set[j - 1]].key] >
		    ks.line[secret_keys[i].key]; j--)
			set[j] = set[j - 1];
		set[j] = i;
		nset++;
	}
	if (nset > 0) {
		first = secret_keys[set[0]].key;
		a->secret_kind = secret_keys[set[0]].kind;
		if (ks.val[first] != NULL && (first == K_PASSWORD_FILE ||
		    first == K_TOKEN_FILE))
			a->secret = parse_path(p, &ks, first);
		else if (ks.val[first] != NULL)
			a->secret = xstrdup(ks.val[first]);
	}
	for (size_t i = 1; i < nset; i++)
		parser_error(p, ks.line[secret_keys[set[i]].key], "%s has both "
		    "%s and %s: keep only one", s->label, keys[first].name,
		    keys[secret_keys[set[i]].key].name);
	if ((a->secret_kind == SECRET_PASSWORD_COMMAND ||
	    a->secret_kind == SECRET_PASSWORD_FILE) && ks.line[K_USERNAME] == 0)
		parser_error(p, ks.line[first], "%s has %s but no username: add "
		    "username = (your login name)", s->label, keys[first].name);

	if (ks.val[K_CA_FILE] != NULL)
		a->ca_file = parse_path(p, &ks, K_CA_FILE);
	else if (p->daemon_ca_file != NULL)
		a->ca_file = xstrdup(p->daemon_ca_file);
	parse_bool_key(p, &ks, K_INSECURE, &a->insecure);
	parse_tuning(p, &ks, &a->tuning);
}

static void
hook_free(struct config_hook *h)
{
	free(h->name);
	free(h->file);
	free(h->account);
	types_free(h->types, h->ntypes);
	free(h->command);
	free(h);
}

static void
load_hook(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_hook	*h;
	struct keyset		 ks;

	keyset_fill(p, s, &ks);
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(s->name);
	h->file = xstrdup(p->file);
	h->line = s->line;
	TAILQ_INSERT_TAIL(&cfg->hooks, h, entry);

	if (ks.val[K_COMMAND] != NULL)
		h->command = xstrdup(ks.val[K_COMMAND]);
	else if (ks.line[K_COMMAND] == 0)
		parser_error(p, s->line, "%s needs command = (a shell command "
		    "to run on changes)", s->label);
	if (ks.val[K_ACCOUNT] != NULL) {
		h->account = xstrdup(ks.val[K_ACCOUNT]);
		if (config_find_account(cfg, h->account) == NULL)
			parser_error(p, ks.line[K_ACCOUNT], "%s names account "
			    "'%s' but there is no [account %s]: fix the name "
			    "or add the account", s->label, h->account,
			    h->account);
	}
	if (ks.val[K_TYPES] != NULL)
		parse_types(p, ks.line[K_TYPES], ks.val[K_TYPES], &h->types,
		    &h->ntypes);
}

static struct config *
config_build(struct parser *p)
{
	struct config	*cfg;

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(p->file);
	cfg->log_level = -1;
	tuning_defaults(&cfg->defaults);
	TAILQ_INIT(&cfg->accounts);
	TAILQ_INIT(&cfg->hooks);

	/* [daemon] first: its values are every account's starting point. */
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_DAEMON)
			load_daemon(p, cfg, p->secs[i]);
	if (cfg->state_dir == NULL)
		cfg->state_dir = config_default_state_dir();
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_ACCOUNT)
			load_account(p, cfg, p->secs[i]);
	/* After every account, so that a hook may name a later one. */
	for (size_t i = 0; i < p->nsecs; i++)
		if (p->secs[i]->kind == SEC_HOOK)
			load_hook(p, cfg, p->secs[i]);
	if (TAILQ_EMPTY(&cfg->accounts))
		parser_error(p, 0, "no [account NAME] section: add one");
	return cfg;
}

static struct config *
config_load_buffer(const char *text, size_t len, const char *name,
    struct config_errors *errs)
{
	struct parser	 p;
	struct config	*cfg;

	memset(&p, 0, sizeof(p));
	p.file = name;
	p.text = text;
	p.len = len;
	parser_run(&p);
	cfg = config_build(&p);
	if (p.nerrs > 0) {
		config_free(cfg);
		cfg = NULL;
	}
	parser_move_errors(&p, errs);
	parser_free(&p);
	return cfg;
}

struct config *
config_load_string(const char *text, const char *name,
    struct config_errors *errs)
{
	config_errors_clear(errs);
	return config_load_buffer(text, strlen(text), name, errs);
}

static void
file_error(struct config_errors *errs, const char *path, const char *what)
{
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1,
	    sizeof(*errs->msgs));
	xasprintf(&errs->msgs[errs->n++], "%s:0: %s", path, what);
}

struct config *
config_load(const char *path, struct config_errors *errs)
{
	struct config	*cfg;
	char		*buf, *msg;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;

	config_errors_clear(errs);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(&msg, "cannot read: %s", strerror(errno));
		file_error(errs, path, msg);
		free(msg);
		return NULL;
	}
	buf = xmalloc(CONFIG_MAX_SIZE + 1);
	while ((r = read(fd, buf + len, CONFIG_MAX_SIZE + 1 - len)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(&msg, "cannot read: %s", strerror(errno));
			file_error(errs, path, msg);
			free(msg);
			free(buf);
			close(fd);
			return NULL;
		}
		len += (size_t)r;
		if (len > CONFIG_MAX_SIZE) {
			file_error(errs, path, "larger than 1 MiB: is this "
			    "really the configuration file?");
			free(buf);
			close(fd);
			return NULL;
		}
	}
	close(fd);
	cfg = config_load_buffer(buf, len, path, errs);
	free(buf);
	return cfg;
}

void
config_free(struct config *cfg)
{
	struct config_account	*a;
	struct config_hook	*h;

	if (cfg == NULL)
		return;
	while ((a = TAILQ_FIRST(&cfg->accounts)) != NULL) {
		TAILQ_REMOVE(&cfg->accounts, a, entry);
		account_free(a);
	}
	while ((h = TAILQ_FIRST(&cfg->hooks)) != NULL) {
		TAILQ_REMOVE(&cfg->hooks, h, entry);
		hook_free(h);
	}
	types_free(cfg->defaults.types, cfg->defaults.ntypes);
	free(cfg->path);
	free(cfg->state_dir);
	free(cfg);
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
	const struct config_account *a;

	TAILQ_FOREACH(a, &cfg->accounts, entry)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
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
		if (!types_has(b, nb, a[i]))
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

static char *
home_path(const char *rest)
{
	char *home, *path;

	if ((home = home_dir()) == NULL)
		home = xstrdup("/");
	xasprintf(&path, "%s%s%s", home,
	    home[strlen(home) - 1] == '/' ? "" : "/", rest);
	free(home);
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
