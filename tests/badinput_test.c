// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input: every malformed call fails with its documented errno and
 * changes nothing.
 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include <bpf/bpf.h>

#include "fgtest.h"
#include "kselftest_harness.h"

/* Counters that must not move when a call fails. */
struct snapshot {
	int64_t cameras, sessions, objects;
};

static void snap(struct snapshot *s)
{
	s->cameras = fgt_sysfs_u64("cameras_attached");
	s->sessions = fgt_sysfs_u64("sessions_created");
	s->objects = fgt_sysfs_u64("objects_alive");
}

#define EXPECT_UNCHANGED(before) do {					\
	struct snapshot __now;						\
	snap(&__now);							\
	EXPECT_EQ((before).cameras, __now.cameras);			\
	EXPECT_EQ((before).sessions, __now.sessions);			\
	EXPECT_EQ((before).objects, __now.objects);			\
} while (0)

FIXTURE(ctl) {
	int ctl;
	int vfd;
	struct snapshot before;
	struct fg_camera_attach a;
};

FIXTURE_SETUP(ctl)
{
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->vfd = fgt_video_open(VIVID_CAPTURE(0));
	ASSERT_LE(0, self->vfd);
	self->a = (struct fg_camera_attach){
		.size = sizeof(self->a), .v4l2_fd = self->vfd,
		.width = FGT_WIDTH, .height = FGT_HEIGHT,
		.pixelformat = V4L2_PIX_FMT_YUYV, .fps = FGT_FPS,
		.buffers = FGT_BUFFERS,
	};
	snap(&self->before);
}

FIXTURE_TEARDOWN(ctl)
{
	EXPECT_UNCHANGED(self->before);
	close(self->vfd);
	close(self->ctl);
}

static int attach_raw(int ctl, struct fg_camera_attach *a)
{
	struct fg_camera_attach copy = *a;

	return fg_ioctl(ctl, FG_IOC_CAMERA_ATTACH, &copy);
}

/*
 * The argument of a caller built against a newer header: this header's
 * structure followed by fields this module does not know (the tail).
 */
#define FGT_TAIL	16
struct newer_attach {
	struct fg_camera_attach a;
	uint8_t tail[FGT_TAIL];
};

/* The ioctl number a caller whose structure has @size bytes would use. */
#define FGT_IOC_SIZED(cmd, size) \
	(((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | \
	 ((unsigned long)(size) << _IOC_SIZESHIFT))

TEST_F(ctl, attach_rejects_bad_structs)
{
	struct fg_camera_attach a = self->a;
	char small[8] = { 0 };

	a.size = FG_CAMERA_ATTACH_SIZE_VER0 - 4;
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, &a));
	a.size = 0;
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, &a));
	a = self->a;
	a.flags = 1;
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, &a));
	a = self->a;
	a.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, &a));
	EXPECT_EQ(-EFAULT, fg_ioctl(self->ctl, FG_IOC_CAMERA_ATTACH, NULL));
	EXPECT_EQ(-ENOTTY, fg_ioctl(self->ctl, _IOWR(FG_IOC_MAGIC, 0x7f,
						      struct fg_frame), small));
	EXPECT_EQ(-ENOTTY, fg_ioctl(self->ctl, VIDIOC_QUERYCAP, small));
}

/* copy_struct_from_user() rules: a newer caller's zero tail is fine. */
TEST_F(ctl, attach_accepts_a_newer_callers_struct_with_a_zero_tail)
{
	struct newer_attach n = { .a = self->a };
	unsigned long cmd;
	int fd;

	n.a.size = sizeof(n);
	cmd = FGT_IOC_SIZED(FG_IOC_CAMERA_ATTACH, sizeof(n));
	n.tail[FGT_TAIL - 1] = 1;
	EXPECT_EQ(-E2BIG, fg_ioctl(self->ctl, cmd, &n));
	EXPECT_UNCHANGED(self->before);
	n.tail[FGT_TAIL - 1] = 0;
	fd = fg_ioctl(self->ctl, cmd, &n);
	ASSERT_LE(0, fd);
	EXPECT_EQ(fd, n.a.fd);
	EXPECT_LT(0, n.a.camera_id);
	/* Nothing is written past what this module knows. */
	EXPECT_TRUE(fgt_all_zero(n.tail, sizeof(n.tail)));
	EXPECT_EQ(self->before.cameras + 1, fgt_sysfs_u64("cameras_attached"));
	close(fd);
	/* The same with this header's ioctl number: the size field rules. */
	n = (struct newer_attach){ .a = self->a };
	n.a.size = sizeof(n);
	fd = fg_ioctl(self->ctl, FG_IOC_CAMERA_ATTACH, &n);
	ASSERT_LE(0, fd);
	close(fd);
	/* Beyond a page is never a structure of ours. */
	{
		char *big = calloc(1, getpagesize() + 8);

		ASSERT_NE(NULL, big);
		memcpy(big, &self->a, sizeof(self->a));
		((struct fg_camera_attach *)big)->size = getpagesize() + 1;
		EXPECT_EQ(-E2BIG, fg_ioctl(self->ctl, FG_IOC_CAMERA_ATTACH, big));
		free(big);
	}
	/* Detaching is asynchronous to nothing: the count is back at once. */
	EXPECT_EQ(self->before.cameras, fgt_sysfs_u64("cameras_attached"));
}

