// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz: a structure-aware fuzzer of framegate's kernel interface, for the
 * guest (make fuzz-kernel, tests/fault-guest fuzz).
 *
 *   thread ×FUZZ_THREADS ── its own fds ──┬─ /dev/framegate ioctls ─┐
 *     (each one's fds,                    ├─ session fd ioctls      │
 *      mappings, scratch)                 ├─ mmap/munmap/mremap/    ├─► framegate.ko
 *                                         │  mprotect/touch         │
 *                                         ├─ raw genetlink ─────────┘
 *                                         └─ close, dup, fork, poll, read, write
 *   shared: the camera and session ids anyone learnt (so threads create
 *   sessions on each other's cameras and revoke each other's sessions)
 *   events thread: the multicast group, every event parsed
 *
 * Each call picks its target among fds of every kind (/dev/framegate,
 * camera, session, V4L2 capture and output, regular file, pipe, sockets,
 * eventfd, /dev/null, -1, closed numbers) and builds its struct field by
 * field: the size field smaller, exact or larger (tails zero or not), with
 * the struct ending at a guard page; flags and reserved words zero or
 * random; ranges at, inside and outside their limits; ids known or not;
 * pointers good, NULL, unmapped or in the kernel. Netlink requests get
 * random commands, flags and attributes (types, lengths, nesting, lengths
 * that lie).
 *
 * Oracles, besides the kernel log (tests/fault-guest and tests/qemu/run
 * fail the run on any splat):
 *   - each framegate call fails only with an errno the uapi header gives for
 *     it (plus -EBADF, -ENOTTY for fds that are not the call's, -EFAULT)
 *   - a struct whose size is not the uapi's fails -EINVAL, exactly; one with
 *     unknown flags or non-zero reserved words never succeeds; a request
 *     with an unknown or output-only attribute fails -EINVAL
 *   - a session mapping is never writable; every dumped session balances
 *   - with every fd closed and mapping gone, objects_alive is 0
 *
 * FUZZ_SEED (default: from the clock) fixes each thread's choices (with
 * FUZZ_THREADS=1, the whole run's); FUZZ_MINUTES (2) or FUZZ_CALLS bounds
 * it; FUZZ_THREADS (2) run at once.
 * Prints the seed, the number of calls, and TAP.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/videodev2.h>

#include <bpf/bpf.h>

#include "tests/fgtest.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NOSIZE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
#define MAX_FDS		48
#define MAX_MAPS	16
#define MAX_IDS		64
#define PAGE		4096ul

/* Kinds of fd a thread holds. */
enum kind {
	K_CTL, K_CAMERA, K_SESSION, K_V4L2_CAP, K_V4L2_OUT, K_FILE, K_PIPE,
	K_UNIX, K_NETLINK, K_EVENTFD, K_NULL, K_COUNT,
	K_BADFD = K_COUNT,	/* -1 */
	K_UNKNOWN,		/* a number that may be anything by now */
};

static const char *const kind_names[K_COUNT] = {
	"ctl", "camera", "session", "v4l2-capture", "v4l2-output", "file",
	"pipe", "unix", "netlink", "eventfd", "null",
};

struct res {
	int fd;
	enum kind kind;
	uint64_t id;			/* camera or session id */
	uint64_t window_size;		/* session */
	uint64_t frames[4];		/* session: frame ids acquired */
};

struct map {
	uint8_t *addr;
	size_t len;
	bool session;
};

/* Ids anyone learnt; racy reads and writes of single words are fine. */
static struct {
	_Atomic uint64_t camera[MAX_IDS];
	_Atomic uint64_t session[MAX_IDS];
	atomic_uint ncamera, nsession;
} ids;

/* What went through: the fuzzer must reach live objects too. */
enum { N_ATTACH, N_CREATE, N_ACQUIRE, N_REVOKE, N_MAP, N_COUNT };
static const char *const n_names[N_COUNT] = {
	"cameras attached", "sessions created", "frames acquired",
	"sessions revoked", "windows mapped",
};

static struct {
	atomic_ulong calls, sigs;
	unsigned long violations;
	atomic_ulong went[N_COUNT];
	atomic_bool stop;
	uint64_t deadline_ns, max_calls;
	int family;			/* genl id of "framegate" */
} g;

struct fuzzer {
	pthread_t pt;
	unsigned int index;
	uint64_t rng;
	struct res r[MAX_FDS];
	unsigned int nr;
	struct map m[MAX_MAPS];
	unsigned int nm;
	int closed[8];			/* numbers closed lately */
	uint8_t *scratch;		/* 2 pages, then a PROT_NONE page */
	int nl;				/* this thread's raw genl socket */
	pid_t tid;
	const char *volatile op;	/* what it is doing, for the watchdog */
	uint64_t window_bytes;		/* of its sessions, kept bounded */
	uint64_t sum;
};

/* Randomness: splitmix64, one stream per thread. */
static uint64_t next(struct fuzzer *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct fuzzer *f, uint32_t n)
{
	return n ? next(f) % n : 0;
}

static bool one_in(struct fuzzer *f, uint32_t n)
{
	return below(f, n) == 0;
}

static uint32_t pick_u32(struct fuzzer *f, const uint32_t *v, size_t n)
{
	return one_in(f, 8) ? (uint32_t)next(f) : v[below(f, n)];
}

#define PICK(f, arr) pick_u32(f, arr, ARRAY_SIZE(arr))

#define violation(...) fgt_finding(&g.violations, 30, "violation", __VA_ARGS__)

/* One system call made; its -errno (or result) passes through. */
static long counted(long ret)
{
	atomic_fetch_add(&g.calls, 1);
	return ret;
}

#define SYS(expr) counted((expr) < 0 ? -errno : 0)

/* ret is 0 or -e for one of the 0-terminated errnos. */
static bool one_of(long ret, const int *allowed)
{
	if (ret >= 0)
		return true;
	for (; *allowed; allowed++)
		if (ret == -*allowed)
			return true;
	return false;
}

static void expect_errno(const char *what, enum kind k, long ret,
			 const int *allowed)
{
	if (!one_of(ret, allowed))
		violation("%s on a %s fd: %s", what, kind_names[k],
			  strerror((int)-ret));
}

/* The uapi's errnos of each call, with EBADF/ENOTTY/EFAULT. */
static const int e_attach[] = { EBADF, ENOTTY, ENODEV, EINVAL, EOPNOTSUPP,
				EBUSY, ENOMEM, EFAULT, EMFILE, 0 };
static const int e_create[] = { EPERM, EINVAL, ENOENT, ENODEV, E2BIG, ENOMEM,
				EFAULT, EBADF, ENOTTY, EMFILE, 0 };
static const int e_info[] = { EINVAL, EFAULT, EBADF, ENOTTY, 0 };
static const int e_acquire[] = { EAGAIN, EPERM, ENODEV, EINVAL, EFAULT, EBADF,
				 ENOTTY, 0 };
static const int e_release[] = { ENOENT, EPERM, EINVAL, EFAULT, EBADF, ENOTTY,
				 0 };
static const int e_board[] = { EBADF, EINVAL, EFAULT, ENOTTY, 0 };
static const int e_netlink[] = { EINVAL, ERANGE, ENOENT, EALREADY, EPERM,
				 EOPNOTSUPP, ENOMEM, ENOBUFS, EMSGSIZE, 0 };

/* Touches a window; a fault (revoked, unmapped) is counted. */
static void touch(struct fuzzer *f, const volatile uint8_t *p, size_t len,
		  bool write)
{
	if (!fgt_touch(p, len, PAGE, write, &f->sum))
		atomic_fetch_add(&g.sigs, 1);
}

/* Resources */

static struct res *add_fd(struct fuzzer *f, int fd, enum kind k)
{
	struct res *r;

	if (fd < 0)
		return NULL;
	if (f->nr == MAX_FDS) {
		close(fd);
		return NULL;
	}
	r = &f->r[f->nr++];
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->kind = k;
	return r;
}

static void learn(_Atomic uint64_t *arr, atomic_uint *n, uint64_t id)
{
	atomic_store(&arr[atomic_fetch_add(n, 1) % MAX_IDS], id);
}

static uint64_t known(struct fuzzer *f, _Atomic uint64_t *arr, atomic_uint *n)
{
	unsigned int k = atomic_load(n);

	return k ? atomic_load(&arr[below(f, k < MAX_IDS ? k : MAX_IDS)]) : 0;
}

static uint64_t some_camera_id(struct fuzzer *f)
{
	static const uint32_t odd[] = { 0, 1, 2, 3, 0xffffffff, 0x80000000 };

	return one_in(f, 6) ? PICK(f, odd) : known(f, ids.camera, &ids.ncamera);
}

static uint64_t some_session_id(struct fuzzer *f)
{
	static const uint64_t odd[] = { 0, 1, ~0ull, FG_SESSION_ID_PROBE - 1,
					1ull << 32 };

	return one_in(f, 6) ? odd[below(f, 5)] :
			      known(f, ids.session, &ids.nsession);
}

static void drop_fd(struct fuzzer *f, unsigned int i)
{
	struct res *r = &f->r[i];

	if (r->kind == K_SESSION)
		f->window_bytes -= r->window_size;
	SYS(close(r->fd));
	f->closed[below(f, 8)] = r->fd;
	f->r[i] = f->r[--f->nr];
}

/* An fd to aim a call at: mostly of the kind wanted, else anything. */
static int target(struct fuzzer *f, enum kind want, struct res **out)
{
	unsigned int i, n = 0, match[MAX_FDS];

	*out = NULL;
	for (i = 0; i < f->nr; i++)
		if (f->r[i].kind == want)
			match[n++] = i;
	if (n && !one_in(f, 6)) {
		*out = &f->r[match[below(f, n)]];
		return (*out)->fd;
	}
	static const struct res badfd = { .fd = -1, .kind = K_BADFD };

	switch (below(f, 4)) {
	case 0:
		*out = (struct res *)&badfd;
		return -1;
	case 1:
		/*
		 * A number closed lately: given out again since, maybe, to
		 * this thread or to another one.
		 */
		n = f->closed[below(f, 8)];
		for (i = 0; i < f->nr; i++)
			if (f->r[i].fd == (int)n)
				*out = &f->r[i];
		return n;
	default:
		if (!f->nr)
			return 9999;
		*out = &f->r[below(f, f->nr)];
		return (*out)->fd;
	}
}

static enum kind kind_of(const struct res *r)
{
	return r ? r->kind : K_UNKNOWN;
}

static const char *name_of(enum kind k)
{
	return k < K_COUNT ? kind_names[k] : k == K_BADFD ? "-1" : "unknown";
}

static void op_open(struct fuzzer *f)
{
	static const int video[] = { 0, 1, 10, 11 };
	char path[32];
	int fds[2], n;

	switch (below(f, 10)) {
	case 0:
	case 1:
		add_fd(f, counted(fg_ctl_open()), K_CTL);
		break;
	case 2:
	case 3:
	case 4:
		n = video[below(f, 4)];
		snprintf(path, sizeof(path), "/dev/video%d", n);
		add_fd(f, counted(open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)),
		       n < 10 ? K_V4L2_CAP : K_V4L2_OUT);
		break;
	case 5:
		add_fd(f, counted(open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC,
				       0600)), K_FILE);
		break;
	case 6:
		if (!counted(pipe2(fds, O_NONBLOCK | O_CLOEXEC))) {
			add_fd(f, fds[0], K_PIPE);
			add_fd(f, fds[1], K_PIPE);
		}
		break;
	case 7:
		if (!counted(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
					SOCK_CLOEXEC, 0, fds))) {
			add_fd(f, fds[0], K_UNIX);
			add_fd(f, fds[1], K_UNIX);
		}
		break;
	case 8:
		add_fd(f, counted(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK |
					 SOCK_CLOEXEC, NETLINK_GENERIC)),
		       K_NETLINK);
		break;
	default:
		if (one_in(f, 2))
			add_fd(f, counted(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
			       K_EVENTFD);
		else
			add_fd(f, counted(open("/dev/null", O_RDWR | O_CLOEXEC)),
			       K_NULL);
	}
}

