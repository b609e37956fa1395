/* SPDX-License-Identifier: MIT */
/*
 * libframegate: the userspace side of uapi/linux/framegate.h.
 *
 * This is the only implementation of the framegate calls in userspace;
 * framegatectl, the daemon and the tests all link it. The uapi header is the
 * reference for what each call does and which errors it returns.
 *
 * Return values: every function returning int returns 0 (or, where noted, a
 * non-negative file descriptor or count) on success and the exact negative
 * errno on failure; errno itself is not meaningful afterwards. Functions
 * returning a pointer return NULL on failure with errno set.
 *
 * Netlink errors sent by the kernel (NLMSG_ERROR, or the error carried by
 * NLMSG_DONE at the end of a dump) are passed through unchanged. Errors of
 * the socket itself reach us through libnl, which folds errnos into its own
 * codes; those are mapped back as closely as libnl allows (-EPROTO when it
 * does not). A reply that lacks an attribute the uapi header promises, or
 * has one of the wrong length, fails with -EBADMSG.
 */

#ifndef LIBFRAMEGATE_H
#define LIBFRAMEGATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/framegate.h>
#include <linux/netlink.h>		/* NLM_F_*, NLA_F_* */

/*
 * Messages
 *
 * The library never prints. What it has to say beyond an errno (why the
 * cell programs did not load, say, or libbpf's log of the failure) goes
 * to the program's log function, one line per call, without a prefix or a
 * newline; with none set (the default) it is discarded. fg_set_log()
 * returns the function it replaces. errno is kept across a call.
 *
 * Process-wide state: the log function is one pointer for the whole
 * process. Set it before other threads use the library. It is the
 * library's only mutable state apart from what enforce.h lists.
 */
enum fg_log_level {
	FG_LOG_WARN,		/* something failed or was repaired */
	FG_LOG_INFO,
	FG_LOG_DEBUG,
};

typedef void (*fg_log_fn)(enum fg_log_level level, const char *fmt,
	    va_list ap);

fg_log_fn	fg_set_log(fg_log_fn fn);

/* /dev/framegate and file descriptors */

int	fg_ctl_open(void);

/*
 * ioctl(2) with the result as a return value: the ioctl's non-negative
 * result or -errno. Sends the struct as it is, for tests of malformed ones.
 */
int	fg_ioctl(int fd, unsigned long cmd, void *arg);

/* Set a->size / c->size, then return the new camera / session fd. */
int	fg_camera_attach(int ctl, struct fg_camera_attach *a);
int	fg_session_create(int ctl, struct fg_session_create *c);

/* Zero the struct, set its size, then call the ioctl. */
int	fg_session_info(int sfd, struct fg_session_info *i);
int	fg_frame_acquire(int sfd, struct fg_frame *f);
int	fg_frame_release(int sfd, uint64_t frame_id);

/* Map / unmap the whole window (i->window_size bytes) read-only, shared. */
int	fg_session_map(int sfd, const struct fg_session_info *i,
	    const void **window);
int	fg_session_unmap(const void *window, const struct fg_session_info *i);

/* Generic netlink */

#define FG_CAMERA_DEVICE_LEN	32	/* with the terminating NUL */

struct fg_stats {
	uint64_t	cameras_attached;
	uint64_t	sessions_active;
	uint64_t	sessions_created;
	uint64_t	sessions_revoked;
	uint64_t	frames_captured;
	uint64_t	frames_delivered;
	uint64_t	frames_dropped;
	uint64_t	bytes_delivered;
};

struct fg_camera_status {
	uint32_t	camera_id;
	uint32_t	state;			/* enum fg_camera_state */
	char		device[FG_CAMERA_DEVICE_LEN];	/* e.g. "video0" */
	uint32_t	width;
	uint32_t	height;
	uint32_t	pixelformat;		/* V4L2 fourcc */
	uint32_t	fps;
	uint32_t	buffers;
	uint32_t	session_count;
	uint64_t	frames_captured;
	uint64_t	frames_dropped;
};

struct fg_session_status {
	uint64_t	session_id;
	uint64_t	tenant_id;
	uint32_t	state;			/* enum fg_session_state */
	uint32_t	depth;
	uint64_t	created_ns;		/* CLOCK_MONOTONIC */
	uint32_t	ncameras;
	uint32_t	cameras[FG_SESSION_CAMERAS_MAX];
	uint64_t	frames_captured;
	uint64_t	frames_delivered;
	uint64_t	frames_dropped_overrun;
	uint64_t	frames_dropped_held;
	uint64_t	frames_dropped_revoked;
	uint64_t	frames_queued;
	uint64_t	frames_held;
	uint64_t	bytes_delivered;
};

