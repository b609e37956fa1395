// SPDX-License-Identifier: GPL-2.0
/*
 * framegated's control socket (daemon/framegated/control.c and
 * control_server.c): every message type round-trips over a SOCK_SEQPACKET
 * socketpair; every malformed datagram is refused with the errno control.h
 * gives for it; the client's reader refuses answers out of order; and the
 * daemon's end, on a real socket file, is 0600, refuses a second daemon,
 * replaces a stale socket but nothing else, answers root with one WORKER
 * per session and an END, and refuses a non-root peer and a bad request
 * with an ERROR.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "parent.h"
#include "kselftest_harness.h"

/* A valid message of type, as its sender would send it. */
static void
make_msg(struct control_msg *m, uint32_t type)
{
	control_msg_init(m, type);
	switch (type) {
	case CONTROL_MSG_WORKER:
		m->worker.session_id = 7;
		m->worker.tenant_id = 0xabcdef;
		strcpy(m->worker.tenant, "alice");
		strcpy(m->worker.session, "porch-1_live");
		m->worker.pid = 1234;
		m->worker.state = CONTROL_WORKER_RUNNING;
		m->worker.restarts = 2;
		m->worker.flags = CONTROL_WORKER_F_SECCOMP;
		m->worker.seccomp_kills = 1;
		m->worker.counters[CONTROL_ACQUIRED] = 100;
		m->worker.counters[CONTROL_ENCODED] = 90;
		m->worker.counters[CONTROL_UPLOADED] = 80;
		m->worker.counters[CONTROL_DROPPED_QUEUE_FULL] = 10;
		m->worker.counters[CONTROL_DROPPED_TIMEOUT] = 10;
		m->worker.counters[CONTROL_BYTES] = 1 << 20;
		m->worker.counters[CONTROL_LATENCY_P50_US] = 800;
		m->worker.counters[CONTROL_LATENCY_P99_US] = 5000;
		break;
	case CONTROL_MSG_END:
		m->end.count = 3;
		break;
	case CONTROL_MSG_ERROR:
		m->error.error = EACCES;
		break;
	case CONTROL_MSG_REVOKE:
		strcpy(m->revoke.session, "porch-1_live");
		break;
	case CONTROL_MSG_DONE:
		m->done.session_id = 7;
		break;
	}
}

static enum control_side
sender(uint32_t type)
{
	return type < CONTROL_MSG_WORKER ? CONTROL_FROM_CLIENT :
					   CONTROL_FROM_DAEMON;
}

static const uint32_t all_types[] = {
	CONTROL_MSG_STATS, CONTROL_MSG_REVOKE, CONTROL_MSG_RELOAD,
	CONTROL_MSG_WORKER, CONTROL_MSG_END, CONTROL_MSG_ERROR,
	CONTROL_MSG_DONE,
};

#define NTYPES	(sizeof(all_types) / sizeof(all_types[0]))

FIXTURE(control) {
	int	sv[2];		/* [0] sends, [1] receives */
	struct control_msg m, got;
};

FIXTURE_SETUP(control)
{
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				self->sv));
}

FIXTURE_TEARDOWN(control)
{
	close(self->sv[0]);
	close(self->sv[1]);
}

/* Sends len raw bytes, bypassing control_send()'s checks. */
static void
send_raw(int fd, const void *buf, size_t len)
{
	if (send(fd, buf, len, 0) != (ssize_t)len)
		abort();
}

TEST_F(control, round_trip_of_every_type)
{
	unsigned int i;

	for (i = 0; i < NTYPES; i++) {
		make_msg(&self->m, all_types[i]);
		ASSERT_EQ(0, control_send(self->sv[0], &self->m,
					  sender(all_types[i])));
		ASSERT_EQ(0, control_recv(self->sv[1], &self->got,
					  sender(all_types[i])));
		EXPECT_EQ(control_msg_len(all_types[i]), self->got.hdr.len);
		EXPECT_EQ(0, memcmp(&self->m, &self->got, self->m.hdr.len));
	}
}

