/* SPDX-License-Identifier: ISC */
/* jmap-pushctl watch: how events are shown. */
#ifndef JP_WATCH_H
#define JP_WATCH_H

#include <stdio.h>

enum watch_mode { WATCH_HUMAN, WATCH_JSON, WATCH_FORMAT, WATCH_WAYBAR };

/* Shows the daemon's events on f in mode (fmt: the --format template)
 * until the daemon closes the connection, which is an error: returns 1. */
int watch_run(FILE *f, enum watch_mode mode, const char *fmt);

#endif
