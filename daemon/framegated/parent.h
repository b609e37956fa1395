/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parent's resources (parent.c): what a configuration turns into in
 * the kernel, and back.
 */
#ifndef FRAMEGATED_PARENT_H
#define FRAMEGATED_PARENT_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct fg_enforcer;

/* Cells of an earlier parent removed per walk of the cells map. */
#define PARENT_STALE_MAX	64

struct parent_camera {
	int		fd;		/* the camera fd: closing it detaches */
	uint32_t	id;
	uint32_t	bytesperline;	/* as the driver set them */
	uint32_t	sizeimage;
};

struct parent_session {
	int		fd;		/* the session fd, -1 when none */
	uint64_t	id;
	uint64_t	tenant_id;
	bool		cell;		/* its cell exists */
	struct sockaddr_storage uplink;	/* the first endpoint address */
	socklen_t	uplink_len;
};

struct parent {
	const struct config	*conf;
	struct fg_enforcer	*e;
	int			 ctl;	/* /dev/framegate */
	struct parent_camera	 cameras[CONFIG_CAMERAS_MAX];
	struct parent_session	 sessions[CONFIG_SESSIONS_MAX];
};

/*
 * Arms or adopts enforcement, clears an earlier parent's cells, attaches
 * the cameras of conf and creates its sessions with their cells and
 * endpoints. 0, or -errno (logged) with what was made still in *p for
 * parent_stop().
 */
int		parent_start(struct parent *p, const struct config *conf);
/* Removes every cell (revoking its session), closes sessions, detaches. */
void		parent_stop(struct parent *p);
/* The tenant id the sessions of tenant name carry: never 0. */
uint64_t	parent_tenant_id(const char *name);

#endif /* FRAMEGATED_PARENT_H */
