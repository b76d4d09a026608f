# The scale figures of the benchmarks (issue 7: figures 2, 3 and 5), run by
# bench/run with the others (bench/local.mk); nothing here is built.
EXTRA_DIST += bench/fig_2_memory.py bench/fig_3_idle.py bench/fig_5_storm.py \
	bench/scalelib.py bench/README-scale.md
