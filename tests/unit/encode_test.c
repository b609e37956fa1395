// SPDX-License-Identifier: GPL-2.0
/*
 * framegated's encode.c against a decoder that is not ours: each format's
 * frames are built here in that format's own encoding (V4L2's byte order,
 * full-range BT.601 as JFIF has it), encoded, written to a file and
 * decoded by Debian's djpeg (libjpeg-turbo-progs) run as a process; the
 * decoded pixels must be the colour that went in. A swapped U and V, a
 * wrong Y offset, an ignored bytesperline or a wrong plane offset each
 * change the colour or the place a colour lands.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "encode.h"
#include "kselftest_harness.h"

#define QUALITY		90
#define TOLERANCE	12	/* per channel, out of 255 */
#define PAD_BYTE	0xa5	/* fills the bytes past each line */

struct rgb {
	uint8_t r, g, b;
};

static const struct rgb red = { 255, 0, 0 }, green = { 0, 255, 0 },
			blue = { 0, 0, 255 }, white = { 255, 255, 255 };

static uint8_t
clamp(double v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)(v + 0.5);
}

/* JFIF's full-range YCbCr (ITU-T T.871). */
static void
to_ycbcr(struct rgb c, uint8_t *y, uint8_t *cb, uint8_t *cr)
{
	*y = clamp(0.299 * c.r + 0.587 * c.g + 0.114 * c.b);
	*cb = clamp(128 - 0.168736 * c.r - 0.331264 * c.g + 0.5 * c.b);
	*cr = clamp(128 + 0.5 * c.r - 0.418688 * c.g - 0.081312 * c.b);
}

/* A picture: one colour, or four quadrants of different colours. */
struct picture {
	struct rgb	q[4];	/* top left, top right, bottom left, right */
	uint32_t	w, h;
};

static struct rgb
colour_at(const struct picture *p, uint32_t x, uint32_t y)
{
	return p->q[(y >= p->h / 2) * 2 + (x >= p->w / 2)];
}

static struct picture
solid(struct rgb c, uint32_t w, uint32_t h)
{
	return (struct picture){ { c, c, c, c }, w, h };
}

struct format {
	uint32_t	fourcc;
	unsigned int	bpp;		/* bytes per pixel of the first plane */
	bool		grey;		/* decodes to one channel */
	bool		even_width, even_height;
};

/* V4L2's sizeimage, worked out here rather than asked of the encoder. */
static size_t
frame_size(const struct format *f, uint32_t h, uint32_t bpl)
{
	size_t size = (size_t)bpl * h;

	return f->fourcc == V4L2_PIX_FMT_NV12 ? size + (size_t)bpl * h / 2 :
						size;
}

/*
 * The picture in format f with bpl bytes per line, padding bytes set to
 * PAD_BYTE. Chroma shared by two (4:2:2) or four (4:2:0) pixels takes the
 * colour of the first of them.
 */
static uint8_t *
build_frame(const struct format *f, const struct picture *p, uint32_t bpl,
	    size_t *len)
{
	uint8_t *buf, y, cb, cr;

	*len = frame_size(f, p->h, bpl);
	buf = malloc(*len);
	if (!buf)
		return NULL;
	memset(buf, PAD_BYTE, *len);
	for (uint32_t row = 0; row < p->h; row++) {
		uint8_t *line = buf + (size_t)row * bpl;

		for (uint32_t x = 0; x < p->w; x++) {
			struct rgb c = colour_at(p, x, row);
			uint8_t *px = line + (size_t)x * f->bpp;

			to_ycbcr(c, &y, &cb, &cr);
			switch (f->fourcc) {
			case V4L2_PIX_FMT_YUYV:	/* Y0 Cb Y1 Cr */
				px[0] = y;
				if (x % 2 == 0) {
					px[1] = cb;
					px[3] = cr;
				}
				break;
			case V4L2_PIX_FMT_UYVY:	/* Cb Y0 Cr Y1 */
				px[1] = y;
				if (x % 2 == 0) {
					px[0] = cb;
					px[2] = cr;
				}
				break;
			case V4L2_PIX_FMT_NV12:	/* Y plane, then Cb Cr */
				px[0] = y;
				if (x % 2 == 0 && row % 2 == 0) {
					uint8_t *uv = buf + (size_t)bpl * p->h +
						      (size_t)(row / 2) * bpl + x;
					uv[0] = cb;
					uv[1] = cr;
				}
				break;
			case V4L2_PIX_FMT_GREY:
				px[0] = y;
				break;
			case V4L2_PIX_FMT_RGB24:
				px[0] = c.r, px[1] = c.g, px[2] = c.b;
				break;
			case V4L2_PIX_FMT_BGR24:
				px[0] = c.b, px[1] = c.g, px[2] = c.r;
				break;
			}
		}
	}
	return buf;
}