TEST_F(ctl, attach_rejects_out_of_range_parameters)
{
	struct fg_camera_attach a;

#define TRY(field, value, err) do {					\
	a = self->a;							\
	a.field = (value);						\
	EXPECT_EQ(err, attach_raw(self->ctl, &a));			\
} while (0)
	TRY(width, 0, -EINVAL);
	TRY(width, FG_WIDTH_MAX + 1, -EINVAL);
	TRY(height, FG_HEIGHT_MIN - 1, -EINVAL);
	TRY(fps, FG_FPS_MAX + 1, -EINVAL);
	TRY(fps, -1u, -EINVAL);
	TRY(buffers, FG_BUFFERS_MIN - 1, -EINVAL);
	TRY(buffers, FG_BUFFERS_MAX + 1, -EINVAL);
	TRY(pixelformat, V4L2_PIX_FMT_MJPEG, -EINVAL);
	TRY(pixelformat, 0, -EINVAL);
	/* Valid for framegate, impossible for vivid's webcam input. */
	TRY(width, 333, -EOPNOTSUPP);
	TRY(fps, 7, -EOPNOTSUPP);
#undef TRY
}

TEST_F(ctl, attach_rejects_fds_that_are_not_capture_nodes)
{
	struct fg_camera_attach a = self->a;
	char path[] = "/tmp/fgtest.XXXXXX";
	int file, pipefd[2], out;

	file = mkstemp(path);
	ASSERT_LE(0, file);
	unlink(path);
	ASSERT_EQ(0, pipe(pipefd));
	out = fgt_video_open(VIVID_OUTPUT(0));
	ASSERT_LE(0, out);

	a.v4l2_fd = file;
	EXPECT_EQ(-ENOTTY, attach_raw(self->ctl, &a));
	a.v4l2_fd = pipefd[0];
	EXPECT_EQ(-ENOTTY, attach_raw(self->ctl, &a));
	a.v4l2_fd = self->ctl;
	EXPECT_EQ(-ENOTTY, attach_raw(self->ctl, &a));
	a.v4l2_fd = out;
	EXPECT_EQ(-ENODEV, attach_raw(self->ctl, &a));
	a.v4l2_fd = pipefd[1];
	close(pipefd[1]);
	EXPECT_EQ(-EBADF, attach_raw(self->ctl, &a));
	a.v4l2_fd = -1;
	EXPECT_EQ(-EBADF, attach_raw(self->ctl, &a));
	close(out);
	close(pipefd[0]);
	close(file);
}

/* With one attached camera: session creation and session fd misuse. */
FIXTURE(session) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	struct fg_session_create c;
	struct fgt_ledger ledger;
};

FIXTURE_SETUP(session)
{
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &self->cam);
	ASSERT_LE(0, self->cam_fd);
	self->c = (struct fg_session_create){
		.size = sizeof(self->c), .tenant_id = 1, .depth = 4,
		.ncameras = 1, .cameras = { self->cam },
	};
}

FIXTURE_TEARDOWN(session)
{
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	close(self->cam_fd);
	close(self->ctl);
}

