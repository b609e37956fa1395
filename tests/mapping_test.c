// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings of a session window: readable and nothing else, for good; never
 * copied into a child by fork(); all zero until a frame of the session is
 * written there (I2, I3, I5).
 *
 *   /dev/video0 (red) --> camera c --> session S --> S's window, mapped here
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"
#include "kselftest_harness.h"

#define FRAME_BYTES	(FGT_WIDTH * FGT_HEIGHT * 2)

FIXTURE(window) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	int sfd;
	struct fg_session_info info;
	struct fgt_ledger ledger;
};

FIXTURE_SETUP(window)
{
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, fgt_vivid_solid(0, VIVID_PATTERN_RED));
	self->cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &self->cam);
	ASSERT_LE(0, self->cam_fd);
	self->sfd = fgt_session(self->ctl, 1, 4, &self->cam, 1, NULL);
	ASSERT_LE(0, self->sfd);
	ASSERT_EQ(0, fg_session_info(self->sfd, &self->info));
}

FIXTURE_TEARDOWN(window)
{
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	close(self->sfd);
	close(self->cam_fd);
	close(self->ctl);
}

/* Whether the maps of `pid` ("self" for 0) show a session window. */
static int maps_session_window(pid_t pid)
{
	char path[64], line[512];
	int found = 0;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "framegate-session"))
			found = 1;
	fclose(f);
	return found;
}

/* The child reads the address its parent mapped the window at. */
static int read_parents_window(struct fgt_worker *w, void *arg)
{
	const volatile uint8_t *p = arg;

	if (fgt_worker_await(w))
		return FGT_WORKER_LOST;
	return *p == 0x5a ? 1 : 0;	/* either way it should not get here */
}

TEST_F(window, forked_child_does_not_inherit_the_mapping)
{
	const uint8_t *win;
	struct fgt_worker w;
	struct fg_frame f;

	ASSERT_EQ(0, fg_session_map(self->sfd, &self->info,
				    (const void **)&win));
	ASSERT_EQ(1, fgt_wait_frame(self->sfd, 5000));
	ASSERT_EQ(0, fg_frame_acquire(self->sfd, &f));
	/* Mapped and faulted in here. */
	ASSERT_EQ(FGT_RED, fgt_yuyv_colour(win + f.offset, f.width, f.height,
					   f.bytesperline));
	ASSERT_EQ(1, maps_session_window(0));

	ASSERT_EQ(0, fgt_worker_start(&w, 0, read_parents_window,
				      (void *)(win + f.offset)));
	EXPECT_EQ(0, maps_session_window(w.pid));
	ASSERT_EQ(0, fgt_worker_signal(&w));
	EXPECT_EQ(128 + SIGSEGV, fgt_worker_finish(&w));

	EXPECT_EQ(0, fg_frame_release(self->sfd, f.frame_id));
	fg_session_unmap(win, &self->info);
}

/* One way of asking for a mapping, and the errno it must get (0: works). */
struct map_try {
	const char *what;
	int prot;
	int flags;
	int mprotect;		/* -1: mmap(prot) itself; else mprotect to it */
	int err;
};

static void map_try_run(struct __test_metadata *_metadata,
			FIXTURE_DATA(window) *self, const struct map_try *t)
{
	size_t len = self->info.window_size;
	void *p;
	int err = 0;

	p = mmap(NULL, len, t->mprotect < 0 ? t->prot : PROT_READ, t->flags,
		 self->sfd, 0);
	if (t->mprotect < 0) {
		err = p == MAP_FAILED ? errno : 0;
	} else {
		ASSERT_NE(MAP_FAILED, p) {
			TH_LOG("%s: the read-only mmap: %s", t->what,
			       strerror(errno));
		}
		err = mprotect(p, len, t->mprotect) ? errno : 0;
	}
	if (p != MAP_FAILED)
		munmap(p, len);
	EXPECT_EQ(t->err, err) {
		TH_LOG("%s: %s, expected %s", t->what,
		       err ? strerror(err) : "works",
		       t->err ? strerror(t->err) : "success");
	}
}

/* Every try of the list, each with its own verdict. */
#define MAP_TRIES(...) do {						\
	static const struct map_try __t[] = { __VA_ARGS__ };		\
	size_t __i;							\
									\
	for (__i = 0; __i < sizeof(__t) / sizeof(__t[0]); __i++)	\
		map_try_run(_metadata, self, &__t[__i]);		\
} while (0)

#define MAP_TRY(p, f, e)	{ #p ", " #f, (p), (f), -1, (e) }
#define MPROTECT_TRY(f, p, e)	{ "mprotect " #p " after PROT_READ, " #f, \
				  PROT_READ, (f), (p), (e) }

TEST_F(window, readable_mappings_work)
{
	MAP_TRIES(
		MAP_TRY(PROT_READ, MAP_SHARED, 0),
		MAP_TRY(PROT_READ, MAP_PRIVATE, 0),
		MPROTECT_TRY(MAP_SHARED, PROT_READ, 0),
		MPROTECT_TRY(MAP_SHARED, PROT_NONE, 0),
		MPROTECT_TRY(MAP_PRIVATE, PROT_NONE, 0));
}

/*
 * A private mapping is the one the kernel would let become writable (copy
 * on write); only the module's clearing of VM_MAYWRITE stops that.
 */
