// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD=fake_v4l2.so: ioctl() on a fake node (fake_v4l2.h) answers as
 * that node; every other ioctl goes to the next ioctl() (libc's, or the
 * sanitizers' in front of it). Lets config_test run the real framegated -n
 * against cameras that the host does not have. A sanitized binary needs
 * ASAN_OPTIONS=verify_asan_link_order=0 for it.
 */

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>

#include "fake_v4l2.h"

int ioctl(int fd, unsigned long request, ...);

int
ioctl(int fd, unsigned long request, ...)
{
	static int (*next)(int, unsigned long, void *);
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((r = fake_v4l2_ioctl(fd, request, arg)) != FAKE_V4L2_NOT_FAKE)
		return r;
	if (next == NULL)
		next = (int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT,
								    "ioctl");
	return next(fd, request, arg);
}
