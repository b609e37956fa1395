// SPDX-License-Identifier: GPL-2.0
/*
 * framegated's parent<->worker messages (daemon/framegated/proc.c) over a
 * real SOCK_SEQPACKET socketpair: every type round-trips; every malformed
 * datagram is refused with the errno proc.h gives for it and leaves no fd
 * open; the worker's and the parent's order checks and the TLS reassembly
 * refuse what they must.
 */

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "proc.h"
#include "kselftest_harness.h"

#define SID	0x1122334455667788ull

/* A valid message of type, as a parent or worker would send it. */
static void
make_msg(struct proc_msg *m, uint32_t type)
{
	proc_msg_init(m, type, SID);
	switch (type) {
	case PROC_MSG_HELLO:
		strcpy(m->hello.tenant, "alice");
		strcpy(m->hello.session, "porch");
		m->hello.ncameras = 2;
		m->hello.camera_ids[0] = 3;
		m->hello.camera_ids[1] = 7;
		strcpy(m->hello.cameras[0], "front");
		strcpy(m->hello.cameras[1], "back-1");
		m->hello.mode = PROC_MODE_LIVE;
		m->hello.rate = 15;
		m->hello.quality = 85;
		m->hello.queue = 8;
		m->hello.port = 8443;
		m->hello.family = AF_INET;
		inet_pton(AF_INET, "10.0.0.2", m->hello.addr);
		m->hello.tls_len[0] = 10;
		m->hello.tls_len[1] = 5000;	/* two chunks */
		m->hello.tls_len[2] = 3;
		strcpy(m->hello.host, "ingest.example");
		strcpy(m->hello.path, "/upload/alice");
		memset(m->hello.seal_key, 0x5a, sizeof(m->hello.seal_key));
		break;
	case PROC_MSG_TLS:
		m->tls.kind = PROC_TLS_CERT;
		m->tls.total = 5000;
		m->tls.offset = 0;
		m->tls.len = PROC_TLS_CHUNK;
		memset(m->tls.data, 'c', PROC_TLS_CHUNK);
		break;
	case PROC_MSG_SHUTDOWN:
		m->shutdown.reason = PROC_SHUTDOWN_REVOKED;
		break;
	case PROC_MSG_READY:
		m->ready.landlock_abi = 2;
		break;
	case PROC_MSG_STATS:
		m->stats.acquired = 100;
		m->stats.encoded = 90;
		m->stats.uploaded = 80;
		m->stats.dropped_queue_full = 5;
		m->stats.dropped_upload_failed = 3;
		m->stats.dropped_timeout = 2;
		m->stats.err_tls = 1;
		m->stats.bytes = 123456;
		m->stats.latency_p50_us = 900;
		m->stats.latency_p99_us = 4000;
		break;
	case PROC_MSG_FATAL:
		m->fatal.reason = PROC_FATAL_SANDBOX;
		m->fatal.error = EPERM;
		strcpy(m->fatal.text, "landlock: not supported");
		break;
	case PROC_MSG_LOG:
		m->log.priority = LOG_ERR;
		strcpy(m->log.text, "upload: connect: Connection refused");
		break;
	}
}

/* Sends len bytes of buf with nfds fds, bypassing proc_send()'s checks. */
static int
send_raw(int sock, const void *buf, size_t len, const int *fds,
	 unsigned int nfds)
{
	char control[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (nfds) {
		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(sock, &mh, 0) == (ssize_t)len ? 0 : -errno;
}

FIXTURE(proc) {
	int	sv[2];		/* [0] sends, [1] receives */
	int	pipes[3][2];	/* whose write ends are the fds passed */
	struct proc_msg m, got;
};

FIXTURE_SETUP(proc)
{
	int i;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				self->sv));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pipe2(self->pipes[i], O_CLOEXEC));
}

FIXTURE_TEARDOWN(proc)
{
	int i;

	close(self->sv[0]);
	close(self->sv[1]);
	for (i = 0; i < 3; i++) {
		close(self->pipes[i][0]);
		if (self->pipes[i][1] >= 0)
			close(self->pipes[i][1]);
	}
}

