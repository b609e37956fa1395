// SPDX-License-Identifier: GPL-2.0
/*
 * Driver removal mid-stream: vivid's platform device is unbound while
 * readers ACQUIRE, read the window and RELEASE as fast as they can, then
 * bound again, several times over.
 *
 *   vivid (platform device) ─┬─ /dev/video0 ── camera A ─┬─ sessions 1-4 ─── a reader each
 *                            │                           ├─ session 9 ───── a reader
 *                            │                           └─ sessions 10-13  nobody reads
 *                            └─ /dev/video1 ── camera B ─┬─ sessions 5-8 ─── a reader each
 *                                                        ├─ session 9
 *                                                        └─ sessions 14-17  nobody reads
 *        unbind ──► all four nodes unregister, vb2 frees their buffers
 *
 * 640x360 at 40 fps, the largest frames vivid gives at that rate, and eight
 * copies of each (four more sessions per camera that nobody reads): the
 * more time the camera spends copying out of a vb2 buffer, the likelier
 * the unbind lands during a copy.
 *
 * Every session must become lost (EPOLLHUP | EPOLLERR, ACQUIRE -ENODEV),
 * every camera lost, the counters exact, and after the fds are closed and
 * vivid is bound again a camera attaches and streams as before.
 * FG_UNBIND_ROUNDS sets the number of rounds (default 5).
 */

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "tests/fgtest.h"
#include "kselftest_harness.h"

#define VIVID_DRIVER	"/sys/bus/platform/drivers/vivid"
#define NREADERS	9	/* 4 on each camera, 1 on both */
#define NPASSIVE	8	/* 4 on each camera, nobody reads */
#define NSESSIONS	(NREADERS + NPASSIVE)
#define WIDTH		640
#define HEIGHT		360
#define FPS		40

/* The device vivid's driver is bound to ("vivid.0"), or -ENOENT. */
static int vivid_device(char *name, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir(VIVID_DRIVER);
	int ret = -ENOENT;

	if (!dir)
		return -errno;
	while ((d = readdir(dir)))
		if (d->d_type == DT_LNK && !strncmp(d->d_name, "vivid", 5)) {
			snprintf(name, len, "%s", d->d_name);
			ret = 0;
			break;
		}
	closedir(dir);
	return ret;
}

/* Waits until /dev/videoN opens again after a bind. */
static int wait_node(int n, int timeout_ms)
{
	int fd, i;

	for (i = 0; i < timeout_ms / 20; i++) {
		fd = fgt_video_open(n);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		fgt_sleep_ms(20);
	}
	return -ETIMEDOUT;
}

struct reader {
	pthread_t thread;
	int fd;
	uint64_t id;
	struct fg_session_info info;
	const uint8_t *window;
	atomic_bool stop;
	uint64_t acquired;	/* successful ACQUIREs */
	uint64_t bytes;		/* their bytesused */
	uint64_t sum;		/* of the bytes read, so that they are read */
	int end;		/* the ACQUIRE error that stopped it */
	int bad_release;	/* a RELEASE error other than a lost frame's */
};

/* ACQUIRE, read the frame, RELEASE, at full rate until the session ends. */
static void *reader_run(void *arg)
{
	struct reader *r = arg;
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	struct fg_frame f;
	uint32_t i;
	int ret;

	while (!atomic_load(&r->stop)) {
		ret = fg_frame_acquire(r->fd, &f);
		if (ret == -EAGAIN) {
			poll(&pfd, 1, 100);
			continue;
		}
		if (ret) {
			r->end = ret;
			break;
		}
		r->acquired++;
		r->bytes += f.bytesused;
		for (i = 0; i < f.bytesused; i += 64)
			r->sum += r->window[f.offset + i];
		ret = fg_frame_release(r->fd, f.frame_id);
		/* The session may have been lost, and the frame with it. */
		if (ret && ret != -ENOENT)
			r->bad_release = ret;
	}
	return NULL;
}

