/* SPDX-License-Identifier: ISC */
/*
 * Files of the state directory: the directory made, file names made safe
 * from account and output names, files written atomically and durably,
 * and the temporary files of crashed writers removed.  Shared by the
 * accounts' state files (store.c) and the outputs' queues (queuefile.c).
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/statedir.h"
#include "util/log.h"
#include "util/xmalloc.h"

static bool
statedir_name_plain(const char *s)
{
	if (*s == '\0' || *s == '.')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return false;
	return true;
}

/* Injective: '%' itself is encoded, and no plain name is "%" (empty). */
char *
statedir_file_name(const char *prefix, const char *account,
    const char *suffix)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(account), plen = strlen(prefix);
	char *enc, *p;

	if (statedir_name_plain(account)) {
		xasprintf(&enc, "%s%s%s", prefix, account, suffix);
		return enc;
	}
	if (len == 0) {
		xasprintf(&enc, "%s%%%s", prefix, suffix);
		return enc;
	}
	enc = xmalloc(plen + len * 3 + strlen(suffix) + 1);
	memcpy(enc, prefix, plen);
	p = enc + plen;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)account[i];
		bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (c == '.' && i > 0);

		if (keep) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 0xf];
		}
	}
	strcpy(p, suffix);
	return enc;
}

/* mkdir -p; every directory created is private to the user. */
int
statedir_mkdirs(const char *dir)
{
	char *tmp;
	struct stat st;

	if (*dir == '\0') {
		log_warnx("the state directory is an empty string");
		return -1;
	}
	tmp = xstrdup(dir);
	for (char *p = tmp + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		bool last = *p == '\0';

		*p = '\0';
		if (mkdir(tmp, 0700) == -1 && errno != EEXIST) {
			log_warn("cannot create state directory %s", tmp);
			free(tmp);
			return -1;
		}
		if (last)
			break;
		*p = '/';
	}
	free(tmp);
	if (stat(dir, &st) == -1) {
		log_warn("state directory %s", dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("state directory %s is not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		log_warn("state directory %s is not writable", dir);
		return -1;
	}
	return 0;
}

/*
 * Temporary files in a state directory, listed once per directory: a scan
 * of the whole directory for each account made opening 10,000 accounts
 * quadratic.  A temporary file that appears later belongs to a live
 * writer, which must be left alone anyway.
 */
static struct {
	char *dir;
	char **names;
	size_t n;
} statedir_tmps;

static void
statedir_list_tmps(const char *dir)
{
	struct dirent *de;
	DIR *d;

	if (statedir_tmps.dir != NULL && strcmp(statedir_tmps.dir, dir) == 0)
		return;
	for (size_t i = 0; i < statedir_tmps.n; i++)
		free(statedir_tmps.names[i]);
	free(statedir_tmps.names);
	free(statedir_tmps.dir);
	statedir_tmps.names = NULL;
	statedir_tmps.n = 0;
	statedir_tmps.dir = xstrdup(dir);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strstr(de->d_name, ".tmp-") == NULL)
			continue;
		statedir_tmps.names = xreallocarray(statedir_tmps.names,
		    statedir_tmps.n + 1, sizeof(*statedir_tmps.names));
		statedir_tmps.names[statedir_tmps.n++] = xstrdup(de->d_name);
	}
	closedir(d);
}

void
statedir_remove_stale(const char *dir, const char *file)
{
	char *prefix;
	size_t plen;

	statedir_list_tmps(dir);
	plen = (size_t)xasprintf(&prefix, ".%s.tmp-", file);
	for (size_t i = 0; i < statedir_tmps.n; i++) {
		const char *name = statedir_tmps.names[i];
		char *end, *path;
		long pid;

		if (strncmp(name, prefix, plen) != 0)
			continue;
		errno = 0;
		pid = strtol(name + plen, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT32_MAX)
			continue;
		if ((pid_t)pid == getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		xasprintf(&path, "%s/%s", dir, name);
		if (unlink(path) == 0)
			log_debug("removed stale %s", path);
		free(path);
	}
	free(prefix);
}

static int
statedir_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes w's text to its temporary file tmp, synced when sync; 0, or -1
 * with w->what set and tmp taken as w->where (the file removed). */
static int
statedir_write_tmp(struct statedir_write *w, char *tmp, bool sync)
{
	int fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		w->what = "create";
		w->where = tmp;
		return -1;
	}
	if (statedir_write_all(fd, w->text, strlen(w->text)) == -1)
		w->what = "write";
	else if (sync && fsync(fd) == -1)
		w->what = "fsync";
	if (close(fd) == -1 && w->what == NULL)
		w->what = "close";
	if (w->what != NULL) {
		int e = errno;

		unlink(tmp);
		w->where = tmp;
		errno = e;
		return -1;
	}
	return 0;
}

