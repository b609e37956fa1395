// SPDX-License-Identifier: MIT
/*
 * libframegate: ioctls on /dev/framegate and on session fds, and the
 * generic netlink family "framegate" through libnl-genl-3.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "libframegate.h"
#include "libframegate-internal.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct fg_nl {
	struct nl_sock	*sk;
	int		 family;
	bool		 events;	/* fg_nl_events_open() */
};

/* /dev/framegate and file descriptors */

int
fg_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r;

	r = ioctl(fd, cmd, arg);
	return r < 0 ? -errno : r;
}

int
fg_ctl_open(void)
{
	int fd;

	fd = open("/dev/" FG_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int
fg_camera_attach(int ctl, struct fg_camera_attach *a)
{
	a->size = sizeof(*a);
	return fg_ioctl(ctl, FG_IOC_CAMERA_ATTACH, a);
}

int
fg_session_create(int ctl, struct fg_session_create *c)
{
	c->size = sizeof(*c);
	return fg_ioctl(ctl, FG_IOC_SESSION_CREATE, c);
}

int
fg_session_info(int sfd, struct fg_session_info *i)
{
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	return fg_ioctl(sfd, FG_SESSION_IOC_INFO, i);
}

int
fg_frame_acquire(int sfd, struct fg_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	return fg_ioctl(sfd, FG_SESSION_IOC_ACQUIRE, f);
}

int
fg_frame_release(int sfd, uint64_t frame_id)
{
	struct fg_frame_release r = {
		.size = sizeof(r),
		.frame_id = frame_id,
	};

	return fg_ioctl(sfd, FG_SESSION_IOC_RELEASE, &r);
}

int
fg_session_map(int sfd, const struct fg_session_info *i, const void **window)
{
	void *p;

	p = mmap(NULL, i->window_size, PROT_READ, MAP_SHARED, sfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*window = p;
	return 0;
}

int
fg_session_unmap(const void *window, const struct fg_session_info *i)
{
	return munmap((void *)window, i->window_size) < 0 ? -errno : 0;
}

/* Generic netlink: errors */

/*
 * libnl reports errors of its own socket calls as NLE_* codes folded from
 * errnos (nl_syserr2nlerr()); undo the folding where it is unambiguous or
 * pick the likely errno where it is not.
 */
static const int nle_errnos[] = {
	[NLE_INTR]		= EINTR,
	[NLE_BAD_SOCK]		= EBADF,
	[NLE_AGAIN]		= EAGAIN,
	[NLE_NOMEM]		= ENOMEM,
	[NLE_EXIST]		= EEXIST,
	[NLE_INVAL]		= EINVAL,
	[NLE_RANGE]		= ERANGE,
	[NLE_MSGSIZE]		= EMSGSIZE,
	[NLE_OPNOTSUPP]		= EOPNOTSUPP,
	[NLE_AF_NOSUPPORT]	= EAFNOSUPPORT,
	[NLE_OBJ_NOTFOUND]	= ENOENT,
	[NLE_NOADDR]		= EADDRNOTAVAIL,
	[NLE_BUSY]		= EBUSY,
	[NLE_PROTO_MISMATCH]	= EPROTONOSUPPORT,
	[NLE_NOACCESS]		= EACCES,
	[NLE_PERM]		= EPERM,
	[NLE_NODEV]		= ENODEV,
};

static int
nle_errno(int nle)
{
	nle = -nle;
	if (nle > 0 && nle < (int)nitems(nle_errnos) && nle_errnos[nle] != 0)
		return -nle_errnos[nle];
	return -EPROTO;
}

/* Generic netlink: attributes */

#define P_U32	{ .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define P_U64	{ .type = NLA_U64, .minlen = 8, .maxlen = 8 }

/* Every attribute the kernel sends, with its exact length. */
static const struct nla_policy fg_policy[FG_A_MAX + 1] = {
	[FG_A_CAMERA_ID]		= P_U32,
	[FG_A_SESSION_ID]		= P_U64,
	[FG_A_TENANT_ID]		= P_U64,
	[FG_A_CAMERA_STATE]		= P_U32,
	[FG_A_CAMERA_DEVICE]		= { .type = NLA_STRING,
					    .maxlen = FG_CAMERA_DEVICE_LEN },
	[FG_A_WIDTH]			= P_U32,
	[FG_A_HEIGHT]			= P_U32,
	[FG_A_PIXELFORMAT]		= P_U32,
	[FG_A_FPS]			= P_U32,
	[FG_A_BUFFERS]			= P_U32,
	[FG_A_SESSION_COUNT]		= P_U32,
	[FG_A_SESSION_STATE]		= P_U32,
	[FG_A_CREATED_NS]		= P_U64,
	[FG_A_DEPTH]			= P_U32,
	[FG_A_SESSION_CAMERAS]		= { .type = NLA_NESTED },
	[FG_A_FRAMES_CAPTURED]		= P_U64,
	[FG_A_FRAMES_DELIVERED]		= P_U64,
	[FG_A_FRAMES_DROPPED]		= P_U64,
	[FG_A_FRAMES_DROPPED_OVERRUN]	= P_U64,
	[FG_A_FRAMES_DROPPED_HELD]	= P_U64,
	[FG_A_FRAMES_DROPPED_REVOKED]	= P_U64,
	[FG_A_FRAMES_QUEUED]		= P_U64,
	[FG_A_FRAMES_HELD]		= P_U64,
	[FG_A_BYTES_DELIVERED]		= P_U64,
	[FG_A_CAMERAS_ATTACHED]		= P_U64,
	[FG_A_SESSIONS_ACTIVE]		= P_U64,
	[FG_A_SESSIONS_CREATED]		= P_U64,
	[FG_A_SESSIONS_REVOKED]		= P_U64,
	[FG_A_EVENT]			= P_U32,
	[FG_A_HOOK]			= P_U32,
	[FG_A_DENIED]			= P_U64,
};

/* Where an attribute goes in a struct. */
struct field {
	int	attr;
	size_t	off;
	size_t	size;
};

#define FIELD(type, member, attr) \
	{ attr, offsetof(struct type, member), sizeof(((struct type *)0)->member) }

static const struct field stats_fields[] = {
	FIELD(fg_stats, cameras_attached, FG_A_CAMERAS_ATTACHED),
	FIELD(fg_stats, sessions_active, FG_A_SESSIONS_ACTIVE),
	FIELD(fg_stats, sessions_created, FG_A_SESSIONS_CREATED),
	FIELD(fg_stats, sessions_revoked, FG_A_SESSIONS_REVOKED),
	FIELD(fg_stats, frames_captured, FG_A_FRAMES_CAPTURED),
	FIELD(fg_stats, frames_delivered, FG_A_FRAMES_DELIVERED),
	FIELD(fg_stats, frames_dropped, FG_A_FRAMES_DROPPED),
	FIELD(fg_stats, bytes_delivered, FG_A_BYTES_DELIVERED),
};

static const struct field camera_fields[] = {
	FIELD(fg_camera_status, camera_id, FG_A_CAMERA_ID),
	FIELD(fg_camera_status, state, FG_A_CAMERA_STATE),
	FIELD(fg_camera_status, device, FG_A_CAMERA_DEVICE),
	FIELD(fg_camera_status, width, FG_A_WIDTH),
	FIELD(fg_camera_status, height, FG_A_HEIGHT),
	FIELD(fg_camera_status, pixelformat, FG_A_PIXELFORMAT),
	FIELD(fg_camera_status, fps, FG_A_FPS),
	FIELD(fg_camera_status, buffers, FG_A_BUFFERS),
	FIELD(fg_camera_status, session_count, FG_A_SESSION_COUNT),
	FIELD(fg_camera_status, frames_captured, FG_A_FRAMES_CAPTURED),
	FIELD(fg_camera_status, frames_dropped, FG_A_FRAMES_DROPPED),
};

/* FG_A_SESSION_CAMERAS is parsed by session_parse(). */
static const struct field session_fields[] = {
	FIELD(fg_session_status, session_id, FG_A_SESSION_ID),
	FIELD(fg_session_status, tenant_id, FG_A_TENANT_ID),
	FIELD(fg_session_status, state, FG_A_SESSION_STATE),
	FIELD(fg_session_status, created_ns, FG_A_CREATED_NS),
	FIELD(fg_session_status, depth, FG_A_DEPTH),
	FIELD(fg_session_status, frames_captured, FG_A_FRAMES_CAPTURED),
	FIELD(fg_session_status, frames_delivered, FG_A_FRAMES_DELIVERED),
	FIELD(fg_session_status, frames_dropped_overrun,
	    FG_A_FRAMES_DROPPED_OVERRUN),
	FIELD(fg_session_status, frames_dropped_held, FG_A_FRAMES_DROPPED_HELD),
	FIELD(fg_session_status, frames_dropped_revoked,
	    FG_A_FRAMES_DROPPED_REVOKED),
	FIELD(fg_session_status, frames_queued, FG_A_FRAMES_QUEUED),
	FIELD(fg_session_status, frames_held, FG_A_FRAMES_HELD),
	FIELD(fg_session_status, bytes_delivered, FG_A_BYTES_DELIVERED),
};

static const struct field camera_event_fields[] = {
	FIELD(fg_event_msg, event, FG_A_EVENT),
	FIELD(fg_event_msg, camera_id, FG_A_CAMERA_ID),
};

static const struct field session_event_fields[] = {
	FIELD(fg_event_msg, event, FG_A_EVENT),
	FIELD(fg_event_msg, session_id, FG_A_SESSION_ID),
	FIELD(fg_event_msg, tenant_id, FG_A_TENANT_ID),
};

/* FG_A_SESSION_ID or FG_A_CAMERA_ID, both optional, by denied_parse(). */
static const struct field denied_event_fields[] = {
	FIELD(fg_event_msg, event, FG_A_EVENT),
	FIELD(fg_event_msg, hook, FG_A_HOOK),
	FIELD(fg_event_msg, denied, FG_A_DENIED),
};

static const struct field denied_session_field[] = {
	FIELD(fg_event_msg, session_id, FG_A_SESSION_ID),
};

static const struct field denied_camera_field[] = {
	FIELD(fg_event_msg, camera_id, FG_A_CAMERA_ID),
};

/*
 * Copy the attributes of f[0..n) from tb (parsed with fg_policy) to out,
 * which the caller zeroed. Each must be present and fit its field exactly;
 * strings, NUL-terminated by the policy, may be shorter.
 */
static int
fill(struct nlattr **tb, const struct field *f, size_t n, void *out)
{
	const struct nlattr *a;
	size_t len;

	for (; n > 0; f++, n--) {
		if ((a = tb[f->attr]) == NULL)
			return -EBADMSG;
		len = nla_len(a);
		if (fg_policy[f->attr].type == NLA_STRING ?
		    len > f->size : len != f->size)
			return -EBADMSG;
		memcpy((char *)out + f->off, nla_data(a), len);
	}
	return 0;
}

#define FILL(tb, fields, out)	fill(tb, fields, nitems(fields), out)

static int
stats_parse(struct nlattr **tb, void *arg)
{
	memset(arg, 0, sizeof(struct fg_stats));
	return FILL(tb, stats_fields, arg);
}

static int
camera_parse(struct nlattr **tb, void *arg)
{
	memset(arg, 0, sizeof(struct fg_camera_status));
	return FILL(tb, camera_fields, arg);
}

static int
session_parse(struct nlattr **tb, void *arg)
{
	struct fg_session_status *s = arg;
	struct nlattr *a;
	int error, rem;

	memset(s, 0, sizeof(*s));
	if ((error = FILL(tb, session_fields, s)) != 0)
		return error;
	if (tb[FG_A_SESSION_CAMERAS] == NULL)
		return -EBADMSG;
	nla_for_each_nested(a, tb[FG_A_SESSION_CAMERAS], rem) {
		if (nla_type(a) != FG_A_CAMERA_ID)
			continue;
		if ((size_t)nla_len(a) != sizeof(uint32_t) ||
		    s->ncameras == FG_SESSION_CAMERAS_MAX)
			return -EBADMSG;
		s->cameras[s->ncameras++] = nla_get_u32(a);
	}
	return 0;
}

/* A denial names the session or the camera counted, or neither: not both. */
static int
denied_parse(struct nlattr **tb, struct fg_event_msg *ev)
{
	int error;

	if ((error = FILL(tb, denied_event_fields, ev)) != 0)
		return error;
	if (tb[FG_A_SESSION_ID] != NULL && tb[FG_A_CAMERA_ID] != NULL)
		return -EBADMSG;
	if (tb[FG_A_SESSION_ID] != NULL)
		return FILL(tb, denied_session_field, ev);
	if (tb[FG_A_CAMERA_ID] != NULL)
		return FILL(tb, denied_camera_field, ev);
	return 0;
}

static int
event_parse(struct nlattr **tb, struct fg_event_msg *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (tb[FG_A_EVENT] == NULL)
		return -EBADMSG;
	switch (nla_get_u32(tb[FG_A_EVENT])) {
	case FG_EVENT_SESSION_CREATED:
	case FG_EVENT_SESSION_REVOKED:
	case FG_EVENT_SESSION_CLOSED:
	case FG_EVENT_SESSION_LOST:
		return FILL(tb, session_event_fields, ev);
	case FG_EVENT_CAMERA_ATTACHED:
	case FG_EVENT_CAMERA_LOST:
	case FG_EVENT_CAMERA_DETACHED:
		return FILL(tb, camera_event_fields, ev);
	case FG_EVENT_DENIED:
		return denied_parse(tb, ev);
	default:	/* newer than this library: the code only */
		ev->event = nla_get_u32(tb[FG_A_EVENT]);
		return 0;
	}
}

/* Whether the message at nlh, of which len bytes are readable, fits. */
static bool
msg_fits(const struct nlmsghdr *nlh, size_t len)
{
	return len >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN &&
	    nlh->nlmsg_len <= len;
}

/*
 * The attributes of the one message at nlh, of which len bytes are readable,
 * into tb (by fg_policy). libnl trusts nlmsg_len, so check it first; it
 * also ignores bytes left over after the last whole attribute, which only
 * a message cut short has: refuse those.
 */
static int
msg_attrs(const struct nlmsghdr *nlh, size_t len, struct nlattr **tb)
{
	struct genlmsghdr *g;
	struct nlattr *a;
	int rem;

	if (!msg_fits(nlh, len))
		return -EBADMSG;
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, FG_A_MAX,
	    fg_policy) < 0)
		return -EBADMSG;
	g = genlmsg_hdr((struct nlmsghdr *)nlh);
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
	    rem)
		;
	return rem > 0 ? -EBADMSG : 0;
}

