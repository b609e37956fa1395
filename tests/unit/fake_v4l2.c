// SPDX-License-Identifier: GPL-2.0
/*
 * Fake V4L2 nodes: see fake_v4l2.h. Used in-process by config_test
 * (through struct config_v4l2_ops) and, preloaded by fake_v4l2_preload.c,
 * under framegated -n.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fake_v4l2.h"

#define MAGIC		"fake-v4l2\n"
#define FORMATS_MAX	16
#define SIZES_MAX	16

struct fake {
	char		card[32], bus[32];
	uint32_t	caps;
	unsigned int	nformats, nsizes;
	uint32_t	formats[FORMATS_MAX];
	uint32_t	widths[SIZES_MAX], heights[SIZES_MAX];
};

/* "key=" at the start of a line of text: what follows, up to the line's end. */
static char *
field(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key), len;
	const char *p;

	for (p = text; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		len = strcspn(p, "\n");
		if (len >= size)
			len = size - 1;
		memcpy(out, p, len);
		out[len] = '\0';
		return out;
	}
	out[0] = '\0';
	return out;
}

static int
fake_read(int fd, struct fake *f)
{
	char text[4096], buf[512], *w, *save;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n < (ssize_t)strlen(MAGIC) || memcmp(text, MAGIC, strlen(MAGIC)))
		return -1;
	text[n] = '\0';
	memset(f, 0, sizeof(*f));
	field(text, "card", f->card, sizeof(f->card));
	field(text, "bus", f->bus, sizeof(f->bus));
	for (w = strtok_r(field(text, "caps", buf, sizeof(buf)), " ", &save);
	     w != NULL; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "capture") == 0)
			f->caps |= V4L2_CAP_VIDEO_CAPTURE;
		else if (strcmp(w, "streaming") == 0)
			f->caps |= V4L2_CAP_STREAMING;
		else if (strcmp(w, "output") == 0)
			f->caps |= V4L2_CAP_VIDEO_OUTPUT;
		else if (strcmp(w, "meta") == 0)
			f->caps |= V4L2_CAP_META_CAPTURE;
	}
	for (w = strtok_r(field(text, "formats", buf, sizeof(buf)), " ", &save);
	     w != NULL && f->nformats < FORMATS_MAX;
	     w = strtok_r(NULL, " ", &save)) {
		if (strlen(w) == 4)
			f->formats[f->nformats++] = v4l2_fourcc(w[0], w[1],
							       w[2], w[3]);
	}
	for (w = strtok_r(field(text, "sizes", buf, sizeof(buf)), " ", &save);
	     w != NULL && f->nsizes < SIZES_MAX;
	     w = strtok_r(NULL, " ", &save)) {
		if (sscanf(w, "%ux%u", &f->widths[f->nsizes],
			   &f->heights[f->nsizes]) == 2)
			f->nsizes++;
	}
	return 0;
}

/* As drivers do: an unknown format becomes the first, a size the nearest. */
static void
fake_try_fmt(const struct fake *f, struct v4l2_pix_format *pix)
{
	unsigned long best = ~0ul, d;
	unsigned int i, pick = 0;
	long dw, dh;

	for (i = 0; i < f->nformats; i++)
		if (f->formats[i] == pix->pixelformat)
			break;
	if (i == f->nformats && f->nformats > 0)
		pix->pixelformat = f->formats[0];
	for (i = 0; i < f->nsizes; i++) {
		dw = (long)f->widths[i] - pix->width;
		dh = (long)f->heights[i] - pix->height;
		d = dw * dw + dh * dh;
		if (d < best) {
			best = d;
			pick = i;
		}
	}
	if (f->nsizes > 0) {
		pix->width = f->widths[pick];
		pix->height = f->heights[pick];
	}
	pix->field = V4L2_FIELD_NONE;
}

int
fake_v4l2_ioctl(int fd, unsigned long request, void *arg)
{
	struct v4l2_capability *cap = arg;
	struct v4l2_fmtdesc *desc = arg;
	struct v4l2_format *fmt = arg;
	struct fake f;

	if (fake_read(fd, &f) != 0)
		return FAKE_V4L2_NOT_FAKE;
	switch (request) {
	case VIDIOC_QUERYCAP:
		memset(cap, 0, sizeof(*cap));
		snprintf((char *)cap->driver, sizeof(cap->driver), "fake");
		memcpy(cap->card, f.card, sizeof(cap->card));
		memcpy(cap->bus_info, f.bus, sizeof(cap->bus_info));
		cap->device_caps = f.caps;
		cap->capabilities = f.caps | V4L2_CAP_DEVICE_CAPS;
		return 0;
	case VIDIOC_ENUM_FMT:
		if (desc->type != V4L2_BUF_TYPE_VIDEO_CAPTURE ||
		    desc->index >= f.nformats)
			break;
		desc->pixelformat = f.formats[desc->index];
		return 0;
	case VIDIOC_TRY_FMT:
		if (fmt->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			break;
		fake_try_fmt(&f, &fmt->fmt.pix);
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
	errno = EINVAL;
	return -1;
}

int
fake_v4l2_create(const char *path, const char *card, const char *bus,
		 const char *caps, const char *formats, const char *sizes)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, MAGIC "card=%s\nbus=%s\ncaps=%s\nformats=%s\nsizes=%s\n",
		card, bus, caps, formats, sizes);
	return fclose(f) == 0 ? 0 : -1;
}
