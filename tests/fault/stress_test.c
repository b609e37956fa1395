// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: every operation at once, on shared objects, for
 * FG_STRESS_SECONDS (default 20).
 *
 *   /dev/video0 ─┐                       ┌─ session slots (12) ─────────┐
 *   /dev/video1 ─┴─ camera slots (2) ────┤  fd, id, window              │
 *                   attacher: attach and │                              │
 *                     detach             │  creator ×2   create on 1-2 cameras
 *                   disconnector: vivid's│  revoker      REVOKE_SESSION by id
 *                     Disconnect control │  closer       check the counters, close
 *                                        │  acquirer ×2  ACQUIRE, read, RELEASE
 *                                        │  mapper       mmap / munmap the window
 *                                        │  toucher ×2   read every page of it
 *                                        └─ dumper       netlink dumps, sysfs
 *
 * A slot's rwlock keeps an fd from being closed (and its number reused)
 * while another thread uses it; the kernel objects behind the slots are
 * shared freely, so revoke races fault, detach races acquire, and so on.
 * Every call must succeed or fail with an errno the uapi header gives for
 * the state the object may be in; a window access may raise SIGBUS only
 * once the session is revoked, and must after; before a session fd is
 * closed its counters must balance and frames_delivered must equal the
 * ACQUIREs made on it. At the end nothing is left alive.
 */

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fgtest.h"
#include "kselftest_harness.h"

#define NCAMS		2
#define NSLOTS		12
#define PAGE		4096

struct cam_slot {
	pthread_mutex_t lock;
	int fd;				/* -1: detached */
	_Atomic uint32_t id;		/* 0: detached */
};

struct sess_slot {
	/* read: use fd or window; write: change them */
	pthread_rwlock_t lock;
	int fd;				/* -1: none */
	uint64_t id;			/* 0: free (no fd, no window) */
	struct fg_session_info info;
	const volatile uint8_t *window;	/* NULL: not mapped */
	atomic_ullong acquired;		/* successful ACQUIREs on fd */
	atomic_ullong bytes;		/* their bytesused */
};

static struct stress {
	int ctl;
	atomic_bool stop;
	struct cam_slot cam[NCAMS];
	struct sess_slot s[NSLOTS];
	atomic_ulong ops, sigbus;
	unsigned long unexpected;
} st;

#define unexpected(...) fgt_finding(&st.unexpected, 20, "unexpected", __VA_ARGS__)

/* ret is 0 or one of the errnos in the list ended by 0. */
static void expect_one_of(const char *what, int ret, ...)
{
	va_list ap;
	int e;

	atomic_fetch_add(&st.ops, 1);
	if (!ret)
		return;
	va_start(ap, ret);
	while ((e = va_arg(ap, int)))
		if (ret == -e)
			break;
	va_end(ap);
	if (!e)
		unexpected("%s: %s", what, strerror(-ret));
}

struct thread {
	const char *name;
	void (*step)(struct thread *t);
	pthread_t pt;
	unsigned int seed;
	struct fg_nl *nl;
	uint64_t sum;
};

static unsigned int rnd(struct thread *t, unsigned int n)
{
	return rand_r(&t->seed) % n;
}

static struct sess_slot *any_slot(struct thread *t)
{
	return &st.s[rnd(t, NSLOTS)];
}

static void attacher(struct thread *t)
{
	struct cam_slot *c = &st.cam[rnd(t, NCAMS)];
	uint32_t id;
	int fd;

	pthread_mutex_lock(&c->lock);
	if (c->fd < 0) {
		fd = fgt_attach(st.ctl, VIVID_CAPTURE(c - st.cam), &id);
		/* The node may be gone (disconnected) or going. */
		expect_one_of("attach", fd < 0 ? fd : 0, ENOENT, ENODEV, ENXIO, 0);
		if (fd >= 0) {
			c->fd = fd;
			atomic_store(&c->id, id);
		}
	} else if (!rnd(t, 3)) {
		atomic_store(&c->id, 0);
		close(c->fd);
		c->fd = -1;
	}
	pthread_mutex_unlock(&c->lock);
	usleep(20000 + rnd(t, 100000));
}

