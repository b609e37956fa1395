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
 * (ptrace_access_check holds task_lock, for one), and, because on 6.1 the
 * kfuncs' LSM registration also admits tracing programs, possibly from
 * NMI. So counting never sleeps or takes a mutex: sessions and cameras are
 * found in xarrays under RCU and freed only after a grace period, counters
 * are atomics. Events are rate limited per session and per camera (one
 * cell cannot spend another's budget), queued in a small ring under a raw,
 * irq-safe spinlock and sent from a work item. A tracing program may count
 * from inside the scheduler or with any lock held, where queue_work() (which
 * may wake a worker) could deadlock: an irq_work, safe in any context,
 * queues the work item. From NMI no event is queued (counted as dropped).
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/major.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/security.h>
#include <linux/uaccess.h>
#include <media/v4l2-dev.h>

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

/* Raw: a refusal may be counted from hard interrupt context, also on RT. */
static DEFINE_RAW_SPINLOCK(fg_denial_lock);
static struct fg_denial fg_denial_ring[FG_DENIAL_RING];
static unsigned int fg_denial_head, fg_denial_len;
/* For refusals counted only globally (the object is gone). */
static DEFINE_RATELIMIT_STATE(fg_denial_rs,
			      FG_DENIED_EVENTS_INTERVAL_MS * HZ / 1000,
			      FG_DENIED_EVENTS_BURST);

/* Each session's and camera's own budget of denial events. */
void fg_enforce_ratelimit_init(struct ratelimit_state *rs)
{
	ratelimit_state_init(rs, FG_DENIED_EVENTS_INTERVAL_MS * HZ / 1000,
			     FG_DENIED_EVENTS_BURST);
	/* The counters say how many were refused; no "suppressed" lines. */
	ratelimit_set_flags(rs, RATELIMIT_MSG_ON_RELEASE);
}

static void fg_denial_work_fn(struct work_struct *work)
{
	struct fg_denial d;
	unsigned long flags;

	for (;;) {
		/* Never contended for long: fg_denial_queue() only trylocks. */
		raw_spin_lock_irqsave(&fg_denial_lock, flags);
		if (!fg_denial_len) {
			raw_spin_unlock_irqrestore(&fg_denial_lock, flags);
			return;
		}
		d = fg_denial_ring[fg_denial_head];
		fg_denial_head = (fg_denial_head + 1) % FG_DENIAL_RING;
		fg_denial_len--;
		raw_spin_unlock_irqrestore(&fg_denial_lock, flags);
		fg_netlink_event_denied(d.session_id, d.camera_id, d.hook,
					d.count);
	}
}

static DECLARE_WORK(fg_denial_work, fg_denial_work_fn);

static void fg_denial_irq_work_fn(struct irq_work *work)
{
	queue_work(fg_wq, &fg_denial_work);
}

static DEFINE_IRQ_WORK(fg_denial_irq_work, fg_denial_irq_work_fn);

/* Called with the RCU read lock held when @rs is an object's. */
static void fg_denial_queue(struct ratelimit_state *rs, u64 session_id,
			    u32 camera_id, u32 hook, u64 count)
{
	unsigned long flags;
	bool queued = false;

	if (in_nmi()) {
		atomic64_inc(&fg_stats.denied_events_dropped);
		return;
	}
	if (!__ratelimit(rs))
		return;
	/*
	 * trylock: a tracing program (tp_btf/contention_end, lock_release on
	 * a lockdep kernel) can count a refusal on this CPU while the lock is
	 * held here; then the event is dropped, never the CPU.
	 */
	if (!raw_spin_trylock_irqsave(&fg_denial_lock, flags)) {
		atomic64_inc(&fg_stats.denied_events_dropped);
		return;
	}
	if (fg_denial_len < FG_DENIAL_RING) {
		fg_denial_ring[(fg_denial_head + fg_denial_len) % FG_DENIAL_RING] =
			(struct fg_denial){ .session_id = session_id,
					    .camera_id = camera_id,
					    .hook = hook, .count = count };
		fg_denial_len++;
		queued = true;
	}
	raw_spin_unlock_irqrestore(&fg_denial_lock, flags);
	if (queued)
		irq_work_queue(&fg_denial_irq_work);
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
	struct ratelimit_state *rs = &fg_denial_rs;
	struct fg_session *s = NULL;
	struct fg_camera *cam = NULL;
	u64 count;

	if (hook >= FG_HOOK_COUNT || session_id == FG_SESSION_ID_PROBE)
		return;
	count = atomic64_inc_return(&fg_stats.denied[hook]);

	rcu_read_lock();
	if (session_id)
		s = xa_load(&fg_session_ids, session_id);
	else if (camera_id && camera_id != FG_CAMERA_ID_SETUP)
		cam = xa_load(&fg_camera_ids, camera_id);
	if (s) {
		count = atomic64_inc_return(&s->denied[hook]);
		rs = &s->denied_rs;
		camera_id = 0;
	} else if (cam) {
		count = atomic64_inc_return(&cam->denied[hook]);
		rs = &cam->denied_rs;
	} else {	/* gone, or not attached yet: the global counter */
		session_id = 0;
		camera_id = 0;
	}
	fg_denial_queue(rs, session_id, camera_id, hook, count);
	rcu_read_unlock();
}

/*
 * The id of the attached camera whose V4L2 node @file refers to, matched by
 * device number so that every path and every mknod of the node counts; 0
 * for framegate's own file of the node and for every other file.
 */
u32 fg_enforce_file_camera(const struct file *file)
{
	struct inode *inode;
	struct fg_camera *cam;
	umode_t mode;
	dev_t rdev;
	u32 ret = 0;

	/* Any context, a pointer trusted only for its type: see kfunc.c. */
	if (get_kernel_nofault(inode, &file->f_inode) || !inode ||
	    get_kernel_nofault(mode, &inode->i_mode) || !S_ISCHR(mode) ||
	    get_kernel_nofault(rdev, &inode->i_rdev) ||
	    MAJOR(rdev) != VIDEO_MAJOR)
		return 0;
	/*
	 * Every camera from the moment its node is reserved, before its
	 * first buffer exists, until its buffers are freed (camera.c).
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(cam, &fg_cameras, node) {
		if (cam->devt == rdev && READ_ONCE(cam->vfile) != file) {
			ret = READ_ONCE(cam->id) ?: FG_CAMERA_ID_SETUP;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Armed means a cell program refuses a session fd outside its cell. Ask the
 * LSM stack about a probe file on the session filesystem, which no cell
 * owns. Proof needs both halves: the file_ioctl program asked
 * bpf_fg_file_session() about the probe (which marks it), and the answer
 * was -EACCES. A refusal alone could come from any LSM (SELinux on an
 * unlabelled pseudo filesystem) and proves nothing. Checked at every
 * session creation, so detaching the programs disarms at once. The probe
 * is never counted: the programs and fg_enforce_denied() both skip
 * FG_SESSION_ID_PROBE.
 */
bool fg_enforce_armed(void)
{
	static DEFINE_MUTEX(probe_lock);	/* one probe at a time */
	struct file *file;
	bool asked;
	int ret;

	/* While unloading, nothing is armed (and nothing may pin the fs). */
	if (!try_module_get(THIS_MODULE))
		return false;
	mutex_lock(&probe_lock);
	file = fg_session_probe_file();
	if (IS_ERR(file)) {
		mutex_unlock(&probe_lock);
		module_put(THIS_MODULE);
		return false;
	}
	ret = security_file_ioctl(file, FG_SESSION_IOC_INFO, 0);
	asked = fg_session_probe_put(file);
	mutex_unlock(&probe_lock);
	module_put(THIS_MODULE);
	return ret == -EACCES && asked;
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
	ratelimit_set_flags(&fg_denial_rs, RATELIMIT_MSG_ON_RELEASE);
	return fg_kfunc_init();
}

/* Called after every camera and session is gone and no program runs. */
void fg_enforce_exit(void)
{
	irq_work_sync(&fg_denial_irq_work);
	cancel_work_sync(&fg_denial_work);
	WARN_ON(!xa_empty(&fg_session_ids) || !xa_empty(&fg_camera_ids));
}
