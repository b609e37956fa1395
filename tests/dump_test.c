// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps: FG_CMD_GET_SESSION and FG_CMD_GET_CAMERA list every object once,
 * in increasing id order, also when a dump takes several netlink messages
 * and sessions come and go between them. The dumps are read here one
 * datagram at a time from a raw NETLINK_GENERIC socket (libnl reads a dump
 * whole) and parsed by libframegate's own parsers.
 *
 *   /dev/video0 --> camera c (1 fps) --> NSESSIONS sessions, depth 1
 *   /dev/video1 --> camera d            (the camera dump)
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/videodev2.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "fgtest.h"
#include "libframegate-internal.h"
#include "kselftest_harness.h"

/* A few netlink messages' worth of sessions (about 220 bytes each). */
#define NSESSIONS	64
#define JOINERS_MAX	32
/*
 * The buffer each datagram is read into: the kernel sizes the messages of
 * a dump by the largest read so far (at least NLMSG_GOODSIZE, which fits).
 */
#define DGRAM		4096
#define IDS_MAX		(NSESSIONS + JOINERS_MAX)

/* A raw generic netlink socket and the family id of framegate. */
struct rawnl {
	int fd;
	int family;
	uint32_t seq;
};

static int rawnl_open(struct rawnl *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl_sock *sk = nl_socket_alloc();
	int rcvbuf = DGRAM;

	if (!sk)
		return -ENOMEM;
	r->family = genl_connect(sk) ? -1 : genl_ctrl_resolve(sk, FG_GENL_NAME);
	nl_socket_free(sk);
	if (r->family < 0)
		return -ENOENT;
	r->seq = 0;
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (r->fd < 0)
		return -errno;
	/* Small: the kernel fills the next message only once this one is read. */
	if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(r->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(r->fd);
		return err;
	}
	return 0;
}

static int rawnl_dump(struct rawnl *r, uint8_t cmd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
	} req = {
		.n = {
			.nlmsg_len = sizeof(req), .nlmsg_type = r->family,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = ++r->seq,
		},
		.g = { .cmd = cmd, .version = FG_GENL_VERSION },
	};

	return send(r->fd, &req, sizeof(req), 0) == sizeof(req) ? 0 : -errno;
}

/* What a dump has shown so far. */
struct dump {
	uint8_t cmd;
	uint64_t ids[IDS_MAX];		/* in the order they came */
	unsigned int n;
	unsigned int datagrams;		/* that carried objects */
	unsigned int multi;		/* messages flagged NLM_F_MULTI */
	bool done;
	int error;			/* of NLMSG_DONE or NLMSG_ERROR */
};

/*
 * One datagram of the dump into *d: 0, or -errno if it is not what a dump
 * sends. With MSG_PEEK | MSG_DONTWAIT, the one queued next, if any, stays
 * queued; -EAGAIN if there is none.
 */
static int rawnl_recv(struct rawnl *r, struct dump *d, int flags)
{
	static uint8_t buf[DGRAM];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct nlmsghdr *nlh;
	unsigned int objects = 0;
	int len;

	len = recvmsg(r->fd, &m, flags);
	if (len < 0)
		return -errno;
	if (m.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
	     nlh = NLMSG_NEXT(nlh, len)) {
		struct fg_session_status s;
		struct fg_camera_status c;
		int ret;

		if (nlh->nlmsg_seq != r->seq)
			return -EPROTO;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			d->done = true;
			d->error = fg_parse_done_msg(nlh, len);
			break;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			d->done = true;
			d->error = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			break;
		}
		if (nlh->nlmsg_type != r->family || d->n == IDS_MAX)
			return -EPROTO;
		d->multi += !!(nlh->nlmsg_flags & NLM_F_MULTI);
		if (d->cmd == FG_CMD_GET_SESSION) {
			ret = fg_parse_session_msg(nlh, len, &s);
			d->ids[d->n] = s.session_id;
		} else {
			ret = fg_parse_camera_msg(nlh, len, &c);
			d->ids[d->n] = c.camera_id;
		}
		if (ret)
			return ret;
		d->n++;
		objects++;
	}
	d->datagrams += objects > 0;
	return 0;
}

