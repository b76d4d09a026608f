/* SPDX-License-Identifier: ISC */
/*
 * The configuration file.  inih splits lines into keys and values; our own
 * reader hands it the lines, so that we know the line of every key and see
 * section headers (even of sections with no keys).  The whole file is
 * collected first and interpreted afterwards (keys.c), so that [daemon] may
 * come after the accounts it gives defaults to, and so that every error is
 * found.  The result's lifetime and the default paths are configobj.c's.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config/config-int.h"
#include "config/config.h"
#include "config/values.h"
#include "config/mailmatch.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/strv.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* Longest line accepted; inih keeps the line buffer on the stack. */
#define CONFIG_MAX_LINE	4096
/* Only stops us reading /dev/zero forever: 10,000 accounts take ~1.5 MB. */
#define CONFIG_MAX_SIZE	(16 * 1024 * 1024)

static char ini_comments[] = "#;";

void
parser_error(struct parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *full;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
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
	namemap_free(p->labels);
	for (size_t i = 0; i < p->nerrs; i++)
		free(p->errs[i].msg);
	free(p->errs);
	free(p->daemon_ca_file);
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
	} else if (kind == SEC_NOTIFY) {
		s->label = xstrdup("[notify]");
	} else if (kind == SEC_MQTT) {
		s->label = xstrdup("[mqtt]");
	} else {
		s->name = xstrdup(name);
		xasprintf(&s->label, "[%s %s]",
		    kind == SEC_ACCOUNT ? "account" : kind == SEC_WEBHOOK ?
		    "webhook" : "hook", name);
		namemap_put(p->labels, s->label, s);
	}
	p->secs = xreallocarray(p->secs, p->nsecs + 1, sizeof(*p->secs));
	p->secs[p->nsecs++] = s;
	p->cur = s;
}

/* The text between '[' and ']', already cut out and NUL-terminated. */
static void
parser_section(struct parser *p, char *text)
{
	static const char *const kinds[] = {
		[SEC_DAEMON] = "daemon", [SEC_ACCOUNT] = "account",
		[SEC_HOOK] = "hook", [SEC_NOTIFY] = "notify",
		[SEC_WEBHOOK] = "webhook",
		[SEC_MQTT] = "mqtt",
	};
	static const char *const forms[] = {
		[SEC_DAEMON] = "[daemon]", [SEC_ACCOUNT] = "[account NAME]",
		[SEC_HOOK] = "[hook NAME]", [SEC_NOTIFY] = "[notify]",
		[SEC_WEBHOOK] = "[webhook NAME]",
		[SEC_MQTT] = "[mqtt]",
	};
	const size_t	 nkinds = sizeof(kinds) / sizeof(kinds[0]);
	char		*word, *name, *end, *whole, *label;
	const struct section *dup;
	const char	*s;
	size_t		 i;

	p->cur = NULL;
	p->outside = false;
	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	/* Names reach D-Bus, which refuses what is not UTF-8, and the
	 * message quotes the header: quote it repaired. */
	if (!utf8_valid(text, (size_t)(end - text))) {
		whole = utf8_sanitize(text, (size_t)(end - text), NULL);
		parser_error(p, p->lineno, "section header [%s] is not valid "
		    "UTF-8: save the file as UTF-8", whole);
		free(whole);
		return;
	}
	whole = xstrdup(text);
	word = text;
	for (name = word; *name && !isspace((unsigned char)*name); name++)
		;
	if (*name) {
		*name++ = '\0';
		while (isspace((unsigned char)*name))
			name++;
	}

	if ((i = value_find(word, kinds, nkinds)) == nkinds) {
		if ((s = value_suggest(word, kinds, nkinds)) != NULL)
			parser_error(p, p->lineno, "unknown section [%s]; did "
			    "you mean %s?", whole,
			    forms[value_find(s, kinds, nkinds)]);
		else
			parser_error(p, p->lineno, "unknown section [%s]; use "
			    "[daemon], [account NAME], [hook NAME], [notify], "
			    "[webhook NAME] or [mqtt]", whole);
		free(whole);
		return;
	}
	free(whole);
	/* [daemon], [notify] and [mqtt] are singletons without a name. */
	if (i == SEC_DAEMON || i == SEC_NOTIFY || i == SEC_MQTT) {
		if (*name) {
			parser_error(p, p->lineno, "%s takes no name: write %s",
			    forms[i], forms[i]);
			return;
		}
		for (size_t j = 0; j < p->nsecs; j++)
			if (p->secs[j]->kind == (enum section_kind)i) {
				parser_error(p, p->lineno, "second %s section: "
				    "merge it into the one on line %d",
				    forms[i], p->secs[j]->line);
				return;
			}
		parser_add_section(p, i, NULL);
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
	xasprintf(&label, "[%s %s]", kinds[i], name);
	dup = namemap_get(p->labels, label);
	free(label);
	if (dup != NULL) {
		parser_error(p, p->lineno, "duplicate [%s %s] (the first is on "
		    "line %d): rename or merge them", word, name, dup->line);
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
	parser_error(p, p->lineno, "expected KEY = VALUE, a [SECTION] header "
	    "or a # comment");
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
	if (p->lineno == 1 && len >= 3 &&
	    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
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
raw_key_append(char **value, const char *more)
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
				raw_key_append(&k->value, v);
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
		parser_error(p, p->lineno, "'%s' is outside any section: put "
		    "it under [daemon] or [account NAME]", name);
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

static struct config *
config_load_buffer(const char *text, size_t len, const char *name,
    struct config_errors *errs)
{
	struct parser	 p;
	struct config	*cfg;

	memset(&p, 0, sizeof(p));
	p.labels = namemap_new();
	p.file = name;
	p.text = text;
	p.len = len;
	parser_run(&p);
	cfg = keys_build(&p);
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
			file_error(errs, path, "larger than 16 MiB: is this "
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