TEST_F(window, writable_mappings_are_refused)
{
	MAP_TRIES(
		MAP_TRY(PROT_READ | PROT_WRITE, MAP_SHARED, EACCES),
		MAP_TRY(PROT_READ | PROT_WRITE, MAP_PRIVATE, EACCES),
		MAP_TRY(PROT_WRITE, MAP_PRIVATE, EACCES),
		MPROTECT_TRY(MAP_SHARED, PROT_READ | PROT_WRITE, EACCES),
		MPROTECT_TRY(MAP_PRIVATE, PROT_READ | PROT_WRITE, EACCES));
}

/* "only PROT_READ" (uapi/linux/framegate.h): no executable window. */
TEST_F(window, executable_mappings_are_refused)
{
	MAP_TRIES(
		MAP_TRY(PROT_READ | PROT_EXEC, MAP_SHARED, EACCES),
		MAP_TRY(PROT_READ | PROT_EXEC, MAP_PRIVATE, EACCES),
		MAP_TRY(PROT_EXEC, MAP_SHARED, EACCES),
		MPROTECT_TRY(MAP_SHARED, PROT_READ | PROT_EXEC, EACCES),
		MPROTECT_TRY(MAP_PRIVATE, PROT_READ | PROT_EXEC, EACCES));
}

#undef MAP_TRIES
#undef MPROTECT_TRY
#undef MAP_TRY

/* Whether the kernel was told not to zero what it allocates. */
static bool init_on_alloc_off(void)
{
	char cmdline[4096] = "";
	size_t n;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f)
		return false;
	n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	cmdline[n] = '\0';
	return strstr(cmdline, "init_on_alloc=0") != NULL;
}

/*
 * Pages that hold something: what a window allocated without zeroing would
 * get from the page allocator, which hands out recently freed pages first.
 */
static void dirty_free_pages(void)
{
	size_t len = 64u << 20;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return;
	memset(p, 0xa5, len);
	munmap(p, len);
}

/* The first non-zero byte in p[from..to), or to. */
static size_t first_nonzero(const uint8_t *p, size_t from, size_t to)
{
	while (from < to && !p[from])
		from++;
	return from;
}

/*
 * "Every page of the window starts zeroed": all of it, slot padding and
 * the end of the window included, before any frame. The camera runs at
 * 1 fps and the session is created just after one of its frames, so none
 * lands while the window is read; if one does (a slow guest), the slots it
 * can have reached may hold red frames, and everything else must still be
 * zero.
 */
TEST(fresh_window_is_all_zero)
{
	struct fgt_ledger ledger;
	struct fg_session_info info;
	const uint8_t *win;
	int64_t cam_frames, landed = 0;
	size_t slot, bad;
	uint32_t cam;
	int ctl, cam_fd, sfd;
	uint64_t sid;

	if (!init_on_alloc_off())
		SKIP(return, "the kernel zeroes every allocation (init_on_alloc): a window that is not zeroed by the module would look zeroed; boot with init_on_alloc=0");
	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ctl = fg_ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fgt_vivid_solid(1, VIVID_PATTERN_RED));
	cam_fd = fgt_attach_fmt(ctl, VIVID_CAPTURE(1), FGT_WIDTH, FGT_HEIGHT,
				V4L2_PIX_FMT_YUYV, 1, &cam);
	ASSERT_LE(0, cam_fd);
	/* Just after a frame: the next one is a second away. */
	cam_frames = fgt_sysfs_u64("cameras/%u/frames_captured", cam);
	while (fgt_sysfs_u64("cameras/%u/frames_captured", cam) == cam_frames)
		fgt_sleep_ms(5);

	dirty_free_pages();
	sfd = fgt_session(ctl, 1, 8, &cam, 1, &sid);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, fg_session_info(sfd, &info));
	ASSERT_EQ(0, fg_session_map(sfd, &info, (const void **)&win));
	ASSERT_LT(FRAME_BYTES, info.slot_size);

	/*
	 * Frames fill the lowest free slot, one after the other: a frame can
	 * have been written into slot k while it was read only if the
	 * session had captured k frames by the end of the read.
	 */
	bad = info.window_size;
	for (slot = 0; slot < info.depth && bad == info.window_size; slot++) {
		size_t base = slot * info.slot_size, end = base + info.slot_size;
		bool zero = first_nonzero(win, base, base + FRAME_BYTES) ==
			    base + FRAME_BYTES;
		bool red = fgt_yuyv_zero_or(win + base, FRAME_BYTES, FGT_RED);
		size_t pad = first_nonzero(win, base + FRAME_BYTES, end);

		landed = fgt_sysfs_u64("sessions/%llu/frames_captured",
				       (unsigned long long)sid);
		ASSERT_LE(0, landed);
		if (!zero && !(red && (int64_t)slot <= landed))
			bad = first_nonzero(win, base, end);
		else if (pad < end)
			bad = pad;
	}
	if (landed)
		TH_LOG("%lld frames landed while the window was read",
		       (long long)landed);
	EXPECT_EQ(info.window_size, bad) {
		TH_LOG("byte %zu of %llu (slot %zu, offset %zu in it) is 0x%02x",
		       bad, (unsigned long long)info.window_size,
		       bad / info.slot_size, bad % info.slot_size, win[bad]);
	}
	fg_session_unmap(win, &info);
	EXPECT_TRUE(fgt_ledger_check(&ledger));
	close(sfd);
	close(cam_fd);
	close(ctl);
}

FGT_HARNESS_MAIN