TEST_F(control, each_side_sends_only_its_types_enomsg)
{
	unsigned int i;

	for (i = 0; i < NTYPES; i++) {
		enum control_side wrong = sender(all_types[i]) ==
			CONTROL_FROM_CLIENT ? CONTROL_FROM_DAEMON :
					      CONTROL_FROM_CLIENT;

		make_msg(&self->m, all_types[i]);
		/* control_send() refuses to send it, control_recv() to take it. */
		EXPECT_EQ(-ENOMSG, control_send(self->sv[0], &self->m, wrong));
		send_raw(self->sv[0], &self->m, self->m.hdr.len);
		EXPECT_EQ(-ENOMSG, control_recv(self->sv[1], &self->got,
						wrong));
	}
}

TEST_F(control, unknown_type_is_enomsg)
{
	static const uint32_t unknown[] = { 0, 4, 15, 20, 0xffffffff };
	unsigned int i;

	make_msg(&self->m, CONTROL_MSG_END);
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		self->m.hdr.type = unknown[i];
		send_raw(self->sv[0], &self->m, self->m.hdr.len);
		EXPECT_EQ(-ENOMSG, control_recv(self->sv[1], &self->got,
						CONTROL_FROM_DAEMON));
		EXPECT_EQ(-ENOMSG, control_check(&self->m, self->m.hdr.len,
						 CONTROL_FROM_CLIENT));
	}
}

TEST_F(control, wrong_length_is_ebadmsg)
{
	make_msg(&self->m, CONTROL_MSG_WORKER);
	/* The header says one length, the datagram has another. */
	send_raw(self->sv[0], &self->m, self->m.hdr.len - 8);
	EXPECT_EQ(-EBADMSG, control_recv(self->sv[1], &self->got,
					 CONTROL_FROM_DAEMON));
	/* Both agree, but not with the type. */
	self->m.hdr.len -= 8;
	send_raw(self->sv[0], &self->m, self->m.hdr.len);
	EXPECT_EQ(-EBADMSG, control_recv(self->sv[1], &self->got,
					 CONTROL_FROM_DAEMON));
	/* Shorter than a header. */
	send_raw(self->sv[0], &self->m, sizeof(struct control_hdr) - 1);
	EXPECT_EQ(-EBADMSG, control_recv(self->sv[1], &self->got,
					 CONTROL_FROM_DAEMON));
	EXPECT_EQ(-EBADMSG, control_check(&self->m, 0, CONTROL_FROM_DAEMON));
}

TEST_F(control, bigger_than_any_message_is_emsgsize)
{
	char big[sizeof(struct control_msg) + 1];

	make_msg(&self->m, CONTROL_MSG_WORKER);
	memset(big, 0, sizeof(big));
	memcpy(big, &self->m, self->m.hdr.len);
	send_raw(self->sv[0], big, sizeof(big));
	EXPECT_EQ(-EMSGSIZE, control_recv(self->sv[1], &self->got,
					  CONTROL_FROM_DAEMON));
	EXPECT_EQ(-EMSGSIZE, control_check(big, sizeof(big),
					   CONTROL_FROM_DAEMON));
}

TEST_F(control, wrong_version_is_eprotonosupport)
{
	static const uint32_t versions[] = { 0, CONTROL_VERSION + 1 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		make_msg(&self->m, CONTROL_MSG_STATS);
		self->m.hdr.version = versions[i];
		send_raw(self->sv[0], &self->m, self->m.hdr.len);
		EXPECT_EQ(-EPROTONOSUPPORT,
			  control_recv(self->sv[1], &self->got,
				       CONTROL_FROM_CLIENT));
	}
}

TEST_F(control, an_fd_is_eproto_and_closed)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int p[2];
	char x;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	make_msg(&self->m, CONTROL_MSG_STATS);
	iov = (struct iovec){ &self->m, self->m.hdr.len };
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	ASSERT_EQ((ssize_t)self->m.hdr.len, sendmsg(self->sv[0], &mh, 0));
	close(p[1]);
	EXPECT_EQ(-EPROTO, control_recv(self->sv[1], &self->got,
					CONTROL_FROM_CLIENT));
	/* No copy of the write end is left: EOF. */
	EXPECT_EQ(0, read(p[0], &x, 1));
	close(p[0]);
}

