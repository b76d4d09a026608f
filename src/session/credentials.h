/* SPDX-License-Identifier: ISC */
/* Credentials for an account, fetched fresh for every connection (tokens
 * expire): a command's first line of output or a file's first line, turned
 * into an Authorization header value. */
#ifndef JP_CREDENTIALS_H
#define JP_CREDENTIALS_H

struct config_account;
struct event_base;
struct credentials_req;

/* authorization is "Basic ..." or "Bearer ...", or NULL with error set; it
 * is wiped after the callback returns, so copy what must outlive it. */
typedef void (*credentials_cb)(const char *authorization, const char *error,
    void *arg);

/* Starts fetching; the callback runs on a later loop turn, never before
 * this returns.  An account without a secret gets a NULL authorization and
 * a NULL error (no authentication). */
struct credentials_req *credentials_get(struct event_base *,
    const struct config_account *, credentials_cb cb, void *arg);
/* The same, but the callback gets the secret itself (the first line of
 * password_file or of password_command's output) where credentials_get()
 * gives the Authorization header: for logins that are no HTTP (MQTT).
 * Wiped after the callback returns, as there. */
struct credentials_req *credentials_get_raw(struct event_base *,
    const struct config_account *, credentials_cb cb, void *arg);
/* The callback is not called after this. */
void credentials_cancel(struct credentials_req *);

/* Reads the first line of a secret file, refusing one that group or others
 * may read.  -1 with a message in *error (allocated). */
int credentials_read_file(const char *path, char **secret, char **error);
/* "Basic base64(user:password)" or "Bearer token"; allocated. */
char *credentials_header(const char *username, const char *secret,
    int bearer);

#endif
