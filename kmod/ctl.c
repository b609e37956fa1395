// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/framegate: the misc device whose ioctls create camera and session
 * file descriptors. It does nothing else; everything that is not about
 * creating an fd goes over generic netlink.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "framegate.h"

/*
 * Copies in an ioctl argument whose first member is its size, with
 * copy_struct_from_user() semantics so that structures can grow: a size
 * below @min (the first version's) is -EINVAL, above PAGE_SIZE -E2BIG; a
 * smaller one is an older caller (the rest of @dst is zeroed), a larger
 * one a newer caller whose extra bytes must all be zero (-E2BIG). The
 * caller's size is returned in @usize for fg_copy_struct_out().
 */
int fg_copy_struct_in(void *dst, size_t ksize, size_t min,
		      const void __user *src, u32 *usize)
{
	u32 size;

	if (get_user(size, (const u32 __user *)src))
		return -EFAULT;
	if (size < min)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	*usize = size;
	return copy_struct_from_user(dst, ksize, src, size);
}

/* Copies out the part of a result the caller's version of it has. */
int fg_copy_struct_out(void __user *dst, u32 usize, const void *src,
		       size_t ksize)
{
	if (copy_to_user(dst, src, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

/* Unknown flags or a non-zero reserved word: -EINVAL. */
int fg_check_flags(u32 flags, u32 known, const u32 *reserved, size_t n)
{
	size_t i;

	if (flags & ~known)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (reserved[i])
			return -EINVAL;
	return 0;
}

static long fg_ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (FG_IOC_NOSIZE(cmd)) {
	case FG_IOC_NOSIZE(FG_IOC_CAMERA_ATTACH):
		return fg_camera_attach(uarg);
	case FG_IOC_NOSIZE(FG_IOC_SESSION_CREATE):
		return fg_session_create(uarg);
	case FG_IOC_NOSIZE(FG_IOC_BOARD):
		return fg_board_set(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations fg_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = fg_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice fg_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = FG_DEVICE_NAME,
	.fops = &fg_ctl_fops,
	.mode = 0600,
};

int fg_ctl_init(void)
{
	return misc_register(&fg_ctl_dev);
}

void fg_ctl_exit(void)
{
	misc_deregister(&fg_ctl_dev);
}