int
fg_parse_stats_msg(const struct nlmsghdr *nlh, size_t len, struct fg_stats *st)
{
	struct nlattr *tb[FG_A_MAX + 1];
	int error;

	if ((error = msg_attrs(nlh, len, tb)) != 0)
		return error;
	return stats_parse(tb, st);
}

int
fg_parse_camera_msg(const struct nlmsghdr *nlh, size_t len,
    struct fg_camera_status *c)
{
	struct nlattr *tb[FG_A_MAX + 1];
	int error;

	if ((error = msg_attrs(nlh, len, tb)) != 0)
		return error;
	return camera_parse(tb, c);
}

int
fg_parse_session_msg(const struct nlmsghdr *nlh, size_t len,
    struct fg_session_status *s)
{
	struct nlattr *tb[FG_A_MAX + 1];
	int error;

	if ((error = msg_attrs(nlh, len, tb)) != 0)
		return error;
	return session_parse(tb, s);
}

int
fg_parse_event_msg(const struct nlmsghdr *nlh, size_t len,
    struct fg_event_msg *ev)
{
	struct nlattr *tb[FG_A_MAX + 1];
	int error;

	if ((error = msg_attrs(nlh, len, tb)) != 0)
		return error;
	if (genlmsg_hdr((struct nlmsghdr *)nlh)->cmd != FG_CMD_EVENT)
		return -EBADMSG;
	return event_parse(tb, ev);
}

