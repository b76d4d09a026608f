/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "config/config.h"
#include "session/credentials.h"
#include "util/proc.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define CREDENTIALS_TIMEOUT_MS	30000
#define CREDENTIALS_MAX		8192

struct credentials_req {
	struct event *done;
	struct proc *proc;
	credentials_cb cb;
	void *arg;
	char *account;
	char *username;
	int bearer;
	bool raw;		/* the secret itself, no header */
	char *authorization;
	char *error;
};

static void
credentials_wipe(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
credentials_free(struct credentials_req *r)
{
	event_free(r->done);
	credentials_wipe(r->authorization);
	free(r->account);
	free(r->username);
	free(r->error);
	free(r);
}

static void
credentials_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct credentials_req *r = arg;

	if (r->cb != NULL)
		r->cb(r->authorization, r->error, r->arg);
	credentials_free(r);
}

char *
credentials_header(const char *username, const char *secret, int bearer)
{
	char *plain, *out, *b64;
	size_t len;

	if (bearer) {
		xasprintf(&out, "Bearer %s", secret);
		return out;
	}
	len = (size_t)xasprintf(&plain, "%s:%s", username, secret);
	b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)plain, (int)len);
	xasprintf(&out, "Basic %s", b64);
	explicit_bzero(plain, len);
	explicit_bzero(b64, strlen(b64));
	free(plain);
	free(b64);
	return out;
}

/* Only the first line counts: `pass show` prints metadata after it. */
static char *
credentials_first_line(const char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && buf[n] != '\n' && buf[n] != '\r' && buf[n] != '\0')
		n++;
	return xstrndup(buf, n);
}

int
credentials_read_file(const char *path, char **secret, char **error)
{
	char buf[CREDENTIALS_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	*secret = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		xasprintf(error, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(error, "cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		xasprintf(error, "%s is readable by group or others; run "
		    "chmod 600 %s", path, path);
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		xasprintf(error, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	*secret = credentials_first_line(buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
	if (**secret == '\0') {
		free(*secret);
		*secret = NULL;
		xasprintf(error, "%s is empty: put the secret on its first "
		    "line", path);
		return -1;
	}
	return 0;
}

static void
credentials_finish(struct credentials_req *r, char *secret)
{
	if (secret != NULL) {
		r->authorization = r->raw ? xstrdup(secret) :
		    credentials_header(r->username, secret, r->bearer);
		credentials_wipe(secret);
	}
	event_active(r->done, EV_TIMEOUT, 0);
}

static void
credentials_proc_done(struct proc *p, int wstatus, bool timed_out,
    const char *out, size_t outlen, void *arg)
{
	struct credentials_req *r = arg;
	char *secret = NULL;

	r->proc = NULL;
	if (timed_out)
		xasprintf(&r->error, "the command timed out after %ds",
		    CREDENTIALS_TIMEOUT_MS / 1000);
	else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		xasprintf(&r->error, "the command failed (%s %d); run it by "
		    "hand to see why", WIFEXITED(wstatus) ? "exit status" :
		    "signal", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
		    WTERMSIG(wstatus));
	else if ((secret = credentials_first_line(out, outlen))[0] == '\0') {
		credentials_wipe(secret);
		secret = NULL;
		xasprintf(&r->error, "the command printed nothing on its "
		    "first line");
	}
	credentials_finish(r, secret);
}

/* Both: raw gives the secret, else the header. */
static struct credentials_req *
credentials_start(struct event_base *base, const struct config_account *acct,
    bool raw, credentials_cb cb, void *arg)
{
	struct credentials_req *r = xcalloc(1, sizeof(*r));
	struct proc_spec spec;
	char *argv[4], *secret = NULL, *name;

	r->cb = cb;
	r->arg = arg;
	r->raw = raw;
	r->account = xstrdup(acct->name);
	r->username = xstrdup(acct->username ? acct->username : "");
	r->done = xevent_new(base, -1, 0, credentials_deliver, r);

	if ((acct->secret_kind == SECRET_PASSWORD_COMMAND ||
	    acct->secret_kind == SECRET_PASSWORD_FILE) &&
	    acct->username == NULL) {
		xasprintf(&r->error, "a password needs username = in "
		    "[account %s]", acct->name);
		credentials_finish(r, NULL);
		return r;
	}
	switch (acct->secret_kind) {
	case SECRET_NONE:
		break;
	case SECRET_TOKEN_FILE:
	case SECRET_PASSWORD_FILE:
		r->bearer = acct->secret_kind == SECRET_TOKEN_FILE;
		credentials_read_file(acct->secret, &secret, &r->error);
		break;
	case SECRET_TOKEN_COMMAND:
	case SECRET_PASSWORD_COMMAND:
		r->bearer = acct->secret_kind == SECRET_TOKEN_COMMAND;
		xasprintf(&name, "%s of account %s", r->bearer ?
		    "token_command" : "password_command", acct->name);
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = acct->secret;
		argv[3] = NULL;
		memset(&spec, 0, sizeof(spec));
		spec.name = name;
		spec.argv = argv;
		spec.capture_stdout = true;
		spec.timeout_ms = CREDENTIALS_TIMEOUT_MS;
		spec.done = credentials_proc_done;
		spec.arg = r;
		r->proc = proc_spawn(&spec);
		free(name);
		if (r->proc == NULL)
			xasprintf(&r->error, "cannot run the command");
		else
			return r;
		break;
	}
	credentials_finish(r, secret);
	return r;
}

struct credentials_req *
credentials_get(struct event_base *base, const struct config_account *acct,
    credentials_cb cb, void *arg)
{
	return credentials_start(base, acct, false, cb, arg);
}

struct credentials_req *
credentials_get_raw(struct event_base *base,
    const struct config_account *acct, credentials_cb cb, void *arg)
{
	return credentials_start(base, acct, true, cb, arg);
}

void
credentials_cancel(struct credentials_req *r)
{
	if (r == NULL)
		return;
	if (r->proc != NULL) {
		/* The process still reports to us: let it, then drop it. */
		r->cb = NULL;
		return;
	}
	credentials_free(r);
}
