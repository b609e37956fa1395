// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the framegate tests.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>		/* for bpf/cell.h */
#include <linux/videodev2.h>

#include "fgtest.h"
#include "libframegate-internal.h"
#include "bpf/cell.h"

/* libframegate's messages (fg_set_log()), as TAP diagnostics. */
static void lib_log(enum fg_log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level > FG_LOG_INFO)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One call, so that lines of two processes never mix. */
	fprintf(stderr, "# framegate: %s\n", line);
}

static void __attribute__((constructor)) lib_log_set(void)
{
	fg_set_log(lib_log);
}

const char *fgt_colour_name(enum fgt_colour c)
{
	static const char *const names[] = {
		[FGT_UNKNOWN] = "mixed", [FGT_BLACK] = "black",
		[FGT_WHITE] = "white", [FGT_RED] = "red",
		[FGT_GREEN] = "green", [FGT_BLUE] = "blue",
	};

	return c <= FGT_BLUE ? names[c] : "?";
}

int fgt_video_open(int n)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/video%d", n);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int fgt_video_set_ctrl(int n, uint32_t id, int32_t value)
{
	struct v4l2_control c = { .id = id, .value = value };
	int fd, ret = 0;

	fd = fgt_video_open(n);
	if (fd < 0)
		return fd;
	if (ioctl(fd, VIDIOC_S_CTRL, &c) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int fgt_vivid_solid(int n, int pattern)
{
	int ret;

	ret = fgt_video_set_ctrl(n, VIVID_CID_OSD_TEXT_MODE, 2);
	if (!ret)
		ret = fgt_video_set_ctrl(n, VIVID_CID_TEST_PATTERN, pattern);
	return ret;
}

int fgt_attach_fmt(int ctl, int n, uint32_t w, uint32_t h, uint32_t fourcc,
		   uint32_t fps, uint32_t *camera_id)
{
	struct fg_camera_attach a = {
		.width = w, .height = h, .pixelformat = fourcc,
		.fps = fps, .buffers = FGT_BUFFERS,
	};
	int vfd, cfd;

	vfd = fgt_video_open(n);
	if (vfd < 0)
		return vfd;
	a.v4l2_fd = vfd;
	cfd = fg_camera_attach(ctl, &a);
	close(vfd);	/* framegate keeps its own file */
	if (cfd >= 0 && camera_id)
		*camera_id = a.camera_id;
	return cfd;
}

int fgt_attach(int ctl, int n, uint32_t *camera_id)
{
	return fgt_attach_fmt(ctl, n, FGT_WIDTH, FGT_HEIGHT, V4L2_PIX_FMT_YUYV,
			      FGT_FPS, camera_id);
}

int fgt_session(int ctl, uint64_t tenant, uint32_t depth,
		const uint32_t *cameras, uint32_t ncameras, uint64_t *id)
{
	struct fg_session_create c = {
		.tenant_id = tenant, .depth = depth, .ncameras = ncameras,
	};
	int fd;

	memcpy(c.cameras, cameras, ncameras * sizeof(*cameras));
	fd = fg_session_create(ctl, &c);
	if (fd >= 0 && id)
		*id = c.session_id;
	return fd;
}

static int clamp255(double v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (int)v;
}

static enum fgt_colour classify(int y, int u, int v)
{
	int r = clamp255(1.164 * (y - 16) + 1.596 * (v - 128));
	int g = clamp255(1.164 * (y - 16) - 0.813 * (v - 128) - 0.391 * (u - 128));
	int b = clamp255(1.164 * (y - 16) + 2.018 * (u - 128));

	if (r > 200 && g < 60 && b < 60)
		return FGT_RED;
	if (g > 200 && r < 60 && b < 60)
		return FGT_GREEN;
	if (b > 200 && r < 60 && g < 60)
		return FGT_BLUE;
	if (r > 200 && g > 200 && b > 200)
		return FGT_WHITE;
	if (r < 40 && g < 40 && b < 40)
		return FGT_BLACK;
	return FGT_UNKNOWN;
}

enum fgt_colour fgt_yuv_colour(int y, int u, int v)
{
	return classify(y, u, v);
}

enum fgt_colour fgt_yuyv_colour(const uint8_t *p, uint32_t width,
				uint32_t height, uint32_t bytesperline)
{
	uint32_t x, y;

	if (width < 2 || bytesperline < width * 2)
		return FGT_UNKNOWN;
	for (y = 0; y < height; y++) {
		const uint8_t *row = p + (size_t)y * bytesperline;

		for (x = 0; x < width * 2; x += 4)
			if (memcmp(row + x, p, 4))
				return FGT_UNKNOWN;
	}
	if (p[0] != p[2])
		return FGT_UNKNOWN;
	return classify(p[0], p[1], p[3]);
}

bool fgt_all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/*
 * A frame being copied in while we look can be caught mid pixel pair:
 * under TCG `rep movsb` moves one byte at a time. Such a torn pair has, at
 * each byte, either 0 or that byte of a whole pair of colour c (ref).
 */
static bool yuyv_torn(const uint8_t *q, const uint8_t *ref)
{
	int k;

	if (!ref)
		return false;
	for (k = 0; k < 4; k++)
		if (q[k] && q[k] != ref[k])
			return false;
	return true;
}

bool fgt_yuyv_zero_or(const uint8_t *p, size_t len, enum fgt_colour c)
{
	const uint8_t *ref = NULL;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		if (fgt_yuyv_colour(p + i, 2, 1, 4) == c) {
			ref = p + i;
			break;
		}
	for (i = 0; i + 4 <= len; i += 4)
		if (!fgt_all_zero(p + i, 4) &&
		    fgt_yuyv_colour(p + i, 2, 1, 4) != c &&
		    !yuyv_torn(p + i, ref))
			return false;
	return true;
}

int fgt_wait_frame(int sfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR))
		return -EPIPE;
	return 1;
}

