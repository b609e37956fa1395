// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's messages (control.h), for both ends: framegated's
 * parent (control_server.c) and framegatectl. One fixed-size struct per
 * SOCK_SEQPACKET datagram, checked by itself (control_check()), then, by
 * the client, in order (control_reader_accept()).
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "control.h"

/* Every byte is a field: no padding the compiler could fill. */
_Static_assert(sizeof(struct control_hdr) == 16, "control_hdr layout");
_Static_assert(sizeof(struct control_stats) == 24, "control_stats layout");
_Static_assert(sizeof(struct control_worker) ==
	       16 + 16 + 2 * CONTROL_NAME_MAX + 16 + 16 + 8 * CONTROL_NCOUNTERS,
	       "control_worker layout");
_Static_assert(sizeof(struct control_end) == 24, "control_end layout");
_Static_assert(sizeof(struct control_error) == 24, "control_error layout");
_Static_assert(sizeof(struct control_revoke) == 16 + CONTROL_NAME_MAX,
	       "control_revoke layout");
_Static_assert(sizeof(struct control_reload) == 24, "control_reload layout");
_Static_assert(sizeof(struct control_done) == 24, "control_done layout");

const struct control_counter_info control_counters[CONTROL_NCOUNTERS] = {
	[CONTROL_ACQUIRED] = { "frames_acquired",
		"Frames the worker took from its session.", false },
	[CONTROL_ENCODED] = { "frames_encoded", "JPEGs made.", false },
	[CONTROL_UPLOADED] = { "frames_uploaded", "PUTs answered 2xx.", false },
	[CONTROL_DROPPED_QUEUE_FULL] = { "frames_dropped_queue_full",
		"Oldest frames dropped for a newer one.", false },
	[CONTROL_DROPPED_UPLOAD_FAILED] = { "frames_dropped_upload_failed",
		"Frames given up after an upload error.", false },
	[CONTROL_DROPPED_TIMEOUT] = { "frames_dropped_timeout",
		"Frames given up after a timeout.", false },
	[CONTROL_ERR_CONNECT] = { "upload_errors_connect",
		"TCP connects that failed.", false },
	[CONTROL_ERR_TLS] = { "upload_errors_tls",
		"TLS handshakes or verifications that failed.", false },
	[CONTROL_ERR_HTTP] = { "upload_errors_http",
		"Responses other than 2xx.", false },
	[CONTROL_ERR_TIMEOUT] = { "upload_errors_timeout",
		"Connect or transfer timeouts.", false },
	[CONTROL_ERR_OTHER] = { "upload_errors_other",
		"Other upload errors.", false },
	[CONTROL_BYTES] = { "bytes_uploaded", "JPEG bytes uploaded.", false },
	[CONTROL_LATENCY_P50_US] = { "upload_latency_p50_us",
		"Median upload latency of the last uploads, microseconds.",
		true },
	[CONTROL_LATENCY_P99_US] = { "upload_latency_p99_us",
		"99th percentile upload latency of the last uploads, "
		"microseconds.", true },
	[CONTROL_CPU_ACQUIRE_US] = { "cpu_acquire_us",
		"The worker's CPU time taking and releasing frames, "
		"microseconds.", false },
	[CONTROL_CPU_ENCODE_US] = { "cpu_encode_us",
		"The worker's CPU time encoding JPEGs, microseconds.", false },
	[CONTROL_CPU_UPLOAD_US] = { "cpu_upload_us",
		"The worker's CPU time in TLS and HTTP, microseconds.",
		false },
	[CONTROL_CPU_SEAL_US] = { "cpu_seal_us",
		"The worker's CPU time sealing frames, microseconds.", false },
};

static const size_t lengths[] = {
	[CONTROL_MSG_STATS]	= sizeof(struct control_stats),
	[CONTROL_MSG_REVOKE]	= sizeof(struct control_revoke),
	[CONTROL_MSG_RELOAD]	= sizeof(struct control_reload),
	[CONTROL_MSG_WORKER]	= sizeof(struct control_worker),
	[CONTROL_MSG_END]	= sizeof(struct control_end),
	[CONTROL_MSG_ERROR]	= sizeof(struct control_error),
	[CONTROL_MSG_DONE]	= sizeof(struct control_done),
};

size_t
control_msg_len(uint32_t type)
{
	return type < sizeof(lengths) / sizeof(lengths[0]) ? lengths[type] : 0;
}

const char *
control_worker_state_name(uint32_t state)
{
	switch (state) {
	case CONTROL_WORKER_STARTING:	return "starting";
	case CONTROL_WORKER_RUNNING:	return "running";
	case CONTROL_WORKER_RESTARTING:	return "restarting";
	case CONTROL_WORKER_GIVEN_UP:	return "given-up";
	case CONTROL_WORKER_REVOKED:	return "revoked";
	case CONTROL_WORKER_NO_CAMERA:	return "no-camera";
	}
	return "?";
}

void
control_msg_init(struct control_msg *msg, uint32_t type)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdr.type = type;
	msg->hdr.len = control_msg_len(type);
	msg->hdr.version = CONTROL_VERSION;
}

/*
 * A name of framegated.conf(5) in char[size]: [A-Za-z0-9][A-Za-z0-9_-]*,
 * NUL-terminated, nothing but NULs after it.
 */
static bool
conf_name_ok(const char *s, size_t size)
{
	size_t len = strnlen(s, size), i;

	if (len == 0 || len == size)
		return false;
	for (i = len; i < size; i++)
		if (s[i] != '\0')
			return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '-')))
			return false;
	}
	return true;
}

