// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failure: each allocation a call makes is failed in turn.
 *
 *   this task ── fail-nth = N ──► the call ──► its Nth allocation fails
 *                                   │            (failslab or fail_page_alloc)
 *                                   └─ returns: an errno and nothing left
 *                                      behind, or success with a whole object
 *
 * /proc/thread-self/fail-nth is fault injection's own way to pick the Nth
 * allocation of one task: probability, interval and space count globally
 * (interval's counter is never reset) or in bytes (space), so they cannot
 * name "the Nth allocation of this call". Both failslab and fail_page_alloc
 * are set to consider every allocation (ignore-gfp-wait N, min-order 0) and
 * to fail nothing on their own (probability 0, task-filter Y); reading
 * fail-nth back after the call says whether the call got as far as its Nth
 * allocation (0: it did, and that allocation failed). N runs from 1 until a
 * call ends before its Nth allocation.
 *
 * Calls: camera attach, session create, each netlink command (GET_STATS,
 * GET_CAMERA doit and dump, GET_SESSION doit and dump, REVOKE_SESSION) and
 * every sysfs file of the module. A failed call must return -ENOMEM (the
 * netlink ones also -ENOBUFS, the socket's own) and leave objects_alive, the
 * global counters and the cameras/ and sessions/ directories as they were;
 * a call that succeeds although an allocation failed must have made a whole
 * object (a camera with the buffers asked for that streams, a session that
 * maps and delivers). Skips where the kernel has no fault injection.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "tests/fgtest.h"
#include "kselftest_harness.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define FAIL_PAGE	"/sys/kernel/debug/fail_page_alloc"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define SYSFS		"/sys/kernel/framegate"

/* What a failed call must leave as it found it. */
struct state {
	int64_t alive, cameras_attached, sessions_created, sessions_active;
	int64_t sessions_revoked;
	char cameras[512], sessions[512];
};

static void list_dir(const char *dir, char *buf, size_t len)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t off = 0;

	buf[0] = '\0';
	while (dp && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			off += snprintf(buf + off, off < len ? len - off : 0,
					"%s ", d->d_name);
	if (dp)
		closedir(dp);
}

static void state_read(struct state *s)
{
	s->alive = fgt_sysfs_u64("objects_alive");
	s->cameras_attached = fgt_sysfs_u64("cameras_attached");
	s->sessions_created = fgt_sysfs_u64("sessions_created");
	s->sessions_active = fgt_sysfs_u64("sessions_active");
	s->sessions_revoked = fgt_sysfs_u64("sessions_revoked");
	list_dir(SYSFS "/cameras", s->cameras, sizeof(s->cameras));
	list_dir(SYSFS "/sessions", s->sessions, sizeof(s->sessions));
}

/*
 * Says on stderr what differs; true if nothing does. Without counters,
 * only the objects: objects_alive and the directories.
 */
static bool state_same(const struct state *a, const struct state *b,
		       bool counters)
{
	bool same = true;

#define SAME(f) do {							\
	if (a->f != b->f) {						\
		fprintf(stderr, "# %s: %lld -> %lld\n", #f,		\
			(long long)a->f, (long long)b->f);		\
		same = false;						\
	}								\
} while (0)
	SAME(alive);
	if (!counters)
		goto objects;
	SAME(cameras_attached);
	SAME(sessions_created);
	SAME(sessions_active);
	SAME(sessions_revoked);
#undef SAME
objects:
	if (strcmp(a->cameras, b->cameras) || strcmp(a->sessions, b->sessions)) {
		fprintf(stderr, "# cameras/: '%s' -> '%s', sessions/: '%s' -> '%s'\n",
			a->cameras, b->cameras, a->sessions, b->sessions);
		same = false;
	}
	return same;
}

/* The fault-injection knobs this test sets, and their values before. */
static const char *const knobs[][2] = {
	{ FAILSLAB "/ignore-gfp-wait", "N" },
	{ FAILSLAB "/probability", "0" },
	{ FAILSLAB "/task-filter", "Y" },
	{ FAILSLAB "/verbose", "0" },
	{ FAIL_PAGE "/ignore-gfp-wait", "N" },
	{ FAIL_PAGE "/ignore-gfp-highmem", "N" },
	{ FAIL_PAGE "/min-order", "0" },
	{ FAIL_PAGE "/probability", "0" },
	{ FAIL_PAGE "/task-filter", "Y" },
	{ FAIL_PAGE "/verbose", "0" },
};

#define NKNOBS	(sizeof(knobs) / sizeof(knobs[0]))

/* One call to fail in every way; ctx is the case's own. */
struct alloc_case {
	const char *name;
	int (*before)(void *ctx);	/* outside the fault window */
	int (*call)(void *ctx);		/* 0 or -errno */
	bool (*whole)(void *ctx);	/* after success: a whole object */
	void (*after)(void *ctx);	/* after the call, either way */
	const int *errnos;		/* a failure may return these, 0-ended */
	void *ctx;
};

FIXTURE(alloc) {
	char saved[NKNOBS][32];
	int nth;		/* fail-nth of this thread, open */
	int ctl;
};

FIXTURE_SETUP(alloc)
{
	unsigned int i;
	int fd;
	ssize_t n;

	self->nth = -1;
	if (access(FAILSLAB, F_OK) || access(FAIL_PAGE, F_OK) ||
	    access(FAIL_NTH, F_OK))
		SKIP(return, "no fault injection here (" FAILSLAB ", " FAIL_PAGE
		     ", " FAIL_NTH "): a kernel with FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS");
	for (i = 0; i < NKNOBS; i++) {
		fd = open(knobs[i][0], O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", knobs[i][0], strerror(errno));
		n = read(fd, self->saved[i], sizeof(self->saved[i]) - 1);
		close(fd);
		ASSERT_LT(0, n);
		self->saved[i][n] = '\0';
		ASSERT_EQ(0, fgt_write_file(knobs[i][0], knobs[i][1]));
	}
	self->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(alloc)
{
	unsigned int i;

	if (self->nth < 0)
		return;
	close(self->ctl);
	close(self->nth);
	for (i = 0; i < NKNOBS; i++)
		fgt_write_file(knobs[i][0], self->saved[i]);
}

/* The harness runs a test whose set-up skipped: let it end at once. */
#define RETURN_IF_SKIPPED() do { if (self->nth < 0) return; } while (0)

/* Arms fail-nth for the next n-th allocation of this thread. */
static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* What is left of fail-nth (0: the fault was injected); disarms it. */
static int nth_left(int fd)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	nth_arm(fd, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static bool allowed(const int *errnos, int ret)
{
	for (; *errnos; errnos++)
		if (ret == -*errnos)
			return true;
	return false;
}

static unsigned int max_nth(void)
{
	const char *v = getenv("FG_ALLOC_MAX");

	return v && atoi(v) > 0 ? atoi(v) : 3000;
}

/*
 * Runs c->call with its 1st, 2nd, ... allocation failing until it gets
 * through without reaching the Nth. Returns the number of faults injected.
 */
static unsigned int fail_each(struct __test_metadata *_metadata, int nth,
			      const struct alloc_case *c)
{
	unsigned int n, injected = 0, survived = 0;
	struct state s0, s1, s2;
	bool clean = _metadata->passed;
	int ret, left;

	for (n = 1; n <= max_nth(); n++) {
		/* s0: before the case's set-up; s1: just before the call. */
		state_read(&s0);
		ret = c->before ? c->before(c->ctx) : 0;
		if (ret) {
			EXPECT_EQ(0, ret) TH_LOG("%s: set-up before fault %u",
						 c->name, n);
			break;
		}
		state_read(&s1);
		EXPECT_EQ(0, nth_arm(nth, n));
		ret = c->call(c->ctx);
		left = nth_left(nth);
		if (left) {
			/* Not as far as its Nth allocation: done. */
			EXPECT_EQ(0, ret) TH_LOG("%s failed without a fault: %s",
						 c->name, strerror(-ret));
			if (!ret && c->whole)
				EXPECT_TRUE(c->whole(c->ctx));
			if (c->after)
				c->after(c->ctx);
			break;
		}
		injected++;
		if (ret) {
			EXPECT_TRUE(allowed(c->errnos, ret))
				TH_LOG("%s, allocation %u failed: %s", c->name,
				       n, strerror(-ret));
			state_read(&s2);
			EXPECT_TRUE(state_same(&s1, &s2, true))
				TH_LOG("%s, allocation %u failed: left something",
				       c->name, n);
		} else {
			survived++;
			if (c->whole)
				EXPECT_TRUE(c->whole(c->ctx))
					TH_LOG("%s, allocation %u failed: succeeded with half an object",
					       c->name, n);
		}
		if (c->after)
			c->after(c->ctx);
		state_read(&s2);
		EXPECT_TRUE(state_same(&s0, &s2, false))
			TH_LOG("%s, allocation %u: objects left after the close",
			       c->name, n);
		/* The first failure of a call says enough. */
		if (clean && !_metadata->passed)
			break;
	}
	EXPECT_GE(max_nth(), n) TH_LOG("%s: still allocating after %u",
				       c->name, n - 1);
	TH_LOG("%s: %u allocations failed in turn, %u of them survived",
	       c->name, injected, survived);
	return injected;
}

static const int enomem[] = { ENOMEM, 0 };
static const int nl_enomem[] = { ENOMEM, ENOBUFS, 0 };

/* Camera attach */

struct attach_ctx {
	int ctl, vfd, cam_fd;
	struct fg_camera_attach a;
};

static int attach_before(void *p)
{
	struct attach_ctx *x = p;

	x->vfd = fgt_video_open(VIVID_CAPTURE(0));
	x->a = (struct fg_camera_attach){
		.v4l2_fd = x->vfd, .width = FGT_WIDTH, .height = FGT_HEIGHT,
		.pixelformat = V4L2_PIX_FMT_YUYV, .fps = FGT_FPS,
		.buffers = FGT_BUFFERS,
	};
	return x->vfd < 0 ? x->vfd : 0;
}

static int attach_call(void *p)
{
	struct attach_ctx *x = p;

	x->cam_fd = fg_camera_attach(x->ctl, &x->a);
	return x->cam_fd < 0 ? x->cam_fd : 0;
}

/* A session on a new camera gets a frame of it. */
static bool streams(int ctl, uint32_t cam)
{
	struct fg_frame f;
	int s = fgt_first_frame(ctl, cam, &f);

	if (s < 0)
		return false;
	close(s);
	return f.camera_id == cam;
}

static bool attach_whole(void *p)
{
	struct attach_ctx *x = p;
	char state[32];

	if (fgt_sysfs_str(state, sizeof(state), "cameras/%u/state",
			  x->a.camera_id) || strcmp(state, "streaming")) {
		fprintf(stderr, "# camera %u: state '%s'\n", x->a.camera_id, state);
		return false;
	}
	if (fgt_sysfs_u64("cameras/%u/buffers", x->a.camera_id) != FGT_BUFFERS) {
		fprintf(stderr, "# camera %u: %lld buffers, %u asked for\n",
			x->a.camera_id,
			(long long)fgt_sysfs_u64("cameras/%u/buffers", x->a.camera_id),
			FGT_BUFFERS);
		return false;
	}
	return streams(x->ctl, x->a.camera_id);
}

static void attach_after(void *p)
{
	struct attach_ctx *x = p;

	if (x->cam_fd >= 0)
		close(x->cam_fd);
	close(x->vfd);
	x->cam_fd = -1;
}

TEST_F_TIMEOUT(alloc, camera_attach_fails_cleanly_at_every_allocation, 1800)
{
	struct attach_ctx x = { .ctl = self->ctl, .cam_fd = -1 };
	struct alloc_case c = {
		.name = "camera attach", .before = attach_before,
		.call = attach_call, .whole = attach_whole,
		.after = attach_after, .errnos = enomem, .ctx = &x,
	};

	RETURN_IF_SKIPPED();
	EXPECT_LT(0, fail_each(_metadata, self->nth, &c));
}

/* Session create */

struct create_ctx {
	int ctl, fd;
	uint32_t cam;
	uint64_t id;
};

static int create_call(void *p)
{
	struct create_ctx *x = p;

	x->fd = fgt_session(x->ctl, 7, 2, &x->cam, 1, &x->id);
	return x->fd < 0 ? x->fd : 0;
}

static bool create_whole(void *p)
{
	struct create_ctx *x = p;
	struct fg_session_info info;
	const void *w;
	struct fg_frame f;
	bool ok;

	if (fg_session_info(x->fd, &info) || info.session_id != x->id ||
	    info.state != FG_SESSION_ACTIVE ||
	    fgt_sysfs_u64("sessions/%llu/depth", (unsigned long long)x->id) != 2)
		return false;
	if (fg_session_map(x->fd, &info, &w))
		return false;
	ok = fgt_wait_frame(x->fd, 5000) == 1 && !fg_frame_acquire(x->fd, &f) &&
	     !fg_frame_release(x->fd, f.frame_id);
	fg_session_unmap(w, &info);
	return ok;
}

static void create_after(void *p)
{
	struct create_ctx *x = p;

	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

TEST_F_TIMEOUT(alloc, session_create_fails_cleanly_at_every_allocation, 1800)
{
	struct create_ctx x = { .ctl = self->ctl, .fd = -1 };
	struct alloc_case c = {
		.name = "session create", .call = create_call,
		.whole = create_whole, .after = create_after,
		.errnos = enomem, .ctx = &x,
	};
	int cam_fd;

	RETURN_IF_SKIPPED();
	cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &x.cam);
	ASSERT_LE(0, cam_fd);
	EXPECT_LT(0, fail_each(_metadata, self->nth, &c));
	close(cam_fd);
}

/* Netlink: one fresh handle per call, so that no reply of a failed one lingers. */

struct nl_ctx {
	int ctl, cam_fd, s;
	uint32_t cam;
	uint64_t id;
	struct fg_nl *nl;
	int (*request)(struct nl_ctx *x);
};

static int nl_before(void *p)
{
	struct nl_ctx *x = p;

	x->nl = fg_nl_open();
	return x->nl ? 0 : -errno;
}

static int nl_call(void *p)
{
	struct nl_ctx *x = p;

	return x->request(x);
}

static void nl_after(void *p)
{
	struct nl_ctx *x = p;

	fg_nl_close(x->nl);
	x->nl = NULL;
}

static int req_stats(struct nl_ctx *x)
{
	struct fg_stats st;

	return fg_nl_get_stats(x->nl, &st);
}

static int req_camera(struct nl_ctx *x)
{
	struct fg_camera_status c;
	int ret = fg_nl_get_camera(x->nl, x->cam, &c);

	return ret ? ret : c.camera_id == x->cam ? 0 : -EBADMSG;
}

static int req_camera_dump(struct nl_ctx *x)
{
	unsigned int n;
	int ret = fgt_nl_count_cameras(x->nl, &n);

	return ret ? ret : n == 1 ? 0 : -EBADMSG;
}

static int req_session(struct nl_ctx *x)
{
	struct fg_session_status s;
	int ret = fg_nl_get_session(x->nl, x->id, &s);

	return ret ? ret : s.session_id == x->id ? 0 : -EBADMSG;
}

static int req_session_dump(struct nl_ctx *x)
{
	unsigned int n, unbalanced;
	int ret = fgt_nl_count_sessions(x->nl, &n, &unbalanced);

	return ret ? ret : n == 1 && !unbalanced ? 0 : -EBADMSG;
}

static int req_revoke(struct nl_ctx *x)
{
	return fg_nl_revoke_session(x->nl, x->id);
}

/* A revoke either happened entirely or not at all. */
static bool revoke_whole(void *p)
{
	struct nl_ctx *x = p;
	struct fg_session_info info;

	return !fg_session_info(x->s, &info) &&
	       info.state == FG_SESSION_REVOKED &&
	       fgt_revents(x->s) & POLLHUP;
}

/* Each revoke needs an active session: a new one each time. */
static int revoke_before(void *p)
{
	struct nl_ctx *x = p;

	x->s = fgt_session(x->ctl, 9, 2, &x->cam, 1, &x->id);
	if (x->s < 0)
		return x->s;
	return nl_before(p);
}

static void revoke_after(void *p)
{
	struct nl_ctx *x = p;
	struct fg_session_info info;
	struct fg_frame f;

	/* Not revoked: all of the session still works. */
	if (!fg_session_info(x->s, &info) && info.state == FG_SESSION_ACTIVE &&
	    (fgt_wait_frame(x->s, 5000) != 1 || fg_frame_acquire(x->s, &f)))
		fprintf(stderr, "# session %llu: active but not delivering\n",
			(unsigned long long)x->id);
	close(x->s);
	nl_after(p);
}

TEST_F_TIMEOUT(alloc, netlink_commands_fail_cleanly_at_every_allocation, 1800)
{
	static const struct {
		const char *name;
		int (*request)(struct nl_ctx *x);
	} reqs[] = {
		{ "GET_STATS", req_stats },
		{ "GET_CAMERA", req_camera },
		{ "GET_CAMERA dump", req_camera_dump },
		{ "GET_SESSION", req_session },
		{ "GET_SESSION dump", req_session_dump },
	};
	struct nl_ctx x = { .ctl = self->ctl };
	struct alloc_case c = {
		.before = nl_before, .call = nl_call, .after = nl_after,
		.errnos = nl_enomem, .ctx = &x,
	};
	unsigned int i;

	RETURN_IF_SKIPPED();
	x.cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &x.cam);
	ASSERT_LE(0, x.cam_fd);
	x.s = fgt_session(self->ctl, 8, 2, &x.cam, 1, &x.id);
	ASSERT_LE(0, x.s);
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		c.name = reqs[i].name;
		x.request = reqs[i].request;
		EXPECT_LT(0, fail_each(_metadata, self->nth, &c));
	}
	close(x.s);

	c.name = "REVOKE_SESSION";
	c.before = revoke_before;
	c.whole = revoke_whole;
	c.after = revoke_after;
	x.request = req_revoke;
	EXPECT_LT(0, fail_each(_metadata, self->nth, &c));
	close(x.cam_fd);
}

/* sysfs: every file of the module, of a camera and of a session. */

struct read_ctx {
	char path[448];
};

static int read_call(void *p)
{
	struct read_ctx *x = p;
	char buf[4096];
	int fd = open(x->path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (read(fd, buf, sizeof(buf)) <= 0)
		ret = -errno;
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(alloc, sysfs_reads_fail_cleanly_at_every_allocation, 1800)
{
	char dirs[3][64];
	struct read_ctx x;
	struct alloc_case c = {
		.call = read_call, .errnos = enomem, .ctx = &x, .name = x.path,
	};
	struct dirent *d;
	uint32_t cam;
	uint64_t id;
	unsigned int i, files = 0;
	int cam_fd, s;
	DIR *dp;

	RETURN_IF_SKIPPED();
	cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(self->ctl, 8, 2, &cam, 1, &id);
	ASSERT_LE(0, s);
	snprintf(dirs[0], sizeof(dirs[0]), SYSFS);
	snprintf(dirs[1], sizeof(dirs[1]), SYSFS "/cameras/%u", cam);
	snprintf(dirs[2], sizeof(dirs[2]), SYSFS "/sessions/%llu",
		 (unsigned long long)id);
	for (i = 0; i < 3; i++) {
		dp = opendir(dirs[i]);
		ASSERT_NE(NULL, dp);
		while ((d = readdir(dp))) {
			if (d->d_type != DT_REG)
				continue;
			snprintf(x.path, sizeof(x.path), "%s/%s", dirs[i], d->d_name);
			EXPECT_LT(0, fail_each(_metadata, self->nth, &c));
			files++;
		}
		closedir(dp);
	}
	TH_LOG("%u files", files);
	EXPECT_LT(40, files);
	close(s);
	close(cam_fd);
}

FGT_HARNESS_MAIN
