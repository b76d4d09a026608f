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

int
statedir_write_file(const char *dir, const char *file, const char *path,
    const char *text, const char **what, char **where)
{
	char *tmp;
	int fd, dfd;

	*what = NULL;
	xasprintf(&tmp, "%s/.%s.tmp-%d", dir, file, (int)getpid());
	*where = tmp;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		*what = "create";
		return -1;
	}
	if (statedir_write_all(fd, text, strlen(text)) == -1)
		*what = "write";
	else if (fsync(fd) == -1)
		*what = "fsync";
	if (close(fd) == -1 && *what == NULL)
		*what = "close";
	if (*what == NULL && rename(tmp, path) == -1)
		*what = "rename";
	if (*what != NULL) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	*where = xstrdup(dir);
	/* The rename itself is durable only once the directory is synced. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*what = "open";
		return -1;
	}
	if (fsync(dfd) == -1 && errno != EINVAL) {
		*what = "fsync";
		close(dfd);
		return -1;
	}
	close(dfd);
	free(*where);
	*where = NULL;
	return 0;
}

