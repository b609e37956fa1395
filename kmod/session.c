// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: one tenant's revocable view of some cameras.
 *
 * Each session has its own inode on a private pseudo filesystem, so that
 * unmap_mapping_range() on that inode tears down exactly this session's
 * mappings. Frames are copied into the session's window, a vmalloc_user()
 * area of depth slots that only ever holds this session's frames. Pages of
 * the window reach userspace only through the fault handler, which inserts
 * them as PFN mappings (no struct page references for GUP, vmsplice or
 * /proc/PID/mem to keep) under map_lock, so that revoke, holding the same
 * lock, cannot race with a fault that would map a page after the zap.
 */

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "framegate.h"

static u64 fg_next_session_id;	/* the last id handed out, under fg_lock */

static int fg_session_fs_init_context(struct fs_context *fc)
{
	return init_pseudo(fc, FG_SESSION_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * The session filesystem is mounted only while a session or a probe file
 * exists (simple_pin_fs(), as drm does). Its superblock holds a reference
 * on this module until kill_sb() has run, so a deferred __fput() or the
 * last mntput() of a session file never runs after the module is gone.
 */
static struct file_system_type fg_session_fs_type = {
	.owner = THIS_MODULE,
	.name = "framegatefs",
	.init_fs_context = fg_session_fs_init_context,
	.kill_sb = kill_anon_super,
};

static struct vfsmount *fg_session_mnt;
static int fg_session_mnt_count;

/* Mounts the session filesystem if needed and pins it: its mount, or error. */
static struct vfsmount *fg_session_fs_get(void)
{
	int ret;

	ret = simple_pin_fs(&fg_session_fs_type, &fg_session_mnt,
			    &fg_session_mnt_count);
	if (ret)
		return ERR_PTR(ret);
	return fg_session_mnt;	/* stable until our fg_session_fs_put() */
}

static void fg_session_fs_put(void)
{
	simple_release_fs(&fg_session_mnt, &fg_session_mnt_count);
}

/*
 * A session's inode number is its id, so that the cell programs can tell
 * which session a file belongs to from the inode alone: also for a re-open
 * through /proc/PID/fd, whose file has none of our file operations.
 */
static_assert(sizeof(((struct inode *)0)->i_ino) >= sizeof(u64));

/*
 * Called by the kfuncs, from any context a BPF program runs in (NMI too),
 * with a pointer the verifier vouches for only as far as its type: every
 * read goes through get_kernel_nofault(), and nothing is written except
 * the probe's answer.
 */
/* The probe file in flight (fg_enforce_armed() makes one at a time). */
static struct file *fg_probe_file;
static bool fg_probe_asked;

/*
 * Whether @inode is on the session filesystem, and its number (a session
 * id, or FG_SESSION_ID_PROBE) in *@id. Any context; @inode is trusted only
 * for its type (see kfunc.c).
 */
static bool fg_session_inode(const struct inode *inode, u64 *id)
{
	struct file_system_type *type;
	struct super_block *sb;
	unsigned long ino;

	if (!inode || get_kernel_nofault(sb, &inode->i_sb) || !sb ||
	    get_kernel_nofault(type, &sb->s_type) ||
	    type != &fg_session_fs_type ||
	    get_kernel_nofault(ino, &inode->i_ino))
		return false;
	*id = ino;
	return true;
}

bool fg_session_file(const struct file *file, u64 *id)
{
	struct inode *inode;

	if (get_kernel_nofault(inode, &file->f_inode) ||
	    !fg_session_inode(inode, id))
		return false;
	/* The answer is kept in module memory, never through the file. */
	if (*id == FG_SESSION_ID_PROBE && file == READ_ONCE(fg_probe_file))
		WRITE_ONCE(fg_probe_asked, true);
	return true;
}

/*
 * A session other than @session_id (and not the probe) that a file of the
 * current task's file table belongs to, or 0; close-on-exec fds do not
 * count (an exec closes them before the new program runs). The table is
 * read under RCU only, as the fd lookup of a syscall does: files are freed
 * after a grace period and read without faulting. Not from NMI (0).
 */
u64 fg_session_files_other(u64 session_id)
{
	struct files_struct *files = current->files;
	struct fdtable *fdt;
	unsigned int fd;
	u64 id, other = 0;

	if (in_nmi() || !files)
		return 0;
	rcu_read_lock();
	fdt = files_fdtable(files);
	for (fd = 0; fd < fdt->max_fds && !other; fd++) {
		struct file *f = rcu_dereference_raw(fdt->fd[fd]);

		if (f && !close_on_exec(fd, fdt) && fg_session_file(f, &id) &&
		    id != session_id &&
		    id != FG_SESSION_ID_PROBE)
			other = id;
	}
	rcu_read_unlock();
	return other;
}

/* No owner: the superblock holds the module while the probe exists. */
static const struct file_operations fg_session_probe_fops = {
	.llseek = noop_llseek,
};

/*
 * A file on the session filesystem that belongs to no session and no cell,
 * for fg_enforce_armed(), which serialises probes; fg_session_probe_put()
 * releases it and says whether a program asked bpf_fg_file_session()
 * about it in between.
 */
struct file *fg_session_probe_file(void)
{
	struct vfsmount *mnt;
	struct inode *inode;
	struct file *file;

	mnt = fg_session_fs_get();
	if (IS_ERR(mnt))
		return ERR_CAST(mnt);
	inode = alloc_anon_inode(mnt->mnt_sb);
	if (IS_ERR(inode)) {
		fg_session_fs_put();
		return ERR_CAST(inode);
	}
	inode->i_ino = FG_SESSION_ID_PROBE;
	file = alloc_file_pseudo(inode, mnt, "framegate-probe", O_RDONLY,
				 &fg_session_probe_fops);
	if (IS_ERR(file)) {
		iput(inode);
		fg_session_fs_put();
		return file;
	}
	WRITE_ONCE(fg_probe_asked, false);
	WRITE_ONCE(fg_probe_file, file);
	return file;
}

bool fg_session_probe_put(struct file *file)
{
	bool asked;

	WRITE_ONCE(fg_probe_file, NULL);
	asked = READ_ONCE(fg_probe_asked);
	fput(file);
	fg_session_fs_put();
	return asked;
}

/*
 * Which address spaces map which sessions, for the cell programs' rule
 * that a task mapping session T may not send on a socket of session S.
 * One entry per (mm, session) with the number of its VMAs: mmap() adds,
 * vm_ops open (split, mremap) and close count. Mappings are never copied
 * by fork (VM_DONTCOPY). An entry left behind by an mmap() that failed
 * after our ->mmap is removed with its session.
 *
 * Every send of every cell worker looks here, so lookups take no lock:
 * writers serialise on fg_mm_lock, readers walk the buckets under RCU, and
 * an entry's mm and session_id never change once it is visible.
 */
struct fg_mm_map {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct mm_struct *mm;
	u64 session_id;
	unsigned long vmas;		/* under fg_mm_lock */
};

static DEFINE_HASHTABLE(fg_mm_maps, 6);
static DEFINE_SPINLOCK(fg_mm_lock);
static atomic_t fg_mm_nr = ATOMIC_INIT(0);

static struct fg_mm_map *fg_mm_map_find(const struct mm_struct *mm, u64 id)
{
	struct fg_mm_map *m;

	hash_for_each_possible(fg_mm_maps, m, node, (unsigned long)mm)
		if (m->mm == mm && m->session_id == id)
			return m;
	return NULL;
}

/* One more VMA of session @id in @mm; @spare is used or freed. */
static void fg_mm_map_get(const struct mm_struct *mm, u64 id,
			  struct fg_mm_map *spare)
{
	struct fg_mm_map *m;

	spin_lock(&fg_mm_lock);
	m = fg_mm_map_find(mm, id);
	if (!m && spare) {
		m = spare;
		spare = NULL;
		m->mm = mm;
		m->session_id = id;
		m->vmas = 0;
		hash_add_rcu(fg_mm_maps, &m->node, (unsigned long)mm);
		atomic_inc(&fg_mm_nr);
	}
	if (m)
		m->vmas++;
	spin_unlock(&fg_mm_lock);
	WARN_ON_ONCE(!m);
	kfree(spare);
}

static void fg_mm_map_put(const struct mm_struct *mm, u64 id)
{
	struct fg_mm_map *m;

	spin_lock(&fg_mm_lock);
	m = fg_mm_map_find(mm, id);
	if (m && !--m->vmas) {
		hash_del_rcu(&m->node);
		atomic_dec(&fg_mm_nr);
	} else {
		m = NULL;
	}
	spin_unlock(&fg_mm_lock);
	if (m)
		kfree_rcu(m, rcu);
}

static void fg_mm_map_forget(u64 id)
{
	struct fg_mm_map *m;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&fg_mm_lock);
	hash_for_each_safe(fg_mm_maps, bkt, tmp, m, node) {
		if (m->session_id != id)
			continue;
		hash_del_rcu(&m->node);
		atomic_dec(&fg_mm_nr);
		kfree_rcu(m, rcu);
	}
	spin_unlock(&fg_mm_lock);
}

/* A session other than @session_id that @mm maps, or 0. Takes no lock. */
u64 fg_session_mm_other(const struct mm_struct *mm, u64 session_id)
{
	struct fg_mm_map *m;
	u64 other = 0;

	if (!mm || !atomic_read(&fg_mm_nr))
		return 0;
	rcu_read_lock();
	hash_for_each_possible_rcu(fg_mm_maps, m, node, (unsigned long)mm) {
		if (m->mm == mm && m->session_id != session_id) {
			other = m->session_id;
			break;
		}
	}
	rcu_read_unlock();
	return other;
}

void fg_session_snapshot(struct fg_session *s, struct fg_session_counters *c,
			 u32 *state)
{
	spin_lock(&s->lock);
	*c = s->c;
	*state = s->state;
	spin_unlock(&s->lock);
}

/* Oldest READY slot, or -1. Called with s->lock held. */
static int fg_session_oldest_ready(struct fg_session *s)
{
	int i, best = -1;

	for (i = 0; i < s->depth; i++) {
		if (s->slots[i].state != FG_SLOT_READY)
			continue;
		if (best < 0 || s->slots[i].order < s->slots[best].order)
			best = i;
	}
	return best;
}

/*
 * Drops every READY frame of a session that ended (frames_dropped_revoked),
 * and with @held its HELD ones too: revoke takes back what the session
 * held, loss leaves held frames (still mapped) to be released.
 */
static void fg_session_drop_all(struct fg_session *s, bool held)
{
	int i;

	lockdep_assert_held(&s->lock);
	for (i = 0; i < s->depth; i++)
		if (s->slots[i].state == FG_SLOT_READY ||
		    (held && s->slots[i].state == FG_SLOT_HELD))
			s->slots[i].state = FG_SLOT_FREE;
	s->c.dropped_revoked += s->c.queued;
	atomic64_add(s->c.queued, &fg_stats.frames_dropped);
	s->c.queued = 0;
	if (held)
		s->c.held = 0;
}

/*
 * Copies one frame into the session, dropping the oldest unconsumed frame
 * when the ring is full. Called by the camera's work item with the camera's
 * subs_lock held; sleeps only in the copy, which runs without s->lock.
 */
void fg_session_deliver(struct fg_session *s, const struct fg_frame_meta *meta,
			const void *const *planes)
{
	const struct fg_frame_plane *p;
	struct fg_slot *slot;
	int i, idx = -1;
	void *dst;

	/* I2: nothing captured before the session existed. */
	if (meta->timestamp_ns < s->created_ns)
		return;

	spin_lock(&s->lock);
	if (s->state != FG_SESSION_ACTIVE) {
		spin_unlock(&s->lock);
		return;
	}
	for (i = 0; i < s->depth; i++) {
		if (s->slots[i].state == FG_SLOT_FREE) {
			idx = i;
			break;
		}
	}
	if (idx < 0) {
		idx = fg_session_oldest_ready(s);
		if (idx >= 0) {
			s->c.queued--;
			s->c.dropped_overrun++;
			atomic64_inc(&fg_stats.frames_dropped);
		}
	}
	if (idx < 0) {
		s->c.captured++;
		s->c.dropped_held++;
		atomic64_inc(&fg_stats.frames_dropped);
		spin_unlock(&s->lock);
		return;
	}
	slot = &s->slots[idx];
	slot->state = FG_SLOT_WRITING;
	spin_unlock(&s->lock);

	/* The camera sized the slots for every plane at its offset. */
	dst = s->window + idx * s->slot_size;
	for (i = 0; i < meta->num_planes; i++) {
		p = &meta->planes[i];
		if (p->offset < s->slot_size)
			memcpy(dst + p->offset, planes[i],
			       min_t(size_t, p->bytesused,
				     s->slot_size - p->offset));
	}

	spin_lock(&s->lock);
	s->c.captured++;
	if (s->state != FG_SESSION_ACTIVE) {
		slot->state = FG_SLOT_FREE;
		s->c.dropped_revoked++;
		atomic64_inc(&fg_stats.frames_dropped);
		spin_unlock(&s->lock);
		return;
	}
	slot->meta = *meta;
	slot->order = s->next_order++;
	slot->state = FG_SLOT_READY;
	s->c.queued++;
	spin_unlock(&s->lock);
	wake_up_interruptible_poll(&s->wq, EPOLLIN | EPOLLRDNORM);
}

/*
 * A camera of the session went away. Final; the mapping and held frames
 * stay. A session that is not published yet (id 0) is announced, and
 * counted as active, only when it is.
 */
void fg_session_lose(struct fg_session *s)
{
	u64 id;

	spin_lock(&s->lock);
	if (s->state != FG_SESSION_ACTIVE) {
		spin_unlock(&s->lock);
		return;
	}
	s->state = FG_SESSION_LOST;
	fg_session_drop_all(s, false);
	id = s->id;
	if (id)
		atomic64_dec(&fg_stats.sessions_active);
	else
		s->lost_unannounced = true;	/* fg_session_create() tells */
	spin_unlock(&s->lock);
	wake_up_interruptible_poll(&s->wq, EPOLLHUP | EPOLLERR);
	if (!id)
		return;
	fg_board_update(s);
	pr_debug("session %llu lost\n", id);
	fg_netlink_event_session(FG_EVENT_SESSION_LOST, id, s->tenant);
}

/* Revokes an active session: its mappings are torn down at once. */
int fg_session_revoke(struct fg_session *s)
{
	mutex_lock(&s->map_lock);
	spin_lock(&s->lock);
	if (s->state != FG_SESSION_ACTIVE) {
		spin_unlock(&s->lock);
		mutex_unlock(&s->map_lock);
		return -EALREADY;
	}
	s->state = FG_SESSION_REVOKED;
	fg_session_drop_all(s, true);
	spin_unlock(&s->lock);
	/* Packets too, even of a send that is already running. */
	fg_board_update(s);
	unmap_mapping_range(s->inode->i_mapping, 0, 0, 1);
	mutex_unlock(&s->map_lock);

	atomic64_dec(&fg_stats.sessions_active);
	atomic64_inc(&fg_stats.sessions_revoked);
	wake_up_interruptible_poll(&s->wq, EPOLLHUP | EPOLLERR);
	pr_info("session %llu of tenant %llu revoked\n", s->id, s->tenant);
	fg_netlink_event_session(FG_EVENT_SESSION_REVOKED, s->id, s->tenant);
	return 0;
}

struct fg_session *fg_session_find(u64 id)
{
	struct fg_session *s;

	lockdep_assert_held(&fg_lock);
	list_for_each_entry(s, &fg_sessions, node)
		if (s->id == id)
			return s;
	return NULL;
}

static vm_fault_t fg_session_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct fg_session *s = vma->vm_private_data;
	unsigned long off = vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret;

	if (off >= s->window_size)
		return VM_FAULT_SIGBUS;
	mutex_lock(&s->map_lock);
	if (READ_ONCE(s->state) == FG_SESSION_REVOKED)
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vma, vmf->address,
				     vmalloc_to_pfn(s->window + off));
	mutex_unlock(&s->map_lock);
	return ret;
}

