/* SPDX-License-Identifier: ISC */
/*
 * jmap-pushctl watch's mail modes: --waybar and --i3blocks (a status bar's
 * line with the unread count of the chosen mailboxes, kept up from the
 * daemon's mailbox and mail events, retrying while the daemon cannot be
 * reached) and a --format template with mail fields (one line per mail
 * event).
 */
#ifndef JP_MAILBAR_H
#define JP_MAILBAR_H

enum mailbar_mode { MAILBAR_WAYBAR, MAILBAR_I3BLOCKS, MAILBAR_FORMAT };

/* Whether the --format template fmt uses a mail field ({unread}, {new},
 * {mailbox}, {from}, {subject}): then it prints one line per mail event. */
int mailbar_format_is_mail(const char *fmt);

/*
 * Runs mode against the socket at path; mailboxes is --mailboxes (NULL:
 * "inbox"), fmt the template of MAILBAR_FORMAT.  The bar modes never
 * return (they retry); MAILBAR_FORMAT returns 1 when the daemon closes the
 * connection, as watch does.  Exits 1 when the daemon refuses mailboxes.
 */
int mailbar_run(const char *path, enum mailbar_mode mode,
    const char *mailboxes, const char *fmt);

#endif