TEST_F(session, create_rejects_bad_parameters)
{
	struct fg_session_create c;
	int64_t created = fgt_sysfs_u64("sessions_created");
	int64_t objects = fgt_sysfs_u64("objects_alive");

#define TRY(stmt, err) do {						\
	c = self->c;							\
	stmt;								\
	EXPECT_EQ(err, fg_ioctl(self->ctl, FG_IOC_SESSION_CREATE, &c));	\
} while (0)
	TRY(c.size = 0, -EINVAL);
	TRY(c.size = FG_SESSION_CREATE_SIZE_VER0 - 8, -EINVAL);
	TRY(c.size = getpagesize() + 1, -E2BIG);
	TRY(c.flags = 0x80000000u, -EINVAL);
	TRY(c.reserved[0] = 1, -EINVAL);
	TRY(c.tenant_id = 0, -EINVAL);
	TRY(c.depth = 0, -EINVAL);
	TRY(c.depth = FG_DEPTH_MAX + 1, -EINVAL);
	TRY(c.ncameras = 0, -EINVAL);
	TRY(c.ncameras = FG_SESSION_CAMERAS_MAX + 1, -EINVAL);
	TRY((c.ncameras = 2, c.cameras[1] = self->cam), -EINVAL);
	TRY(c.cameras[1] = self->cam, -EINVAL);
	TRY(c.cameras[0] = 0, -EINVAL);
	TRY(c.cameras[0] = 4242, -ENOENT);
	TRY((c.ncameras = 2, c.cameras[1] = 4242), -ENOENT);
#undef TRY
	EXPECT_EQ(created, fgt_sysfs_u64("sessions_created"));
	EXPECT_EQ(objects, fgt_sysfs_u64("objects_alive"));
}

/*
 * Every session structure from a newer caller: accepted with a zero tail
 * (and the tail left alone on output), -E2BIG with anything in it.
 */
TEST_F(session, session_structs_grow_as_copy_struct_from_user_says)
{
	struct { struct fg_session_create c; uint8_t tail[FGT_TAIL]; } nc;
	struct { struct fg_session_info i; uint8_t tail[FGT_TAIL]; } ni;
	struct { struct fg_frame f; uint8_t tail[FGT_TAIL]; } nf;
	struct { struct fg_frame_release r; uint8_t tail[FGT_TAIL]; } nr;
	unsigned long cmd;
	int s;

	memset(&nc, 0, sizeof(nc));
	nc.c = self->c;
	nc.c.size = sizeof(nc);
	cmd = FGT_IOC_SIZED(FG_IOC_SESSION_CREATE, sizeof(nc));
	nc.tail[0] = 0x80;
	EXPECT_EQ(-E2BIG, fg_ioctl(self->ctl, cmd, &nc));
	nc.tail[0] = 0;
	s = fg_ioctl(self->ctl, cmd, &nc);
	ASSERT_LE(0, s);
	EXPECT_EQ(s, nc.c.fd);
	EXPECT_LT(0, nc.c.session_id);
	EXPECT_TRUE(fgt_all_zero(nc.tail, sizeof(nc.tail)));

	memset(&ni, 0, sizeof(ni));
	ni.i.size = sizeof(ni);
	cmd = FGT_IOC_SIZED(FG_SESSION_IOC_INFO, sizeof(ni));
	ni.tail[FGT_TAIL - 1] = 1;
	EXPECT_EQ(-E2BIG, fg_ioctl(s, cmd, &ni));
	ni.tail[FGT_TAIL - 1] = 0;
	EXPECT_EQ(0, fg_ioctl(s, cmd, &ni));
	EXPECT_EQ(sizeof(ni.i), ni.i.size);	/* the bytes written back */
	EXPECT_EQ(nc.c.session_id, ni.i.session_id);
	EXPECT_TRUE(fgt_all_zero(ni.tail, sizeof(ni.tail)));

	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	memset(&nf, 0, sizeof(nf));
	nf.f.size = sizeof(nf);
	cmd = FGT_IOC_SIZED(FG_SESSION_IOC_ACQUIRE, sizeof(nf));
	nf.tail[3] = 1;
	EXPECT_EQ(-E2BIG, fg_ioctl(s, cmd, &nf));
	nf.tail[3] = 0;
	EXPECT_EQ(0, fg_ioctl(s, cmd, &nf));
	EXPECT_EQ(sizeof(nf.f), nf.f.size);
	EXPECT_LT(0, nf.f.frame_id);
	EXPECT_TRUE(fgt_all_zero(nf.tail, sizeof(nf.tail)));

	memset(&nr, 0, sizeof(nr));
	nr.r.size = sizeof(nr);
	nr.r.frame_id = nf.f.frame_id;
	cmd = FGT_IOC_SIZED(FG_SESSION_IOC_RELEASE, sizeof(nr));
	nr.tail[1] = 1;
	EXPECT_EQ(-E2BIG, fg_ioctl(s, cmd, &nr));
	nr.tail[1] = 0;
	EXPECT_EQ(0, fg_ioctl(s, cmd, &nr));
	EXPECT_EQ(-ENOENT, fg_ioctl(s, cmd, &nr));
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, s));
}

