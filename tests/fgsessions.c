// SPDX-License-Identifier: GPL-2.0
/*
 * fgsessions: two households' sessions on the module alone, without
 * framegated, for tests/framegatectl.sh (which needs sessions that live
 * and deliver while it asks the kernel about them).
 *
 *   /dev/video0 (red)  --> camera --> session of tenant 1 --> reader, cell A
 *   /dev/video1 (blue) --> camera --> session of tenant 2 --> reader, cell B
 *
 * Each household's reader is a child process in the cell of its session
 * when enforcement is armed (/sys/kernel/framegate/enforcement), and in no
 * cell otherwise (tests/framegatectl.sh runs it unenforced). Every second
 * prints, per session, the colour of the frames its reader received and
 * its sysfs counters. Armed, home-B's cell also tries to take home-A's
 * session fd, which must be refused and counted. The verdict says whether
 * any frame reached the wrong household.
 *
 *   fgsessions [SECONDS]
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"

/* What a reader tells the parent, in shared memory. */
struct reader_stats {
	uint64_t frames[FGT_BLUE + 1];	/* by colour received */
	enum fgt_colour last;
	int err;			/* why it stopped early, 0 if it did not */
};

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
	struct fgt_worker reader;
	struct reader_stats *st;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "fgsessions: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* The reader: maps its session and counts colours until told to stop. */
static int reader(struct fgt_worker *w, void *arg)
{
	struct household *h = arg;
	struct fg_session_info info;
	const uint8_t *window;
	int ret;

	ret = fg_session_info(h->sfd, &info);
	if (!ret)
		ret = fg_session_map(h->sfd, &info, (const void **)&window);
	if (ret) {
		h->st->err = -ret;
		return 1;
	}
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = w->rd, .events = POLLIN },
			{ .fd = h->sfd, .events = POLLIN },
		};
		struct fg_frame f;

		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			return 1;
		if (pfd[0].revents)
			return 0;	/* the parent says stop, or is gone */
		if (pfd[1].revents & (POLLHUP | POLLERR)) {
			/* Revoked or lost: nothing more will come. */
			fgt_worker_await(w);
			return 0;
		}
		while (!fg_frame_acquire(h->sfd, &f)) {
			h->st->last = fgt_yuyv_colour(window + f.offset, f.width,
						      f.height, f.bytesperline);
			h->st->frames[h->st->last]++;
			fg_frame_release(h->sfd, f.frame_id);
		}
	}
}

static void setup(struct household *h, int ctl, struct fg_enforcer *e)
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
	if (e) {
		ret = fg_cell_create(e, h->session, NULL, NULL);
		if (ret)
			die("create cell", ret);
	}
	h->st = fgt_shared(sizeof(*h->st));
	if (!h->st)
		die("mmap", ENOMEM);
	ret = fgt_worker_start(&h->reader, e ? h->session : 0, reader, h);
	if (ret)
		die("start reader", ret);
	printf("%s: tenant %llu, /dev/video%d (%s) -> camera %u -> session %llu"
	       " -> reader %d%s\n", h->name, (unsigned long long)h->tenant,
	       h->video, fgt_colour_name(h->colour), h->camera,
	       (unsigned long long)h->session, h->reader.pid,
	       e ? " in its cell" : " (no cell)");
}

static int64_t denied_total(uint64_t session)
{
	int64_t sum = 0, v;
	int hook;

	for (hook = 0; hook < FG_HOOK_COUNT; hook++) {
		v = fgt_sysfs_u64("sessions/%llu/denied_%s",
				  (unsigned long long)session, fg_hook_name(hook));
		if (v > 0)
			sum += v;
	}
	return sum;
}

static void report(struct household *h, int t)
{
	unsigned long long id = h->session;
	char state[32] = "closed";

	fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state", id);
	printf("t=%2ds %-6s session %llu: receives %-5s  delivered %5lld  "
	       "dropped %lld  captured %lld  denied %lld  state %s\n", t,
	       h->name, id, fgt_colour_name(h->st->last),
	       (long long)fgt_sysfs_u64("sessions/%llu/frames_delivered", id),
	       (long long)(fgt_sysfs_u64("sessions/%llu/frames_dropped_overrun", id) +
			   fgt_sysfs_u64("sessions/%llu/frames_dropped_held", id)),
	       (long long)fgt_sysfs_u64("sessions/%llu/frames_captured", id),
	       (long long)denied_total(h->session), state);
}

/* home-B's cell reaches for home-A's session fd (inherited, as a bug would). */
struct intrusion {
	struct household *victim;
	int mmap_err;
	int ioctl_err;
};