/*
 * Pipe i's write end has no holder left but a receiver that should have
 * closed it: closes ours and sees EOF on the read end.
 */
static int
write_end_closed(FIXTURE_DATA(proc) *self, int i)
{
	char c;

	close(self->pipes[i][1]);
	self->pipes[i][1] = -1;
	fcntl(self->pipes[i][0], F_SETFL, O_NONBLOCK);
	return read(self->pipes[i][0], &c, 1) == 0;
}

/* Receives one datagram and returns proc_recv()'s answer, fd_out -1. */
static int
recv_expect_no_fd(FIXTURE_DATA(proc) *self)
{
	int fd = 12345, r;

	r = proc_recv(self->sv[1], &self->got, &fd);
	if (r && fd != -1)
		return -9999;
	return r;
}

static const uint32_t all_types[] = {
	PROC_MSG_HELLO, PROC_MSG_TLS, PROC_MSG_SESSION_FD, PROC_MSG_GO,
	PROC_MSG_SHUTDOWN, PROC_MSG_READY, PROC_MSG_STATS, PROC_MSG_FATAL,
	PROC_MSG_LOG,
};

#define for_each_type(t, i) \
	for ((i) = 0; (i) < sizeof(all_types) / sizeof(all_types[0]) && \
		      ((t) = all_types[(i)], 1); (i)++)

TEST_F(proc, round_trip_of_every_type)
{
	struct stat a, b;
	unsigned int i;
	uint32_t type;
	bool with_fd;
	int fd;

	for_each_type(type, i) {
		TH_LOG("%s", proc_msg_name(type));
		with_fd = type == PROC_MSG_SESSION_FD;
		make_msg(&self->m, type);
		ASSERT_EQ(0, proc_send(self->sv[0], &self->m,
				       with_fd ? self->pipes[0][1] : -1));
		ASSERT_EQ(0, proc_recv(self->sv[1], &self->got, &fd));
		EXPECT_EQ(proc_msg_len(type), self->got.hdr.len);
		EXPECT_EQ(0, memcmp(&self->m, &self->got, self->m.hdr.len));
		if (!with_fd) {
			EXPECT_EQ(-1, fd);
			continue;
		}
		/* The same pipe, close-on-exec. */
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, fstat(fd, &a));
		ASSERT_EQ(0, fstat(self->pipes[0][1], &b));
		EXPECT_EQ(a.st_ino, b.st_ino);
		EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
}

/* Each type one byte short and one long (header len following), and a
 * header len that is not the datagram's. */
TEST_F(proc, wrong_length_is_ebadmsg)
{
	static char buf[sizeof(struct proc_msg) + 1];
	unsigned int i;
	uint32_t type;
	size_t len;

	for_each_type(type, i) {
		TH_LOG("%s", proc_msg_name(type));
		make_msg(&self->m, type);
		len = self->m.hdr.len;
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &self->m, len);

		((struct proc_hdr *)buf)->len = len - 1;
		ASSERT_EQ(0, send_raw(self->sv[0], buf, len - 1, NULL, 0));
		EXPECT_EQ(-EBADMSG, recv_expect_no_fd(self));
		if (len + 1 <= sizeof(struct proc_msg)) {
			((struct proc_hdr *)buf)->len = len + 1;
			ASSERT_EQ(0, send_raw(self->sv[0], buf, len + 1,
					      NULL, 0));
			EXPECT_EQ(-EBADMSG, recv_expect_no_fd(self));
		}
		((struct proc_hdr *)buf)->len = len + 8;
		ASSERT_EQ(0, send_raw(self->sv[0], buf, len, NULL, 0));
		EXPECT_EQ(-EBADMSG, recv_expect_no_fd(self));
	}
}

