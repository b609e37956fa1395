// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's JPEG encoder (encode.h): the camera's bytes go to
 * TurboJPEG's YUV-plane or packed-pixel entry points; the only work of
 * ours is moving 4:2:2 and NV12 chroma bytes into the planes TurboJPEG
 * reads.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/videodev2.h>
#include <turbojpeg.h>

#include "encode.h"

enum encode_path {
	ENCODE_PACKED422,	/* YUYV, UYVY: repack into three planes */
	ENCODE_NV12,		/* Y as it is, split UV */
	ENCODE_GREY,		/* Y as it is */
	ENCODE_PIXELS,		/* RGB24, BGR24: tjCompress2 */
};

struct encoder {
	enum encode_path path;
	uint32_t	width;
	uint32_t	height;
	uint32_t	bytesperline;
	size_t		frame_size;
	int		quality;
	int		subsamp;	/* TJSAMP_* of the JPEG */
	int		pixel_format;	/* TJPF_*, ENCODE_PIXELS only */
	unsigned int	y_off, u_off, v_off; /* in a 4:2:2 macropixel */

	tjhandle	tj;
	uint8_t		*planes;	/* Y, U, V back to back, or NULL */
	uint8_t		*plane[3];
	int		stride[3];
	unsigned char	*jpeg;		/* tjAlloc()ed, jpeg_max bytes */
	unsigned long	jpeg_max;
	char		error[200];	/* JMSG_LENGTH_MAX */
};

size_t
encoder_frame_size(const struct encoder *enc)
{
	return enc->frame_size;
}

const char *
encoder_error(const struct encoder *enc)
{
	return enc->error;
}

/* Bytes per pixel of the first plane; 0 for a format we do not take. */
static unsigned int
fourcc_bpp(uint32_t fourcc)
{
	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:
	case V4L2_PIX_FMT_UYVY:
		return 2;
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_GREY:
		return 1;
	case V4L2_PIX_FMT_RGB24:
	case V4L2_PIX_FMT_BGR24:
		return 3;
	}
	return 0;
}

static int
encoder_setup(struct encoder *enc, uint32_t fourcc)
{
	uint32_t w = enc->width, h = enc->height;
	size_t ysize = (size_t)w * h, csize = 0;

	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:		/* Y0 U0 Y1 V0 */
	case V4L2_PIX_FMT_UYVY:		/* U0 Y0 V0 Y1 */
		if (w % 2)
			return -EINVAL;
		enc->path = ENCODE_PACKED422;
		enc->subsamp = TJSAMP_422;
		enc->y_off = fourcc == V4L2_PIX_FMT_YUYV ? 0 : 1;
		enc->u_off = fourcc == V4L2_PIX_FMT_YUYV ? 1 : 0;
		enc->v_off = enc->u_off + 2;
		csize = (size_t)(w / 2) * h;
		enc->stride[0] = w;
		enc->stride[1] = enc->stride[2] = w / 2;
		break;
	case V4L2_PIX_FMT_NV12:
		if (w % 2 || h % 2)
			return -EINVAL;
		enc->path = ENCODE_NV12;
		enc->subsamp = TJSAMP_420;
		ysize = 0;		/* read in place */
		csize = (size_t)(w / 2) * (h / 2);
		enc->stride[0] = enc->bytesperline;
		enc->stride[1] = enc->stride[2] = w / 2;
		break;
	case V4L2_PIX_FMT_GREY:
		enc->path = ENCODE_GREY;
		enc->subsamp = TJSAMP_GRAY;
		enc->stride[0] = enc->bytesperline;
		return 0;
	case V4L2_PIX_FMT_RGB24:
	case V4L2_PIX_FMT_BGR24:
		enc->path = ENCODE_PIXELS;
		enc->subsamp = TJSAMP_420;
		enc->pixel_format = fourcc == V4L2_PIX_FMT_RGB24 ?
				    TJPF_RGB : TJPF_BGR;
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}

	enc->planes = malloc(ysize + 2 * csize);
	if (!enc->planes)
		return -ENOMEM;
	enc->plane[0] = enc->planes;
	enc->plane[1] = enc->planes + ysize;
	enc->plane[2] = enc->planes + ysize + csize;
	return 0;
}