int
fg_parse_done_msg(const struct nlmsghdr *nlh, size_t len)
{
	int error = 0;

	if (!msg_fits(nlh, len))
		return -EBADMSG;
	if (nlh->nlmsg_len - NLMSG_HDRLEN >= sizeof(error))
		memcpy(&error, (const char *)nlh + NLMSG_HDRLEN, sizeof(error));
	return error < 0 ? error : 0;
}

int
fg_nla_encode(void *buf, size_t size, size_t *off, uint16_t type,
    const void *data, size_t len)
{
	struct nlattr nla;
	size_t total;
	char *p;

	if (len > UINT16_MAX - NLA_HDRLEN)
		return -EMSGSIZE;
	total = NLA_ALIGN(NLA_HDRLEN + len);
	if (*off > size || size - *off < total)
		return -EMSGSIZE;
	nla.nla_len = NLA_HDRLEN + len;
	nla.nla_type = type;
	p = (char *)buf + *off;
	memcpy(p, &nla, sizeof(nla));
	if (len > 0)
		memcpy(p + NLA_HDRLEN, data, len);
	memset(p + NLA_HDRLEN + len, 0, total - NLA_HDRLEN - len);
	*off += total;
	return 0;
}

/* Generic netlink: requests */

struct fg_nl *
fg_nl_open(void)
{
	struct fg_nl *nl;
	int r;

	if ((nl = calloc(1, sizeof(*nl))) == NULL)
		return NULL;
	if ((nl->sk = nl_socket_alloc()) == NULL)
		r = -NLE_NOMEM;
	else if ((r = genl_connect(nl->sk)) >= 0)
		r = genl_ctrl_resolve(nl->sk, FG_GENL_NAME);
	if (r < 0) {
		fg_nl_close(nl);
		errno = -nle_errno(r);
		return NULL;
	}
	nl->family = r;
	/* Size each read by peeking: a dump message can exceed a page. */
	nl_socket_enable_msg_peek(nl->sk);
	return nl;
}

