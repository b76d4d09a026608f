/* SPDX-License-Identifier: ISC */
/*
 * UTF-8 checks and repair for every string a server sends: JSON written to
 * the socket and to hooks, D-Bus arguments (sd-bus refuses invalid UTF-8)
 * and log lines must stay valid whatever bytes came in.
 */
#ifndef JP_UTF8_H
#define JP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The encoding of U+FFFD REPLACEMENT CHARACTER. */
#define UTF8_REPLACEMENT	"\xef\xbf\xbd"

/*
 * Length (1 to 4) of the well-formed sequence starting s[0..n), 0 when s
 * does not start one: stray continuation bytes, overlong forms, surrogates
 * and code points above U+10FFFF are all ill-formed (RFC 3629).
 */
size_t	 utf8_seqlen(const char *s, size_t n);

/* Whether all of s[0..n) is well-formed; NUL bytes count as characters. */
bool	 utf8_valid(const char *s, size_t n);

/*
 * A copy of s[0..n) with every ill-formed byte replaced by U+FFFD, always
 * NUL-terminated, its length in *outlen (may be NULL).  Caller frees.
 */
char	*utf8_sanitize(const char *s, size_t n, size_t *outlen);

/*
 * A copy of s[0..n) decoded as the WHATWG Encoding standard's "UTF-8
 * decode" does (what an event stream must be read with): each maximal
 * subpart of an ill-formed sequence (a lead byte and the continuation bytes
 * it accepts before the one that breaks it) becomes one U+FFFD, where
 * utf8_sanitize() replaces each byte.  Always NUL-terminated, its length in
 * *outlen (may be NULL).  Caller frees.
 */
char	*utf8_decode(const char *s, size_t n, size_t *outlen);

/*
 * s copied into buf (size bytes, size >= 4) as one safe line for a log or
 * a terminal: ill-formed bytes become U+FFFD; control characters (C0 but
 * tab, DEL and C1, which terminals may obey) become '?'.  Cut on a character
 * boundary when it does not fit.  Returns buf.
 */
char	*utf8_line(char *buf, size_t size, const char *s);

#endif