TEST_F(control, peer_closed_is_epipe)
{
	close(self->sv[0]);
	self->sv[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	EXPECT_EQ(-EPIPE, control_recv(self->sv[1], &self->got,
				       CONTROL_FROM_DAEMON));
}

/* One way each field of a message can be out of range: all -EINVAL. */
static void bad_hdr_reserved(struct control_msg *m) { m->hdr.reserved = 1; }
static void bad_stats_reserved(struct control_msg *m) { m->stats.reserved = 1; }
static void bad_end_reserved(struct control_msg *m) { m->end.reserved = 1; }
static void bad_error_zero(struct control_msg *m) { m->error.error = 0; }
static void bad_error_big(struct control_msg *m) { m->error.error = 4096; }
static void bad_error_reserved(struct control_msg *m) { m->error.reserved = 1; }
static void bad_reload_reserved(struct control_msg *m) { m->reload.reserved = 1; }
static void bad_revoke_empty(struct control_msg *m) { m->revoke.session[0] = 0; }
static void bad_revoke_char(struct control_msg *m) { m->revoke.session[4] = '/'; }
static void bad_revoke_unterminated(struct control_msg *m)
{
	memset(m->revoke.session, 'a', sizeof(m->revoke.session));
}
static void bad_session_id(struct control_msg *m) { m->worker.session_id = 0; }
static void bad_tenant_id(struct control_msg *m) { m->worker.tenant_id = 0; }
static void bad_tenant_empty(struct control_msg *m) { m->worker.tenant[0] = 0; }
static void bad_tenant_unterminated(struct control_msg *m)
{
	memset(m->worker.tenant, 'a', sizeof(m->worker.tenant));
}
static void bad_tenant_padding(struct control_msg *m)
{
	m->worker.tenant[sizeof(m->worker.tenant) - 1] = 'x';
}
static void bad_session_char(struct control_msg *m) { m->worker.session[2] = '/'; }
static void bad_session_first(struct control_msg *m) { m->worker.session[0] = '-'; }
static void bad_state_zero(struct control_msg *m) { m->worker.state = 0; }
static void bad_state_big(struct control_msg *m)
{
	m->worker.state = CONTROL_WORKER_REVOKED + 1;
}
static void bad_pid_running(struct control_msg *m) { m->worker.pid = 0; }
static void bad_pid_negative(struct control_msg *m) { m->worker.pid = -1; }
static void bad_pid_restarting(struct control_msg *m)
{
	m->worker.state = CONTROL_WORKER_RESTARTING;
}
static void bad_flags(struct control_msg *m) { m->worker.flags |= 1u << 1; }
static void bad_seccomp_unflagged(struct control_msg *m) { m->worker.flags = 0; }
static void bad_encoded(struct control_msg *m)
{
	m->worker.counters[CONTROL_ENCODED] = 101;
}
static void bad_uploaded(struct control_msg *m)
{
	m->worker.counters[CONTROL_UPLOADED] = 91;
}
static void bad_dropped(struct control_msg *m)
{
	m->worker.counters[CONTROL_DROPPED_UPLOAD_FAILED] = 1;
}
static void bad_dropped_overflow(struct control_msg *m)
{
	m->worker.counters[CONTROL_DROPPED_QUEUE_FULL] = UINT64_MAX;
}
static void bad_latency(struct control_msg *m)
{
	m->worker.counters[CONTROL_LATENCY_P50_US] = 5001;
}

static const struct bad_case {
	const char	*name;
	uint32_t	type;
	void		(*mutate)(struct control_msg *);
} bad_cases[] = {
	{ "header reserved", CONTROL_MSG_STATS, bad_hdr_reserved },
	{ "STATS reserved", CONTROL_MSG_STATS, bad_stats_reserved },
	{ "RELOAD reserved", CONTROL_MSG_RELOAD, bad_reload_reserved },
	{ "REVOKE without a name", CONTROL_MSG_REVOKE, bad_revoke_empty },
	{ "REVOKE of a path", CONTROL_MSG_REVOKE, bad_revoke_char },
	{ "REVOKE name unterminated", CONTROL_MSG_REVOKE,
	  bad_revoke_unterminated },
	{ "END reserved", CONTROL_MSG_END, bad_end_reserved },
	{ "ERROR 0", CONTROL_MSG_ERROR, bad_error_zero },
	{ "ERROR 4096", CONTROL_MSG_ERROR, bad_error_big },
	{ "ERROR reserved", CONTROL_MSG_ERROR, bad_error_reserved },
	{ "session id 0", CONTROL_MSG_WORKER, bad_session_id },
	{ "tenant id 0", CONTROL_MSG_WORKER, bad_tenant_id },
	{ "tenant empty", CONTROL_MSG_WORKER, bad_tenant_empty },
	{ "tenant unterminated", CONTROL_MSG_WORKER, bad_tenant_unterminated },
	{ "tenant not zero-padded", CONTROL_MSG_WORKER, bad_tenant_padding },
	{ "session with '/'", CONTROL_MSG_WORKER, bad_session_char },
	{ "session starts with '-'", CONTROL_MSG_WORKER, bad_session_first },
	{ "state 0", CONTROL_MSG_WORKER, bad_state_zero },
	{ "state past REVOKED", CONTROL_MSG_WORKER, bad_state_big },
	{ "running without a pid", CONTROL_MSG_WORKER, bad_pid_running },
	{ "negative pid", CONTROL_MSG_WORKER, bad_pid_negative },
	{ "restarting with a pid", CONTROL_MSG_WORKER, bad_pid_restarting },
	{ "unknown flag", CONTROL_MSG_WORKER, bad_flags },
	{ "seccomp kills not flagged", CONTROL_MSG_WORKER,
	  bad_seccomp_unflagged },
	{ "encoded > acquired", CONTROL_MSG_WORKER, bad_encoded },
	{ "uploaded > encoded", CONTROL_MSG_WORKER, bad_uploaded },
	{ "uploaded + dropped > acquired", CONTROL_MSG_WORKER, bad_dropped },
	{ "dropped sum overflows 64 bits", CONTROL_MSG_WORKER,
	  bad_dropped_overflow },
	{ "p50 > p99", CONTROL_MSG_WORKER, bad_latency },
};

TEST_F(control, every_field_out_of_range_is_einval)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		TH_LOG("%s", c->name);
		make_msg(&self->m, c->type);
		c->mutate(&self->m);
		EXPECT_EQ(-EINVAL, control_send(self->sv[0], &self->m,
						sender(c->type)));
		send_raw(self->sv[0], &self->m, self->m.hdr.len);
		EXPECT_EQ(-EINVAL, control_recv(self->sv[1], &self->got,
						sender(c->type)));
	}
}