static void op_close(struct fuzzer *f)
{
	if (f->nr)
		drop_fd(f, below(f, f->nr));
}

static void op_dup(struct fuzzer *f)
{
	struct res *r, *d;
	int fd;

	if (!f->nr)
		return;
	r = &f->r[below(f, f->nr)];
	fd = counted(fcntl(r->fd, F_DUPFD_CLOEXEC, 3));
	d = add_fd(f, fd, r->kind);
	if (d) {
		d->id = r->id;
		/* The window is counted once, on the original. */
		d->window_size = 0;
	}
}

/*
 * Struct buffers: the struct ends exactly at the scratch area's guard page,
 * so a kernel that reads past the size the caller claims faults. The sizes
 * follow the uapi's rules (copy_struct_from_user()): below VER0 -EINVAL;
 * VER0 up to the struct's own size, or larger with a zero tail, accepted;
 * a non-zero tail, or more than a page, -E2BIG.
 */
enum shape {
	S_EXACT, S_TINY, S_OLD, S_LARGE_ZERO, S_LARGE_JUNK, S_HUGE, S_COUNT
};

/* Where a struct keeps what its size rules and junk checks need. */
struct layout {
	size_t ksize, ver0;
	size_t flags_off, res_off, res_len;
};

#define LAYOUT(type, ver0) {						\
	sizeof(type), ver0, offsetof(type, flags),			\
	offsetof(type, reserved), sizeof(((type *)0)->reserved) }