/*
 * An event. camera_id is set for camera events, session_id and tenant_id
 * for session events; the others are 0 (ids start at 1). FG_EVENT_DENIED
 * sets hook and denied (the counter the refusal moved), and session_id for
 * a session counter or camera_id for a camera counter, neither when only
 * the global counter moved. An event newer than this library has only its
 * code.
 */
struct fg_event_msg {
	uint32_t	event;			/* enum fg_event */
	uint32_t	camera_id;
	uint64_t	session_id;
	uint64_t	tenant_id;
	uint64_t	denied;			/* FG_EVENT_DENIED */
	uint32_t	hook;			/* enum fg_hook, FG_EVENT_DENIED */
};

struct fg_nl;

/*
 * A request handle, with the family resolved. NULL with errno ENOENT when
 * the family "framegate" is not registered (the module is not loaded).
 */
struct fg_nl	*fg_nl_open(void);
void		 fg_nl_close(struct fg_nl *nl);

int	fg_nl_get_stats(struct fg_nl *nl, struct fg_stats *st);
int	fg_nl_get_camera(struct fg_nl *nl, uint32_t id,
	    struct fg_camera_status *c);
int	fg_nl_get_session(struct fg_nl *nl, uint64_t id,
	    struct fg_session_status *s);
int	fg_nl_revoke_session(struct fg_nl *nl, uint64_t id);

/*
 * Dumps call cb once per object. A non-zero return from cb stops the calls
 * (the rest of the dump is read and discarded) and becomes the result.
 */
int	fg_nl_dump_cameras(struct fg_nl *nl,
	    int (*cb)(const struct fg_camera_status *, void *), void *arg);
int	fg_nl_dump_sessions(struct fg_nl *nl,
	    int (*cb)(const struct fg_session_status *, void *), void *arg);

/*
 * Send command cmd with nlm_flags (NLM_F_REQUEST and NLM_F_ACK are always
 * added) whose payload after the genl header is exactly attrs[attrs_len].
 * Replies are discarded; returns 0 on the ACK (or NLMSG_DONE of a dump) or
 * the kernel's -errno. For tests of malformed requests.
 */
int	fg_nl_request_raw(struct fg_nl *nl, uint8_t cmd, int nlm_flags,
	    const void *attrs, size_t attrs_len);

/*
 * Append attribute (type, data[len]) at buf + *off, zero-padded to
 * NLA_ALIGN, and advance *off. -EMSGSIZE if it does not fit in size bytes.
 * type goes into nla_type as is (NLA_F_NESTED may be or'ed in).
 */
int	fg_nla_encode(void *buf, size_t size, size_t *off, uint16_t type,
	    const void *data, size_t len);

/*
 * An event handle: member of the multicast group "events", non-blocking.
 * It only serves fg_nl_event_next(); requests on it fail with -EINVAL.
 */
struct fg_nl	*fg_nl_events_open(void);
/* The socket of an event handle, for poll() (POLLIN: fg_nl_event_next()). */
int		 fg_nl_event_fd(const struct fg_nl *nl);

/*
 * Wait up to timeout_ms (-1: forever) for an event. Returns 1 with *ev
 * filled, 0 on timeout, or -errno: -ENOBUFS means events were lost because
 * the socket overflowed, -EBADMSG a malformed event; the handle stays
 * usable after both.
 */
int	fg_nl_event_next(struct fg_nl *nl, int timeout_ms,
	    struct fg_event_msg *ev);

/* Names */

#define FG_FOURCC_LEN		5	/* four characters and a NUL */

/*
 * Lower-case names of the uapi enums; "unknown" for other values. Hook
 * names are those of the sysfs files denied_<name>.
 */
const char	*fg_camera_state_name(uint32_t state);
const char	*fg_session_state_name(uint32_t state);
const char	*fg_event_name(uint32_t event);
const char	*fg_hook_name(uint32_t hook);

/* "YUYV" for V4L2_PIX_FMT_YUYV; bytes that are not printable become '?'. */
const char	*fg_fourcc_str(uint32_t fourcc, char buf[FG_FOURCC_LEN]);

#endif /* LIBFRAMEGATE_H */
