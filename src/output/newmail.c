/* SPDX-License-Identifier: ISC */
/*
 * What counts as new mail, and what the user sees of it.  Every string here
 * comes from the server through the mail view, which made it valid UTF-8
 * (sd-bus refuses anything else); text is cleaned again here (control
 * characters, length) and escaped where the notification server reads
 * markup.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/mailmatch.h"
#include "output/newmail.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define NEWMAIL_SUMMARY_MAX	200
#define NEWMAIL_BODY_MAX	400
/* Senders named in a burst's summary body. */
#define NEWMAIL_BURST_SENDERS	3

/* Old configs named a mailbox by role in any case or by its own name; both
 * still select, and the caller can tell the user how to write it now. */
enum newmail_match
newmail_selects(const struct mailmatch *mm, const struct mailbox *m,
    size_t *item)
{
	if (mailmatch_mailbox(mm, m->path, m->role))
		return NEWMAIL_YES;
	for (size_t i = 0; i < mm->n; i++) {
		*item = i;
		if (m->role != NULL && strcasecmp(m->role, mm->items[i]) == 0)
			return NEWMAIL_OLD_ROLE;
		if (strcmp(m->name, mm->items[i]) == 0)
			return NEWMAIL_OLD_NAME;
	}
	return NEWMAIL_NO;
}

/* The same parser as every other output's, so that the text means the same
 * mailboxes everywhere. */
struct mailmatch *
newmail_mailmatch(const struct config_notify *cfg)
{
	struct mailmatch	*mm;
	enum mailmatch_error	 why;
	char			*spec = xstrdup(""), *tmp, err[256];

	/* The config split the list at commas, trimmed each item and left
	 * out empty ones: joined again it always parses. */
	for (size_t i = 0; i < cfg->nmailboxes; i++) {
		xasprintf(&tmp, "%s%s%s", spec, i == 0 ? "" : ",",
		    cfg->mailboxes[i]);
		free(spec);
		spec = tmp;
	}
	if (mailmatch_parse(spec, &mm, &why, err, sizeof(err)) == -1)
		fatalx("notifications: [notify] %s", err);
	free(spec);
	return mm;
}

/* Whether e is new in a mailbox mm selects (*box: the id of the first,
 * one selected as mm reads it before one selected only by the old
 * meaning); notes the items that select one only by the old meaning. */
static bool
newmail_wanted(const struct mailresult_new *e,
    const struct mailbox_cache *cache, const struct mailmatch *mm,
    enum newmail_match *old, const char **box)
{
	const struct mailbox	*m;
	enum newmail_match	 how;
	bool			 wanted = false;
	size_t			 item;

	for (size_t i = 0; i < e->nbox_ids; i++) {
		if ((m = mailbox_find(cache, e->box_ids[i])) == NULL)
			continue;
		switch (how = newmail_selects(mm, m, &item)) {
		case NEWMAIL_YES:
			*box = e->box_ids[i];
			return true;
		case NEWMAIL_OLD_ROLE:
		case NEWMAIL_OLD_NAME:
			if (old != NULL)
				old[item] = how;
			if (!wanted)
				*box = e->box_ids[i];
			wanted = true;
			break;
		case NEWMAIL_NO:
			break;
		}
	}
	return wanted;
}

/* Only the new emails: the mail view already left out $seen and $draft. */
size_t
newmail_collect(const struct mailresult *r, const struct mailbox_cache *cache,
    const struct mailmatch *mm, struct newmail **out, uint64_t *count,
    enum newmail_match *old)
{
	const struct mailresult_new	*e;
	const struct mailbox		*m;
	struct newmail			*v = NULL, nm;
	size_t				 n = 0, at, item;

	*count = 0;
	for (size_t i = 0; i < r->nnews; i++) {
		e = &r->news[i];
		if (!newmail_wanted(e, cache, mm, old, &nm.box_id))
			continue;
		nm.id = e->id;
		nm.thread_id = e->thread_id;
		nm.message_id = e->message_id;
		m = mailbox_find(cache, nm.box_id);
		nm.box_path = m != NULL ? m->path : NULL;
		nm.from_name = e->nfrom > 0 ? e->from[0].name : NULL;
		nm.from_email = e->nfrom > 0 ? e->from[0].email : NULL;
		nm.subject = e->subject;
		nm.received_at = e->received_at;
		v = xreallocarray(v, n + 1, sizeof(*v));
		/* Oldest first, so that the newest notification ends on top;
		 * equal times keep the server's order. */
		for (at = n; at > 0; at--) {
			const char *prev = v[at - 1].received_at;

			if (nm.received_at == NULL || (prev != NULL &&
			    strcmp(prev, nm.received_at) <= 0))
				break;
			v[at] = v[at - 1];
		}
		v[at] = nm;
		n++;
	}
	*count = n;
	/* New mail the server did not return in Email/get (beyond the
	 * round's bound) still counts in the summary. */
	for (size_t i = 0; i < r->nboxes; i++) {
		if (r->boxes[i].unfetched == 0 ||
		    (m = mailbox_find(cache, r->boxes[i].id)) == NULL ||
		    newmail_selects(mm, m, &item) == NEWMAIL_NO)
			continue;
		*count += r->boxes[i].unfetched;
	}
	*out = v;
	return n;
}