static int rawnl_read(struct rawnl *r, struct dump *d)
{
	return rawnl_recv(r, d, 0);
}

/*
 * The last id the kernel has put into the dump so far: reading a datagram
 * makes it fill the next one at once, so that one is queued already and
 * shows where the dump will go on from.
 */
static uint64_t rawnl_cursor(struct rawnl *r, const struct dump *d)
{
	struct dump next = { .cmd = d->cmd };

	if (!rawnl_recv(r, &next, MSG_PEEK | MSG_DONTWAIT) && next.n)
		return next.ids[next.n - 1];
	return d->n ? d->ids[d->n - 1] : 0;
}

/* The ids came in strictly increasing order: none twice. */
static bool increasing(const struct dump *d)
{
	unsigned int i;

	for (i = 1; i < d->n; i++)
		if (d->ids[i] <= d->ids[i - 1]) {
			fprintf(stderr, "# id %llu after %llu\n",
				(unsigned long long)d->ids[i],
				(unsigned long long)d->ids[i - 1]);
			return false;
		}
	return true;
}

static unsigned int times_seen(const struct dump *d, uint64_t id)
{
	unsigned int i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->ids[i] == id;
	return n;
}

FIXTURE(sessions) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	int sfd[NSESSIONS];
	uint64_t sid[NSESSIONS];
	int jfd[JOINERS_MAX];
	uint64_t jid[JOINERS_MAX];
	unsigned int joiners;
	struct rawnl nl;
	struct fgt_ledger ledger;
};

FIXTURE_SETUP(sessions)
{
	int i;

	for (i = 0; i < NSESSIONS; i++)
		self->sfd[i] = -1;
	self->nl.fd = -1;
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->cam_fd = fgt_attach_fmt(self->ctl, VIVID_CAPTURE(0), FGT_WIDTH,
				      FGT_HEIGHT, V4L2_PIX_FMT_YUYV, 1,
				      &self->cam);
	ASSERT_LE(0, self->cam_fd);
	for (i = 0; i < NSESSIONS; i++) {
		self->sfd[i] = fgt_session(self->ctl, 1, 1, &self->cam, 1,
					   &self->sid[i]);
		ASSERT_LE(0, self->sfd[i]);
	}
	ASSERT_EQ(0, rawnl_open(&self->nl));
}

FIXTURE_TEARDOWN(sessions)
{
	unsigned int i;

	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	if (self->nl.fd >= 0)
		close(self->nl.fd);
	for (i = 0; i < NSESSIONS; i++)
		if (self->sfd[i] >= 0)
			close(self->sfd[i]);
	for (i = 0; i < self->joiners; i++)
		close(self->jfd[i]);
	close(self->cam_fd);
	close(self->ctl);
}

TEST_F(sessions, dump_lists_every_session_once_in_id_order_across_messages)
{
	struct dump d = { .cmd = FG_CMD_GET_SESSION };
	unsigned int i, reads = 0;

	ASSERT_EQ(0, rawnl_dump(&self->nl, d.cmd));
	while (!d.done && reads++ < 2 * NSESSIONS)
		ASSERT_EQ(0, rawnl_read(&self->nl, &d));
	ASSERT_TRUE(d.done);
	EXPECT_EQ(0, d.error);
	EXPECT_TRUE(increasing(&d));
	for (i = 0; i < NSESSIONS; i++) {
		EXPECT_EQ(1, times_seen(&d, self->sid[i])) {
			TH_LOG("session %llu", (unsigned long long)self->sid[i]);
		}
	}
	EXPECT_EQ(NSESSIONS, d.n);
	EXPECT_EQ(d.n, d.multi);
	/* Otherwise this test would not show that a dump continues. */
	TH_LOG("%u sessions in %u datagrams", d.n, d.datagrams);
	EXPECT_LE(2, d.datagrams);
}

/*
 * Sessions 0, 2, 4, ... stay; between two datagrams of the dump, the test
 * closes two odd ones the dump has passed and one it has not reached yet,
 * and creates two new ones. Every session that existed all along appears
 * once, and one closed before the dump reached it not at all; new ones may
 * appear, once.
 */
