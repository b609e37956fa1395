// SPDX-License-Identifier: GPL-2.0
/*
 * The parent's end of the control socket (control.h): created at start,
 * one connection served at a time from parent_run()'s poll loop, removed
 * at stop. STATS is answered from what the parent already holds, REVOKE
 * once parent_revoke() is done (it waits at most 2 s for the worker), and
 * RELOAD after parent_run() has returned and the reload was tried. A slow
 * client cannot stall supervision for long: it has a second to send its
 * request and to take the answer.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "parent.h"

#define CONTROL_CLIENT_MS	1000

/* Where each control counter is in struct proc_stats. */
static const size_t stats_offset[CONTROL_NCOUNTERS] = {
	[CONTROL_ACQUIRED] = offsetof(struct proc_stats, acquired),
	[CONTROL_ENCODED] = offsetof(struct proc_stats, encoded),
	[CONTROL_UPLOADED] = offsetof(struct proc_stats, uploaded),
	[CONTROL_DROPPED_QUEUE_FULL] =
		offsetof(struct proc_stats, dropped_queue_full),
	[CONTROL_DROPPED_UPLOAD_FAILED] =
		offsetof(struct proc_stats, dropped_upload_failed),
	[CONTROL_DROPPED_TIMEOUT] =
		offsetof(struct proc_stats, dropped_timeout),
	[CONTROL_ERR_CONNECT] = offsetof(struct proc_stats, err_connect),
	[CONTROL_ERR_TLS] = offsetof(struct proc_stats, err_tls),
	[CONTROL_ERR_HTTP] = offsetof(struct proc_stats, err_http),
	[CONTROL_ERR_TIMEOUT] = offsetof(struct proc_stats, err_timeout),
	[CONTROL_ERR_OTHER] = offsetof(struct proc_stats, err_other),
	[CONTROL_BYTES] = offsetof(struct proc_stats, bytes),
	[CONTROL_LATENCY_P50_US] = offsetof(struct proc_stats, latency_p50_us),
	[CONTROL_LATENCY_P99_US] = offsetof(struct proc_stats, latency_p99_us),
	[CONTROL_CPU_ACQUIRE_US] = offsetof(struct proc_stats, cpu_acquire_us),
	[CONTROL_CPU_ENCODE_US] = offsetof(struct proc_stats, cpu_encode_us),
	[CONTROL_CPU_UPLOAD_US] = offsetof(struct proc_stats, cpu_upload_us),
	[CONTROL_CPU_SEAL_US] = offsetof(struct proc_stats, cpu_seal_us),
};

/* Every counter of proc_stats after its header has its place. */
_Static_assert(sizeof(struct proc_stats) ==
	       sizeof(struct proc_hdr) + 8 * CONTROL_NCOUNTERS,
	       "a proc_stats counter the control socket does not carry");

int
control_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t mask;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: name too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	/* Another daemon answers there: leave it alone. */
	if ((fd = control_connect(path)) >= 0) {
		close(fd);
		log_warnx("control socket %s: another framegated is running",
			  path);
		return -EADDRINUSE;
	}
	/* A dead daemon's socket goes; anything else there stays. */
	if (fd != -ENOENT) {
		if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
				  "socket", path);
			return -EEXIST;
		}
		if (unlink(path) != 0 && errno != ENOENT) {
			log_warn("control socket %s: cannot remove a stale one",
				 path);
			return -errno;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
			 SOCK_CLOEXEC, 0)) < 0) {
		log_warn("control socket: socket");
		return -errno;
	}
	/* 0600 from its first instant: no window with a wider mode. */
	mask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (r != 0 || listen(fd, 8) != 0) {
		r = -errno;
		log_warn("control socket %s", path);
		close(fd);
		return r;
	}
	log_debug("control socket %s: listening", path);
	return fd;
}

void
control_close(int listen_fd, const char *path)
{
	if (listen_fd < 0)
		return;
	close(listen_fd);
	if (unlink(path) != 0 && errno != ENOENT)
		log_warn("control socket %s: unlink", path);
}

static uint32_t
worker_state(const struct parent_session *ps)
{
	if (ps->revoked)
		return CONTROL_WORKER_REVOKED;
	if (ps->camera_wait)
		return CONTROL_WORKER_NO_CAMERA;
	if (ps->pid != 0)
		return ps->pp.ready ? CONTROL_WORKER_RUNNING :
				      CONTROL_WORKER_STARTING;
	return ps->given_up ? CONTROL_WORKER_GIVEN_UP :
			      CONTROL_WORKER_RESTARTING;
}

