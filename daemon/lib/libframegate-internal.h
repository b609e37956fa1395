/* SPDX-License-Identifier: MIT */
/*
 * libframegate internals: not part of the library's API, and never
 * installed. Besides the library's own files, only the tests include
 * this: the unit tests (tests/unit/), the fuzz targets (tests/fuzz/),
 * tests/dump_test.c (which reads dumps datagram by datagram) and
 * tests/fgtest.c (cells without the cell programs); framegatectl and the
 * daemon use libframegate.h and enforce.h.
 */

#ifndef LIBFRAMEGATE_INTERNAL_H
#define LIBFRAMEGATE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "libframegate.h"

/*
 * A message for the program's log function (fg_set_log()), if it set one;
 * errno is kept. log.c.
 */
void	fg_log(enum fg_log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	fg_vlog(enum fg_log_level level, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/*
 * The cgroup of a cell alone, FG_CELL_ROOT/session-<id>, for the tests
 * that run with the cell programs detached, where a cell is a plain cgroup
 * and there are no maps to update: made (with FG_CELL_ROOT and the cgroup2
 * mount if needed; -EEXIST if it exists), or its tasks killed as
 * fg_cell_remove() kills them and the cgroup removed (-ENOENT if none;
 * -EBUSY if tasks outlive cgroup.kill). Not revoked, nothing unmapped:
 * the daemon uses fg_cell_create() and fg_cell_remove(). enforce.c.
 */
int	fg_cell_cgroup_create(uint64_t session_id);
int	fg_cell_cgroup_remove(uint64_t session_id);

/*
 * The parsers of what the kernel sends, callable on a buffer. The library
 * itself runs every reply, dump message and event through them.
 *
 * Each takes one netlink message at nlh, of which len bytes are readable
 * (nlmsg_len may be less; the bytes after it are ignored). It does not
 * check nlmsg_type against the family id, which the caller knows.
 */

/*
 * A reply to FG_CMD_GET_STATS / FG_CMD_GET_CAMERA / FG_CMD_GET_SESSION, or
 * an FG_CMD_EVENT multicast. 0 with *out filled, or -EBADMSG: the message
 * does not fit in len bytes, has no generic netlink header, or lacks an
 * attribute the uapi header promises, or has one of the wrong length (the
 * event parser also requires cmd FG_CMD_EVENT). Other attributes are
 * ignored. *out is unspecified after an error.
 */
int	fg_parse_stats_msg(const struct nlmsghdr *nlh, size_t len,
	    struct fg_stats *out);
int	fg_parse_camera_msg(const struct nlmsghdr *nlh, size_t len,
	    struct fg_camera_status *out);
int	fg_parse_session_msg(const struct nlmsghdr *nlh, size_t len,
	    struct fg_session_status *out);
int	fg_parse_event_msg(const struct nlmsghdr *nlh, size_t len,
	    struct fg_event_msg *out);

/*
 * NLMSG_DONE at the end of a dump: the kernel's negative errno it carries,
 * else 0 (also when it carries no errno at all); -EBADMSG when the message
 * does not fit in len bytes.
 */
int	fg_parse_done_msg(const struct nlmsghdr *nlh, size_t len);

#endif /* LIBFRAMEGATE_INTERNAL_H */
