/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The messages between framegated's parent (root) and one session's
 * worker (unprivileged, in the session's cell), over a SOCK_SEQPACKET
 * socketpair: one datagram is one message, and one message is one
 * fixed-size struct. Nothing in a message is a pointer; nothing the worker
 * receives names a file: it gets its session fd and its tenant's material
 * as bytes, never a path.
 *
 * Every message begins with the same header:
 *
 *   struct proc_hdr {
 *           u32 type;        PROC_MSG_*
 *           u32 len;         the whole message, header included: exactly
 *                            proc_msg_len(type), which is also the length
 *                            of the datagram
 *           u32 version;     PROC_VERSION: parent and worker are one build
 *           u32 reserved;    0
 *           u64 session_id;  the kernel's session id, never 0; the same in
 *                            every message of one socketpair
 *   }
 *
 * in host byte order (both ends are one machine, one build). Fixed-size
 * strings are NUL-terminated inside their array and every byte after the
 * NUL is 0; reserved fields and unused array slots are 0.
 *
 * Parent -> worker, in this order:
 *
 *   PROC_MSG_HELLO       struct proc_hello: what the session is. Once,
 *                        first. Declares the lengths of the three TLS items
 *                        that follow (each 1..PROC_TLS_MAX bytes).
 *   PROC_MSG_TLS         struct proc_tls: PROC_TLS_CHUNK bytes at most of
 *                        one TLS item (PROC_TLS_CA, _CERT, _KEY: PEM bytes
 *                        as read by the parent), at offset, of an item of
 *                        total bytes (= what HELLO declared). Each item's
 *                        chunks come in order, without gaps or overlap;
 *                        the items may interleave.
 *   PROC_MSG_SESSION_FD  struct proc_session_fd, with the session fd as
 *                        the datagram's only SCM_RIGHTS fd. Once, after
 *                        HELLO. The only message that carries an fd.
 *   PROC_MSG_GO          struct proc_go: start streaming. Only after the
 *                        worker said READY, so after every TLS item is
 *                        complete and the session fd arrived.
 *   PROC_MSG_SHUTDOWN    struct proc_shutdown: stop, release, exit 0. At
 *                        any time after HELLO.
 *
 * Worker -> parent:
 *
 *   PROC_MSG_READY       struct proc_ready: sandboxed (sandbox.h) with the
 *                        material complete; waits for GO. Once, first.
 *   PROC_MSG_STATS       struct proc_stats: the session's counters, sent
 *                        periodically after READY and last before exit.
 *                        Counters never go down; p50 <= p99.
 *   PROC_MSG_FATAL       struct proc_fatal: why the worker is exiting
 *                        non-zero. At any time; nothing follows it.
 *   PROC_MSG_LOG         struct proc_log: one line of the worker's log,
 *                        which the parent writes to its own (syslog or
 *                        stderr) behind "worker SESSION: ". At any time
 *                        after HELLO and before FATAL. The cell refuses
 *                        the worker a socket to syslog, and its standard
 *                        error may be a socket of no cell (journald's),
 *                        so this is the only way its words get out. The
 *                        parent writes at most a burst and then a rate of
 *                        them (parent.h) and counts what it suppressed.
 *
 * Checking. proc_recv() checks what one message can show by itself
 * (proc_check(): length, version, type, fd, every field's range), then
 * proc_worker_accept() or proc_parent_accept() checks it against what the
 * sender may send now (order, session id, TLS reassembly, counters).
 * A worker treats any failure as fatal (fatalx); the parent counts it in
 * struct proc_parent and stops the worker.
 *
 * Errors (negative errno), the same from every function:
 *   -EMSGSIZE          datagram longer than any message (MSG_TRUNC)
 *   -EBADMSG           shorter than a header, or len not the type's length
 *                      or not the datagram's
 *   -EPROTONOSUPPORT   version is not PROC_VERSION
 *   -ENOMSG            unknown type, or one the sender never sends
 *   -EPROTO            an fd on a message that takes none, more than one
 *                      fd, none on SESSION_FD, control data truncated
 *                      (MSG_CTRUNC) or not SCM_RIGHTS; a message out of
 *                      order (a second HELLO, GO before READY, STATS
 *                      before READY, anything after FATAL); a TLS chunk
 *                      not at the offset the item reached
 *   -ESTALE            session_id is 0 or not this socketpair's
 *   -E2BIG             a TLS total above PROC_TLS_MAX
 *   -EOVERFLOW         a TLS chunk past its item's total
 *   -EINVAL            any other field out of range (a string not
 *                      terminated or not zero-padded, a nonzero reserved
 *                      field, a total other than HELLO's, a counter that
 *                      went down)
 *   -EPIPE             the peer closed the socket (proc_recv)
 *   other              from sendmsg(2) / recvmsg(2)
 * On any error no fd is left open: *fd_out is -1.
 */

#ifndef FRAMEGATED_PROC_H
#define FRAMEGATED_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/framegate.h>

#define PROC_VERSION		2

#define PROC_NAME_MAX		32	/* as CONFIG_NAME_MAX, NUL included */
#define PROC_HOST_MAX		254	/* as CONFIG_HOST_MAX */
#define PROC_PATH_MAX		256	/* the URL's path, as CONFIG_URL_MAX */
#define PROC_REASON_MAX		128
#define PROC_LOG_MAX		512	/* one log line, NUL included */
#define PROC_CAMERAS_MAX	FG_SESSION_CAMERAS_MAX
#define PROC_TLS_MAX		(64u << 10)	/* bytes of one TLS item */
#define PROC_TLS_CHUNK		4096		/* bytes of one PROC_MSG_TLS */

enum proc_msg_type {
	/* parent -> worker */
	PROC_MSG_HELLO = 1,
	PROC_MSG_TLS,
	PROC_MSG_SESSION_FD,
	PROC_MSG_GO,
	PROC_MSG_SHUTDOWN,
	/* worker -> parent */
	PROC_MSG_READY = 16,
	PROC_MSG_STATS,
	PROC_MSG_FATAL,
	PROC_MSG_LOG,
};

struct proc_hdr {
	uint32_t	type;
	uint32_t	len;
	uint32_t	version;
	uint32_t	reserved;
	uint64_t	session_id;
};

enum proc_mode {
	PROC_MODE_STILLS = 1,	/* one frame every interval seconds */
	PROC_MODE_LIVE,		/* rate frames per second */
};

/*
 * HELLO. Names as in framegated.conf(5): tenant, session, cameras (each
 * [A-Za-z0-9][A-Za-z0-9_-]*). Objects are PUT below https://host:port/path
 * (path begins with '/'), connecting to addr, which the parent resolved:
 * the worker resolves nothing.
 */
struct proc_hello {
	struct proc_hdr	hdr;
	char		tenant[PROC_NAME_MAX];
	char		session[PROC_NAME_MAX];
	uint32_t	ncameras;			/* 1..PROC_CAMERAS_MAX */
	uint32_t	camera_ids[PROC_CAMERAS_MAX];	/* the kernel's, nonzero */
	char		cameras[PROC_CAMERAS_MAX][PROC_NAME_MAX];
	uint32_t	mode;				/* enum proc_mode */
	uint32_t	interval;	/* stills: 1..86400 s; live: 0 */
	uint32_t	rate;		/* live: FG_FPS_MIN..FG_FPS_MAX; stills: 0 */
	uint32_t	quality;	/* JPEG, 1..100 */
	uint32_t	queue;		/* frames, FG_DEPTH_MIN..FG_DEPTH_MAX */
	uint16_t	port;		/* nonzero */
	uint16_t	family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];	/* network order; AF_INET: 4, rest 0 */
	uint32_t	scope_id;	/* AF_INET6 link-local; AF_INET: 0 */
	uint32_t	tls_len[3];	/* [enum proc_tls_kind - 1]: 1..TLS_MAX */
	uint32_t	reserved;
	char		host[PROC_HOST_MAX];	/* for SNI, Host: and the check */
	char		path[PROC_PATH_MAX];	/* base path, "/" at least */
	uint8_t		seal_key[32];	/* the tenant's X25519 public key */
	uint16_t	reserved2;
};

enum proc_tls_kind {
	PROC_TLS_CA = 1,	/* the CA that signs the ingest's certificate */
	PROC_TLS_CERT,		/* the tenant's client certificate */
	PROC_TLS_KEY,		/* its private key */
};

/* TLS: data[0..len) is bytes [offset, offset + len) of the item. */
struct proc_tls {
	struct proc_hdr	hdr;
	uint32_t	kind;		/* enum proc_tls_kind */
	uint32_t	total;		/* 1..PROC_TLS_MAX, = HELLO's tls_len */
	uint32_t	offset;
	uint32_t	len;		/* 1..PROC_TLS_CHUNK, offset + len <= total */
	uint8_t		data[PROC_TLS_CHUNK];	/* past len: 0 */
};

struct proc_session_fd {
	struct proc_hdr	hdr;		/* + the fd, SCM_RIGHTS */
	uint64_t	reserved;
};

struct proc_go {
	struct proc_hdr	hdr;
	uint64_t	reserved;
};

enum proc_shutdown_reason {
	PROC_SHUTDOWN_STOP = 1,		/* SIGTERM of the parent */
	PROC_SHUTDOWN_REVOKED,		/* session removed by a reload */
	PROC_SHUTDOWN_RESTART,		/* the session changed */
};

struct proc_shutdown {
	struct proc_hdr	hdr;
	uint32_t	reason;		/* enum proc_shutdown_reason */
	uint32_t	reserved;
};

/* READY: the Landlock ABI the worker applied (0: none, allowed by flag). */
struct proc_ready {
	struct proc_hdr	hdr;
	uint32_t	landlock_abi;
	uint32_t	reserved;
};

/*
 * STATS. What the worker keeps true (proc_check() checks it): acquired >=
 * encoded >= uploaded, acquired >= uploaded + the dropped_*; the frames in
 * between are in the queue or in flight. Latency: from the PUT's start to its
 * response, microseconds, over the last uploads the worker keeps.
 */
struct proc_stats {
	struct proc_hdr	hdr;
	uint64_t	acquired;		/* frames taken from the session */
	uint64_t	encoded;		/* JPEGs made */
	uint64_t	uploaded;		/* PUTs answered 2xx */
	uint64_t	dropped_queue_full;	/* oldest dropped for a newer one */
	uint64_t	dropped_upload_failed;	/* gave up after an error */
	uint64_t	dropped_timeout;	/* gave up after a timeout */
	uint64_t	err_connect;		/* TCP connect failed */
	uint64_t	err_tls;		/* handshake or verification */
	uint64_t	err_http;		/* a response other than 2xx */
	uint64_t	err_timeout;		/* connect or transfer timeout */
	uint64_t	err_other;
	uint64_t	bytes;			/* JPEG bytes uploaded */
	uint64_t	latency_p50_us;
	uint64_t	latency_p99_us;		/* >= p50 */
	/*
	 * The worker's own CPU time (CLOCK_THREAD_CPUTIME_ID, user and
	 * system) by stage, in us: taking and giving back frames (ACQUIRE,
	 * RELEASE), JPEG, sealing, and TLS + HTTP (the PUT, connecting
	 * included).
	 */
	uint64_t	cpu_acquire_us;
	uint64_t	cpu_encode_us;
	uint64_t	cpu_upload_us;
	uint64_t	cpu_seal_us;
};

enum proc_fatal_reason {
	PROC_FATAL_PROTOCOL = 1,	/* a message from the parent was bad */
	PROC_FATAL_SANDBOX,		/* sandbox.h failed */
	PROC_FATAL_SESSION,		/* the session fd failed */
	PROC_FATAL_INTERNAL,
};

struct proc_fatal {
	struct proc_hdr	hdr;
	uint32_t	reason;			/* enum proc_fatal_reason */
	int32_t		error;			/* an errno, or 0 */
	char		text[PROC_REASON_MAX];	/* for the parent's log */
};

/*
 * LOG: priority is syslog(3)'s, LOG_CRIT (2) to LOG_DEBUG (7): a worker
 * cannot raise an emergency or an alert (which syslog daemons broadcast to
 * every terminal). text: 1..PROC_LOG_MAX - 1 printable ASCII characters
 * (0x20..0x7e; the worker writes '?' for any other byte), NUL, zeros.
 */
struct proc_log {
	struct proc_hdr	hdr;
	uint32_t	priority;
	uint32_t	reserved;
	char		text[PROC_LOG_MAX];
};

struct proc_msg {
	union {
		struct proc_hdr		hdr;
		struct proc_hello	hello;
		struct proc_tls		tls;
		struct proc_session_fd	session_fd;
		struct proc_go		go;
		struct proc_shutdown	shutdown;
		struct proc_ready	ready;
		struct proc_stats	stats;
		struct proc_fatal	fatal;
		struct proc_log		log;
	};
};

/* The length of a message of type, or 0 for an unknown type. */
size_t	proc_msg_len(uint32_t type);

/* A name for logs ("HELLO"), "?" for an unknown type. */
const char *proc_msg_name(uint32_t type);

/* Zeroes msg and fills its header for type (known) and session_id. */
void	proc_msg_init(struct proc_msg *msg, uint32_t type, uint64_t session_id);

/*
 * Checks one datagram of len bytes at buf that came with nfds fds: all of
 * the above that one message shows by itself. Pure: no state, no I/O. 0 or
 * a negative errno (list above).
 */
int	proc_check(const void *buf, size_t len, unsigned int nfds);

/*
 * Sends msg (which must pass proc_check()) on the SOCK_SEQPACKET socket
 * fd; pass_fd >= 0 goes with it by SCM_RIGHTS, and must be given exactly
 * for PROC_MSG_SESSION_FD (else -EINVAL, nothing sent). Retries EINTR;
 * never raises SIGPIPE. 0 or a negative errno.
 */
int	proc_send(int fd, const struct proc_msg *msg, int pass_fd);

/*
 * Receives one message into msg and checks it (proc_check()). The fd it
 * carried, if any (close-on-exec), goes to *fd_out, else -1; fd_out may be
 * NULL only for a caller that expects no fd (one that comes is closed, and
 * the message is -EPROTO). Retries EINTR. 0 or a negative errno.
 */
int	proc_recv(int fd, struct proc_msg *msg, int *fd_out);

/* One TLS item as the worker reassembles it. */
struct proc_tls_item {
	uint32_t	total;		/* HELLO's */
	uint32_t	have;		/* bytes received so far */
	uint8_t		data[PROC_TLS_MAX];
};

enum proc_worker_phase {
	PROC_WORKER_START = 0,	/* HELLO expected */
	PROC_WORKER_SETUP,	/* TLS chunks, SESSION_FD */
	PROC_WORKER_READY,	/* said READY, GO expected */
	PROC_WORKER_RUNNING,	/* streaming */
	PROC_WORKER_DONE,	/* SHUTDOWN received */
};

/*
 * What the worker has been told. Holds the tenant's key: proc_worker_clear()
 * wipes it (explicit_bzero) once the TLS library has its copy, and at exit.
 */
struct proc_worker {
	enum proc_worker_phase phase;
	struct proc_hello hello;
	struct proc_tls_item tls[3];	/* [enum proc_tls_kind - 1] */
	bool		have_fd;
};

void	proc_worker_init(struct proc_worker *w);
void	proc_worker_clear(struct proc_worker *w);

/*
 * Takes a message that passed proc_check() from the parent, in w's phase:
 * HELLO (START -> SETUP), TLS and SESSION_FD (SETUP; the caller keeps the
 * fd), GO (READY -> RUNNING), SHUTDOWN (any phase after START -> DONE).
 * 0 or a negative errno; w is unchanged on error.
 */
int	proc_worker_accept(struct proc_worker *w, const struct proc_msg *msg);

/*
 * proc_recv() and proc_worker_accept(): the worker's one call per message;
 * the caller fatalx()es on any error. The session fd of SESSION_FD goes to
 * *fd_out (else -1). 0 or a negative errno.
 */
int	proc_worker_recv(int fd, struct proc_worker *w, struct proc_msg *msg,
			 int *fd_out);

/* SETUP with every TLS item complete and the session fd received. */
bool	proc_worker_complete(const struct proc_worker *w);

/* The worker sends READY: SETUP and complete -> READY. -EPROTO otherwise. */
int	proc_worker_ready(struct proc_worker *w);

/* What the parent knows of one worker. */
struct proc_parent {
	uint64_t	session_id;
	bool		ready;
	bool		fatal;
	struct proc_stats stats;	/* the last accepted */
	uint64_t	errors;		/* messages refused */
	int		last_error;	/* the last refusal's negative errno */
};

void	proc_parent_init(struct proc_parent *p, uint64_t session_id);

/*
 * proc_recv() (no fd is ever expected) and proc_parent_accept(): the
 * parent's one call per readable socket. Every failure but -EPIPE and
 * -EAGAIN is counted. 0 or a negative errno.
 */
int	proc_parent_recv(int fd, struct proc_parent *p, struct proc_msg *msg);

/*
 * Takes a message that passed proc_check() from the worker: READY (once,
 * first), STATS (after READY, counters not going down), LOG (any time
 * before FATAL), FATAL (any time, once). A refusal is counted in errors and last_error. 0 or a negative
 * errno.
 */
int	proc_parent_accept(struct proc_parent *p, const struct proc_msg *msg);

#endif /* FRAMEGATED_PROC_H */