static void
worker_fill(const struct parent *p, unsigned int i, struct control_msg *msg)
{
	const struct config_session *s = &p->conf->sessions[i];
	const struct parent_session *ps = &p->sessions[i];
	struct control_worker *w = &msg->worker;
	unsigned int k;

	control_msg_init(msg, CONTROL_MSG_WORKER);
	w->session_id = ps->id;
	w->tenant_id = ps->tenant_id;
	snprintf(w->tenant, sizeof(w->tenant), "%s",
		 p->conf->tenants[s->tenant].name);
	snprintf(w->session, sizeof(w->session), "%s", s->name);
	w->state = worker_state(ps);
	w->pid = ps->pid;
	w->restarts = ps->starts > 0 ? ps->starts - 1 : 0;
	w->refused = ps->pp.errors;
	w->flags |= CONTROL_WORKER_F_SECCOMP;
	w->seccomp_kills = ps->seccomp_kills;
	for (k = 0; k < CONTROL_NCOUNTERS; k++)
		memcpy(&w->counters[k],
		       (const char *)&ps->pp.stats + stats_offset[k],
		       sizeof(w->counters[k]));
}

static int
answer_stats(const struct parent *p, int fd)
{
	struct control_msg msg;
	unsigned int i, n = 0;
	int r;

	for (i = 0; i < p->conf->nsessions; i++) {
		if (p->sessions[i].id == 0)
			continue;
		worker_fill(p, i, &msg);
		if ((r = control_send(fd, &msg, CONTROL_FROM_DAEMON)) != 0)
			return r;
		n++;
	}
	control_msg_init(&msg, CONTROL_MSG_END);
	msg.end.count = n;
	return control_send(fd, &msg, CONTROL_FROM_DAEMON);
}

/* The request on fd, within CONTROL_CLIENT_MS. */
static int
request_recv(int fd, struct control_msg *msg)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	if ((r = poll(&pfd, 1, CONTROL_CLIENT_MS)) < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	return control_recv(fd, msg, CONTROL_FROM_CLIENT);
}

/* DONE for session_id, or ERROR for -error; the connection stays open. */
static void
answer_done(int fd, int error, uint64_t session_id)
{
	struct control_msg msg;

	if (error == 0) {
		control_msg_init(&msg, CONTROL_MSG_DONE);
		msg.done.session_id = session_id;
	} else {
		control_msg_init(&msg, CONTROL_MSG_ERROR);
		msg.error.error = -error;
	}
	(void)control_send(fd, &msg, CONTROL_FROM_DAEMON);
}

bool
control_serve(struct parent *p, int listen_fd)
{
	struct timeval tv = { .tv_sec = CONTROL_CLIENT_MS / 1000 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct control_msg msg;
	uint64_t id = 0;
	int fd, r;

	if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control socket: accept");
		return false;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("control socket: SO_PEERCRED");
		close(fd);
		return false;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/*
	 * The request is read even from a peer that is refused: closing a
	 * socket with a datagram unread resets the peer's, which would lose
	 * the ERROR that says why.
	 */
	r = request_recv(fd, &msg);
	if (cred.uid != 0) {
		log_warnx("control socket: refused pid %d, uid %u: not root",
			  (int)cred.pid, (unsigned int)cred.uid);
		r = -EACCES;
	} else if (r != 0) {
		log_warnx("control socket: pid %d: a bad request: %s",
			  (int)cred.pid, strerror(-r));
	} else if (msg.hdr.type == CONTROL_MSG_STATS) {
		log_debug("control socket: pid %d: STATS", (int)cred.pid);
		if ((r = answer_stats(p, fd)) != 0)
			log_warnx("control socket: pid %d: answer: %s",
				  (int)cred.pid, strerror(-r));
		r = 0;
	} else if (msg.hdr.type == CONTROL_MSG_REVOKE) {
		log_info("control socket: pid %d: revoke session %s",
			 (int)cred.pid, msg.revoke.session);
		r = parent_revoke(p, msg.revoke.session, &id);
		answer_done(fd, r, id);
		r = 0;
	} else {
		log_info("control socket: pid %d: reload", (int)cred.pid);
		p->reload_client = fd;
		return true;
	}
	if (r != 0 && r != -EPIPE) {
		control_msg_init(&msg, CONTROL_MSG_ERROR);
		msg.error.error = -r;
		(void)control_send(fd, &msg, CONTROL_FROM_DAEMON);
	}
	close(fd);
	return false;
}

void
control_reload_answer(struct parent *p, int error)
{
	if (p->reload_client < 0)
		return;
	answer_done(p->reload_client, error, 0);
	close(p->reload_client);
	p->reload_client = -1;
}
