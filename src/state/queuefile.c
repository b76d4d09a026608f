/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "state/queuefile.h"
#include "state/statedir.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Far beyond a full queue of a million small events. */
#define QUEUEFILE_MAX_SIZE	(1024 * 1024 * 1024)

int
queuefile_save(const char *state_dir, const char *file,
    struct json_object *queue)
{
	struct json_object *o;
	const char *text, *what;
	char *path, *where;
	int r = -1;

	xasprintf(&path, "%s/%s", state_dir, file);
	if (json_object_array_length(queue) == 0) {
		if (unlink(path) == -1 && errno != ENOENT)
			log_warn("cannot remove %s", path);
		free(path);
		return 0;
	}
	if (statedir_mkdirs(state_dir) == -1) {
		free(path);
		return -1;
	}
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "queue", json_object_get(queue));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (statedir_write_file(state_dir, file, path, text, &what, &where) == -1)
		log_warn("cannot save %s: %s %s", path, what, where);
	else
		r = 0;
	free(where);
	json_object_put(o);
	free(path);
	return r;
}

/* Moves a file that cannot be used out of the way, keeping it for a
 * human to look at. */
static void
queuefile_move_aside(const char *path, const char *why)
{
	char *aside;

	xasprintf(&aside, "%s.corrupt-%lld", path, (long long)time(NULL));
	if (rename(path, aside) == 0)
		log_warnx("%s is %s: moved aside to %s; its events are lost",
		    path, why, aside);
	else
		log_warn("%s is %s, and cannot be moved aside", path, why);
	free(aside);
}

struct json_object *
queuefile_take(const char *state_dir, const char *file)
{
	struct json_object *o = NULL, *v, *q = NULL;
	struct stat st;
	char *path, *buf = NULL, err[128];
	size_t len = 0;
	ssize_t n;
	int fd;

	xasprintf(&path, "%s/%s", state_dir, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			log_warn("cannot open %s", path);
		free(path);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > QUEUEFILE_MAX_SIZE) {
		close(fd);
		queuefile_move_aside(path, "not a regular file of a sane size");
		free(path);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		if ((n = read(fd, buf + len, (size_t)st.st_size - len)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (jsonu_parse_buffer(buf, len, 64, &o, err, sizeof(err)) == -1)
		o = NULL;
	free(buf);
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != 1 ||
	    !json_object_object_get_ex(o, "queue", &q) ||
	    !json_object_is_type(q, json_type_array)) {
		queuefile_move_aside(path, "not a queue file of this version");
		json_object_put(o);
		free(path);
		return NULL;
	}
	q = json_object_get(q);
	json_object_put(o);
	if (unlink(path) == -1)
		log_warn("cannot remove %s: its events may be sent twice", path);
	free(path);
	return q;
}