static void fg_session_vm_open(struct vm_area_struct *vma)
{
	struct fg_session *s = vma->vm_private_data;

	fg_mm_map_get(vma->vm_mm, s->id, NULL);
}

static void fg_session_vm_close(struct vm_area_struct *vma)
{
	struct fg_session *s = vma->vm_private_data;

	fg_mm_map_put(vma->vm_mm, s->id);
}

static const struct vm_operations_struct fg_session_vm_ops = {
	.open = fg_session_vm_open,
	.close = fg_session_vm_close,
	.fault = fg_session_fault,
};

static int fg_session_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fg_session *s = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long pages = s->window_size >> PAGE_SHIFT;
	struct fg_mm_map *spare;
	int ret = 0;

	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EACCES;
	if (vma->vm_pgoff >= pages || len > (pages - vma->vm_pgoff) << PAGE_SHIFT)
		return -EINVAL;
	spare = kmalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare)
		return -ENOMEM;

	mutex_lock(&s->map_lock);
	if (READ_ONCE(s->state) == FG_SESSION_REVOKED) {
		ret = -EPERM;
	} else {
		/*
		 * Never writable or executable (not even by a later mprotect),
		 * never inherited, never part of a core dump.
		 */
		vma->vm_flags &= ~(VM_MAYWRITE | VM_MAYEXEC);
		vma->vm_flags |= VM_PFNMAP | VM_IO | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_DONTCOPY;
		vma->vm_ops = &fg_session_vm_ops;
		vma->vm_private_data = s;
		fg_mm_map_get(vma->vm_mm, s->id, spare);
		spare = NULL;
	}
	mutex_unlock(&s->map_lock);
	kfree(spare);
	return ret;
}

