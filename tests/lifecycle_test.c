// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle: camera loss and re-attach, detach under sessions, module
 * unload with objects open, and reload with a new format (I3 across reload).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"
#include "kselftest_harness.h"

static int wait_revents(int fd, short want, int timeout_ms)
{
	uint64_t end = fgt_now_ns() + (uint64_t)timeout_ms * 1000000;

	while (fgt_now_ns() < end) {
		if ((fgt_revents(fd) & want) == want)
			return 0;
		fgt_sleep_ms(20);
	}
	return -ETIMEDOUT;
}

static bool wait_event(struct fg_nl *events, uint32_t event, uint32_t cam,
		       uint64_t session)
{
	struct fg_event_msg ev;

	while (fg_nl_event_next(events, 3000, &ev) == 1)
		if (ev.event == event && ev.camera_id == cam &&
		    ev.session_id == session)
			return true;
	return false;
}

TEST(lost_camera_ends_its_sessions_and_can_be_attached_again)
{
	int ctl = fg_ctl_open(), cam_fd, s, s2;
	struct fg_nl *events = fg_nl_events_open();
	struct fgt_ledger ledger;
	uint32_t cam, cam2;
	struct fg_frame f, held;
	uint64_t id;
	char state[32];

	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ASSERT_LE(0, ctl);
	ASSERT_NE(NULL, events);
	ASSERT_EQ(0, fgt_vivid_solid(1, VIVID_PATTERN_WHITE));
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(1), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(ctl, 5, 4, &cam, 1, &id);
	ASSERT_LE(0, s);
	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	ASSERT_EQ(0, fg_frame_acquire(s, &held));
	/* One frame held, the rest of the ring full of ready ones to drop. */
	while (fgt_sysfs_u64("sessions/%llu/frames_queued",
			     (unsigned long long)id) < 3)
		fgt_sleep_ms(20);

	/* vivid's "Disconnect" button unregisters the node, like a USB pull. */
	ASSERT_EQ(0, fgt_video_set_ctrl(VIVID_CAPTURE(1), VIVID_CID_DISCONNECT, 1));
	ASSERT_EQ(0, wait_revents(s, POLLHUP | POLLERR, 3000));
	EXPECT_EQ(-ENODEV, fg_frame_acquire(s, &f));
	/* What the session held when it was lost is still its to release. */
	EXPECT_EQ(1, fgt_sysfs_u64("sessions/%llu/frames_held",
				   (unsigned long long)id));
	EXPECT_EQ(0, fg_frame_release(s, held.frame_id));
	EXPECT_EQ(-ENOENT, fg_frame_release(s, held.frame_id));
	EXPECT_EQ(0, fgt_sysfs_u64("sessions/%llu/frames_held",
				   (unsigned long long)id));
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "cameras/%u/state", cam));
	EXPECT_STREQ("lost", state);
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state",
				   (unsigned long long)id));
	EXPECT_STREQ("lost", state);
	EXPECT_EQ(3, fgt_sysfs_u64("sessions/%llu/frames_dropped_revoked",
				   (unsigned long long)id));
	EXPECT_TRUE(fgt_ledger_check(&ledger));
	EXPECT_TRUE(wait_event(events, FG_EVENT_CAMERA_LOST, cam, 0));
	/* No new session on a lost camera. */
	EXPECT_EQ(-ENODEV, fgt_session(ctl, 5, 4, &cam, 1, NULL));

	/* Detach: the node comes back (vivid reconnects on last close). */
	close(cam_fd);
	EXPECT_TRUE(wait_event(events, FG_EVENT_CAMERA_DETACHED, cam, 0));
	EXPECT_EQ(-ENOENT, fgt_sysfs_str(state, sizeof(state),
					 "cameras/%u/state", cam));
	/* The session outlives its camera, still lost, until closed. */
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state",
				   (unsigned long long)id));
	EXPECT_STREQ("lost", state);
	EXPECT_TRUE(fgt_ledger_close(&ledger, s));

	ASSERT_EQ(0, fgt_vivid_solid(1, VIVID_PATTERN_WHITE));
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(1), &cam2);
	ASSERT_LE(0, cam_fd);
	EXPECT_NE(cam, cam2);
	s2 = fgt_session(ctl, 5, 4, &cam2, 1, NULL);
	ASSERT_LE(0, s2);
	ASSERT_EQ(1, fgt_wait_frame(s2, 5000));
	ASSERT_EQ(0, fg_frame_acquire(s2, &f));
	EXPECT_EQ(cam2, f.camera_id);
	EXPECT_TRUE(fgt_ledger_close(&ledger, s2));
	close(cam_fd);
	fg_nl_close(events);
	close(ctl);
}

/*
 * A queue that fails (vb2_queue_error(): every DQBUF fails) or a buffer the
 * driver refuses back (QBUF fails) would otherwise leave the camera
 * "streaming" with no frame ever again: it is lost, with its sessions, and
 * can be attached again once detached.
 */
