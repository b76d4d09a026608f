/* SPDX-License-Identifier: ISC */
/*
 * The test server's mail model (RFC 8621), shared by mail.c (method
 * dispatch, back-references, commits), mbox.c (mailboxes), email.c (emails)
 * and mailctl.c (the /control/mail/ endpoints).  Everything lives in memory
 * for the life of the server; nothing here is freed before exit but the
 * strings a change replaces.
 */
#ifndef TS_MAIL_H
#define TS_MAIL_H

#include "testserver.h"

/* Mailboxes per account, destroyed ones included (mailboxIds is a mask). */
#define MAIL_MAILBOXES_MAX	64

/* The four counts of a mailbox (RFC 8621 2), in this order. */
enum mbox_count {
	MBOX_TOTAL_EMAILS,
	MBOX_UNREAD_EMAILS,
	MBOX_TOTAL_THREADS,
	MBOX_UNREAD_THREADS,
	MBOX_NCOUNTS
};

struct mbox {
	char		*id;		/* "mb-inbox", ..., "mb-N" */
	char		*name;		/* any bytes but NUL */
	int		 parent;	/* index in the account's list, -1 */
	char		*role;		/* NULL: none */
	long		 sort_order;
	bool		 destroyed;
	long		 counts[MBOX_NCOUNTS];	/* as last published */
};

/* What one log record says about an object (RFC 8620 5.2). */
enum mail_kind {
	MAIL_CREATED,
	MAIL_UPDATED,
	MAIL_DESTROYED
};

/* One entry of a change log: the object `index` had `kind` in the change
 * that moved the type's state to `counter`. */
struct mail_rec {
	unsigned long	 counter;
	size_t		 index;
	enum mail_kind	 kind;
	bool		 counts_only;	/* Mailbox: only the counts moved */
};

struct mail_log {
	struct mail_rec	*v;
	size_t		 n;
	size_t		 size;
	/* States below this are forgotten: cannotCalculateChanges. */
	unsigned long	 forgotten;
};

struct email {
	size_t		 account;
	bool		 destroyed;
	size_t		 thread;	/* index of the thread's first email */
	bool		 joined;	/* another email joined its thread */
	uint64_t	 mailboxes;	/* bit i: the account's mailbox i */
	char		**keywords;	/* lower case; unordered */
	size_t		 nkeywords;
	char		*from_name;
	char		*from_email;
	char		*subject;
	char		*preview;
	char		*message_id;	/* NULL: none */
	char		 received[32];
	long		 size;
};

/* Per account: its mailboxes and both change logs. */
struct mail_account {
	struct mbox	 mboxes[MAIL_MAILBOXES_MAX];
	size_t		 nmboxes;
	struct mail_log	 email_log;
	struct mail_log	 mbox_log;
	/* Calls of Mailbox/ and Email/ methods, but state probes. */
	unsigned long	 calls;
	struct json_object *methods;	/* {"Email/get": N, ...} */
};

struct mail_model {
	struct mail_account	*accounts;	/* one per ts_state account */
	size_t			 naccounts;
	struct email		*emails;	/* "M1" is emails[0] */
	size_t			 nemails;
	size_t			 emails_size;	/* allocated */
	/* The change being made: mailboxes whose counts may move (per
	 * account) and the types it bumps (ts_type masks). */
	uint64_t		*touched;
	unsigned		 pending;
};

/* mail.c */
extern const char *const mail_count_names[MBOX_NCOUNTS];
struct mail_model *mail_model(struct ts_server *);
struct json_object *mail_error(const char *, const char *);
struct json_object *mail_response(const char *, struct json_object *,
    const char *);
struct json_object *mail_ids_arg(struct json_object *, struct json_object *,
    const char **);
bool mail_wants(struct json_object *, const char *);
void mail_log_add(struct mail_log *, unsigned long, size_t, enum mail_kind,
    bool);
void mail_log_forget(struct mail_log *, unsigned long);
typedef const char *(*mail_idof_fn)(struct ts_server *, size_t, size_t,
    char *, size_t);
struct json_object *mail_changes(struct ts_server *, int, int,
    const struct mail_log *, size_t, mail_idof_fn, struct json_object *,
    const char *, const char *);
unsigned mail_commit(struct ts_server *, size_t, unsigned);

/* mbox.c */
void mbox_init(struct mail_account *);
int mbox_find(const struct mail_account *, const char *);
int mbox_role(const struct mail_account *, const char *);
bool mbox_recount(struct ts_server *, size_t);
int mbox_create(struct ts_server *, size_t, const char *, int, const char *);
void mbox_rename(struct ts_server *, size_t, size_t, const char *, int);
bool mbox_below(const struct mail_account *, int, int);
bool mbox_has_child(const struct mail_account *, size_t);
void mbox_destroy(struct ts_server *, size_t, size_t);
struct json_object *mbox_get(struct ts_server *, int, struct json_object *,
    const char *, struct json_object *);
struct json_object *mbox_changes(struct ts_server *, int,
    struct json_object *, const char *);

/* email.c */
size_t email_add(struct ts_server *, size_t, const struct email *);
struct email *email_find(struct ts_server *, size_t, const char *);
const char *email_idof(struct ts_server *, size_t, size_t, char *, size_t);
bool email_has(const struct email *, const char *);
bool email_keyword(struct email *, const char *, bool);
void email_touch(struct ts_server *, const struct email *);
void email_changed(struct ts_server *, size_t, const struct email *,
    enum mail_kind);
struct json_object *email_get(struct ts_server *, int, struct json_object *,
    const char *, struct json_object *);
struct json_object *email_changes(struct ts_server *, int,
    struct json_object *, const char *);
struct json_object *email_query(struct ts_server *, int, struct json_object *,
    const char *);
struct json_object *email_set(struct ts_server *, int, struct json_object *,
    const char *);

#endif
