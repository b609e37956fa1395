// SPDX-License-Identifier: GPL-2.0
/*
 * The parent's resources: enforcement, cameras, sessions and their cells,
 * built from a checked configuration and taken down again.
 *
 * parent_start() in this order, so that nothing is ever unconfined:
 *   1. enforcement: load the cell programs, or adopt the pinned ones; a
 *      parent that restarts after a crash finds its predecessor's cells
 *      and removes them (revoked, their tasks killed) before it makes any;
 *   2. the cameras: each device node opened and attached;
 *   3. per session: the session (its fd stays here until a worker takes
 *      it), its cell, and the endpoints of its tenant's uplink, resolved
 *      here because a worker can resolve nothing.
 * parent_stop() undoes all of it, cells (and so sessions) first. The pins
 * stay: enforcement outlives the daemon, and a new one adopts it. From
 * start to stop the parent holds the writer lock (fg_writer_lock()): it
 * alone writes the cell maps.
 *
 * The parent never maps or reads a frame.
 */

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "cell.h"
#include "enforce.h"
#include "libframegate.h"

#include "control.h"
#include "log.h"
#include "parent.h"

/* The tenant id of a name: FNV-1a, stable across restarts and reorders. */
uint64_t
parent_tenant_id(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 0x100000001b3ull;
	}
	return h != 0 ? h : 1;
}

static void
tls_free(struct parent_tls *tls)
{
	if (tls == NULL)
		return;
	explicit_bzero(tls, CONFIG_TENANTS_MAX * sizeof(*tls));
	free(tls);
}

static void
report_log(void *arg, const char *file, config_line line, const char *reason)
{
	(void)arg;
	log_warnx("%s:%u: %s", file, line, reason);
}

/* The same, for a lost camera's tries: said once, then debug lines. */
static void
report_quiet(void *arg, const char *file, config_line line,
	     const char *reason)
{
	(void)arg;
	log_debug("%s:%u: %s", file, line, reason);
}

static int
stale_cell(uint64_t cell_id, uint64_t session_id, void *arg)
{
	uint64_t *ids = arg;
	unsigned int i;

	(void)cell_id;
	for (i = 0; i < PARENT_STALE_MAX; i++)
		if (ids[i] == 0) {
			ids[i] = session_id;
			return 0;
		}
	return -E2BIG;
}

/* The cells a previous parent left: removed, their sessions revoked. */
static int
cells_clear(struct parent *p)
{
	uint64_t ids[PARENT_STALE_MAX] = { 0 };
	unsigned int i;
	int error;

	if ((error = fg_cell_foreach(p->e, stale_cell, ids)) != 0 &&
	    error != -E2BIG)
		return error;
	for (i = 0; i < PARENT_STALE_MAX && ids[i] != 0; i++) {
		log_info("removing the cell of session %llu, left by an "
			 "earlier parent", (unsigned long long)ids[i]);
		if ((error = fg_cell_remove(p->e, ids[i])) != 0 &&
		    error != -ENOENT) {
			log_warnx("session %llu: cannot remove its cell: %s",
				  (unsigned long long)ids[i], strerror(-error));
			return error;
		}
	}
	/* More than a walk could hold: walk again. */
	return ids[PARENT_STALE_MAX - 1] != 0 ? cells_clear(p) : 0;
}

/*
 * Opens camera i's node and attaches it. Failures are warnings, or debug
 * lines when quiet (a lost camera tried again: said once).
 */
static int
camera_attach(struct parent *p, unsigned int i, bool quiet)
{
	const struct config_camera *c = &p->conf->cameras[i];
	struct parent_camera *pc = &p->cameras[i];
	struct fg_camera_attach a = {
		.width = c->width,
		.height = c->height,
		.pixelformat = c->pixelformat,
		.fps = c->fps,
		.buffers = c->buffers,
	};
	char path[CONFIG_PATH_MAX];
	int vfd, fd;

	if (config_device_path(p->conf, i, path, sizeof(path),
			       quiet ? report_quiet : report_log, NULL) != 0)
		return -ENODEV;
	if ((vfd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		fd = -errno;
		if (quiet)
			log_debug("camera %s: %s: %s", c->name, path,
				  strerror(-fd));
		else
			log_warnx("camera %s: %s: %s", c->name, path,
				  strerror(-fd));
		return fd;
	}
	a.v4l2_fd = vfd;
	fd = fg_camera_attach(p->ctl, &a);
	close(vfd);		/* framegate keeps its own file */
	if (fd < 0) {
		if (quiet)
			log_debug("camera %s: cannot attach %s: %s", c->name,
				  path, strerror(-fd));
		else
			log_warnx("camera %s: cannot attach %s: %s", c->name,
				  path, strerror(-fd));
		return fd;
	}
	pc->fd = fd;
	pc->id = a.camera_id;
	pc->bytesperline = a.bytesperline;
	pc->sizeimage = a.sizeimage;
	pc->lost = false;
	pc->tries = 0;
	if (c->fps == FG_FPS_DRIVER)
		log_info("camera %s: %s attached as camera %u, %ux%u %s at "
			 "its driver's rate", c->name, path, pc->id, c->width,
			 c->height, config_format_name(c->pixelformat));
	else
		log_info("camera %s: %s attached as camera %u, %ux%u %s at "
			 "%u fps", c->name, path, pc->id, c->width, c->height,
			 config_format_name(c->pixelformat), c->fps);
	return 0;
}

/* A session's endpoints at most, as the parent keeps track of them. */
#define PARENT_ENDPOINTS_MAX	32

/* A session's endpoints (fg_endpoint_foreach(), or what it resolved). */
struct endpoint_set {
	uint64_t		id;
	unsigned int		n;
	struct sockaddr_storage	ss[PARENT_ENDPOINTS_MAX];
	socklen_t		len[PARENT_ENDPOINTS_MAX];
};

static int
endpoint_collect(uint64_t session_id, const struct sockaddr *sa,
		 socklen_t len, void *arg)
{
	struct endpoint_set *set = arg;

	if (session_id != set->id)
		return 0;
	if (set->n == PARENT_ENDPOINTS_MAX || len > sizeof(set->ss[0]))
		return -E2BIG;
	memcpy(&set->ss[set->n], sa, len);
	set->len[set->n++] = len;
	return 0;
}

/* Whether set holds sa's address and port (the scope aside). */
static bool
endpoint_in(const struct endpoint_set *set, const struct sockaddr_storage *sa)
{
	const struct sockaddr_in *a4 = (const void *)sa, *b4;
	const struct sockaddr_in6 *a6 = (const void *)sa, *b6;
	unsigned int k;

	for (k = 0; k < set->n; k++) {
		if (set->ss[k].ss_family != sa->ss_family)
			continue;
		b4 = (const void *)&set->ss[k];
		b6 = (const void *)&set->ss[k];
		if (sa->ss_family == AF_INET &&
		    a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr)
			return true;
		if (sa->ss_family == AF_INET6 &&
		    a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0)
			return true;
	}
	return false;
}

/*
 * Every address of the tenant's uplink host, on its port: an endpoint.
 * Each one in *added too, when added is not NULL.
 */
static int
endpoints_add(struct parent *p, unsigned int i, struct endpoint_set *added)
{
	const struct config_session *s = &p->conf->sessions[i];
	const struct config_tenant *t = &p->conf->tenants[s->tenant];
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV,
	};
	struct parent_session *ps = &p->sessions[i];
	struct addrinfo *res, *ai;
	char port[8];
	int error, n = 0;

	snprintf(port, sizeof(port), "%u", t->url.port);
	if ((error = getaddrinfo(t->url.host, port, &hints, &res)) != 0) {
		log_warnx("session %s: tenant %s: %s: %s", s->name, t->name,
			  t->url.host, gai_strerror(error));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if ((error = fg_endpoint_add(p->e, ps->id, ai->ai_addr,
					     ai->ai_addrlen)) != 0 ||
		    (added != NULL &&
		     (error = endpoint_collect(ps->id, ai->ai_addr,
					       ai->ai_addrlen, added)) != 0)) {
			log_warnx("session %s: endpoint: %s", s->name,
				  strerror(-error));
			freeaddrinfo(res);
			return error;
		}
		if (n == 0) {
			memcpy(&ps->uplink, ai->ai_addr, ai->ai_addrlen);
			ps->uplink_len = ai->ai_addrlen;
		}
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		log_warnx("session %s: %s has no IPv4 or IPv6 address",
			  s->name, t->url.host);
		return -EHOSTUNREACH;
	}
	log_debug("session %s: %d endpoints for %s port %u", s->name, n,
		  t->url.host, t->url.port);
	return 0;
}

