/* SPDX-License-Identifier: ISC */
/* The URLs JMAP itself defines, on top of transport/url.h: discovery from
 * the configured `url =` (RFC 8620 2.2) and the expansion of a Session's
 * eventSourceUrl (RFC 8620 7.3).  Pure functions: no I/O and no logging
 * (callers log). */
#ifndef JP_JMAPURL_H
#define JP_JMAPURL_H

/* What the user wrote as `url =`: "jmap.example.com", "host:8443" or
 * "[::1]:8443" -> "https://AUTHORITY/.well-known/jmap"; an http(s) URL
 * with an empty path or "/" (and no query) gets "/.well-known/jmap" as its
 * path; any other valid http(s) URL is returned unchanged (copy).  NULL
 * when neither. */
char *jmapurl_from_config(const char *s);

/* RFC 6570 expansion (url_expand()) of an eventSourceUrl template with the
 * variables types, closeafter and ping.  A URL with no '{' gets
 * "?types=..&closeafter=..&ping=.." appended ('&' when it already has a
 * query).  NULL on error: unbalanced braces, bad variable name, another
 * operator. */
char *jmapurl_expand_eventsource(const char *tmpl, const char *types,
    const char *closeafter, const char *ping);

#endif
