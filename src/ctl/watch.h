/* SPDX-License-Identifier: ISC */
/* jmap-pushctl watch: how events are shown. */
#ifndef JP_WATCH_H
#define JP_WATCH_H

#include <stdio.h>

struct json_object;

enum watch_mode { WATCH_HUMAN, WATCH_JSON, WATCH_FORMAT };

/* Prints one line: fmt with each {field} replaced by ev's field ("types"
 * and "changed" list the changed types, the latter with their states); \n
 * and \t are escapes. */
void watch_print_format(const char *fmt, struct json_object *ev);

/* Shows the daemon's events on f in mode (fmt: the --format template)
 * until the daemon closes the connection, which is an error: returns 1. */
int watch_run(FILE *f, enum watch_mode mode, const char *fmt);

#endif
