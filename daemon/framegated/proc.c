// SPDX-License-Identifier: GPL-2.0
/*
 * The parent<->worker messages (proc.h): one fixed-size struct per
 * SOCK_SEQPACKET datagram, checked by itself (proc_check()), then against
 * what its sender may send now (proc_worker_accept(), proc_parent_accept()).
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "proc.h"

/* No padding the compiler could fill with stale bytes: every byte is a field. */
_Static_assert(sizeof(struct proc_hdr) == 24, "proc_hdr layout");
_Static_assert(sizeof(struct proc_hello) == 984, "proc_hello layout");
_Static_assert(sizeof(struct proc_tls) == 24 + 16 + PROC_TLS_CHUNK,
	       "proc_tls layout");
_Static_assert(sizeof(struct proc_stats) == 24 + 18 * 8, "proc_stats layout");
_Static_assert(sizeof(struct proc_fatal) == 24 + 8 + PROC_REASON_MAX,
	       "proc_fatal layout");
_Static_assert(sizeof(struct proc_log) == 24 + 8 + PROC_LOG_MAX,
	       "proc_log layout");

static const struct {
	const char	*name;
	size_t		len;
} types[] = {
	[PROC_MSG_HELLO]	= { "HELLO", sizeof(struct proc_hello) },
	[PROC_MSG_TLS]		= { "TLS", sizeof(struct proc_tls) },
	[PROC_MSG_SESSION_FD]	= { "SESSION_FD", sizeof(struct proc_session_fd) },
	[PROC_MSG_GO]		= { "GO", sizeof(struct proc_go) },
	[PROC_MSG_SHUTDOWN]	= { "SHUTDOWN", sizeof(struct proc_shutdown) },
	[PROC_MSG_READY]	= { "READY", sizeof(struct proc_ready) },
	[PROC_MSG_STATS]	= { "STATS", sizeof(struct proc_stats) },
	[PROC_MSG_FATAL]	= { "FATAL", sizeof(struct proc_fatal) },
	[PROC_MSG_LOG]		= { "LOG", sizeof(struct proc_log) },
};

#define NTYPES	(sizeof(types) / sizeof(types[0]))

size_t
proc_msg_len(uint32_t type)
{
	return type < NTYPES ? types[type].len : 0;
}

const char *
proc_msg_name(uint32_t type)
{
	return type < NTYPES && types[type].name ? types[type].name : "?";
}

void
proc_msg_init(struct proc_msg *msg, uint32_t type, uint64_t session_id)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdr.type = type;
	msg->hdr.len = proc_msg_len(type);
	msg->hdr.version = PROC_VERSION;
	msg->hdr.session_id = session_id;
}

static bool
is_parent_type(uint32_t type)
{
	return type >= PROC_MSG_HELLO && type <= PROC_MSG_SHUTDOWN;
}

static bool
is_worker_type(uint32_t type)
{
	return type >= PROC_MSG_READY && type <= PROC_MSG_LOG;
}

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return false;
	return true;
}

/*
 * A string in char[size]: terminated, zero after the NUL, of at least min
 * characters, each printable ASCII other than those in reject.
 */
static bool
string_ok(const char *s, size_t size, size_t min, const char *reject)
{
	const char *nul = memchr(s, '\0', size);
	size_t len, i;

	if (!nul)
		return false;
	len = nul - s;
	if (len < min || !all_zero(nul, size - len))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e ||
		    (reject && strchr(reject, s[i])))
			return false;
	return true;
}

/* A name of framegated.conf(5): [A-Za-z0-9][A-Za-z0-9_-]*. */
static bool
name_ok(const char *s, size_t size)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	size_t len;

	if (!string_ok(s, size, 1, NULL))
		return false;
	len = strlen(s);
	return strspn(s, chars) == len && s[0] != '_' && s[0] != '-';
}

