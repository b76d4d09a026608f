#include "autoconf.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "output/outputs.h"
#include "output/sockclient.h"
#include "output/sockcmds.h"
#include "output/sockproto.h"
#include "util/log.h"

void
sockcmds_run(const struct outputs_callbacks *cb, struct sockclient *c,
    const char *line, size_t len)
{
	struct json_object *arr;
	struct sockcmd cmd;
	char *reply = NULL;

	if (sockcmd_parse(line, len, &cmd, &reply) == -1) {
		sockclient_send(c, reply, NULL);
		free(reply);
		return;
	}
	switch (cmd.kind) {
	case SOCKCMD_STATUS:
		arr = json_object_new_array();
		cb->foreach_account(cb->arg, sockproto_account_status, arr);
		reply = sockproto_status(arr);
		break;
	case SOCKCMD_SUBSCRIBE:
		sockproto_sub_set(sockclient_sub(c), &cmd);
		reply = sockproto_ok(cmd.cmd);
		break;
	case SOCKCMD_RECONNECT:
		if (cb->reconnect(cb->arg, cmd.account) == -1)
			reply = sockproto_error("unknown account: use one of "
			    "the names jmap-pushctl status shows", cmd.cmd);
		else {
			log_info("reconnecting %s: asked on the socket",
			    cmd.account != NULL ? cmd.account : "every account");
			reply = sockproto_ok(cmd.cmd);
		}
		break;
	case SOCKCMD_RELOAD:
		if (cb->reload(cb->arg) == -1)
			reply = sockproto_error("the new configuration has "
			    "errors (see the log, or jmap-pushd --check-config); "
			    "the running one stays", cmd.cmd);
		else
			reply = sockproto_ok(cmd.cmd);
		break;
	}
	sockclient_send(c, reply, NULL);
	free(reply);
	sockcmd_clear(&cmd);
}
