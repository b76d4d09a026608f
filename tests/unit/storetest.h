/* SPDX-License-Identifier: ISC */
/* What check_store and check_storeparse share: a fresh state directory per
 * test with the log captured, and reading back files and the log. */
#ifndef JP_TESTS_STORETEST_H
#define JP_TESTS_STORETEST_H

/* The test's state directory, made by storetest_setup(). */
extern char dir[64];

/* The checked fixture: makes dir and captures the log; removes both. */
void	 storetest_setup(void);
void	 storetest_teardown(void);
/* The contents of path; the caller frees. */
char	*slurp(const char *path);
/* The log, each line without its timestamp; the caller frees. */
char	*logged(void);
/* Writes content to dir/name. */
void	 write_file(const char *name, const char *content);
/* dir/name; the caller frees. */
char	*dir_path(const char *name);
/* Entries of dir, sorted, space-separated; the caller frees. */
char	*dir_list(void);

#endif