TEST_F(sessions, dump_while_sessions_come_and_go_lists_each_stayer_once)
{
	struct dump d = { .cmd = FG_CMD_GET_SESSION };
	bool gone_early[NSESSIONS] = { false };
	unsigned int i, reads = 0, rounds = 0;

	/* Checked here: the sessions closed below take their counts along. */
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	ASSERT_EQ(0, rawnl_dump(&self->nl, d.cmd));
	ASSERT_EQ(0, rawnl_read(&self->nl, &d));
	while (!d.done && reads++ < 2 * NSESSIONS) {
		uint64_t cursor = rawnl_cursor(&self->nl, &d);
		unsigned int behind = 0, ahead = 0;

		for (i = 1; i < NSESSIONS; i += 2) {
			if (self->sfd[i] < 0)
				continue;
			if (self->sid[i] <= cursor && behind < 2) {
				behind++;
			} else if (self->sid[i] > cursor && !ahead) {
				ahead++;
				gone_early[i] = true;
			} else {
				continue;
			}
			close(self->sfd[i]);
			self->sfd[i] = -1;
		}
		for (i = 0; i < 2 && self->joiners < JOINERS_MAX; i++) {
			int fd = fgt_session(self->ctl, 2, 1, &self->cam, 1,
					     &self->jid[self->joiners]);

			ASSERT_LE(0, fd);
			self->jfd[self->joiners++] = fd;
		}
		rounds++;
		ASSERT_EQ(0, rawnl_read(&self->nl, &d));
	}
	ASSERT_TRUE(d.done);
	EXPECT_EQ(0, d.error);
	TH_LOG("%u sessions in %u datagrams, %u rounds of changes", d.n,
	       d.datagrams, rounds);
	ASSERT_LE(2, rounds);
	EXPECT_TRUE(increasing(&d));
	for (i = 0; i < NSESSIONS; i++) {
		unsigned int want = gone_early[i] ? 0 : 1;

		EXPECT_EQ(want, times_seen(&d, self->sid[i])) {
			TH_LOG("session %llu (%s)",
			       (unsigned long long)self->sid[i],
			       gone_early[i] ? "closed before the dump reached it" :
			       self->sfd[i] < 0 ? "closed after the dump passed it" :
			       "open all along");
		}
	}
	/* Nothing else: every id is one of ours. */
	for (i = 0; i < d.n; i++) {
		unsigned int j, ours = 0;

		for (j = 0; j < NSESSIONS; j++)
			ours += d.ids[i] == self->sid[j];
		for (j = 0; j < self->joiners; j++)
			ours += d.ids[i] == self->jid[j];
		EXPECT_EQ(1, ours) {
			TH_LOG("id %llu is no session of this test",
			       (unsigned long long)d.ids[i]);
		}
	}
	/* The closed ones took their counts along: a new ledger. */
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
}

/*
 * Cameras: vivid has two capture devices here, whose messages fit in one
 * datagram, so this cannot show a camera dump continuing; it shows the
 * camera dump lists both attached cameras once, in id order.
 */
TEST(camera_dump_lists_every_camera_once_in_id_order)
{
	struct dump d = { .cmd = FG_CMD_GET_CAMERA };
	int ctl, cam_fd[2], i, reads = 0;
	struct rawnl nl;
	uint32_t cam[2];

	ctl = fg_ctl_open();
	ASSERT_LE(0, ctl);
	for (i = 0; i < 2; i++) {
		cam_fd[i] = fgt_attach(ctl, VIVID_CAPTURE(i), &cam[i]);
		ASSERT_LE(0, cam_fd[i]);
	}
	ASSERT_EQ(0, rawnl_open(&nl));
	ASSERT_EQ(0, rawnl_dump(&nl, d.cmd));
	while (!d.done && reads++ < 8)
		ASSERT_EQ(0, rawnl_read(&nl, &d));
	ASSERT_TRUE(d.done);
	EXPECT_EQ(0, d.error);
	EXPECT_TRUE(increasing(&d));
	EXPECT_EQ(2, d.n);
	EXPECT_EQ(d.n, d.multi);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(1, times_seen(&d, cam[i]));
	close(nl.fd);
	for (i = 0; i < 2; i++)
		close(cam_fd[i]);
	close(ctl);
}

FGT_HARNESS_MAIN
