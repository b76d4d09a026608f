/* SPDX-License-Identifier: ISC */
/*
 * [mqtt]: events to an MQTT broker through libmosquitto, driven by our
 * libevent loop (its socket, mosquitto_loop_read/write/misc; no thread of
 * its own).  State and mail events queue (output/evqueue.h, bounded,
 * coalescing) while the broker is away and go one per account in flight,
 * in order; account statuses and mailbox counts are retained topics,
 * published again on every connect (mqtttopic.h has the topics).
 */
#ifndef JP_MQTT_H
#define JP_MQTT_H

#include <stdbool.h>

struct account;
struct config;
struct event_base;
struct json_object;
struct mail_event;
struct mqtt;
struct outputs_callbacks;
struct push_event;

/* Holds a reference to cfg; idle while cfg has no [mqtt].  cb (the
 * accounts' statuses and mailboxes on connect) is borrowed and must
 * outlive it.  Reads and removes the queue a clean stop saved in the
 * state directory. */
struct mqtt	*mqtt_new(struct event_base *, struct config *cfg,
		    const struct outputs_callbacks *cb);
/* After a reload: connects again when [mqtt] changed (or after a
 * refused login), stops when it is gone (its queue dropped, logged). */
void		 mqtt_set_config(struct mqtt *, struct config *cfg);
/* A clean stop: "offline" on the daemon status topic, DISCONNECT, and
 * the events not yet delivered saved to STATE_DIR/mqtt.queue. */
void		 mqtt_stop(struct mqtt *);
void		 mqtt_free(struct mqtt *);

void		 mqtt_state(struct mqtt *, const struct push_event *);
void		 mqtt_connection(struct mqtt *, struct account *);
void		 mqtt_mail(struct mqtt *, const struct mail_event *);
/* Whether [mqtt] takes that account's events: it wants its mail view
 * always, for the retained mailbox counts. */
bool		 mqtt_mail_wanted(const struct mqtt *, const char *account);
/* For the status reply: {"status":"connected|connecting|backoff|off",
 * "broker","queued","lastError"} and, in backoff, "retryIn" (seconds);
 * lastError is the last failure, null once connected.  A new reference,
 * NULL without [mqtt]. */
struct json_object *mqtt_status(const struct mqtt *);

#endif