static __poll_t fg_session_poll(struct file *file, poll_table *wait)
{
	struct fg_session *s = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &s->wq, wait);
	spin_lock(&s->lock);
	if (s->state != FG_SESSION_ACTIVE)
		mask |= EPOLLHUP | EPOLLERR;
	if (s->c.queued)
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&s->lock);
	return mask;
}

static long fg_session_info(struct fg_session *s, void __user *uarg)
{
	struct fg_session_info info;
	unsigned int i;
	u32 usize;
	int ret;

	ret = fg_copy_struct_in(&info, sizeof(info), FG_SESSION_INFO_SIZE_VER0,
				uarg, &usize);
	if (ret)
		return ret;
	ret = fg_check_flags(info.flags, 0, info.reserved, ARRAY_SIZE(info.reserved));
	if (ret)
		return ret;

	memset(&info, 0, sizeof(info));
	info.size = min_t(u32, usize, sizeof(info));
	info.session_id = s->id;
	info.tenant_id = s->tenant;
	info.created_ns = s->created_ns;
	info.slot_size = s->slot_size;
	info.window_size = s->window_size;
	info.state = READ_ONCE(s->state);
	info.depth = s->depth;
	info.ncameras = s->ncameras;
	for (i = 0; i < s->ncameras; i++)
		info.cameras[i] = s->subs[i].cam->id;
	return fg_copy_struct_out(uarg, usize, &info, sizeof(info));
}

