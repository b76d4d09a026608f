/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/dbus.h"
#include "output/dbusmsg.h"
#include "output/outputs.h"
#include "util/utf8.h"

/* The a{ss} of a change: each type whose state is a string. */
static int
dbusmsg_append_changed(sd_bus_message *m, struct json_object *changed)
{
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{ss}")) < 0)
		return r;
	if (changed != NULL && json_object_is_type(changed, json_type_object)) {
		json_object_object_foreach(changed, type, state) {
			if (!json_object_is_type(state, json_type_string))
				continue;
			if ((r = sd_bus_message_append(m, "{ss}", type,
			    json_object_get_string(state))) < 0)
				return r;
		}
	}
	return sd_bus_message_close_container(m);
}

int
dbusmsg_state(sd_bus *bus, const struct push_event *ev, sd_bus_message **m)
{
	int r;

	*m = NULL;
	if ((r = sd_bus_message_new_signal(bus, m, DBUS_PATH, DBUS_IFACE,
	    "StateChanged")) < 0 ||
	    (r = sd_bus_message_append(*m, "ss", ev->account,
	    ev->account_id)) < 0 ||
	    (r = dbusmsg_append_changed(*m, ev->changed)) < 0 ||
	    (r = sd_bus_message_append(*m, "ss", ev->push_state != NULL ?
	    ev->push_state : "", ev->reason)) < 0) {
		*m = sd_bus_message_unref(*m);
		return r;
	}
	return 0;
}

int
dbusmsg_connection(sd_bus *bus, const char *account, const char *status,
    const char *error, sd_bus_message **m)
{
	char *fixed;
	int r;

	*m = NULL;
	fixed = utf8_sanitize(error != NULL ? error : "",
	    error != NULL ? strlen(error) : 0, NULL);
	if ((r = sd_bus_message_new_signal(bus, m, DBUS_PATH, DBUS_IFACE,
	    "ConnectionChanged")) < 0 ||
	    (r = sd_bus_message_append(*m, "sss", account, status, fixed)) < 0)
		*m = sd_bus_message_unref(*m);
	free(fixed);
	return r < 0 ? r : 0;
}