static int
check_hello(const struct proc_hello *h)
{
	unsigned int i, j;

	if (!name_ok(h->tenant, sizeof(h->tenant)) ||
	    !name_ok(h->session, sizeof(h->session)))
		return -EINVAL;
	if (h->ncameras < 1 || h->ncameras > PROC_CAMERAS_MAX)
		return -EINVAL;
	for (i = 0; i < PROC_CAMERAS_MAX; i++) {
		if (i >= h->ncameras) {
			if (h->camera_ids[i] ||
			    !all_zero(h->cameras[i], sizeof(h->cameras[i])))
				return -EINVAL;
			continue;
		}
		if (!h->camera_ids[i] ||
		    !name_ok(h->cameras[i], sizeof(h->cameras[i])))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (h->camera_ids[j] == h->camera_ids[i])
				return -EINVAL;
	}
	switch (h->mode) {
	case PROC_MODE_STILLS:
		if (h->interval < 1 || h->interval > 86400 || h->rate)
			return -EINVAL;
		break;
	case PROC_MODE_LIVE:
		if (h->rate < FG_FPS_MIN || h->rate > FG_FPS_MAX || h->interval)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (h->quality < 1 || h->quality > 100 ||
	    h->queue < FG_DEPTH_MIN || h->queue > FG_DEPTH_MAX || !h->port)
		return -EINVAL;
	switch (h->family) {
	case AF_INET:
		if (!all_zero(h->addr + 4, sizeof(h->addr) - 4) || h->scope_id)
			return -EINVAL;
		break;
	case AF_INET6:
		break;
	default:
		return -EINVAL;
	}
	for (i = 0; i < 3; i++) {
		if (h->tls_len[i] > PROC_TLS_MAX)
			return -E2BIG;
		if (!h->tls_len[i])
			return -EINVAL;
	}
	if (h->reserved || h->reserved2 ||
	    all_zero(h->seal_key, sizeof(h->seal_key)))
		return -EINVAL;
	if (!string_ok(h->host, sizeof(h->host), 1, " /@\\") ||
	    !string_ok(h->path, sizeof(h->path), 1, " \\") || h->path[0] != '/')
		return -EINVAL;
	return 0;
}

static int
check_tls(const struct proc_tls *t)
{
	if (t->kind < PROC_TLS_CA || t->kind > PROC_TLS_KEY)
		return -EINVAL;
	if (t->total > PROC_TLS_MAX)
		return -E2BIG;
	if (!t->total || !t->len || t->len > PROC_TLS_CHUNK)
		return -EINVAL;
	if ((uint64_t)t->offset + t->len > t->total)
		return -EOVERFLOW;
	if (!all_zero(t->data + t->len, sizeof(t->data) - t->len))
		return -EINVAL;
	return 0;
}

static int
check_stats(const struct proc_stats *s)
{
	unsigned __int128 gone = (unsigned __int128)s->uploaded +
		s->dropped_queue_full + s->dropped_upload_failed +
		s->dropped_timeout;

	if (s->encoded > s->acquired || s->uploaded > s->encoded ||
	    gone > s->acquired || s->latency_p50_us > s->latency_p99_us)
		return -EINVAL;
	return 0;
}

static int
check_body(const struct proc_msg *m)
{
	switch (m->hdr.type) {
	case PROC_MSG_HELLO:
		return check_hello(&m->hello);
	case PROC_MSG_TLS:
		return check_tls(&m->tls);
	case PROC_MSG_SESSION_FD:
		return m->session_fd.reserved ? -EINVAL : 0;
	case PROC_MSG_GO:
		return m->go.reserved ? -EINVAL : 0;
	case PROC_MSG_SHUTDOWN:
		if (m->shutdown.reason < PROC_SHUTDOWN_STOP ||
		    m->shutdown.reason > PROC_SHUTDOWN_RESTART ||
		    m->shutdown.reserved)
			return -EINVAL;
		return 0;
	case PROC_MSG_READY:
		return m->ready.reserved ? -EINVAL : 0;
	case PROC_MSG_STATS:
		return check_stats(&m->stats);
	case PROC_MSG_FATAL:
		if (m->fatal.reason < PROC_FATAL_PROTOCOL ||
		    m->fatal.reason > PROC_FATAL_INTERNAL ||
		    m->fatal.error < 0 || m->fatal.error >= 4096 ||
		    !string_ok(m->fatal.text, sizeof(m->fatal.text), 1, NULL))
			return -EINVAL;
		return 0;
	case PROC_MSG_LOG:
		if (m->log.priority < LOG_CRIT || m->log.priority > LOG_DEBUG ||
		    m->log.reserved ||
		    !string_ok(m->log.text, sizeof(m->log.text), 1, NULL))
			return -EINVAL;
		return 0;
	}
	return -ENOMSG;
}

int
proc_check(const void *buf, size_t len, unsigned int nfds)
{
	struct proc_msg m;
	size_t want;

	if (len > sizeof(m))
		return -EMSGSIZE;
	if (len < sizeof(m.hdr))
		return -EBADMSG;
	/* A copy: buf need not be aligned, and the checks read m alone. */
	memcpy(&m, buf, len);
	if (m.hdr.version != PROC_VERSION)
		return -EPROTONOSUPPORT;
	want = proc_msg_len(m.hdr.type);
	if (!want)
		return -ENOMSG;
	if (m.hdr.len != len || len != want)
		return -EBADMSG;
	if (nfds != (m.hdr.type == PROC_MSG_SESSION_FD ? 1u : 0u))
		return -EPROTO;
	if (m.hdr.reserved)
		return -EINVAL;
	if (!m.hdr.session_id)
		return -ESTALE;
	return check_body(&m);
}

int
proc_send(int fd, const struct proc_msg *msg, int pass_fd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cmsg;
	size_t len = msg->hdr.len;
	ssize_t n;
	int r;

	if ((msg->hdr.type == PROC_MSG_SESSION_FD) != (pass_fd >= 0))
		return -EINVAL;
	r = proc_check(msg, len, pass_fd >= 0);
	if (r)
		return r;

	iov.iov_base = (void *)msg;
	iov.iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (pass_fd >= 0) {
		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &pass_fd, sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* At most this many fds are taken from one datagram; more is MSG_CTRUNC. */
#define RECV_FDS_MAX	2

int
proc_recv(int fd, struct proc_msg *msg, int *fd_out)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(RECV_FDS_MAX * sizeof(int))];
	} control;
	int fds[RECV_FDS_MAX];
	unsigned int nfds = 0, i, n_in;
	bool bad_control = false;
	struct cmsghdr *cmsg;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	int r;

	if (fd_out)
		*fd_out = -1;
	memset(msg, 0, sizeof(*msg));
	iov.iov_base = msg;
	iov.iov_len = sizeof(*msg);
	memset(&mh, 0, sizeof(mh));
	memset(&control, 0, sizeof(control));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof(control.buf);
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	/* Every fd that arrived, so that each is closed on any error. */
	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS) {
			bad_control = true;
			continue;
		}
		n_in = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n_in; i++) {
			int one;

			memcpy(&one, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			if (nfds < RECV_FDS_MAX)
				fds[nfds++] = one;
			else
				close(one);	/* cannot happen: CTRUNC */
		}
	}

	if (n == 0)
		r = -EPIPE;
	else if (mh.msg_flags & MSG_TRUNC)
		r = -EMSGSIZE;
	else if ((mh.msg_flags & MSG_CTRUNC) || bad_control)
		r = -EPROTO;
	else if (nfds && !fd_out)
		r = -EPROTO;
	else
		r = proc_check(msg, n, nfds);

	if (r) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return r;
	}
	if (nfds)
		*fd_out = fds[0];
	return 0;
}