static long fg_session_acquire(struct fg_session *s, void __user *uarg)
{
	struct fg_frame f;
	struct fg_slot *slot;
	u64 frame_id;
	int idx, ret;
	u32 usize;

	ret = fg_copy_struct_in(&f, sizeof(f), FG_FRAME_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	ret = fg_check_flags(f.flags, 0, f.reserved, ARRAY_SIZE(f.reserved));
	if (ret)
		return ret;

	spin_lock(&s->lock);
	if (s->state == FG_SESSION_REVOKED) {
		spin_unlock(&s->lock);
		return -EPERM;
	}
	if (s->state == FG_SESSION_LOST) {
		spin_unlock(&s->lock);
		return -ENODEV;
	}
	idx = fg_session_oldest_ready(s);
	if (idx < 0) {
		spin_unlock(&s->lock);
		return -EAGAIN;
	}
	slot = &s->slots[idx];
	slot->state = FG_SLOT_HELD;
	slot->frame_id = ++s->next_frame_id;
	frame_id = slot->frame_id;
	s->c.queued--;
	s->c.held++;
	s->c.delivered++;
	s->c.bytes_delivered += slot->meta.bytesused;

	memset(&f, 0, sizeof(f));
	f.size = min_t(u32, usize, sizeof(f));
	f.frame_id = frame_id;
	f.offset = (u64)idx * s->slot_size;
	f.sequence = slot->meta.sequence;
	f.timestamp_ns = slot->meta.timestamp_ns;
	f.camera_id = slot->meta.camera_id;
	f.bytesused = slot->meta.bytesused;
	f.width = slot->meta.width;
	f.height = slot->meta.height;
	f.pixelformat = slot->meta.pixelformat;
	f.bytesperline = slot->meta.bytesperline;
	f.num_planes = slot->meta.num_planes;
	memcpy(f.planes, slot->meta.planes, sizeof(f.planes));
	spin_unlock(&s->lock);

	if (fg_copy_struct_out(uarg, usize, &f, sizeof(f))) {
		/* Undo, so that the frame is neither lost nor counted. */
		spin_lock(&s->lock);
		if (slot->state == FG_SLOT_HELD && slot->frame_id == frame_id) {
			s->c.held--;
			s->c.delivered--;
			s->c.bytes_delivered -= f.bytesused;
			if (s->state == FG_SESSION_ACTIVE) {
				slot->state = FG_SLOT_READY;
				s->c.queued++;
			} else {
				/* Lost meanwhile: its ready frames are dropped. */
				slot->state = FG_SLOT_FREE;
				s->c.dropped_revoked++;
				atomic64_inc(&fg_stats.frames_dropped);
			}
		} else if (s->state == FG_SESSION_REVOKED &&
			   slot->state == FG_SLOT_FREE &&
			   slot->frame_id == frame_id) {
			/* Revoked meanwhile: it took the frame back. */
			s->c.delivered--;
			s->c.bytes_delivered -= f.bytesused;
			s->c.dropped_revoked++;
			atomic64_inc(&fg_stats.frames_dropped);
		}
		spin_unlock(&s->lock);
		return -EFAULT;
	}
	atomic64_inc(&fg_stats.frames_delivered);
	atomic64_add(f.bytesused, &fg_stats.bytes_delivered);
	return 0;
}

static long fg_session_release_frame(struct fg_session *s, void __user *uarg)
{
	struct fg_frame_release r;
	unsigned int i;
	u32 usize;
	int ret;

	ret = fg_copy_struct_in(&r, sizeof(r), FG_FRAME_RELEASE_SIZE_VER0, uarg,
				&usize);
	if (ret)
		return ret;
	ret = fg_check_flags(r.flags, 0, r.reserved, ARRAY_SIZE(r.reserved));
	if (ret)
		return ret;

	ret = -ENOENT;
	spin_lock(&s->lock);
	if (s->state == FG_SESSION_REVOKED) {
		ret = -EPERM;
		goto out;
	}
	for (i = 0; i < s->depth; i++) {
		if (s->slots[i].state == FG_SLOT_HELD &&
		    s->slots[i].frame_id == r.frame_id) {
			s->slots[i].state = FG_SLOT_FREE;
			s->c.held--;
			ret = 0;
			break;
		}
	}
out:
	spin_unlock(&s->lock);
	return ret;
}

static long fg_session_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct fg_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (FG_IOC_NOSIZE(cmd)) {
	case FG_IOC_NOSIZE(FG_SESSION_IOC_INFO):
		return fg_session_info(s, uarg);
	case FG_IOC_NOSIZE(FG_SESSION_IOC_ACQUIRE):
		return fg_session_acquire(s, uarg);
	case FG_IOC_NOSIZE(FG_SESSION_IOC_RELEASE):
		return fg_session_release_frame(s, uarg);
	default:
		return -ENOTTY;
	}
}

