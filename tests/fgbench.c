// SPDX-License-Identifier: GPL-2.0
/*
 * fgbench: frames/s and CPU per frame of framegate delivery against plain
 * V4L2 MMAP streaming of the same vivid device, format and requested rate,
 * measured in one run. Prints ratios; asserts nothing (make check does).
 *
 *   reference:  /dev/video0 --VIDIOC_DQBUF--> this process
 *   framegate:  /dev/video0 --framegate.ko--> N sessions --> this process
 *
 * Each consumer reads one byte per cache line of every frame, so both paths
 * pay the same to look at the pixels. CPU time is the whole guest's busy
 * time (all CPUs, from /proc/uptime), because framegate's copies run in a
 * kernel worker.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fgtest.h"

#define BENCH_W		640
#define BENCH_H		360
#define BENCH_FPS	30
#define BENCH_BUFS	4
#define MAX_SESSIONS	16

static unsigned int seconds = 5;
static volatile uint64_t sink;

struct result {
	double fps;		/* per consumer; the slowest for framegate */
	double fps_mean;
	double camera_fps;	/* frames the camera captured, per second */
	uint64_t frames;	/* delivered, all consumers */
	double cpu_ms;		/* guest busy CPU time over the run */
};

static void die(const char *what, int err)
{
	fprintf(stderr, "fgbench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/*
 * Busy CPU time of the whole guest, in ms: CPUs x uptime - idle time. The
 * idle time in /proc/uptime is measured exactly by NO_HZ; the busy columns
 * of /proc/stat are tick samples, which miss most of it under TCG.
 */
static double cpu_busy_ms(void)
{
	double up, idle;
	FILE *f = fopen("/proc/uptime", "r");

	if (!f || fscanf(f, "%lf %lf", &up, &idle) != 2)
		die("/proc/uptime", EIO);
	fclose(f);
	return (up * sysconf(_SC_NPROCESSORS_ONLN) - idle) * 1000.0;
}

static void look_at(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < len; i += 64)
		s += p[i];
	sink += s;
}

static void xioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(fd, cmd, arg) < 0)
		die(what, errno);
}

static struct result bench_v4l2(void)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_streamparm parm = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_requestbuffers rb = {
		.count = BENCH_BUFS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	void *maps[BENCH_BUFS];
	size_t lens[BENCH_BUFS];
	struct result r = { 0 };
	uint64_t t0, end;
	double c0 = 0;
	unsigned int i;
	int fd;

	fd = fgt_video_open(VIVID_CAPTURE(0));
	if (fd < 0)
		die("open /dev/video0", fd);
	fmt.fmt.pix.width = BENCH_W;
	fmt.fmt.pix.height = BENCH_H;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	xioctl(fd, VIDIOC_S_FMT, &fmt, "VIDIOC_S_FMT");
	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = BENCH_FPS;
	xioctl(fd, VIDIOC_S_PARM, &parm, "VIDIOC_S_PARM");
	xioctl(fd, VIDIOC_REQBUFS, &rb, "VIDIOC_REQBUFS");
	for (i = 0; i < rb.count && i < BENCH_BUFS; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		xioctl(fd, VIDIOC_QUERYBUF, &b, "VIDIOC_QUERYBUF");
		lens[i] = b.length;
		maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd,
			       b.m.offset);
		if (maps[i] == MAP_FAILED)
			die("mmap", errno);
		xioctl(fd, VIDIOC_QBUF, &b, "VIDIOC_QBUF");
	}
	xioctl(fd, VIDIOC_STREAMON, &type, "VIDIOC_STREAMON");

	/* Warm up one second, then measure. */
	for (end = fgt_now_ns() + (seconds + 1) * 1000000000ull, t0 = 0;
	     fgt_now_ns() < end;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		if (!t0 && fgt_now_ns() + seconds * 1000000000ull >= end) {
			t0 = fgt_now_ns();
			c0 = cpu_busy_ms();
			r.frames = 0;
		}
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		xioctl(fd, VIDIOC_DQBUF, &b, "VIDIOC_DQBUF");
		look_at(maps[b.index], b.bytesused);
		r.frames++;
		xioctl(fd, VIDIOC_QBUF, &b, "VIDIOC_QBUF");
	}
	r.cpu_ms = cpu_busy_ms() - c0;
	r.fps = r.fps_mean = r.frames * 1e9 / (fgt_now_ns() - t0);
	xioctl(fd, VIDIOC_STREAMOFF, &type, "VIDIOC_STREAMOFF");
	for (i = 0; i < rb.count && i < BENCH_BUFS; i++)
		munmap(maps[i], lens[i]);
	close(fd);
	return r;
}

