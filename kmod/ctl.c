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
 * Copies an ioctl argument whose first member is its size: the size must be
 * exactly the one this module was built with.
 */
int fg_copy_struct_in(void *dst, size_t ksize, const void __user *src)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize != ksize)
		return -EINVAL;
	if (copy_from_user(dst, src, ksize))
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

	switch (cmd) {
	case FG_IOC_CAMERA_ATTACH:
		return fg_camera_attach(uarg);
	case FG_IOC_SESSION_CREATE:
		return fg_session_create(uarg);
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
