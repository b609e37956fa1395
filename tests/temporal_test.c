// SPDX-License-Identifier: GPL-2.0
/*
 * Temporal isolation (I2): a session never sees a frame captured before it
 * was created, and nothing at all once revoked.
 *
 *   /dev/video0 (green) --> camera c --> session A (running)
 *                                    \-> session B (created mid-stream)
 */

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fgtest.h"
#include "kselftest_harness.h"

FIXTURE(camera) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	struct fgt_ledger ledger;
};

FIXTURE_SETUP(camera)
{
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, fgt_vivid_solid(0, VIVID_PATTERN_GREEN));
	self->cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &self->cam);
	ASSERT_LE(0, self->cam_fd);
}

FIXTURE_TEARDOWN(camera)
{
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	close(self->cam_fd);
	close(self->ctl);
}

struct seen {
	uint64_t seq;
	uint64_t ts;
};

TEST_F(camera, session_created_mid_stream_gets_no_earlier_frame)
{
	struct fg_session_info bi;
	struct fg_frame f;
	static struct seen a_seen[4096];
	int a, b, round, i, na = 0;

	a = fgt_session(self->ctl, 1, 8, &self->cam, 1, NULL);
	ASSERT_LE(0, a);
	for (round = 0; round < 5; round++) {
		uint64_t max_before = 0, b_frames = 0;
		bool any_before = false;

		/* A is streaming; B appears between two of its frames. */
		ASSERT_EQ(1, fgt_wait_frame(a, 5000));
		fgt_sleep_ms(round * 7);
		b = fgt_session(self->ctl, 2, 8, &self->cam, 1, NULL);
		ASSERT_LE(0, b);
		ASSERT_EQ(0, fg_session_info(b, &bi));

		while (b_frames < 5) {
			ASSERT_EQ(1, fgt_wait_frame(b, 5000));
			while (!fg_frame_acquire(a, &f)) {
				if (na < 4096)
					a_seen[na++] = (struct seen){ f.sequence,
								     f.timestamp_ns };
				fg_frame_release(a, f.frame_id);
			}
			while (!fg_frame_acquire(b, &f)) {
				EXPECT_LE(bi.created_ns, f.timestamp_ns);
				for (i = 0; i < na; i++)
					if (a_seen[i].ts < bi.created_ns &&
					    a_seen[i].seq >= max_before) {
						max_before = a_seen[i].seq;
						any_before = true;
					}
				if (any_before)
					EXPECT_LT(max_before, f.sequence);
				b_frames++;
				fg_frame_release(b, f.frame_id);
			}
		}
		EXPECT_TRUE(fgt_ledger_close(&self->ledger, b));
	}
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, a));
}

#define DELAY_KNOB	"/sys/kernel/debug/framegate/delivery_delay_ms"

/*
 * The window made certain: with delivery held back 300 ms after each
 * dequeue (debugfs knob), every frame still to be delivered when a session
 * is created was captured before it. Without the I2 check each new session
 * would get such a frame first.
 */
TEST_F(camera, session_created_while_frames_wait_gets_none_of_them)
{
	struct fg_session_info info;
	struct fg_frame f;
	int a, b, round;

	if (access(DELAY_KNOB, W_OK))
		SKIP(return, "%s: no debugfs fault knob", DELAY_KNOB);
	a = fgt_session(self->ctl, 1, 4, &self->cam, 1, NULL);
	ASSERT_LE(0, a);
	ASSERT_EQ(1, fgt_wait_frame(a, 5000));
	ASSERT_EQ(0, fgt_write_file(DELAY_KNOB, "300"));
	for (round = 0; round < 3; round++) {
		/* A frame is in the delay now, more wait behind it. */
		fgt_sleep_ms(100);
		b = fgt_session(self->ctl, 2, 4, &self->cam, 1, NULL);
		ASSERT_LE(0, b);
		ASSERT_EQ(0, fg_session_info(b, &info));
		ASSERT_EQ(1, fgt_wait_frame(b, 8000));
		ASSERT_EQ(0, fg_frame_acquire(b, &f));
		EXPECT_LE(info.created_ns, f.timestamp_ns);
		fg_frame_release(b, f.frame_id);
		EXPECT_TRUE(fgt_ledger_close(&self->ledger, b));
	}
	EXPECT_EQ(0, fgt_write_file(DELAY_KNOB, "0"));
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, a));
}

static sigjmp_buf sigbus_env;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_env, sig);
}

