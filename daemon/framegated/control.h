/* SPDX-License-Identifier: GPL-2.0 */
/*
 * framegated's control socket: how framegatectl (or any root client) reads
 * the daemon's per-session worker state and counters. The parent creates
 * it at start (config key control_socket, default CONFIG_SOCKET_DEFAULT),
 * a SOCK_SEQPACKET AF_UNIX socket of mode 0600, and removes it at stop. It
 * refuses to start when another daemon answers on it (a stale file of a
 * dead one is unlinked). Every connection's peer must be uid 0
 * (SO_PEERCRED), whatever the file's mode says.
 *
 * One datagram is one message, and one message is one fixed-size struct
 * (as proc.h): the same header, then the body of its type.
 *
 *   struct control_hdr {
 *           u32 type;      CONTROL_MSG_*
 *           u32 len;       the whole message, header included: exactly
 *                          control_msg_len(type), and the datagram's length
 *           u32 version;   CONTROL_VERSION: framegatectl and framegated
 *                          come from one build; any other is refused
 *           u32 reserved;  0
 *   }
 *
 * in host byte order. Strings are NUL-terminated inside their array with
 * every byte after the NUL 0; reserved fields are 0. No message carries
 * control data (fds, credentials): one that does is refused.
 *
 * A conversation: the client connects and sends one request; the daemon
 * answers and closes.
 *
 *   client -> daemon  CONTROL_MSG_STATS      struct control_stats: every
 *                                            worker's state and counters
 *   daemon -> client  CONTROL_MSG_WORKER     struct control_worker, one per
 *                                            session, in configuration order
 *                     CONTROL_MSG_END        struct control_end: count says
 *                                            how many WORKER came before it
 *
 *   client -> daemon  CONTROL_MSG_REVOKE     struct control_revoke: revoke
 *                                            the session of that name: its
 *                                            worker sees the revoke and
 *                                            exits (SIGKILL after 2 s), its
 *                                            cell is removed, its fd closed.
 *                                            It shows as "revoked" until a
 *                                            reload creates it anew; no
 *                                            worker is started for it before
 *   daemon -> client  CONTROL_MSG_DONE       struct control_done, once all
 *                                            of that is done: session_id is
 *                                            the kernel's id of the session
 *                                            revoked
 *
 *   client -> daemon  CONTROL_MSG_RELOAD     struct control_reload: what
 *                                            SIGHUP does (parent_reload())
 *   daemon -> client  CONTROL_MSG_DONE       once the configuration read
 *                                            again runs; session_id 0
 *
 * To any request the daemon may answer CONTROL_MSG_ERROR, struct
 * control_error, instead: the request was refused or failed, error says
 * why (the errno below, or one of the request's own):
 *   REVOKE  ENOENT no session of that name is configured; EALREADY it has
 *           no session now (revoked, or its worker gave up); what netlink's
 *           REVOKE_SESSION answered otherwise
 *   RELOAD  EINVAL the file did not pass its checks (the daemon's log says
 *           FILE:LINE: reason for each), the running configuration stays;
 *           what parent_reload() failed with (TLS material or the workers'
 *           user unreadable: nothing changed)
 *
 * These requests are how the cell maps change while the daemon runs: it is
 * then their only writer (fg_writer_lock()), and framegatectl's cell and
 * endpoint commands, which write them directly, are refused.
 *
 * Errors (negative errno), the same from every function:
 *   -EMSGSIZE          datagram longer than any message (MSG_TRUNC)
 *   -EBADMSG           shorter than a header, or len not the type's length
 *                      or not the datagram's
 *   -EPROTONOSUPPORT   version is not CONTROL_VERSION
 *   -ENOMSG            unknown type, or one this side never receives
 *   -EPROTO            control data on a message; a message out of order
 *                      (a WORKER after END, an END whose count is not the
 *                      number of WORKER received, anything after END)
 *   -EINVAL            a field out of range: a nonzero reserved field or
 *                      unknown flag, a string not terminated, not
 *                      zero-padded or not a name of framegated.conf(5), a
 *                      state out of its enum, a pid that does not fit the
 *                      state, counters that contradict each other (the
 *                      rules of struct proc_stats)
 *   -EACCES            the peer is not root (the daemon's side)
 *   -EPIPE             the peer closed the socket
 *   other              from socket(2), connect(2), sendmsg(2), recvmsg(2)
 */