/*
 * A create whose result cannot be written back (the argument is in a
 * read-only page) fails with -EFAULT. The spec lets it use up an id; it
 * must leave nothing alive, and announce exactly CREATED then CLOSED.
 */
TEST_F(session, create_that_cannot_return_its_result_leaves_nothing)
{
	int64_t objects = fgt_sysfs_u64("objects_alive");
	int64_t active = fgt_sysfs_u64("sessions_active");
	struct fg_nl *events = fg_nl_events_open();
	struct fg_event_msg ev;
	uint64_t created = 0;
	size_t page = getpagesize();
	void *p;

	ASSERT_NE(NULL, events);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p, &self->c, sizeof(self->c));
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	EXPECT_EQ(-EFAULT, fg_ioctl(self->ctl, FG_IOC_SESSION_CREATE, p));
	/* The session fd's release ran before the ioctl returned. */
	EXPECT_EQ(objects, fgt_sysfs_u64("objects_alive"));
	EXPECT_EQ(active, fgt_sysfs_u64("sessions_active"));
	ASSERT_EQ(1, fg_nl_event_next(events, 3000, &ev));
	EXPECT_EQ(FG_EVENT_SESSION_CREATED, ev.event);
	created = ev.session_id;
	EXPECT_LT(0, created);
	ASSERT_EQ(1, fg_nl_event_next(events, 3000, &ev));
	EXPECT_EQ(FG_EVENT_SESSION_CLOSED, ev.event);
	EXPECT_EQ(created, ev.session_id);
	EXPECT_EQ(0, fg_nl_event_next(events, 200, &ev));
	munmap(p, page);
	fg_nl_close(events);
	/*
	 * That session came and went inside the call: the fixture's ledger
	 * cannot account for it globally (it counts nothing but captures,
	 * and it had none). Start the ledger afresh for the teardown.
	 */
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
}

/* The caller's node must be open for writing: framegate's own file is. */
TEST_F(session, attach_of_a_read_only_node_fd_is_refused)
{
	struct fg_camera_attach a = {
		.size = sizeof(a), .width = FGT_WIDTH, .height = FGT_HEIGHT,
		.pixelformat = V4L2_PIX_FMT_YUYV, .fps = FGT_FPS,
		.buffers = FGT_BUFFERS,
	};
	int64_t cameras = fgt_sysfs_u64("cameras_attached");

	a.v4l2_fd = open("/dev/video1", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, a.v4l2_fd);
	EXPECT_EQ(-EBADF, fg_ioctl(self->ctl, FG_IOC_CAMERA_ATTACH, &a));
	EXPECT_EQ(cameras, fgt_sysfs_u64("cameras_attached"));
	close(a.v4l2_fd);
}

TEST_F(session, window_larger_than_the_limit_is_refused)
{
	int big_fd;
	uint32_t big;

	/* 1920x1080 YUYV: 64 slots of 4 MiB exceed FG_WINDOW_MAX (128 MiB). */
	big_fd = fgt_attach_fmt(self->ctl, VIVID_CAPTURE(1), 1920, 1080,
				V4L2_PIX_FMT_YUYV, 5, &big);
	ASSERT_LE(0, big_fd);
	self->c.cameras[0] = big;
	self->c.depth = FG_DEPTH_MAX;
	EXPECT_EQ(-E2BIG, fg_ioctl(self->ctl, FG_IOC_SESSION_CREATE, &self->c));
	close(big_fd);
}