/* Reads one byte; returns the signal it raised, or 0. */
static int touch(const volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(sigbus_env, 1);
	if (!sig)
		(void)*p;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

TEST_F(camera, revoke_tears_down_mappings_ioctls_and_poll)
{
	struct fg_session_status st;
	struct fg_session_info info;
	struct fg_event_msg ev;
	struct fg_nl *nl, *events;
	const uint8_t *window;
	const void *again;
	struct fg_frame f;
	char state[32];
	uint64_t id;
	int s, found = 0;
	int64_t revoked_before = fgt_sysfs_u64("sessions_revoked");

	events = fg_nl_events_open();
	ASSERT_NE(NULL, events);
	nl = fg_nl_open();
	ASSERT_NE(NULL, nl);

	s = fgt_session(self->ctl, 7, 4, &self->cam, 1, &id);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, fg_session_info(s, &info));
	ASSERT_EQ(0, fg_session_map(s, &info, (const void **)&window));
	ASSERT_EQ(1, fgt_wait_frame(s, 5000));
	ASSERT_EQ(0, fg_frame_acquire(s, &f));
	/* Every other slot ready: the revoke has frames to drop. */
	while (fgt_sysfs_u64("sessions/%llu/frames_queued",
			     (unsigned long long)id) < info.depth - 1)
		fgt_sleep_ms(20);
	/* The page is mapped and readable, and green. */
	EXPECT_EQ(0, touch(window + f.offset));
	EXPECT_EQ(FGT_GREEN, fgt_yuyv_colour(window + f.offset, f.width,
					     f.height, f.bytesperline));
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state",
				   (unsigned long long)id));
	EXPECT_STREQ("active", state);

	ASSERT_EQ(0, fg_nl_revoke_session(nl, id));

	/* Mapped pages are gone: SIGBUS, on a page touched before or not. */
	EXPECT_EQ(SIGBUS, touch(window + f.offset));
	EXPECT_EQ(SIGBUS, touch(window + info.window_size - 1));
	/* No new mapping, no frame, no release. */
	again = mmap(NULL, info.window_size, PROT_READ, MAP_SHARED, s, 0);
	EXPECT_EQ(MAP_FAILED, again);
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EPERM, fg_frame_acquire(s, &f));
	EXPECT_EQ(-EPERM, fg_frame_release(s, f.frame_id));
	EXPECT_EQ(POLLHUP | POLLERR, fgt_revents(s) & (POLLHUP | POLLERR));
	EXPECT_EQ(0, fgt_revents(s) & POLLIN);
	/* Revoking twice is refused; the state says why. */
	EXPECT_EQ(-EALREADY, fg_nl_revoke_session(nl, id));
	ASSERT_EQ(0, fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state",
				   (unsigned long long)id));
	EXPECT_STREQ("revoked", state);
	EXPECT_EQ(revoked_before + 1, fgt_sysfs_u64("sessions_revoked"));
	/* A frame being copied in at the revoke is counted once copied. */
	fgt_sleep_ms(100);
	ASSERT_EQ(0, fg_nl_get_session(nl, id, &st));
	EXPECT_EQ(FG_SESSION_REVOKED, st.state);
	EXPECT_EQ(0, st.frames_queued);
	EXPECT_EQ(0, st.frames_held);
	/* The ready frames, and one being copied in when it came, if any. */
	EXPECT_EQ(info.depth - 1, st.frames_dropped_revoked);
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));

	/* The events group said so: created, then revoked. */
	while (fg_nl_event_next(events, 2000, &ev) == 1) {
		if (ev.session_id != id)
			continue;
		if (ev.event == FG_EVENT_SESSION_CREATED && found == 0)
			found = 1;
		else if (ev.event == FG_EVENT_SESSION_REVOKED && found == 1)
			found = 2;
		if (found == 2)
			break;
	}
	EXPECT_EQ(2, found);
	EXPECT_EQ(7, ev.tenant_id);

	munmap((void *)window, info.window_size);
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, s));
	/* Closing the last fd frees it: sysfs and netlink forget it. */
	EXPECT_EQ(-1, fgt_sysfs_u64("sessions/%llu/frames_captured",
				    (unsigned long long)id));
	EXPECT_EQ(-ENOENT, fg_nl_get_session(nl, id, &st));
	while (fg_nl_event_next(events, 2000, &ev) == 1)
		if (ev.session_id == id && ev.event == FG_EVENT_SESSION_CLOSED)
			break;
	EXPECT_EQ(FG_EVENT_SESSION_CLOSED, ev.event);
	fg_nl_close(nl);
	fg_nl_close(events);
}

TEST_F(camera, revoke_leaves_other_sessions_alone)
{
	struct fg_nl *nl = fg_nl_open();
	struct fg_frame f;
	uint64_t id1;
	int s1, s2, n = 0;

	ASSERT_NE(NULL, nl);
	s1 = fgt_session(self->ctl, 1, 4, &self->cam, 1, &id1);
	s2 = fgt_session(self->ctl, 2, 4, &self->cam, 1, NULL);
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, fg_nl_revoke_session(nl, id1));
	while (n < 10) {
		ASSERT_EQ(1, fgt_wait_frame(s2, 5000));
		while (!fg_frame_acquire(s2, &f)) {
			fg_frame_release(s2, f.frame_id);
			n++;
		}
	}
	EXPECT_EQ(-EPERM, fg_frame_acquire(s1, &f));
	EXPECT_EQ(-ENOENT, fg_nl_revoke_session(nl, 999999));
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, s1));
	EXPECT_TRUE(fgt_ledger_close(&self->ledger, s2));
	fg_nl_close(nl);
}

FGT_HARNESS_MAIN