static int
session_start(struct parent *p, unsigned int i)
{
	const struct config_session *s = &p->conf->sessions[i];
	const struct config_tenant *t = &p->conf->tenants[s->tenant];
	struct parent_session *ps = &p->sessions[i];
	struct fg_session_create c = {
		.tenant_id = parent_tenant_id(t->name),
		.depth = s->queue,
		.ncameras = s->ncameras,
	};
	unsigned int k;
	int fd, error;

	for (k = 0; k < s->ncameras; k++)
		c.cameras[k] = p->cameras[s->cameras[k]].id;
	if ((fd = fg_session_create(p->ctl, &c)) < 0) {
		log_warnx("session %s: cannot create it: %s", s->name,
			  strerror(-fd));
		return fd;
	}
	snprintf(ps->name, sizeof(ps->name), "%s", s->name);
	ps->fd = fd;
	ps->id = c.session_id;
	ps->tenant_id = c.tenant_id;
	if ((error = fg_cell_create(p->e, ps->id, NULL, NULL)) != 0) {
		log_warnx("session %s: cannot create its cell: %s", s->name,
			  strerror(-error));
		return error;
	}
	ps->cell = true;
	if ((error = endpoints_add(p, i, NULL)) != 0)
		return error;
	log_info("session %s: session %llu of tenant %s, %u cameras, %s",
		 s->name, (unsigned long long)ps->id, t->name, s->ncameras,
		 s->mode == CONFIG_MODE_LIVE ? "live" : "stills");
	return 0;
}

/*
 * The cell root of conf into root (size bytes): "" for none configured;
 * for "delegated", "cells" below the cgroup this process runs in (under
 * systemd with Delegate=yes, the service's own). 0 or -errno, logged.
 */
static int
cell_root_resolve(const struct config *conf, char *root, size_t size)
{
	const char *want = conf->global.cell_root;
	char line[CONFIG_CELL_ROOT_MAX + 8];
	FILE *f;
	size_t len;
	int n;

	root[0] = '\0';
	if (strcmp(want, CONFIG_CELL_ROOT_DELEGATED) != 0) {
		n = snprintf(root, size, "%s", want);
		return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
	}
	/* cgroup v2 alone: "0::/system.slice/framegated.service". */
	if ((f = fopen("/proc/self/cgroup", "re")) == NULL) {
		log_warn("cell_root = delegated: /proc/self/cgroup");
		return -errno;
	}
	n = -ENOENT;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		len = strcspn(line + 3, "\n");
		line[3 + len] = '\0';
		n = snprintf(root, size, "/sys/fs/cgroup%s%scells",
			     line + 3, len > 1 ? "/" : "");
		n = n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
		break;
	}
	fclose(f);
	if (n != 0)
		log_warnx("cell_root = delegated: no cgroup v2 path of this "
			  "process (or one too long): %s", strerror(-n));
	return n;
}

int
parent_start(struct parent *p, const struct config *conf)
{
	char root[CONFIG_CELL_ROOT_MAX];
	unsigned int i;
	int error;

	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->ctl = -1;
	p->lock = -1;
	for (i = 0; i < CONFIG_CAMERAS_MAX; i++)
		p->cameras[i].fd = -1;
	p->exe = -1;
	p->control = -1;
	p->reload_client = -1;
	for (i = 0; i < CONFIG_SESSIONS_MAX; i++) {
		p->sessions[i].fd = -1;
		p->sessions[i].pidfd = -1;
		p->sessions[i].ctl = -1;
	}

	/* While we run, nobody else writes the cell maps. */
	if ((p->lock = fg_writer_lock()) < 0) {
		error = p->lock;
		if (error == -EBUSY)
			log_warnx("%s: another process (framegatectl, or "
				  "another framegated) is changing the cell "
				  "maps", FG_WRITER_LOCK);
		else
			log_warnx("%s: %s", FG_WRITER_LOCK, strerror(-error));
		return error;
	}
	if ((error = cell_root_resolve(conf, root, sizeof(root))) != 0)
		return error;
	if ((error = fg_enforcer_open_at(&p->e, root[0] ? root : NULL)) != 0) {
		log_warnx("cannot arm enforcement: %s", strerror(-error));
		return error;
	}
	log_info("enforcement armed: %s, cells under %s",
		 fg_enforcer_adopted(p->e) ? "adopted pinned state" :
		 "programs loaded and pinned", fg_enforcer_cell_root(p->e));
	if ((error = cells_clear(p)) != 0)
		return error;
	if ((p->ctl = fg_ctl_open()) < 0) {
		error = p->ctl;
		log_warnx("/dev/framegate: %s", strerror(-error));
		return error;
	}
	/* Before the cameras: no loss of one goes unheard. */
	if ((p->events = fg_nl_events_open()) == NULL) {
		error = -errno;
		log_warnx("framegate events: %s", strerror(-error));
		return error;
	}
	for (i = 0; i < conf->ncameras; i++)
		if ((error = camera_attach(p, i, false)) != 0)
			return error;
	for (i = 0; i < conf->nsessions; i++)
		if ((error = session_start(p, i)) != 0)
			return error;
	return 0;
}

