/* SPDX-License-Identifier: ISC */
/*
 * Mailboxes (RFC 8621 2): every account starts with the same tree of
 * roles and nested folders, ids kept stable for the tests ("mb-inbox",
 * "mb-archive", ...); /control/mail/mailbox creates ("mb-N"), renames and
 * destroys more.  Counts follow RFC 8621 2, the Trash rules of
 * unreadThreads included, and are recounted for the mailboxes a change
 * touched: a count that moved is a Mailbox update that changed only
 * counts, which Mailbox/changes reports through updatedProperties.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "mail.h"

static const struct {
	const char	*id;
	const char	*name;
	int		 parent;
	const char	*role;
} mbox_tree[] = {
	{ "mb-inbox", "Inbox", -1, "inbox" },
	{ "mb-drafts", "Drafts", -1, "drafts" },
	{ "mb-sent", "Sent", -1, "sent" },
	{ "mb-trash", "Trash", -1, "trash" },
	{ "mb-junk", "Junk", -1, "junk" },
	{ "mb-archive", "Archive", -1, "archive" },
	{ "mb-work", "Work", -1, NULL },
	{ "mb-projects", "Projects", 6, NULL },
	{ "mb-lists", "Lists", -1, NULL },
	{ "mb-rust", "rust", 8, NULL },
};
#define MBOX_TREE	(sizeof(mbox_tree) / sizeof(mbox_tree[0]))

/* A fresh account: the tree above, empty. */
void
mbox_init(struct mail_account *a)
{
	for (size_t i = 0; i < MBOX_TREE; i++) {
		struct mbox *b = &a->mboxes[i];

		b->id = xstrdup(mbox_tree[i].id);
		b->name = xstrdup(mbox_tree[i].name);
		b->parent = mbox_tree[i].parent;
		b->role = mbox_tree[i].role != NULL ?
		    xstrdup(mbox_tree[i].role) : NULL;
		b->sort_order = (long)(i + 1) * 10;
	}
	a->nmboxes = MBOX_TREE;
}

/* The path: each ancestor's name, top down, joined with "/".  Freed by
 * the caller. */
static char *
mbox_path(const struct mail_account *a, size_t i)
{
	char *path = xstrdup(a->mboxes[i].name), *up;

	for (int p = a->mboxes[i].parent; p >= 0; p = a->mboxes[p].parent) {
		xasprintf(&up, "%s/%s", a->mboxes[p].name, path);
		free(path);
		path = up;
	}
	return path;
}

/* The live mailbox with this role, or -1. */
int
mbox_role(const struct mail_account *a, const char *role)
{
	for (size_t i = 0; i < a->nmboxes; i++)
		if (!a->mboxes[i].destroyed && a->mboxes[i].role != NULL &&
		    strcmp(a->mboxes[i].role, role) == 0)
			return (int)i;
	return -1;
}

/* A live mailbox by id, else by role, else by path; -1 when none. */
int
mbox_find(const struct mail_account *a, const char *key)
{
	int found = -1;

	for (size_t i = 0; i < a->nmboxes; i++)
		if (!a->mboxes[i].destroyed &&
		    strcmp(a->mboxes[i].id, key) == 0)
			return (int)i;
	if ((found = mbox_role(a, key)) != -1)
		return found;
	for (size_t i = 0; i < a->nmboxes && found == -1; i++) {
		char *path;

		if (a->mboxes[i].destroyed)
			continue;
		path = mbox_path(a, i);
		if (strcmp(path, key) == 0)
			found = (int)i;
		free(path);
	}
	return found;
}

static const char *
mbox_idof(struct ts_server *s, size_t account, size_t i, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s", mail_model(s)->accounts[account].mboxes[i].id);
	return buf;
}

static bool
mbox_unread(const struct email *e)
{
	return !email_has(e, "$seen") && !email_has(e, "$draft");
}

/* RFC 8621 2: the four counts of mailbox i of the account. */
static void
mbox_count(struct ts_server *s, size_t account, size_t i,
    long counts[MBOX_NCOUNTS])
{
	struct mail_model *m = mail_model(s);
	int trash = mbox_role(&m->accounts[account], "trash");
	uint64_t bit = (uint64_t)1 << i, tbit = trash >= 0 ?
	    (uint64_t)1 << trash : 0;
	unsigned char *in = xcalloc(m->nemails + 1, 1);
	unsigned char *unread = xcalloc(m->nemails + 1, 1);

	memset(counts, 0, MBOX_NCOUNTS * sizeof(*counts));
	for (size_t j = 0; j < m->nemails; j++) {
		const struct email *e = &m->emails[j];

		if (e->destroyed || e->account != account)
			continue;
		if (e->mailboxes & bit) {
			counts[MBOX_TOTAL_EMAILS]++;
			if (mbox_unread(e))
				counts[MBOX_UNREAD_EMAILS]++;
			if (!in[e->thread])
				counts[MBOX_TOTAL_THREADS]++;
			in[e->thread] = 1;
		}
		/* Trash: only its own emails count; elsewhere, emails only
		 * in the Trash do not. */
		if (mbox_unread(e) && ((int)i == trash ?
		    (e->mailboxes & tbit) != 0 : e->mailboxes != tbit))
			unread[e->thread] = 1;
	}
	for (size_t t = 0; t < m->nemails; t++)
		if (in[t] && unread[t])
			counts[MBOX_UNREAD_THREADS]++;
	free(in);
	free(unread);
}

