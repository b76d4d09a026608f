/* SPDX-License-Identifier: ISC */
/* A struct config once read: its lifetime by reference, comparing
 * accounts and the default path (configobj.c). */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "config/config.h"
#include "config/values.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "configtest.h"
#include "unit.h"

START_TEST(test_account_equal)
{
	static const char base[] =
	    "[account a]\nurl = x\nusername = u\npassword_command = p\n"
	    "ca_file = /ca\ntypes = Email Mailbox\n";
	static const char *const changes[] = {
	    "url = y\n", "username = v\n", "password_command = q\n",
	    "ca_file = /cb\n", "insecure = yes\n", "transport = websocket\n",
	    "ping_interval = 31s\n", "ping_timeout = 11s\n",
	    "backoff_initial = 2s\n", "backoff_max = 6m\n",
	    "backoff_reset = 61s\n", "sync_on_start = yes\n",
	    "resync_interval = 16m\n",
	    "max_frame = 2M\n", "types = Email\n", "types = Email Thread\n",
	};
	struct config	*c1, *c2;
	char		*text;

	c1 = load_ok(base);
	c2 = load_ok("[account a]\nurl = x\nusername = u\n"
	    "password_command = p\nca_file = /ca\ntypes = Mailbox, Email\n");
	ck_assert(config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c2->accounts)));
	config_free(c2);

	c2 = load_ok("[account b]\nurl = x\nusername = u\n"
	    "password_command = p\nca_file = /ca\ntypes = Email Mailbox\n");
	ck_assert(!config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c2->accounts)));
	config_free(c2);

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		char *line = xstrdup(changes[i]), *key;

		key = strtok(line, " ");
		/* Replace the key if the base has it, else add it. */
		if (strstr(base, key) != NULL) {
			const char *at = strstr(base, key);
			const char *eol = strchr(at, '\n') + 1;

			xasprintf(&text, "%.*s%s%s", (int)(at - base), base,
			    changes[i], eol);
		} else
			xasprintf(&text, "%s%s", base, changes[i]);
		free(line);
		c2 = load_ok(text);
		ck_assert_msg(!config_account_equal(TAILQ_FIRST(&c1->accounts),
		    TAILQ_FIRST(&c2->accounts)), "%s", changes[i]);
		config_free(c2);
		free(text);
	}
	config_free(c1);
}
END_TEST

START_TEST(test_account_equal_secret_kind)
{
	struct config *c1, *c2;

	c1 = load_ok("[account a]\nurl = x\ntoken_command = /t\n");
	c2 = load_ok("[account a]\nurl = x\ntoken_file = /t\n");
	ck_assert(!config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c2->accounts)));
	ck_assert(config_account_equal(TAILQ_FIRST(&c1->accounts),
	    TAILQ_FIRST(&c1->accounts)));
	config_free(c1);
	config_free(c2);
}
END_TEST

/* A reload keeps a config alive for each account still running from it:
 * every section knows its config, and the last reference frees it. */
START_TEST(test_ref)
{
	struct config		*cfg;
	struct config_account	*a;

	cfg = load_ok("[account a]\nurl = x\n[account b]\nurl = y\n");
	ck_assert_uint_eq(cfg->refs, 1);
	TAILQ_FOREACH(a, &cfg->accounts, entry)
		ck_assert_ptr_eq(a->config, cfg);
	ck_assert_ptr_eq(config_ref(cfg), cfg);
	ck_assert_ptr_eq(config_ref(cfg), cfg);
	ck_assert_uint_eq(cfg->refs, 3);
	config_unref(cfg);
	config_unref(cfg);
	ck_assert_uint_eq(cfg->refs, 1);
	/* Still whole: the holders left read it. */
	a = TAILQ_LAST(&cfg->accounts, config_accounts);
	ck_assert_str_eq(a->name, "b");
	ck_assert_str_eq(a->url, "y");
	config_unref(cfg);
	config_unref(NULL);
}
END_TEST

/* config_free() of a config another holder still uses would leave that
 * holder with freed memory: it stops the daemon instead. */
START_TEST(test_free_shared)
{
	struct config *cfg = load_ok("[account a]\nurl = x\n");

	config_ref(cfg);
	config_free(cfg);
}
END_TEST

/* config_default_path() of a normal user, even when the tests run as root:
 * then a child that gave up root asks, and sends the answer back. */
static char *
user_default_path(void)
{
	char	 buf[512];
	ssize_t	 n, len = 0;
	int	 fds[2], status;
	pid_t	 pid;

	if (getuid() != 0)
		return config_default_path();
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		char *path;

		close(fds[0]);
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(1);
		path = config_default_path();
		if (write(fds[1], path, strlen(path)) != (ssize_t)strlen(path))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	buf[len] = '\0';
	return xstrdup(buf);
}

START_TEST(test_default_path)
{
	char *path;

	if (getuid() == 0) {
		path = config_default_path();
		ck_assert_str_eq(path, SYSCONFDIR "/jmap-pushd/jmap-pushd.conf");
		free(path);
	}
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("HOME", "/home/u", 1);
	path = user_default_path();
	ck_assert_str_eq(path, "/xdg/conf/jmap-pushd/config");
	free(path);
	/* A relative XDG_CONFIG_HOME is to be ignored (XDG spec). */
	setenv("XDG_CONFIG_HOME", "rel", 1);
	path = user_default_path();
	ck_assert_str_eq(path, "/home/u/.config/jmap-pushd/config");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	path = user_default_path();
	ck_assert_str_eq(path, "/home/u/.config/jmap-pushd/config");
	free(path);
}
END_TEST

static Suite *
configobj_suite(void)
{
	Suite	*s = suite_create("configobj");
	TCase	*tc = tcase_create("configobj");

	tcase_add_checked_fixture(tc, NULL, configtest_teardown);
	tcase_add_test(tc, test_account_equal);
	tcase_add_test(tc, test_account_equal_secret_kind);
	tcase_add_test(tc, test_ref);
	tcase_add_exit_test(tc, test_free_shared, 1);
	tcase_add_test(tc, test_default_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(configobj_suite());
}
