/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker's JPEG encoder: TurboJPEG straight from the camera's format,
 * with no colour conversion of ours.
 *
 *   V4L2_PIX_FMT_YUYV, _UYVY  packed 4:2:2, repacked into Y, U and V planes
 *                             (a byte shuffle) and compressed as TJSAMP_422
 *   V4L2_PIX_FMT_NV12         the Y plane as it is, the interleaved UV plane
 *                             split into U and V, compressed as TJSAMP_420
 *   V4L2_PIX_FMT_GREY         the Y plane as it is, TJSAMP_GRAY
 *   V4L2_PIX_FMT_RGB24, _BGR24  TurboJPEG's own RGB -> YCbCr, TJSAMP_420
 *
 * A frame is laid out as V4L2 describes it: bytesperline bytes per line
 * (0: the tightest, width times the bytes per pixel), height lines, and for
 * NV12 the UV plane of height / 2 lines right after the Y plane, with the
 * same bytesperline. A frame shorter than that (V4L2's sizeimage) is
 * refused. The 4:2:2 formats need an even width, NV12 an even width and
 * height: V4L2 defines nothing else.
 *
 * encoder_new() allocates everything a frame needs (the planes and the
 * largest JPEG the size can give); encoder_run() then allocates nothing
 * of its own (libjpeg's per-image pools aside) and returns a pointer into
 * the encoder, valid until the next encoder_run() or encoder_free().
 * Nothing here prints; TurboJPEG's last message is encoder_error().
 */

#ifndef FRAMEGATED_ENCODE_H
#define FRAMEGATED_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define ENCODER_DIM_MAX		16384	/* width and height */
#define ENCODER_QUALITY_MIN	1
#define ENCODER_QUALITY_MAX	100

struct encoder;

/*
 * An encoder for frames of one format and size. NULL with errno set:
 * EINVAL for a size, bytesperline or quality out of range, EPROTONOSUPPORT
 * for a fourcc not listed above, ENOMEM.
 */
struct encoder	*encoder_new(uint32_t fourcc, uint32_t width, uint32_t height,
			     uint32_t bytesperline, int quality);

/*
 * Compress one frame of len bytes. 0 and *jpeg, *jpeg_len set; -EINVAL
 * when len is shorter than the format's size; -EIO when TurboJPEG fails
 * (encoder_error() says why).
 */
int		 encoder_run(struct encoder *enc, const uint8_t *frame,
			     size_t len, const uint8_t **jpeg, size_t *jpeg_len);

/* The bytes a frame of this encoder's format must have (V4L2 sizeimage). */
size_t		 encoder_frame_size(const struct encoder *enc);

/* TurboJPEG's message for the last -EIO, "" when there was none. */
const char	*encoder_error(const struct encoder *enc);

void		 encoder_free(struct encoder *enc);

#endif /* FRAMEGATED_ENCODE_H */
