/* SPDX-License-Identifier: ISC */
/*
 * The MQTT output's topics and payloads, without I/O: topic levels
 * escaped so that no name can add, widen or hide a level, the topic of
 * each kind of message, the mailbox count payload, the default client id
 * and the Home Assistant discovery configs.  Every result is allocated;
 * the caller frees it.
 */
#ifndef JP_MQTTTOPIC_H
#define JP_MQTTTOPIC_H

#include <stddef.h>
#include <stdint.h>

struct mailbox;
struct mailbox_cache;

/* Home Assistant's default discovery prefix. */
#define MQTTTOPIC_HA_PREFIX	"homeassistant"

/*
 * One topic level from the n bytes of s: '+', '#', '/', '%', NUL and
 * every byte of an invalid UTF-8 sequence become %XX (uppercase hex), so
 * that the level stays one level, matches no wildcard and is valid
 * UTF-8; distinct inputs give distinct levels.
 */
char	*mqtttopic_escape(const char *s, size_t n);
/* "<prefix>/<account>/<leaf>", account escaped, prefix and leaf as they
 * are (leaf: "state", "mail", "status"). */
char	*mqtttopic_account(const char *prefix, const char *account,
	    const char *leaf);
/* "<prefix>/daemon/<client_id>/status", client_id escaped. */
char	*mqtttopic_daemon_status(const char *prefix, const char *client_id);
/*
 * The retained topic of mailbox m of cache (both borrowed):
 * "<prefix>/<account>/mailbox/<name>/<name>...", one escaped level per
 * name from the top mailbox down, found through the parents in cache
 * (never by splitting a path); "<prefix>/<account>/<account_id>/mailbox/
 * ..." when account_id is not NULL (another JMAP account of the login).
 * A missing parent or a cycle ends the walk as mailbox_cache_paths()
 * does.
 */
char	*mqtttopic_mailbox(const char *prefix, const char *account,
	    const char *account_id, const struct mailbox_cache *cache,
	    const struct mailbox *m);
/* {"unread":N,"total":N} */
char	*mqtttopic_counts(int64_t unread, int64_t total);
/* "jmap-pushd-<hostname>-<8 hex of a hash of config_path>": instances
 * on one host with different configs get different ids. */
char	*mqtttopic_client_id(const char *hostname, const char *config_path);
/*
 * Home Assistant discovery of account's inbox unread count: *topic gets
 * "homeassistant/sensor/<node>/<account>_unread/config" and the result is
 * its retained payload, the sensor reading unread from inbox_topic (the
 * inbox's mailbox topic) with availability on the daemon status topic;
 * unique_id "<client_id>_<account>_unread".  node is client_id with every
 * byte but [A-Za-z0-9_-] written as '_'.
 */
char	*mqtttopic_ha_unread(const char *prefix, const char *client_id,
	    const char *account, const char *inbox_topic, char **topic);
/* The same for the connection: a binary_sensor (device_class
 * connectivity) on "<prefix>/<account>/status", ON when "connected",
 * OFF for every other status. */
char	*mqtttopic_ha_connection(const char *prefix, const char *client_id,
	    const char *account, char **topic);

#endif