/* Undoes fg_session_link() for the cameras it linked. */
static void fg_session_unlink(struct fg_session *s)
{
	unsigned int i;

	for (i = 0; i < s->nlinked; i++) {
		struct fg_camera *cam = s->subs[i].cam;

		mutex_lock(&cam->subs_lock);
		list_del(&s->subs[i].cam_node);
		cam->nsubs--;
		mutex_unlock(&cam->subs_lock);
	}
	s->nlinked = 0;
}

/*
 * The last close of the session fd; also the undo of a create that failed
 * after the file existed, when the session was never published (id 0).
 */
static int fg_session_release(struct inode *inode, struct file *file)
{
	struct fg_session *s = file->private_data;
	bool active;

	if (!s->id) {
		fg_session_unlink(s);
		kobject_put(&s->kobj);
		return 0;
	}

	mutex_lock(&fg_lock);
	list_del(&s->node);
	/* The packet filter drops what its sockets still send. */
	fg_board_release(s);
	mutex_unlock(&fg_lock);
	/* From now on the cell programs see a closed session. */
	xa_erase(&fg_session_ids, s->id);
	fg_session_unlink(s);

	spin_lock(&s->lock);
	active = s->state == FG_SESSION_ACTIVE;
	spin_unlock(&s->lock);
	if (active)
		atomic64_dec(&fg_stats.sessions_active);

	pr_debug("session %llu of tenant %llu closed\n", s->id, s->tenant);
	fg_netlink_event_session(FG_EVENT_SESSION_CLOSED, s->id, s->tenant);
	kobject_del(&s->kobj);
	kobject_put(&s->kobj);
	return 0;
}