void
fg_nl_close(struct fg_nl *nl)
{
	if (nl == NULL)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* One request and everything the kernel sends back for it. */
struct transact {
	int	  family;
	int	  status;	/* 1 until the ACK, NLMSG_DONE or error */
	int	  result;	/* first non-zero return of parse */
	int	  replies;
	int	(*parse)(const struct nlmsghdr *, size_t, void *);
	void	 *arg;
};

static int
on_valid(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	t->replies++;
	if (t->parse == NULL || t->result != 0)
		return NL_OK;
	if (nlh->nlmsg_type != t->family)
		t->result = -EBADMSG;
	else
		t->result = t->parse(nlh, nlh->nlmsg_len, t->arg);
	return NL_OK;
}

static int
on_ack(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;

	(void)msg;
	t->status = 0;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump and carries its error, if any. */
static int
on_finish(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	t->status = fg_parse_done_msg(nlh, nlh->nlmsg_len);
	return NL_STOP;
}

/* The kernel's errno, exactly; libnl only calls this for error != 0. */
static int
on_error(struct sockaddr_nl *from, struct nlmsgerr *e, void *arg)
{
	struct transact *t = arg;

	(void)from;
	t->status = e->error < 0 ? e->error : -EBADMSG;
	return NL_STOP;
}

/*
 * Send cmd with attrs[len] as payload and read everything up to the ACK or
 * NLMSG_DONE, passing each reply to t->parse. Returns the kernel's error,
 * else the first error of parse.
 */
static int
transact(struct fg_nl *nl, struct transact *t, uint8_t cmd, int flags,
    const void *attrs, size_t len)
{
	struct nl_msg *msg;
	struct nl_cb *cb = NULL;
	int r;

	if (nl->events)
		return -EINVAL;
	t->family = nl->family;
	t->status = 1;
	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + len);
	if (msg == NULL || (cb = nl_cb_alloc(NL_CB_DEFAULT)) == NULL ||
	    genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
	    cmd, FG_GENL_VERSION) == NULL ||
	    (len > 0 && nlmsg_append(msg, (void *)attrs, len, 0) < 0)) {
		t->status = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);

	if ((r = nl_send_auto(nl->sk, msg)) < 0)
		t->status = nle_errno(r);
	while (t->status > 0) {
		r = nl_recvmsgs(nl->sk, cb);
		if (r < 0 && t->status > 0)
			t->status = nle_errno(r);
	}
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return t->status != 0 ? t->status : t->result;
}