void
parent_stop(struct parent *p)
{
	struct parent_session *ps;
	unsigned int i;
	int error;

	for (i = 0; i < CONFIG_SESSIONS_MAX; i++) {
		ps = &p->sessions[i];
		if (ps->pidfd >= 0)
			close(ps->pidfd);
		if (ps->ctl >= 0)
			close(ps->ctl);
		ps->pidfd = ps->ctl = -1;
		/* Revoked, its tasks killed, its endpoints gone. */
		if (ps->cell && (error = fg_cell_remove(p->e, ps->id)) != 0)
			log_warnx("session %llu: cannot remove its cell: %s",
				  (unsigned long long)ps->id, strerror(-error));
		ps->cell = false;
		if (ps->fd >= 0)
			close(ps->fd);
		ps->fd = -1;
	}
	for (i = 0; i < CONFIG_CAMERAS_MAX; i++) {
		if (p->cameras[i].fd >= 0)
			close(p->cameras[i].fd);	/* detaches it */
		p->cameras[i].fd = -1;
	}
	if (p->events != NULL)
		fg_nl_close(p->events);
	p->events = NULL;
	if (p->ctl >= 0)
		close(p->ctl);
	p->ctl = -1;
	if (p->exe >= 0)
		close(p->exe);
	p->exe = -1;
	tls_free(p->tls);
	p->tls = NULL;
	fg_enforcer_close(p->e);
	p->e = NULL;
	if (p->lock >= 0)
		close(p->lock);
	p->lock = -1;
}

/* ------------------------------------------------------------ workers */

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Reads the file at path (at most PROC_TLS_MAX bytes) into buf. */
static int
read_material(const char *path, uint8_t *buf, uint32_t *len)
{
	ssize_t n;
	size_t have = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_warn("%s", path);
		return -errno;
	}
	while ((n = read(fd, buf + have, PROC_TLS_MAX - have)) > 0)
		have += (size_t)n;
	close(fd);
	if (n < 0 || have == 0 || have == PROC_TLS_MAX) {
		log_warnx("%s: %s", path, n < 0 ? strerror(errno) :
			  have == 0 ? "empty" : "too large");
		return -EINVAL;
	}
	*len = (uint32_t)have;
	return 0;
}