static const struct file_operations fg_session_fops = {
	.owner = THIS_MODULE,
	.release = fg_session_release,
	.unlocked_ioctl = fg_session_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = fg_session_mmap,
	.poll = fg_session_poll,
	.llseek = noop_llseek,
};

/* The kobject release: the session is unreachable. */
void fg_session_free(struct fg_session *s)
{
	unsigned int i;

	for (i = 0; i < s->ncameras; i++)
		if (s->subs[i].cam)
			kobject_put(&s->subs[i].cam->kobj);
	if (s->id) {
		fg_mm_map_forget(s->id);
		fg_object_destroyed("session", s->id);
	}
	if (s->fs_pinned)
		fg_session_fs_put();
	vfree(s->window);
	kfree(s->slots);
	kfree_rcu(s, rcu);	/* fg_enforce_denied() may be looking at it */
}

static int fg_session_validate(const struct fg_session_create *c)
{
	unsigned int i, j;

	if (fg_check_flags(c->flags, __FG_SESSION_F_ALL, c->reserved,
			   ARRAY_SIZE(c->reserved)))
		return -EINVAL;
	if (!c->tenant_id || c->depth < FG_DEPTH_MIN ||
	    c->depth > FG_DEPTH_MAX || !c->ncameras ||
	    c->ncameras > FG_SESSION_CAMERAS_MAX)
		return -EINVAL;
	for (i = 0; i < FG_SESSION_CAMERAS_MAX; i++) {
		bool used = i < c->ncameras;

		if (used != !!c->cameras[i])
			return -EINVAL;
		for (j = 0; used && j < i; j++)
			if (c->cameras[i] == c->cameras[j])
				return -EINVAL;
	}
	return 0;
}