static int
check_worker(const struct control_worker *w)
{
	const uint64_t *c = w->counters;
	unsigned __int128 gone = (unsigned __int128)c[CONTROL_UPLOADED] +
		c[CONTROL_DROPPED_QUEUE_FULL] +
		c[CONTROL_DROPPED_UPLOAD_FAILED] + c[CONTROL_DROPPED_TIMEOUT];
	bool alive;

	if (w->session_id == 0 || w->tenant_id == 0 ||
	    !conf_name_ok(w->tenant, sizeof(w->tenant)) ||
	    !conf_name_ok(w->session, sizeof(w->session)))
		return -EINVAL;
	switch (w->state) {
	case CONTROL_WORKER_STARTING:
	case CONTROL_WORKER_RUNNING:
		alive = true;
		break;
	case CONTROL_WORKER_RESTARTING:
	case CONTROL_WORKER_GIVEN_UP:
	case CONTROL_WORKER_REVOKED:
	case CONTROL_WORKER_NO_CAMERA:
		alive = false;
		break;
	default:
		return -EINVAL;
	}
	if (alive ? w->pid <= 0 : w->pid != 0)
		return -EINVAL;
	if (w->flags & ~CONTROL_WORKER_F_ALL ||
	    (!(w->flags & CONTROL_WORKER_F_SECCOMP) && w->seccomp_kills))
		return -EINVAL;
	if (c[CONTROL_ENCODED] > c[CONTROL_ACQUIRED] ||
	    c[CONTROL_UPLOADED] > c[CONTROL_ENCODED] ||
	    gone > c[CONTROL_ACQUIRED] ||
	    c[CONTROL_LATENCY_P50_US] > c[CONTROL_LATENCY_P99_US])
		return -EINVAL;
	return 0;
}

static int
check_body(const struct control_msg *m)
{
	switch (m->hdr.type) {
	case CONTROL_MSG_STATS:
		return m->stats.reserved ? -EINVAL : 0;
	case CONTROL_MSG_REVOKE:
		return conf_name_ok(m->revoke.session,
				    sizeof(m->revoke.session)) ? 0 : -EINVAL;
	case CONTROL_MSG_RELOAD:
		return m->reload.reserved ? -EINVAL : 0;
	case CONTROL_MSG_DONE:
		return 0;
	case CONTROL_MSG_WORKER:
		return check_worker(&m->worker);
	case CONTROL_MSG_END:
		return m->end.reserved ? -EINVAL : 0;
	case CONTROL_MSG_ERROR:
		if (m->error.error <= 0 || m->error.error >= 4096 ||
		    m->error.reserved)
			return -EINVAL;
		return 0;
	}
	return -ENOMSG;
}

int
control_check(const void *buf, size_t len, enum control_side from)
{
	struct control_msg m;
	size_t want;
	bool request;

	if (len > sizeof(m))
		return -EMSGSIZE;
	if (len < sizeof(m.hdr))
		return -EBADMSG;
	/* A copy: buf need not be aligned, and the checks read m alone. */
	memset(&m, 0, sizeof(m));
	memcpy(&m, buf, len);
	if (m.hdr.version != CONTROL_VERSION)
		return -EPROTONOSUPPORT;
	want = control_msg_len(m.hdr.type);
	request = m.hdr.type < CONTROL_MSG_WORKER;
	if (!want || request != (from == CONTROL_FROM_CLIENT))
		return -ENOMSG;
	if (m.hdr.len != len || len != want)
		return -EBADMSG;
	if (m.hdr.reserved)
		return -EINVAL;
	return check_body(&m);
}

int
control_send(int fd, const struct control_msg *msg, enum control_side from)
{
	size_t len = msg->hdr.len;
	ssize_t n;
	int r;

	if ((r = control_check(msg, len, from)) != 0)
		return r;
	do
		n = send(fd, msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int
control_recv(int fd, struct control_msg *msg, enum control_side from)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(4 * sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	bool ancillary = false;
	ssize_t n;

	memset(msg, 0, sizeof(*msg));
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* No message takes control data: close whatever fds came. */
	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		ancillary = true;
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS) {
			size_t i, nfds = (cmsg->cmsg_len - CMSG_LEN(0)) /
					 sizeof(int);

			for (i = 0; i < nfds; i++) {
				int one;

				memcpy(&one, CMSG_DATA(cmsg) + i * sizeof(int),
				       sizeof(int));
				close(one);
			}
		}
	}
	if (n == 0)
		return -EPIPE;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (ancillary || (mh.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	return control_check(msg, (size_t)n, from);
}

int
control_reader_accept(struct control_reader *r, const struct control_msg *msg)
{
	bool stats = r->request == CONTROL_MSG_STATS;

	if (r->done)
		return -EPROTO;
	switch (msg->hdr.type) {
	case CONTROL_MSG_WORKER:
		if (!stats)
			return -EPROTO;
		r->workers++;
		return 0;
	case CONTROL_MSG_END:
		if (!stats || msg->end.count != r->workers)
			return -EPROTO;
		r->done = true;
		return 0;
	case CONTROL_MSG_DONE:
		/* A revoke names the session it revoked; a reload none. */
		if (stats || (msg->done.session_id != 0) !=
			     (r->request == CONTROL_MSG_REVOKE))
			return -EPROTO;
		r->done = true;
		return 0;
	case CONTROL_MSG_ERROR:
		r->done = true;
		return 0;
	}
	return -ENOMSG;
}

int
control_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	int fd, error;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		error = -errno;
		close(fd);
		return error;
	}
	return fd;
}