static int
stats_reply(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	return fg_parse_stats_msg(nlh, len, arg);
}

static int
camera_reply(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	return fg_parse_camera_msg(nlh, len, arg);
}

static int
session_reply(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	return fg_parse_session_msg(nlh, len, arg);
}

/* A doit: exactly one reply, parsed into out. */
static int
transact_one(struct fg_nl *nl, uint8_t cmd, const void *attrs, size_t len,
    int (*parse)(const struct nlmsghdr *, size_t, void *), void *out)
{
	struct transact t = { .parse = parse, .arg = out };
	int error;

	error = transact(nl, &t, cmd, 0, attrs, len);
	if (error == 0 && t.replies != 1)
		error = -EBADMSG;
	return error;
}

int
fg_nl_get_stats(struct fg_nl *nl, struct fg_stats *st)
{
	return transact_one(nl, FG_CMD_GET_STATS, NULL, 0, stats_reply, st);
}

int
fg_nl_get_camera(struct fg_nl *nl, uint32_t id, struct fg_camera_status *c)
{
	char attrs[NLA_HDRLEN + sizeof(id)];
	size_t len = 0;

	fg_nla_encode(attrs, sizeof(attrs), &len, FG_A_CAMERA_ID, &id,
	    sizeof(id));
	return transact_one(nl, FG_CMD_GET_CAMERA, attrs, len, camera_reply, c);
}

