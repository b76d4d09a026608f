# Integration tests: the real daemon against the test server on loopback.
INTEGRATION_TESTS = \
	tests/integration/push-hook.sh \
	tests/integration/resume.sh \
	tests/integration/bad-frames.sh \
	tests/integration/faults.sh \
	tests/integration/reload.sh \
	tests/integration/check-config.sh \
	tests/integration/keepalive.sh \
	tests/integration/close-codes.sh \
	tests/integration/resync.sh \
	tests/integration/retry.sh \
	tests/integration/server-restart.sh \
	tests/integration/tls.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/lib.sh $(INTEGRATION_TESTS)