short fgt_revents(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) < 0)
		return -1;
	return pfd.revents;
}

static int vsysfs(char *buf, size_t len, const char *fmt, va_list ap)
{
	char path[256];
	ssize_t n;
	int fd;

	strcpy(path, "/sys/kernel/framegate/");
	vsnprintf(path + strlen(path), sizeof(path) - strlen(path), fmt, ap);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int64_t fgt_sysfs_u64(const char *fmt, ...)
{
	char buf[64], *end;
	va_list ap;
	int ret;
	long long v;

	va_start(ap, fmt);
	ret = vsysfs(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ret)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -1;
	return v;
}

int fgt_sysfs_str(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsysfs(buf, len, fmt, ap);
	va_end(ap);
	return ret;
}

uint64_t fgt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void fgt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000l };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int fgt_as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* setresuid from 0 clears every capability set. */
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(125);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Cells */

bool fgt_detached(void)
{
	const char *v = getenv("FG_EXPECT_DETACHED");

	return v && !strcmp(v, "1");
}

int fgt_enforcer_open(struct fg_enforcer **e)
{
	*e = NULL;
	if (fgt_detached())
		return 0;
	return fg_enforcer_open(e);
}

int fgt_cell_create(struct fg_enforcer *e, uint64_t session_id)
{
	return e ? fg_cell_create(e, session_id, NULL, NULL) :
		   fg_cell_cgroup_create(session_id);
}

int fgt_cell_remove(struct fg_enforcer *e, uint64_t session_id)
{
	return e ? fg_cell_remove(e, session_id) :
		   fg_cell_cgroup_remove(session_id);
}

int fgt_endpoint_add(struct fg_enforcer *e, uint64_t session_id,
		     const struct sockaddr *sa, socklen_t len)
{
	return e ? fg_endpoint_add(e, session_id, sa, len) : 0;
}

int fgt_cell_allow_socket(struct fg_enforcer *e, uint64_t session_id,
			  int family, int type, int protocol)
{
	return e ? fg_cell_allow_socket(e, session_id, family, type,
					protocol) : 0;
}

int fgt_cell_disallow_socket(struct fg_enforcer *e, uint64_t session_id,
			     int family, int type, int protocol)
{
	return e ? fg_cell_disallow_socket(e, session_id, family, type,
					   protocol) : 0;
}

int fgt_cell_give_socket(struct fg_enforcer *e, uint64_t session_id,
			 int sock_fd)
{
	return e ? fg_cell_give_socket(e, session_id, sock_fd) : 0;
}

struct sockaddr_in fgt_sin(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(port),
	};

	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
		sin.sin_family = AF_UNSPEC;
	return sin;
}

struct sockaddr_in6 fgt_sin6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(port),
	};

	if (inet_pton(AF_INET6, ip, &sin6.sin6_addr) != 1)
		sin6.sin6_family = AF_UNSPEC;
	return sin6;
}

/* Workers */