/*
 * Recounts the mailboxes the change touched; each whose counts moved gets
 * a counts-only update in the Mailbox log.  Returns whether any moved.
 */
bool
mbox_recount(struct ts_server *s, size_t account)
{
	struct mail_model *m = mail_model(s);
	struct mail_account *a = &m->accounts[account];
	unsigned long next = s->state.accounts[account].counter[TS_MAILBOX] + 1;
	long counts[MBOX_NCOUNTS];
	bool any = false;

	for (size_t i = 0; i < a->nmboxes; i++) {
		if (!(m->touched[account] & ((uint64_t)1 << i)) ||
		    a->mboxes[i].destroyed)
			continue;
		mbox_count(s, account, i, counts);
		if (memcmp(counts, a->mboxes[i].counts, sizeof(counts)) == 0)
			continue;
		memcpy(a->mboxes[i].counts, counts, sizeof(counts));
		mail_log_add(&a->mbox_log, next, i, MAIL_UPDATED, true);
		any = true;
	}
	return any;
}

/* A structural change (create, rename, destroy) of mailbox i. */
static void
mbox_changed(struct ts_server *s, size_t account, size_t i,
    enum mail_kind kind)
{
	struct mail_model *m = mail_model(s);

	mail_log_add(&m->accounts[account].mbox_log,
	    s->state.accounts[account].counter[TS_MAILBOX] + 1, i, kind,
	    false);
	m->pending |= 1u << TS_MAILBOX;
}

/* A new mailbox under parent (-1: top level); -1 when the account has no
 * room left. */
int
mbox_create(struct ts_server *s, size_t account, const char *name,
    int parent, const char *role)
{
	struct mail_account *a = &mail_model(s)->accounts[account];
	struct mbox *b;

	if (a->nmboxes == MAIL_MAILBOXES_MAX)
		return -1;
	b = &a->mboxes[a->nmboxes];
	memset(b, 0, sizeof(*b));
	xasprintf(&b->id, "mb-%zu", a->nmboxes + 1);
	b->name = xstrdup(name);
	b->parent = parent;
	b->role = role != NULL ? xstrdup(role) : NULL;
	b->sort_order = (long)(a->nmboxes + 1) * 10;
	mbox_changed(s, account, a->nmboxes, MAIL_CREATED);
	return (int)a->nmboxes++;
}

/* A new name (NULL: keep) and parent (-2: keep, -1: top level). */
void
mbox_rename(struct ts_server *s, size_t account, size_t i, const char *name,
    int parent)
{
	struct mbox *b = &mail_model(s)->accounts[account].mboxes[i];

	if (name != NULL) {
		free(b->name);
		b->name = xstrdup(name);
	}
	if (parent != -2)
		b->parent = parent;
	mbox_changed(s, account, i, MAIL_UPDATED);
}

/* Whether a live mailbox has i as its parent (or ancestor of parent). */
bool
mbox_below(const struct mail_account *a, int i, int ancestor)
{
	for (; i >= 0; i = a->mboxes[i].parent)
		if (i == ancestor)
			return true;
	return false;
}

bool
mbox_has_child(const struct mail_account *a, size_t i)
{
	for (size_t j = 0; j < a->nmboxes; j++)
		if (!a->mboxes[j].destroyed && a->mboxes[j].parent == (int)i)
			return true;
	return false;
}

/*
 * Destroys mailbox i as Mailbox/set with onDestroyRemoveEmails: emails in
 * no other mailbox are destroyed, the others leave it.
 */
void
mbox_destroy(struct ts_server *s, size_t account, size_t i)
{
	struct mail_model *m = mail_model(s);
	uint64_t bit = (uint64_t)1 << i;

	for (size_t j = 0; j < m->nemails; j++) {
		struct email *e = &m->emails[j];

		if (e->destroyed || e->account != account ||
		    !(e->mailboxes & bit))
			continue;
		email_touch(s, e);
		e->mailboxes &= ~bit;
		if (e->mailboxes == 0)
			e->destroyed = true;
		email_changed(s, account, e, e->destroyed ? MAIL_DESTROYED :
		    MAIL_UPDATED);
		email_touch(s, e);
	}
	m->accounts[account].mboxes[i].destroyed = true;
	m->touched[account] &= ~bit;
	mbox_changed(s, account, i, MAIL_DESTROYED);
}

