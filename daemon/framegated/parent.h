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
#include "proc.h"

struct fg_enforcer;

/* Cells of an earlier parent removed per walk of the cells map. */
#define PARENT_STALE_MAX	64
/* A worker that died this many times in a row: its session is revoked. */
#define PARENT_RESTARTS_MAX	5
#define PARENT_BACKOFF_MAX_S	60
/*
 * Log lines of one session's workers (PROC_MSG_LOG) the parent writes: a
 * burst of PARENT_LOG_BURST, then PARENT_LOG_RATE a second. The rest is
 * suppressed, counted, and said ("N lines suppressed") with the next line
 * written and when the worker ends: a worker cannot flood the journal.
 */
#define PARENT_LOG_BURST	50
#define PARENT_LOG_RATE		5
/* How long a stopped worker gets to exit before SIGKILL. */
#define PARENT_STOP_MS		2000
/*
 * A lost camera is attached again after 1 s, then 2, 4, ... up to this
 * many seconds between tries, until it comes back.
 */
#define PARENT_CAMERA_RETRY_MAX_S	8

struct parent_camera {
	int		fd;		/* the camera fd: closing it detaches */
	uint32_t	id;
	uint32_t	bytesperline;	/* as the driver set them */
	uint32_t	sizeimage;
	/*
	 * Lost (the kernel said so: unplugged, its queue failed) or not
	 * attached when a reload wanted it: tried again at retry_ns
	 * (CLOCK_MONOTONIC), tries times so far.
	 */
	bool		lost;
	uint64_t	retry_ns;
	unsigned int	tries;
};

struct parent_session {
	char		name[CONFIG_NAME_MAX];	/* framegated.conf(5)'s */
	int		fd;		/* the session fd, -1 when none */
	uint64_t	id;
	uint64_t	tenant_id;
	bool		cell;		/* its cell exists */
	struct sockaddr_storage uplink;	/* the first endpoint address */
	socklen_t	uplink_len;
	/* Its worker. */
	pid_t		pid;		/* 0: none */
	int		pidfd;
	int		ctl;		/* our end of the socketpair */
	struct proc_parent pp;
	unsigned int	deaths;		/* in a row, without an upload */
	uint64_t	restart_ns;	/* CLOCK_MONOTONIC; 0: none planned */
	bool		given_up;
	bool		revoked;	/* parent_revoke(): until a reload */
	bool		camera_wait;	/* a camera of it is lost: made anew
					   (new id, cell, worker) when every
					   camera of it is attached again */
	unsigned int	starts;		/* workers started for it */
	unsigned int	seccomp_kills;	/* workers its filter killed */
	/* Its workers' log lines: a token bucket, in ns of credit. */
	uint64_t	log_credit_ns;
	uint64_t	log_last_ns;	/* CLOCK_MONOTONIC of the last refill */
	uint64_t	log_held;	/* suppressed, not yet said */
	uint64_t	log_suppressed;	/* suppressed, in all */
};

/* A tenant's TLS material, as read from its files. */
struct parent_tls {
	uint32_t	len[3];		/* [enum proc_tls_kind - 1] */
	uint8_t		data[3][PROC_TLS_MAX];
};

struct parent {
	const struct config	*conf;
	struct fg_enforcer	*e;
	int			 ctl;	/* /dev/framegate */
	int			 lock;	/* fg_writer_lock(): the maps are ours */
	struct fg_nl		*events;	/* the kernel's: a camera lost */
	bool			 cameras_check;	/* ask the kernel which are */
	struct parent_camera	 cameras[CONFIG_CAMERAS_MAX];
	struct parent_session	 sessions[CONFIG_SESSIONS_MAX];
	struct parent_tls	*tls;	/* [CONFIG_TENANTS_MAX], conf's */
	int			 exe;	/* this program, for the workers */
	uid_t			 uid;	/* the workers' user */
	gid_t			 gid;
	int			 verbose;
	bool			 running;	/* parent_run() started workers */
#ifdef FRAMEGATED_TEST_HOOKS
	/*
	 * Test builds only (-T SESSION:ACTION, worker.c): the first worker of
	 * the session named test_session runs test_action after GO.
	 */
	const char		*test_session;
	const char		*test_action;
#endif
	int			 control;	/* control.h's listening socket,
						   -1: none */
	int			 reload_client;	/* a RELOAD's connection,
						   -1: none */
};