TEST(reader_takes_answers_in_order_only)
{
	struct control_reader r = { .request = CONTROL_MSG_STATS };
	struct control_msg w, end, err, done;

	make_msg(&w, CONTROL_MSG_WORKER);
	make_msg(&end, CONTROL_MSG_END);
	make_msg(&err, CONTROL_MSG_ERROR);
	make_msg(&done, CONTROL_MSG_DONE);
	/* STATS is not answered DONE. */
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &done));
	end.end.count = 2;
	ASSERT_EQ(0, control_reader_accept(&r, &w));
	/* END counts what came: one WORKER is not two. */
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &end));
	EXPECT_EQ(1, r.workers);
	EXPECT_FALSE(r.done);
	ASSERT_EQ(0, control_reader_accept(&r, &w));
	ASSERT_EQ(0, control_reader_accept(&r, &end));
	EXPECT_TRUE(r.done);
	/* Nothing after END. */
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &w));
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &end));
	EXPECT_EQ(2, r.workers);
	/* ERROR ends an answer too. */
	r = (struct control_reader){ .request = CONTROL_MSG_STATS };
	ASSERT_EQ(0, control_reader_accept(&r, &err));
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &w));
}

TEST(reader_takes_one_done_for_a_change)
{
	struct control_reader r = { .request = CONTROL_MSG_REVOKE };
	struct control_msg w, end, done;

	make_msg(&w, CONTROL_MSG_WORKER);
	make_msg(&end, CONTROL_MSG_END);
	make_msg(&done, CONTROL_MSG_DONE);
	end.end.count = 0;
	/* A revoke is answered with the session it revoked, nothing else. */
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &w));
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &end));
	done.done.session_id = 0;
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &done));
	EXPECT_FALSE(r.done);
	done.done.session_id = 7;
	ASSERT_EQ(0, control_reader_accept(&r, &done));
	EXPECT_TRUE(r.done);
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &done));
	/* A reload names no session. */
	r = (struct control_reader){ .request = CONTROL_MSG_RELOAD };
	EXPECT_EQ(-EPROTO, control_reader_accept(&r, &done));
	done.done.session_id = 0;
	ASSERT_EQ(0, control_reader_accept(&r, &done));
	EXPECT_TRUE(r.done);
	EXPECT_EQ(0, r.workers);
}

