/* SPDX-License-Identifier: ISC */
/* Parsers and helpers for single configuration values, shared by the reader
 * (config.c) and the per-key setters (keys.c); private to src/config/. */
#ifndef JP_CONFIG_VALUES_H
#define JP_CONFIG_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads the decimal digits at the start of s (at least one) into n, which
 * must not exceed max; the first character after them, NULL on error. */
const char *value_digits(const char *s, uint64_t max, uint64_t *n);
/* "90000" as "90s", "1500" as "1500ms": as a user would write it. */
void value_format_ms(uint64_t ms, char *buf, size_t len);
/* The index of word in words (exact match), n when absent. */
size_t value_find(const char *word, const char *const *words, size_t n);
/* The candidate a misspelt word most likely meant, NULL when none is close. */
const char *value_suggest(const char *word, const char *const *cands,
    size_t n);

/* Lists of strings with a count (types, accounts, mailboxes). */
void value_list_free(char **list, size_t n);
bool value_list_has(char *const *list, size_t n, const char *s);
/* Items separated by any of seps, blanks around each trimmed, empty and
 * repeated ones skipped; returns how many (0: *out is NULL). */
size_t value_split_list(const char *value, const char *seps, char ***out);

/* $HOME (else the password database) joined with rest; NULL when there is
 * no home directory.  Caller frees. */
char *value_home_path(const char *rest);

/* "250ms", "30s", "5m", "1h", "2d", a bare number is seconds; -1 on error. */
int value_parse_duration(const char *s, uint64_t *ms);
/* "1048576", "512k", "1M" (powers of 1024); -1 on error. */
int value_parse_size(const char *s, size_t *bytes);
/* yes/no/true/false/on/off/1/0; -1 on error. */
int value_parse_bool(const char *s, bool *out);
/* Splits an exec = value into words: blanks separate, '...' is literal,
 * "..." honours \" and \\, a backslash outside quotes escapes the next
 * character.  -1 with a message in err on an unterminated quote or no
 * word.  Caller frees with the NULL-terminated vector's elements. */
int value_split_argv(const char *s, char ***argv, char *err, size_t errlen);

#endif