/* What djpeg made of a JPEG: P6 (RGB) or P5 (grey) pixels. */
struct decoded {
	uint32_t	w, h;
	unsigned int	channels;
	uint8_t		*pixels;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

FIXTURE(encode) {
	char		dir[64];
	struct encoder	*enc;
	uint8_t		*frame;
	struct decoded	out;
};

FIXTURE_VARIANT(encode) {
	struct format	f;
};

FIXTURE_VARIANT_ADD(encode, yuyv) {
	.f = { V4L2_PIX_FMT_YUYV, 2, false, true, false },
};
FIXTURE_VARIANT_ADD(encode, uyvy) {
	.f = { V4L2_PIX_FMT_UYVY, 2, false, true, false },
};
FIXTURE_VARIANT_ADD(encode, nv12) {
	.f = { V4L2_PIX_FMT_NV12, 1, false, true, true },
};
FIXTURE_VARIANT_ADD(encode, grey) {
	.f = { V4L2_PIX_FMT_GREY, 1, true, false, false },
};
FIXTURE_VARIANT_ADD(encode, rgb24) {
	.f = { V4L2_PIX_FMT_RGB24, 3, false, false, false },
};
FIXTURE_VARIANT_ADD(encode, bgr24) {
	.f = { V4L2_PIX_FMT_BGR24, 3, false, false, false },
};

FIXTURE_SETUP(encode)
{
	strcpy(self->dir, "/tmp/encode_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(encode)
{
	encoder_free(self->enc);
	free(self->frame);
	free(self->out.pixels);
	nftw(self->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Writes the JPEG, runs djpeg -pnm on it and reads the result. */
static int
djpeg(FIXTURE_DATA(encode) *self, const uint8_t *jpeg, size_t len)
{
	char in[96], out[96], magic[3] = "";
	unsigned int maxval;
	int status, c;
	size_t n;
	pid_t pid;
	FILE *f;

	snprintf(in, sizeof(in), "%s/frame.jpg", self->dir);
	snprintf(out, sizeof(out), "%s/frame.pnm", self->dir);
	f = fopen(in, "w");
	if (!f || fwrite(jpeg, 1, len, f) != len || fclose(f))
		return -1;
	unlink(out);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("djpeg", "djpeg", "-pnm", "-outfile", out, in,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;

	free(self->out.pixels);
	self->out.pixels = NULL;
	f = fopen(out, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%2s %u %u %u", magic, &self->out.w, &self->out.h,
		   &maxval) != 4 || maxval != 255 ||
	    (strcmp(magic, "P6") && strcmp(magic, "P5")))
		goto bad;
	c = fgetc(f);		/* the one whitespace before the pixels */
	if (c != '\n' && c != ' ')
		goto bad;
	self->out.channels = magic[1] == '6' ? 3 : 1;
	n = (size_t)self->out.w * self->out.h * self->out.channels;
	self->out.pixels = malloc(n);
	if (!self->out.pixels || fread(self->out.pixels, 1, n, f) != n)
		goto bad;
	fclose(f);
	return 0;
bad:
	fclose(f);
	return -1;
}

/* Whether the decoded pixel at (x, y) is c (its luma, for grey). */
static bool
pixel_is(const struct decoded *d, uint32_t x, uint32_t y, struct rgb c)
{
	const uint8_t *px = d->pixels + ((size_t)y * d->w + x) * d->channels;
	uint8_t want[3] = { c.r, c.g, c.b }, cb, cr;

	if (d->channels == 1)
		to_ycbcr(c, &want[0], &cb, &cr);
	for (unsigned int i = 0; i < d->channels; i++)
		if (abs(px[i] - want[i]) > TOLERANCE)
			return false;
	return true;
}

/* Number of decoded pixels that are not c. */
static size_t
pixels_not(const struct decoded *d, struct rgb c)
{
	size_t wrong = 0;

	for (uint32_t y = 0; y < d->h; y++)
		for (uint32_t x = 0; x < d->w; x++)
			wrong += !pixel_is(d, x, y, c);
	return wrong;
}

/* Builds the picture, encodes it with self->enc, decodes it with djpeg. */
static int
encode_and_decode(FIXTURE_DATA(encode) *self, const struct format *f,
		  const struct picture *p, uint32_t bpl)
{
	const uint8_t *jpeg = NULL;
	size_t len, jpeg_len = 0;
	int err;

	free(self->frame);
	self->frame = build_frame(f, p, bpl, &len);
	if (!self->frame)
		return -ENOMEM;
	err = encoder_run(self->enc, self->frame, len, &jpeg, &jpeg_len);
	if (err)
		return err;
	return djpeg(self, jpeg, jpeg_len) ? -EIO : 0;
}

TEST_F(encode, solid_colours_decode_to_their_colour)
{
	const struct rgb colours[] = { red, green, blue, white };
	const struct format *f = &variant->f;
	uint32_t w = 64, h = 48;

	ASSERT_NE(NULL, self->enc = encoder_new(f->fourcc, w, h, 0, QUALITY));
	EXPECT_EQ(frame_size(f, h, w * f->bpp),
		  encoder_frame_size(self->enc));
	for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]); i++) {
		struct picture p = solid(colours[i], w, h);

		ASSERT_EQ(0, encode_and_decode(self, f, &p, w * f->bpp));
		ASSERT_EQ(w, self->out.w);
		ASSERT_EQ(h, self->out.h);
		EXPECT_EQ(f->grey ? 1U : 3U, self->out.channels);
		EXPECT_EQ(0, pixels_not(&self->out, colours[i]))
			TH_LOG("colour %zu (%u,%u,%u) decodes to %u,%u,%u",
			       i, colours[i].r, colours[i].g, colours[i].b,
			       self->out.pixels[0],
			       self->out.pixels[self->out.channels > 1],
			       self->out.pixels[2 * (self->out.channels > 1)]);
	}
}

/* Each quadrant's colour in its place: planes and lines not mixed up. */
TEST_F(encode, quadrants_keep_their_place)
{
	const struct format *f = &variant->f;
	struct picture p = { { red, green, blue, white }, 64, 64 };

	ASSERT_NE(NULL, self->enc = encoder_new(f->fourcc, p.w, p.h, 0,
						 QUALITY));
	ASSERT_EQ(0, encode_and_decode(self, f, &p, p.w * f->bpp));
	/* The middle 16x16 of each 32x32 quadrant, clear of the edges. */
	for (uint32_t y = 0; y < p.h; y++)
		for (uint32_t x = 0; x < p.w; x++) {
			if (x % 32 < 8 || x % 32 >= 24 ||
			    y % 32 < 8 || y % 32 >= 24)
				continue;
			ASSERT_TRUE(pixel_is(&self->out, x, y,
					     colour_at(&p, x, y)))
				TH_LOG("pixel %u,%u", x, y);
		}
}

/* Lines longer than the pixels (a driver's alignment): padding unseen. */
TEST_F(encode, padded_lines_skip_the_padding)
{
	const struct format *f = &variant->f;
	uint32_t w = 50, h = 30, bpl = w * f->bpp + 14;
	struct picture p = solid(green, w, h);

	ASSERT_NE(NULL, self->enc = encoder_new(f->fourcc, w, h, bpl,
						 QUALITY));
	EXPECT_EQ(frame_size(f, h, bpl), encoder_frame_size(self->enc));
	ASSERT_EQ(0, encode_and_decode(self, f, &p, bpl));
	ASSERT_EQ(w, self->out.w);
	ASSERT_EQ(h, self->out.h);
	EXPECT_EQ(0, pixels_not(&self->out, green));
}

TEST_F(encode, short_frame_is_einval)
{
	const struct format *f = &variant->f;
	struct picture p = solid(blue, 32, 16);
	const uint8_t *jpeg = NULL;
	size_t len, jpeg_len = 0;

	ASSERT_NE(NULL, self->enc = encoder_new(f->fourcc, p.w, p.h, 0,
						 QUALITY));
	ASSERT_NE(NULL, self->frame = build_frame(f, &p, p.w * f->bpp, &len));
	EXPECT_EQ(-EINVAL, encoder_run(self->enc, self->frame, len - 1,
				       &jpeg, &jpeg_len));
	EXPECT_EQ(-EINVAL, encoder_run(self->enc, self->frame, 0,
				       &jpeg, &jpeg_len));
	EXPECT_EQ(-EINVAL, encoder_run(self->enc, NULL, len,
				       &jpeg, &jpeg_len));
	EXPECT_EQ(NULL, jpeg);
	EXPECT_EQ(0, encoder_run(self->enc, self->frame, len,
				 &jpeg, &jpeg_len));
	EXPECT_NE(NULL, jpeg);
}

/*
 * An odd width (or, for 4:2:0, height) does not exist in the subsampled
 * formats; the others encode it.
 */
TEST_F(encode, odd_sizes_only_where_the_format_has_them)
{
	const struct format *f = &variant->f;
	struct picture p = solid(red, 33, 17);

	self->enc = encoder_new(f->fourcc, 33, 16, 0, QUALITY);
	if (f->even_width) {
		EXPECT_EQ(NULL, self->enc);
		EXPECT_EQ(EINVAL, errno);
	} else {
		EXPECT_NE(NULL, self->enc);
	}
	encoder_free(self->enc);
	self->enc = encoder_new(f->fourcc, 32, 17, 0, QUALITY);
	if (f->even_height) {
		EXPECT_EQ(NULL, self->enc);
		EXPECT_EQ(EINVAL, errno);
	} else {
		EXPECT_NE(NULL, self->enc);
	}
	encoder_free(self->enc);
	self->enc = NULL;
	if (f->even_width || f->even_height)
		return;

	ASSERT_NE(NULL, self->enc = encoder_new(f->fourcc, p.w, p.h, 0,
						 QUALITY));
	ASSERT_EQ(0, encode_and_decode(self, f, &p, p.w * f->bpp));
	ASSERT_EQ(p.w, self->out.w);
	ASSERT_EQ(p.h, self->out.h);
	EXPECT_EQ(0, pixels_not(&self->out, red));
}

/* The second frame reuses the first one's JPEG buffer, and is itself. */
TEST_F(encode, buffers_are_reused_across_frames)
{
	const struct format *f = &variant->f;
	struct picture a = solid(white, 48, 32), b = solid(blue, 48, 32);
	const uint8_t *first = NULL, *second = NULL;
	size_t len, first_len = 0, second_len = 0;

	ASSERT_NE(NULL, self->enc = encoder_new(f->fourcc, a.w, a.h, 0,
						 QUALITY));
	ASSERT_NE(NULL, self->frame = build_frame(f, &a, a.w * f->bpp, &len));
	ASSERT_EQ(0, encoder_run(self->enc, self->frame, len,
				 &first, &first_len));
	ASSERT_EQ(0, encode_and_decode(self, f, &b, b.w * f->bpp));
	ASSERT_EQ(0, encoder_run(self->enc, self->frame, len,
				 &second, &second_len));
	EXPECT_EQ(first, second);
	EXPECT_EQ(0, pixels_not(&self->out, blue));
}

TEST(encoder_new_refuses_what_it_cannot_encode)
{
	struct encoder *enc;

	errno = 0;
	EXPECT_EQ(NULL, encoder_new(V4L2_PIX_FMT_MJPEG, 64, 48, 0, QUALITY));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(NULL, encoder_new(V4L2_PIX_FMT_YUYV, 64, 48, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, encoder_new(V4L2_PIX_FMT_YUYV, 64, 48, 0, 101));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, encoder_new(V4L2_PIX_FMT_YUYV, 0, 48, 0, QUALITY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, encoder_new(V4L2_PIX_FMT_GREY, ENCODER_DIM_MAX + 1,
				    48, 0, QUALITY));
	EXPECT_EQ(EINVAL, errno);
	/* A line shorter than its pixels. */
	EXPECT_EQ(NULL, encoder_new(V4L2_PIX_FMT_RGB24, 64, 48, 64 * 3 - 1,
				    QUALITY));
	EXPECT_EQ(EINVAL, errno);
	enc = encoder_new(V4L2_PIX_FMT_RGB24, 64, 48, 64 * 3, QUALITY);
	EXPECT_NE(NULL, enc);
	encoder_free(enc);
	encoder_free(NULL);
}

TEST_HARNESS_MAIN
