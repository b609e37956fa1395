// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement: what the module does for the cell programs (bpf/).
 *
 * The programs decide; the module answers their questions through the
 * kfuncs (kfunc.c), counts every refusal they report in sysfs, turns those
 * refusals into rate-limited netlink events, and refuses to create sessions
 * while nothing enforces the cells.
 *
 * Refusals are reported from LSM hooks, in whatever context the hook runs
 * (ptrace_access_check holds task_lock, for one), so counting never sleeps
 * or takes a mutex: sessions and cameras are found in xarrays under RCU and
 * freed only after a grace period. Events are queued in a small ring and
 * sent from a work item.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <media/v4l2-dev.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/security.h>

#include "framegate.h"

bool fg_allow_unenforced;
module_param_named(allow_unenforced, fg_allow_unenforced, bool, 0644);
MODULE_PARM_DESC(allow_unenforced,
		 "Create sessions while the cell programs are not attached; development only [DEFAULT: 0]");

DEFINE_XARRAY(fg_session_ids);
DEFINE_XARRAY(fg_camera_ids);

/* Denial events waiting for the work item; dropped (and counted) if full. */
#define FG_DENIAL_RING	64

struct fg_denial {
	u64 session_id;
	u64 count;
	u32 camera_id;
	u32 hook;
};

static DEFINE_SPINLOCK(fg_denial_lock);
static struct fg_denial fg_denial_ring[FG_DENIAL_RING];
static unsigned int fg_denial_head, fg_denial_len;
static DEFINE_RATELIMIT_STATE(fg_denial_rs,
			      FG_DENIED_EVENTS_INTERVAL_MS * HZ / 1000,
			      FG_DENIED_EVENTS_BURST);

static void fg_denial_work_fn(struct work_struct *work)
{
	struct fg_denial d;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&fg_denial_lock, flags);
		if (!fg_denial_len) {
			spin_unlock_irqrestore(&fg_denial_lock, flags);
			return;
		}
		d = fg_denial_ring[fg_denial_head];
		fg_denial_head = (fg_denial_head + 1) % FG_DENIAL_RING;
		fg_denial_len--;
		spin_unlock_irqrestore(&fg_denial_lock, flags);
		fg_netlink_event_denied(d.session_id, d.camera_id, d.hook,
					d.count);
	}
}

static DECLARE_WORK(fg_denial_work, fg_denial_work_fn);

static void fg_denial_queue(u64 session_id, u32 camera_id, u32 hook,
			    u64 count)
{
	unsigned long flags;
	bool queued = false;

	if (!__ratelimit(&fg_denial_rs))
		return;
	spin_lock_irqsave(&fg_denial_lock, flags);
	if (fg_denial_len < FG_DENIAL_RING) {
		fg_denial_ring[(fg_denial_head + fg_denial_len) % FG_DENIAL_RING] =
			(struct fg_denial){ .session_id = session_id,
					    .camera_id = camera_id,
					    .hook = hook, .count = count };
		fg_denial_len++;
		queued = true;
	}
	spin_unlock_irqrestore(&fg_denial_lock, flags);
	if (queued)
		queue_work(fg_wq, &fg_denial_work);
	else
		atomic64_inc(&fg_stats.denied_events_dropped);
}

/*
 * Counts one refusal of @hook on a session (@session_id != 0) or a camera
 * (@camera_id != 0), and globally. An id that is gone (a closed session, a
 * detached camera) only moves the global counter. The arming probe counts
 * nothing.
 */
void fg_enforce_denied(u64 session_id, u32 camera_id, u32 hook)
{
	struct fg_session *s;
	struct fg_camera *cam;
	u64 count = 0;

	if (hook >= FG_HOOK_COUNT || session_id == FG_SESSION_ID_PROBE)
		return;
	atomic64_inc(&fg_stats.denied[hook]);

	rcu_read_lock();
	if (session_id) {
		s = xa_load(&fg_session_ids, session_id);
		if (s)
			count = atomic64_inc_return(&s->denied[hook]);
		else
			session_id = 0;
	} else if (camera_id) {
		cam = xa_load(&fg_camera_ids, camera_id);
		if (cam)
			count = atomic64_inc_return(&cam->denied[hook]);
		else
			camera_id = 0;
	}
	rcu_read_unlock();

	if (!count)	/* the object is gone: report the global counter */
		count = atomic64_read(&fg_stats.denied[hook]);
	fg_denial_queue(session_id, camera_id, hook, count);
}

/*
 * The id of the attached camera whose V4L2 node @file refers to, matched by
 * device number so that every path and every mknod of the node counts; 0
 * for framegate's own file of the node and for every other file.
 */
u32 fg_enforce_file_camera(const struct file *file)
{
	struct inode *inode = file_inode(file);
	struct fg_camera *cam;
	unsigned long id;
	u32 ret = 0;

	if (!S_ISCHR(inode->i_mode) || imajor(inode) != VIDEO_MAJOR)
		return 0;
	rcu_read_lock();
	xa_for_each(&fg_camera_ids, id, cam) {
		if (cam->devt == inode->i_rdev &&
		    READ_ONCE(cam->vfile) != file) {
			ret = cam->id;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Armed means a cell program refuses a session fd outside its cell. Ask the
 * LSM stack about a probe file on the session filesystem, which no cell
 * owns: the file_ioctl program refuses it with -EACCES, nothing else would.
 * Checked at every session creation, so detaching the programs disarms at
 * once.
 */
bool fg_enforce_armed(void)
{
	struct file *probe;
	int ret;

	probe = fg_session_probe_file();
	if (IS_ERR(probe))
		return false;
	ret = security_file_ioctl(probe, FG_SESSION_IOC_INFO, 0);
	fput(probe);
	return ret == -EACCES;
}

/* 0 if a session may be created now, else -EPERM, said in the log. */
int fg_enforce_session_allowed(u64 tenant)
{
	if (fg_enforce_armed())
		return 0;
	if (READ_ONCE(fg_allow_unenforced)) {
		pr_notice_ratelimited("session of tenant %llu created without cell enforcement (allow_unenforced=1)\n",
				      tenant);
		return 0;
	}
	pr_warn_ratelimited("refusing session of tenant %llu: cell enforcement is not armed (framegatectl enforce start; or allow_unenforced=1 for development)\n",
			    tenant);
	return -EPERM;
}

int fg_enforce_init(void)
{
	/* Without module BTF the kfuncs cannot register: nothing could arm. */
	if (!THIS_MODULE->btf_data_size) {
		pr_err("no module BTF: the cell programs cannot use the kfuncs; build with `make` (pahole + resolve_btfids)\n");
		return -ENOEXEC;
	}
	return fg_kfunc_init();
}

/* Called after every camera and session is gone and no program runs. */
void fg_enforce_exit(void)
{
	cancel_work_sync(&fg_denial_work);
	WARN_ON(!xa_empty(&fg_session_ids) || !xa_empty(&fg_camera_ids));
}