TEST_F(session, session_fd_rejects_misuse)
{
	struct fg_session_info info;
	struct fg_frame f;
	struct fg_frame_release r;
	void *p;
	int s;
	char byte;

	s = fg_session_create(self->ctl, &self->c);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, fg_session_info(s, &info));
	EXPECT_EQ(info.depth * info.slot_size, info.window_size);
	EXPECT_EQ(0, info.slot_size % getpagesize());

	/* Structs: size, flags, reserved. */
	memset(&info, 0, sizeof(info));
	info.size = FG_SESSION_INFO_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, fg_ioctl(s, FG_SESSION_IOC_INFO, &info));
	info.size = getpagesize() + 1;
	EXPECT_EQ(-E2BIG, fg_ioctl(s, FG_SESSION_IOC_INFO, &info));
	memset(&f, 0, sizeof(f));
	f.size = FG_FRAME_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, fg_ioctl(s, FG_SESSION_IOC_ACQUIRE, &f));
	memset(&r, 0, sizeof(r));
	r.size = FG_FRAME_RELEASE_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, fg_ioctl(s, FG_SESSION_IOC_RELEASE, &r));
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.flags = 1;
	EXPECT_EQ(-EINVAL, fg_ioctl(s, FG_SESSION_IOC_ACQUIRE, &f));
	f.flags = 0;
	f.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, fg_ioctl(s, FG_SESSION_IOC_ACQUIRE, &f));
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, fg_ioctl(s, FG_SESSION_IOC_RELEASE, &r));
	EXPECT_EQ(-ENOTTY, fg_ioctl(s, FG_IOC_SESSION_CREATE, &self->c));

	/* Frames: release of one never held, double release. */
	EXPECT_EQ(-ENOENT, fg_frame_release(s, 12345));
	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	ASSERT_EQ(0, fg_frame_acquire(s, &f));
	EXPECT_EQ(-ENOENT, fg_frame_release(s, f.frame_id + 1));
	EXPECT_EQ(0, fg_frame_release(s, f.frame_id));
	EXPECT_EQ(-ENOENT, fg_frame_release(s, f.frame_id));

	/* Mappings: never beyond the window (mapping_test: never writable). */
	ASSERT_EQ(0, fg_session_info(s, &info));
	p = mmap(NULL, info.window_size + getpagesize(), PROT_READ, MAP_SHARED, s, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, s, info.window_size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* Not a stream. */
	EXPECT_EQ(-1, read(s, &byte, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(s, &byte, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, s));
}

/*
 * Flags and reserved words, struct by struct: every struct of the uapi with
 * a flags field or words that must be zero, one variant each. Each unknown
 * flag bit, all of them, and each such word set to any of a few non-zero
 * values must fail with exactly -EINVAL and change nothing; the same struct
 * with all of them zero must work, before and after.
 */
struct zero_words {
	size_t offset;		/* of the first __u32 */
	unsigned int n;
};

union uapi_struct {
	struct fg_camera_attach attach;
	struct fg_session_create create;
	struct fg_session_info info;
	struct fg_frame frame;
	struct fg_frame_release release;
	struct fg_board board;
};

FIXTURE(uapi) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	int sfd;
	uint64_t sid;
	int vfd;		/* /dev/video1, for attach */
	uint64_t held;		/* a frame the session holds, for release */
	int board_fd;		/* a BPF map of the board's layout */
	struct fgt_ledger ledger;
};

FIXTURE_VARIANT(uapi) {
	size_t size;
	size_t flags;		/* offset of the flags field */
	struct zero_words zero[2];
	/* A valid struct, and a call that works with it. */
	void (*fill)(FIXTURE_DATA(uapi) *self, union uapi_struct *u);
	int (*call)(FIXTURE_DATA(uapi) *self, union uapi_struct *u);
	/* Undoes what a call that returned ret >= 0 did; 0 or -errno. */
	int (*undo)(FIXTURE_DATA(uapi) *self, union uapi_struct *u, int ret);
};

/* A frame held by the session, which has one ready within 5 s. */
static int hold_frame(FIXTURE_DATA(uapi) *self)
{
	struct fg_frame f;
	int ret = fgt_wait_frame(self->sfd, 5000);

	if (ret != 1)
		return ret < 0 ? ret : -ETIMEDOUT;
	ret = fg_frame_acquire(self->sfd, &f);
	if (!ret)
		self->held = f.frame_id;
	return ret;
}

FIXTURE_SETUP(uapi)
{
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &self->cam);
	ASSERT_LE(0, self->cam_fd);
	self->sfd = fgt_session(self->ctl, 1, 4, &self->cam, 1, &self->sid);
	ASSERT_LE(0, self->sfd);
	self->vfd = fgt_video_open(VIVID_CAPTURE(1));
	ASSERT_LE(0, self->vfd);
	ASSERT_EQ(0, hold_frame(self));
	/* A frame ready too, for acquire. */
	ASSERT_EQ(1, fgt_wait_frame(self->sfd, 5000));
	self->board_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fgtest_board",
					sizeof(__u32),
					sizeof(struct fg_board_slot),
					FG_BOARD_SLOTS + 1, NULL);
	ASSERT_LE(0, self->board_fd);
}