static const struct layout l_attach = LAYOUT(struct fg_camera_attach,
					     FG_CAMERA_ATTACH_SIZE_VER0);
static const struct layout l_create = LAYOUT(struct fg_session_create,
					     FG_SESSION_CREATE_SIZE_VER0);
static const struct layout l_info = LAYOUT(struct fg_session_info,
					   FG_SESSION_INFO_SIZE_VER0);
static const struct layout l_frame = LAYOUT(struct fg_frame,
					    FG_FRAME_SIZE_VER0);
static const struct layout l_release = LAYOUT(struct fg_frame_release,
					      FG_FRAME_RELEASE_SIZE_VER0);
static const struct layout l_board = LAYOUT(struct fg_board,
					    FG_BOARD_SIZE_VER0);

struct arg {
	void *p;		/* what the ioctl gets */
	size_t len;		/* its size field: bytes the kernel may read */
	enum shape shape;
	bool bad_ptr;
	bool junk;		/* junk_seen() before the call */
};

/* A command's number; at times with other size bits, which must not matter. */
static unsigned long cmd_of(struct fuzzer *f, unsigned long cmd)
{
	if (!one_in(f, 8))
		return cmd;
	return NOSIZE(cmd) |
	       ((unsigned long)below(f, _IOC_SIZEMASK + 1) << _IOC_SIZESHIFT);
}

static void *guard_page(struct fuzzer *f)
{
	return f->scratch + 2 * PAGE;
}

static size_t between(struct fuzzer *f, size_t lo, size_t hi)
{
	return lo + below(f, hi - lo);
}

/* The flags or a reserved word within what the kernel reads are not 0. */
static bool junk_seen(const struct arg *a, const struct layout *l)
{
	const uint8_t *p = a->p;
	size_t i, end = l->res_off + l->res_len;

	for (i = l->flags_off; i < l->flags_off + 4 && i < a->len; i++)
		if (p[i])
			return true;
	for (i = l->res_off; i < end && i < a->len; i++)
		if (p[i])
			return true;
	return false;
}

/*
 * Lays the struct *s out as the ioctl argument in one of the shapes, its
 * size field set to match; or a bad pointer, 1 time in 16.
 */
static struct arg make_arg(struct fuzzer *f, const void *s,
			   const struct layout *l, bool sane)
{
	static void *const bad[] = {
		NULL, (void *)1, (void *)0xffff888000000000ull,
		(void *)0xffffffffff600000ull,
	};
	struct arg a = { .shape = S_EXACT };
	size_t len = l->ksize, buf;
	uint32_t size;

	if (!sane && one_in(f, 16)) {
		a.bad_ptr = true;
		a.p = one_in(f, 2) ? guard_page(f) : bad[below(f, 4)];
		return a;
	}
	if (!sane && one_in(f, 3))
		a.shape = 1 + below(f, S_COUNT - 1);
	if (a.shape == S_OLD && l->ver0 == l->ksize)
		a.shape = S_EXACT;
	switch (a.shape) {
	case S_TINY:
		len = between(f, 4, l->ver0);
		break;
	case S_OLD:
		len = between(f, l->ver0, l->ksize);
		break;
	case S_LARGE_ZERO:
	case S_LARGE_JUNK:
		len = l->ksize + 1 + below(f, 64);
		break;
	case S_HUGE:
		len = PAGE + 1 + below(f, 1u << 20);
		break;
	default:
		break;
	}
	a.len = len;
	/* A huge size must be refused before anything past it is read. */
	buf = a.shape == S_HUGE ? 8 : len;
	a.p = guard_page(f) - buf;
	memset(a.p, 0, buf);
	memcpy(a.p, s, buf < l->ksize ? buf : l->ksize);
	if (a.shape == S_LARGE_JUNK)
		((uint8_t *)a.p)[l->ksize + below(f, len - l->ksize)] = 0x5a;
	size = len;
	memcpy(a.p, &size, sizeof(size));
	a.junk = a.shape != S_HUGE && junk_seen(&a, l);
	return a;
}

/* Checks what an ioctl with a framegate struct gave, for its own fd kind. */
static void judge(const char *what, enum kind k, enum kind own, long ret,
		  const struct arg *a, const int *allowed)
{
	int want = 0;

	if (k != own) {
		/*
		 * Not the call's fd: framegate's own fds do not know the
		 * command, a bad one is EBADF; other drivers say what they
		 * say, within reason.
		 */
		if (k == K_CTL || k == K_SESSION || k == K_CAMERA) {
			if (ret != -ENOTTY)
				violation("%s on a %s fd: %s (want ENOTTY)", what,
					  name_of(k), ret ? strerror((int)-ret) :
							    "success");
		} else if (k == K_BADFD ? ret != -EBADF : k == K_UNKNOWN ? false :
			   !one_of(ret, (const int[]){ ENOTTY, EFAULT, ENODEV,
						       EINVAL, 0 })) {
			violation("%s on a %s fd: %s", what, name_of(k),
				  ret ? strerror((int)-ret) : "success");
		}
		return;
	}
	if (a->bad_ptr)
		want = EFAULT;
	else if (a->shape == S_TINY)
		want = EINVAL;
	else if (a->shape == S_LARGE_JUNK || a->shape == S_HUGE)
		want = E2BIG;
	if (want) {
		if (ret != -want)
			violation("%s with size %zu%s: %s (want %s)", what, a->len,
				  a->bad_ptr ? " at a bad address" : "",
				  ret ? strerror((int)-ret) : "success",
				  strerror(want));
		return;
	}
	if (ret >= 0 && a->junk)
		violation("%s with unknown flags or reserved words succeeded",
			  what);
	expect_errno(what, k, ret, allowed);
}

