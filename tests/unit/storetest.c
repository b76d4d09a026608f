/* SPDX-License-Identifier: ISC */
/* The store test programs' shared fixture and helpers; see storetest.h. */
#include "autoconf.h"

#include <sys/types.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "storetest.h"
#include "unit.h"

char dir[64];
static int saved_stderr = -1;

void
storetest_setup(void)
{
	log_init(LOG_INFO);
	strcpy(dir, "/tmp/check_store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	saved_stderr = unit_capture_stderr();
}

void
storetest_teardown(void)
{
	char *cmd;

	unit_restore_stderr(saved_stderr);
	xasprintf(&cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

char *
slurp(const char *path)
{
	char *buf = xcalloc(1, 1 << 16);
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The log, each line without its timestamp. */
char *
logged(void)
{
	char *raw = unit_stderr_text(), *out = xcalloc(1, 1 << 20);
	char *line, *save, *p = out;

	for (line = strtok_r(raw, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		/* "YYYY-MM-DD HH:MM:SS.mmm " */
		if (strlen(line) > 24)
			line += 24;
		p += sprintf(p, "%s\n", line);
	}
	free(raw);
	return out;
}

void
write_file(const char *name, const char *content)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	free(path);
}

char *
dir_path(const char *name)
{
	char *path;

	xasprintf(&path, "%s/%s", dir, name);
	return path;
}

/* Entries of dir, sorted, space-separated. */
char *
dir_list(void)
{
	struct dirent **names;
	char *out = xcalloc(1, 4096);
	int n = scandir(dir, &names, NULL, alphasort);

	ck_assert_int_ge(n, 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			if (out[0] != '\0')
				strcat(out, " ");
			strcat(out, names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	return out;
}