/* Takes a reference to each camera and sizes the window. */
static int fg_session_bind_cameras(struct fg_session *s,
				   const struct fg_session_create *c)
{
	struct fg_camera *cam;
	unsigned int i;
	size_t slot = 0;

	mutex_lock(&fg_lock);
	for (i = 0; i < c->ncameras; i++) {
		cam = xa_load(&fg_camera_ids, c->cameras[i]);
		if (!cam) {
			mutex_unlock(&fg_lock);
			return -ENOENT;
		}
		if (fg_camera_state(cam) != FG_CAMERA_STREAMING) {
			mutex_unlock(&fg_lock);
			return -ENODEV;
		}
		kobject_get(&cam->kobj);
		s->subs[i].cam = cam;
		s->subs[i].session = s;
		s->ncameras = i + 1;
		slot = max_t(size_t, slot, PAGE_ALIGN(cam->sizeimage));
	}
	mutex_unlock(&fg_lock);

	s->slot_size = slot;
	if ((u64)slot * s->depth > FG_WINDOW_MAX)
		return -E2BIG;
	s->window_size = slot * s->depth;
	return 0;
}

/*
 * Subscribes the session to its cameras; from now on frames arrive. Cannot
 * fail: a camera lost since fg_session_bind_cameras() makes the session
 * lost, as a loss just after the create would.
 */
static void fg_session_link(struct fg_session *s)
{
	unsigned int i;

	for (i = 0; i < s->ncameras; i++) {
		struct fg_camera *cam = s->subs[i].cam;
		bool lost;

		mutex_lock(&cam->subs_lock);
		list_add_tail(&s->subs[i].cam_node, &cam->subs);
		cam->nsubs++;
		s->nlinked = i + 1;
		lost = fg_camera_state(cam) != FG_CAMERA_STREAMING;
		mutex_unlock(&cam->subs_lock);
		if (lost)
			fg_session_lose(s);
	}
}

/*
 * Makes the session visible: frames, the id lookup of the cell programs,
 * sysfs, the netlink list. Everything that can fail comes before the id is
 * taken, so a failure uses up no id and announces nothing.
 */
