/* SPDX-License-Identifier: ISC */
/* The D-Bus service's signals, built but not sent: StateChanged from a
 * change, ConnectionChanged from an account's status, MailboxesChanged and
 * NewMail from a round of the mail view, and GetMailboxes' items.  sd-bus
 * needs a bus to make a message; nothing is read or written on it here. */
#ifndef JP_DBUSMSG_H
#define JP_DBUSMSG_H

#include <stdint.h>

#include <systemd/sd-bus.h>

struct mailbox_cache;
struct mailresult;
struct push_event;

/* 0 and the new message in *m (the caller unrefs it), or a negative errno
 * and *m NULL: sd-bus refuses a string of ev that is not UTF-8.  The
 * changed types whose state is not a string are left out; a missing
 * pushState is "". */
int dbusmsg_state(sd_bus *, const struct push_event *ev, sd_bus_message **m);
/* As dbusmsg_state.  error NULL is ""; one that is not UTF-8 (it may quote
 * what a TLS library read from a certificate) is repaired, not refused. */
int dbusmsg_connection(sd_bus *, const char *account, const char *status,
    const char *error, sd_bus_message **m);
/*
 * MailboxesChanged(s account, s accountId, a(sssuu)): (id, path, role or
 * "", unread, total) of the mailboxes whose counts, name, parent or role
 * changed in the round r, or every mailbox of cache (after it) when
 * mailboxes were created, renamed or destroyed.  0 and *m NULL when there
 * is nothing to say; else as dbusmsg_state.  r and cache are borrowed.
 */
int dbusmsg_mailboxes_changed(sd_bus *, const char *account,
    const char *account_id, const struct mailresult *r,
    const struct mailbox_cache *cache, sd_bus_message **m);
/*
 * NewMail(s account, s accountId, a(ssssssx)): each new email of the round
 * (at most MAILRESULT_NEW_MAX): id, mailbox path, the first sender's name
 * ("" if none) and address, subject, threadId, receivedAt in Unix seconds
 * (0 when unknown).  0 and *m NULL when nothing is new.
 */
int dbusmsg_new_mail(sd_bus *, const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    sd_bus_message **m);
/* Appends GetMailboxes' items (ssssuu) for cache's mailboxes, in path
 * order, to m inside its a(ssssuu): accountId, id, path, role or "",
 * unread, total. */
int dbusmsg_append_mailboxes(sd_bus_message *m, const char *account_id,
    const struct mailbox_cache *cache);
/* An RFC 3339 date-time as Unix seconds, 0 when it is not one. */
int64_t dbusmsg_unix_time(const char *s);

#endif
