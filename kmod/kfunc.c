// SPDX-License-Identifier: GPL-2.0
/*
 * The kfuncs the cell programs (bpf/cell.bpf.c) call, specified in
 * uapi/linux/framegate.h under "Enforcement".
 *
 * They are registered once, for BPF_PROG_TYPE_LSM (a second registration
 * of the same hook would WARN and replace the first), and need the
 * module's BTF, which the build adds with pahole and resolve_btfids.
 *
 * On 6.1 that registration lands in the kfunc hook shared by LSM and
 * tracing programs: fentry/fexit programs of a CAP_BPF + CAP_PERFMON
 * process can call these too, from any context, NMI included, and with
 * pointers the verifier vouches for only as far as their type (walked from
 * other structures, maybe stale). KF_TRUSTED_ARGS would not help (LSM hook
 * arguments are not "trusted" on 6.1). So every kfunc:
 *   - reads through a struct file pointer only with get_kernel_nofault(),
 *     after a NULL check (fg_session_file(), fg_enforce_file_camera());
 *   - takes no lock but RCU and, outside NMI, the raw irq-safe spinlock of
 *     the denial ring (enforce.c), and never sleeps;
 *   - never calls queue_work() or anything that wakes a task directly.
 * What such a process can still do with them is in
 * Documentation/threat-model.rst.
 */

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "framegate.h"

/* The session whose inode @file refers to, the probe's id, or 0. */
noinline u64 bpf_fg_file_session(struct file *file)
{
	u64 id;

	if (!file || !fg_session_file(file, &id))
		return 0;
	return id;
}

/*
 * A session other than @session_id whose fd the current task holds, or 0:
 * what a task must not carry into a cell's exec.
 */
noinline u64 bpf_fg_files_other_session(u64 session_id)
{
	return fg_session_files_other(session_id);
}

/* The attached camera @file opens other than through framegate, or 0. */
noinline u32 bpf_fg_file_camera(struct file *file)
{
	if (!file)
		return 0;
	return fg_enforce_file_camera(file);
}

/*
 * May the current task send on a socket of session @session_id? 0 if so,
 * else the hook to count the refusal under: @hook when the session is not
 * active or lost (or gone), FG_HOOK_SEND_MAPPED when the task maps another
 * session. One call on every send of a worker, so it does both checks.
 */
noinline u32 bpf_fg_send_check(u64 session_id, u32 hook)
{
	struct fg_session *s;
	u32 state = 0;

	rcu_read_lock();
	s = xa_load(&fg_session_ids, session_id);
	if (s)
		state = READ_ONCE(s->state);
	rcu_read_unlock();
	if (state != FG_SESSION_ACTIVE && state != FG_SESSION_LOST)
		return hook;
	if (fg_session_mm_other(current->mm, session_id))
		return FG_HOOK_SEND_MAPPED;
	return 0;
}

/* A session other than @session_id mapped by the current task, or 0. */
noinline u64 bpf_fg_mm_other_session(u64 session_id)
{
	return fg_session_mm_other(current->mm, session_id);
}

noinline void bpf_fg_session_denied(u64 session_id, u32 hook)
{
	if (session_id)
		fg_enforce_denied(session_id, 0, hook);
}

noinline void bpf_fg_camera_denied(u32 camera_id, u32 hook)
{
	if (camera_id)
		fg_enforce_denied(0, camera_id, hook);
}

BTF_SET8_START(fg_kfunc_ids)
BTF_ID_FLAGS(func, bpf_fg_file_session)
BTF_ID_FLAGS(func, bpf_fg_file_camera)
BTF_ID_FLAGS(func, bpf_fg_files_other_session)
BTF_ID_FLAGS(func, bpf_fg_send_check)
BTF_ID_FLAGS(func, bpf_fg_mm_other_session)
BTF_ID_FLAGS(func, bpf_fg_session_denied)
BTF_ID_FLAGS(func, bpf_fg_camera_denied)
BTF_SET8_END(fg_kfunc_ids)

static const struct btf_kfunc_id_set fg_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &fg_kfunc_ids,
};

int fg_kfunc_init(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM, &fg_kfunc_set);
	if (ret)
		pr_err("cannot register the kfuncs: %d\n", ret);
	return ret;
}