static int wait_revents(int fd, short want, int timeout_ms)
{
	int i;

	for (i = 0; i < timeout_ms / 10; i++) {
		if ((fgt_revents(fd) & want) == want)
			return 0;
		fgt_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

/* Counts the events of one kind for an object, over what has arrived. */
struct seen_events {
	unsigned int camera_lost[2];
	unsigned int session_lost[NSESSIONS];
};

static void collect_events(struct fg_nl *events, const uint32_t *cams,
			   const struct reader *rd, struct seen_events *seen)
{
	struct fg_event_msg ev;
	int i;

	while (fg_nl_event_next(events, 500, &ev) == 1) {
		for (i = 0; i < 2; i++)
			if (ev.event == FG_EVENT_CAMERA_LOST &&
			    ev.camera_id == cams[i])
				seen->camera_lost[i]++;
		for (i = 0; i < NSESSIONS; i++)
			if (ev.event == FG_EVENT_SESSION_LOST &&
			    ev.session_id == rd[i].id)
				seen->session_lost[i]++;
	}
}

static unsigned int rounds(void)
{
	const char *v = getenv("FG_UNBIND_ROUNDS");

	return v && atoi(v) > 0 ? atoi(v) : 5;
}

/* One round: two cameras, their sessions, the readers. */
struct round {
	int ctl, cam_fd[2], stale;
	uint32_t cam[2];
	struct reader rd[NSESSIONS];
	struct fg_stats before;
	struct fg_nl *nl, *events;
};

static const int nodes[2] = { VIVID_CAPTURE(0), VIVID_CAPTURE(1) };

/* Readers first, then the passive sessions; 4 per camera of each, 1 on both. */
static void round_start(struct __test_metadata *_metadata, struct round *r)
{
	static const int colours[2] = { VIVID_PATTERN_RED, VIVID_PATTERN_BLUE };
	int i, k;

	memset(r, 0, sizeof(*r));
	r->ctl = fg_ctl_open();
	ASSERT_LE(0, r->ctl);
	r->nl = fg_nl_open();
	ASSERT_NE(NULL, r->nl);
	r->events = fg_nl_events_open();
	ASSERT_NE(NULL, r->events);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fgt_vivid_solid(nodes[i], colours[i]));
		r->cam_fd[i] = fgt_attach_fmt(r->ctl, nodes[i], WIDTH, HEIGHT,
					      V4L2_PIX_FMT_YUYV, FPS, &r->cam[i]);
		ASSERT_LE(0, r->cam_fd[i]);
	}
	/* A file of the node that outlives its registration. */
	r->stale = fgt_video_open(nodes[0]);
	ASSERT_LE(0, r->stale);
	for (i = 0; i < NSESSIONS; i++) {
		struct reader *rd = &r->rd[i];

		k = i < NREADERS ? i : i - NREADERS;
		rd->fd = fgt_session(r->ctl, 10 + i, 4, k < 8 ? &r->cam[k / 4] :
				     r->cam, k < 8 ? 1 : 2, &rd->id);
		ASSERT_LE(0, rd->fd);
		ASSERT_EQ(0, fg_session_info(rd->fd, &rd->info));
		ASSERT_EQ(0, fg_session_map(rd->fd, &rd->info,
					    (const void **)&rd->window));
	}
	ASSERT_EQ(0, fg_nl_get_stats(r->nl, &r->before));
	for (i = 0; i < NREADERS; i++)
		ASSERT_EQ(0, pthread_create(&r->rd[i].thread, NULL, reader_run,
					    &r->rd[i]));
	for (i = 0; i < NREADERS; i++)
		ASSERT_EQ(1, fgt_wait_frame(r->rd[i].fd, 5000));
}

/* Everything is lost, says so, answers as lost, and counted exactly. */
static void round_check_lost(struct __test_metadata *_metadata, struct round *r)
{
	struct fg_camera_attach a = {
		.v4l2_fd = r->stale, .width = FGT_WIDTH, .height = FGT_HEIGHT,
		.fps = FGT_FPS, .pixelformat = V4L2_PIX_FMT_YUYV,
		.buffers = FGT_BUFFERS,
	};
	struct seen_events seen = { 0 };
	uint64_t acquired = 0, bytes = 0;
	struct fg_session_status st;
	struct fg_camera_status cs;
	struct fg_stats after;
	char state[32];
	struct fg_frame f;
	int i;

	for (i = 0; i < NSESSIONS; i++)
		EXPECT_EQ(0, wait_revents(r->rd[i].fd, POLLHUP | POLLERR, 3000));
	for (i = 0; i < NREADERS; i++) {
		atomic_store(&r->rd[i].stop, true);
		pthread_join(r->rd[i].thread, NULL);
	}
	collect_events(r->events, r->cam, r->rd, &seen);

	for (i = 0; i < NSESSIONS; i++) {
		struct reader *rd = &r->rd[i];
		struct fg_session_info info;

		EXPECT_EQ(0, rd->bad_release);
		/* Either it saw the loss, or it was told to stop first. */
		if (rd->end)
			EXPECT_EQ(-ENODEV, rd->end);
		EXPECT_EQ(-ENODEV, fg_frame_acquire(rd->fd, &f));
		EXPECT_EQ(-ENOENT, fg_frame_release(rd->fd, 1u << 30));
		ASSERT_EQ(0, fg_session_info(rd->fd, &info));
		EXPECT_EQ(FG_SESSION_LOST, info.state);
		EXPECT_EQ(1, seen.session_lost[i]);

		/* What the readers got is what was counted. */
		ASSERT_EQ(0, fg_nl_get_session(r->nl, rd->id, &st));
		EXPECT_EQ(FG_SESSION_LOST, st.state);
		EXPECT_EQ(rd->acquired, st.frames_delivered);
		EXPECT_EQ(rd->bytes, st.bytes_delivered);
		EXPECT_EQ(0, st.frames_queued);
		EXPECT_EQ(0, st.frames_held);
		EXPECT_TRUE(fgt_counters_balance(&st));
		if (i < NREADERS) {
			EXPECT_LT(0, rd->acquired);
		} else {
			EXPECT_LT(0, st.frames_dropped_overrun);
		}
		acquired += rd->acquired;
		bytes += rd->bytes;
	}
	ASSERT_EQ(0, fg_nl_get_stats(r->nl, &after));
	EXPECT_EQ(acquired, after.frames_delivered - r->before.frames_delivered);
	EXPECT_EQ(bytes, after.bytes_delivered - r->before.bytes_delivered);
	EXPECT_EQ(r->before.sessions_active - NSESSIONS, after.sessions_active);
	EXPECT_EQ(r->before.cameras_attached, after.cameras_attached);

	/* No new session on a lost camera, no attach of a dead node. */
	EXPECT_EQ(-ENODEV, fgt_session(r->ctl, 1, 2, &r->cam[0], 1, NULL));
	EXPECT_EQ(-ENODEV, fg_camera_attach(r->ctl, &a));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fg_nl_get_camera(r->nl, r->cam[i], &cs));
		EXPECT_EQ(FG_CAMERA_LOST, cs.state);
		ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state),
					   "cameras/%u/state", r->cam[i]));
		EXPECT_STREQ("lost", state);
		EXPECT_EQ(1, seen.camera_lost[i]);
	}
}

