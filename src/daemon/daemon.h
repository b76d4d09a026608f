/* SPDX-License-Identifier: ISC */
/* The daemon's glue: config, accounts, outputs, signals, reload, systemd
 * notification, and orderly shutdown. */
#ifndef JP_DAEMON_H
#define JP_DAEMON_H

/* Runs until SIGTERM/SIGINT; returns the process exit status.  log_level is
 * the command line's choice, or -1 to take the config file's. */
int daemon_run(const char *config_path, int log_level);

#endif
