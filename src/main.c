/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/daemon.h"
#include "util/log.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: jmap-pushd [-c FILE] [-v | -q] [--check-config]\n"
	    "\n"
	    "Keeps JMAP push connections open and runs hooks on every change.\n"
	    "\n"
	    "  -c, --config FILE  configuration file (default: %s)\n"
	    "  -v, --verbose      log debug messages\n"
	    "  -q, --quiet        log only warnings and errors\n"
	    "      --check-config validate the configuration and exit\n"
	    "      --version      print the version and exit\n"
	    "  -h, --help         print this help and exit\n",
	    "$XDG_CONFIG_HOME/jmap-pushd/config, or "
	    "/etc/jmap-pushd/jmap-pushd.conf for root");
}

static int
check_config(const char *path)
{
	struct config_errors errs = { 0 };
	struct config *cfg = config_load(path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	config_errors_clear(&errs);
	if (cfg == NULL)
		return 1;
	printf("%s: configuration OK\n", path);
	config_free(cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *path = NULL;
	bool check = false;
	int level = -1, ch, rc;

	log_init(LOG_INFO);
	while ((ch = getopt_long(argc, argv, "c:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			free(path);
			path = strdup(optarg);
			break;
		case 'v':
			level = LOG_DEBUG;
			break;
		case 'q':
			level = LOG_WARNING;
			break;
		case 'C':
			check = true;
			break;
		case 'V':
			printf("jmap-pushd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (path == NULL)
		path = config_default_path();
	if (path == NULL) {
		fprintf(stderr, "jmap-pushd: cannot find a configuration "
		    "path: set HOME or use -c FILE\n");
		return 2;
	}
	if (level != -1)
		log_set_level(level);
	rc = check ? check_config(path) : daemon_run(path, level);
	free(path);
	return rc;
}
