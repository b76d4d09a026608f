/* SPDX-License-Identifier: ISC */
/* Credentials: header building, secret files and their permissions, and
 * commands run without blocking the loop. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/config.h"
#include "session/credentials.h"
#include "util/proc.h"
#include "unit.h"

static char dir[] = "/tmp/check-credentials.XXXXXX";

static char *
write_secret(const char *name, const char *content, mode_t mode)
{
	char *path;
	FILE *f;

	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

START_TEST(test_header)
{
	char *h;

	h = credentials_header("alice@example.com", "secret", 0);
	ck_assert_str_eq(h, "Basic YWxpY2VAZXhhbXBsZS5jb206c2VjcmV0");
	free(h);
	h = credentials_header(NULL, "tok-123", 1);
	ck_assert_str_eq(h, "Bearer tok-123");
	free(h);
}
END_TEST

START_TEST(test_read_file)
{
	char *path, *secret, *error = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = write_secret("ok", "hunter2\nsecond line\n", 0600);
	ck_assert_int_eq(credentials_read_file(path, &secret, &error), 0);
	ck_assert_str_eq(secret, "hunter2");
	free(secret);
	free(path);

	path = write_secret("open", "hunter2\n", 0640);
	ck_assert_int_eq(credentials_read_file(path, &secret, &error), -1);
	ck_assert_ptr_null(secret);
	{
		char *want;

		ck_assert_int_ge(asprintf(&want, "%s is readable by group or "
		    "others; run chmod 600 %s", path, path), 0);
		ck_assert_str_eq(error, want);
		free(want);
	}
	free(error);
	free(path);

	path = write_secret("empty", "\n", 0600);
	ck_assert_int_eq(credentials_read_file(path, &secret, &error), -1);
	ck_assert(strstr(error, "is empty") != NULL);
	free(error);
	free(path);

	ck_assert_int_eq(credentials_read_file("/nonexistent/x", &secret,
	    &error), -1);
	ck_assert_str_eq(error,
	    "cannot open /nonexistent/x: No such file or directory");
	free(error);
}
END_TEST

struct got {
	int calls;
	char auth[128];
	char error[256];
	struct event_base *base;
};

static void
got_cb(const char *authorization, const char *error, void *arg)
{
	struct got *g = arg;

	g->calls++;
	snprintf(g->auth, sizeof(g->auth), "%s", authorization ?
	    authorization : "(null)");
	snprintf(g->error, sizeof(g->error), "%s", error ? error : "(null)");
	event_base_loopbreak(g->base);
}

/* raw: credentials_get_raw(), the secret itself. */
static void
run_as(struct config_account *acct, struct got *g, bool raw)
{
	struct event_base *base = event_base_new();

	memset(g, 0, sizeof(*g));
	g->base = base;
	proc_init(base);
	if (raw)
		credentials_get_raw(base, acct, got_cb, g);
	else
		credentials_get(base, acct, got_cb, g);
	/* Never delivered before credentials_get returns. */
	ck_assert_int_eq(g->calls, 0);
	event_base_dispatch(base);
	event_base_free(base);
}

static void
run(struct config_account *acct, struct got *g)
{
	run_as(acct, g, false);
}

START_TEST(test_command)
{
	struct config_account acct;
	struct got g;

	memset(&acct, 0, sizeof(acct));
	acct.name = "personal";
	acct.username = "alice@example.com";
	acct.secret_kind = SECRET_PASSWORD_COMMAND;
	acct.secret = "printf 'secret\\nmetadata\\n'";
	run(&acct, &g);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_str_eq(g.auth, "Basic YWxpY2VAZXhhbXBsZS5jb206c2VjcmV0");
	ck_assert_str_eq(g.error, "(null)");

	acct.secret_kind = SECRET_TOKEN_COMMAND;
	acct.secret = "echo tok-1";
	run(&acct, &g);
	ck_assert_str_eq(g.auth, "Bearer tok-1");

	acct.secret = "exit 3";
	run(&acct, &g);
	ck_assert_str_eq(g.auth, "(null)");
	ck_assert_str_eq(g.error, "the command failed (exit status 3); run "
	    "it by hand to see why");

	acct.secret = "true";
	run(&acct, &g);
	ck_assert_str_eq(g.error,
	    "the command printed nothing on its first line");

	acct.secret_kind = SECRET_PASSWORD_COMMAND;
	acct.username = NULL;
	run(&acct, &g);
	ck_assert_str_eq(g.error,
	    "a password needs username = in [account personal]");

	acct.secret_kind = SECRET_NONE;
	run(&acct, &g);
	ck_assert_str_eq(g.auth, "(null)");
	ck_assert_str_eq(g.error, "(null)");
}
END_TEST

/* The secret itself, for MQTT: the first line, no header. */
START_TEST(test_raw)
{
	char tmp[] = "/tmp/check-credentials-raw.XXXXXX", *path;
	struct config_account acct;
	struct got g;
	FILE *f;

	memset(&acct, 0, sizeof(acct));
	acct.name = "mqtt";
	acct.username = "jp";
	acct.secret_kind = SECRET_PASSWORD_COMMAND;
	acct.secret = "printf 'pass word\\nmetadata\\n'";
	run_as(&acct, &g, true);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_str_eq(g.auth, "pass word");
	ck_assert_str_eq(g.error, "(null)");

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_ge(asprintf(&path, "%s/mqtt", tmp), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("file secret\nignored\n", f);
	fclose(f);
	chmod(path, 0600);
	acct.secret_kind = SECRET_PASSWORD_FILE;
	acct.secret = path;
	run_as(&acct, &g, true);
	ck_assert_str_eq(g.auth, "file secret");
	ck_assert_str_eq(g.error, "(null)");
	unlink(path);
	rmdir(tmp);
	free(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("credentials");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_command);
	tcase_add_test(tc, test_raw);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