/*
 * Arms or adopts enforcement, clears an earlier parent's cells, attaches
 * the cameras of conf and creates its sessions with their cells and
 * endpoints. 0, or -errno (logged) with what was made still in *p for
 * parent_stop().
 */
int		parent_start(struct parent *p, const struct config *conf);
/*
 * Starts one worker per session in its cell (the first time), then
 * supervises them until a signal arrives on the signalfd sigfd: a worker
 * that dies is started again with exponential backoff, one that keeps
 * dying gets its session revoked. A camera the kernel reports lost ends
 * the sessions that use it (revoked, cells removed) and is detached; it is
 * attached again as soon as it comes back (tried with backoff up to
 * PARENT_CAMERA_RETRY_MAX_S), and its sessions made anew: new ids, cells
 * and workers, for frames captured from then on. Between, it answers the
 * control socket p->control (control.h), when there is one.
 *
 * SIGTERM or SIGINT: every worker is told to stop, then 0. SIGHUP, or a
 * RELOAD on the control socket: PARENT_RUN_RELOAD at once, the workers
 * still running; the caller reads the configuration again, hands it to
 * parent_reload() if it is good, answers the RELOAD
 * (control_reload_answer()) and calls parent_run() again. -errno if
 * supervision failed.
 */
#define PARENT_RUN_RELOAD	1
int		parent_run(struct parent *p, int sigfd);
/*
 * Makes what runs that of next (a configuration that passed every check,
 * which the caller keeps alive and unchanged from now on, as it did the
 * first): sessions are matched by name.
 *   - a session that is no longer configured, or whose tenant, cameras or
 *     queue changed, is revoked (its worker sees the revoke and exits),
 *     its cell removed; one that changed is then created anew;
 *   - a session whose tenant's uplink moved keeps its session and cell:
 *     its endpoints are replaced, its worker started again;
 *   - a session whose worker's parameters changed (mode, rate, interval,
 *     quality, TLS material, the workers' user) keeps everything but its
 *     worker, which is started again;
 *   - a camera no longer configured, or configured differently, is
 *     detached; new ones are attached.
 *   - a session that had been revoked (its worker kept dying, or
 *     framegatectl revoked it) is created anew;
 *   - a session whose camera cannot be attached waits for it, as one
 *     whose camera was lost does.
 * -errno if next's TLS material or user cannot be read: then nothing
 * changed and p->conf is the running configuration still. Otherwise 0
 * and p->conf is next; a session that cannot be made is logged and stays
 * down until the next reload.
 */
int		parent_reload(struct parent *p, const struct config *next);
/*
 * Revokes the session named name (framegated.conf(5)) as a reload that
 * removed it would: the kernel's revoke first, so that its worker sees it
 * and exits (SIGKILL after 2 s), then its cell removed and its fd closed.
 * It keeps its id and last counters, shows as revoked and gets no worker
 * until a reload creates it anew. 0 with *id the kernel's id of the
 * session; -ENOENT no session of that name; -EALREADY it has no session
 * (revoked, or given up); what netlink answered (nothing changed).
 */
int		parent_revoke(struct parent *p, const char *name, uint64_t *id);
/* Removes every cell (revoking its session), closes sessions, detaches. */
void		parent_stop(struct parent *p);
/* The tenant id the sessions of tenant name carry: never 0. */
uint64_t	parent_tenant_id(const char *name);

#endif /* FRAMEGATED_PARENT_H */
