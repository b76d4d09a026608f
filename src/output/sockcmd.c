/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "output/outputs.h"
#include "output/sockclient.h"
#include "output/sockcmd.h"
#include "output/sockproto.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xmalloc.h"

/* An array of strings (NULL-terminated, for strv_free), or -1. */
static int
sockcmd_strings(struct json_object *a, char ***out, size_t *nout)
{
	size_t n;

	if (!json_object_is_type(a, json_type_array))
		return -1;
	n = json_object_array_length(a);
	*out = xcalloc(n + 1, sizeof(**out));
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		if (!json_object_is_type(e, json_type_string)) {
			strv_free(*out);
			*out = NULL;
			*nout = 0;
			return -1;
		}
		(*out)[(*nout)++] = xstrdup(json_object_get_string(e));
	}
	return 0;
}

/*
 * "mailboxes": an array of `mailboxes =` items (a role in lower case, or a
 * path with '*' as a glob), for subscribe and status.  Absent: every
 * mailbox.  -1 with *err (a static text) when it is not that.
 */
static int
sockcmd_parse_mailboxes(struct json_object *o, struct sockcmd *c,
    const char **err)
{
	enum mailmatch_error e;
	struct json_object *v;
	char **items = NULL, *spec, msg[256];
	size_t n, len = 1;

	if (!json_object_object_get_ex(o, "mailboxes", &v) || v == NULL)
		return 0;
	if (sockcmd_strings(v, &items, &n) == -1 || n == 0) {
		strv_free(items);
		*err = "\"mailboxes\" must be an array of roles (e.g. "
		    "\"inbox\") and mailbox paths (e.g. \"Work/*\")";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 1;
	spec = xcalloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(spec, ",");
		strcat(spec, items[i]);
	}
	strv_free(items);
	if (mailmatch_parse(spec, &c->mailboxes, &e, msg, sizeof(msg)) == -1) {
		*err = "\"mailboxes\" must be an array of roles (e.g. "
		    "\"inbox\") and mailbox paths (e.g. \"Work/*\"), none "
		    "empty and none with a comma";
		free(spec);
		return -1;
	}
	free(spec);
	return 0;
}

static int
sockcmd_parse_subscribe(struct json_object *o, struct sockcmd *c,
    const char **err)
{
	struct json_object *v;
	char **evs;
	size_t nevs;

	c->events = SOCKPROTO_EV_ALL;
	if (json_object_object_get_ex(o, "accounts", &v) &&
	    sockcmd_strings(v, &c->accounts, &c->naccounts) == -1) {
		*err = "\"accounts\" must be an array of account names";
		return -1;
	}
	if (json_object_object_get_ex(o, "types", &v) &&
	    sockcmd_strings(v, &c->types, &c->ntypes) == -1) {
		*err = "\"types\" must be an array of type names";
		return -1;
	}
	if (!json_object_object_get_ex(o, "events", &v))
		return 0;
	if (sockcmd_strings(v, &evs, &nevs) == -1) {
		*err = "\"events\" must be an array of \"state\", "
		    "\"connection\", \"mailbox\", \"mail\" and \"mute\"";
		return -1;
	}
	c->events = 0;
	for (size_t i = 0; i < nevs; i++) {
		if (strcmp(evs[i], "state") == 0)
			c->events |= SOCKPROTO_EV_STATE;
		else if (strcmp(evs[i], "connection") == 0)
			c->events |= SOCKPROTO_EV_CONNECTION;
		else if (strcmp(evs[i], "mailbox") == 0)
			c->events |= SOCKPROTO_EV_MAILBOX;
		else if (strcmp(evs[i], "mail") == 0)
			c->events |= SOCKPROTO_EV_MAIL;
		else if (strcmp(evs[i], "mute") == 0)
			c->events |= SOCKPROTO_EV_MUTE;
		else {
			strv_free(evs);
			*err = "unknown event in \"events\": use \"state\", "
			    "\"connection\", \"mailbox\", \"mail\" and "
			    "\"mute\"";
			return -1;
		}
	}
	strv_free(evs);
	return 0;
}

