// SPDX-License-Identifier: GPL-2.0
/*
 * framegate: hands camera frames to userspace only through the file
 * descriptor of the session they belong to.
 */

#include <linux/module.h>
#include <linux/workqueue.h>

#include "framegate.h"

DEFINE_MUTEX(fg_lock);		/* see the lock order in framegate.h */
LIST_HEAD(fg_cameras);
LIST_HEAD(fg_sessions);
struct workqueue_struct *fg_wq;
struct fg_stats fg_stats;

/*
 * Every object logs its birth and death with pr_debug so that the tests can
 * check, with dynamic debug on, that each one created was destroyed.
 */
void fg_object_created(const char *kind, u64 id)
{
	atomic64_inc(&fg_stats.objects_alive);
	pr_debug("%s %llu created\n", kind, id);
}

void fg_object_destroyed(const char *kind, u64 id)
{
	atomic64_dec(&fg_stats.objects_alive);
	pr_debug("%s %llu destroyed\n", kind, id);
}

static int __init fg_mod_init(void)
{
	int ret;

	fg_wq = alloc_workqueue("framegate", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!fg_wq)
		return -ENOMEM;

	ret = fg_sysfs_init();
	if (ret)
		goto err_sysfs;

	ret = fg_netlink_init();
	if (ret)
		goto err_netlink;

	ret = fg_enforce_init();
	if (ret)
		goto err_enforce;

	ret = fg_ctl_init();
	if (ret)
		goto err_ctl;

	fg_debugfs_init();
	pr_info("loaded\n");
	return 0;

err_ctl:
	fg_enforce_exit();
err_enforce:
	fg_netlink_exit();
err_netlink:
	fg_sysfs_exit();
err_sysfs:
	destroy_workqueue(fg_wq);
	return ret;
}

static void __exit fg_mod_exit(void)
{
	fg_debugfs_exit();
	fg_ctl_exit();
	fg_board_exit();
	fg_enforce_exit();
	fg_netlink_exit();
	fg_sysfs_exit();
	destroy_workqueue(fg_wq);
	/* Every camera and session fd holds a module reference. */
	WARN_ON(atomic64_read(&fg_stats.objects_alive));
	pr_info("unloaded, %lld objects alive\n",
		atomic64_read(&fg_stats.objects_alive));
}

module_init(fg_mod_init);
module_exit(fg_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-session, revocable delivery of camera frames");
MODULE_AUTHOR("framegate developers");
