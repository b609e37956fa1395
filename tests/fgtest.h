/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the framegate tests: vivid set-up, pixel checks and
 * sysfs reads. Every framegate call goes through libframegate.
 */
#ifndef FGTEST_H
#define FGTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libframegate.h"

/* vivid, loaded by tests/run-guest with vid_cap_nr=0,1 vid_out_nr=10,11 */
#define VIVID_CAPTURE(n)	(n)		/* /dev/video0, /dev/video1 */
#define VIVID_OUTPUT(n)		(10 + (n))	/* /dev/video10, /dev/video11 */

#define VIVID_CID_BASE		(0x00f00000 | 0xf000)
#define VIVID_CID_TEST_PATTERN	(VIVID_CID_BASE + 0)
#define VIVID_CID_OSD_TEXT_MODE	(VIVID_CID_BASE + 1)
#define VIVID_CID_DISCONNECT	(VIVID_CID_BASE + 65)

/* Test pattern menu indices (v4l2-tpg) */
#define VIVID_PATTERN_BLACK	5
#define VIVID_PATTERN_WHITE	6
#define VIVID_PATTERN_RED	7
#define VIVID_PATTERN_GREEN	8
#define VIVID_PATTERN_BLUE	9

/* The format every test streams unless it says otherwise. */
#define FGT_WIDTH		320
#define FGT_HEIGHT		180
#define FGT_FPS			30
#define FGT_BUFFERS		4

enum fgt_colour { FGT_UNKNOWN, FGT_BLACK, FGT_WHITE, FGT_RED, FGT_GREEN, FGT_BLUE };

const char	*fgt_colour_name(enum fgt_colour c);

/* Opens /dev/videoN read-write, or returns -errno. */
int		 fgt_video_open(int n);
int		 fgt_video_set_ctrl(int n, uint32_t id, int32_t value);
/* Solid colour, no OSD text: every pixel of a frame is the same. */
int		 fgt_vivid_solid(int n, int pattern);

/* Attaches /dev/videoN with the default format; returns the camera fd. */
int		 fgt_attach(int ctl, int n, uint32_t *camera_id);
int		 fgt_attach_fmt(int ctl, int n, uint32_t w, uint32_t h,
		    uint32_t fourcc, uint32_t fps, uint32_t *camera_id);

/* Creates a session of tenant on ncameras cameras; returns the fd. */
int		 fgt_session(int ctl, uint64_t tenant, uint32_t depth,
		    const uint32_t *cameras, uint32_t ncameras, uint64_t *id);

/*
 * The colour of a YUYV frame if every pixel has it, else FGT_UNKNOWN.
 */
enum fgt_colour	 fgt_yuyv_colour(const uint8_t *p, uint32_t width,
		    uint32_t height, uint32_t bytesperline);
bool		 fgt_all_zero(const void *p, size_t len);
/*
 * Every YUYV pixel pair in p is zero or of colour c: a window may be caught
 * while a frame is copied into it, but must never hold anything else (I3).
 */
bool		 fgt_yuyv_zero_or(const uint8_t *p, size_t len, enum fgt_colour c);

/* Waits for a readable session fd; 1 ready, 0 timeout, -errno. */
int		 fgt_wait_frame(int sfd, int timeout_ms);
/* poll() revents of the fd right now. */
short		 fgt_revents(int fd);

/* sysfs under /sys/kernel/framegate; -1 / NULL-string on error. */
int64_t		 fgt_sysfs_u64(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
int		 fgt_sysfs_str(char *buf, size_t len, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

uint64_t	 fgt_now_ns(void);
void		 fgt_sleep_ms(unsigned int ms);

/* Runs fn in a child as uid/gid 65534 with no capabilities; its status. */
int		 fgt_as_nobody(int (*fn)(void *), void *arg);

#endif /* FGTEST_H */
