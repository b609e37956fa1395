// SPDX-License-Identifier: GPL-2.0
/*
 * Exclusive device (I4, the part the module enforces): once attached, the
 * V4L2 node's queue belongs to framegate; userspace streaming calls on it
 * fail with EBUSY, and capture goes on regardless.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"
#include "kselftest_harness.h"

FIXTURE(attached) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	int vfd;
};

FIXTURE_SETUP(attached)
{
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &self->cam);
	ASSERT_LE(0, self->cam_fd);
	self->vfd = fgt_video_open(VIVID_CAPTURE(0));
	ASSERT_LE(0, self->vfd);
}

FIXTURE_TEARDOWN(attached)
{
	close(self->vfd);
	close(self->cam_fd);
	close(self->ctl);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

TEST_F(attached, userspace_streaming_calls_get_ebusy)
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_create_buffers cb = {
		.count = 1, .memory = V4L2_MEMORY_MMAP,
		.format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
	};
	struct v4l2_buffer b = {
		.index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .index = 0,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int64_t before;
	char byte;

	ASSERT_EQ(0, xioctl(self->vfd, VIDIOC_G_FMT, &cb.format));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_REQBUFS, &rb));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_CREATE_BUFS, &cb));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_QBUF, &b));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_DQBUF, &b));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_EXPBUF, &eb));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_STREAMOFF, &type));
	EXPECT_EQ(-EBUSY, xioctl(self->vfd, VIDIOC_STREAMON, &type));
	EXPECT_EQ(-1, read(self->vfd, &byte, 1));
	EXPECT_EQ(EBUSY, errno);

	/* None of it stopped the capture. */
	before = fgt_sysfs_u64("cameras/%u/frames_captured", self->cam);
	fgt_sleep_ms(500);
	EXPECT_LT(before, fgt_sysfs_u64("cameras/%u/frames_captured",
					self->cam));
}

/*
 * Without the cell programs (this phase) vb2 lets any file of the node map
 * a capture buffer (QUERYBUF and mmap are not owner checked). framegate
 * notices within a watchdog period, stops capture so that the mapping
 * sees no further frame, and loses the camera and its sessions.
 */
TEST_F(attached, a_capture_buffer_mapped_by_another_file_stops_the_camera)
{
	struct v4l2_buffer b = {
		.index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct fgt_ledger ledger;
	int64_t captured, later;
	char state[32];
	void *p;
	int s, i;

	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	s = fgt_session(self->ctl, 7, 4, &self->cam, 1, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	ASSERT_EQ(0, xioctl(self->vfd, VIDIOC_QUERYBUF, &b));
	p = mmap(NULL, b.length, PROT_READ, MAP_SHARED, self->vfd, b.m.offset);
	ASSERT_NE(MAP_FAILED, p);
	/* The session goes down last: wait for it, then look at the rest. */
	for (i = 0; i < 60; i++) {
		if ((fgt_revents(s) & (POLLHUP | POLLERR)) == (POLLHUP | POLLERR))
			break;
		fgt_sleep_ms(50);
	}
	EXPECT_EQ(POLLHUP | POLLERR, fgt_revents(s) & (POLLHUP | POLLERR));
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "cameras/%u/state",
				   self->cam));
	EXPECT_STREQ("lost", state);
	/* Capture has stopped: nothing more is captured for anyone. */
	captured = fgt_sysfs_u64("cameras/%u/frames_captured", self->cam);
	fgt_sleep_ms(300);
	later = fgt_sysfs_u64("cameras/%u/frames_captured", self->cam);
	EXPECT_EQ(captured, later);
	munmap(p, b.length);
	EXPECT_TRUE(fgt_ledger_close(&ledger, s));
}

TEST_F(attached, second_attach_of_the_node_is_refused)
{
	uint32_t id;

	EXPECT_EQ(-EBUSY, fgt_attach(self->ctl, VIVID_CAPTURE(0), &id));
	EXPECT_EQ(1, fgt_sysfs_u64("cameras_attached"));
}

TEST_F(attached, detach_gives_the_node_back)
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	char state[32];

	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "cameras/%u/state",
				   self->cam));
	EXPECT_STREQ("streaming", state);
	close(self->cam_fd);
	self->cam_fd = -1;
	EXPECT_EQ(-ENOENT, fgt_sysfs_str(state, sizeof(state),
					 "cameras/%u/state", self->cam));
	EXPECT_EQ(0, xioctl(self->vfd, VIDIOC_REQBUFS, &rb));
	rb.count = 0;
	EXPECT_EQ(0, xioctl(self->vfd, VIDIOC_REQBUFS, &rb));
}

/* Even the fd the node was attached with cannot steer the queue. */
TEST(the_attaching_fd_gets_ebusy_too)
{
	struct fg_camera_attach a = {
		.width = FGT_WIDTH, .height = FGT_HEIGHT,
		.pixelformat = V4L2_PIX_FMT_YUYV, .fps = FGT_FPS,
		.buffers = FGT_BUFFERS,
	};
	struct v4l2_requestbuffers rb = {
		.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ctl = fg_ctl_open(), vfd = fgt_video_open(VIVID_CAPTURE(1)), cfd;

	ASSERT_LE(0, ctl);
	ASSERT_LE(0, vfd);
	a.v4l2_fd = vfd;
	cfd = fg_camera_attach(ctl, &a);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(-EBUSY, xioctl(vfd, VIDIOC_STREAMOFF, &type));
	EXPECT_EQ(-EBUSY, xioctl(vfd, VIDIOC_REQBUFS, &rb));
	close(cfd);
	close(vfd);
	close(ctl);
}

TEST(attach_of_a_node_in_use_is_refused)
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int ctl = fg_ctl_open(), vfd = fgt_video_open(VIVID_CAPTURE(1));
	uint32_t id;

	ASSERT_LE(0, ctl);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(0, xioctl(vfd, VIDIOC_REQBUFS, &rb));
	EXPECT_EQ(-EBUSY, fgt_attach(ctl, VIVID_CAPTURE(1), &id));
	EXPECT_EQ(0, fgt_sysfs_u64("cameras_attached"));
	close(vfd);
	close(ctl);
}

FGT_HARNESS_MAIN
