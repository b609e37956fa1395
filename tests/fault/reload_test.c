// SPDX-License-Identifier: GPL-2.0
/*
 * Load and unload: the module is inserted and removed FG_RELOAD_ROUNDS
 * times (default 100) while other threads use every surface it has.
 *
 *   main thread ── finit_module / delete_module, again and again
 *   sysfs reader ─ every file under /sys/kernel/framegate, and one held open across
 *                  unloads
 *   dumper ─────── netlink: open the family, dump cameras and sessions,
 *                  GET_STATS
 *   listener ───── netlink: the events group, held across unloads
 *   opener ─────── /dev/framegate: open, a bad ioctl, close
 *   attacher ───── /dev/video0 attached, a session, a frame, all closed
 *
 * Whatever the module's state, each call either works or fails the way an
 * absent module makes it fail (ENOENT, ENODEV); an unload refused because
 * an fd is open (-EWOULDBLOCK) is retried. Every thread must have worked at
 * least once, and the openers must have found the module absent too:
 * otherwise the races this test is about never happened.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fgtest.h"
#include "kselftest_harness.h"

#define SYSFS		"/sys/kernel/framegate"

struct worker {
	const char *name;
	void *(*fn)(void *);
	pthread_t thread;
	atomic_ulong worked;	/* calls that reached a loaded module */
	atomic_ulong absent;	/* calls that found it absent */
	atomic_ulong unexpected;
	atomic_int first_error;	/* the first unexpected -errno */
	atomic_bool *stop;
	unsigned int seed;
};

/* Errors that mean "the module is not (or no longer) there". */
static bool absent_errno(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO;
}

/* Counts the outcome of one call: 0, an absent module, or a failure. */
static void tally(struct worker *w, int ret)
{
	int zero = 0;

	if (!ret) {
		atomic_fetch_add(&w->worked, 1);
	} else if (absent_errno(ret)) {
		atomic_fetch_add(&w->absent, 1);
		/* Spinning on an absent module would only slow its loading. */
		usleep(1000);
	} else {
		atomic_fetch_add(&w->unexpected, 1);
		atomic_compare_exchange_strong(&w->first_error, &zero, ret);
	}
}

/*
 * The outcome of a call made while an fd of /dev/framegate holds the
 * module: anything but success is unexpected.
 */
static void loaded(struct worker *w, int ret)
{
	tally(w, absent_errno(ret) ? -EPROTO : ret);
}