TEST_F(proc, wrong_version_is_eprotonosupport)
{
	unsigned int i;
	uint32_t type;

	for_each_type(type, i) {
		make_msg(&self->m, type);
		self->m.hdr.version = PROC_VERSION + 1;
		ASSERT_EQ(0, send_raw(self->sv[0], &self->m, self->m.hdr.len,
				      NULL, 0));
		EXPECT_EQ(-EPROTONOSUPPORT, recv_expect_no_fd(self));
	}
}

TEST_F(proc, session_id_zero_is_estale)
{
	unsigned int i;
	uint32_t type;

	for_each_type(type, i) {
		make_msg(&self->m, type);
		self->m.hdr.session_id = 0;
		EXPECT_EQ(-ESTALE, proc_send(self->sv[0], &self->m,
			type == PROC_MSG_SESSION_FD ? self->pipes[0][1] : -1));
	}
}

/* An fd on every type but SESSION_FD: refused and closed; proc_send too. */
TEST_F(proc, unexpected_fd_is_eproto_and_closed)
{
	unsigned int i;
	uint32_t type;
	int p[2];

	for_each_type(type, i) {
		if (type == PROC_MSG_SESSION_FD)
			continue;
		TH_LOG("%s", proc_msg_name(type));
		ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
		make_msg(&self->m, type);
		EXPECT_EQ(-EINVAL, proc_send(self->sv[0], &self->m, p[1]));
		ASSERT_EQ(0, send_raw(self->sv[0], &self->m, self->m.hdr.len,
				      &p[1], 1));
		EXPECT_EQ(-EPROTO, recv_expect_no_fd(self));
		/* Ours was the last write end left: EOF. */
		close(p[1]);
		EXPECT_EQ(0, read(p[0], &type, 1));
		close(p[0]);
	}
}

TEST(unknown_type_is_enomsg)
{
	struct proc_hdr h = {
		.len = sizeof(h), .version = PROC_VERSION, .session_id = SID,
	};
	int sv[2], fd;
	struct proc_msg got;
	uint32_t bad[] = { 0, 6, 15, 20, 0xffffffffu };
	unsigned int i;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.type = bad[i];
		ASSERT_EQ(sizeof(h), send(sv[0], &h, sizeof(h), 0));
		EXPECT_EQ(-ENOMSG, proc_recv(sv[1], &got, &fd));
		EXPECT_EQ(-1, fd);
	}
	close(sv[0]);
	close(sv[1]);
}

TEST_F(proc, truncated_header_is_ebadmsg)
{
	make_msg(&self->m, PROC_MSG_GO);
	ASSERT_EQ(0, send_raw(self->sv[0], &self->m, 10, NULL, 0));
	EXPECT_EQ(-EBADMSG, recv_expect_no_fd(self));
}

TEST_F(proc, bigger_than_any_message_is_emsgsize)
{
	static char buf[sizeof(struct proc_msg) + 1];

	make_msg(&self->m, PROC_MSG_TLS);
	memcpy(buf, &self->m, sizeof(self->m));
	ASSERT_EQ(0, send_raw(self->sv[0], buf, sizeof(buf),
			      &self->pipes[0][1], 1));
	EXPECT_EQ(-EMSGSIZE, recv_expect_no_fd(self));
	EXPECT_TRUE(write_end_closed(self, 0));
}

TEST_F(proc, session_fd_without_fd_is_eproto)
{
	make_msg(&self->m, PROC_MSG_SESSION_FD);
	EXPECT_EQ(-EINVAL, proc_send(self->sv[0], &self->m, -1));
	ASSERT_EQ(0, send_raw(self->sv[0], &self->m, self->m.hdr.len, NULL, 0));
	EXPECT_EQ(-EPROTO, recv_expect_no_fd(self));
}

TEST_F(proc, two_fds_are_eproto_and_both_closed)
{
	int fds[2] = { self->pipes[0][1], self->pipes[1][1] };

	make_msg(&self->m, PROC_MSG_SESSION_FD);
	ASSERT_EQ(0, send_raw(self->sv[0], &self->m, self->m.hdr.len, fds, 2));
	EXPECT_EQ(-EPROTO, recv_expect_no_fd(self));
	EXPECT_TRUE(write_end_closed(self, 0));
	EXPECT_TRUE(write_end_closed(self, 1));
}