int
fg_nl_get_session(struct fg_nl *nl, uint64_t id, struct fg_session_status *s)
{
	char attrs[NLA_HDRLEN + sizeof(id)];
	size_t len = 0;

	fg_nla_encode(attrs, sizeof(attrs), &len, FG_A_SESSION_ID, &id,
	    sizeof(id));
	return transact_one(nl, FG_CMD_GET_SESSION, attrs, len, session_reply,
	    s);
}

int
fg_nl_revoke_session(struct fg_nl *nl, uint64_t id)
{
	struct transact t = { 0 };
	char attrs[NLA_HDRLEN + sizeof(id)];
	size_t len = 0;

	fg_nla_encode(attrs, sizeof(attrs), &len, FG_A_SESSION_ID, &id,
	    sizeof(id));
	return transact(nl, &t, FG_CMD_REVOKE_SESSION, 0, attrs, len);
}

int
fg_nl_request_raw(struct fg_nl *nl, uint8_t cmd, int nlm_flags,
    const void *attrs, size_t attrs_len)
{
	struct transact t = { 0 };

	return transact(nl, &t, cmd, nlm_flags, attrs, attrs_len);
}

struct camera_dump {
	int	(*cb)(const struct fg_camera_status *, void *);
	void	 *arg;
};

static int
camera_dump_one(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	struct camera_dump *d = arg;
	struct fg_camera_status c;
	int error;

	if ((error = fg_parse_camera_msg(nlh, len, &c)) != 0)
		return error;
	return d->cb(&c, d->arg);
}

int
fg_nl_dump_cameras(struct fg_nl *nl,
    int (*cb)(const struct fg_camera_status *, void *), void *arg)
{
	struct camera_dump d = { cb, arg };
	struct transact t = { .parse = camera_dump_one, .arg = &d };

	return transact(nl, &t, FG_CMD_GET_CAMERA, NLM_F_DUMP, NULL, 0);
}

struct session_dump {
	int	(*cb)(const struct fg_session_status *, void *);
	void	 *arg;
};

static int
session_dump_one(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	struct session_dump *d = arg;
	struct fg_session_status s;
	int error;

	if ((error = fg_parse_session_msg(nlh, len, &s)) != 0)
		return error;
	return d->cb(&s, d->arg);
}

int
fg_nl_dump_sessions(struct fg_nl *nl,
    int (*cb)(const struct fg_session_status *, void *), void *arg)
{
	struct session_dump d = { cb, arg };
	struct transact t = { .parse = session_dump_one, .arg = &d };

	return transact(nl, &t, FG_CMD_GET_SESSION, NLM_F_DUMP, NULL, 0);
}

/* Generic netlink: events */

struct fg_nl *
fg_nl_events_open(void)
{
	struct fg_nl *nl;
	int r;

	if ((nl = fg_nl_open()) == NULL)
		return NULL;
	r = genl_ctrl_resolve_grp(nl->sk, FG_GENL_NAME, FG_GENL_MCGRP_EVENTS);
	if (r >= 0)
		r = nl_socket_add_membership(nl->sk, r);
	if (r >= 0)
		r = nl_socket_set_nonblocking(nl->sk);
	if (r < 0) {
		fg_nl_close(nl);
		errno = -nle_errno(r);
		return NULL;
	}
	nl->events = true;
	return nl;
}

