/* SPDX-License-Identifier: ISC */
/*
 * The events an output could not send before a clean stop (a webhook's,
 * the MQTT broker's), kept in the state directory until the next start:
 * {"version":1,"queue":ARRAY} in STATE_DIR/FILE, mode 0600, written
 * atomically (temporary file, fsync, rename, fsync of the directory).
 * file is a name made by statedir_file_name().
 */
#ifndef JP_QUEUEFILE_H
#define JP_QUEUEFILE_H

struct json_object;

/* Saves queue (borrowed), an array; an empty one removes the file.  -1 on
 * error (logged, an older file intact). */
int queuefile_save(const char *state_dir, const char *file,
    struct json_object *queue);
/* The array saved, the caller's; the file is removed, so each event is
 * replayed by one start only.  NULL when there is none, or when it was
 * unusable (logged; a corrupt file is moved aside to FILE.corrupt-TIME). */
struct json_object *queuefile_take(const char *state_dir, const char *file);

#endif