#ifndef FRAMEGATED_CONTROL_H
#define FRAMEGATED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_VERSION		1
#define CONTROL_NAME_MAX	32	/* as CONFIG_NAME_MAX, NUL included */

enum control_msg_type {
	/* client -> daemon */
	CONTROL_MSG_STATS = 1,
	CONTROL_MSG_REVOKE,
	CONTROL_MSG_RELOAD,
	/* daemon -> client */
	CONTROL_MSG_WORKER = 16,
	CONTROL_MSG_END,
	CONTROL_MSG_ERROR,
	CONTROL_MSG_DONE,
};

/* Who sent the message being checked. */
enum control_side {
	CONTROL_FROM_CLIENT = 1,
	CONTROL_FROM_DAEMON,
};

struct control_hdr {
	uint32_t	type;
	uint32_t	len;
	uint32_t	version;
	uint32_t	reserved;
};

struct control_stats {
	struct control_hdr hdr;
	uint64_t	reserved;
};

struct control_revoke {
	struct control_hdr hdr;
	char		session[CONTROL_NAME_MAX];	/* framegated.conf(5) */
};

struct control_reload {
	struct control_hdr hdr;
	uint64_t	reserved;
};

enum control_worker_state {
	CONTROL_WORKER_STARTING = 1,	/* started, not sandboxed yet (READY) */
	CONTROL_WORKER_RUNNING,		/* streaming */
	CONTROL_WORKER_RESTARTING,	/* died; started again after a backoff */
	CONTROL_WORKER_GIVEN_UP,	/* died too often (session revoked), or
					   exited 0: the session is over */
	CONTROL_WORKER_REVOKED,		/* CONTROL_MSG_REVOKE: no session, no
					   cell until a reload */
	CONTROL_WORKER_NO_CAMERA,	/* a camera of it was lost: made anew
					   when it is attached again */
};

/*
 * The worker's counters, as its last STATS (struct proc_stats) said them,
 * in this order; control_counters[] names them. What proc_check() holds of
 * them holds here too: acquired >= encoded >= uploaded, acquired >=
 * uploaded + the three dropped_*, p50 <= p99.
 */
enum control_counter {
	CONTROL_ACQUIRED,
	CONTROL_ENCODED,
	CONTROL_UPLOADED,
	CONTROL_DROPPED_QUEUE_FULL,
	CONTROL_DROPPED_UPLOAD_FAILED,
	CONTROL_DROPPED_TIMEOUT,
	CONTROL_ERR_CONNECT,
	CONTROL_ERR_TLS,
	CONTROL_ERR_HTTP,
	CONTROL_ERR_TIMEOUT,
	CONTROL_ERR_OTHER,
	CONTROL_BYTES,
	CONTROL_LATENCY_P50_US,
	CONTROL_LATENCY_P99_US,
	CONTROL_CPU_ACQUIRE_US,
	CONTROL_CPU_ENCODE_US,
	CONTROL_CPU_UPLOAD_US,
	CONTROL_CPU_SEAL_US,
	CONTROL_NCOUNTERS
};

/* seccomp_kills is counted (the parent knows a seccomp kill's signal). */
#define CONTROL_WORKER_F_SECCOMP	(1u << 0)
#define CONTROL_WORKER_F_ALL		CONTROL_WORKER_F_SECCOMP

struct control_worker {
	struct control_hdr hdr;
	uint64_t	session_id;	/* the kernel's, never 0 */
	uint64_t	tenant_id;	/* the kernel's, never 0 */
	char		tenant[CONTROL_NAME_MAX];	/* framegated.conf(5) */
	char		session[CONTROL_NAME_MAX];
	int32_t		pid;		/* > 0 when STARTING or RUNNING, else 0 */
	uint32_t	state;		/* enum control_worker_state */
	uint32_t	restarts;	/* workers started after the first */
	uint32_t	flags;		/* CONTROL_WORKER_F_* */
	uint64_t	seccomp_kills;	/* 0 without CONTROL_WORKER_F_SECCOMP */
	uint64_t	refused;	/* the worker's messages the parent refused */
	uint64_t	counters[CONTROL_NCOUNTERS];	/* enum control_counter */
};

