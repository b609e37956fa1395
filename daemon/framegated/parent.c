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
 * stay: enforcement outlives the daemon, and a new one adopts it.
 *
 * The parent never maps or reads a frame.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "cell.h"
#include "enforce.h"
#include "libframegate.h"

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
report_log(void *arg, const char *file, config_line line, const char *reason)
{
	(void)arg;
	log_warnx("%s:%u: %s", file, line, reason);
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

static int
camera_attach(struct parent *p, unsigned int i)
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

	if (config_device_path(p->conf, i, path, sizeof(path), report_log,
			       NULL) != 0)
		return -ENODEV;
	if ((vfd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		log_warn("camera %s: %s", c->name, path);
		return -errno;
	}
	a.v4l2_fd = vfd;
	fd = fg_camera_attach(p->ctl, &a);
	close(vfd);		/* framegate keeps its own file */
	if (fd < 0) {
		log_warnx("camera %s: cannot attach %s: %s", c->name, path,
			  strerror(-fd));
		return fd;
	}
	pc->fd = fd;
	pc->id = a.camera_id;
	pc->bytesperline = a.bytesperline;
	pc->sizeimage = a.sizeimage;
	log_info("camera %s: %s attached as camera %u, %ux%u %s at %u fps",
		 c->name, path, pc->id, c->width, c->height,
		 config_format_name(c->pixelformat), c->fps);
	return 0;
}

/* Every address of the tenant's uplink host, on its port: an endpoint. */
static int
endpoints_add(struct parent *p, unsigned int i)
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
					     ai->ai_addrlen)) != 0) {
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
	ps->fd = fd;
	ps->id = c.session_id;
	ps->tenant_id = c.tenant_id;
	if ((error = fg_cell_create(p->e, ps->id, NULL, NULL)) != 0) {
		log_warnx("session %s: cannot create its cell: %s", s->name,
			  strerror(-error));
		return error;
	}
	ps->cell = true;
	if ((error = endpoints_add(p, i)) != 0)
		return error;
	log_info("session %s: session %llu of tenant %s, %u cameras, %s",
		 s->name, (unsigned long long)ps->id, t->name, s->ncameras,
		 s->mode == CONFIG_MODE_LIVE ? "live" : "stills");
	return 0;
}

int
parent_start(struct parent *p, const struct config *conf)
{
	unsigned int i;
	int error;

	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->ctl = -1;
	for (i = 0; i < CONFIG_CAMERAS_MAX; i++)
		p->cameras[i].fd = -1;
	for (i = 0; i < CONFIG_SESSIONS_MAX; i++)
		p->sessions[i].fd = -1;

	if ((error = fg_enforcer_open(&p->e)) != 0) {
		log_warnx("cannot arm enforcement: %s", strerror(-error));
		return error;
	}
	log_info("enforcement armed: %s", fg_enforcer_adopted(p->e) ?
		 "adopted pinned state" : "programs loaded and pinned");
	if ((error = cells_clear(p)) != 0)
		return error;
	if ((p->ctl = fg_ctl_open()) < 0) {
		error = p->ctl;
		log_warnx("/dev/framegate: %s", strerror(-error));
		return error;
	}
	for (i = 0; i < conf->ncameras; i++)
		if ((error = camera_attach(p, i)) != 0)
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
	if (p->ctl >= 0)
		close(p->ctl);
	p->ctl = -1;
	fg_enforcer_close(p->e);
	p->e = NULL;
}