/*
 * The daemon's end, on a socket file, for a parent of two sessions.
 * parent_revoke() is parent.c's, which needs the kernel (the guest's
 * framegated-control.sh runs it): here it answers as told, and records.
 */
static char revoked_name[CONTROL_NAME_MAX];
static int revoke_answer;

int
parent_revoke(struct parent *p, const char *name, uint64_t *id)
{
	(void)p;
	snprintf(revoked_name, sizeof(revoked_name), "%s", name);
	if (revoke_answer == 0)
		*id = 11;
	return revoke_answer;
}

FIXTURE(server) {
	char		dir[64], path[128];
	int		fd;
	struct config	*conf;
	struct parent	*p;
};

FIXTURE_SETUP(server)
{
	struct config *c;

	log_init(1, 0, LOG_DAEMON);
	strcpy(self->dir, "/tmp/control_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/fg.sock", self->dir);
	self->fd = -1;
	ASSERT_NE(NULL, self->conf = calloc(1, sizeof(*self->conf)));
	ASSERT_NE(NULL, self->p = calloc(1, sizeof(*self->p)));
	c = self->conf;
	c->ntenants = 2;
	strcpy(c->tenants[0].name, "a");
	strcpy(c->tenants[1].name, "b");
	c->nsessions = 2;
	strcpy(c->sessions[0].name, "a-live");
	strcpy(c->sessions[1].name, "b-stills");
	c->sessions[1].tenant = 1;
	self->p->conf = c;
	self->p->reload_client = -1;
	/* a-live runs, on its third worker; b-stills waits to restart. */
	self->p->sessions[0] = (struct parent_session){ .id = 11,
		.tenant_id = 21, .pid = 4242, .starts = 3,
		.seccomp_kills = 1 };
	self->p->sessions[0].pp.ready = true;
	self->p->sessions[0].pp.stats.acquired = 9;
	self->p->sessions[0].pp.stats.encoded = 8;
	self->p->sessions[0].pp.stats.uploaded = 7;
	self->p->sessions[0].pp.stats.latency_p99_us = 3;
	self->p->sessions[1] = (struct parent_session){ .id = 12,
		.tenant_id = 22, .starts = 1 };
	self->p->sessions[1].pp.errors = 5;
}

FIXTURE_TEARDOWN(server)
{
	if (self->fd >= 0)
		control_close(self->fd, self->path);
	unlink(self->path);
	rmdir(self->dir);
	free(self->conf);
	free(self->p);
}

/* A client in a child (as uid, when not 0) against control_serve(). */
static pid_t
client(const char *path, uid_t uid, const void *req, size_t len, int *sv)
{
	pid_t pid;
	int fd;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		struct timeval tv = { .tv_sec = 5 };

		/* An answer that never comes fails the test, not the run. */
		setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		return pid;
	}
	/* The child: connect, send, relay every answer to the test. */
	if (uid != 0 && (setgroups(0, NULL) != 0 ||
			 setresgid(uid, uid, uid) != 0 ||
			 setresuid(uid, uid, uid) != 0))
		_exit(10);
	if ((fd = control_connect(path)) < 0)
		_exit(11);
	send_raw(fd, req, len);
	for (;;) {
		struct control_msg m;
		ssize_t n = recv(fd, &m, sizeof(m), 0);

		if (n <= 0)
			_exit(0);
		send_raw(sv[1], &m, n);
	}
}