/* Three do not fit the control buffer: MSG_CTRUNC, and none stays open. */
TEST_F(proc, control_truncated_is_eproto_and_all_closed)
{
	int fds[3] = { self->pipes[0][1], self->pipes[1][1], self->pipes[2][1] };

	make_msg(&self->m, PROC_MSG_SESSION_FD);
	ASSERT_EQ(0, send_raw(self->sv[0], &self->m, self->m.hdr.len, fds, 3));
	EXPECT_EQ(-EPROTO, recv_expect_no_fd(self));
	EXPECT_TRUE(write_end_closed(self, 0));
	EXPECT_TRUE(write_end_closed(self, 1));
	EXPECT_TRUE(write_end_closed(self, 2));
}

TEST_F(proc, fd_to_a_receiver_expecting_none_is_eproto)
{
	make_msg(&self->m, PROC_MSG_SESSION_FD);
	ASSERT_EQ(0, proc_send(self->sv[0], &self->m, self->pipes[0][1]));
	EXPECT_EQ(-EPROTO, proc_recv(self->sv[1], &self->got, NULL));
	EXPECT_TRUE(write_end_closed(self, 0));
}

TEST_F(proc, peer_closed_is_epipe)
{
	close(self->sv[0]);
	self->sv[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	EXPECT_EQ(-EPIPE, recv_expect_no_fd(self));
}

/* Field checks of proc_check(): each one refused field, its errno. */
TEST(fields_out_of_range)
{
	struct proc_msg m;

#define EXPECT_FIELD(err, type, stmt) do {				\
		make_msg(&m, type);					\
		stmt;							\
		EXPECT_EQ(err, proc_check(&m, m.hdr.len,		\
					  type == PROC_MSG_SESSION_FD)); \
	} while (0)

	EXPECT_FIELD(0, PROC_MSG_HELLO, (void)0);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO,
		     memset(m.hello.tenant, 'a', PROC_NAME_MAX));
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.tenant[30] = 'x');
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, strcpy(m.hello.tenant, "a/b"));
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.ncameras = 0);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.ncameras = 9);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.camera_ids[2] = 4);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.camera_ids[1] = 3);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.interval = 5);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.rate = FG_FPS_MAX + 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.quality = 101);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.queue = FG_DEPTH_MAX + 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.port = 0);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.family = AF_UNIX);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.addr[4] = 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.tls_len[2] = 0);
	EXPECT_FIELD(-E2BIG, PROC_MSG_HELLO,
		     m.hello.tls_len[0] = PROC_TLS_MAX + 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, strcpy(m.hello.path, "x"));
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, strcpy(m.hello.host, "a b"));
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO, m.hello.reserved2 = 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_HELLO,
		     memset(m.hello.seal_key, 0, sizeof(m.hello.seal_key)));
	EXPECT_FIELD(-EINVAL, PROC_MSG_TLS, m.tls.kind = 4);
	EXPECT_FIELD(-EINVAL, PROC_MSG_TLS, m.tls.len = 0);
	EXPECT_FIELD(-EINVAL, PROC_MSG_TLS,
		     (m.tls.len = 10, m.tls.data[10] = 1));
	EXPECT_FIELD(-EOVERFLOW, PROC_MSG_TLS, m.tls.offset = 1000);
	EXPECT_FIELD(-EOVERFLOW, PROC_MSG_TLS, m.tls.offset = 0xffffffffu);
	EXPECT_FIELD(-E2BIG, PROC_MSG_TLS, m.tls.total = PROC_TLS_MAX + 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_GO, m.go.reserved = 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_SHUTDOWN, m.shutdown.reason = 0);
	EXPECT_FIELD(-EINVAL, PROC_MSG_STATS, m.stats.uploaded = 91);
	EXPECT_FIELD(-EINVAL, PROC_MSG_STATS, m.stats.dropped_timeout = 20);
	EXPECT_FIELD(-EINVAL, PROC_MSG_STATS,
		     (m.stats.dropped_queue_full = UINT64_MAX,
		      m.stats.dropped_timeout = 2));
	EXPECT_FIELD(-EINVAL, PROC_MSG_STATS, m.stats.latency_p50_us = 5000);
	EXPECT_FIELD(-EINVAL, PROC_MSG_FATAL, m.fatal.text[0] = '\0');
	EXPECT_FIELD(-EINVAL, PROC_MSG_FATAL, m.fatal.error = -1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_READY, m.hdr.reserved = 1);
	/* No emergency or alert (broadcast to terminals), nothing past debug. */
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.priority = LOG_ALERT);
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.priority = LOG_EMERG);
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.priority = LOG_DEBUG + 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.reserved = 1);
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.text[0] = '\0');
	/* A line is one line: no newline to forge a second one, no escapes. */
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.text[3] = '\n');
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.text[3] = '\033');
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG, m.log.text[3] = (char)0xc3);
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG,
		     memset(m.log.text, 'x', sizeof(m.log.text)));
	EXPECT_FIELD(-EINVAL, PROC_MSG_LOG,
		     m.log.text[sizeof(m.log.text) - 1] = 'x');
