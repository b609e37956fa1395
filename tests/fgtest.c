// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the framegate tests.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"

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

bool fgt_yuyv_zero_or(const uint8_t *p, size_t len, enum fgt_colour c)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		if (!fgt_all_zero(p + i, 4) &&
		    fgt_yuyv_colour(p + i, 2, 1, 4) != c)
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