static struct result bench_framegate(int nsessions)
{
	struct fg_session_info info[MAX_SESSIONS];
	const uint8_t *win[MAX_SESSIONS];
	uint64_t got[MAX_SESSIONS] = { 0 };
	int sfd[MAX_SESSIONS];
	struct epoll_event ev[MAX_SESSIONS];
	struct result r = { 0 };
	uint64_t t0 = 0, end, elapsed;
	int64_t cap0 = 0;
	uint32_t cam;
	int ctl, cam_fd, ep, i, n, ret;
	double c0 = 0, min = 1e12, sum = 0;

	ctl = fg_ctl_open();
	if (ctl < 0)
		die("open /dev/framegate", ctl);
	cam_fd = fgt_attach_fmt(ctl, VIVID_CAPTURE(0), BENCH_W, BENCH_H,
				V4L2_PIX_FMT_YUYV, BENCH_FPS, &cam);
	if (cam_fd < 0)
		die("attach", cam_fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < nsessions; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };

		sfd[i] = fgt_session(ctl, 100 + i, 4, &cam, 1, NULL);
		if (sfd[i] < 0)
			die("session", sfd[i]);
		ret = fg_session_info(sfd[i], &info[i]);
		if (!ret)
			ret = fg_session_map(sfd[i], &info[i],
					     (const void **)&win[i]);
		if (ret)
			die("map", ret);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd[i], &e) < 0)
			die("epoll_ctl", errno);
	}

	for (end = fgt_now_ns() + (seconds + 1) * 1000000000ull;
	     fgt_now_ns() < end;) {
		if (!t0 && fgt_now_ns() + seconds * 1000000000ull >= end) {
			t0 = fgt_now_ns();
			c0 = cpu_busy_ms();
			cap0 = fgt_sysfs_u64("cameras/%u/frames_captured", cam);
			memset(got, 0, sizeof(got));
		}
		n = epoll_wait(ep, ev, MAX_SESSIONS, 1000);
		for (i = 0; i < n; i++) {
			int k = ev[i].data.u32;
			struct fg_frame f;

			while (!fg_frame_acquire(sfd[k], &f)) {
				look_at(win[k] + f.offset, f.bytesused);
				got[k]++;
				fg_frame_release(sfd[k], f.frame_id);
			}
		}
	}
	elapsed = fgt_now_ns() - t0;
	r.cpu_ms = cpu_busy_ms() - c0;
	r.camera_fps = (fgt_sysfs_u64("cameras/%u/frames_captured", cam) - cap0) *
		       1e9 / elapsed;
	for (i = 0; i < nsessions; i++) {
		double fps = got[i] * 1e9 / elapsed;

		r.frames += got[i];
		sum += fps;
		if (fps < min)
			min = fps;
		fg_session_unmap(win[i], &info[i]);
		close(sfd[i]);
	}
	r.fps = min;
	r.fps_mean = sum / nsessions;
	close(ep);
	close(cam_fd);
	close(ctl);
	return r;
}

int main(int argc, char **argv)
{
	static const int counts[] = { 1, 4, 16 };
	struct result ref, fg;
	unsigned int i;

	if (argc > 1)
		seconds = atoi(argv[1]);
	if (!seconds || seconds > 600) {
		fprintf(stderr, "usage: fgbench [SECONDS]\n");
		return 2;
	}
	printf("# fgbench: vivid %dx%d YUYV, %d fps requested, %u s per run\n",
	       BENCH_W, BENCH_H, BENCH_FPS, seconds);
	ref = bench_v4l2();
	printf("reference  raw V4L2 MMAP        %6.2f frames/s  %6.3f ms CPU/frame\n",
	       ref.fps, ref.cpu_ms / ref.frames);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		fg = bench_framegate(counts[i]);
		printf("framegate  %2d session%s  min %6.2f mean %6.2f frames/s  "
		       "(camera %6.2f)  ratio %.4f  %6.3f ms CPU/frame "
		       "(x%.2f of reference)\n",
		       counts[i], counts[i] > 1 ? "s" : " ", fg.fps, fg.fps_mean,
		       fg.camera_fps,
		       fg.fps / ref.fps, fg.cpu_ms / fg.frames,
		       (fg.cpu_ms / fg.frames) / (ref.cpu_ms / ref.frames));
	}
	return 0;
}
