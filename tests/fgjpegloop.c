// SPDX-License-Identifier: GPL-2.0
/*
 * fgjpegloop: the encoder bound of scripts/bench-daemon-guest. TurboJPEG,
 * through the worker's own encoder (daemon/framegated/encode.c), compresses
 * one raw frame again and again in a tight loop, as fast as it can; then
 * the worker's sealer (daemon/lib/sealed.c) seals that JPEG, and the
 * tenant's opener opens it, each in a loop of its own for as long.
 *
 *   fgjpegloop FOURCC WIDTH HEIGHT QUALITY FILE SECONDS
 *
 * FILE holds one frame as the camera gave it (v4l2-ctl --stream-to), with
 * the tightest bytesperline. Prints three lines:
 *
 *   loop WIDTHxHEIGHT: FRAMES frames, CPU_US us CPU per frame, BYTES bytes
 *   seal WIDTHxHEIGHT: FRAMES frames, CPU_US us CPU per frame, P% of encode
 *   open WIDTHxHEIGHT: OBJECTS objects, CPU_US us CPU per object, N/s
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
#include "sealed.h"

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

/*
 * Seals jpeg (a key of a tenant made here, sequence after sequence), then
 * opens the last object, each for seconds: 0, or 1 on any error.
 */
static int seal_loops(unsigned long width, unsigned long height,
		      const uint8_t *jpeg, size_t jpeg_len,
		      unsigned long seconds, double encode_ns)
{
	static const uint8_t priv[FG_SEALED_KEY_LEN] = { 0x42, 0x17 };
	struct fg_sealed_opener op;
	struct fg_sealed_hdr h;
	struct fg_seal_key k;
	uint64_t start, cpu0, n = 0;
	size_t obj_len = 0;
	uint8_t *obj, *out;
	double ns;

	obj = malloc(jpeg_len + FG_SEALED_OVERHEAD);
	out = malloc(jpeg_len + 1);
	if (!obj || !out || fg_sealed_opener_init(&op, priv) != 0 ||
	    fg_seal_key_new(&k, op.pub, 1, 0) != 0) {
		fprintf(stderr, "fgjpegloop: no sealing key\n");
		return 1;
	}
	start = now_ns(CLOCK_MONOTONIC);
	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	do {
		if (fg_seal_frame(&k, FG_SEALED_JPEG, 1, n, 1, jpeg, jpeg_len,
				  obj, jpeg_len + FG_SEALED_OVERHEAD,
				  &obj_len) != 0) {
			fprintf(stderr, "fgjpegloop: seal failed\n");
			return 1;
		}
		n++;
	} while (now_ns(CLOCK_MONOTONIC) - start < seconds * 1000000000ull);
	ns = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / n;
	printf("seal %lux%lu: %llu frames, %.1f us CPU per frame, %.2f%% of "
	       "encode (target <= 5%%: %s)\n", width, height,
	       (unsigned long long)n, ns / 1000, 100 * ns / encode_ns,
	       ns <= 0.05 * encode_ns ? "met" : "MISSED");
	fflush(stdout);
	n = 0;
	start = now_ns(CLOCK_MONOTONIC);
	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	do {
		if (fg_sealed_parse(obj, obj_len, &h) != FG_SEALED_OK ||
		    fg_sealed_open(&op, obj, obj_len, &h, out) !=
		    FG_SEALED_OK) {
			fprintf(stderr, "fgjpegloop: open failed\n");
			return 1;
		}
		n++;
	} while (now_ns(CLOCK_MONOTONIC) - start < seconds * 1000000000ull);
	ns = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / n;
	printf("open %lux%lu: %llu objects, %.1f us CPU per object, %.0f/s\n",
	       width, height, (unsigned long long)n, ns / 1000, 1e9 / ns);
	fg_seal_key_clear(&k);
	fg_sealed_opener_clear(&op);
	free(obj);
	free(out);
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned long width, height, quality, seconds;
	const uint8_t *jpeg;
	uint64_t start, cpu0, frames = 0;
	double encode_ns;
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
	encode_ns = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / frames;
	printf("loop %lux%lu: %llu frames, %llu us CPU per frame, %zu bytes\n",
	       width, height, (unsigned long long)frames,
	       (unsigned long long)(encode_ns / 1000), jpeg_len);
	fflush(stdout);
	ret = seal_loops(width, height, jpeg, jpeg_len, seconds, encode_ns);
	encoder_free(enc);
	free(frame);
	return ret;
}