struct control_end {
	struct control_hdr hdr;
	uint32_t	count;		/* WORKER messages before this one */
	uint32_t	reserved;
};

struct control_error {
	struct control_hdr hdr;
	int32_t		error;		/* a positive errno: why, 1..4095 */
	uint32_t	reserved;
};

struct control_done {
	struct control_hdr hdr;
	uint64_t	session_id;	/* REVOKE: never 0; RELOAD: 0 */
};

struct control_msg {
	union {
		struct control_hdr	hdr;
		struct control_stats	stats;
		struct control_revoke	revoke;
		struct control_reload	reload;
		struct control_worker	worker;
		struct control_end	end;
		struct control_error	error;
		struct control_done	done;
	};
};

/* One counter's name ("frames_uploaded"), help and Prometheus type. */
struct control_counter_info {
	const char	*name;
	const char	*help;
	bool		 gauge;
};

extern const struct control_counter_info control_counters[CONTROL_NCOUNTERS];

/* The length of a message of type, or 0 for an unknown type. */
size_t	control_msg_len(uint32_t type);

/* "running", "restarting", ...; "?" out of range. */
const char *control_worker_state_name(uint32_t state);

/* Zeroes msg and fills its header for type (known). */
void	control_msg_init(struct control_msg *msg, uint32_t type);

/*
 * Checks one datagram of len bytes at buf that side sent: everything above
 * that one message shows by itself. Pure: no state, no I/O. 0 or a
 * negative errno (list above).
 */
int	control_check(const void *buf, size_t len, enum control_side from);

/*
 * Sends msg (which must pass control_check() as from) on the
 * SOCK_SEQPACKET socket fd. Retries EINTR, never raises SIGPIPE. 0 or a
 * negative errno.
 */
int	control_send(int fd, const struct control_msg *msg,
		     enum control_side from);

/*
 * Receives one message that side from sent into msg and checks it. Any
 * control data that came is closed (fds) and the message is -EPROTO.
 * Retries EINTR. 0 or a negative errno.
 */
int	control_recv(int fd, struct control_msg *msg, enum control_side from);

/* The client's reading of the daemon's answer. */
struct control_reader {
	uint32_t	request;	/* the CONTROL_MSG_* it answers: set it */
	uint32_t	workers;	/* WORKER messages taken */
	bool		done;		/* END, DONE or ERROR taken */
};

/*
 * Takes a checked answer to r->request in order: to STATS, WORKER until
 * END (whose count must be the workers taken) or ERROR; to REVOKE, one
 * DONE with a session id or ERROR; to RELOAD, one DONE without or ERROR.
 * 0 or a negative errno; r unchanged on error.
 */
int	control_reader_accept(struct control_reader *r,
			      const struct control_msg *msg);

/*
 * Connects to the daemon's socket at path, with timeouts of a few seconds
 * on sending and receiving. The connected socket (close-on-exec), or a
 * negative errno (-ENOENT, -ECONNREFUSED: no daemon; -ENAMETOOLONG).
 */
int	control_connect(const char *path);

/* The daemon's side (control_server.c). */
struct parent;

/*
 * Creates the listening socket at path (mode 0600): unlinks a stale one,
 * -EADDRINUSE (nothing touched) when a daemon answers on it. The socket
 * (non-blocking, close-on-exec), or a negative errno, logged.
 */
int	control_listen(const char *path);

/*
 * The listening socket is readable: accepts one connection, checks its
 * peer, answers its request from p and closes it. Never blocks for long:
 * a client that sends nothing within a second, or cannot take the answer,
 * is dropped; a REVOKE waits for the worker (at most 2 s). Logs what it
 * refuses. A RELOAD is not answered here: the connection is kept in
 * p->reload_client for control_reload_answer(), and true returned (the
 * caller returns PARENT_RUN_RELOAD); otherwise false.
 */
bool	control_serve(struct parent *p, int listen_fd);

/*
 * Answers the RELOAD kept in p->reload_client, if any, with DONE (error
 * 0) or ERROR (-error), and closes it.
 */
void	control_reload_answer(struct parent *p, int error);

/* Closes the listening socket and removes path. */
void	control_close(int listen_fd, const char *path);

#endif /* FRAMEGATED_CONTROL_H */