static void disconnector(struct thread *t)
{
	int n = rnd(t, NCAMS), ret;

	usleep(1000000 + rnd(t, 2000000));
	ret = fgt_video_set_ctrl(VIVID_CAPTURE(n), VIVID_CID_DISCONNECT, 1);
	expect_one_of("disconnect", ret, ENOENT, ENODEV, ENXIO, 0);
}

static void creator(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	uint32_t ids[NCAMS], n = 0;
	int i, fd;

	for (i = 0; i < NCAMS; i++) {
		ids[n] = atomic_load(&st.cam[i].id);
		if (ids[n] && (n == 0 || rnd(t, 2)))
			n++;
	}
	if (!n) {
		usleep(10000);
		return;
	}
	pthread_rwlock_wrlock(&s->lock);
	if (!s->id) {
		fd = fgt_session(st.ctl, 1 + rnd(t, 4), 1 + rnd(t, 4), ids, n,
				 &s->id);
		/* A camera may have been detached or lost since. */
		expect_one_of("create", fd < 0 ? fd : 0, ENOENT, ENODEV, 0);
		if (fd >= 0) {
			s->fd = fd;
			atomic_store(&s->acquired, 0);
			atomic_store(&s->bytes, 0);
			if (fg_session_info(fd, &s->info))
				unexpected("info of a new session");
		} else {
			s->id = 0;
		}
	}
	pthread_rwlock_unlock(&s->lock);
	usleep(rnd(t, 20000));
}

static void revoker(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	uint64_t id;

	pthread_rwlock_rdlock(&s->lock);
	id = s->id;
	pthread_rwlock_unlock(&s->lock);
	if (id)
		expect_one_of("revoke", fg_nl_revoke_session(t->nl, id),
			      EALREADY, ENOENT, 0);
	usleep(rnd(t, 100000));
}

/* Frees the slot once neither its fd nor its window is left. */
static void slot_maybe_free(struct sess_slot *s)
{
	if (s->fd < 0 && !s->window)
		s->id = 0;
}

static void closer(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	struct fg_session_status ss;
	int ret;

	pthread_rwlock_wrlock(&s->lock);
	if (s->fd >= 0) {
		/* Nobody can ACQUIRE on it now: the counts must agree. */
		ret = fg_nl_get_session(t->nl, s->id, &ss);
		expect_one_of("get session", ret, 0);
		if (!ret && (!fgt_counters_balance(&ss) ||
			     ss.frames_delivered != atomic_load(&s->acquired) ||
			     ss.bytes_delivered != atomic_load(&s->bytes)))
			unexpected("session %llu: captured %llu delivered %llu (acquired %llu) bytes %llu (%llu) overrun %llu held %llu revoked %llu queued %llu",
				   (unsigned long long)s->id,
				   (unsigned long long)ss.frames_captured,
				   (unsigned long long)ss.frames_delivered,
				   (unsigned long long)atomic_load(&s->acquired),
				   (unsigned long long)ss.bytes_delivered,
				   (unsigned long long)atomic_load(&s->bytes),
				   (unsigned long long)ss.frames_dropped_overrun,
				   (unsigned long long)ss.frames_dropped_held,
				   (unsigned long long)ss.frames_dropped_revoked,
				   (unsigned long long)ss.frames_queued);
		close(s->fd);
		s->fd = -1;
		slot_maybe_free(s);
	}
	pthread_rwlock_unlock(&s->lock);
	usleep(50000 + rnd(t, 200000));
}