int
fg_nl_event_fd(const struct fg_nl *nl)
{
	return nl->events ? nl_socket_get_fd(nl->sk) : -EINVAL;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Events are read with recvfrom() rather than nl_recvmsgs(), which would
 * turn ENOBUFS (events lost) into NLE_NOMEM. Each event is one genl
 * message in one datagram (genlmsg_multicast()), of a few dozen bytes.
 */
int
fg_nl_event_next(struct fg_nl *nl, int timeout_ms, struct fg_event_msg *ev)
{
	union {
		struct nlmsghdr	nlh;
		char		buf[4096];
	} u;
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct sockaddr_nl from;
	socklen_t fromlen;
	int64_t deadline;
	ssize_t n;
	int r, wait;

	if (!nl->events)
		return -EINVAL;
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		wait = -1;
		if (deadline >= 0 && (wait = deadline - now_ms()) < 0)
			wait = 0;
		if ((r = poll(&pfd, 1, wait)) < 0)
			return -errno;
		if (r == 0)
			return 0;
		fromlen = sizeof(from);
		n = recvfrom(pfd.fd, &u, sizeof(u), MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0)
			return -errno;
		if (from.nl_pid != 0)		/* not from the kernel */
			continue;
		if ((size_t)n > sizeof(u))
			return -EMSGSIZE;
		if (!nlmsg_ok(&u.nlh, n) || u.nlh.nlmsg_type != nl->family)
			continue;
		r = fg_parse_event_msg(&u.nlh, n, ev);
		return r < 0 ? r : 1;
	}
}

/* Names */

const char *
fg_camera_state_name(uint32_t state)
{
	switch (state) {
	case FG_CAMERA_STREAMING:	return "streaming";
	case FG_CAMERA_LOST:		return "lost";
	case FG_CAMERA_DETACHED:	return "detached";
	default:			return "unknown";
	}
}

const char *
fg_session_state_name(uint32_t state)
{
	switch (state) {
	case FG_SESSION_ACTIVE:		return "active";
	case FG_SESSION_REVOKED:	return "revoked";
	case FG_SESSION_LOST:		return "lost";
	default:			return "unknown";
	}
}

const char *
fg_event_name(uint32_t event)
{
	switch (event) {
	case FG_EVENT_SESSION_CREATED:	return "session_created";
	case FG_EVENT_SESSION_REVOKED:	return "session_revoked";
	case FG_EVENT_SESSION_CLOSED:	return "session_closed";
	case FG_EVENT_SESSION_LOST:	return "session_lost";
	case FG_EVENT_CAMERA_ATTACHED:	return "camera_attached";
	case FG_EVENT_CAMERA_LOST:	return "camera_lost";
	case FG_EVENT_CAMERA_DETACHED:	return "camera_detached";
	case FG_EVENT_DENIED:		return "denied";
	default:			return "unknown";
	}
}

const char *
fg_hook_name(uint32_t hook)
{
	switch (hook) {
	case FG_HOOK_OPEN:		return "open";
	case FG_HOOK_RECEIVE:		return "receive";
	case FG_HOOK_MMAP:		return "mmap";
	case FG_HOOK_IOCTL:		return "ioctl";
	case FG_HOOK_PTRACE:		return "ptrace";
	case FG_HOOK_SENDMSG:		return "sendmsg";
	case FG_HOOK_WRITE:		return "write";
	case FG_HOOK_SEND_MAPPED:	return "send_mapped";
	case FG_HOOK_CONNECT:		return "connect";
	case FG_HOOK_UNIX:		return "unix";
	case FG_HOOK_IPC:		return "ipc";
	case FG_HOOK_SOCKET:		return "socket";
	case FG_HOOK_SOCKOPT:		return "sockopt";
	case FG_HOOK_EGRESS:		return "egress";
	case FG_HOOK_CHANNEL:		return "channel";
	case FG_HOOK_READ:		return "read";
	default:			return "unknown";
	}
}

const char *
fg_fourcc_str(uint32_t fourcc, char buf[FG_FOURCC_LEN])
{
	unsigned char c;
	int i;

	for (i = 0; i < 4; i++) {
		c = fourcc >> (8 * i);
		buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}