FIXTURE_TEARDOWN(uapi)
{
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	if (self->board_fd >= 0)
		close(self->board_fd);
	close(self->vfd);
	close(self->sfd);
	close(self->cam_fd);
	close(self->ctl);
}

static void fill_attach(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	u->attach = (struct fg_camera_attach){
		.size = sizeof(u->attach), .v4l2_fd = self->vfd,
		.width = FGT_WIDTH, .height = FGT_HEIGHT,
		.pixelformat = V4L2_PIX_FMT_YUYV, .fps = FGT_FPS,
		.buffers = FGT_BUFFERS,
	};
}

static int call_attach(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	return fg_ioctl(self->ctl, FG_IOC_CAMERA_ATTACH, &u->attach);
}

static void fill_create(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	u->create = (struct fg_session_create){
		.size = sizeof(u->create), .tenant_id = 2, .depth = 2,
		.ncameras = 1, .cameras = { self->cam },
	};
}

static int call_create(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	return fg_ioctl(self->ctl, FG_IOC_SESSION_CREATE, &u->create);
}

/* Closes the camera or session fd that the call returned, accounted for. */
static int undo_close(FIXTURE_DATA(uapi) *self, union uapi_struct *u, int ret)
{
	(void)u;
	return fgt_ledger_close(&self->ledger, ret) ? 0 : -EBADMSG;
}

static void fill_info(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	(void)self;
	u->info = (struct fg_session_info){ .size = sizeof(u->info) };
}

static int call_info(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	return fg_ioctl(self->sfd, FG_SESSION_IOC_INFO, &u->info);
}

static int undo_nothing(FIXTURE_DATA(uapi) *self, union uapi_struct *u, int ret)
{
	(void)self;
	(void)u;
	(void)ret;
	return 0;
}

static void fill_acquire(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	(void)self;
	u->frame = (struct fg_frame){ .size = sizeof(u->frame) };
}

static int call_acquire(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	return fg_ioctl(self->sfd, FG_SESSION_IOC_ACQUIRE, &u->frame);
}

/* Gives the frame back, and waits for the next one to be ready. */
static int undo_acquire(FIXTURE_DATA(uapi) *self, union uapi_struct *u, int ret)
{
	ret = fg_frame_release(self->sfd, u->frame.frame_id);
	if (!ret && fgt_wait_frame(self->sfd, 5000) != 1)
		ret = -ETIMEDOUT;
	return ret;
}

static void fill_release(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	u->release = (struct fg_frame_release){
		.size = sizeof(u->release), .frame_id = self->held,
	};
}

static int call_release(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	return fg_ioctl(self->sfd, FG_SESSION_IOC_RELEASE, &u->release);
}

/* The held frame is gone: hold another one. */
static int undo_release(FIXTURE_DATA(uapi) *self, union uapi_struct *u, int ret)
{
	(void)u;
	(void)ret;
	return hold_frame(self);
}

static void fill_board(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	u->board = (struct fg_board){
		.size = sizeof(u->board), .map_fd = self->board_fd,
	};
}

static int call_board(FIXTURE_DATA(uapi) *self, union uapi_struct *u)
{
	return fg_ioctl(self->ctl, FG_IOC_BOARD, &u->board);
}

#define WORDS(type, field) {						\
	offsetof(type, field),						\
	sizeof(((type *)0)->field) / sizeof(__u32),			\
}

FIXTURE_VARIANT_ADD(uapi, camera_attach) {
	.size = sizeof(struct fg_camera_attach),
	.flags = offsetof(struct fg_camera_attach, flags),
	.zero = { WORDS(struct fg_camera_attach, reserved) },
	.fill = fill_attach, .call = call_attach, .undo = undo_close,
};

/* With one camera, cameras[1..] must be zero like reserved words. */
FIXTURE_VARIANT_ADD(uapi, session_create) {
	.size = sizeof(struct fg_session_create),
	.flags = offsetof(struct fg_session_create, flags),
	.zero = {
		WORDS(struct fg_session_create, reserved),
		{ offsetof(struct fg_session_create, cameras[1]),
		  FG_SESSION_CAMERAS_MAX - 1 },
	},
	.fill = fill_create, .call = call_create, .undo = undo_close,
};