static void acquirer(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	struct fg_frame f;
	int ret = 0;

	pthread_rwlock_rdlock(&s->lock);
	if (s->fd >= 0) {
		ret = fg_frame_acquire(s->fd, &f);
		expect_one_of("acquire", ret, EAGAIN, EPERM, ENODEV, 0);
		if (!ret) {
			atomic_fetch_add(&s->acquired, 1);
			atomic_fetch_add(&s->bytes, f.bytesused);
			if (s->window && !fgt_touch(s->window + f.offset,
						    f.bytesused, 256, false, &t->sum))
				atomic_fetch_add(&st.sigbus, 1);
			expect_one_of("release", fg_frame_release(s->fd, f.frame_id),
				      ENOENT, EPERM, 0);
		}
	}
	pthread_rwlock_unlock(&s->lock);
	if (ret == -EAGAIN)
		usleep(rnd(t, 5000));
}

static void mapper(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	const void *w;
	int ret;

	pthread_rwlock_wrlock(&s->lock);
	if (s->window) {
		expect_one_of("munmap", fg_session_unmap((const void *)s->window,
							 &s->info), 0);
		s->window = NULL;
		slot_maybe_free(s);
	} else if (s->fd >= 0) {
		ret = fg_session_map(s->fd, &s->info, &w);
		expect_one_of("mmap", ret, EPERM, 0);
		if (!ret)
			s->window = w;
	}
	pthread_rwlock_unlock(&s->lock);
	usleep(rnd(t, 50000));
}

static void toucher(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	struct fg_session_info info;
	bool revoked_before = false, ok;

	pthread_rwlock_rdlock(&s->lock);
	if (s->window) {
		if (s->fd >= 0 && !fg_session_info(s->fd, &info))
			revoked_before = info.state == FG_SESSION_REVOKED;
		ok = fgt_touch(s->window, s->info.window_size, PAGE, false,
			       &t->sum);
		if (!ok)
			atomic_fetch_add(&st.sigbus, 1);
		/* SIGBUS exactly when revoked (I2). */
		if (ok && revoked_before)
			unexpected("session %llu: revoked, its window still reads",
				   (unsigned long long)s->id);
		if (!ok && s->fd >= 0 && !fg_session_info(s->fd, &info) &&
		    info.state != FG_SESSION_REVOKED)
			unexpected("session %llu: SIGBUS in state %u",
				   (unsigned long long)s->id, info.state);
		atomic_fetch_add(&st.ops, 1);
	}
	pthread_rwlock_unlock(&s->lock);
	usleep(rnd(t, 10000));
}

static void dumper(struct thread *t)
{
	struct sess_slot *s = any_slot(t);
	struct fg_stats stats;
	unsigned int n, unbalanced = 0;
	char buf[64];
	uint64_t id;

	expect_one_of("dump sessions",
		      fgt_nl_count_sessions(t->nl, &n, &unbalanced), 0);
	if (unbalanced)
		unexpected("dump: %u of %u sessions do not balance", unbalanced, n);
	expect_one_of("dump cameras", fgt_nl_count_cameras(t->nl, &n), 0);
	expect_one_of("stats", fg_nl_get_stats(t->nl, &stats), 0);
	pthread_rwlock_rdlock(&s->lock);
	id = s->id;
	pthread_rwlock_unlock(&s->lock);
	if (id)
		expect_one_of("sysfs state",
			      fgt_sysfs_str(buf, sizeof(buf), "sessions/%llu/state",
					    (unsigned long long)id), ENOENT, 0);
	usleep(rnd(t, 20000));
}

static void *thread_run(void *arg)
{
	struct thread *t = arg;

	while (!atomic_load(&st.stop))
		t->step(t);
	return NULL;
}

static unsigned int seconds(void)
{
	const char *v = getenv("FG_STRESS_SECONDS");

	return v && atoi(v) > 0 ? atoi(v) : 20;
}

FIXTURE(stress) {
	struct thread t[13];
	unsigned int n;
};