/* An output size field says how many bytes were written back. */
static void judge_size_out(const char *what, long ret, const struct arg *a,
			   const struct layout *l)
{
	uint32_t size;

	if (ret || a->bad_ptr)
		return;
	memcpy(&size, a->p, sizeof(size));
	if (size != (a->len < l->ksize ? a->len : l->ksize))
		violation("%s with size %zu wrote back size %u", what, a->len,
			  size);
}

/* Fills flags and reserved words: zero, or (unless sane) junk at times. */
static void junk(struct fuzzer *f, uint32_t *flags, uint32_t *reserved,
		 size_t n, bool sane)
{
	size_t i;

	if (sane)
		return;
	if (one_in(f, 8))
		*flags = 1u << below(f, 32);
	for (i = 0; i < n; i++)
		if (one_in(f, 16))
			reserved[i] = (uint32_t)next(f) | 1;
}

static void op_attach(struct fuzzer *f)
{
	static const uint32_t widths[] = { 320, 640, 1280, 16, 15, 4096, 4097,
					   0, 100 };
	static const uint32_t heights[] = { 180, 360, 480, 720, 16, 15, 4096,
					    0, 101 };
	static const uint32_t formats[] = {
		V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_GREY,
		V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_NV12,
		V4L2_PIX_FMT_MJPEG, 0,
	};
	static const uint32_t fps[] = { 30, 15, 25, 40, 60, 1, 240, 0, 241 };
	static const uint32_t bufs[] = { 2, 3, 4, 8, 1, 32, 33, 0 };
	static const struct mode { uint32_t width, height, fps; } modes[] = {
		{ 320, 180, 30 }, { 320, 180, 60 }, { 640, 360, 25 },
		{ 640, 480, 15 }, { 1280, 720, 5 },
	};
	bool sane = one_in(f, 2);
	struct fg_camera_attach c = { 0 };
	struct res *ctl, *v;
	struct arg a;
	long ret;
	int fd;

	fd = target(f, K_CTL, &ctl);
	if (sane) {
		/* What vivid can do: a camera that streams. */
		const struct mode *m = &modes[below(f, ARRAY_SIZE(modes))];

		c.v4l2_fd = target(f, K_V4L2_CAP, &v);
		c.width = m->width;
		c.height = m->height;
		c.fps = m->fps;
		c.pixelformat = formats[below(f, 6)];
		c.buffers = 2 + below(f, 4);
	} else {
		c.v4l2_fd = target(f, below(f, K_COUNT), &v);
		c.width = PICK(f, widths);
		c.height = PICK(f, heights);
		/* Within the limits, no frame larger than 1280x720. */
		if (c.width * c.height > 1280 * 720 && c.width <= 4096 &&
		    c.height <= 4096 && !one_in(f, 4))
			c.width = 320, c.height = 180;
		c.pixelformat = PICK(f, formats);
		c.fps = PICK(f, fps);
		c.buffers = PICK(f, bufs);
	}
	junk(f, &c.flags, c.reserved, 4, sane);
	c.fd = below(f, 3) ? 0 : (int32_t)next(f);	/* out: ignored */
	a = make_arg(f, &c, &l_attach, sane);
	ret = counted(fg_ioctl(fd, cmd_of(f, FG_IOC_CAMERA_ATTACH), a.p));
	judge("CAMERA_ATTACH", kind_of(ctl), K_CTL, ret, &a, e_attach);
	if (ret >= 0) {
		struct fg_camera_attach *out = a.p;

		atomic_fetch_add(&g.went[N_ATTACH], 1);
		struct res *r = add_fd(f, ret, K_CAMERA);

		if (out->fd != ret)
			violation("CAMERA_ATTACH returned %ld, fd field %d", ret,
				  out->fd);
		if (r) {
			r->id = out->camera_id;
			learn(ids.camera, &ids.ncamera, r->id);
		}
	}
}

static void op_create(struct fuzzer *f)
{
	struct fg_session_create c = { 0 };
	bool sane = one_in(f, 2);
	struct fg_session_info info;
	struct res *ctl, *r;
	struct arg a;
	uint32_t i;
	long ret;
	int fd;

	/* Keep this thread's windows within reason. */
	if (f->window_bytes > (256u << 20))
		return;
	fd = target(f, K_CTL, &ctl);
	c.tenant_id = !sane && one_in(f, 16) ? 0 : 1 + below(f, 4);
	c.depth = !sane && one_in(f, 8) ? below(f, 70) : 1 + below(f, 4);
	c.ncameras = !sane && one_in(f, 8) ? below(f, 10) : 1 + below(f, 2);
	for (i = 0; i < FG_SESSION_CAMERAS_MAX; i++)
		if (i < c.ncameras || (!sane && one_in(f, 32)))
			c.cameras[i] = sane ? known(f, ids.camera, &ids.ncamera) :
					      some_camera_id(f);
	junk(f, &c.flags, c.reserved, 3, sane);
	a = make_arg(f, &c, &l_create, sane);
	ret = counted(fg_ioctl(fd, cmd_of(f, FG_IOC_SESSION_CREATE), a.p));
	judge("SESSION_CREATE", kind_of(ctl), K_CTL, ret, &a, e_create);
	if (ret < 0)
		return;
	atomic_fetch_add(&g.went[N_CREATE], 1);
	r = add_fd(f, ret, K_SESSION);
	if (!r)
		return;
	r->id = ((struct fg_session_create *)a.p)->session_id;
	learn(ids.session, &ids.nsession, r->id);
	if (counted(fg_session_info(r->fd, &info)))
		violation("INFO of a new session failed");
	else if (info.session_id != r->id)
		violation("INFO: session %llu, created as %llu",
			  (unsigned long long)info.session_id,
			  (unsigned long long)r->id);
	r->window_size = info.window_size;
	f->window_bytes += info.window_size;
}