static struct json_object *
mbox_json(const struct mail_account *a, size_t i, struct json_object *props)
{
	const struct mbox *b = &a->mboxes[i];
	struct json_object *o = json_object_new_object(), *rights;
	static const char *const rights_names[] = {
		"mayReadItems", "mayAddItems", "mayRemoveItems",
		"maySetSeen", "maySetKeywords", "mayCreateChild", "mayRename",
		"mayDelete", "maySubmit"
	};

	json_object_object_add(o, "id", json_object_new_string(b->id));
	if (mail_wants(props, "name"))
		json_object_object_add(o, "name",
		    json_object_new_string(b->name));
	if (mail_wants(props, "parentId"))
		json_object_object_add(o, "parentId", b->parent < 0 ? NULL :
		    json_object_new_string(a->mboxes[b->parent].id));
	if (mail_wants(props, "role"))
		json_object_object_add(o, "role", b->role == NULL ? NULL :
		    json_object_new_string(b->role));
	if (mail_wants(props, "sortOrder"))
		json_object_object_add(o, "sortOrder",
		    json_object_new_int64(b->sort_order));
	for (size_t c = 0; c < MBOX_NCOUNTS; c++)
		if (mail_wants(props, mail_count_names[c]))
			json_object_object_add(o, mail_count_names[c],
			    json_object_new_int64(b->counts[c]));
	if (mail_wants(props, "myRights")) {
		rights = json_object_new_object();
		for (size_t r = 0; r < sizeof(rights_names) /
		    sizeof(rights_names[0]); r++)
			json_object_object_add(rights, rights_names[r],
			    json_object_new_boolean(1));
		json_object_object_add(o, "myRights", rights);
	}
	if (mail_wants(props, "isSubscribed"))
		json_object_object_add(o, "isSubscribed",
		    json_object_new_boolean(1));
	return o;
}

/* Mailbox/get: ids (or #ids; null: all live ones, in tree order) and
 * properties (id always). */
struct json_object *
mbox_get(struct ts_server *s, int account, struct json_object *args,
    const char *call_id, struct json_object *responses)
{
	struct mail_account *a = &mail_model(s)->accounts[account];
	struct json_object *ids, *props = NULL, *out, *list, *nf;
	const char *err;
	char state[32];
	int i;

	ids = mail_ids_arg(args, responses, &err);
	if (err != NULL)
		return mail_error(err, call_id);
	if (json_object_object_get_ex(args, "properties", &props) &&
	    json_object_is_type(props, json_type_null))
		props = NULL;
	if (props != NULL && !json_object_is_type(props, json_type_array)) {
		json_object_put(ids);
		return mail_error("invalidArguments", call_id);
	}
	list = json_object_new_array();
	nf = json_object_new_array();
	for (size_t j = 0; ids == NULL && j < a->nmboxes; j++)
		if (!a->mboxes[j].destroyed)
			json_object_array_add(list, mbox_json(a, j, props));
	for (size_t j = 0; ids != NULL && j < json_object_array_length(ids);
	    j++) {
		struct json_object *id = json_object_array_get_idx(ids, j);

		for (i = 0; i < (int)a->nmboxes; i++)
			if (!a->mboxes[i].destroyed && strcmp(a->mboxes[i].id,
			    json_object_get_string(id)) == 0)
				break;
		if (i < (int)a->nmboxes)
			json_object_array_add(list, mbox_json(a, (size_t)i,
			    props));
		else
			json_object_array_add(nf, json_object_get(id));
	}
	json_object_put(ids);
	state_string(&s->state, account, TS_MAILBOX, state, sizeof(state));
	out = json_object_new_object();
	json_object_object_add(out, "accountId", json_object_new_string(
	    s->state.accounts[account].id));
	json_object_object_add(out, "state", json_object_new_string(state));
	json_object_object_add(out, "list", list);
	json_object_object_add(out, "notFound", nf);
	return mail_response("Mailbox/get", out, call_id);
}

struct json_object *
mbox_changes(struct ts_server *s, int account, struct json_object *args,
    const char *call_id)
{
	struct mail_account *a = &mail_model(s)->accounts[account];

	return mail_changes(s, account, TS_MAILBOX, &a->mbox_log, a->nmboxes,
	    mbox_idof, args, "Mailbox/changes", call_id);
}
