// SPDX-License-Identifier: GPL-2.0
/*
 * fgdemo: two households, two cameras, live counters and a verdict.
 *
 *   /dev/video0 (red)  --> camera --> session of tenant 1
 *   /dev/video1 (blue) --> camera --> session of tenant 2
 *
 * Every second prints, per session, the colour of the frames it received
 * and its sysfs counters. The verdict says whether any frame reached the
 * wrong household. Run by scripts/demo-guest inside the QEMU guest.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"

struct household {
	const char *name;
	uint64_t tenant;
	int video;
	int pattern;
	enum fgt_colour colour;
	uint32_t camera;
	int cam_fd;
	int sfd;
	uint64_t session;
	struct fg_session_info info;
	const uint8_t *window;
	uint64_t frames[FGT_BLUE + 1];	/* by colour received */
	enum fgt_colour last;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "fgdemo: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void setup(struct household *h, int ctl)
{
	int ret;

	ret = fgt_vivid_solid(h->video, h->pattern);
	if (ret)
		die("set vivid test pattern", ret);
	h->cam_fd = fgt_attach(ctl, h->video, &h->camera);
	if (h->cam_fd < 0)
		die("attach camera", h->cam_fd);
	h->sfd = fgt_session(ctl, h->tenant, 4, &h->camera, 1, &h->session);
	if (h->sfd < 0)
		die("create session", h->sfd);
	ret = fg_session_info(h->sfd, &h->info);
	if (!ret)
		ret = fg_session_map(h->sfd, &h->info, (const void **)&h->window);
	if (ret)
		die("map session", ret);
	printf("%s: tenant %llu, /dev/video%d (%s) -> camera %u -> session %llu\n",
	       h->name, (unsigned long long)h->tenant, h->video,
	       fgt_colour_name(h->colour), h->camera,
	       (unsigned long long)h->session);
}

static void consume(struct household *h)
{
	struct fg_frame f;

	while (!fg_frame_acquire(h->sfd, &f)) {
		h->last = fgt_yuyv_colour(h->window + f.offset, f.width,
					  f.height, f.bytesperline);
		h->frames[h->last]++;
		fg_frame_release(h->sfd, f.frame_id);
	}
}

static void report(struct household *h, int t)
{
	unsigned long long id = h->session;

	printf("t=%2ds %-6s session %llu: receives %-5s  delivered %5lld  "
	       "dropped %lld  captured %lld  state %s\n", t, h->name, id,
	       fgt_colour_name(h->last),
	       (long long)fgt_sysfs_u64("sessions/%llu/frames_delivered", id),
	       (long long)(fgt_sysfs_u64("sessions/%llu/frames_dropped_overrun", id) +
			   fgt_sysfs_u64("sessions/%llu/frames_dropped_held", id)),
	       (long long)fgt_sysfs_u64("sessions/%llu/frames_captured", id),
	       h->info.state == FG_SESSION_ACTIVE ? "active" : "ended");
}

int main(int argc, char **argv)
{
	struct household hh[2] = {
		{ .name = "home-A", .tenant = 1, .video = 0,
		  .pattern = VIVID_PATTERN_RED, .colour = FGT_RED },
		{ .name = "home-B", .tenant = 2, .video = 1,
		  .pattern = VIVID_PATTERN_BLUE, .colour = FGT_BLUE },
	};
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	uint64_t start, next;
	int ctl, i, t = 0, bad = 0;

	if (seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "usage: fgdemo [SECONDS]\n");
		return 2;
	}
	ctl = fg_ctl_open();
	if (ctl < 0)
		die("open /dev/framegate", ctl);
	for (i = 0; i < 2; i++)
		setup(&hh[i], ctl);

	start = fgt_now_ns();
	next = start + 1000000000ull;
	while (t < seconds) {
		struct pollfd pfd[2] = {
			{ .fd = hh[0].sfd, .events = POLLIN },
			{ .fd = hh[1].sfd, .events = POLLIN },
		};

		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			die("poll", -errno);
		for (i = 0; i < 2; i++)
			consume(&hh[i]);
		if (fgt_now_ns() >= next) {
			t++;
			next += 1000000000ull;
			for (i = 0; i < 2; i++)
				report(&hh[i], t);
			printf("t=%2ds global  captured %lld  delivered %lld  "
			       "dropped %lld  sessions active %lld\n", t,
			       (long long)fgt_sysfs_u64("frames_captured"),
			       (long long)fgt_sysfs_u64("frames_delivered"),
			       (long long)fgt_sysfs_u64("frames_dropped"),
			       (long long)fgt_sysfs_u64("sessions_active"));
			fflush(stdout);
		}
	}

	printf("\nverdict:\n");
	for (i = 0; i < 2; i++) {
		struct household *h = &hh[i];
		uint64_t total = 0, wrong;
		int c;

		for (c = 0; c <= FGT_BLUE; c++)
			total += h->frames[c];
		wrong = total - h->frames[h->colour];
		printf("  %s (tenant %llu): %llu frames, %llu %s, %llu of any other "
		       "picture\n", h->name, (unsigned long long)h->tenant,
		       (unsigned long long)total,
		       (unsigned long long)h->frames[h->colour],
		       fgt_colour_name(h->colour), (unsigned long long)wrong);
		if (wrong || !total)
			bad = 1;
		fg_session_unmap(h->window, &h->info);
		close(h->sfd);
		close(h->cam_fd);
	}
	printf("%s\n", bad ? "FAIL: a household saw a picture that was not its own"
			   : "PASS: each household saw only its own camera");
	close(ctl);
	return bad;
}
