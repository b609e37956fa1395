/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake V4L2 nodes for host tests: a regular file whose text describes a
 * device answers the few ioctls framegated's configuration check asks
 * (QUERYCAP, ENUM_FMT, TRY_FMT) as that device would. The file:
 *
 *   fake-v4l2
 *   card=vivid
 *   bus=platform:vivid-000
 *   caps=capture streaming        (also: output, meta)
 *   formats=YUYV NV12             (V4L2 fourccs, as written)
 *   sizes=640x480 1280x720        (every format offers every size)
 *
 * Any other file is not a fake node.
 */

#ifndef FAKE_V4L2_H
#define FAKE_V4L2_H

/* The ioctl on a fake node: 0 or -1 with errno. FAKE_V4L2_NOT_FAKE if
 * fd is not a fake node (then nothing is changed). */
#define FAKE_V4L2_NOT_FAKE	(-2)
int	fake_v4l2_ioctl(int fd, unsigned long request, void *arg);

/* Writes a fake node at path: 0, or -1 with errno. */
int	fake_v4l2_create(const char *path, const char *card, const char *bus,
			 const char *caps, const char *formats,
			 const char *sizes);

#endif /* FAKE_V4L2_H */