static int intrude(struct fgt_worker *w, void *arg)
{
	struct intrusion *in = arg;
	struct fg_session_info info;
	void *p;

	(void)w;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, in->victim->sfd, 0);
	in->mmap_err = p == MAP_FAILED ? errno : 0;
	in->ioctl_err = -fg_session_info(in->victim->sfd, &info);
	return 0;
}

/* True if refused in both ways and counted exactly so on the intruder. */
static bool intrusion(struct household *victim, struct household *intruder)
{
	struct intrusion *in = fgt_shared(sizeof(*in));
	int64_t mmap0, ioctl0, mmap1, ioctl1;
	unsigned long long id = intruder->session;
	struct fgt_worker w;
	bool ok;

	if (!in)
		die("mmap", ENOMEM);
	in->victim = victim;
	mmap0 = fgt_sysfs_u64("sessions/%llu/denied_mmap", id);
	ioctl0 = fgt_sysfs_u64("sessions/%llu/denied_ioctl", id);
	if (fgt_worker_start(&w, intruder->session, intrude, in) ||
	    fgt_worker_finish(&w))
		die("intruder", EIO);
	mmap1 = fgt_sysfs_u64("sessions/%llu/denied_mmap", id);
	ioctl1 = fgt_sysfs_u64("sessions/%llu/denied_ioctl", id);
	printf("%s's cell maps %s's session: %s; asks for its info: %s; "
	       "counted on session %llu: denied_mmap %lld, denied_ioctl %lld\n",
	       intruder->name, victim->name,
	       in->mmap_err ? strerror(in->mmap_err) : "MAPPED",
	       in->ioctl_err ? strerror(in->ioctl_err) : "ANSWERED", id,
	       (long long)mmap1, (long long)ioctl1);
	ok = in->mmap_err == EACCES && in->ioctl_err == EACCES &&
	     mmap1 == mmap0 + 1 && ioctl1 == ioctl0 + 1;
	munmap(in, sizeof(*in));
	return ok;
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
	struct fg_enforcer *e = NULL;
	bool armed, refused = true;
	uint64_t next;
	char state[32];
	int ctl, i, t = 0, leak = 0, bad = 0, ret;

	if (seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "usage: fgsessions [SECONDS]\n");
		return 2;
	}
	armed = !fgt_sysfs_str(state, sizeof(state), "enforcement") &&
		!strcmp(state, "armed");
	if (armed) {
		ret = fg_enforcer_open(&e);
		if (ret)
			die("fg_enforcer_open", ret);
		printf("enforcement armed: each household's reader runs in the "
		       "cell of its session\n");
	} else {
		printf("enforcement NOT armed (allow_unenforced=1): readers run "
		       "in no cell\n");
	}
	ctl = fg_ctl_open();
	if (ctl < 0)
		die("open /dev/framegate", ctl);
	for (i = 0; i < 2; i++)
		setup(&hh[i], ctl, e);

	next = fgt_now_ns() + 1000000000ull;
	while (t < seconds) {
		fgt_sleep_ms((next - fgt_now_ns()) / 1000000 + 1);
		if (fgt_now_ns() < next)
			continue;
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
		if (armed && t == (seconds + 1) / 2)
			refused = intrusion(&hh[0], &hh[1]);
		fflush(stdout);
	}

	printf("\nverdict:\n");
	for (i = 0; i < 2; i++) {
		struct household *h = &hh[i];
		uint64_t total = 0, wrong;
		int c;

		fgt_worker_signal(&h->reader);
		if (fgt_worker_finish(&h->reader) || h->st->err)
			printf("  %s: the reader failed: %s\n", h->name,
			       strerror(h->st->err ? h->st->err : EIO));
		for (c = 0; c <= FGT_BLUE; c++)
			total += h->st->frames[c];
		wrong = total - h->st->frames[h->colour];
		printf("  %s (tenant %llu): %llu frames, %llu %s, %llu of any other "
		       "picture\n", h->name, (unsigned long long)h->tenant,
		       (unsigned long long)total,
		       (unsigned long long)h->st->frames[h->colour],
		       fgt_colour_name(h->colour), (unsigned long long)wrong);
		leak |= wrong != 0;
		if (!total || h->st->err)
			bad = 1;
		if (e && fg_cell_remove(e, h->session))
			bad = 1;
		close(h->sfd);
		close(h->cam_fd);
	}
	if (armed) {
		printf("  %s's reach into %s's session: %s\n", hh[1].name,
		       hh[0].name, refused ? "refused and counted" : "NOT REFUSED");
		bad |= !refused;
		fg_enforcer_close(e);
	}
	if (leak)
		printf("FAIL: a household saw a picture that was not its own\n");
	else if (bad)
		printf("FAIL: a household saw nothing, or a cell was not enforced\n");
	else
		printf("PASS: each household saw only its own camera\n");
	close(ctl);
	return leak || bad;
}
