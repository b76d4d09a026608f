/* The daemon's glue: config, accounts, outputs, signals, reload, systemd
 * notification, and orderly shutdown. */
#ifndef JP_DAEMON_H
#define JP_DAEMON_H

struct account;
struct daemon;
struct store;

/* Runs until SIGTERM/SIGINT; returns the process exit status.  log_level is
 * the command line's choice, or -1 to take the config file's. */
int daemon_run(const char *config_path, int log_level);

/* For outputs that take commands (the socket, D-Bus). */
typedef void (*daemon_account_fn)(struct account *, void *arg);
void daemon_foreach_account(struct daemon *, daemon_account_fn, void *arg);
struct account *daemon_find_account(struct daemon *, const char *name);
/* The durable store of the account named so, a closing one too (a reload or
 * the stop); NULL when none is open.  For the hooks' pending runs. */
struct store *daemon_account_store(struct daemon *, const char *name);
/* name NULL: every account.  -1 when no account has that name. */
int daemon_reconnect(struct daemon *, const char *name);
/* Re-reads the config file, as SIGHUP does; -1 when the new one has errors
 * (logged) and the running one stays. */
int daemon_reload(struct daemon *);

#endif