void
proc_worker_init(struct proc_worker *w)
{
	memset(w, 0, sizeof(*w));
	w->phase = PROC_WORKER_START;
}

void
proc_worker_clear(struct proc_worker *w)
{
	explicit_bzero(w, sizeof(*w));
	w->phase = PROC_WORKER_START;
}

int
proc_worker_accept(struct proc_worker *w, const struct proc_msg *msg)
{
	struct proc_tls_item *item;
	const struct proc_tls *t;
	unsigned int i;

	if (!is_parent_type(msg->hdr.type))
		return -ENOMSG;
	if (w->phase == PROC_WORKER_START) {
		if (msg->hdr.type != PROC_MSG_HELLO)
			return -EPROTO;
		w->hello = msg->hello;
		for (i = 0; i < 3; i++) {
			w->tls[i].total = msg->hello.tls_len[i];
			w->tls[i].have = 0;
		}
		w->phase = PROC_WORKER_SETUP;
		return 0;
	}
	if (msg->hdr.session_id != w->hello.hdr.session_id)
		return -ESTALE;
	if (w->phase == PROC_WORKER_DONE)
		return -EPROTO;

	switch (msg->hdr.type) {
	case PROC_MSG_TLS:
		if (w->phase != PROC_WORKER_SETUP)
			return -EPROTO;
		t = &msg->tls;
		item = &w->tls[t->kind - 1];
		if (t->total != item->total)
			return -EINVAL;
		if (t->offset != item->have)
			return -EPROTO;
		memcpy(item->data + t->offset, t->data, t->len);
		item->have += t->len;
		return 0;
	case PROC_MSG_SESSION_FD:
		if (w->phase != PROC_WORKER_SETUP || w->have_fd)
			return -EPROTO;
		w->have_fd = true;
		return 0;
	case PROC_MSG_GO:
		if (w->phase != PROC_WORKER_READY)
			return -EPROTO;
		w->phase = PROC_WORKER_RUNNING;
		return 0;
	case PROC_MSG_SHUTDOWN:
		w->phase = PROC_WORKER_DONE;
		return 0;
	default:	/* a second HELLO */
		return -EPROTO;
	}
}