int fgt_worker_start(struct fgt_worker *w, uint64_t cell, fgt_worker_fn fn,
		     void *arg)
{
	int to_child[2], to_parent[2];
	pid_t parent = getpid();

	w->pid = -1;
	if (pipe2(to_child, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(to_parent, O_CLOEXEC) < 0) {
		close(to_child[0]);
		close(to_child[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	/* In its cell from its first instruction, as the daemon's workers. */
	if (cell)
		w->pid = fg_cell_spawn(NULL, cell, FG_CELL_SPAWN_PDEATHSIG,
				       NULL);
	else if ((w->pid = fork()) < 0)
		w->pid = -errno;
	if (w->pid < 0) {
		int err = w->pid;

		w->pid = -1;
		close(to_child[0]);
		close(to_child[1]);
		close(to_parent[0]);
		close(to_parent[1]);
		return err;
	}
	if (w->pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		w->rd = to_child[0];
		w->wr = to_parent[1];
		if (!cell &&
		    (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
			_exit(FGT_WORKER_LOST);
		_exit(fn(w, arg) & 0xff);
	}
	close(to_child[0]);
	close(to_parent[1]);
	w->rd = to_parent[0];
	w->wr = to_child[1];
	return 0;
}

int fgt_worker_signal(struct fgt_worker *w)
{
	char c = 1;

	return write(w->wr, &c, 1) == 1 ? 0 : -errno;
}

int fgt_worker_await(struct fgt_worker *w)
{
	struct pollfd pfd = { .fd = w->rd, .events = POLLIN };
	char c;
	int ret;

	ret = poll(&pfd, 1, 10000);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	ret = read(w->rd, &c, 1);
	if (ret < 0)
		return -errno;
	return ret == 1 ? 0 : -EPIPE;
}

int fgt_worker_finish(struct fgt_worker *w)
{
	return fgt_worker_wait(w, 10000);
}

int fgt_worker_wait(struct fgt_worker *w, int timeout_ms)
{
	int i, status;
	pid_t ret;

	if (w->pid <= 0)
		return -ECHILD;
	for (i = 0; i <= timeout_ms / 10; i++) {
		ret = waitpid(w->pid, &status, WNOHANG);
		if (ret)
			break;
		fgt_sleep_ms(10);
	}
	if (ret == 0) {
		kill(w->pid, SIGKILL);
		ret = waitpid(w->pid, &status, 0);
	}
	w->pid = -1;
	close(w->rd);
	close(w->wr);
	if (ret < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void fgt_worker_kill(struct fgt_worker *w)
{
	if (w->pid <= 0)
		return;
	kill(w->pid, SIGKILL);
	fgt_worker_finish(w);
}

void *fgt_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Denial counters */


static bool camera_hook(int hook)
{
	return hook == FG_HOOK_OPEN || hook == FG_HOOK_MMAP ||
	       hook == FG_HOOK_IOCTL || hook == FG_HOOK_READ;
}

void fgt_denied_track(struct fgt_denied *d, const uint64_t *sessions,
		      unsigned int nsessions, const uint32_t *cameras,
		      unsigned int ncameras)
{
	memset(d, 0, sizeof(*d));
	d->nsessions = nsessions < FGT_DENIED_MAX ? nsessions : FGT_DENIED_MAX;
	d->ncameras = ncameras < FGT_DENIED_MAX ? ncameras : FGT_DENIED_MAX;
	memcpy(d->session_id, sessions, d->nsessions * sizeof(*sessions));
	memcpy(d->camera_id, cameras, d->ncameras * sizeof(*cameras));
}

int fgt_denied_read(struct fgt_denied *d)
{
	unsigned int i;
	int h, ret = 0;

	for (h = 0; h < FG_HOOK_COUNT; h++) {
		d->global[h] = fgt_sysfs_u64("denied_%s", fg_hook_name(h));
		if (d->global[h] < 0)
			ret = -ENOENT;
		for (i = 0; i < d->nsessions; i++)
			d->session[i][h] = fgt_sysfs_u64("sessions/%llu/denied_%s",
				(unsigned long long)d->session_id[i],
				fg_hook_name(h));
		for (i = 0; i < d->ncameras; i++)
			d->camera[i][h] = camera_hook(h) ?
				fgt_sysfs_u64("cameras/%u/denied_%s",
					      d->camera_id[i], fg_hook_name(h)) :
				-1;
	}
	return ret;
}

static bool denied_check(const char *what, unsigned long long id, int hook,
			 int64_t before, int64_t now, int64_t want)
{
	if (now - before == want)
		return true;
	fprintf(stderr, "# %s%.0llu denied_%s: %lld -> %lld, expected +%lld\n",
		what, id, fg_hook_name(hook), (long long)before,
		(long long)now, (long long)want);
	return false;
}

bool fgt_denied_only(const struct fgt_denied *before, struct fgt_denied *now,
		     enum fgt_obj obj, uint64_t id, enum fg_hook hook)
{
	return fgt_denied_exactly(before, now, obj, id, hook, 1);
}

bool fgt_denied_exactly(const struct fgt_denied *before,
			struct fgt_denied *now, enum fgt_obj obj, uint64_t id,
			enum fg_hook hook, int64_t n)
{
	bool ok = true, found = obj == FGT_NONE || obj == FGT_GLOBAL;
	unsigned int i;
	int h;

	fgt_denied_track(now, before->session_id, before->nsessions,
			 before->camera_id, before->ncameras);
	if (fgt_denied_read(now)) {
		fprintf(stderr, "# global denied_* counters are unreadable\n");
		return false;
	}
	for (h = 0; h < FG_HOOK_COUNT; h++) {
		bool hit = obj != FGT_NONE && h == (int)hook;

		ok &= denied_check("global ", 0, h, before->global[h],
				   now->global[h], hit ? n : 0);
		for (i = 0; i < before->nsessions; i++) {
			bool me = hit && obj == FGT_SESSION &&
				  before->session_id[i] == id;

			found |= me;
			ok &= denied_check("session ", before->session_id[i], h,
					   before->session[i][h],
					   now->session[i][h], me ? n : 0);
		}
		for (i = 0; i < before->ncameras; i++) {
			bool me = hit && obj == FGT_CAMERA &&
				  before->camera_id[i] == id;

			found |= me;
			ok &= denied_check("camera ", before->camera_id[i], h,
					   before->camera[i][h],
					   now->camera[i][h], me ? n : 0);
		}
	}
	if (!found) {
		fprintf(stderr, "# the expected counter is not tracked\n");
		ok = false;
	}
	return ok;
}

/* Commands, namespaces */

/* fgt_run() and fgt_run_output(): echoes the output if out is NULL. */
static int run_command(const char *const argv[], char *out, size_t len)
{
	size_t used = 0;
	char line[512];
	int pfd[2], status;
	FILE *f;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (out && len)
		out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (!out) {
			fprintf(stderr, "# %s: %s", argv[0], line);
		} else if (used + n < len) {
			memcpy(out + used, line, n + 1);
			used += n;
		}
	}
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int fgt_run(const char *const argv[])
{
	return run_command(argv, NULL, 0);
}

int fgt_run_output(const char *const argv[], char *out, size_t len)
{
	return run_command(argv, out, len);
}

int fgt_netns_add(const char *ns, const char *here_addr, const char *peer_addr)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], here[64], peer[64];
	const char *const add[] = { "ip", "netns", "add", ns, NULL };
	const char *const veth[] = { "ip", "link", "add", a, "type", "veth",
				     "peer", "name", b, "netns", ns, NULL };
	const char *const addr_a[] = { "ip", "addr", "add", here, "dev", a, NULL };
	const char *const up_a[] = { "ip", "link", "set", a, "up", NULL };
	const char *const addr_b[] = { "ip", "-n", ns, "addr", "add", peer,
				       "dev", b, NULL };
	const char *const up_b[] = { "ip", "-n", ns, "link", "set", b, "up", NULL };
	const char *const up_lo[] = { "ip", "-n", ns, "link", "set", "lo", "up",
				      NULL };
	const char *const *steps[] = { add, veth, addr_a, up_a, addr_b, up_b,
				       up_lo };
	unsigned int i;
	int ret;

	if (snprintf(a, sizeof(a), "%s-a", ns) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s-b", ns) >= (int)sizeof(b))
		return -ENAMETOOLONG;
	snprintf(here, sizeof(here), "%s/24", here_addr);
	snprintf(peer, sizeof(peer), "%s/24", peer_addr);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ret = fgt_run(steps[i]);
		if (ret) {
			if (i)
				fgt_netns_del(ns);
			return ret < 0 ? ret : -EIO;
		}
	}
	return 0;
}

int fgt_netns_del(const char *ns)
{
	const char *const del[] = { "ip", "netns", "del", ns, NULL };

	return fgt_run(del) ? -EIO : 0;
}

int fgt_netns_enter(const char *ns)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

uint64_t fgt_fnv1a(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int fgt_write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(s))
		ret = -EIO;
	close(fd);
	return ret;
}

/* Accounting */

/* The global counters: a sysfs file each, a field of struct fg_stats. */
#define STAT(f)	{ #f, offsetof(struct fg_stats, f) }
static const struct {
	const char *name;
	size_t offset;
} stats_files[] = {
	STAT(cameras_attached), STAT(sessions_active), STAT(sessions_created),
	STAT(sessions_revoked), STAT(frames_captured), STAT(frames_delivered),
	STAT(frames_dropped), STAT(bytes_delivered),
};
#undef STAT

#define NSTATS	(sizeof(stats_files) / sizeof(stats_files[0]))

static uint64_t *stats_field(struct fg_stats *st, unsigned int i)
{
	return (uint64_t *)((char *)st + stats_files[i].offset);
}

static bool stats_same(const struct fg_stats *a, const struct fg_stats *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static uint64_t dropped(const struct fg_session_status *s)
{
	return s->frames_dropped_overrun + s->frames_dropped_held +
	       s->frames_dropped_revoked;
}

/* What a session's counters and state say; the rest is fixed. */
static bool status_same(const struct fg_session_status *a,
			const struct fg_session_status *b)
{
	return a->session_id == b->session_id && a->state == b->state &&
	       a->frames_captured == b->frames_captured &&
	       a->frames_delivered == b->frames_delivered &&
	       a->frames_dropped_overrun == b->frames_dropped_overrun &&
	       a->frames_dropped_held == b->frames_dropped_held &&
	       a->frames_dropped_revoked == b->frames_dropped_revoked &&
	       a->frames_queued == b->frames_queued &&
	       a->frames_held == b->frames_held &&
	       a->bytes_delivered == b->bytes_delivered;
}

static int ledger_add(const struct fg_session_status *s, void *arg)
{
	struct fgt_ledger *l = arg;

	if (l->n == FGT_LEDGER_MAX)
		return -ENOSPC;
	l->s[l->n++] = *s;
	return 0;
}

static bool ledgers_same(const struct fgt_ledger *a, const struct fgt_ledger *b)
{
	unsigned int i;

	if (!stats_same(&a->st, &b->st) || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!status_same(&a->s[i], &b->s[i]))
			return false;
	return true;
}

/*
 * The stats and the dump, then both again, until nothing moved in between:
 * then *l is one instant. Only netlink is read here, so that a try is short
 * enough to fall between two frames even on the debug kernel.
 */
static int ledger_snapshot(struct fg_nl *nl, struct fgt_ledger *l)
{
	struct fgt_ledger *again = malloc(sizeof(*again));
	unsigned int try;
	int ret = -EAGAIN;

	if (!again)
		return -ENOMEM;
	for (try = 0; try < 2000 && ret == -EAGAIN; try++) {
		l->n = again->n = 0;
		ret = fg_nl_get_stats(nl, &l->st);
		if (!ret)
			ret = fg_nl_dump_sessions(nl, ledger_add, l);
		if (!ret)
			ret = fg_nl_get_stats(nl, &again->st);
		if (!ret)
			ret = fg_nl_dump_sessions(nl, ledger_add, again);
		if (!ret && !ledgers_same(l, again)) {
			ret = -EAGAIN;
			if (try % 8 == 7)
				fgt_sleep_ms(1 + try % 5);
		}
	}
	free(again);
	return ret;
}

/*
 * A sysfs value v read between netlink values a and b of the same
 * counter. When nothing moved (a == b) it must be exact; when frames kept
 * coming for the whole of every try (a slow kernel, several cameras) it
 * must lie between them, which a counter that sysfs shows wrongly does
 * not do either.
 */
static bool between(uint64_t a, uint64_t v, uint64_t b)
{
	return a <= b ? a <= v && v <= b : b <= v && v <= a;
}

/*
 * The global sysfs files show what FG_CMD_GET_STATS shows: read between
 * two netlink pictures, exactly when the two are equal.
 */
static bool stats_sysfs_agrees(struct fg_nl *nl)
{
	struct fg_stats a, b, sys;
	unsigned int i, try;
	bool ok = true;

	for (try = 0; try < 200; try++) {
		if (fg_nl_get_stats(nl, &a))
			goto unreadable;
		for (i = 0; i < NSTATS; i++) {
			int64_t v = fgt_sysfs_u64("%s", stats_files[i].name);

			if (v < 0)
				goto unreadable;
			*stats_field(&sys, i) = v;
		}
		if (fg_nl_get_stats(nl, &b))
			goto unreadable;
		if (stats_same(&a, &b))
			break;
	}
	for (i = 0; i < NSTATS; i++) {
		uint64_t va = *stats_field(&a, i), vb = *stats_field(&b, i);
		uint64_t v = *stats_field(&sys, i);

		if (stats_same(&a, &b) ? v == va : between(va, v, vb))
			continue;
		fprintf(stderr, "# global %s: sysfs %llu, netlink %llu..%llu\n",
			stats_files[i].name, (unsigned long long)v,
			(unsigned long long)va, (unsigned long long)vb);
		ok = false;
	}
	return ok;
unreadable:
	fprintf(stderr, "# global counters: unreadable\n");
	return false;
}

int fgt_ledger_start(struct fgt_ledger *l)
{
	struct fg_nl *nl = fg_nl_open();
	int ret;

	if (!nl)
		return -errno;
	ret = ledger_snapshot(nl, l);
	fg_nl_close(nl);
	return ret;
}

/* A session as sysfs sessions/<id>/ shows it, file by file. */
static int session_sysfs(uint64_t id, struct fg_session_status *s)
{
	unsigned long long n = id;
	char state[32];
	unsigned int i;
	struct {
		const char *name;
		uint64_t *v;
	} f[] = {
		{ "frames_captured", &s->frames_captured },
		{ "frames_delivered", &s->frames_delivered },
		{ "frames_dropped_overrun", &s->frames_dropped_overrun },
		{ "frames_dropped_held", &s->frames_dropped_held },
		{ "frames_dropped_revoked", &s->frames_dropped_revoked },
		{ "frames_queued", &s->frames_queued },
		{ "frames_held", &s->frames_held },
		{ "bytes_delivered", &s->bytes_delivered },
	};

	memset(s, 0, sizeof(*s));
	s->session_id = id;
	if (fgt_sysfs_str(state, sizeof(state), "sessions/%llu/state", n))
		return -ENOENT;
	for (i = FG_SESSION_ACTIVE; i <= FG_SESSION_LOST; i++)
		if (!strcmp(state, fg_session_state_name(i)))
			s->state = i;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int64_t v = fgt_sysfs_u64("sessions/%llu/%s", n, f[i].name);

		if (v < 0)
			return -ENOENT;
		*f[i].v = v;
	}
	return 0;
}

/* The per-session rules, on one picture of session s from `where`. */
static bool session_balanced(const char *where,
			     const struct fg_session_status *s, uint32_t depth)
{
	unsigned long long id = s->session_id;
	bool ok = true;

	if (s->frames_captured != s->frames_delivered + dropped(s) +
				  s->frames_queued) {
		fprintf(stderr, "# %s: session %llu: captured %llu != delivered %llu"
			" + dropped overrun %llu + held %llu + revoked %llu + queued %llu\n",
			where, id, (unsigned long long)s->frames_captured,
			(unsigned long long)s->frames_delivered,
			(unsigned long long)s->frames_dropped_overrun,
			(unsigned long long)s->frames_dropped_held,
			(unsigned long long)s->frames_dropped_revoked,
			(unsigned long long)s->frames_queued);
		ok = false;
	}
	if (s->frames_queued + s->frames_held > depth) {
		fprintf(stderr, "# %s: session %llu: %llu queued + %llu held > depth %u\n",
			where, id, (unsigned long long)s->frames_queued,
			(unsigned long long)s->frames_held, depth);
		ok = false;
	}
	if (s->state != FG_SESSION_ACTIVE && s->frames_queued) {
		fprintf(stderr, "# %s: session %llu is %s with %llu frames queued\n",
			where, id, fg_session_state_name(s->state),
			(unsigned long long)s->frames_queued);
		ok = false;
	}
	return ok;
}

/*
 * sysfs shows the session as netlink does: read between two netlink
 * pictures, exactly when the two are equal, else (frames kept coming for
 * the whole of every try) each counter between them.
 */
static bool session_sysfs_agrees(struct fg_nl *nl, uint64_t id)
{
	struct fg_session_status a, b, sys;
	unsigned int try;

	for (try = 0; try < 200; try++) {
		if (fg_nl_get_session(nl, id, &a) || session_sysfs(id, &sys) ||
		    fg_nl_get_session(nl, id, &b)) {
			fprintf(stderr, "# session %llu: unreadable\n",
				(unsigned long long)id);
			return false;
		}
		if (!status_same(&a, &b))
			continue;
		if (!status_same(&a, &sys)) {
			fprintf(stderr, "# session %llu: sysfs (%s, captured %llu) and netlink (%s, captured %llu) differ\n",
				(unsigned long long)id,
				fg_session_state_name(sys.state),
				(unsigned long long)sys.frames_captured,
				fg_session_state_name(a.state),
				(unsigned long long)a.frames_captured);
			return false;
		}
		return session_balanced("sysfs", &sys, a.depth);
	}
	if ((sys.state == a.state || sys.state == b.state) &&
	    between(a.frames_captured, sys.frames_captured, b.frames_captured) &&
	    between(a.frames_delivered, sys.frames_delivered, b.frames_delivered) &&
	    between(dropped(&a), dropped(&sys), dropped(&b)) &&
	    between(a.bytes_delivered, sys.bytes_delivered, b.bytes_delivered) &&
	    sys.frames_queued + sys.frames_held <= a.depth)
		return true;
	fprintf(stderr, "# session %llu: sysfs (%s, captured %llu, delivered %llu) is not between two netlink pictures (%s, %llu, %llu; %s, %llu, %llu)\n",
		(unsigned long long)id, fg_session_state_name(sys.state),
		(unsigned long long)sys.frames_captured,
		(unsigned long long)sys.frames_delivered,
		fg_session_state_name(a.state),
		(unsigned long long)a.frames_captured,
		(unsigned long long)a.frames_delivered,
		fg_session_state_name(b.state),
		(unsigned long long)b.frames_captured,
		(unsigned long long)b.frames_delivered);
	return false;
}

/* sysfs sessions/ lists the sessions of l, no more, no less. */
static bool sysfs_lists(const struct fgt_ledger *l)
{
	unsigned int i, found = 0;
	struct dirent *d;
	bool ok = true;
	DIR *dir;

	dir = opendir("/sys/kernel/framegate/sessions");
	if (!dir) {
		fprintf(stderr, "# /sys/kernel/framegate/sessions: %s\n",
			strerror(errno));
		return false;
	}
	while ((d = readdir(dir))) {
		unsigned long long id;
		char *end;

		if (d->d_name[0] == '.')
			continue;
		id = strtoull(d->d_name, &end, 10);
		for (i = 0; i < l->n && !*end; i++)
			if (l->s[i].session_id == id)
				break;
		if (*end || i == l->n) {
			fprintf(stderr, "# sysfs has sessions/%s, the dump does not\n",
				d->d_name);
			ok = false;
		} else {
			found++;
		}
	}
	closedir(dir);
	if (found != l->n) {
		fprintf(stderr, "# the dump has %u sessions, sysfs %u of them\n",
			l->n, found);
		ok = false;
	}
	return ok;
}

static bool global_check(const char *what, uint64_t before, uint64_t now,
			 uint64_t sessions)
{
	if (now - before == sessions)
		return true;
	fprintf(stderr, "# global %s went up by %llu, the sessions' by %llu\n",
		what, (unsigned long long)(now - before),
		(unsigned long long)sessions);
	return false;
}

bool fgt_ledger_check(struct fgt_ledger *l)
{
	struct fgt_ledger *now = malloc(sizeof(*now));
	uint64_t delivered = 0, drops = 0, bytes = 0, active = 0;
	struct fg_nl *nl = fg_nl_open();
	unsigned int i, j, fresh = 0;
	bool ok = true, whole = true;
	int ret;

	if (!now || !nl) {
		fprintf(stderr, "# ledger: %s\n", strerror(errno));
		free(now);
		if (nl)
			fg_nl_close(nl);
		return false;
	}
	ret = ledger_snapshot(nl, now);
	if (ret) {
		fprintf(stderr, "# ledger: no consistent snapshot: %s\n",
			strerror(-ret));
		ok = false;
		goto out;
	}
	ok &= stats_sysfs_agrees(nl);
	ok &= sysfs_lists(now);
	for (i = 0; i < now->n; i++) {
		const struct fg_session_status *s = &now->s[i];
		const struct fg_session_status *was = NULL;

		ok &= session_balanced("netlink", s, s->depth);
		ok &= session_sysfs_agrees(nl, s->session_id);
		for (j = 0; j < l->n; j++)
			if (l->s[j].session_id == s->session_id)
				was = &l->s[j];
		/* A session that is new since the snapshot counted from 0. */
		fresh += !was;
		delivered += s->frames_delivered - (was ? was->frames_delivered : 0);
		drops += dropped(s) - (was ? dropped(was) : 0);
		bytes += s->bytes_delivered - (was ? was->bytes_delivered : 0);
		active += s->state == FG_SESSION_ACTIVE;
	}
	for (j = 0; j < l->n; j++) {
		for (i = 0; i < now->n; i++)
			if (now->s[i].session_id == l->s[j].session_id)
				break;
		if (i == now->n) {
			fprintf(stderr, "# session %llu was closed since the ledger's snapshot: no global check\n",
				(unsigned long long)l->s[j].session_id);
			whole = false;
		}
	}
	/* Sessions both created and closed since then are seen nowhere. */
	if (whole && now->st.sessions_created - l->st.sessions_created != fresh) {
		fprintf(stderr, "# %llu sessions were created since the ledger's snapshot, %u are open: no global check\n",
			(unsigned long long)(now->st.sessions_created -
					     l->st.sessions_created), fresh);
		whole = false;
	}
	if (whole) {
		ok &= global_check("frames_delivered", l->st.frames_delivered,
				   now->st.frames_delivered, delivered);
		ok &= global_check("frames_dropped", l->st.frames_dropped,
				   now->st.frames_dropped, drops);
		ok &= global_check("bytes_delivered", l->st.bytes_delivered,
				   now->st.bytes_delivered, bytes);
	} else {
		ok = false;
	}
	if (now->st.sessions_active != active) {
		fprintf(stderr, "# global sessions_active %llu, %llu sessions are active\n",
			(unsigned long long)now->st.sessions_active,
			(unsigned long long)active);
		ok = false;
	}
	*l = *now;
out:
	fg_nl_close(nl);
	free(now);
	return ok;
}

bool fgt_ledger_close(struct fgt_ledger *l, int fd)
{
	bool ok = fgt_ledger_check(l);
	int ret;

	close(fd);
	ret = fgt_ledger_start(l);
	if (ret) {
		fprintf(stderr, "# ledger: no consistent snapshot: %s\n",
			strerror(-ret));
		ok = false;
	}
	return ok;
}

bool fgt_counters_balance(const struct fg_session_status *st)
{
	return st->frames_captured == st->frames_delivered +
		st->frames_dropped_overrun + st->frames_dropped_held +
		st->frames_dropped_revoked + st->frames_queued;
}

struct count {
	unsigned int *n;
	unsigned int *unbalanced;
};

static int count_camera(const struct fg_camera_status *c, void *arg)
{
	(void)c;
	(*((struct count *)arg)->n)++;
	return 0;
}

static int count_session(const struct fg_session_status *s, void *arg)
{
	struct count *c = arg;

	(*c->n)++;
	if (c->unbalanced && !fgt_counters_balance(s))
		(*c->unbalanced)++;
	return 0;
}

int fgt_nl_count_cameras(struct fg_nl *nl, unsigned int *n)
{
	struct count c = { n, NULL };

	*n = 0;
	return fg_nl_dump_cameras(nl, count_camera, &c);
}

int fgt_nl_count_sessions(struct fg_nl *nl, unsigned int *n,
			  unsigned int *unbalanced)
{
	struct count c = { n, unbalanced };

	*n = 0;
	if (unbalanced)
		*unbalanced = 0;
	return fg_nl_dump_sessions(nl, count_session, &c);
}

int fgt_first_frame(int ctl, uint32_t cam, struct fg_frame *f)
{
	int s = fgt_session(ctl, 1, 2, &cam, 1, NULL), ret;

	if (s < 0)
		return s;
	ret = fgt_wait_frame(s, 5000);
	if (ret == 1)
		ret = fg_frame_acquire(s, f);
	else if (ret == 0)
		ret = -ETIMEDOUT;
	if (ret) {
		close(s);
		return ret;
	}
	return s;
}

/* Where a fault in fgt_touch() of this thread returns to. */
static __thread sigjmp_buf *volatile touch_jmp;

static void on_touch_fault(int sig)
{
	if (touch_jmp)
		siglongjmp(*touch_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

int fgt_catch_faults(void)
{
	if (signal(SIGBUS, on_touch_fault) == SIG_ERR ||
	    signal(SIGSEGV, on_touch_fault) == SIG_ERR)
		return -errno;
	return 0;
}

bool fgt_touch(const volatile uint8_t *p, size_t len, size_t step, bool write,
	       uint64_t *sum)
{
	sigjmp_buf jb;
	size_t i;

	if (sigsetjmp(jb, 1)) {
		touch_jmp = NULL;
		return false;
	}
	touch_jmp = &jb;
	for (i = 0; i < len; i += step) {
		if (write)
			((volatile uint8_t *)p)[i] = 1;
		else
			*sum += p[i];
	}
	touch_jmp = NULL;
	return true;
}

void fgt_finding(unsigned long *count, unsigned long limit, const char *prefix,
		 const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (__atomic_fetch_add(count, 1, __ATOMIC_RELAXED) >= limit)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One call, so that lines of two threads never mix. */
	fprintf(stderr, "# %s: %s\n", prefix, line);
}

/* Module loading */

int fgt_module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int fgt_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -errno : 0;
}

const char *fgt_module_params(void)
{
	FILE *f = fopen("/sys/module/framegate/parameters/allow_unenforced", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == 'Y' ? "dyndbg=+p allow_unenforced=1" : "dyndbg=+p";
}

int fgt_timeout_scale(void)
{
	const char *v = getenv("FG_TIMEOUT_SCALE");
	int scale = v ? atoi(v) : 1;

	return scale >= 1 && scale <= 20 ? scale : 1;
}
