# SPDX-License-Identifier: ISC
# Benchmarks (issue 7): never built by `make` or `make check`. `make bench`
# builds what they need and runs bench/run; `make bench-quick` runs each
# figure at its smallest useful size. Use a build configured without
# --enable-sanitizers for honest numbers.
BENCH_BINS = bench/jp-bench-lws bench/jp-bench-read bench/jp-bench-hook \
	bench/jp-bench-dbus
EXTRA_PROGRAMS = $(BENCH_BINS)
CLEANFILES += $(BENCH_BINS) bench/results.json
bench_jp_bench_lws_SOURCES = bench/lwsclient.c
bench_jp_bench_lws_LDADD = $(LWS_LIBS)
bench_jp_bench_read_SOURCES = bench/read.c bench/stamp.h
bench_jp_bench_read_LDADD =
bench_jp_bench_hook_SOURCES = bench/hook.c bench/stamp.h
bench_jp_bench_hook_LDADD =
bench_jp_bench_dbus_SOURCES = bench/dbuslisten.c bench/stamp.h
bench_jp_bench_dbus_LDADD = $(SYSTEMD_LIBS)

BENCH_DEPS = src/jmap-pushd src/jmap-pushctl tests/server/jmap-testserver \
	$(BENCH_BINS)
BENCH_RUN = /usr/bin/python3 $(abs_top_srcdir)/bench/run \
	--builddir '$(abs_top_builddir)' --srcdir '$(abs_top_srcdir)'

bench: $(BENCH_DEPS)
	$(BENCH_RUN)
bench-quick: $(BENCH_DEPS)
	$(BENCH_RUN) --quick
.PHONY: bench bench-quick

EXTRA_DIST += bench/run bench/benchlib.py bench/pyclient.py bench/README.md \
	bench/fig_1_latency.py bench/fig_2_memory.py bench/fig_3_idle.py \
	bench/fig_4_throughput.py bench/fig_5_storm.py bench/fig_6_startup.py \
	bench/fig_7_mail.py bench/fig_8_remote.py bench/webhookrecv.py \
	bench/scalelib.py bench/vm-run