#undef EXPECT_FIELD
}

/* The worker's side, through its one receive call. */
FIXTURE(worker) {
	int	sv[2];
	int	pipefd[2];
	struct proc_worker *w;
	struct proc_msg m, got;
};

FIXTURE_SETUP(worker)
{
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, self->sv));
	ASSERT_EQ(0, pipe(self->pipefd));
	ASSERT_NE(NULL, self->w = malloc(sizeof(*self->w)));
	proc_worker_init(self->w);
}

FIXTURE_TEARDOWN(worker)
{
	proc_worker_clear(self->w);
	free(self->w);
	close(self->sv[0]);
	close(self->sv[1]);
	close(self->pipefd[0]);
	close(self->pipefd[1]);
}

/* Sends m (with pass_fd) and has the worker take it; its answer. */
static int
deliver(FIXTURE_DATA(worker) *self, int pass_fd)
{
	int fd = -1, r;

	r = proc_send(self->sv[0], &self->m, pass_fd);
	if (r)
		return r;
	r = proc_worker_recv(self->sv[1], self->w, &self->got, &fd);
	if (fd >= 0)
		close(fd);
	return r;
}

static int
deliver_chunk(FIXTURE_DATA(worker) *self, uint32_t kind, uint32_t total,
	      uint32_t offset, uint32_t len, char fill)
{
	proc_msg_init(&self->m, PROC_MSG_TLS, SID);
	self->m.tls.kind = kind;
	self->m.tls.total = total;
	self->m.tls.offset = offset;
	self->m.tls.len = len;
	memset(self->m.tls.data, fill, len);
	return deliver(self, -1);
}

static int
deliver_type(FIXTURE_DATA(worker) *self, uint32_t type, int pass_fd)
{
	make_msg(&self->m, type);
	return deliver(self, pass_fd);
}

