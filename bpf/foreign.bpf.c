// SPDX-License-Identifier: GPL-2.0
/*
 * Not a framegate program: a stand-in for another LSM (SELinux enforcing on
 * an unlabelled pseudo filesystem, say) that refuses the module's arming
 * probe without knowing what it is. tests/unarmed_test.c attaches it to
 * check that such a refusal does not arm enforcement: the module needs the
 * cell programs' own answer (see "Enforcement" in uapi/linux/framegate.h).
 */

#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define _LINUX_TYPES_H
#include <linux/framegate.h>

char LICENSE[] SEC("license") = "GPL";

/* Refuses every FG_SESSION_IOC_INFO without an argument: the probe. */
SEC("lsm/file_ioctl")
int BPF_PROG(foreign_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd == FG_SESSION_IOC_INFO && !arg)
		return -13;	/* -EACCES */
	return 0;
}