static void op_session_ioctl(struct fuzzer *f)
{
	struct res *s;
	struct arg a;
	bool sane = one_in(f, 2);
	long ret;
	int fd = target(f, K_SESSION, &s);

	switch (below(f, 4)) {
	case 0: {
		struct fg_session_info i = { 0 };

		junk(f, &i.flags, i.reserved, 3, sane);
		a = make_arg(f, &i, &l_info, sane);
		ret = counted(fg_ioctl(fd, cmd_of(f, FG_SESSION_IOC_INFO), a.p));
		judge("INFO", kind_of(s), K_SESSION, ret, &a, e_info);
		judge_size_out("INFO", ret, &a, &l_info);
		break;
	}
	case 1:
	case 2: {
		struct fg_frame fr = { 0 };

		junk(f, &fr.flags, fr.reserved, 4, sane);
		a = make_arg(f, &fr, &l_frame, sane);
		ret = counted(fg_ioctl(fd, cmd_of(f, FG_SESSION_IOC_ACQUIRE), a.p));
		judge("ACQUIRE", kind_of(s), K_SESSION, ret, &a, e_acquire);
		judge_size_out("ACQUIRE", ret, &a, &l_frame);
		if (!ret)
			atomic_fetch_add(&g.went[N_ACQUIRE], 1);
		if (!ret && s && s->kind == K_SESSION)
			s->frames[below(f, 4)] = ((struct fg_frame *)a.p)->frame_id;
		break;
	}
	default: {
		struct fg_frame_release rl = { 0 };

		rl.frame_id = s && !one_in(f, 4) ? s->frames[below(f, 4)] :
						   next(f) % 100;
		junk(f, &rl.flags, rl.reserved, 4, sane);
		a = make_arg(f, &rl, &l_release, sane);
		ret = counted(fg_ioctl(fd, cmd_of(f, FG_SESSION_IOC_RELEASE), a.p));
		judge("RELEASE", kind_of(s), K_SESSION, ret, &a, e_release);
	}
	}
}

/*
 * FG_IOC_BOARD with every kind of fd, a BPF array of the wrong layout, or
 * a board (each thread makes one of each once): the module may end up
 * keeping the fuzzer's board, which no program reads in this guest.
 */
static void op_board(struct fuzzer *f)
{
	static _Thread_local int board = -2, wrong = -2;
	struct fg_board b = { 0 };
	bool sane = one_in(f, 2);
	struct res *ctl, *r;
	struct arg a;
	long ret;
	int fd;

	if (board == -2)
		board = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fgfuzz_board", 4,
				       sizeof(struct fg_board_slot),
				       FG_BOARD_SLOTS + 1, NULL);
	if (wrong == -2)
		wrong = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fgfuzz_wrong", 4,
				       sizeof(struct fg_board_slot),
				       FG_BOARD_SLOTS, NULL);
	fd = target(f, K_CTL, &ctl);
	switch (below(f, 4)) {
	case 0:
		b.map_fd = board;
		break;
	case 1:
		b.map_fd = wrong;
		break;
	case 2:
		b.map_fd = target(f, below(f, K_COUNT), &r);
		break;
	default:
		b.map_fd = (int32_t)next(f);
	}
	junk(f, &b.flags, b.reserved, 5, sane);
	a = make_arg(f, &b, &l_board, sane);
	ret = counted(fg_ioctl(fd, cmd_of(f, FG_IOC_BOARD), a.p));
	judge("BOARD", kind_of(ctl), K_CTL, ret, &a, e_board);
}

/* A framegate command number that is not one: other numbers, directions. */
static void op_bad_ioctl(struct fuzzer *f)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int nr = below(f, 0x20), size = below(f, 256);
	unsigned long cmd = _IOC(dirs[below(f, 4)], FG_IOC_MAGIC, nr, size);
	struct res *r;
	int fd = target(f, below(f, K_COUNT), &r);
	long ret;

	/* Commands match without their size bits: those are real ones. */
	if (NOSIZE(cmd) == NOSIZE(FG_IOC_CAMERA_ATTACH) ||
	    NOSIZE(cmd) == NOSIZE(FG_IOC_SESSION_CREATE) ||
	    NOSIZE(cmd) == NOSIZE(FG_IOC_BOARD) ||
	    NOSIZE(cmd) == NOSIZE(FG_SESSION_IOC_INFO) ||
	    NOSIZE(cmd) == NOSIZE(FG_SESSION_IOC_ACQUIRE) ||
	    NOSIZE(cmd) == NOSIZE(FG_SESSION_IOC_RELEASE))
		return;
	memset(f->scratch, 0, 2 * PAGE);
	ret = counted(fg_ioctl(fd, cmd, f->scratch));
	if (r && (r->kind == K_CTL || r->kind == K_SESSION ||
		  r->kind == K_CAMERA) && ret != -ENOTTY)
		violation("ioctl %#lx on a %s fd: %s (want ENOTTY)", cmd,
			  kind_names[r->kind], ret ? strerror((int)-ret) : "success");
}

/* A few V4L2 calls on the nodes framegate may own (I4: -EBUSY). */
static void op_v4l2(struct fuzzer *f)
{
	struct res *r;
	int fd = target(f, below(f, 2) ? K_V4L2_CAP : K_V4L2_OUT, &r);
	struct v4l2_requestbuffers rb = {
		.count = below(f, 5), .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_capability cap;
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_control ctl;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	switch (below(f, 8)) {
	case 0:
		SYS(ioctl(fd, VIDIOC_QUERYCAP, &cap));
		break;
	case 1:
		SYS(ioctl(fd, VIDIOC_REQBUFS, &rb));
		break;
	case 2:
		SYS(ioctl(fd, VIDIOC_STREAMON, &type));
		break;
	case 3:
		SYS(ioctl(fd, VIDIOC_STREAMOFF, &type));
		break;
	case 4:
		SYS(ioctl(fd, VIDIOC_G_FMT, &fmt));
		break;
	case 5:
		ctl = (struct v4l2_control){ VIVID_CID_TEST_PATTERN, below(f, 10) };
		SYS(ioctl(fd, VIDIOC_S_CTRL, &ctl));
		break;
	case 6:
		/* The device goes away under its camera (rarely). */
		if (one_in(f, 50)) {
			ctl = (struct v4l2_control){ VIVID_CID_DISCONNECT, 1 };
			SYS(ioctl(fd, VIDIOC_S_CTRL, &ctl));
		}
		break;
	default: {
		char buf[64];

		SYS(read(fd, buf, sizeof(buf)));
	}
	}
}

/* Windows */

static void op_mmap(struct fuzzer *f)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC };
	static const int flags[] = { MAP_SHARED, MAP_PRIVATE,
				     MAP_SHARED | MAP_POPULATE,
				     MAP_SHARED | MAP_FIXED_NOREPLACE };
	struct res *r;
	int fd = target(f, K_SESSION, &r), prot = prots[below(f, 5)];
	size_t len = r && r->window_size && !one_in(f, 4) ?
		     r->window_size : PAGE * (1 + below(f, 64));
	off_t off = one_in(f, 4) ? (off_t)(PAGE * below(f, 64)) : 0;
	int fl = flags[below(f, 4)];
	void *hint = fl & MAP_FIXED_NOREPLACE ? (void *)0x7e0000000000ull : NULL;
	uint8_t *p;

	if (f->nm == MAX_MAPS || one_in(f, 8))
		len = one_in(f, 2) ? 0 : len + PAGE;
	p = mmap(hint, len, prot, fl, fd, off);
	counted(0);
	if (p == MAP_FAILED)
		return;
	if (r && r->kind == K_SESSION && (prot & PROT_WRITE))
		violation("a session window was mapped writable");
	if (r && r->kind == K_SESSION)
		atomic_fetch_add(&g.went[N_MAP], 1);
	if (f->nm == MAX_MAPS) {
		munmap(p, len);
		return;
	}
	f->m[f->nm++] = (struct map){ p, len, r && r->kind == K_SESSION };
}