TEST_F(worker, full_setup_reassembles_tls_in_interleaved_chunks)
{
	const struct proc_tls_item *cert = &self->w->tls[PROC_TLS_CERT - 1];
	unsigned int i;

	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	ASSERT_EQ(0, deliver_chunk(self, PROC_TLS_CERT, 5000, 0, 4096, 'c'));
	ASSERT_EQ(0, deliver_chunk(self, PROC_TLS_CA, 10, 0, 10, 'a'));
	EXPECT_FALSE(proc_worker_complete(self->w));
	ASSERT_EQ(0, deliver_chunk(self, PROC_TLS_CERT, 5000, 4096, 904, 'C'));
	ASSERT_EQ(0, deliver_chunk(self, PROC_TLS_KEY, 3, 0, 3, 'k'));
	EXPECT_FALSE(proc_worker_complete(self->w));
	EXPECT_EQ(-EPROTO, proc_worker_ready(self->w));
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_SESSION_FD, self->pipefd[0]));
	EXPECT_TRUE(proc_worker_complete(self->w));

	EXPECT_EQ(5000, cert->have);
	for (i = 0; i < 5000; i++)
		if (cert->data[i] != (i < 4096 ? 'c' : 'C'))
			break;
	EXPECT_EQ(5000, i);
	EXPECT_EQ(0, memcmp(self->w->tls[PROC_TLS_KEY - 1].data, "kkk", 3));
	EXPECT_EQ(2, self->w->hello.ncameras);

	EXPECT_EQ(-EPROTO, deliver_type(self, PROC_MSG_GO, -1));
	ASSERT_EQ(0, proc_worker_ready(self->w));
	EXPECT_EQ(-EPROTO, deliver_chunk(self, PROC_TLS_KEY, 3, 0, 3, 'k'));
	EXPECT_EQ(0, deliver_type(self, PROC_MSG_GO, -1));
	EXPECT_EQ(PROC_WORKER_RUNNING, self->w->phase);
	EXPECT_EQ(0, deliver_type(self, PROC_MSG_SHUTDOWN, -1));
	EXPECT_EQ(-EPROTO, deliver_type(self, PROC_MSG_SHUTDOWN, -1));

	proc_worker_clear(self->w);
	EXPECT_EQ(0, self->w->tls[PROC_TLS_KEY - 1].data[0]);
}

TEST_F(worker, anything_before_hello_is_eproto)
{
	EXPECT_EQ(-EPROTO, deliver_chunk(self, PROC_TLS_CA, 10, 0, 10, 'a'));
	EXPECT_EQ(-EPROTO, deliver_type(self, PROC_MSG_GO, -1));
	EXPECT_EQ(-EPROTO, deliver_type(self, PROC_MSG_SESSION_FD,
					self->pipefd[0]));
	EXPECT_EQ(PROC_WORKER_START, self->w->phase);
}

TEST_F(worker, second_hello_is_eproto)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	EXPECT_EQ(-EPROTO, deliver_type(self, PROC_MSG_HELLO, -1));
}

TEST_F(worker, second_session_fd_is_eproto)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_SESSION_FD, self->pipefd[0]));
	EXPECT_EQ(-EPROTO, deliver_type(self, PROC_MSG_SESSION_FD,
					self->pipefd[0]));
}

TEST_F(worker, message_of_the_worker_is_enomsg)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	EXPECT_EQ(-ENOMSG, deliver_type(self, PROC_MSG_READY, -1));
	EXPECT_EQ(-ENOMSG, deliver_type(self, PROC_MSG_STATS, -1));
}

TEST_F(worker, other_session_is_estale)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	make_msg(&self->m, PROC_MSG_GO);
	self->m.hdr.session_id = SID + 1;
	EXPECT_EQ(-ESTALE, deliver(self, -1));
}

TEST_F(worker, tls_chunk_out_of_order_is_eproto)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	/* A gap, then an overlap. */
	EXPECT_EQ(-EPROTO, deliver_chunk(self, PROC_TLS_CERT, 5000, 4096, 904,
					 'C'));
	ASSERT_EQ(0, deliver_chunk(self, PROC_TLS_CERT, 5000, 0, 4096, 'c'));
	EXPECT_EQ(-EPROTO, deliver_chunk(self, PROC_TLS_CERT, 5000, 4000, 1000,
					 'C'));
	EXPECT_EQ(4096, self->w->tls[PROC_TLS_CERT - 1].have);
}

TEST_F(worker, tls_chunk_past_total_is_eoverflow)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	ASSERT_EQ(0, deliver_chunk(self, PROC_TLS_CERT, 5000, 0, 4096, 'c'));
	EXPECT_EQ(-EOVERFLOW, deliver_chunk(self, PROC_TLS_CERT, 5000, 4096,
					    905, 'C'));
	EXPECT_EQ(4096, self->w->tls[PROC_TLS_CERT - 1].have);
}

