/* SPDX-License-Identifier: GPL-2.0 */
/*
 * framegate: internal interfaces between the parts of the module.
 *
 * Lock order (outer first):
 *   media req_queue_mutex   (the driver's) STREAMON/STREAMOFF/REQBUFS, as
 *                           video_ioctl2() takes it
 *   vb2 queue lock          (the driver's; or its video_device lock) every
 *                           call into the driver and every buffer read;
 *                           delivery holds it across dequeue, copy, requeue
 *   fg_lock                 cameras and sessions lists, id allocation
 *   session->map_lock       revoke vs. page faults of the session window
 *   camera->subs_lock       the sessions subscribed to a camera
 *   session->lock           slots and counters (spinlock, never sleeps)
 * Nothing takes the driver's locks with any framegate lock held, and
 * nothing takes fg_lock under the driver's locks: the two sides meet only
 * in subs_lock and session->lock. sysfs show functions take at most
 * subs_lock and session->lock (kernfs active references come first).
 */
#ifndef _FG_FRAMEGATE_H
#define _FG_FRAMEGATE_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/ratelimit.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/framegate.h>

struct file;
struct mm_struct;
struct video_device;
struct vb2_queue;

extern struct mutex fg_lock;
extern struct list_head fg_cameras;
extern struct list_head fg_sessions;
extern struct workqueue_struct *fg_wq;
extern struct kset *fg_cameras_kset;
extern struct kset *fg_sessions_kset;
extern struct xarray fg_session_ids;	/* id -> session, RCU lookups */
extern struct xarray fg_camera_ids;	/* id -> attached camera, RCU */

/* Global counters, shown in /sys/kernel/framegate/ and FG_CMD_GET_STATS. */
struct fg_stats {
	atomic64_t cameras_attached;
	atomic64_t sessions_active;
	atomic64_t sessions_created;
	atomic64_t sessions_revoked;
	atomic64_t frames_captured;
	atomic64_t frames_delivered;
	atomic64_t frames_dropped;
	atomic64_t bytes_delivered;
	atomic64_t objects_alive;
	atomic64_t denied[FG_HOOK_COUNT];
	atomic64_t denied_events_dropped;
};

extern struct fg_stats fg_stats;

/* What a captured frame is, independent of where its pixels live. */
struct fg_frame_meta {
	u64 sequence;
	u64 timestamp_ns;
	u32 camera_id;
	u32 bytesused;
	u32 width;
	u32 height;
	u32 pixelformat;
	u32 bytesperline;		/* of plane 0 */
	u32 num_planes;
	struct fg_frame_plane planes[FG_FRAME_PLANES_MAX];
};

/* Poll-table entries on the V4L2 file; vb2 uses two wait queues. */
#define FG_CAMERA_WAITS 2

struct fg_camera {
	struct kobject kobj;		/* sysfs cameras/<id>; the refcount */
	struct list_head node;		/* fg_cameras, under fg_lock */
	struct rcu_head rcu;		/* freed after RCU lookups are done */
	u32 id;
	dev_t devt;			/* of the V4L2 node */
	u32 state;			/* enum fg_camera_state */
	char devname[32];

	struct file *vfile;		/* framegate's own open of the node */
	struct video_device *vdev;
	struct vb2_queue *q;
	u32 width, height, pixelformat, bytesperline, sizeimage, fps;
	u32 buffers;
	u32 buf_type;			/* V4L2_BUF_TYPE_VIDEO_CAPTURE(_MPLANE) */
	u32 num_planes;			/* sizeimage is their sum */
	u32 plane_sizeimage[FG_FRAME_PLANES_MAX];
	u32 plane_bytesperline[FG_FRAME_PLANES_MAX];

	poll_table pt;
	wait_queue_head_t *whead[FG_CAMERA_WAITS];
	wait_queue_entry_t wait[FG_CAMERA_WAITS];
	unsigned int nwait;
	struct work_struct work;	/* dequeue, deliver, requeue */
	struct delayed_work watchdog;	/* notices a device that went away */
	bool stopping;
	bool streaming;

	struct mutex subs_lock;		/* protects subs and nsubs */
	struct list_head subs;		/* struct fg_sub.cam_node */
	u32 nsubs;

	atomic64_t frames_captured;
	atomic64_t frames_dropped;
	atomic64_t denied[FG_HOOK_COUNT];	/* only open, mmap, ioctl, read */
	struct ratelimit_state denied_rs;	/* its denial events */
};

struct fg_session;

/* The link between a session and one of its cameras. */
struct fg_sub {
	struct list_head cam_node;	/* camera->subs, under subs_lock */
	struct fg_camera *cam;		/* holds a kobject reference */
	struct fg_session *session;
};

enum fg_slot_state {
	FG_SLOT_FREE,
	FG_SLOT_WRITING,	/* a camera is copying into it */
	FG_SLOT_READY,		/* holds a frame nobody acquired yet */
	FG_SLOT_HELD,		/* acquired, not released */
};

struct fg_slot {
	u8 state;
	u64 order;		/* delivery order among READY slots */
	u64 frame_id;		/* while HELD */
	struct fg_frame_meta meta;
};

struct fg_session_counters {
	u64 captured;
	u64 delivered;
	u64 dropped_overrun;
	u64 dropped_held;
	u64 dropped_revoked;
	u64 queued;
	u64 held;
	u64 bytes_delivered;
};

