/* The control socket's commands (status, subscribe, reconnect, reload):
 * a client's line is parsed (output/sockproto.h), carried out through the
 * daemon's callbacks and answered with one line on the same client. */
#ifndef JP_SOCKCMDS_H
#define JP_SOCKCMDS_H

#include <stddef.h>

struct outputs_callbacks;
struct sockclient;

/* line as sockclient_line_fn gives it: NULL for one that was too long.
 * cb and c are borrowed. */
void sockcmds_run(const struct outputs_callbacks *cb, struct sockclient *c,
    const char *line, size_t len);

#endif