TEST_F(worker, tls_total_not_hellos_is_einval)
{
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	/* Declared 10 in HELLO: a chunk claiming more would overrun it. */
	EXPECT_EQ(-EINVAL, deliver_chunk(self, PROC_TLS_CA, 4096, 0, 4096,
					 'a'));
	EXPECT_EQ(0, self->w->tls[PROC_TLS_CA - 1].have);
}

TEST_F(worker, tls_total_above_limit_is_e2big)
{
	make_msg(&self->m, PROC_MSG_HELLO);
	self->m.hello.tls_len[2] = PROC_TLS_MAX + 1;
	EXPECT_EQ(-E2BIG, deliver(self, -1));
	ASSERT_EQ(0, deliver_type(self, PROC_MSG_HELLO, -1));
	EXPECT_EQ(-E2BIG, deliver_chunk(self, PROC_TLS_KEY, PROC_TLS_MAX + 1,
					0, 3, 'k'));
}

TEST(parent_counts_every_refusal)
{
	struct proc_parent p;
	struct proc_msg m;
	int sv[2];

	proc_parent_init(&p, SID);
	make_msg(&m, PROC_MSG_STATS);
	EXPECT_EQ(-EPROTO, proc_parent_accept(&p, &m));	/* before READY */
	make_msg(&m, PROC_MSG_GO);
	EXPECT_EQ(-ENOMSG, proc_parent_accept(&p, &m));
	make_msg(&m, PROC_MSG_READY);
	m.hdr.session_id = SID + 1;
	EXPECT_EQ(-ESTALE, proc_parent_accept(&p, &m));
	EXPECT_EQ(3, p.errors);

	make_msg(&m, PROC_MSG_LOG);			/* before READY too */
	EXPECT_EQ(0, proc_parent_accept(&p, &m));
	make_msg(&m, PROC_MSG_READY);
	EXPECT_EQ(0, proc_parent_accept(&p, &m));
	EXPECT_EQ(-EPROTO, proc_parent_accept(&p, &m));
	make_msg(&m, PROC_MSG_LOG);
	EXPECT_EQ(0, proc_parent_accept(&p, &m));
	make_msg(&m, PROC_MSG_STATS);
	EXPECT_EQ(0, proc_parent_accept(&p, &m));
	EXPECT_EQ(100, p.stats.acquired);
	m.stats.bytes--;				/* went down */
	EXPECT_EQ(-EINVAL, proc_parent_accept(&p, &m));
	EXPECT_EQ(123456, p.stats.bytes);
	EXPECT_EQ(5, p.errors);

	/* Over the socket: a bad version counts, EOF does not. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	make_msg(&m, PROC_MSG_STATS);
	m.hdr.version = 0;
	ASSERT_EQ(m.hdr.len, send(sv[0], &m, m.hdr.len, 0));
	EXPECT_EQ(-EPROTONOSUPPORT, proc_parent_recv(sv[1], &p, &m));
	EXPECT_EQ(6, p.errors);
	EXPECT_EQ(-EPROTONOSUPPORT, p.last_error);
	make_msg(&m, PROC_MSG_FATAL);
	ASSERT_EQ(0, proc_send(sv[0], &m, -1));
	EXPECT_EQ(0, proc_parent_recv(sv[1], &p, &m));
	EXPECT_TRUE(p.fatal);
	make_msg(&m, PROC_MSG_STATS);
	ASSERT_EQ(0, proc_send(sv[0], &m, -1));
	EXPECT_EQ(-EPROTO, proc_parent_recv(sv[1], &p, &m));	/* after FATAL */
	make_msg(&m, PROC_MSG_LOG);
	ASSERT_EQ(0, proc_send(sv[0], &m, -1));
	EXPECT_EQ(-EPROTO, proc_parent_recv(sv[1], &p, &m));	/* nor a LOG */
	close(sv[0]);
	EXPECT_EQ(-EPIPE, proc_parent_recv(sv[1], &p, &m));
	EXPECT_EQ(8, p.errors);
	close(sv[1]);
}

TEST_HARNESS_MAIN
