# SPDX-License-Identifier: ISC
# Integration tests: the real daemon against the test server on loopback.
INTEGRATION_TESTS = \
	tests/integration/push-hook.sh \
	tests/integration/resume.sh \
	tests/integration/bad-frames.sh \
	tests/integration/faults.sh \
	tests/integration/reload.sh \
	tests/integration/dbus.sh \
	tests/integration/dbus-system.sh \
	tests/integration/notify.sh \
	tests/integration/check-config.sh \
	tests/integration/keepalive.sh \
	tests/integration/close-codes.sh \
	tests/integration/resync.sh \
	tests/integration/retry.sh \
	tests/integration/server-restart.sh \
	tests/integration/session-reuse.sh \
	tests/integration/tls.sh \
	tests/integration/tls-system-store.sh \
	tests/integration/flood.sh \
	tests/integration/accounts.sh \
	tests/integration/es-push.sh \
	tests/integration/es-faults.sh \
	tests/integration/es-quirks.sh \
	tests/integration/es-bad.sh \
	tests/integration/es-push-hook.sh \
	tests/integration/es-notify.sh \
	tests/integration/es-tls.sh \
	tests/integration/tls-version.sh \
	tests/integration/limits.sh \
	tests/integration/limits-accounts.sh \
	tests/integration/es-flood.sh \
	tests/integration/es-server-restart.sh \
	tests/integration/transport-eventsource.sh
INTEGRATION_TESTS += \
	tests/integration/hooks-debounce.sh \
	tests/integration/hooks-overlap.sh \
	tests/integration/hooks-timeout.sh \
	tests/integration/socket.sh \
	tests/integration/socket-overflow.sh \
	tests/integration/socket-activation.sh \
	tests/integration/socket-access.sh \
	tests/integration/socket-clients.sh \
	tests/integration/pushctl.sh \
	tests/integration/hostile-server.sh \
	tests/integration/secrets.sh \
	tests/integration/es-hostile-server.sh
INTEGRATION_TESTS += \
	tests/integration/reload-twice.sh \
	tests/integration/reload-storm.sh \
	tests/integration/es-reload-storm.sh
check_PROGRAMS += tests/integration/sockclient
tests_integration_sockclient_SOURCES = tests/integration/sockclient.c
tests_integration_sockclient_LDADD =
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/lib.sh tests/integration/buslib.sh $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/tlslib.sh
EXTRA_DIST += tests/integration/dunstlib.sh
INTEGRATION_TESTS += \
	tests/integration/redirect.sh \
	tests/integration/autodiscovery.sh
INTEGRATION_TESTS += \
	tests/integration/es-long-id.sh \
	tests/integration/es-content-type.sh \
	tests/integration/refresh-limit.sh \
	tests/integration/notify-bound.sh
INTEGRATION_TESTS += \
	tests/integration/socket-overflow-lines.sh \
	tests/integration/socket-slow-reader.sh \
	tests/integration/bus-private.sh
INTEGRATION_TESTS += \
	tests/integration/addresses.sh \
	tests/integration/hosts-file.sh
INTEGRATION_TESTS += \
	tests/integration/hooks-durable.sh \
	tests/integration/resync-interval.sh
INTEGRATION_TESTS += \
	tests/integration/pushctl-render.sh
INTEGRATION_TESTS += \
	tests/integration/notify-evict.sh \
	tests/integration/refresh-401.sh
INTEGRATION_TESTS += \
	tests/integration/ws-close.sh \
	tests/integration/ws-redirect.sh
INTEGRATION_TESTS += \
	tests/integration/es-resync-race.sh \
	tests/integration/testserver-mail.sh
EXTRA_DIST += tests/integration/maillib.sh
INTEGRATION_TESTS += \
	tests/integration/mail-hooks.sh \
	tests/integration/mail-config.sh \
	tests/integration/mail-cost.sh \
	tests/integration/es-mail-cost.sh \
	tests/integration/es-mail-hooks.sh \
	tests/integration/mail-restart.sh \
	tests/integration/mail-bulk.sh \
	tests/integration/mail-hostile.sh \
	tests/integration/mail-debounce.sh \
	tests/integration/mail-errors.sh \
	tests/integration/es-mail-restart.sh \
	tests/integration/mail-cost-account.sh
INTEGRATION_TESTS += \
	tests/integration/notify-restart.sh \
	tests/integration/notify-mailboxes.sh \
	tests/integration/es-notify-restart.sh \
	tests/integration/notify-bulk.sh \
	tests/integration/notify-cost-account.sh
INTEGRATION_TESTS += \
	tests/integration/pushctl-mail.sh \
	tests/integration/pushctl-bar.sh \
	tests/integration/socket-mail.sh \
	tests/integration/dbus-mail.sh
INTEGRATION_TESTS += \
	tests/integration/notify-dunst.sh
INTEGRATION_TESTS += \
	tests/integration/notify-close.sh \
	tests/integration/notify-act.sh \
	tests/integration/notify-thread.sh \
	tests/integration/notify-open.sh \
	tests/integration/notify-archive.sh \
	tests/integration/notify-summary.sh \
	tests/integration/es-notify-act-timeout.sh
INTEGRATION_TESTS += \
	tests/integration/notify-mute.sh \
	tests/integration/notify-test.sh
INTEGRATION_TESTS += \
	tests/integration/demo.sh \
	tests/integration/reload-stopping.sh
INTEGRATION_TESTS += \
	tests/integration/notify-test-actions.sh \
	tests/integration/notify-close-summary.sh \
	tests/integration/notify-close-restart.sh \
	tests/integration/notify-act-errors.sh \
	tests/integration/notify-open-exec.sh \
	tests/integration/notify-dunst-act.sh \
	tests/integration/notify-follow-bound.sh \
	tests/integration/notify-thread-act.sh
INTEGRATION_TESTS += \
	tests/integration/webhook.sh \
	tests/integration/webhook-overflow.sh \
	tests/integration/webhook-restart.sh \
	tests/integration/webhook-tls.sh \
	tests/integration/webhook-mail.sh \
	tests/integration/webhook-timeout.sh \
	tests/integration/webhook-accounts.sh
EXTRA_DIST += tests/integration/webhooklib.sh \
	tests/integration/webhook-receiver.py
INTEGRATION_TESTS += \
	tests/integration/mqtt.sh
EXTRA_DIST += tests/integration/mqttlib.sh
INTEGRATION_TESTS += \
	tests/integration/mqtt-restart.sh \
	tests/integration/mqtt-auth.sh
INTEGRATION_TESTS += \
	tests/integration/mqtt-tls.sh \
	tests/integration/mqtt-stuck.sh \
	tests/integration/mqtt-overflow.sh \
	tests/integration/mqtt-many.sh
INTEGRATION_TESTS += \
	tests/integration/testserver-burst.sh
INTEGRATION_TESTS += \
	tests/integration/webhook-backoff.sh
INTEGRATION_TESTS += \
	tests/integration/mqtt-primary.sh
INTEGRATION_TESTS += \
	tests/integration/mqtt-removed.sh
INTEGRATION_TESTS += \
	tests/integration/mqtt-reload.sh
INTEGRATION_TESTS += \
	tests/integration/webhook-headers.sh
INTEGRATION_TESTS += \
	tests/integration/status-outputs.sh