struct encoder *
encoder_new(uint32_t fourcc, uint32_t width, uint32_t height,
	    uint32_t bytesperline, int quality)
{
	struct encoder *enc;
	unsigned int bpp = fourcc_bpp(fourcc);
	unsigned long max;
	int err;

	if (!bpp) {
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	if (!width || !height || width > ENCODER_DIM_MAX ||
	    height > ENCODER_DIM_MAX || quality < ENCODER_QUALITY_MIN ||
	    quality > ENCODER_QUALITY_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (!bytesperline)
		bytesperline = width * bpp;
	/* Lines wider than 4 times the pixels are not a camera's padding. */
	if (bytesperline < width * bpp || bytesperline > 4 * width * bpp) {
		errno = EINVAL;
		return NULL;
	}

	enc = calloc(1, sizeof(*enc));
	if (!enc) {
		errno = ENOMEM;
		return NULL;
	}
	enc->width = width;
	enc->height = height;
	enc->bytesperline = bytesperline;
	enc->quality = quality;
	enc->frame_size = (size_t)bytesperline * height;
	if (fourcc == V4L2_PIX_FMT_NV12)
		enc->frame_size += (size_t)bytesperline * (height / 2);

	err = encoder_setup(enc, fourcc);
	if (err)
		goto fail;

	err = -ENOMEM;
	max = tjBufSize(width, height, enc->subsamp);
	if (max == (unsigned long)-1)
		goto fail;
	enc->jpeg = tjAlloc(max);
	if (!enc->jpeg)
		goto fail;
	enc->jpeg_max = max;
	enc->tj = tjInitCompress();
	if (!enc->tj)
		goto fail;
	return enc;

fail:
	encoder_free(enc);
	errno = -err;
	return NULL;
}

/* 4:2:2 macropixels (two pixels, four bytes) into the Y, U, V planes. */
static void
repack_422(struct encoder *enc, const uint8_t *frame)
{
	uint8_t *y = enc->plane[0], *u = enc->plane[1], *v = enc->plane[2];
	uint32_t pairs = enc->width / 2;

	for (uint32_t row = 0; row < enc->height; row++) {
		const uint8_t *p = frame + (size_t)row * enc->bytesperline;

		for (uint32_t i = 0; i < pairs; i++, p += 4) {
			*y++ = p[enc->y_off];
			*y++ = p[enc->y_off + 2];
			*u++ = p[enc->u_off];
			*v++ = p[enc->v_off];
		}
	}
}

/* NV12's interleaved Cb Cr plane into the U and V planes. */
static void
split_nv12(struct encoder *enc, const uint8_t *frame)
{
	const uint8_t *uv_plane = frame +
				  (size_t)enc->bytesperline * enc->height;
	uint8_t *u = enc->plane[1], *v = enc->plane[2];
	uint32_t pairs = enc->width / 2;

	for (uint32_t row = 0; row < enc->height / 2; row++) {
		const uint8_t *p = uv_plane + (size_t)row * enc->bytesperline;

		for (uint32_t i = 0; i < pairs; i++, p += 2) {
			*u++ = p[0];
			*v++ = p[1];
		}
	}
}

int
encoder_run(struct encoder *enc, const uint8_t *frame, size_t len,
	    const uint8_t **jpeg, size_t *jpeg_len)
{
	const unsigned char *planes[3];
	unsigned long size = enc->jpeg_max;
	int flags = TJFLAG_NOREALLOC, r;

	enc->error[0] = '\0';
	if (!frame || len < enc->frame_size)
		return -EINVAL;

	switch (enc->path) {
	case ENCODE_PACKED422:
		repack_422(enc, frame);
		planes[0] = enc->plane[0];
		break;
	case ENCODE_NV12:
		split_nv12(enc, frame);
		planes[0] = frame;
		break;
	case ENCODE_GREY:
		planes[0] = frame;
		break;
	case ENCODE_PIXELS:
		r = tjCompress2(enc->tj, frame, enc->width, enc->bytesperline,
				enc->height, enc->pixel_format, &enc->jpeg,
				&size, enc->subsamp, enc->quality, flags);
		goto done;
	}
	planes[1] = enc->plane[1];
	planes[2] = enc->plane[2];
	r = tjCompressFromYUVPlanes(enc->tj, planes, enc->width, enc->stride,
				    enc->height, enc->subsamp, &enc->jpeg,
				    &size, enc->quality, flags);
done:
	if (r) {
		/* Copied: TurboJPEG's string is its own, per handle. */
		snprintf(enc->error, sizeof(enc->error), "%s",
			 tjGetErrorStr2(enc->tj));
		return -EIO;
	}
	*jpeg = enc->jpeg;
	*jpeg_len = size;
	return 0;
}

void
encoder_free(struct encoder *enc)
{
	if (!enc)
		return;
	if (enc->tj)
		tjDestroy(enc->tj);
	tjFree(enc->jpeg);
	free(enc->planes);
	free(enc);
}
