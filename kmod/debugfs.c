// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/framegate/: fault knobs for the tests, nothing else.
 * They exist only where debugfs does and are documented in
 * Documentation/admin-guide.rst. Every knob reads 0, its default, unless a
 * test set it.
 *
 *   delivery_delay_ms  (u32, 0..10000) sleep this long between dequeuing a
 *                      captured frame and copying it to the sessions, so
 *                      that a test can create a session inside that window
 *                      and check that it gets none of the frames captured
 *                      before it (I2).
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>

#include "framegate.h"

#define FG_DEBUG_DELAY_MAX_MS	10000

u32 fg_debug_delivery_delay_ms;

static struct dentry *fg_debugfs_dir;

static int fg_delay_get(void *data, u64 *val)
{
	*val = READ_ONCE(fg_debug_delivery_delay_ms);
	return 0;
}

static int fg_delay_set(void *data, u64 val)
{
	if (val > FG_DEBUG_DELAY_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(fg_debug_delivery_delay_ms, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(fg_delay_fops, fg_delay_get, fg_delay_set, "%llu\n");

/* Nothing here can stop the module from loading: failures are ignored. */
void fg_debugfs_init(void)
{
	fg_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("delivery_delay_ms", 0600, fg_debugfs_dir,
				   NULL, &fg_delay_fops);
}

void fg_debugfs_exit(void)
{
	debugfs_remove(fg_debugfs_dir);
	WRITE_ONCE(fg_debug_delivery_delay_ms, 0);
}
