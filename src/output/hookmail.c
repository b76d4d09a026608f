/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/hookmail.h"
#include "session/mailbox.h"
#include "config/mailmatch.h"
#include "session/mailresult.h"
#include "util/xmalloc.h"

/* A run's data never has more boxes than a server has mailboxes; this
 * only keeps a damaged file from costing much. */
#define HOOKMAIL_BOXES_MAX	100000

static struct json_object *
hookmail_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_object *
hookmail_save(const struct mailresult *r)
{
	struct json_object *o = json_object_new_object(), *a, *b;

	a = json_object_new_array();
	for (size_t i = 0; i < r->nboxes; i++) {
		const struct mailresult_box *x = &r->boxes[i];

		b = json_object_new_object();
		json_object_object_add(b, "id", json_object_new_string(x->id));
		json_object_object_add(b, "path",
		    json_object_new_string(x->path));
		json_object_object_add(b, "role", hookmail_str(x->role));
		json_object_object_add(b, "unread",
		    json_object_new_int64(x->unread));
		json_object_object_add(b, "total",
		    json_object_new_int64(x->total));
		json_object_object_add(b, "events",
		    json_object_new_int64(x->events));
		json_object_object_add(b, "nnew",
		    json_object_new_int64((int64_t)x->nnew));
		json_object_object_add(b, "unfetched",
		    json_object_new_int64((int64_t)x->unfetched));
		json_object_array_add(a, b);
	}
	json_object_object_add(o, "boxes", a);
	a = json_object_new_array();
	/* Entries as on the hook's stdin: the restore reads that shape. */
	for (size_t i = 0; i < r->nnews; i++)
		json_object_array_add(a, mailresult_new_json(&r->news[i]));
	json_object_object_add(o, "news", a);
	json_object_object_add(o, "newCount",
	    json_object_new_int64((int64_t)r->new_count));
	json_object_object_add(o, "unread", json_object_new_int64(r->unread));
	json_object_object_add(o, "wanted", json_object_new_int64(r->wanted));
	return o;
}

/* A string member (made safe as the view makes server strings), or NULL
 * when absent or null; *ok goes false when it is something else, or
 * absent while required. */
static char *
hookmail_get_str(struct json_object *o, const char *key, bool required,
    bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
		if (required)
			*ok = false;
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*ok = false;
		return NULL;
	}
	return mailbox_string(v);
}

static int64_t
hookmail_get_int(struct json_object *o, const char *key, int64_t max,
    bool *ok)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int)) {
		*ok = false;
		return 0;
	}
	n = json_object_get_int64(v);
	if (n < 0 || n > max) {
		*ok = false;
		return 0;
	}
	return n;
}

static struct json_object *
hookmail_get_array(struct json_object *o, const char *key, size_t max,
    bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > max) {
		*ok = false;
		return NULL;
	}
	return v;
}

static void
hookmail_restore_new(struct json_object *b, struct mailresult_new *n,
    bool *ok)
{
	struct json_object *from, *f;
	size_t nf;

	n->id = hookmail_get_str(b, "id", true, ok);
	n->mailbox = hookmail_get_str(b, "mailbox", false, ok);
	n->subject = hookmail_get_str(b, "subject", false, ok);
	n->received_at = hookmail_get_str(b, "receivedAt", false, ok);
	n->message_id = hookmail_get_str(b, "messageId", false, ok);
	n->thread_id = hookmail_get_str(b, "threadId", false, ok);
	n->preview = hookmail_get_str(b, "preview", false, ok);
	if ((from = hookmail_get_array(b, "from", 1024, ok)) == NULL)
		return;
	nf = json_object_array_length(from);
	n->from = xcalloc(nf + 1, sizeof(*n->from));
	for (size_t i = 0; i < nf && *ok; i++) {
		f = json_object_array_get_idx(from, i);
		if (!json_object_is_type(f, json_type_object)) {
			*ok = false;
			break;
		}
		n->from[i].name = hookmail_get_str(f, "name", false, ok);
		n->from[i].email = hookmail_get_str(f, "email", false, ok);
		n->nfrom++;
	}
}

int
hookmail_restore(struct json_object *o, struct mailresult *out)
{
	struct json_object *boxes, *news, *b;
	bool ok = true;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(o, json_type_object))
		return -1;
	boxes = hookmail_get_array(o, "boxes", HOOKMAIL_BOXES_MAX, &ok);
	news = hookmail_get_array(o, "news", MAILRESULT_NEW_MAX, &ok);
	out->new_count = (uint64_t)hookmail_get_int(o, "newCount",
	    MAILBOX_COUNT_MAX, &ok);
	out->unread = hookmail_get_int(o, "unread", INT64_MAX, &ok);
	out->wanted = (unsigned)hookmail_get_int(o, "wanted",
	    MAILMATCH_ALL_EVENTS, &ok);
	n = ok ? json_object_array_length(boxes) : 0;
	out->boxes = xcalloc(n + 1, sizeof(*out->boxes));
	for (size_t i = 0; i < n && ok; i++) {
		struct mailresult_box *x = &out->boxes[out->nboxes++];

		b = json_object_array_get_idx(boxes, i);
		if (!json_object_is_type(b, json_type_object)) {
			ok = false;
			break;
		}
		x->id = hookmail_get_str(b, "id", true, &ok);
		x->path = hookmail_get_str(b, "path", true, &ok);
		x->role = hookmail_get_str(b, "role", false, &ok);
		x->unread = hookmail_get_int(b, "unread", MAILBOX_COUNT_MAX,
		    &ok);
		x->total = hookmail_get_int(b, "total", MAILBOX_COUNT_MAX, &ok);
		x->events = (unsigned)hookmail_get_int(b, "events",
		    MAILMATCH_ALL_EVENTS, &ok);
		x->nnew = (uint64_t)hookmail_get_int(b, "nnew",
		    MAILBOX_COUNT_MAX, &ok);
		x->unfetched = (uint64_t)hookmail_get_int(b, "unfetched",
		    MAILBOX_COUNT_MAX, &ok);
	}
	n = ok ? json_object_array_length(news) : 0;
	out->news = xcalloc(n + 1, sizeof(*out->news));
	for (size_t i = 0; i < n && ok; i++) {
		b = json_object_array_get_idx(news, i);
		if (!json_object_is_type(b, json_type_object)) {
			ok = false;
			break;
		}
		hookmail_restore_new(b, &out->news[out->nnews++], &ok);
	}
	if (!ok) {
		mailresult_clear(out);
		return -1;
	}
	return 0;
}
