/* SPDX-License-Identifier: ISC */
/* Files of the state directory, for the state files and the outputs'
 * queues. */
#ifndef JP_STATEDIR_H
#define JP_STATEDIR_H

#include <stddef.h>

/* prefix, the name as in a store's file name (percent-encoded unless it
 * is [A-Za-z0-9._-]+ not starting with '.'), and suffix; allocated. */
char *statedir_file_name(const char *prefix, const char *name,
    const char *suffix);
/*
 * Writes text to path (in dir, named file there) atomically and durably:
 * dir/.file.tmp-PID with mode 0600, fsync, renamed over path, dir synced.
 * What store_save() and the outputs' queues do.  -1 with errno, *what
 * the step that failed ("create", "write", "fsync", "close", "rename",
 * "open") and *where what it failed on (allocated; the caller frees it;
 * NULL after success); nothing is logged and the old file stays.
 */
int statedir_write_file(const char *dir, const char *file, const char *path,
    const char *text, const char **what, char **where);
/* One file of statedir_write_files(). */
struct statedir_write {
	const char *dir, *file, *path, *text;	/* in, borrowed */
	const char *what;	/* out: NULL, or the step that failed */
	char *where;		/* out: what it failed on, allocated, or NULL */
	int error;		/* out: errno of the failure */
};
/*
 * statedir_write_file() for n files at once, each whole or not at all:
 * every temporary file written, their data synced with one syncfs() per
 * directory (one fsync() when n is 1), renamed, and each directory synced
 * once.  Two syncs however many files, where one file at a time costs two
 * each (7 ms each on a common VM disk: 1,000 accounts saving after a
 * burst held the loop for 14 s).  -1 when any failed (see each what).
 */
int statedir_write_files(struct statedir_write *w, size_t n);
/* mkdir -p with mode 0700; -1 when dir cannot be made or used (logged). */
int statedir_mkdirs(const char *dir);

/* Removes dir/.file.tmp-PID files whose process is gone (a writer that
 * crashed), never those of a live process.  The directory is listed once
 * per directory and process: a scan per account made opening 10,000
 * accounts quadratic. */
void statedir_remove_stale(const char *dir, const char *file);

#endif