char *
newmail_text(const char *str, size_t max, bool markup)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), i = 0, o = 0, len;
	const char		*ent;
	char			*out;

	/* Each input byte grows to 6 at most ("&quot;", U+FFFD is 3). */
	out = xmalloc(max + 8);
	while (i < n) {
		char		 buf[8];
		size_t		 blen;

		ent = NULL;
		if ((len = utf8_seqlen(str + i, n - i)) == 0) {
			memcpy(buf, UTF8_REPLACEMENT, 3);
			blen = 3;
			len = 1;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			buf[0] = ' ';
			blen = 1;
		} else if (markup && (ent = s[i] == '&' ? "&amp;" :
		    s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" :
		    s[i] == '"' ? "&quot;" : s[i] == '\'' ? "&apos;" :
		    NULL) != NULL) {
			blen = strlen(ent);
			memcpy(buf, ent, blen);
		} else {
			memcpy(buf, s + i, len);
			blen = len;
		}
		if (o + blen > max) {
			/* "…" says the text was cut. */
			if (o + 3 > max)
				o = max >= 3 ? max - 3 : 0;
			memcpy(out + o, "\xe2\x80\xa6", 3);
			o += 3;
			break;
		}
		memcpy(out + o, buf, blen);
		o += blen;
		i += len;
	}
	out[o] = '\0';
	return out;
}

char *
newmail_sender(const struct newmail *m)
{
	char *s, *name = NULL, *email = NULL;

	if (m->from_name != NULL && *m->from_name != '\0')
		name = newmail_text(m->from_name, NEWMAIL_SUMMARY_MAX, false);
	if (m->from_email != NULL && *m->from_email != '\0')
		email = newmail_text(m->from_email, NEWMAIL_SUMMARY_MAX,
		    false);
	if (name != NULL && email != NULL)
		xasprintf(&s, "%s <%s>", name, email);
	else if (name != NULL || email != NULL)
		s = xstrdup(name != NULL ? name : email);
	else
		s = xstrdup("(unknown sender)");
	free(name);
	free(email);
	return s;
}

/* The shorter form a burst lists: the name, else the address. */
static const char *
newmail_sender_short(const struct newmail *m)
{
	if (m->from_name != NULL && *m->from_name != '\0')
		return m->from_name;
	if (m->from_email != NULL && *m->from_email != '\0')
		return m->from_email;
	return "(unknown sender)";
}

/* A summary names a few senders, each once; with unknown set, more mail
 * came than the round fetched, whose senders nobody knows. */
static char *
newmail_burst_body(const struct newmail *mails, size_t n, bool unknown)
{
	const char	*names[NEWMAIL_BURST_SENDERS];
	size_t		 nnames = 0, others = 0;
	char		*list = xstrdup(""), *tmp, *body;

	/* Newest first: the mails are sorted oldest first. */
	for (size_t i = n; i > 0; i--) {
		const char	*s = newmail_sender_short(&mails[i - 1]);
		bool		 dup = false;

		for (size_t j = 0; j < nnames; j++)
			dup = dup || strcmp(names[j], s) == 0;
		if (dup)
			continue;
		if (nnames < NEWMAIL_BURST_SENDERS)
			names[nnames++] = s;
		else
			others++;
	}
	for (size_t j = 0; j < nnames; j++) {
		xasprintf(&tmp, "%s%s%s", list, j == 0 ? "" :
		    j + 1 == nnames && others == 0 && !unknown ? " and " :
		    ", ", names[j]);
		free(list);
		list = tmp;
	}
	if (unknown) {
		xasprintf(&tmp, "%s and others", list);
		free(list);
		list = tmp;
	} else if (others > 0) {
		xasprintf(&tmp, "%s and %zu other%s", list, others,
		    others == 1 ? "" : "s");
		free(list);
		list = tmp;
	}
	if (nnames == 0) {
		/* Only counted (beyond the round's bound): no sender known. */
		free(list);
		return xstrdup("");
	}
	xasprintf(&tmp, "From %s", list);
	free(list);
	body = newmail_text(tmp, NEWMAIL_BODY_MAX, true);
	free(tmp);
	return body;
}

size_t
newmail_notes(const struct newmail *mails, size_t n, uint64_t count,
    unsigned max_per_burst, struct newmail_note **out)
{
	struct newmail_note *notes;

	*out = NULL;
	if (count == 0)
		return 0;
	if (count > max_per_burst || count > n) {
		notes = xcalloc(1, sizeof(*notes));
		xasprintf(&notes->summary, "%" PRIu64 " new messages", count);
		notes->body = newmail_burst_body(mails, n, count > n);
		*out = notes;
		return 1;
	}
	notes = xcalloc(n, sizeof(*notes));
	for (size_t i = 0; i < n; i++) {
		notes[i].summary = newmail_sender(&mails[i]);
		notes[i].body = newmail_text(mails[i].subject != NULL &&
		    *mails[i].subject != '\0' ? mails[i].subject :
		    "(no subject)", NEWMAIL_BODY_MAX, true);
	}
	*out = notes;
	return n;
}

void
newmail_notes_free(struct newmail_note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(notes[i].summary);
		free(notes[i].body);
	}
	free(notes);
}

void
newmail_notify_args(const struct config_notify *cfg,
    struct newmail_notify_args *a)
{
	a->app_name = "jmap-pushd";
	a->app_icon = "mail-unread";
	a->category = "email.arrived";
	a->desktop_entry = "jmap-pushd";
	a->sound_name = "message-new-email";
	a->urgency = cfg->urgency == URGENCY_LOW ? 0 :
	    cfg->urgency == URGENCY_CRITICAL ? 2 : 1;
	a->expire_timeout = cfg->timeout_ms;
}

char *
newmail_thread_summary(const struct newmail *m, unsigned n)
{
	char *name, *s;

	name = newmail_text(newmail_sender_short(m), NEWMAIL_SUMMARY_MAX,
	    false);
	xasprintf(&s, "%s (%u)", name, n);
	free(name);
	return s;
}