/* Calls step on dir once: fsync (dirs) or syncfs (data) of the directory
 * itself.  NULL, or the step that failed with errno set. */
static const char *
statedir_sync_dir(const char *dir, bool data)
{
	int dfd, r;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return "open";
	r = data ? syncfs(dfd) : fsync(dfd);
	if (r == -1 && (data || errno != EINVAL)) {
		int e = errno;

		close(dfd);
		errno = e;
		return data ? "syncfs" : "fsync";
	}
	close(dfd);
	return NULL;
}

/* Whether w[i]'s directory is one of w[0..i) that are still going (each
 * directory is synced once). */
static bool
statedir_dir_seen(const struct statedir_write *w, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (w[k].what == NULL && strcmp(w[k].dir, w[i].dir) == 0)
			return true;
	return false;
}

/* Marks every entry of dir still going as failed at what (errno kept). */
static void
statedir_fail_dir(struct statedir_write *w, size_t n, const char *dir,
    const char *what)
{
	int e = errno;

	for (size_t k = 0; k < n; k++) {
		if (w[k].what != NULL || strcmp(w[k].dir, dir) != 0)
			continue;
		w[k].what = what;
		w[k].error = e;
		w[k].where = xstrdup(dir);
	}
}

int
statedir_write_files(struct statedir_write *w, size_t n)
{
	char **tmp = xcalloc(n, sizeof(*tmp));
	const char *what;
	int r = 0;

	/* The data first, of every file: one fsync for a single file, one
	 * syncfs per file system for many. */
	for (size_t i = 0; i < n; i++) {
		w[i].what = NULL;
		w[i].where = NULL;
		xasprintf(&tmp[i], "%s/.%s.tmp-%d", w[i].dir, w[i].file,
		    (int)getpid());
		if (statedir_write_tmp(&w[i], tmp[i], n == 1) == -1) {
			w[i].error = errno;
			tmp[i] = NULL;		/* w[i].where has it */
		}
	}
	for (size_t i = 0; n > 1 && i < n; i++)
		if (w[i].what == NULL && !statedir_dir_seen(w, i) &&
		    (what = statedir_sync_dir(w[i].dir, true)) != NULL)
			statedir_fail_dir(w, n, w[i].dir, what);
	/* Then the renames, and each directory once: the rename itself is
	 * durable only once its directory is synced. */
	for (size_t i = 0; i < n; i++) {
		if (w[i].what != NULL) {
			if (tmp[i] != NULL)
				unlink(tmp[i]);
			free(tmp[i]);
			continue;
		}
		if (rename(tmp[i], w[i].path) == -1) {
			w[i].what = "rename";
			w[i].error = errno;
			w[i].where = tmp[i];
			unlink(tmp[i]);
			continue;
		}
		free(tmp[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (w[i].what == NULL && !statedir_dir_seen(w, i) &&
		    (what = statedir_sync_dir(w[i].dir, false)) != NULL)
			statedir_fail_dir(w, n, w[i].dir, what);
	for (size_t i = 0; i < n; i++)
		if (w[i].what != NULL)
			r = -1;
	free(tmp);
	return r;
}

int
statedir_write_file(const char *dir, const char *file, const char *path,
    const char *text, const char **what, char **where)
{
	struct statedir_write w = {
		.dir = dir, .file = file, .path = path, .text = text,
	};
	int r = statedir_write_files(&w, 1);

	*what = w.what;
	*where = w.where;
	errno = w.error;
	return r;
}