struct fg_session {
	struct kobject kobj;		/* sysfs sessions/<id>; the refcount */
	struct list_head node;		/* fg_sessions, under fg_lock */
	struct rcu_head rcu;		/* freed after RCU lookups are done */
	u64 id;
	u64 tenant;
	u64 created_ns;			/* CLOCK_MONOTONIC */
	struct inode *inode;		/* the session's own inode */

	void *window;			/* vmalloc_user(), depth slots */
	size_t slot_size;
	size_t window_size;
	u32 depth;

	struct mutex map_lock;		/* revoke vs. fault */
	spinlock_t lock;		/* everything below */
	u32 state;			/* enum fg_session_state */
	u64 next_order;
	u64 next_frame_id;
	struct fg_slot *slots;
	struct fg_session_counters c;
	wait_queue_head_t wq;

	atomic64_t denied[FG_HOOK_COUNT];
	struct ratelimit_state denied_rs;	/* its denial events */
	bool fs_pinned;			/* holds a pin of the session fs */
	bool board_held;		/* its board slot (board.c: locking) */
	u64 board_base;			/* the slot's egress_denied when taken */
	u64 board_carry;		/* counted on boards since replaced */
	bool lost_unannounced;		/* lost before it was published */

	u32 ncameras;			/* bound: each subs[i].cam referenced */
	u32 nlinked;			/* subs[0..nlinked) on their cameras */
	struct fg_sub subs[FG_SESSION_CAMERAS_MAX];
};

/* board.c */
long fg_board_set(struct fg_board __user *uarg);
u64 fg_board_next_id(u64 last);
void fg_board_publish(struct fg_session *s);
void fg_board_update(struct fg_session *s);
void fg_board_release(struct fg_session *s);
u64 fg_board_session_denied(const struct fg_session *s);
u64 fg_board_denied(void);
void fg_board_exit(void);

/* main.c */
void fg_object_created(const char *kind, u64 id);
void fg_object_destroyed(const char *kind, u64 id);

/* camera.c */
long fg_camera_attach(struct fg_camera_attach __user *uarg);
struct fg_camera *fg_camera_find(u32 id);
u32 fg_camera_state(const struct fg_camera *cam);

/* session.c */
long fg_session_create(struct fg_session_create __user *uarg);
struct fg_session *fg_session_find(u64 id);
void fg_session_deliver(struct fg_session *s, const struct fg_frame_meta *meta,
			const void *const *planes);
int fg_session_revoke(struct fg_session *s);
void fg_session_lose(struct fg_session *s);
void fg_session_snapshot(struct fg_session *s, struct fg_session_counters *c,
			 u32 *state);
bool fg_session_file(const struct file *file, u64 *id);
u64 fg_session_files_other(u64 session_id);
struct file *fg_session_probe_file(void);
bool fg_session_probe_put(struct file *file);
u64 fg_session_mm_other(const struct mm_struct *mm, u64 session_id);

/* enforce.c */
extern bool fg_allow_unenforced;
int fg_enforce_init(void);
void fg_enforce_exit(void);
bool fg_enforce_armed(void);
int fg_enforce_session_allowed(u64 tenant);
void fg_enforce_denied(u64 session_id, u32 camera_id, u32 hook);
void fg_enforce_ratelimit_init(struct ratelimit_state *rs);
u32 fg_enforce_file_camera(const struct file *file);

/* kfunc.c; the bpf_fg_* kfuncs are called only by BPF programs */
int fg_kfunc_init(void);
u64 bpf_fg_file_session(struct file *file);
u64 bpf_fg_files_other_session(u64 session_id);
u32 bpf_fg_file_camera(struct file *file);
u32 bpf_fg_send_check(u64 session_id, u32 hook);
u64 bpf_fg_mm_other_session(u64 session_id);
void bpf_fg_session_denied(u64 session_id, u32 hook);
void bpf_fg_camera_denied(u32 camera_id, u32 hook);

/* ctl.c */
int fg_ctl_init(void);
void fg_ctl_exit(void);
/* An ioctl number without its size bits: the structure's size field rules. */
#define FG_IOC_NOSIZE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
int fg_copy_struct_in(void *dst, size_t ksize, size_t min,
		      const void __user *src, u32 *usize);
int fg_copy_struct_out(void __user *dst, u32 usize, const void *src,
		       size_t ksize);
int fg_check_flags(u32 flags, u32 known, const u32 *reserved, size_t n);

/* netlink.c */
int fg_netlink_init(void);
void fg_netlink_exit(void);
void fg_netlink_event_camera(u32 event, u32 camera_id);
void fg_netlink_event_session(u32 event, u64 session_id, u64 tenant);
void fg_netlink_event_denied(u64 session_id, u32 camera_id, u32 hook,
			     u64 count);

/* debugfs.c */
extern u32 fg_debug_delivery_delay_ms;
void fg_debugfs_init(void);
void fg_debugfs_exit(void);

/* sysfs.c */
int fg_sysfs_init(void);
void fg_sysfs_exit(void);
extern const struct kobj_type fg_camera_ktype;
extern const struct kobj_type fg_session_ktype;
void fg_camera_free(struct fg_camera *cam);
void fg_session_free(struct fg_session *s);

#endif /* _FG_FRAMEGATE_H */