static void op_munmap(struct fuzzer *f)
{
	struct map *m;
	size_t pages, first, n;

	if (!f->nm)
		return;
	m = &f->m[below(f, f->nm)];
	pages = m->len / PAGE;
	if (pages > 2 && one_in(f, 3)) {
		/* A hole in the middle: the mapping splits in two. */
		first = 1 + below(f, pages - 2);
		n = 1 + below(f, pages - first - 1);
		SYS(munmap(m->addr + first * PAGE, n * PAGE));
		/* No room to remember the tail: it goes too. */
		if (f->nm < MAX_MAPS)
			f->m[f->nm++] = (struct map){
				m->addr + (first + n) * PAGE,
				(pages - first - n) * PAGE, m->session };
		else
			munmap(m->addr + (first + n) * PAGE,
			       (pages - first - n) * PAGE);
		m->len = first * PAGE;
		return;
	}
	SYS(munmap(m->addr, m->len));
	*m = f->m[--f->nm];
}

static void op_remap(struct fuzzer *f)
{
	struct map *m;
	uint8_t *p;
	size_t len;

	if (!f->nm)
		return;
	m = &f->m[below(f, f->nm)];
	switch (below(f, 4)) {
	case 0:
		if (!SYS(mprotect(m->addr, m->len, PROT_READ | PROT_WRITE)) &&
		    m->session)
			violation("a session window was made writable");
		break;
	case 1:
		len = one_in(f, 2) ? m->len + PAGE : (m->len > PAGE ? m->len - PAGE : m->len);
		p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
		counted(0);
		if (p != MAP_FAILED) {
			m->addr = p;
			m->len = len;
		}
		break;
	case 2:
		SYS(madvise(m->addr, m->len, MADV_DONTNEED));
		break;
	default:
		touch(f, m->addr, m->len, one_in(f, 16));
		counted(0);
	}
}

/* Netlink */

struct nlreq {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	uint8_t attrs[256];
};

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sends req and reads until its ACK, error or DONE; the error (0 for an
 * ACK or DONE), or 1 if nothing came back in time.
 */
static int nl_transact(int fd, struct nlreq *req)
{
	static __thread uint8_t buf[65536];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *nh;
	ssize_t n;
	int err = 1, rounds;

	if (send(fd, req, req->nh.nlmsg_len, 0) < 0)
		return counted(-errno);
	counted(0);
	for (rounds = 0; rounds < 64 && err == 1; rounds++) {
		if (poll(&pfd, 1, 1000) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 1 : -errno;
		for (nh = (void *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				break;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				err = *(int *)NLMSG_DATA(nh);
				break;
			}
		}
	}
	return err;
}

/* The family id of "framegate", or -errno. */
static int resolve_family(void)
{
	struct nlreq req = { 0 };
	struct nlattr *a = (void *)req.attrs;
	static uint8_t buf[8192];
	struct nlmsghdr *nh;
	int fd = nl_socket(), id = -ENOENT;
	ssize_t n;

	if (fd < 0)
		return -errno;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(FG_GENL_NAME);
	memcpy(a + 1, FG_GENL_NAME, sizeof(FG_GENL_NAME));
	req.nh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(a->nla_len);
	req.nh.nlmsg_type = GENL_ID_CTRL;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.gh.cmd = CTRL_CMD_GETFAMILY;
	req.gh.version = 1;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 ||
	    (n = recv(fd, buf, sizeof(buf), 0)) < 0) {
		close(fd);
		return -errno;
	}
	for (nh = (void *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
		int len = nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

		if (nh->nlmsg_type != GENL_ID_CTRL)
			continue;
		for (a = (void *)((uint8_t *)NLMSG_DATA(nh) + GENL_HDRLEN);
		     len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		     a->nla_len <= len;
		     len -= NLA_ALIGN(a->nla_len),
		     a = (void *)((uint8_t *)a + NLA_ALIGN(a->nla_len)))
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
				id = *(uint16_t *)(a + 1);
	}
	close(fd);
	return id;
}

/* Which attributes each command accepts (its policy), by type. */
static bool accepted(uint8_t cmd, uint16_t type)
{
	switch (cmd) {
	case FG_CMD_GET_CAMERA:
		return type == FG_A_CAMERA_ID;
	case FG_CMD_GET_SESSION:
	case FG_CMD_REVOKE_SESSION:
		return type == FG_A_SESSION_ID;
	default:
		return false;
	}
}

static void op_netlink(struct fuzzer *f)
{
	static const uint16_t lens[] = { 0, 1, 2, 4, 8, 12, 16, 3 };
	static __thread uint32_t seq;
	struct nlreq req = { 0 };
	uint8_t cmd = one_in(f, 8) ? below(f, 256) : below(f, FG_CMD_MAX + 2);
	size_t off = 0;
	bool unknown_attr = false, lie = false, dump;
	unsigned int i, n = below(f, 4);
	int err;

	dump = one_in(f, 4);
	req.nh.nlmsg_type = g.family;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	req.nh.nlmsg_seq = ++seq;
	req.gh.cmd = cmd;
	req.gh.version = one_in(f, 16) ? below(f, 256) : FG_GENL_VERSION;
	for (i = 0; i < n; i++) {
		struct nlattr *a = (void *)(req.attrs + off);
		uint16_t type = one_in(f, 2) ? (cmd == FG_CMD_GET_CAMERA ?
			FG_A_CAMERA_ID : FG_A_SESSION_ID) : below(f, FG_A_MAX + 4);
		uint16_t len = one_in(f, 2) ? (type == FG_A_CAMERA_ID ? 4 : 8) :
					      lens[below(f, 8)];
		uint64_t v = type == FG_A_CAMERA_ID ? some_camera_id(f) :
						      some_session_id(f);

		if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(req.attrs))
			break;
		a->nla_type = type | (one_in(f, 16) ? NLA_F_NESTED : 0);
		a->nla_len = NLA_HDRLEN + len;
		memcpy(a + 1, &v, len < 8 ? len : 8);
		if (one_in(f, 32)) {
			a->nla_len = below(f, 2) ? 2 : 1000;	/* lies */
			lie = true;
		}
		if (!accepted(cmd, type))
			unknown_attr = true;
		off += NLA_HDRLEN + NLA_ALIGN(len);
	}
	req.nh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	err = nl_transact(f->nl, &req);
	if (err == 1) {
		violation("netlink cmd %u flags %#x: no answer", cmd,
			  req.nh.nlmsg_flags);
		return;
	}
	if (!one_of(err, e_netlink))
		violation("netlink cmd %u: %s", cmd, strerror(-err));
	/*
	 * A command with an attribute it does not take fails -EINVAL (the
	 * uapi: unknown and output-only attributes are rejected), or -ERANGE
	 * if an attribute before it is out of its range; dumps of
	 * GET_CAMERA and GET_SESSION too; a dump of a command that has none
	 * fails -EOPNOTSUPP first.
	 */
	if (!lie && unknown_attr && err != -EINVAL && err != -ERANGE &&
	    (dump ? cmd == FG_CMD_GET_CAMERA || cmd == FG_CMD_GET_SESSION :
		    cmd >= FG_CMD_GET_STATS && cmd <= FG_CMD_REVOKE_SESSION))
		violation("netlink cmd %u with an attribute it does not take: %s",
			  cmd, err ? strerror(-err) : "success");
}