static void queue_failure_loses_the_camera(struct __test_metadata *_metadata,
					   uint32_t ctrl)
{
	int ctl = fg_ctl_open(), cam_fd, s;
	struct fgt_ledger ledger;
	uint32_t cam;
	uint64_t id;
	char state[32];

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(1), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(ctl, 6, 4, &cam, 1, &id);
	ASSERT_LE(0, s);
	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	ASSERT_EQ(0, fgt_video_set_ctrl(VIVID_CAPTURE(1), ctrl, 1));
	ASSERT_EQ(0, wait_revents(s, POLLHUP | POLLERR, 3000));
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "cameras/%u/state", cam));
	EXPECT_STREQ("lost", state);
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state",
				   (unsigned long long)id));
	EXPECT_STREQ("lost", state);
	EXPECT_TRUE(fgt_ledger_close(&ledger, s));
	close(cam_fd);
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(1), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(ctl, 6, 4, &cam, 1, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(1, fgt_wait_frame(s, 5000));
	EXPECT_TRUE(fgt_ledger_close(&ledger, s));
	close(cam_fd);
	close(ctl);
}

TEST(queue_error_loses_the_camera)
{
	queue_failure_loses_the_camera(_metadata, VIVID_CID_QUEUE_ERROR);
}

TEST(refused_requeue_loses_the_camera)
{
	queue_failure_loses_the_camera(_metadata, VIVID_CID_BUF_PREPARE_ERROR);
}

TEST(detach_makes_sessions_lost)
{
	int ctl = fg_ctl_open(), cam_fd, s;
	struct fgt_ledger ledger;
	uint32_t cam;
	struct fg_frame f;
	struct fg_session_info info;

	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ASSERT_LE(0, ctl);
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(0), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(ctl, 1, 2, &cam, 1, NULL);
	ASSERT_LE(0, s);
	close(cam_fd);
	EXPECT_EQ(POLLHUP | POLLERR, fgt_revents(s) & (POLLHUP | POLLERR));
	EXPECT_EQ(-ENODEV, fg_frame_acquire(s, &f));
	ASSERT_EQ(0, fg_session_info(s, &info));
	EXPECT_EQ(FG_SESSION_LOST, info.state);
	EXPECT_EQ(cam, info.cameras[0]);
	EXPECT_TRUE(fgt_ledger_close(&ledger, s));
	close(ctl);
}

TEST(unload_is_refused_while_open_and_reload_starts_clean)
{
	const char *ko = getenv("FG_MODULE");
	int ctl, cam_fd, s, round;
	struct fgt_ledger ledger;
	struct fg_session_info info;
	const char *params;
	const uint8_t *window;
	uint32_t cam;

	ASSERT_NE(NULL, ko);
	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ctl = fg_ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fgt_vivid_solid(0, VIVID_PATTERN_BLUE));
	params = fgt_module_params();
	cam_fd = fgt_attach(ctl, VIVID_CAPTURE(0), &cam);
	ASSERT_LE(0, cam_fd);
	s = fgt_session(ctl, 1, 4, &cam, 1, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	EXPECT_TRUE(fgt_ledger_check(&ledger));
	close(ctl);

	/* Open camera and session fds pin the module. */
	EXPECT_EQ(-EWOULDBLOCK, fgt_module_unload("framegate"));
	close(cam_fd);
	EXPECT_EQ(-EWOULDBLOCK, fgt_module_unload("framegate"));
	close(s);
	ASSERT_EQ(0, fgt_sysfs_u64("objects_alive"));
	ASSERT_EQ(0, fgt_module_unload("framegate"));
	EXPECT_EQ(-1, fgt_sysfs_u64("objects_alive"));

	/* Reload; a new format on the same node; nothing blue survives. */
	ASSERT_EQ(0, fgt_module_load(ko, params));
	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ASSERT_EQ(0, fgt_vivid_solid(0, VIVID_PATTERN_RED));
	ctl = fg_ctl_open();
	ASSERT_LE(0, ctl);
	cam_fd = fgt_attach_fmt(ctl, VIVID_CAPTURE(0), 640, 360,
				V4L2_PIX_FMT_YUYV, 30, &cam);
	ASSERT_LE(0, cam_fd);
	EXPECT_EQ(1, cam);
	for (round = 0; round < 3; round++) {
		s = fgt_session(ctl, 2, 4, &cam, 1, NULL);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, fg_session_info(s, &info));
		ASSERT_EQ(0, fg_session_map(s, &info, (const void **)&window));
		EXPECT_TRUE(fgt_yuyv_zero_or(window, info.window_size, FGT_RED));
		ASSERT_EQ(1, fgt_wait_frame(s, 5000));
		EXPECT_TRUE(fgt_yuyv_zero_or(window, info.window_size, FGT_RED));
		fg_session_unmap(window, &info);
		EXPECT_TRUE(fgt_ledger_close(&ledger, s));
	}
	close(cam_fd);
	close(ctl);
}

FGT_HARNESS_MAIN
