# SPDX-License-Identifier: ISC
# Manual pages (mdoc), installed by make install and linted by make check.
dist_man_MANS = man/jmap-pushd.8 man/jmap-pushd.conf.5
TESTS += tests/man/lint.sh
EXTRA_DIST += tests/man/lint.sh