static void op_revoke_or_dump(struct fuzzer *f)
{
	static __thread struct fg_nl *nl;
	uint64_t id = some_session_id(f);
	unsigned int n, unbalanced;
	long ret;

	if (!nl && !(nl = fg_nl_open()))
		return;
	if (one_in(f, 3)) {
		ret = counted(fgt_nl_count_sessions(nl, &n, &unbalanced));
		if (ret)
			violation("session dump: %s", strerror((int)-ret));
		else if (unbalanced)
			violation("%u of %u dumped sessions do not balance",
				  unbalanced, n);
		return;
	}
	ret = counted(fg_nl_revoke_session(nl, id));
	if (!ret)
		atomic_fetch_add(&g.went[N_REVOKE], 1);
	if (!one_of(ret, (const int[]){ EALREADY, ENOENT, EINVAL, ERANGE, 0 }))
		violation("revoke of %llu: %s", (unsigned long long)id,
			  strerror((int)-ret));
}

/* Everything else an fd can be asked. */
static void op_misc(struct fuzzer *f)
{
	struct res *r;
	int fd = target(f, below(f, K_COUNT), &r);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	char buf[128] = { 0 };
	struct stat sb;

	switch (below(f, 5)) {
	case 0:
		counted(poll(&pfd, 1, below(f, 3)));
		break;
	case 1:
		/* Never a blocking read: sessions, pipes, sockets do not block. */
		if (r && (r->kind == K_FILE || r->kind == K_NULL ||
			  r->kind == K_SESSION || r->kind == K_CAMERA ||
			  r->kind == K_CTL || r->kind == K_PIPE ||
			  r->kind == K_UNIX || r->kind == K_EVENTFD))
			SYS(read(fd, buf, below(f, sizeof(buf))));
		break;
	case 2:
		if (r && r->kind != K_V4L2_OUT && r->kind != K_V4L2_CAP &&
		    r->kind != K_NETLINK)
			SYS(write(fd, buf, 8));
		break;
	case 3:
		SYS(fstat(fd, &sb));
		if (r && r->kind == K_SESSION && !fstat(fd, &sb) &&
		    sb.st_ino != r->id)
			violation("session %llu has inode %llu",
				  (unsigned long long)r->id,
				  (unsigned long long)sb.st_ino);
		break;
	default:
		SYS(lseek(fd, below(f, 4096), SEEK_SET));
	}
}

/*
 * A child that shares this thread's fds for a moment: closes some, asks
 * some sessions for frames, and exits. No malloc in the child: another
 * thread may hold its lock.
 */