bool
proc_worker_complete(const struct proc_worker *w)
{
	unsigned int i;

	if (w->phase != PROC_WORKER_SETUP || !w->have_fd)
		return false;
	for (i = 0; i < 3; i++)
		if (w->tls[i].have != w->tls[i].total)
			return false;
	return true;
}

int
proc_worker_ready(struct proc_worker *w)
{
	if (!proc_worker_complete(w))
		return -EPROTO;
	w->phase = PROC_WORKER_READY;
	return 0;
}

int
proc_worker_recv(int fd, struct proc_worker *w, struct proc_msg *msg,
		 int *fd_out)
{
	int r;

	r = proc_recv(fd, msg, fd_out);
	if (r)
		return r;
	r = proc_worker_accept(w, msg);
	if (r && *fd_out >= 0) {
		close(*fd_out);
		*fd_out = -1;
	}
	return r;
}

void
proc_parent_init(struct proc_parent *p, uint64_t session_id)
{
	memset(p, 0, sizeof(*p));
	p->session_id = session_id;
}

static int
parent_refuse(struct proc_parent *p, int r)
{
	p->errors++;
	p->last_error = r;
	return r;
}

/* Every counter of s at least that of prev (the latencies may move). */
static bool
stats_grow(const struct proc_stats *prev, const struct proc_stats *s)
{
	return s->acquired >= prev->acquired &&
	       s->encoded >= prev->encoded &&
	       s->uploaded >= prev->uploaded &&
	       s->dropped_queue_full >= prev->dropped_queue_full &&
	       s->dropped_upload_failed >= prev->dropped_upload_failed &&
	       s->dropped_timeout >= prev->dropped_timeout &&
	       s->err_connect >= prev->err_connect &&
	       s->err_tls >= prev->err_tls &&
	       s->err_http >= prev->err_http &&
	       s->err_timeout >= prev->err_timeout &&
	       s->err_other >= prev->err_other &&
	       s->bytes >= prev->bytes &&
	       s->cpu_acquire_us >= prev->cpu_acquire_us &&
	       s->cpu_encode_us >= prev->cpu_encode_us &&
	       s->cpu_upload_us >= prev->cpu_upload_us &&
	       s->cpu_seal_us >= prev->cpu_seal_us;
}

int
proc_parent_accept(struct proc_parent *p, const struct proc_msg *msg)
{
	if (!is_worker_type(msg->hdr.type))
		return parent_refuse(p, -ENOMSG);
	if (msg->hdr.session_id != p->session_id)
		return parent_refuse(p, -ESTALE);
	if (p->fatal)
		return parent_refuse(p, -EPROTO);

	switch (msg->hdr.type) {
	case PROC_MSG_READY:
		if (p->ready)
			return parent_refuse(p, -EPROTO);
		p->ready = true;
		return 0;
	case PROC_MSG_STATS:
		if (!p->ready)
			return parent_refuse(p, -EPROTO);
		if (!stats_grow(&p->stats, &msg->stats))
			return parent_refuse(p, -EINVAL);
		p->stats = msg->stats;
		return 0;
	case PROC_MSG_LOG:
		return 0;
	default:	/* FATAL */
		p->fatal = true;
		return 0;
	}
}

int
proc_parent_recv(int fd, struct proc_parent *p, struct proc_msg *msg)
{
	int r;

	r = proc_recv(fd, msg, NULL);
	if (r == -EPIPE || r == -EAGAIN)
		return r;
	if (r)
		return parent_refuse(p, r);
	return proc_parent_accept(p, msg);
}