FIXTURE_SETUP(stress)
{
	static const struct { const char *name; void (*step)(struct thread *); }
	roles[] = {
		{ "attacher", attacher }, { "disconnector", disconnector },
		{ "creator", creator }, { "creator", creator },
		{ "revoker", revoker }, { "closer", closer },
		{ "acquirer", acquirer }, { "acquirer", acquirer },
		{ "mapper", mapper }, { "toucher", toucher },
		{ "toucher", toucher }, { "dumper", dumper },
	};
	unsigned int i, seed = getenv("FG_STRESS_SEED") ?
		strtoul(getenv("FG_STRESS_SEED"), NULL, 0) : (unsigned int)getpid();

	ASSERT_EQ(0, fgt_sysfs_u64("objects_alive"));
	memset(&st, 0, sizeof(st));
	st.ctl = fg_ctl_open();
	ASSERT_LE(0, st.ctl);
	for (i = 0; i < NCAMS; i++) {
		pthread_mutex_init(&st.cam[i].lock, NULL);
		st.cam[i].fd = -1;
		ASSERT_EQ(0, fgt_vivid_solid(VIVID_CAPTURE(i), VIVID_PATTERN_RED));
	}
	for (i = 0; i < NSLOTS; i++) {
		pthread_rwlock_init(&st.s[i].lock, NULL);
		st.s[i].fd = -1;
	}
	ASSERT_EQ(0, fgt_catch_faults());
	TH_LOG("seed %u (FG_STRESS_SEED), %u s (FG_STRESS_SECONDS)", seed,
	       seconds());
	self->n = ARRAY_SIZE(roles);
	for (i = 0; i < self->n; i++) {
		self->t[i].name = roles[i].name;
		self->t[i].step = roles[i].step;
		self->t[i].seed = seed + i;
		self->t[i].nl = fg_nl_open();
		ASSERT_NE(NULL, self->t[i].nl);
	}
}

FIXTURE_TEARDOWN(stress)
{
	unsigned int i;

	for (i = 0; i < self->n; i++)
		fg_nl_close(self->t[i].nl);
	close(st.ctl);
}

TEST_F_TIMEOUT(stress, everything_at_once_leaves_nothing_behind, 300)
{
	struct fg_stats stats;
	struct fg_nl *nl;
	unsigned int i;

	for (i = 0; i < self->n; i++)
		ASSERT_EQ(0, pthread_create(&self->t[i].pt, NULL, thread_run,
					    &self->t[i]));
	sleep(seconds());
	atomic_store(&st.stop, true);
	for (i = 0; i < self->n; i++)
		pthread_join(self->t[i].pt, NULL);

	for (i = 0; i < NSLOTS; i++) {
		if (st.s[i].window)
			fg_session_unmap((const void *)st.s[i].window, &st.s[i].info);
		if (st.s[i].fd >= 0)
			close(st.s[i].fd);
	}
	for (i = 0; i < NCAMS; i++)
		if (st.cam[i].fd >= 0)
			close(st.cam[i].fd);

	TH_LOG("%lu calls, %lu SIGBUS on revoked windows, %lu unexpected",
	       atomic_load(&st.ops), atomic_load(&st.sigbus), st.unexpected);
	EXPECT_EQ(0, st.unexpected);
	EXPECT_LT(1000, atomic_load(&st.ops));
	EXPECT_EQ(0, fgt_sysfs_u64("objects_alive"));
	nl = fg_nl_open();
	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, fg_nl_get_stats(nl, &stats));
	EXPECT_EQ(0, stats.cameras_attached);
	EXPECT_EQ(0, stats.sessions_active);
	TH_LOG("%llu sessions created, %llu revoked, %llu frames delivered",
	       (unsigned long long)stats.sessions_created,
	       (unsigned long long)stats.sessions_revoked,
	       (unsigned long long)stats.frames_delivered);
	fg_nl_close(nl);
}

FGT_HARNESS_MAIN