/* As parent_run() does: control_serve() once the socket is readable. */
static void
serve_one(struct parent *p, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 5000) == 1)
		control_serve(p, fd);
}

static int
answer(int sv, struct control_msg *m)
{
	return control_recv(sv, m, CONTROL_FROM_DAEMON);
}

TEST_F(server, socket_is_0600_and_removed_at_close)
{
	struct stat st;

	ASSERT_LE(0, self->fd = control_listen(self->path));
	ASSERT_EQ(0, lstat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	control_close(self->fd, self->path);
	self->fd = -1;
	EXPECT_EQ(-1, lstat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(server, second_daemon_is_eaddrinuse_and_first_keeps_its_socket)
{
	struct stat a, b;

	ASSERT_LE(0, self->fd = control_listen(self->path));
	ASSERT_EQ(0, lstat(self->path, &a));
	EXPECT_EQ(-EADDRINUSE, control_listen(self->path));
	ASSERT_EQ(0, lstat(self->path, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST_F(server, stale_socket_is_replaced_other_files_are_eexist)
{
	int fd;

	ASSERT_LE(0, fd = control_listen(self->path));
	close(fd);		/* a daemon that died: its file stays */
	ASSERT_LE(0, self->fd = control_listen(self->path));
	control_close(self->fd, self->path);
	self->fd = -1;
	ASSERT_LE(0, fd = open(self->path, O_CREAT | O_WRONLY, 0600));
	close(fd);
	EXPECT_EQ(-EEXIST, control_listen(self->path));
	EXPECT_EQ(0, access(self->path, F_OK));
}

TEST_F(server, root_gets_one_worker_per_session_then_end)
{
	struct control_msg req, m;
	int sv[2], status;
	pid_t pid;

	ASSERT_LE(0, self->fd = control_listen(self->path));
	control_msg_init(&req, CONTROL_MSG_STATS);
	ASSERT_LT(0, pid = client(self->path, 0, &req, req.hdr.len, sv));
	serve_one(self->p, self->fd);

	ASSERT_EQ(0, answer(sv[0], &m));
	ASSERT_EQ(CONTROL_MSG_WORKER, m.hdr.type);
	EXPECT_STREQ("a-live", m.worker.session);
	EXPECT_STREQ("a", m.worker.tenant);
	EXPECT_EQ(11, m.worker.session_id);
	EXPECT_EQ(21, m.worker.tenant_id);
	EXPECT_EQ(4242, m.worker.pid);
	EXPECT_EQ(CONTROL_WORKER_RUNNING, m.worker.state);
	EXPECT_EQ(2, m.worker.restarts);
	EXPECT_EQ(CONTROL_WORKER_F_SECCOMP, m.worker.flags);
	EXPECT_EQ(1, m.worker.seccomp_kills);
	EXPECT_EQ(9, m.worker.counters[CONTROL_ACQUIRED]);
	EXPECT_EQ(8, m.worker.counters[CONTROL_ENCODED]);
	EXPECT_EQ(7, m.worker.counters[CONTROL_UPLOADED]);
	EXPECT_EQ(3, m.worker.counters[CONTROL_LATENCY_P99_US]);

	ASSERT_EQ(0, answer(sv[0], &m));
	ASSERT_EQ(CONTROL_MSG_WORKER, m.hdr.type);
	EXPECT_STREQ("b-stills", m.worker.session);
	EXPECT_STREQ("b", m.worker.tenant);
	EXPECT_EQ(0, m.worker.pid);
	EXPECT_EQ(CONTROL_WORKER_RESTARTING, m.worker.state);
	EXPECT_EQ(0, m.worker.restarts);
	EXPECT_EQ(5, m.worker.refused);

	ASSERT_EQ(0, answer(sv[0], &m));
	ASSERT_EQ(CONTROL_MSG_END, m.hdr.type);
	EXPECT_EQ(2, m.end.count);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(server, revoke_is_done_with_the_session_or_its_errno)
{
	static const int answers[] = { 0, -ENOENT, -EALREADY };
	struct control_msg req, m;
	int sv[2], status;
	unsigned int i;
	pid_t pid;

	ASSERT_LE(0, self->fd = control_listen(self->path));
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		revoke_answer = answers[i];
		memset(revoked_name, 0, sizeof(revoked_name));
		control_msg_init(&req, CONTROL_MSG_REVOKE);
		strcpy(req.revoke.session, "b-stills");
		ASSERT_LT(0, pid = client(self->path, 0, &req, req.hdr.len,
					  sv));
		serve_one(self->p, self->fd);
		EXPECT_STREQ("b-stills", revoked_name);
		ASSERT_EQ(0, answer(sv[0], &m));
		if (answers[i] == 0) {
			ASSERT_EQ(CONTROL_MSG_DONE, m.hdr.type);
			EXPECT_EQ(11, m.done.session_id);
		} else {
			ASSERT_EQ(CONTROL_MSG_ERROR, m.hdr.type);
			EXPECT_EQ(-answers[i], m.error.error);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status);
		close(sv[0]);
		close(sv[1]);
	}
	revoke_answer = 0;
}

TEST_F(server, reload_is_answered_once_it_was_tried)
{
	static const int results[] = { 0, -EINVAL };
	struct control_msg req, m;
	struct pollfd pfd;
	int sv[2], status;
	unsigned int i;
	pid_t pid;

	ASSERT_LE(0, self->fd = control_listen(self->path));
	for (i = 0; i < 2; i++) {
		control_msg_init(&req, CONTROL_MSG_RELOAD);
		ASSERT_LT(0, pid = client(self->path, 0, &req, req.hdr.len,
					  sv));
		pfd = (struct pollfd){ .fd = self->fd, .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 5000));
		/* Kept for the caller, not answered yet. */
		ASSERT_TRUE(control_serve(self->p, self->fd));
		ASSERT_LE(0, self->p->reload_client);
		pfd = (struct pollfd){ .fd = sv[0], .events = POLLIN };
		EXPECT_EQ(0, poll(&pfd, 1, 200));
		control_reload_answer(self->p, results[i]);
		EXPECT_EQ(-1, self->p->reload_client);
		ASSERT_EQ(0, answer(sv[0], &m));
		if (results[i] == 0) {
			ASSERT_EQ(CONTROL_MSG_DONE, m.hdr.type);
			EXPECT_EQ(0, m.done.session_id);
		} else {
			ASSERT_EQ(CONTROL_MSG_ERROR, m.hdr.type);
			EXPECT_EQ(EINVAL, m.error.error);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status);
		close(sv[0]);
		close(sv[1]);
	}
	/* Nothing kept: nothing to answer. */
	control_reload_answer(self->p, 0);
}

TEST_F(server, a_bad_request_gets_its_errno)
{
	struct control_msg req, m;
	int sv[2], status;
	pid_t pid;

	ASSERT_LE(0, self->fd = control_listen(self->path));
	control_msg_init(&req, CONTROL_MSG_STATS);
	req.hdr.version = 2;
	ASSERT_LT(0, pid = client(self->path, 0, &req, req.hdr.len, sv));
	serve_one(self->p, self->fd);
	ASSERT_EQ(0, answer(sv[0], &m));
	ASSERT_EQ(CONTROL_MSG_ERROR, m.hdr.type);
	EXPECT_EQ(EPROTONOSUPPORT, m.error.error);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(sv[0]);
	close(sv[1]);
}

TEST_F(server, non_root_peer_is_eacces_even_through_a_wider_mode)
{
	struct control_msg req, m;
	int sv[2], status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to run a client as another user");
	ASSERT_LE(0, self->fd = control_listen(self->path));
	/* The mode alone keeps nobody out; SO_PEERCRED must too. */
	ASSERT_EQ(0, chmod(self->dir, 0755));
	ASSERT_EQ(0, chmod(self->path, 0666));
	control_msg_init(&req, CONTROL_MSG_STATS);
	ASSERT_LT(0, pid = client(self->path, 65534, &req, req.hdr.len, sv));
	serve_one(self->p, self->fd);
	ASSERT_EQ(0, answer(sv[0], &m));
	ASSERT_EQ(CONTROL_MSG_ERROR, m.hdr.type);
	EXPECT_EQ(EACCES, m.error.error);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