static void op_fork(struct fuzzer *f)
{
	struct fg_frame fr;
	unsigned int i;
	pid_t pid;

	pid = fork();
	counted(pid < 0 ? -errno : 0);
	if (pid == 0) {
		for (i = 0; i < f->nr; i++) {
			if (f->r[i].kind == K_SESSION) {
				memset(&fr, 0, sizeof(fr));
				fr.size = sizeof(fr);
				ioctl(f->r[i].fd, FG_SESSION_IOC_ACQUIRE, &fr);
			}
			if (i & 1)
				close(f->r[i].fd);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

#define OP(fn, weight) { fn, weight, #fn }
static const struct {
	void (*fn)(struct fuzzer *f);
	unsigned int weight;
	const char *name;
} ops[] = {
	OP(op_open, 10), OP(op_close, 7), OP(op_dup, 2),
	OP(op_attach, 8), OP(op_create, 10), OP(op_session_ioctl, 20),
	OP(op_bad_ioctl, 3), OP(op_v4l2, 4), OP(op_board, 1),
	OP(op_mmap, 6), OP(op_munmap, 4), OP(op_remap, 6),
	OP(op_netlink, 8), OP(op_revoke_or_dump, 4), OP(op_misc, 6),
	OP(op_fork, 1),
};

static void one_op(struct fuzzer *f)
{
	unsigned int total = 0, i, w;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	w = below(f, total);
	for (i = 0; w >= ops[i].weight; i++)
		w -= ops[i].weight;
	f->op = ops[i].name;
	ops[i].fn(f);
	f->op = "between calls";
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool done(void)
{
	return atomic_load(&g.stop) ||
	       (g.max_calls && atomic_load(&g.calls) >= g.max_calls) ||
	       (!g.max_calls && now_ns() >= g.deadline_ns);
}

static void *fuzz_run(void *arg)
{
	struct fuzzer *f = arg;
	unsigned int i;

	f->tid = gettid();
	while (!done())
		one_op(f);
	f->op = "cleaning up";
	for (i = f->nm; i-- > 0;)
		munmap(f->m[i].addr, f->m[i].len);
	while (f->nr)
		drop_fd(f, f->nr - 1);
	return NULL;
}

/*
 * A thread that has not come back long after the end is stuck, most likely
 * in the kernel: say where (its kernel stack; sysrq w puts every blocked
 * task's in the kernel log) and fail, rather than wait for the guest's
 * timeout to say nothing.
 */
static struct {
	struct fuzzer *f;
	unsigned int n;
	uint64_t grace_ns;
} wd;

static void *watchdog_run(void *arg)
{
	char path[64], line[256];
	unsigned int i;
	FILE *st;

	(void)arg;
	while (!atomic_load(&g.stop)) {
		if (now_ns() < g.deadline_ns + wd.grace_ns) {
			sleep(1);
			continue;
		}
		for (i = 0; i < wd.n; i++) {
			printf("# thread %u (%d): %s\n", i, wd.f[i].tid,
			       wd.f[i].op ? wd.f[i].op : "?");
			snprintf(path, sizeof(path), "/proc/self/task/%d/stack",
				 wd.f[i].tid);
			st = fopen(path, "r");
			while (st && fgets(line, sizeof(line), st))
				printf("#   %s", line);
			if (st)
				fclose(st);
		}
		fgt_write_file("/proc/sysrq-trigger", "w");
		printf("not ok 1 kfuzz came back within %llu s of its end\n",
		       (unsigned long long)(wd.grace_ns / 1000000000ull));
		fflush(stdout);
		_exit(3);
	}
	return NULL;
}

/* Every event must parse. */
static void *events_run(void *arg)
{
	struct fg_nl *ev = fg_nl_events_open();
	struct fg_event_msg m;
	int ret;

	(void)arg;
	if (!ev) {
		violation("events: %s", strerror(errno));
		return NULL;
	}
	while (!done()) {
		ret = fg_nl_event_next(ev, 100, &m);
		if (ret < 0 && ret != -ENOBUFS)
			violation("event: %s", strerror(-ret));
	}
	fg_nl_close(ev);
	return NULL;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

int main(void)
{
	uint64_t seed = env_u64("FUZZ_SEED", now_ns() ^ getpid());
	unsigned int nthreads = env_u64("FUZZ_THREADS", 2), i;
	uint64_t minutes = env_u64("FUZZ_MINUTES", 2);
	struct fuzzer *f;
	pthread_t events, watchdog;
	int64_t alive;
	bool ran;

	if (!nthreads || nthreads > 16)
		nthreads = 2;
	g.max_calls = env_u64("FUZZ_CALLS", 0);
	g.deadline_ns = now_ns() + minutes * 60 * 1000000000ull;
	signal(SIGPIPE, SIG_IGN);
	fgt_catch_faults();
	printf("TAP version 13\n1..3\n");
	printf("# kfuzz: seed %llu (FUZZ_SEED), %u threads, %s %llu\n",
	       (unsigned long long)seed, nthreads,
	       g.max_calls ? "calls" : "minutes",
	       (unsigned long long)(g.max_calls ? g.max_calls : minutes));
	fflush(stdout);
	fgt_vivid_solid(0, VIVID_PATTERN_RED);
	fgt_vivid_solid(1, VIVID_PATTERN_BLUE);
	g.family = resolve_family();
	if (g.family < 0) {
		printf("Bail out! framegate's genetlink family: %s\n",
		       strerror(-g.family));
		return 1;
	}

	f = calloc(nthreads, sizeof(*f));
	if (!f)
		return 1;
	for (i = 0; i < nthreads; i++) {
		f[i].index = i;
		f[i].rng = seed + 0x1000193ull * i;
		memset(f[i].closed, 0xff, sizeof(f[i].closed));
		f[i].scratch = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		f[i].nl = nl_socket();
		if (f[i].scratch == MAP_FAILED || f[i].nl < 0 ||
		    mprotect(f[i].scratch + 2 * PAGE, PAGE, PROT_NONE)) {
			printf("Bail out! set-up: %s\n", strerror(errno));
			return 1;
		}
	}
	pthread_create(&events, NULL, events_run, NULL);
	if (!g.max_calls) {
		wd.f = f;
		wd.n = nthreads;
		wd.grace_ns = 120ull * env_u64("FG_TIMEOUT_SCALE", 1) *
			      1000000000ull;
		pthread_create(&watchdog, NULL, watchdog_run, NULL);
	}
	for (i = 0; i < nthreads; i++)
		pthread_create(&f[i].pt, NULL, fuzz_run, &f[i]);
	for (i = 0; i < nthreads; i++)
		pthread_join(f[i].pt, NULL);
	atomic_store(&g.stop, true);
	pthread_join(events, NULL);
	if (!g.max_calls)
		pthread_join(watchdog, NULL);

	ran = atomic_load(&g.calls) >= 1000;
	for (i = 0; i < N_COUNT; i++) {
		printf("# %s: %lu\n", n_names[i], atomic_load(&g.went[i]));
		/* A fuzzer that never reaches a live object tests little. */
		ran &= atomic_load(&g.went[i]) > 0;
	}
	printf("%sok 1 kfuzz made %lu calls (seed %llu), %lu window faults\n",
	       ran ? "" : "not ", atomic_load(&g.calls),
	       (unsigned long long)seed, atomic_load(&g.sigs));
	printf("%sok 2 every call answered as the uapi says (%lu violations)\n",
	       g.violations ? "not " : "", g.violations);
	/* Closed fds release their objects at once. */
	alive = fgt_sysfs_u64("objects_alive");
	printf("%sok 3 nothing alive once every fd is closed (%lld)\n",
	       alive ? "not " : "", (long long)alive);
	return !ran || g.violations || alive;
}