static void round_close(struct __test_metadata *_metadata, struct round *r,
			int64_t alive0)
{
	struct fg_camera_status cs;
	int i;

	close(r->stale);
	for (i = 0; i < 2; i++)
		close(r->cam_fd[i]);
	for (i = 0; i < NSESSIONS; i++) {
		fg_session_unmap(r->rd[i].window, &r->rd[i].info);
		close(r->rd[i].fd);
	}
	EXPECT_EQ(alive0, fgt_sysfs_u64("objects_alive"));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(-ENOENT, fg_nl_get_camera(r->nl, r->cam[i], &cs));
	fg_nl_close(r->events);
	fg_nl_close(r->nl);
	close(r->ctl);
}

/* Bound again, a node streams its own colour through framegate. */
static void rebound_streams(struct __test_metadata *_metadata, uint32_t last)
{
	struct fg_session_info info;
	const uint8_t *w;
	struct fg_frame f;
	int ctl, cam_fd, s;
	uint32_t cam;

	ASSERT_EQ(0, wait_node(nodes[0], 3000));
	ASSERT_EQ(0, wait_node(nodes[1], 3000));
	ASSERT_EQ(0, fgt_vivid_solid(nodes[0], VIVID_PATTERN_GREEN));
	ctl = fg_ctl_open();
	ASSERT_LE(0, ctl);
	cam_fd = fgt_attach(ctl, nodes[0], &cam);
	ASSERT_LE(0, cam_fd);
	EXPECT_LT(last, cam);
	s = fgt_first_frame(ctl, cam, &f);
	ASSERT_LE(0, s);
	EXPECT_EQ(cam, f.camera_id);
	ASSERT_EQ(0, fg_session_info(s, &info));
	ASSERT_EQ(0, fg_session_map(s, &info, (const void **)&w));
	EXPECT_EQ(FGT_GREEN, fgt_yuyv_colour(w + f.offset, f.width, f.height,
					     f.bytesperline));
	fg_session_unmap(w, &info);
	close(s);
	close(cam_fd);
	close(ctl);
}

TEST(unbind_mid_stream_loses_everything_and_rebind_streams_again)
{
	char dev[256], path[320];
	unsigned int round, nrounds = rounds();
	int64_t alive0 = fgt_sysfs_u64("objects_alive");
	struct round r;

	ASSERT_EQ(0, vivid_device(dev, sizeof(dev)));
	snprintf(path, sizeof(path), VIVID_DRIVER "/%s", dev);
	ASSERT_LE(0, alive0);
	for (round = 0; round < nrounds; round++) {
		TH_LOG("round %u", round);
		round_start(_metadata, &r);
		/* Full rate for a while, then the driver goes. */
		fgt_sleep_ms(200 + 50 * round);
		ASSERT_EQ(0, fgt_write_file(VIVID_DRIVER "/unbind", dev));
		EXPECT_NE(0, access(path, F_OK));
		round_check_lost(_metadata, &r);
		round_close(_metadata, &r, alive0);

		ASSERT_EQ(0, fgt_write_file(VIVID_DRIVER "/bind", dev));
		EXPECT_EQ(0, access(path, F_OK));
		rebound_streams(_metadata, r.cam[1]);
		EXPECT_EQ(alive0, fgt_sysfs_u64("objects_alive"));
	}
}

FGT_HARNESS_MAIN