int
sockcmd_parse(const char *line, size_t len, struct sockcmd *c, char **reply)
{
	static const struct {
		const char *name;
		enum sockcmd_kind kind;
	} cmds[] = {
		{ "status", SOCKCMD_STATUS },
		{ "subscribe", SOCKCMD_SUBSCRIBE },
		{ "reconnect", SOCKCMD_RECONNECT },
		{ "reload", SOCKCMD_RELOAD },
		{ "mute", SOCKCMD_MUTE },
		{ "unmute", SOCKCMD_UNMUTE },
		{ "test-notify", SOCKCMD_TEST_NOTIFY },
	};
	struct json_tokener *tok;
	struct json_object *o, *v;
	const char *err = NULL;
	size_t i, used;

	memset(c, 0, sizeof(*c));
	*reply = NULL;
	if (len > SOCKPROTO_MAX_LINE) {
		*reply = sockproto_error("line too long: at most 65536 bytes",
		    NULL);
		return -1;
	}
	if ((tok = json_tokener_new()) == NULL)
		fatalx("json-c: out of memory");
	o = json_tokener_parse_ex(tok, line, (int)len);
	used = json_tokener_get_parse_end(tok);
	/* Trailing blanks (a CR from a telnet-like client) are fine. */
	while (o != NULL && used < len && strchr(" \t\r", line[used]) != NULL)
		used++;
	if (o == NULL || used != len || memchr(line, '\0', len) != NULL) {
		json_tokener_free(tok);
		json_object_put(o);
		*reply = sockproto_error("invalid JSON: send one object a "
		    "line, e.g. {\"cmd\":\"status\"}", NULL);
		return -1;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "cmd", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(o);
		*reply = sockproto_error("missing \"cmd\": send e.g. "
		    "{\"cmd\":\"status\"}", NULL);
		return -1;
	}
	c->cmd = xstrdup(json_object_get_string(v));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(c->cmd, cmds[i].name) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		err = "unknown command: use status, subscribe, reconnect, "
		    "reload, mute, unmute or test-notify";
	else
		c->kind = cmds[i].kind;
	if (err == NULL && c->kind == SOCKCMD_SUBSCRIBE)
		sockcmd_parse_subscribe(o, c, &err);
	if (err == NULL && (c->kind == SOCKCMD_SUBSCRIBE ||
	    c->kind == SOCKCMD_STATUS))
		sockcmd_parse_mailboxes(o, c, &err);
	if (err == NULL && (c->kind == SOCKCMD_RECONNECT ||
	    c->kind == SOCKCMD_TEST_NOTIFY) &&
	    json_object_object_get_ex(o, "account", &v) && v != NULL) {
		if (json_object_is_type(v, json_type_string))
			c->account = xstrdup(json_object_get_string(v));
		else
			err = "\"account\" must be an account name";
	}
	if (err == NULL && c->kind == SOCKCMD_MUTE &&
	    json_object_object_get_ex(o, "seconds", &v) && v != NULL) {
		if (json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) >= 0)
			c->seconds = (uint64_t)json_object_get_int64(v);
		else
			err = "\"seconds\" must be a whole number of seconds, "
			    "0 or absent for until unmuted";
	}
	json_object_put(o);
	if (err != NULL) {
		*reply = sockproto_error(err, c->cmd);
		sockcmd_clear(c);
		return -1;
	}
	return 0;
}

void
sockcmd_clear(struct sockcmd *c)
{
	free(c->cmd);
	strv_free(c->accounts);
	strv_free(c->types);
	mailmatch_free(c->mailboxes);
	free(c->account);
	memset(c, 0, sizeof(*c));
}

void
sockcmd_run(const struct outputs_callbacks *cb, struct sockclient *c,
    const char *line, size_t len)
{
	struct sockproto_status_arg sa;
	struct sockcmd cmd;
	char *reply = NULL;
	const char *why;
	bool mail, muted;
	time_t until;

	if (sockcmd_parse(line, len, &cmd, &reply) == -1) {
		sockclient_send(c, reply, NULL);
		free(reply);
		return;
	}
	switch (cmd.kind) {
	case SOCKCMD_STATUS:
		sa.accounts = json_object_new_array();
		sa.mailboxes = cmd.mailboxes;
		cb->foreach_account(cb->arg, sockproto_account_status, &sa);
		muted = cb->muted(cb->arg, &until);
		reply = sockproto_status(sa.accounts, muted, until,
		    cb->remote_status(cb->arg));
		break;
	case SOCKCMD_SUBSCRIBE:
		mail = sockproto_sub_mail(sockclient_sub(c));
		sockproto_sub_set(sockclient_sub(c), &cmd);
		reply = sockproto_ok(cmd.cmd);
		/* Which accounts it wants mail of may have changed too. */
		if (mail || sockproto_sub_mail(sockclient_sub(c)))
			cb->mail_wanted_changed(cb->arg);
		break;
	case SOCKCMD_RECONNECT:
		if (cb->reconnect(cb->arg, cmd.account) == -1)
			reply = sockproto_error("unknown account: use one of "
			    "the names jmap-pushctl status shows", cmd.cmd);
		else {
			log_info("reconnecting %s: asked on the socket",
			    cmd.account != NULL ? cmd.account :
			    "every account");
			reply = sockproto_ok(cmd.cmd);
		}
		break;
	case SOCKCMD_RELOAD:
		if (cb->reload(cb->arg, &why) == -1)
			reply = sockproto_error(why, cmd.cmd);
		else
			reply = sockproto_ok(cmd.cmd);
		break;
	case SOCKCMD_MUTE:
		log_info("muting notifications: asked on the socket");
		cb->mute(cb->arg, cmd.seconds);
		reply = sockproto_ok(cmd.cmd);
		break;
	case SOCKCMD_TEST_NOTIFY:
		if (cmd.account != NULL &&
		    cb->find_account(cb->arg, cmd.account) == NULL)
			reply = sockproto_error("unknown account: use one of "
			    "the names jmap-pushctl status shows", cmd.cmd);
		else if (cb->test_notify(cb->arg, cmd.account, &why) == -1)
			reply = sockproto_error(why, cmd.cmd);
		else
			reply = sockproto_ok(cmd.cmd);
		break;
	case SOCKCMD_UNMUTE:
		log_info("unmuting notifications: asked on the socket");
		cb->unmute(cb->arg);
		reply = sockproto_ok(cmd.cmd);
		break;
	}
	sockclient_send(c, reply, NULL);
	free(reply);
	sockcmd_clear(&cmd);
}