FIXTURE_VARIANT_ADD(uapi, session_info) {
	.size = sizeof(struct fg_session_info),
	.flags = offsetof(struct fg_session_info, flags),
	.zero = { WORDS(struct fg_session_info, reserved) },
	.fill = fill_info, .call = call_info, .undo = undo_nothing,
};

FIXTURE_VARIANT_ADD(uapi, frame_acquire) {
	.size = sizeof(struct fg_frame),
	.flags = offsetof(struct fg_frame, flags),
	.zero = { WORDS(struct fg_frame, reserved) },
	.fill = fill_acquire, .call = call_acquire, .undo = undo_acquire,
};

FIXTURE_VARIANT_ADD(uapi, frame_release) {
	.size = sizeof(struct fg_frame_release),
	.flags = offsetof(struct fg_frame_release, flags),
	.zero = { WORDS(struct fg_frame_release, reserved) },
	.fill = fill_release, .call = call_release, .undo = undo_release,
};
/* Handing the same board again changes nothing: nothing to undo. */
FIXTURE_VARIANT_ADD(uapi, board) {
	.size = sizeof(struct fg_board),
	.flags = offsetof(struct fg_board, flags),
	.zero = { WORDS(struct fg_board, reserved) },
	.fill = fill_board, .call = call_board, .undo = undo_nothing,
};
#undef WORDS

/* What a call that fails must leave as it was. */
struct uapi_counters {
	struct snapshot objects;
	int64_t delivered, held;
};

static void uapi_counters(FIXTURE_DATA(uapi) *self, struct uapi_counters *c)
{
	unsigned long long id = self->sid;

	snap(&c->objects);
	c->delivered = fgt_sysfs_u64("sessions/%llu/frames_delivered", id);
	c->held = fgt_sysfs_u64("sessions/%llu/frames_held", id);
}

static void set_u32(union uapi_struct *u, size_t offset, uint32_t v)
{
	memcpy((uint8_t *)u + offset, &v, sizeof(v));
}

/* The call with the struct as fill() made it: it must work. */
static int call_valid(const FIXTURE_VARIANT(uapi) *variant,
		      FIXTURE_DATA(uapi) *self)
{
	union uapi_struct u;
	int ret;

	memset(&u, 0, sizeof(u));
	variant->fill(self, &u);
	ret = variant->call(self, &u);
	if (ret < 0)
		return ret;
	return variant->undo(self, &u, ret);
}

/* One malformed call: exactly -EINVAL, else says which and undoes it. */
static bool call_malformed(struct __test_metadata *_metadata,
			   const FIXTURE_VARIANT(uapi) *variant,
			   FIXTURE_DATA(uapi) *self, size_t offset,
			   uint32_t value)
{
	union uapi_struct u;
	int ret;

	memset(&u, 0, sizeof(u));
	variant->fill(self, &u);
	set_u32(&u, offset, value);
	ret = variant->call(self, &u);
	if (ret == -EINVAL)
		return true;
	TH_LOG("__u32 at offset %zu = 0x%08x: %s, not EINVAL", offset, value,
	       ret < 0 ? strerror(-ret) : "accepted");
	if (ret >= 0)
		variant->undo(self, &u, ret);
	return false;
}

/* 40-odd calls, each opening the camera anew: slow under KASAN. */
TEST_F_TIMEOUT(uapi, unknown_flags_and_nonzero_reserved_words_are_einval, 90)
{
	static const uint32_t values[] = { 1, 0x80000000u, 0xffffffffu };
	struct uapi_counters before, after;
	unsigned int bit, r, i, v, tried = 0, refused = 0;

	for (r = 0; r < 2; r++)
		ASSERT_GE(variant->size, variant->zero[r].offset +
			  sizeof(__u32) * variant->zero[r].n);
	ASSERT_EQ(0, call_valid(variant, self));
	uapi_counters(self, &before);

	/* No flags are defined: every bit is unknown, alone or together. */
	for (bit = 0; bit <= 32; bit++, tried++)
		refused += call_malformed(_metadata, variant, self,
					  variant->flags,
					  bit < 32 ? 1u << bit : 0xffffffffu);
	for (r = 0; r < 2; r++)
		for (i = 0; i < variant->zero[r].n; i++)
			for (v = 0; v < sizeof(values) / sizeof(values[0]);
			     v++, tried++)
				refused += call_malformed(_metadata, variant,
					self, variant->zero[r].offset +
					sizeof(__u32) * i,
					values[v]);
	EXPECT_EQ(tried, refused);

	uapi_counters(self, &after);
	EXPECT_UNCHANGED(before.objects);
	EXPECT_EQ(before.delivered, after.delivered);
	EXPECT_EQ(before.held, after.held);
	/* All zero, it works as before. */
	EXPECT_EQ(0, call_valid(variant, self));
}

