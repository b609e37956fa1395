// SPDX-License-Identifier: GPL-2.0
/*
 * fgjpegloop: the encoder bound of scripts/bench-daemon-guest. TurboJPEG,
 * through the worker's own encoder (daemon/framegated/encode.c), compresses
 * one raw frame again and again in a tight loop, as fast as it can.
 *
 *   fgjpegloop FOURCC WIDTH HEIGHT QUALITY FILE SECONDS
 *
 * FILE holds one frame as the camera gave it (v4l2-ctl --stream-to), with
 * the tightest bytesperline. Prints one line:
 *
 *   loop WIDTHxHEIGHT: FRAMES frames, CPU_US us CPU per frame, BYTES bytes
 *
 * CPU is the process's (CLOCK_PROCESS_CPUTIME_ID), as the worker counts
 * its own stages, so the two compare in one guest run.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "encode.h"

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t fourcc_of(const char *s)
{
	if (strlen(s) != 4)
		return 0;
	return v4l2_fourcc(s[0], s[1], s[2], s[3]);
}

int main(int argc, char *argv[])
{
	unsigned long width, height, quality, seconds;
	const uint8_t *jpeg;
	uint64_t start, cpu0, frames = 0;
	struct encoder *enc;
	size_t jpeg_len = 0, need;
	uint8_t *frame;
	struct stat st;
	int fd, ret;

	if (argc != 7) {
		fprintf(stderr, "usage: fgjpegloop FOURCC WIDTH HEIGHT QUALITY "
			"FILE SECONDS\n");
		return 2;
	}
	width = strtoul(argv[2], NULL, 10);
	height = strtoul(argv[3], NULL, 10);
	quality = strtoul(argv[4], NULL, 10);
	seconds = strtoul(argv[6], NULL, 10);
	enc = encoder_new(fourcc_of(argv[1]), (uint32_t)width,
			  (uint32_t)height, 0, (int)quality);
	if (!enc) {
		fprintf(stderr, "fgjpegloop: %s %lux%lu: %s\n", argv[1], width,
			height, strerror(errno));
		return 1;
	}
	need = encoder_frame_size(enc);
	fd = open(argv[5], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size < need) {
		fprintf(stderr, "fgjpegloop: %s: not a frame of %zu bytes\n",
			argv[5], need);
		return 1;
	}
	frame = malloc(need);
	if (!frame || read(fd, frame, need) != (ssize_t)need) {
		fprintf(stderr, "fgjpegloop: %s: %s\n", argv[5],
			strerror(errno));
		return 1;
	}
	close(fd);
	start = now_ns(CLOCK_MONOTONIC);
	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	do {
		ret = encoder_run(enc, frame, need, &jpeg, &jpeg_len);
		if (ret != 0) {
			fprintf(stderr, "fgjpegloop: %s\n", encoder_error(enc));
			return 1;
		}
		frames++;
	} while (now_ns(CLOCK_MONOTONIC) - start < seconds * 1000000000ull);
	printf("loop %lux%lu: %llu frames, %llu us CPU per frame, %zu bytes\n",
	       width, height, (unsigned long long)frames,
	       (unsigned long long)((now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) /
				    1000 / frames), jpeg_len);
	encoder_free(enc);
	free(frame);
	return 0;
}
