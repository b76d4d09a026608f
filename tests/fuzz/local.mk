# SPDX-License-Identifier: ISC
# Fuzz targets for every parser of outside input.  With --enable-fuzzing they
# link libFuzzer (make fuzz runs each for FUZZ_SECONDS); otherwise each links
# a small driver that replays its seed corpus, so make check runs them too.
FUZZ_TARGETS = \
	tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_frame \
	tests/fuzz/fuzz_mailview \
	tests/fuzz/fuzz_newmail \
	tests/fuzz/fuzz_session \
	tests/fuzz/fuzz_sockcmd \
	tests/fuzz/fuzz_sse \
	tests/fuzz/fuzz_storeparse \
	tests/fuzz/fuzz_url
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += tests/fuzz/run-corpus.sh
EXTRA_DIST += tests/fuzz/run-corpus.sh tests/fuzz/corpus
if ENABLE_FUZZING
FUZZ_DRIVER =
FUZZ_LINK = -fsanitize=fuzzer
else
FUZZ_DRIVER = tests/fuzz/driver.c
FUZZ_LINK =
endif
FUZZ_LDADD = src/libjmappushd.a $(DEP_LIBS)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_config_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_frame_SOURCES = tests/fuzz/fuzz_frame.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_frame_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_frame_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_session_SOURCES = tests/fuzz/fuzz_session.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_session_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_session_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_url_SOURCES = tests/fuzz/fuzz_url.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_url_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_url_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)

FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_TARGETS)
	@test "x$(FUZZ_LINK)" != x || { echo "make fuzz needs ./configure CC=clang --enable-fuzzing"; exit 1; }
	@for t in $(FUZZ_TARGETS); do \
		n=$${t##*/fuzz_}; mkdir -p fuzz-findings/$$n; \
		echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz-findings/$$n/ \
			fuzz-findings/$$n $(srcdir)/tests/fuzz/corpus/$$n || exit 1; \
	done
.PHONY: fuzz
tests_fuzz_fuzz_newmail_SOURCES = tests/fuzz/fuzz_newmail.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_newmail_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_newmail_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_sockcmd_SOURCES = tests/fuzz/fuzz_sockcmd.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_sockcmd_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_sockcmd_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_sse_SOURCES = tests/fuzz/fuzz_sse.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_sse_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_sse_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_mailview_SOURCES = tests/fuzz/fuzz_mailview.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_mailview_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_mailview_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_storeparse_SOURCES = tests/fuzz/fuzz_storeparse.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_storeparse_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_storeparse_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