/* Netlink: strict policies, exact errnos. */
TEST(netlink_rejects_malformed_requests)
{
	struct fg_nl *nl = fg_nl_open();
	uint8_t buf[64];
	uint64_t id = 1;
	uint32_t id32 = 1, zero32 = 0;
	uint8_t big[16] = { 1 };
	size_t off;

	ASSERT_NE(NULL, nl);
#define REQ(cmd, err) EXPECT_EQ(err, fg_nl_request_raw(nl, cmd, 0, buf, off))
#define ATTR(type, data, len) \
	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off, type, data, len))
	off = 0;
	REQ(FG_CMD_REVOKE_SESSION, -EINVAL);		/* missing */
	ATTR(FG_A_SESSION_ID, &id32, sizeof(id32));
	REQ(FG_CMD_REVOKE_SESSION, -EINVAL);		/* u32 for a u64 */
	off = 0;
	ATTR(FG_A_SESSION_ID, big, sizeof(big));
	REQ(FG_CMD_REVOKE_SESSION, -EINVAL);		/* oversized */
	off = 0;
	ATTR(FG_A_MAX + 3, &id, sizeof(id));
	REQ(FG_CMD_REVOKE_SESSION, -EINVAL);		/* unknown type */
	off = 0;
	ATTR(FG_A_TENANT_ID, &id, sizeof(id));
	REQ(FG_CMD_REVOKE_SESSION, -EINVAL);		/* output only */
	off = 0;
	id = 0;
	ATTR(FG_A_SESSION_ID, &id, sizeof(id));
	REQ(FG_CMD_REVOKE_SESSION, -ERANGE);		/* ids start at 1 */
	off = 0;
	id = 77777;
	ATTR(FG_A_SESSION_ID, &id, sizeof(id));
	REQ(FG_CMD_REVOKE_SESSION, -ENOENT);
	REQ(FG_CMD_GET_SESSION, -ENOENT);
	REQ(FG_CMD_GET_STATS, -EINVAL);			/* takes nothing */
	off = 0;
	ATTR(FG_A_CAMERA_ID, &zero32, sizeof(zero32));
	REQ(FG_CMD_GET_CAMERA, -ERANGE);
	off = 0;
	id32 = 4242;
	ATTR(FG_A_CAMERA_ID, &id32, sizeof(id32));
	REQ(FG_CMD_GET_CAMERA, -ENOENT);
	off = 0;
	REQ(FG_CMD_GET_CAMERA, -EINVAL);		/* doit needs the id */
	REQ(FG_CMD_EVENT, -EOPNOTSUPP);			/* not a request */
	REQ(FG_CMD_MAX + 10, -EOPNOTSUPP);
#undef ATTR
#undef REQ
	fg_nl_close(nl);
}

static int nobody_opens_ctl(void *arg)
{
	(void)arg;
	return fg_ctl_open() == -EACCES ? 0 : 1;
}

static int nobody_revokes(void *arg)
{
	struct fg_nl *nl = fg_nl_open();
	struct fg_stats st;
	int ret = 0;

	if (!nl)
		return 2;
	if (fg_nl_revoke_session(nl, *(uint64_t *)arg) != -EPERM)
		ret = 3;
	/* Reading is for anyone. */
	if (fg_nl_get_stats(nl, &st))
		ret = 4;
	fg_nl_close(nl);
	return ret;
}

TEST(unprivileged_users_cannot_administer)
{
	int ctl = fg_ctl_open(), cam_fd, s;
	struct fgt_ledger ledger;
	uint32_t cam;
	uint64_t id;
	char state[32];

	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ASSERT_LE(0, ctl);
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(0), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(ctl, 1, 2, &cam, 1, &id);
	ASSERT_LE(0, s);

	EXPECT_EQ(0, fgt_as_nobody(nobody_opens_ctl, NULL));
	EXPECT_EQ(0, fgt_as_nobody(nobody_revokes, &id));
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state",
				   (unsigned long long)id));
	EXPECT_STREQ("active", state);
	EXPECT_TRUE(fgt_ledger_check(&ledger));
	close(s);
	close(cam_fd);
	close(ctl);
}

FGT_HARNESS_MAIN