/* The workers' user of conf: an unprivileged one. */
static int
user_lookup(const struct config *conf, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if ((pw = getpwnam(conf->global.user)) == NULL || pw->pw_uid == 0) {
		log_warnx("user %s: not an unprivileged user",
			  conf->global.user);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Every tenant's CA, certificate and key of conf, read into *tlsp. */
static int
tls_read(const struct config *conf, struct parent_tls **tlsp)
{
	struct parent_tls *tls;
	unsigned int i;
	int error;

	if ((tls = calloc(CONFIG_TENANTS_MAX, sizeof(*tls))) == NULL) {
		log_warn("TLS material");
		return -ENOMEM;
	}
	for (i = 0; i < conf->ntenants; i++) {
		const struct config_tenant *t = &conf->tenants[i];
		struct parent_tls *m = &tls[i];

		if ((error = read_material(t->ca, m->data[0], &m->len[0])) ||
		    (error = read_material(t->cert, m->data[1], &m->len[1])) ||
		    (error = read_material(t->key, m->data[2], &m->len[2]))) {
			tls_free(tls);
			return error;
		}
	}
	*tlsp = tls;
	return 0;
}

static int
workers_prepare(struct parent *p)
{
	int error;

	if ((error = user_lookup(p->conf, &p->uid, &p->gid)) != 0)
		return error;
	if ((p->exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0) {
		log_warn("/proc/self/exe");
		return -errno;
	}
	return tls_read(p->conf, &p->tls);
}

static int
hello_send(struct parent *p, unsigned int i)
{
	const struct config_session *s = &p->conf->sessions[i];
	const struct config_tenant *t = &p->conf->tenants[s->tenant];
	const struct parent_tls *m = &p->tls[s->tenant];
	struct parent_session *ps = &p->sessions[i];
	static struct proc_msg msg;
	struct proc_hello *h = &msg.hello;
	uint32_t kind, off, n;
	unsigned int k;
	int error;

	proc_msg_init(&msg, PROC_MSG_HELLO, ps->id);
	snprintf(h->tenant, sizeof(h->tenant), "%s", t->name);
	snprintf(h->session, sizeof(h->session), "%s", s->name);
	h->ncameras = s->ncameras;
	for (k = 0; k < s->ncameras; k++) {
		h->camera_ids[k] = p->cameras[s->cameras[k]].id;
		snprintf(h->cameras[k], sizeof(h->cameras[k]), "%s",
			 p->conf->cameras[s->cameras[k]].name);
	}
	h->mode = s->mode == CONFIG_MODE_LIVE ? PROC_MODE_LIVE :
						PROC_MODE_STILLS;
	h->interval = s->mode == CONFIG_MODE_LIVE ? 0 : s->interval;
	h->rate = s->mode == CONFIG_MODE_LIVE ? s->rate : 0;
	h->quality = s->quality;
	h->queue = s->queue;
	h->port = t->url.port;
	h->family = ps->uplink.ss_family;
	if (h->family == AF_INET) {
		memcpy(h->addr, &((struct sockaddr_in *)&ps->uplink)->sin_addr,
		       4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ps->uplink;

		memcpy(h->addr, &sin6->sin6_addr, 16);
		h->scope_id = sin6->sin6_scope_id;
	}
	for (k = 0; k < 3; k++)
		h->tls_len[k] = m->len[k];
	snprintf(h->host, sizeof(h->host), "%s", t->url.host);
	snprintf(h->path, sizeof(h->path), "%s", t->url.path);
	memcpy(h->seal_key, t->public_key, sizeof(h->seal_key));
	if ((error = proc_send(ps->ctl, &msg, -1)) != 0)
		return error;
	for (kind = PROC_TLS_CA; kind <= PROC_TLS_KEY; kind++) {
		for (off = 0; off < m->len[kind - 1]; off += n) {
			n = m->len[kind - 1] - off;
			if (n > PROC_TLS_CHUNK)
				n = PROC_TLS_CHUNK;
			proc_msg_init(&msg, PROC_MSG_TLS, ps->id);
			msg.tls.kind = kind;
			msg.tls.total = m->len[kind - 1];
			msg.tls.offset = off;
			msg.tls.len = n;
			memcpy(msg.tls.data, m->data[kind - 1] + off, n);
			if ((error = proc_send(ps->ctl, &msg, -1)) != 0)
				return error;
		}
	}
	explicit_bzero(&msg, sizeof(msg));
	proc_msg_init(&msg, PROC_MSG_SESSION_FD, ps->id);
	return proc_send(ps->ctl, &msg, ps->fd);
}

/*
 * The child, in the cell: the control socket as fd 3, then this program
 * again as the worker (a fresh image: nothing of the parent's memory, no
 * other tenant's key), with an empty environment.
 */
static void __attribute__((noreturn))
worker_exec(struct parent *p, struct parent_session *ps, int sock)
{
	char ids[32], *argv[8] = { "framegated", "-W", "-u", ids, NULL };
	char *envp[] = { NULL };
	int a, b, n = 4, null;
	struct stat st;

	if (p->verbose)
		argv[n++] = "-v";
#ifdef FRAMEGATED_TEST_HOOKS
	if (p->test_action != NULL && ps->starts == 1 &&
	    strcmp(p->conf->sessions[ps - p->sessions].name,
		   p->test_session) == 0) {
		argv[n++] = "-T";
		argv[n++] = (char *)p->test_action;
	}
#endif
	(void)ps;
	snprintf(ids, sizeof(ids), "%u:%u", (unsigned int)p->uid,
		 (unsigned int)p->gid);
	/*
	 * Standard output and error that are sockets (journald's under
	 * systemd) belong to no cell: a worker's write there would be refused
	 * and counted. It logs through us (PROC_MSG_LOG); whatever it would
	 * write before it can goes to /dev/null.
	 */
	if (fstat(2, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    ((null = open("/dev/null", O_WRONLY)) < 0 ||
	     dup2(null, 1) != 1 || dup2(null, 2) != 2))
		_exit(126);
	if ((a = fcntl(sock, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (b = fcntl(p->exe, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    dup2(a, 3) != 3 || dup3(b, 4, O_CLOEXEC) != 4 ||
	    close_range(5, ~0U, 0) != 0)
		_exit(126);
	syscall(SYS_execveat, 4, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

static int
worker_start(struct parent *p, unsigned int i)
{
	struct parent_session *ps = &p->sessions[i];
	int sv[2], error, pidfd;
	pid_t pid;

	ps->restart_ns = 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("socketpair");
		return -errno;
	}
	/* The worker's end is the one socket its cell did not make. */
	if ((error = fg_cell_give_socket(p->e, ps->id, sv[1])) != 0) {
		log_warnx("session %llu: cannot give the cell its socket: %s",
			  (unsigned long long)ps->id, strerror(-error));
		close(sv[0]);
		close(sv[1]);
		return error;
	}
	fflush(NULL);
	ps->starts++;
	pid = fg_cell_spawn(p->e, ps->id, FG_CELL_SPAWN_PDEATHSIG, &pidfd);
	if (pid == 0)
		worker_exec(p, ps, sv[1]);
	close(sv[1]);
	if (pid < 0) {
		log_warnx("session %llu: cannot start its worker: %s",
			  (unsigned long long)ps->id, strerror(-pid));
		close(sv[0]);
		return pid;
	}
	ps->pid = pid;
	ps->pidfd = pidfd;
	ps->ctl = sv[0];
	proc_parent_init(&ps->pp, ps->id);
	log_info("session %llu: worker %d started in its cell",
		 (unsigned long long)ps->id, (int)pid);
	/*
	 * The handshake blocks (the worker reads it as soon as it runs);
	 * after it, never wait for a worker: its messages are read as they
	 * come. A worker that could not be told all of it is killed, reaped
	 * and started again.
	 */
	if ((error = hello_send(p, i)) != 0 ||
	    fcntl(ps->ctl, F_SETFL, O_NONBLOCK) != 0) {
		log_warnx("session %llu: worker %d: the handshake failed: %s",
			  (unsigned long long)ps->id, (int)pid,
			  strerror(error ? -error : errno));
		kill(pid, SIGKILL);
	}
	return 0;
}

static void
stats_log(const struct parent_session *ps)
{
	const struct proc_stats *st = &ps->pp.stats;

	log_info("session %llu: acquired %llu encoded %llu uploaded %llu "
		 "dropped queue_full %llu upload_failed %llu timeout %llu; "
		 "errors connect %llu tls %llu http %llu timeout %llu other "
		 "%llu; %llu bytes; latency p50 %llu us p99 %llu us; "
		 "cpu_us acquire %llu encode %llu seal %llu upload %llu; "
		 "worker %u seccomp_kills %u; log_suppressed %llu",
		 (unsigned long long)ps->id,
		 (unsigned long long)st->acquired,
		 (unsigned long long)st->encoded,
		 (unsigned long long)st->uploaded,
		 (unsigned long long)st->dropped_queue_full,
		 (unsigned long long)st->dropped_upload_failed,
		 (unsigned long long)st->dropped_timeout,
		 (unsigned long long)st->err_connect,
		 (unsigned long long)st->err_tls,
		 (unsigned long long)st->err_http,
		 (unsigned long long)st->err_timeout,
		 (unsigned long long)st->err_other,
		 (unsigned long long)st->bytes,
		 (unsigned long long)st->latency_p50_us,
		 (unsigned long long)st->latency_p99_us,
		 (unsigned long long)st->cpu_acquire_us,
		 (unsigned long long)st->cpu_encode_us,
		 (unsigned long long)st->cpu_seal_us,
		 (unsigned long long)st->cpu_upload_us, ps->starts,
		 ps->seccomp_kills, (unsigned long long)ps->log_suppressed);
}

#define PARENT_LOG_COST_NS	(1000000000ull / PARENT_LOG_RATE)

/* What the bucket held back, said once (by the parent, not the worker). */
static void
worker_log_held(struct parent_session *ps)
{
	if (ps->log_held == 0)
		return;
	log_warnx("session %s: %llu lines of its worker's log suppressed",
		  ps->name, (unsigned long long)ps->log_held);
	ps->log_held = 0;
}

/* A LOG of ps's worker: written behind its name, if the bucket allows. */
static void
worker_log(struct parent_session *ps, const struct proc_log *l)
{
	const uint64_t full = PARENT_LOG_BURST * PARENT_LOG_COST_NS;
	uint64_t now = mono_ns();
	char who[CONFIG_NAME_MAX + 8];

	if (ps->log_last_ns == 0 ||
	    now - ps->log_last_ns >= full - ps->log_credit_ns)
		ps->log_credit_ns = full;
	else
		ps->log_credit_ns += now - ps->log_last_ns;
	ps->log_last_ns = now;
	if (ps->log_credit_ns < PARENT_LOG_COST_NS) {
		ps->log_held++;
		ps->log_suppressed++;
		return;
	}
	ps->log_credit_ns -= PARENT_LOG_COST_NS;
	worker_log_held(ps);
	snprintf(who, sizeof(who), "worker %s", ps->name);
	/* proc_check() made it one line of printable ASCII. */
	log_relayed((int)l->priority, who, l->text);
}

/*
 * A message of ps's worker that proc_parent_recv() accepted. READY is
 * answered with GO only while the worker is alive (alive false: it is
 * being collected, and only what it said matters).
 */
static void
worker_said(struct parent_session *ps, const struct proc_msg *msg, bool alive)
{
	struct proc_msg go;
	int error;

	switch (msg->hdr.type) {
	case PROC_MSG_READY:
		if (!alive)
			break;
		log_info("session %llu: worker %d sandboxed (Landlock ABI %u)",
			 (unsigned long long)ps->id, (int)ps->pid,
			 msg->ready.landlock_abi);
		proc_msg_init(&go, PROC_MSG_GO, ps->id);
		if ((error = proc_send(ps->ctl, &go, -1)) != 0)
			log_warnx("session %llu: GO: %s",
				  (unsigned long long)ps->id, strerror(-error));
		break;
	case PROC_MSG_STATS:
		log_debug("session %llu: uploaded %llu",
			  (unsigned long long)ps->id,
			  (unsigned long long)msg->stats.uploaded);
		break;
	case PROC_MSG_FATAL:
		log_warnx("session %llu: worker %d: %s: %s",
			  (unsigned long long)ps->id, (int)ps->pid,
			  msg->fatal.text, strerror(msg->fatal.error));
		break;
	case PROC_MSG_LOG:
		worker_log(ps, &msg->log);
		break;
	}
}

/* The worker's socket is readable. */
static void
worker_message(struct parent_session *ps)
{
	struct proc_msg msg;
	int error;

	error = proc_parent_recv(ps->ctl, &ps->pp, &msg);
	if (error == -EAGAIN)
		return;
	if (error != 0) {
		if (error != -EPIPE)
			log_warnx("session %llu: worker %d: a bad message: %s",
				  (unsigned long long)ps->id, (int)ps->pid,
				  strerror(-error));
		/* Stop listening; the pidfd says when it is gone. */
		close(ps->ctl);
		ps->ctl = -1;
		if (error != -EPIPE)
			kill(ps->pid, SIGKILL);
		return;
	}
	worker_said(ps, &msg, true);
}

/*
 * The worker ended (or will at once: the caller saw its pidfd readable or
 * made sure it dies): reaped, its last messages read, its counters logged.
 */
static void
worker_collect(struct parent_session *ps, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	if (waitid(P_PIDFD, (id_t)ps->pidfd, si, WEXITED) != 0)
		log_warn("waitid");
	close(ps->pidfd);
	if (ps->ctl >= 0) {
		struct proc_msg msg;

		/* Its last STATS, LOG or FATAL may still wait to be read. */
		while (proc_parent_recv(ps->ctl, &ps->pp, &msg) == 0)
			worker_said(ps, &msg, false);
		close(ps->ctl);
	}
	ps->ctl = ps->pidfd = -1;
	worker_log_held(ps);
	/* Its filter's verdict: the worker tried what it must never do. */
	if ((si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED) &&
	    si->si_status == SIGSYS) {
		ps->seccomp_kills++;
		log_warnx("session %llu: worker %d killed by seccomp (SIGSYS)",
			  (unsigned long long)ps->id, (int)ps->pid);
	}
	ps->pid = 0;
	stats_log(ps);
}

/* The worker ended: reaped, and started again unless it should not be. */
static void
worker_reap(struct parent *p, struct parent_session *ps)
{
	siginfo_t si;
	struct fg_nl *nl;
	uint64_t delay_s;

	worker_collect(ps, &si);
	if (si.si_code == CLD_EXITED && si.si_status == 0) {
		log_info("session %llu: worker done (session over)",
			 (unsigned long long)ps->id);
		ps->given_up = true;
		/* A lost camera ends a session too: the events may be late. */
		p->cameras_check = true;
		return;
	}
	log_warnx("session %llu: worker %s %d", (unsigned long long)ps->id,
		  si.si_code == CLD_EXITED ? "exited with status" :
		  "killed by signal", si.si_status);
	/* In a row: a worker that uploaded anything made progress. */
	ps->deaths = ps->pp.stats.uploaded > 0 ? 1 : ps->deaths + 1;
	if (ps->deaths > PARENT_RESTARTS_MAX) {
		log_warnx("session %llu: its worker died %u times in a row: "
			  "revoking the session", (unsigned long long)ps->id,
			  ps->deaths);
		if ((nl = fg_nl_open()) != NULL) {
			(void)fg_nl_revoke_session(nl, ps->id);
			fg_nl_close(nl);
		}
		ps->given_up = true;
		return;
	}
	delay_s = 1ull << (ps->deaths - 1);
	if (delay_s > PARENT_BACKOFF_MAX_S)
		delay_s = PARENT_BACKOFF_MAX_S;
	ps->restart_ns = mono_ns() + delay_s * 1000000000ull;
	log_info("session %llu: starting its worker again in %llu s",
		 (unsigned long long)ps->id, (unsigned long long)delay_s);
}

/* Tells the worker of ps to stop, for reason (enum proc_shutdown_reason). */
static void
worker_tell_stop(struct parent_session *ps, uint32_t reason)
{
	struct proc_msg msg;

	if (ps->pid == 0 || ps->ctl < 0)
		return;
	proc_msg_init(&msg, PROC_MSG_SHUTDOWN, ps->id);
	msg.shutdown.reason = reason;
	(void)proc_send(ps->ctl, &msg, -1);
}

/*
 * Waits until the workers of the n sessions which[] (indexes into
 * p->sessions) are gone, all against one deadline, PARENT_STOP_MS from
 * now; those left then are killed (SIGKILL). Their messages are read
 * meanwhile (a worker blocked sending its log could not exit). Each is
 * collected as it goes: with supervision's verdict when verdict is true
 * (worker_reap(), the session given up), else without (the caller
 * decides).
 */
static void
workers_wait(struct parent *p, const unsigned int *which, unsigned int n,
	     bool verdict)
{
	struct pollfd pfd[2 * CONFIG_SESSIONS_MAX];
	struct parent_session *owner[2 * CONFIG_SESSIONS_MAX], *ps;
	uint64_t end = mono_ns() + PARENT_STOP_MS * 1000000ull, now;
	unsigned int k, m;
	siginfo_t si;
	bool killed = false;

	for (;;) {
		for (k = m = 0; k < n; k++) {
			ps = &p->sessions[which[k]];
			if (ps->pid == 0)
				continue;
			owner[m] = ps;
			pfd[m++] = (struct pollfd){ .fd = ps->pidfd,
						    .events = POLLIN };
			owner[m] = ps;
			pfd[m++] = (struct pollfd){ .fd = ps->ctl,
						    .events = POLLIN };
		}
		if (m == 0)
			return;
		now = mono_ns();
		if (!killed && (now >= end ||
		    poll(pfd, m, (int)((end - now) / 1000000) + 1) == 0)) {
			for (k = 0; k < m; k += 2) {
				log_warnx("session %s: worker %d did not stop: "
					  "killing it", owner[k]->name,
					  (int)owner[k]->pid);
				kill(owner[k]->pid, SIGKILL);
			}
			killed = true;	/* now the pidfds become readable */
			continue;
		}
		if (killed && poll(pfd, m, -1) < 0 && errno != EINTR) {
			log_warn("poll");
			return;
		}
		for (k = 1; k < m; k += 2)
			if (pfd[k].fd >= 0 && pfd[k].revents &&
			    owner[k]->pid != 0)
				worker_message(owner[k]);
		for (k = 0; k < m; k += 2) {
			if (!pfd[k].revents || owner[k]->pid == 0)
				continue;
			if (verdict) {
				owner[k]->given_up = true;
				worker_reap(p, owner[k]);
			} else {
				worker_collect(owner[k], &si);
			}
		}
	}
}

/* Tells every worker to stop and waits a little for them. */
static void
workers_stop(struct parent *p)
{
	unsigned int which[CONFIG_SESSIONS_MAX], i, n = 0;

	for (i = 0; i < p->conf->nsessions; i++) {
		worker_tell_stop(&p->sessions[i], PROC_SHUTDOWN_STOP);
		which[n++] = i;
	}
	workers_wait(p, which, n, true);
}

static void	events_read(struct parent *p);
static void	cameras_check(struct parent *p);
static uint64_t	cameras_retry(struct parent *p, uint64_t now);

int
parent_run(struct parent *p, int sigfd)
{
	struct pollfd pfd[3 + 2 * CONFIG_SESSIONS_MAX];
	struct parent_session *owner[3 + 2 * CONFIG_SESSIONS_MAX];
	struct signalfd_siginfo si;
	uint64_t now, next;
	unsigned int i, n, first, ev;
	int error, timeout, cidx;

	if (!p->running) {
		if ((error = workers_prepare(p)) != 0)
			return error;
		for (i = 0; i < p->conf->nsessions; i++)
			if ((error = worker_start(p, i)) != 0)
				return error;
		p->running = true;
	}
	for (;;) {
		n = 0;
		cidx = -1;
		pfd[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		if (p->control >= 0) {	/* control.h's clients */
			cidx = (int)n;
			pfd[n++] = (struct pollfd){ .fd = p->control,
						    .events = POLLIN };
		}
		ev = n;
		pfd[n++] = (struct pollfd){ .fd = fg_nl_event_fd(p->events),
					    .events = POLLIN };
		first = n;
		now = mono_ns();
		/* Lost cameras that are due: tried, their sessions made anew. */
		next = cameras_retry(p, now);
		for (i = 0; i < p->conf->nsessions; i++) {
			struct parent_session *ps = &p->sessions[i];

			if (ps->pid == 0 && ps->restart_ns != 0 &&
			    !ps->given_up) {
				/* A start that failed is tried again in 1 s. */
				if (ps->restart_ns <= now &&
				    worker_start(p, i) != 0)
					ps->restart_ns = now + 1000000000ull;
				if (ps->pid == 0 && ps->restart_ns > now &&
				    (next == 0 || ps->restart_ns < next))
					next = ps->restart_ns;
			}
			if (ps->pid == 0)
				continue;
			owner[n] = ps;
			pfd[n++] = (struct pollfd){ .fd = ps->pidfd,
						    .events = POLLIN };
			if (ps->ctl >= 0) {
				owner[n] = ps;
				pfd[n++] = (struct pollfd){ .fd = ps->ctl,
							    .events = POLLIN };
			}
		}
		timeout = next ? (int)((next - now) / 1000000) + 1 : -1;
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -errno;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				log_info("SIGHUP: reloading the configuration");
				return PARENT_RUN_RELOAD;
			}
			log_info("%s: stopping", strsignal(si.ssi_signo));
			break;
		}
		/* Messages before deaths: a worker's last STATS counts. */
		for (i = first; i < n; i++)
			if (pfd[i].revents && pfd[i].fd == owner[i]->ctl &&
			    owner[i]->pid != 0)
				worker_message(owner[i]);
		for (i = first; i < n; i++)
			if (pfd[i].revents && pfd[i].fd == owner[i]->pidfd &&
			    owner[i]->pid != 0)
				worker_reap(p, owner[i]);
		if (pfd[ev].revents)
			events_read(p);
		if (p->cameras_check)
			cameras_check(p);
		if (cidx >= 0 && pfd[cidx].revents &&
		    control_serve(p, p->control))
			return PARENT_RUN_RELOAD;
	}
	workers_stop(p);
	return 0;
}

/* ------------------------------------------------------------- reload */

/* A parent_session that holds nothing. */
static void
session_init(struct parent_session *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->fd = ps->pidfd = ps->ctl = -1;
}

/*
 * The kernel's revoke of session ps (named name): 0 when it is revoked,
 * also when it was already (-EALREADY) or is gone (-ENOENT); else the
 * error, logged.
 */
static int
session_revoke(const struct parent_session *ps, const char *name)
{
	struct fg_nl *nl;
	int error;

	if ((nl = fg_nl_open()) == NULL) {
		log_warnx("session %s: netlink: cannot revoke", name);
		return -ENOTCONN;
	}
	error = fg_nl_revoke_session(nl, ps->id);
	fg_nl_close(nl);
	if (error == -ENOENT || error == -EALREADY)
		return 0;
	if (error != 0)
		log_warnx("session %s: revoke: %s", name, strerror(-error));
	return error;
}

/*
 * After session_revoke(): waits for the worker of ps (it sees the revoke
 * and exits; SIGKILL after PARENT_STOP_MS, its last STATS read), removes
 * its cell (which kills whatever is left in it) and closes its fd.
 */
static void
session_dismantle(struct parent *p, struct parent_session *ps)
{
	unsigned int i = (unsigned int)(ps - p->sessions);
	int error;

	workers_wait(p, &i, 1, false);
	if (ps->cell && (error = fg_cell_remove(p->e, ps->id)) != 0)
		log_warnx("session %s: cannot remove its cell: %s", ps->name,
			  strerror(-error));
	ps->cell = false;
	if (ps->fd >= 0)
		close(ps->fd);
	ps->fd = -1;
}

int
parent_revoke(struct parent *p, const char *name, uint64_t *id)
{
	struct parent_session *ps = NULL;
	unsigned int i;
	int error;

	for (i = 0; i < p->conf->nsessions; i++)
		if (strcmp(p->conf->sessions[i].name, name) == 0)
			ps = &p->sessions[i];
	if (ps == NULL)
		return -ENOENT;
	if (ps->id == 0 || ps->fd < 0 || ps->given_up)
		return -EALREADY;
	if ((error = session_revoke(ps, name)) != 0)
		return error;
	log_info("session %s: revoked session %llu", name,
		 (unsigned long long)ps->id);
	/* No restart: it stays down until a reload. */
	ps->given_up = ps->revoked = true;
	ps->restart_ns = 0;
	session_dismantle(p, ps);
	*id = ps->id;
	return 0;
}

/* ------------------------------------------------------- lost cameras */

/* Whether session j of the running configuration uses camera i. */
static bool
session_uses(const struct parent *p, unsigned int j, unsigned int i)
{
	const struct config_session *s = &p->conf->sessions[j];
	unsigned int k;

	for (k = 0; k < s->ncameras; k++)
		if (s->cameras[k] == i)
			return true;
	return false;
}

/*
 * The kernel lost camera i (unplugged, or its queue failed: final). Its
 * sessions end: their workers see it (POLLHUP) and exit, or are killed;
 * their cells go, their fds are closed. Then the camera is detached,
 * which lets the driver reconnect a node that went away, and it is
 * tried again from 1 s on.
 */
static void
camera_lost(struct parent *p, unsigned int i)
{
	struct parent_camera *pc = &p->cameras[i];
	const char *name = p->conf->cameras[i].name;
	unsigned int which[CONFIG_SESSIONS_MAX] = { 0 }, n = 0, j, k;
	struct parent_session *ps;

	log_warnx("camera %s: camera %u lost: its sessions end, and it is "
		  "attached again when it comes back", name, pc->id);
	for (j = 0; j < p->conf->nsessions; j++) {
		ps = &p->sessions[j];
		if (ps->fd < 0 || !session_uses(p, j, i))
			continue;
		worker_tell_stop(ps, PROC_SHUTDOWN_STOP);
		which[n++] = j;
	}
	workers_wait(p, which, n, false);
	for (k = 0; k < n; k++) {
		ps = &p->sessions[which[k]];
		session_dismantle(p, ps);
		ps->camera_wait = true;
		ps->given_up = false;
		ps->restart_ns = 0;
		log_info("session %s: session %llu ended with camera %s",
			 ps->name, (unsigned long long)ps->id, name);
	}
	close(pc->fd);		/* detaches it */
	pc->fd = -1;
	pc->lost = true;
	pc->tries = 0;
	pc->retry_ns = mono_ns() + 1000000000ull;
}

/* Events from the kernel: CAMERA_LOST is the one that matters here. */
static void
events_read(struct parent *p)
{
	struct fg_event_msg ev;
	unsigned int i;
	int r;

	while ((r = fg_nl_event_next(p->events, 0, &ev)) != 0) {
		if (r == -ENOBUFS) {
			log_warnx("framegate events lost (the socket "
				  "overflowed): asking about every camera");
			p->cameras_check = true;
			continue;
		}
		if (r == -EBADMSG)
			continue;
		if (r < 0) {
			log_warnx("framegate events: %s", strerror(-r));
			p->cameras_check = true;
			return;
		}
		if (ev.event != FG_EVENT_CAMERA_LOST)
			continue;
		for (i = 0; i < p->conf->ncameras; i++)
			if (p->cameras[i].fd >= 0 &&
			    p->cameras[i].id == ev.camera_id)
				camera_lost(p, i);
	}
}

/* Asks the kernel about every attached camera: a lost one is lost here. */
static void
cameras_check(struct parent *p)
{
	struct fg_camera_status st;
	struct fg_nl *nl;
	unsigned int i;
	int error;

	p->cameras_check = false;
	if ((nl = fg_nl_open()) == NULL) {
		log_warnx("netlink: cannot ask about the cameras");
		return;
	}
	for (i = 0; i < p->conf->ncameras; i++) {
		if (p->cameras[i].fd < 0)
			continue;
		error = fg_nl_get_camera(nl, p->cameras[i].id, &st);
		if (error == 0 && st.state != FG_CAMERA_LOST)
			continue;
		if (error != 0 && error != -ENOENT) {
			log_warnx("camera %s: %s", p->conf->cameras[i].name,
				  strerror(-error));
			continue;
		}
		camera_lost(p, i);
	}
	fg_nl_close(nl);
}

/*
 * The sessions waiting for a camera whose cameras are all attached: made
 * anew (new id, cell, endpoints) with a worker each.
 */
static void
sessions_resume(struct parent *p)
{
	const struct config_session *s;
	struct parent_session *ps;
	unsigned int j, k;

	for (j = 0; j < p->conf->nsessions; j++) {
		s = &p->conf->sessions[j];
		ps = &p->sessions[j];
		if (!ps->camera_wait)
			continue;
		for (k = 0; k < s->ncameras; k++)
			if (p->cameras[s->cameras[k]].fd < 0)
				break;
		if (k < s->ncameras)
			continue;
		/* The old session's counters were logged with its worker. */
		session_init(ps);
		if (session_start(p, j) != 0) {
			session_dismantle(p, ps);
			log_warnx("session %s: cannot be made anew; it stays "
				  "down until the next reload", s->name);
			ps->given_up = true;
			continue;
		}
		if (worker_start(p, j) != 0)
			ps->restart_ns = mono_ns() + 1000000000ull;
	}
}

/*
 * Tries every lost camera that is due; one that comes back has its
 * sessions made anew. The next due time (CLOCK_MONOTONIC), 0 for none.
 */
static uint64_t
cameras_retry(struct parent *p, uint64_t now)
{
	struct parent_camera *pc;
	uint64_t next = 0, delay_s;
	unsigned int i;

	for (i = 0; i < p->conf->ncameras; i++) {
		pc = &p->cameras[i];
		if (!pc->lost)
			continue;
		if (pc->retry_ns <= now) {
			if (camera_attach(p, i, pc->tries > 0) == 0) {
				sessions_resume(p);
				continue;
			}
			if (pc->tries == 0)
				log_info("camera %s: not back yet: tried "
					 "again, at most every %u s",
					 p->conf->cameras[i].name,
					 PARENT_CAMERA_RETRY_MAX_S);
			pc->tries++;
			delay_s = pc->tries < 4 ? 1ull << pc->tries :
				  PARENT_CAMERA_RETRY_MAX_S;
			if (delay_s > PARENT_CAMERA_RETRY_MAX_S)
				delay_s = PARENT_CAMERA_RETRY_MAX_S;
			pc->retry_ns = now + delay_s * 1000000000ull;
		}
		if (next == 0 || pc->retry_ns < next)
			next = pc->retry_ns;
	}
	return next;
}

/*
 * Session i's endpoints become those of its tenant's uplink now: the new
 * ones added first, then the old ones that are not among them removed, so
 * that a failure leaves the session its old endpoints.
 */
static int
endpoints_replace(struct parent *p, unsigned int i)
{
	struct parent_session *ps = &p->sessions[i];
	static struct endpoint_set old, added;
	unsigned int k;
	int error;

	old = (struct endpoint_set){ .id = ps->id };
	added = (struct endpoint_set){ .id = ps->id };
	if ((error = fg_endpoint_foreach(p->e, endpoint_collect, &old)) != 0 ||
	    (error = endpoints_add(p, i, &added)) != 0)
		return error;
	for (k = 0; k < old.n; k++)
		if (!endpoint_in(&added, &old.ss[k]) &&
		    (error = fg_endpoint_remove(p->e, ps->id,
						(struct sockaddr *)&old.ss[k],
						old.len[k])) != 0 &&
		    error != -ENOENT)
			return error;
	return 0;
}

/*
 * What a reload does with each session of next: the index of the running
 * session it continues (-1: a new one) and whether its worker or its
 * endpoints must change.
 */
struct reload_plan {
	int		from;
	bool		restart;	/* a new worker, same session */
	bool		endpoints;	/* the uplink moved */
};

static void
reload_plan(const struct parent *p, const struct config *next,
	    const struct parent_tls *tls, uid_t uid, gid_t gid,
	    const int *cam_to, struct reload_plan *plan)
{
	const struct config *cur = p->conf;
	unsigned int i, j, k;

	for (j = 0; j < next->nsessions; j++) {
		const struct config_session *n = &next->sessions[j];
		const struct config_tenant *nt = &next->tenants[n->tenant];

		plan[j] = (struct reload_plan){ .from = -1 };
		for (i = 0; i < cur->nsessions; i++) {
			const struct config_session *o = &cur->sessions[i];
			const struct config_tenant *ot = &cur->tenants[o->tenant];
			const struct parent_session *ps = &p->sessions[i];
			bool same = strcmp(o->name, n->name) == 0 &&
				    strcmp(ot->name, nt->name) == 0 &&
				    o->ncameras == n->ncameras &&
				    o->queue == n->queue &&
				    ps->fd >= 0 && ps->cell && !ps->given_up;

			for (k = 0; same && k < o->ncameras; k++)
				same = cam_to[o->cameras[k]] ==
				       (int)n->cameras[k];
			if (!same)
				continue;
			plan[j].from = (int)i;
			plan[j].endpoints =
				strcmp(ot->url.host, nt->url.host) != 0 ||
				ot->url.port != nt->url.port;
			plan[j].restart = plan[j].endpoints ||
				strcmp(ot->url.path, nt->url.path) != 0 ||
				memcmp(ot->public_key, nt->public_key,
				       sizeof(ot->public_key)) != 0 ||
				o->mode != n->mode ||
				o->interval != n->interval ||
				o->rate != n->rate ||
				o->quality != n->quality ||
				uid != p->uid || gid != p->gid ||
				memcmp(&p->tls[o->tenant], &tls[n->tenant],
				       sizeof(*tls)) != 0;
			break;
		}
	}
}

int
parent_reload(struct parent *p, const struct config *next)
{
	const struct config *cur = p->conf;
	static struct parent_session sessions[CONFIG_SESSIONS_MAX];
	struct parent_camera cameras[CONFIG_CAMERAS_MAX];
	struct reload_plan plan[CONFIG_SESSIONS_MAX];
	int cam_to[CONFIG_CAMERAS_MAX], cam_from[CONFIG_CAMERAS_MAX];
	bool kept[CONFIG_SESSIONS_MAX] = { false };
	unsigned int stopping[CONFIG_SESSIONS_MAX], nstopping = 0;
	unsigned int i, j, k, added = 0, removed = 0, restarted = 0;
	struct parent_tls *tls;
	uid_t uid;
	gid_t gid;
	int error;

	/* All that can fail before anything changes. */
	if ((error = user_lookup(next, &uid, &gid)) != 0)
		return error;
	if ((error = tls_read(next, &tls)) != 0)
		return error;

	for (i = 0; i < CONFIG_CAMERAS_MAX; i++)
		cam_to[i] = cam_from[i] = -1;
	for (i = 0; i < cur->ncameras; i++)
		for (j = 0; j < next->ncameras; j++)
			if (config_camera_same(&cur->cameras[i],
					       &next->cameras[j])) {
				cam_to[i] = (int)j;
				cam_from[j] = (int)i;
			}
	reload_plan(p, next, tls, uid, gid, cam_to, plan);
	for (j = 0; j < next->nsessions; j++)
		if (plan[j].from >= 0)
			kept[plan[j].from] = true;

	/*
	 * 1. What goes: sessions first, then the cameras they used. Every
	 * revoke and every SHUTDOWN is sent before the workers are waited
	 * for, all against one deadline: with many sessions a reload must
	 * not stall supervision for PARENT_STOP_MS each.
	 */
	for (i = 0; i < cur->nsessions; i++) {
		struct parent_session *ps = &p->sessions[i];

		if (kept[i] || ps->id == 0)
			continue;
		log_info("session %s: no longer configured as it runs: "
			 "revoking session %llu", ps->name,
			 (unsigned long long)ps->id);
		if (ps->fd >= 0)
			(void)session_revoke(ps, ps->name);
		stopping[nstopping++] = i;
		removed++;
	}
	for (j = 0; j < next->nsessions; j++)
		if (plan[j].restart) {
			worker_tell_stop(&p->sessions[plan[j].from],
					 PROC_SHUTDOWN_RESTART);
			stopping[nstopping++] = (unsigned int)plan[j].from;
		}
	workers_wait(p, stopping, nstopping, false);
	for (i = 0; i < cur->nsessions; i++) {
		if (kept[i] || p->sessions[i].id == 0)
			continue;
		session_dismantle(p, &p->sessions[i]);
		session_init(&p->sessions[i]);
	}
	for (i = 0; i < cur->ncameras; i++) {
		if (cam_to[i] >= 0 || p->cameras[i].fd < 0)
			continue;
		log_info("camera %s: no longer configured as it runs: "
			 "detaching camera %u", cur->cameras[i].name,
			 p->cameras[i].id);
		close(p->cameras[i].fd);
		p->cameras[i].fd = -1;
	}

	/* 2. The running state, renumbered as next numbers it. */
	for (j = 0; j < CONFIG_CAMERAS_MAX; j++) {
		if (j < next->ncameras && cam_from[j] >= 0) {
			cameras[j] = p->cameras[cam_from[j]];
		} else {
			memset(&cameras[j], 0, sizeof(cameras[j]));
			cameras[j].fd = -1;
		}
	}
	memcpy(p->cameras, cameras, sizeof(cameras));
	for (j = 0; j < CONFIG_SESSIONS_MAX; j++) {
		if (j < next->nsessions && plan[j].from >= 0)
			sessions[j] = p->sessions[plan[j].from];
		else
			session_init(&sessions[j]);
	}
	memcpy(p->sessions, sessions, sizeof(sessions));
	explicit_bzero(sessions, sizeof(sessions));
	p->conf = next;
	tls_free(p->tls);
	p->tls = tls;
	p->uid = uid;
	p->gid = gid;

	/* 3. What comes, and what changed. */
	for (j = 0; j < next->ncameras; j++) {
		struct parent_camera *pc = &p->cameras[j];

		if (pc->fd >= 0 || camera_attach(p, j, pc->tries > 0) == 0)
			continue;
		/* Tried again as a lost one is; its sessions wait for it. */
		pc->lost = true;
		if (pc->tries == 0)
			pc->tries = 1;
		pc->retry_ns = mono_ns() + 1000000000ull;
	}
	for (j = 0; j < next->nsessions; j++) {
		const struct config_session *s = &next->sessions[j];
		struct parent_session *ps = &p->sessions[j];

		if (plan[j].from >= 0) {
			if (plan[j].endpoints &&
			    (error = endpoints_replace(p, j)) != 0)
				log_warnx("session %s: its endpoints: %s",
					  s->name, strerror(-error));
			if (!plan[j].restart)
				continue;
			log_info("session %s: changed: a new worker%s", s->name,
				 plan[j].endpoints ? " for its new endpoints" :
				 "");
			restarted++;
			ps->deaths = 0;
			if (worker_start(p, j) != 0)
				ps->restart_ns = mono_ns() + 1000000000ull;
			continue;
		}
		for (k = 0; k < s->ncameras; k++)
			if (p->cameras[s->cameras[k]].fd < 0)
				break;
		if (k < s->ncameras) {
			log_warnx("session %s: waiting for camera %s",
				  s->name,
				  next->cameras[s->cameras[k]].name);
			snprintf(ps->name, sizeof(ps->name), "%s", s->name);
			ps->camera_wait = true;
			continue;
		}
		if (session_start(p, j) != 0) {
			log_warnx("session %s: cannot be started; it stays "
				  "down until the next reload", s->name);
			ps->given_up = true;
			continue;
		}
		/* As for any worker: tried again in 1 s. */
		if (worker_start(p, j) != 0)
			ps->restart_ns = mono_ns() + 1000000000ull;
		added++;
	}
	log_info("reloaded %s: %u sessions, %u started, %u with a new "
		 "worker, %u revoked", next->file, next->nsessions, added,
		 restarted, removed);
	return 0;
}
