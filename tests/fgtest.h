/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the framegate tests (and their tool tests/fgsessions.c):
 * vivid set-up, pixel checks and sysfs reads. Every framegate call goes
 * through libframegate.
 */
#ifndef FGTEST_H
#define FGTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>

#include "libframegate.h"
#include "enforce.h"

/* vivid, loaded by tests/run-guest with vid_cap_nr=0,1 vid_out_nr=10,11 */
#define VIVID_CAPTURE(n)	(n)		/* /dev/video0, /dev/video1 */
#define VIVID_OUTPUT(n)		(10 + (n))	/* /dev/video10, /dev/video11 */

#define VIVID_CID_BASE		(0x00f00000 | 0xf000)
#define VIVID_CID_TEST_PATTERN	(VIVID_CID_BASE + 0)
#define VIVID_CID_OSD_TEXT_MODE	(VIVID_CID_BASE + 1)
#define VIVID_CID_DISCONNECT	(VIVID_CID_BASE + 65)
#define VIVID_CID_BUF_PREPARE_ERROR (VIVID_CID_BASE + 68)	/* next QBUF fails */
#define VIVID_CID_QUEUE_ERROR	(VIVID_CID_BASE + 70)	/* vb2_queue_error() */

/* Test pattern menu indices (v4l2-tpg) */
#define VIVID_PATTERN_BLACK	5
#define VIVID_PATTERN_WHITE	6
#define VIVID_PATTERN_RED	7
#define VIVID_PATTERN_GREEN	8
#define VIVID_PATTERN_BLUE	9

/* The format every test streams unless it says otherwise. */
#define FGT_WIDTH		320
#define FGT_HEIGHT		180
#define FGT_FPS			30
#define FGT_BUFFERS		4

enum fgt_colour { FGT_UNKNOWN, FGT_BLACK, FGT_WHITE, FGT_RED, FGT_GREEN, FGT_BLUE };

const char	*fgt_colour_name(enum fgt_colour c);

/* Opens /dev/videoN read-write, or returns -errno. */
int		 fgt_video_open(int n);
int		 fgt_video_set_ctrl(int n, uint32_t id, int32_t value);
/* Solid colour, no OSD text: every pixel of a frame is the same. */
int		 fgt_vivid_solid(int n, int pattern);

/* Attaches /dev/videoN with the default format; returns the camera fd. */
int		 fgt_attach(int ctl, int n, uint32_t *camera_id);
int		 fgt_attach_fmt(int ctl, int n, uint32_t w, uint32_t h,
		    uint32_t fourcc, uint32_t fps, uint32_t *camera_id);

/* Creates a session of tenant on ncameras cameras; returns the fd. */
int		 fgt_session(int ctl, uint64_t tenant, uint32_t depth,
		    const uint32_t *cameras, uint32_t ncameras, uint64_t *id);

/* The colour of one Y'CbCr (BT.601, limited range) pixel. */
enum fgt_colour	 fgt_yuv_colour(int y, int u, int v);
/*
 * The colour of a YUYV frame if every pixel has it, else FGT_UNKNOWN.
 */
enum fgt_colour	 fgt_yuyv_colour(const uint8_t *p, uint32_t width,
		    uint32_t height, uint32_t bytesperline);
bool		 fgt_all_zero(const void *p, size_t len);
/*
 * Every YUYV pixel pair in p is zero or of colour c, or torn between the
 * two (byte by byte: zero, or the byte of a whole pair of colour c): a
 * window may be caught while a frame is copied into it, but must never
 * hold anything else (I3).
 */
bool		 fgt_yuyv_zero_or(const uint8_t *p, size_t len, enum fgt_colour c);

/* Waits for a readable session fd; 1 ready, 0 timeout, -errno. */
int		 fgt_wait_frame(int sfd, int timeout_ms);
/* poll() revents of the fd right now. */
short		 fgt_revents(int fd);