static int fg_session_publish(struct fg_session *s)
{
	u64 id;
	int ret;

	mutex_lock(&fg_lock);
	/* The next id whose board slot is free. */
	id = fg_board_next_id(fg_next_session_id);
	if (!id) {
		mutex_unlock(&fg_lock);
		return -ENOSPC;
	}
	s->created_ns = ktime_get_ns();
	fg_session_link(s);
	ret = xa_insert(&fg_session_ids, id, s, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_unlink;
	s->kobj.kset = fg_sessions_kset;
	ret = kobject_add(&s->kobj, NULL, "%llu", id);
	if (ret)
		goto err_erase;

	fg_next_session_id = id;
	s->inode->i_ino = id;
	spin_lock(&s->lock);
	s->id = id;
	if (s->state == FG_SESSION_ACTIVE)
		atomic64_inc(&fg_stats.sessions_active);
	spin_unlock(&s->lock);
	fg_board_publish(s);
	list_add_tail(&s->node, &fg_sessions);
	mutex_unlock(&fg_lock);
	fg_object_created("session", id);
	atomic64_inc(&fg_stats.sessions_created);
	return 0;

err_erase:
	xa_erase(&fg_session_ids, id);
err_unlink:
	mutex_unlock(&fg_lock);
	fg_session_unlink(s);
	return ret;
}

long fg_session_create(struct fg_session_create __user *uarg)
{
	struct fg_session_create c;
	struct fg_session *s;
	struct vfsmount *mnt;
	struct inode *inode;
	struct file *file;
	int ret, fd;
	u32 usize;

	ret = fg_copy_struct_in(&c, sizeof(c), FG_SESSION_CREATE_SIZE_VER0,
				uarg, &usize);
	if (ret)
		return ret;
	ret = fg_session_validate(&c);
	if (ret)
		return ret;
	ret = fg_enforce_session_allowed(c.tenant_id);
	if (ret)
		return ret;

	/* What a tenant's session costs is charged to its creator's memcg. */
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	kobject_init(&s->kobj, &fg_session_ktype);
	INIT_LIST_HEAD(&s->node);
	mutex_init(&s->map_lock);
	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wq);
	fg_enforce_ratelimit_init(&s->denied_rs);
	s->tenant = c.tenant_id;
	s->depth = c.depth;
	s->state = FG_SESSION_ACTIVE;

	ret = fg_session_bind_cameras(s, &c);
	if (ret)
		goto err_put;
	ret = -ENOMEM;
	s->slots = kcalloc(s->depth, sizeof(*s->slots), GFP_KERNEL_ACCOUNT);
	if (!s->slots)
		goto err_put;
	/* Zeroed: a fresh window shows nothing but zeroes (I3). */
	s->window = __vmalloc(s->window_size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!s->window)
		goto err_put;
	mnt = fg_session_fs_get();
	if (IS_ERR(mnt)) {
		ret = PTR_ERR(mnt);
		goto err_put;
	}
	s->fs_pinned = true;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	inode = alloc_anon_inode(mnt->mnt_sb);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto err_fd;
	}
	inode->i_ino = 0;	/* never a live session's id; set at publish */
	if (!try_module_get(THIS_MODULE)) {
		ret = -ENODEV;
		goto err_iput;
	}
	file = alloc_file_pseudo(inode, mnt, "framegate-session", O_RDONLY,
				 &fg_session_fops);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		module_put(THIS_MODULE);
		goto err_iput;
	}
	file->private_data = s;
	s->inode = inode;

	/* From here on, fput(file) undoes everything (fg_session_release). */
	ret = fg_session_publish(s);
	if (ret) {
		put_unused_fd(fd);
		fput(file);
		return ret;
	}
	pr_debug("session %llu of tenant %llu on %u cameras, depth %u\n",
		 s->id, s->tenant, s->ncameras, s->depth);
	fg_netlink_event_session(FG_EVENT_SESSION_CREATED, s->id, s->tenant);
	/* Lost while it was being published: said now, after CREATED. */
	if (READ_ONCE(s->lost_unannounced))
		fg_netlink_event_session(FG_EVENT_SESSION_LOST, s->id, s->tenant);

	c.session_id = s->id;
	c.fd = fd;
	if (fg_copy_struct_out(uarg, usize, &c, sizeof(c))) {
		put_unused_fd(fd);
		fput(file);	/* closes the session: SESSION_CLOSED */
		return -EFAULT;
	}
	/* Publish last: the fd, and nothing after it. */
	fd_install(fd, file);
	return fd;

err_iput:
	iput(inode);
err_fd:
	put_unused_fd(fd);
err_put:
	kobject_put(&s->kobj);
	return ret;
}