static int read_file(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (read(fd, buf, sizeof(buf)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Reads every file of dir (and of its subdirectories, depth levels). */
static int read_tree(const char *dir, int depth)
{
	char path[512];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int ret = 0, r;

	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (d->d_type == DT_DIR)
			r = depth ? read_tree(path, depth - 1) : 0;
		else
			r = read_file(path);
		/* An object may go between readdir() and open(). */
		if (r && r != -ENOENT && r != -ENODEV && !ret)
			ret = r;
	}
	closedir(dp);
	return ret;
}

static void *sysfs_reader(void *arg)
{
	struct worker *w = arg;
	int held = -1;
	char buf[64];

	while (!atomic_load(w->stop)) {
		tally(w, read_tree(SYSFS, 2));
		usleep(1000);
		/* A file kept open across unload and reload. */
		if (held < 0)
			held = open(SYSFS "/objects_alive", O_RDONLY | O_CLOEXEC);
		if (held >= 0 && pread(held, buf, sizeof(buf), 0) < 0) {
			tally(w, -errno);
			close(held);
			held = -1;
		}
	}
	if (held >= 0)
		close(held);
	return NULL;
}

/*
 * A request to a family that went away fails -ENOENT or -EOPNOTSUPP; a
 * dump started while the module is going, -EPROTONOSUPPORT.
 */
static int nl_absent(int ret)
{
	return ret == -EOPNOTSUPP || ret == -EPROTONOSUPPORT ? -ENOENT : ret;
}

static void *dumper(void *arg)
{
	struct worker *w = arg;
	struct fg_stats st;
	unsigned int n;
	struct fg_nl *nl;

	while (!atomic_load(w->stop)) {
		nl = fg_nl_open();
		if (!nl) {
			tally(w, -errno);
			continue;
		}
		tally(w, nl_absent(fgt_nl_count_cameras(nl, &n)));
		tally(w, nl_absent(fgt_nl_count_sessions(nl, &n, NULL)));
		tally(w, nl_absent(fg_nl_get_stats(nl, &st)));
		fg_nl_close(nl);
	}
	return NULL;
}

static void *listener(void *arg)
{
	struct worker *w = arg;
	struct fg_event_msg ev;
	struct fg_nl *events = NULL;
	int ret;

	while (!atomic_load(w->stop)) {
		if (!events) {
			events = fg_nl_events_open();
			tally(w, events ? 0 : -errno);
			continue;
		}
		ret = fg_nl_event_next(events, 20, &ev);
		if (ret < 0 && ret != -ENOBUFS)
			tally(w, ret);
	}
	fg_nl_close(events);
	return NULL;
}

static void *opener(void *arg)
{
	struct worker *w = arg;
	struct fg_session_create c = { .size = 1 };
	int ctl, ret;

	while (!atomic_load(w->stop)) {
		ctl = fg_ctl_open();
		if (ctl < 0) {
			tally(w, ctl);
			continue;
		}
		/* A bad size must be refused. */
		ret = fg_ioctl(ctl, FG_IOC_SESSION_CREATE, &c);
		loaded(w, ret == -EINVAL ? 0 : ret ? ret : -EPROTO);
		usleep(rand_r(&w->seed) % 2000);
		close(ctl);
		/* Leave the module a moment in which it can go. */
		usleep(rand_r(&w->seed) % 3000);
	}
	return NULL;
}

static void *attacher(void *arg)
{
	struct worker *w = arg;
	int ctl, cam_fd, s;
	uint32_t cam;

	while (!atomic_load(w->stop)) {
		ctl = fg_ctl_open();
		if (ctl < 0) {
			tally(w, ctl);
			continue;
		}
		cam_fd = fgt_attach(ctl, VIVID_CAPTURE(0), &cam);
		s = cam_fd < 0 ? cam_fd : fgt_session(ctl, 1, 2, &cam, 1, NULL);
		close(ctl);
		if (s >= 0) {
			fgt_wait_frame(s, 200);
			close(s);
		}
		if (cam_fd >= 0)
			close(cam_fd);
		loaded(w, s < 0 ? s : 0);
		usleep(5000 + rand_r(&w->seed) % 20000);
	}
	return NULL;
}

static unsigned int rounds(void)
{
	const char *v = getenv("FG_RELOAD_ROUNDS");

	return v && atoi(v) > 0 ? atoi(v) : 100;
}

/* delete_module, retried while an fd holds the module (at most 10 s). */
static int unload(unsigned long *busy)
{
	int i, ret;

	for (i = 0; i < 10000; i++) {
		ret = fgt_module_unload("framegate");
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			return ret;
		(*busy)++;
		fgt_sleep_ms(1);
	}
	return ret;
}

FIXTURE(module) {
	const char *ko;
	const char *params;
};

FIXTURE_SETUP(module)
{
	self->ko = getenv("FG_MODULE");
	ASSERT_NE(NULL, self->ko);
	self->params = fgt_module_params();
	ASSERT_EQ(0, fgt_sysfs_u64("objects_alive"));
}

/* Loaded again, as tests/fault-guest left it, and empty. */
FIXTURE_TEARDOWN(module)
{
	if (fgt_sysfs_u64("objects_alive") < 0)
		ASSERT_EQ(0, fgt_module_load(self->ko, self->params));
	EXPECT_EQ(0, fgt_sysfs_u64("objects_alive"));
}

TEST_F_TIMEOUT(module, reload_under_readers_dumpers_and_openers, 600)
{
	struct worker w[] = {
		{ .name = "sysfs reader", .fn = sysfs_reader },
		{ .name = "netlink dumper", .fn = dumper },
		{ .name = "event listener", .fn = listener },
		{ .name = "ctl opener", .fn = opener },
		{ .name = "attacher", .fn = attacher },
	};
	unsigned int i, n, nrounds = rounds(), seed = getpid();
	unsigned int loaded = 0, unloaded = 0;
	unsigned long busy = 0;
	uint64_t t, t_load = 0, t_unload = 0;
	atomic_bool stop = false;
	int ret;

	ASSERT_EQ(0, fgt_module_unload("framegate"));
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		w[i].stop = &stop;
		w[i].seed = seed + i;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, w[i].fn, &w[i]));
	}
	for (n = 0; n < nrounds; n++) {
		t = fgt_now_ns();
		ret = fgt_module_load(self->ko, self->params);
		t_load += fgt_now_ns() - t;
		if (!ret) {
			loaded++;
			usleep(rand_r(&seed) % 20000);
			t = fgt_now_ns();
			ret = unload(&busy);
			t_unload += fgt_now_ns() - t;
			unloaded += !ret;
		}
		if (ret) {
			TH_LOG("round %u: %s: %s", n, loaded > unloaded ?
			       "unload" : "load", strerror(-ret));
			break;
		}
		usleep(rand_r(&seed) % 5000);
	}
	atomic_store(&stop, true);
	for (i = 0; i < ARRAY_SIZE(w); i++)
		pthread_join(w[i].thread, NULL);

	EXPECT_EQ(nrounds, loaded);
	EXPECT_EQ(nrounds, unloaded);
	TH_LOG("%u rounds, unload refused %lu times while an fd was open; %llu ms loading, %llu ms unloading",
	       unloaded, busy, (unsigned long long)t_load / 1000000,
	       (unsigned long long)t_unload / 1000000);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		TH_LOG("%s: %lu worked, %lu found no module, %lu unexpected (first %d)",
		       w[i].name, atomic_load(&w[i].worked),
		       atomic_load(&w[i].absent), atomic_load(&w[i].unexpected),
		       atomic_load(&w[i].first_error));
		EXPECT_EQ(0, atomic_load(&w[i].unexpected));
		EXPECT_LT(0, atomic_load(&w[i].worked));
	}
	/* The openers raced the module's absence too. */
	EXPECT_LT(0, atomic_load(&w[0].absent));
	EXPECT_LT(0, atomic_load(&w[1].absent));
	EXPECT_LT(0, atomic_load(&w[3].absent));
}

FGT_HARNESS_MAIN