/* sysfs under /sys/kernel/framegate; -1 / NULL-string on error. */
int64_t		 fgt_sysfs_u64(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
int		 fgt_sysfs_str(char *buf, size_t len, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

uint64_t	 fgt_now_ns(void);
void		 fgt_sleep_ms(unsigned int ms);

/* Runs fn in a child as uid/gid 65534 with no capabilities; its status. */
int		 fgt_as_nobody(int (*fn)(void *), void *arg);

/*
 * Cells (bpf/cell.h, daemon/lib/enforce.h)
 * ----------------------------------------
 *
 * The cell tests run twice: with the cell programs attached, and with them
 * detached (FG_EXPECT_DETACHED=1, tests/run-guest phase 3), where every
 * attack must succeed and so every attack test must fail. The helpers below
 * do the same things in both modes, except what needs the programs' maps:
 * without them a cell is a plain cgroup FG_CELL_ROOT/session-<id> and
 * endpoints are not recorded anywhere.
 */

/* True when FG_EXPECT_DETACHED=1: the cell programs are not attached. */
bool		 fgt_detached(void);
/*
 * The enforcer (fg_enforcer_open(), which adopts the pinned programs), or
 * NULL in detached mode, where it must not load them. 0 or -errno.
 */
int		 fgt_enforcer_open(struct fg_enforcer **e);
/* The cell of a session: fg_cell_create(), or fg_cell_cgroup_create(). */
int		 fgt_cell_create(struct fg_enforcer *e, uint64_t session_id);
/* fg_cell_remove(), or fg_cell_cgroup_remove() if !e; -ENOENT if none. */
int		 fgt_cell_remove(struct fg_enforcer *e, uint64_t session_id);
/* fg_endpoint_add(); nothing (0) if !e. */
int		 fgt_endpoint_add(struct fg_enforcer *e, uint64_t session_id,
		    const struct sockaddr *sa, socklen_t len);

/* fg_cell_{allow,disallow}_socket(), fg_cell_give_socket(); 0 if !e. */
int		 fgt_cell_allow_socket(struct fg_enforcer *e,
		    uint64_t session_id, int family, int type, int protocol);
int		 fgt_cell_disallow_socket(struct fg_enforcer *e,
		    uint64_t session_id, int family, int type, int protocol);
int		 fgt_cell_give_socket(struct fg_enforcer *e, uint64_t session_id,
		    int sock_fd);

/* An IPv4 / IPv6 socket address from a literal, port in host order. */
struct sockaddr_in  fgt_sin(const char *ip, uint16_t port);
struct sockaddr_in6 fgt_sin6(const char *ip, uint16_t port);

/*
 * A worker: a child process that starts in the cell of a session
 * (fg_cell_spawn(); cell 0: a fork() in no cell) and runs fn, whose return
 * value becomes its exit status (by convention the errno an attack got, 0
 * if it went through). It dies with its parent. Parent and
 * child step through a scenario with fgt_worker_{signal,await}() over a
 * pair of pipes (not sockets: the cell programs label and police sockets).
 */
struct fgt_worker {
	pid_t pid;
	int rd;			/* the other side's signals */
	int wr;			/* ours to the other side */
};

/* Exit statuses of a worker that failed before its attack. */
#define FGT_WORKER_SETUP	250	/* its own set-up failed */
#define FGT_WORKER_LOST		251	/* the parent went away */

typedef int (*fgt_worker_fn)(struct fgt_worker *w, void *arg);

/* 0, or -errno (-ENOENT: the session has no cell): no worker then. */
int		 fgt_worker_start(struct fgt_worker *w, uint64_t cell,
		    fgt_worker_fn fn, void *arg);
/* Either side: tell the other one a step is done / wait for its signal. */
int		 fgt_worker_signal(struct fgt_worker *w);
int		 fgt_worker_await(struct fgt_worker *w);
/*
 * Parent: waits for the worker's exit (10 s, then SIGKILL); returns its
 * exit status, 128 + signal if it was killed, or -errno.
 */
int		 fgt_worker_finish(struct fgt_worker *w);
/* The same with a timeout of its own. */
int		 fgt_worker_wait(struct fgt_worker *w, int timeout_ms);
/* Parent: kills and reaps a worker that is still running; idempotent. */
void		 fgt_worker_kill(struct fgt_worker *w);

/* Shared anonymous memory for results of workers (zeroed), or NULL. */
void		*fgt_shared(size_t len);

/*
 * Denial counters: denied_<hook> (fg_hook_name()) of some sessions and
 * cameras and the global ones, read at one time. A value is -1 when its file is absent
 * (camera counters exist only for open, mmap, ioctl and read).
 */
#define FGT_DENIED_MAX		4

struct fgt_denied {
	unsigned int nsessions;
	unsigned int ncameras;
	uint64_t session_id[FGT_DENIED_MAX];
	uint32_t camera_id[FGT_DENIED_MAX];
	int64_t session[FGT_DENIED_MAX][FG_HOOK_COUNT];
	int64_t camera[FGT_DENIED_MAX][FG_HOOK_COUNT];
	int64_t global[FG_HOOK_COUNT];
};

enum fgt_obj { FGT_NONE, FGT_SESSION, FGT_CAMERA, FGT_GLOBAL };

void		 fgt_denied_track(struct fgt_denied *d, const uint64_t *sessions,
		    unsigned int nsessions, const uint32_t *cameras,
		    unsigned int ncameras);
/* Reads every tracked counter; -errno if a global one is unreadable. */
int		 fgt_denied_read(struct fgt_denied *d);
/*
 * Reads the counters again into *now and compares with *before: true if
 * exactly the counter (obj, id, hook) and the global denied_<hook> went up
 * by one and nothing else moved; FGT_GLOBAL: only the global one moved
 * (the session is gone); FGT_NONE: nothing moved. Says what differs on
 * stderr, as "# " lines.
 */
bool		 fgt_denied_only(const struct fgt_denied *before,
		    struct fgt_denied *now, enum fgt_obj obj, uint64_t id,
		    enum fg_hook hook);
/* The same, with n instead of one (FGT_NONE: nothing moved; n unused). */
bool		 fgt_denied_exactly(const struct fgt_denied *before,
		    struct fgt_denied *now, enum fgt_obj obj, uint64_t id,
		    enum fg_hook hook, int64_t n);

/*
 * Runs argv[0] (looked up in PATH) with argv, output to stderr as "# "
 * lines; its exit status, or -errno.
 */
int		 fgt_run(const char *const argv[]);
/*
 * The same with the output (stdout and stderr) in out instead: as many
 * whole lines as fit in len bytes, NUL-terminated.
 */
int		 fgt_run_output(const char *const argv[], char *out, size_t len);
/*
 * A network namespace ns (ip netns add) joined to this one by a veth pair:
 * here_addr/24 on "<ns>-a" here, peer_addr/24 on "<ns>-b" there, both up,
 * and lo up in ns. fgt_netns_del() deletes it (and with it the pair).
 */
int		 fgt_netns_add(const char *ns, const char *here_addr,
		    const char *peer_addr);
int		 fgt_netns_del(const char *ns);
/* Moves the calling task into ns (setns); 0 or -errno. */
int		 fgt_netns_enter(const char *ns);

/* 64-bit FNV-1a of len bytes, to compare frames across processes. */
uint64_t	 fgt_fnv1a(const void *p, size_t len);

/* Writes a string to a sysfs / procfs file; 0 or -errno. */
int		 fgt_write_file(const char *path, const char *s);

/*
 * Accounting (I7)
 * ---------------
 *
 * A ledger is a consistent snapshot of the global counters and of every
 * session that exists. fgt_ledger_check() takes a new one and checks, saying
 * on stderr ("# " lines) what is wrong:
 *
 *  - per session, in FG_CMD_GET_SESSION and in sysfs sessions/<id>/ (which
 *    must agree): the identity of uapi/linux/framegate.h, frames_captured =
 *    frames_delivered + frames_dropped_overrun + frames_dropped_held +
 *    frames_dropped_revoked + frames_queued; frames_queued + frames_held <=
 *    depth; no frame queued once the session is revoked or lost;
 *  - globally, in /sys/kernel/framegate/ and FG_CMD_GET_STATS (which must
 *    agree): since the previous snapshot, frames_delivered, frames_dropped
 *    and bytes_delivered went up by exactly as much as the sessions'
 *    frames_delivered, drop counters and bytes_delivered did, and
 *    sessions_active is the number of active sessions; sysfs sessions/
 *    lists exactly the sessions of the dump.
 *
 * A snapshot is two equal netlink pictures in a row. sysfs is read between
 * two more and must equal them, or, when frames kept coming through every
 * try (a slow kernel), lie between them counter by counter.
 *
 * The new snapshot then replaces the old one. A session closed since the
 * previous snapshot (or created and closed since: sessions_created says
 * so) took its counts with it, so the global check cannot be made: it
 * fails. Check before closing sessions, and start a new ledger after
 * (fgt_ledger_close() does both).
 */
#define FGT_LEDGER_MAX		128

struct fgt_ledger {
	struct fg_stats st;
	unsigned int n;
	struct fg_session_status s[FGT_LEDGER_MAX];
};

/* 0, or -errno if no consistent snapshot could be taken. */
int		 fgt_ledger_start(struct fgt_ledger *l);
bool		 fgt_ledger_check(struct fgt_ledger *l);
/* Checks, closes fd (of a session, say), starts afresh: all went well. */
bool		 fgt_ledger_close(struct fgt_ledger *l, int fd);

/* The exact accounting identity of uapi/linux/framegate.h. */
bool		 fgt_counters_balance(const struct fg_session_status *st);

/*
 * Dumps, counted: the cameras, the sessions and (if unbalanced is not
 * NULL) those whose counters do not balance. The dump's result.
 */
int		 fgt_nl_count_cameras(struct fg_nl *nl, unsigned int *n);
int		 fgt_nl_count_sessions(struct fg_nl *nl, unsigned int *n,
		    unsigned int *unbalanced);

/*
 * A session (tenant 1, depth 2) on camera cam that got a frame of it in
 * 5 s, that frame acquired into *f: the session fd, or -errno.
 */
int		 fgt_first_frame(int ctl, uint32_t cam, struct fg_frame *f);

/*
 * Touching windows that may be revoked (SIGBUS) or unmapped (SIGSEGV) by
 * now, from any thread: fgt_catch_faults() installs the handlers once;
 * fgt_touch() reads (or writes) every step-th byte of p[len], adding what
 * it read to *sum, and says false if that raised either signal.
 */
int		 fgt_catch_faults(void);
bool		 fgt_touch(const volatile uint8_t *p, size_t len, size_t step,
		    bool write, uint64_t *sum);

/*
 * One finding of a test that runs many threads: adds one to *count
 * (atomically) and prints the first limit findings, each whole on one
 * "# <prefix>: ..." line of stderr.
 */
void		 fgt_finding(unsigned long *count, unsigned long limit,
		    const char *prefix, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * The module: finit_module(path, params) and delete_module(name,
 * O_NONBLOCK), 0 or -errno (-EWOULDBLOCK: still in use). The parameters a
 * reload passes keep the loaded module's allow_unenforced
 * (tests/run-guest).
 */
int		 fgt_module_load(const char *path, const char *params);
int		 fgt_module_unload(const char *name);
const char	*fgt_module_params(void);

/*
 * What tests/qemu/run says of the kernel's slowness (FG_TIMEOUT_SCALE: the
 * debug kernel runs the suite about four times slower under TCG), 1 to 20.
 */
int		 fgt_timeout_scale(void);

/*
 * TEST_HARNESS_MAIN of kselftest_harness.h (include that first), with every
 * test's timeout multiplied by fgt_timeout_scale(): the harness's own
 * 30 s default, and each TEST_F_TIMEOUT, hold on a slow kernel too.
 */
#define FGT_HARNESS_MAIN						\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}								\
	int main(int argc, char **argv)					\
	{								\
		struct __fixture_metadata *f;				\
		struct __test_metadata *t;				\
		int scale = fgt_timeout_scale();			\
									\
		for (f = __fixture_list; f; f = f->next)		\
			for (t = f->tests; t; t = t->next)		\
				t->timeout *= scale;			\
		return test_harness_run(argc, argv);			\
	}

#endif /* FGTEST_H */
