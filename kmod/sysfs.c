// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/framegate/: global counters, cameras/<id>/ and sessions/<id>/,
 * one value per file. Documentation/ABI/testing/sysfs-kernel-framegate
 * gives the format of each file.
 */

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "framegate.h"

static struct kobject *fg_kobj;
struct kset *fg_cameras_kset;
struct kset *fg_sessions_kset;

static const char * const fg_camera_state_names[] = {
	[FG_CAMERA_STREAMING] = "streaming",
	[FG_CAMERA_LOST] = "lost",
	[FG_CAMERA_DETACHED] = "detached",
};

static const char * const fg_session_state_names[] = {
	[FG_SESSION_ACTIVE] = "active",
	[FG_SESSION_REVOKED] = "revoked",
	[FG_SESSION_LOST] = "lost",
};

/*
 * Counters are shown by one function per kind of object; each attribute
 * carries the offset of its counter.
 */
struct fg_counter_attr {
	struct kobj_attribute attr;
	size_t offset;
};

#define FG_COUNTER_INIT(_name, _show, _struct, _field)		\
	{								\
		.attr = __ATTR(_name, 0444, _show, NULL),		\
		.offset = offsetof(_struct, _field),			\
	}

static size_t fg_counter_offset(struct kobj_attribute *attr)
{
	return container_of(attr, struct fg_counter_attr, attr)->offset;
}

/* Global counters */

static ssize_t fg_global_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	atomic64_t *v = (void *)&fg_stats + fg_counter_offset(attr);

	return sysfs_emit(buf, "%lld\n", atomic64_read(v));
}

static struct fg_counter_attr fg_global_attr_cameras_attached =
	FG_COUNTER_INIT(cameras_attached, fg_global_show, struct fg_stats, cameras_attached);
static struct fg_counter_attr fg_global_attr_sessions_active =
	FG_COUNTER_INIT(sessions_active, fg_global_show, struct fg_stats, sessions_active);
static struct fg_counter_attr fg_global_attr_sessions_created =
	FG_COUNTER_INIT(sessions_created, fg_global_show, struct fg_stats, sessions_created);
static struct fg_counter_attr fg_global_attr_sessions_revoked =
	FG_COUNTER_INIT(sessions_revoked, fg_global_show, struct fg_stats, sessions_revoked);
static struct fg_counter_attr fg_global_attr_frames_captured =
	FG_COUNTER_INIT(frames_captured, fg_global_show, struct fg_stats, frames_captured);
static struct fg_counter_attr fg_global_attr_frames_delivered =
	FG_COUNTER_INIT(frames_delivered, fg_global_show, struct fg_stats, frames_delivered);
static struct fg_counter_attr fg_global_attr_frames_dropped =
	FG_COUNTER_INIT(frames_dropped, fg_global_show, struct fg_stats, frames_dropped);
static struct fg_counter_attr fg_global_attr_bytes_delivered =
	FG_COUNTER_INIT(bytes_delivered, fg_global_show, struct fg_stats, bytes_delivered);
static struct fg_counter_attr fg_global_attr_objects_alive =
	FG_COUNTER_INIT(objects_alive, fg_global_show, struct fg_stats, objects_alive);

/* One denied_<name> file per enum fg_hook value. */
#define FG_DENIED_INIT(_name, _hook, _show, _struct)			\
	FG_COUNTER_INIT(denied_##_name, _show, _struct, denied[_hook])

static struct fg_counter_attr fg_global_attr_denied_open =
	FG_DENIED_INIT(open, FG_HOOK_OPEN, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_receive =
	FG_DENIED_INIT(receive, FG_HOOK_RECEIVE, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_mmap =
	FG_DENIED_INIT(mmap, FG_HOOK_MMAP, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_ioctl =
	FG_DENIED_INIT(ioctl, FG_HOOK_IOCTL, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_ptrace =
	FG_DENIED_INIT(ptrace, FG_HOOK_PTRACE, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_sendmsg =
	FG_DENIED_INIT(sendmsg, FG_HOOK_SENDMSG, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_write =
	FG_DENIED_INIT(write, FG_HOOK_WRITE, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_send_mapped =
	FG_DENIED_INIT(send_mapped, FG_HOOK_SEND_MAPPED, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_connect =
	FG_DENIED_INIT(connect, FG_HOOK_CONNECT, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_unix =
	FG_DENIED_INIT(unix, FG_HOOK_UNIX, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_ipc =
	FG_DENIED_INIT(ipc, FG_HOOK_IPC, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_socket =
	FG_DENIED_INIT(socket, FG_HOOK_SOCKET, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_sockopt =
	FG_DENIED_INIT(sockopt, FG_HOOK_SOCKOPT, fg_global_show, struct fg_stats);
/* Egress drops are counted by the packet filter, on the board. */
static ssize_t fg_global_egress_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", fg_board_denied() +
			  atomic64_read(&fg_stats.denied[FG_HOOK_EGRESS]));
}

static struct fg_counter_attr fg_global_attr_denied_egress =
	FG_DENIED_INIT(egress, FG_HOOK_EGRESS, fg_global_egress_show,
		       struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_channel =
	FG_DENIED_INIT(channel, FG_HOOK_CHANNEL, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_read =
	FG_DENIED_INIT(read, FG_HOOK_READ, fg_global_show, struct fg_stats);
static struct fg_counter_attr fg_global_attr_denied_events_dropped =
	FG_COUNTER_INIT(denied_events_dropped, fg_global_show, struct fg_stats,
			denied_events_dropped);

/* "armed" or "unarmed", probed on each read. */
static ssize_t fg_enforcement_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", fg_enforce_armed() ? "armed" : "unarmed");
}

static struct kobj_attribute fg_global_attr_enforcement =
	__ATTR(enforcement, 0444, fg_enforcement_show, NULL);

static struct attribute *fg_global_attrs[] = {
	&fg_global_attr_enforcement.attr,
	&fg_global_attr_denied_open.attr.attr,
	&fg_global_attr_denied_receive.attr.attr,
	&fg_global_attr_denied_mmap.attr.attr,
	&fg_global_attr_denied_ioctl.attr.attr,
	&fg_global_attr_denied_ptrace.attr.attr,
	&fg_global_attr_denied_sendmsg.attr.attr,
	&fg_global_attr_denied_write.attr.attr,
	&fg_global_attr_denied_send_mapped.attr.attr,
	&fg_global_attr_denied_connect.attr.attr,
	&fg_global_attr_denied_unix.attr.attr,
	&fg_global_attr_denied_ipc.attr.attr,
	&fg_global_attr_denied_socket.attr.attr,
	&fg_global_attr_denied_sockopt.attr.attr,
	&fg_global_attr_denied_egress.attr.attr,
	&fg_global_attr_denied_channel.attr.attr,
	&fg_global_attr_denied_read.attr.attr,
	&fg_global_attr_denied_events_dropped.attr.attr,

	&fg_global_attr_cameras_attached.attr.attr,
	&fg_global_attr_sessions_active.attr.attr,
	&fg_global_attr_sessions_created.attr.attr,
	&fg_global_attr_sessions_revoked.attr.attr,
	&fg_global_attr_frames_captured.attr.attr,
	&fg_global_attr_frames_delivered.attr.attr,
	&fg_global_attr_frames_dropped.attr.attr,
	&fg_global_attr_bytes_delivered.attr.attr,
	&fg_global_attr_objects_alive.attr.attr,
	NULL,
};

static const struct attribute_group fg_global_group = {
	.attrs = fg_global_attrs,
};

/* cameras/<id>/ */

static struct fg_camera *to_camera(struct kobject *kobj)
{
	return container_of(kobj, struct fg_camera, kobj);
}

static ssize_t camera_device_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_camera(kobj)->devname);
}

static ssize_t camera_state_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	u32 state = fg_camera_state(to_camera(kobj));

	return sysfs_emit(buf, "%s\n", fg_camera_state_names[state]);
}

/* The fourcc's four characters, e.g. "YUYV". */
static ssize_t camera_pixelformat_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	u32 f = to_camera(kobj)->pixelformat;

	return sysfs_emit(buf, "%c%c%c%c\n", f & 0xff, (f >> 8) & 0xff,
			  (f >> 16) & 0xff, f >> 24);
}

/* u32 fields fixed at attach */
static ssize_t camera_u32_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	u32 *v = (void *)to_camera(kobj) + fg_counter_offset(attr);

	return sysfs_emit(buf, "%u\n", *v);
}

static ssize_t camera_counter_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	atomic64_t *v = (void *)to_camera(kobj) + fg_counter_offset(attr);

	return sysfs_emit(buf, "%lld\n", atomic64_read(v));
}

static struct fg_counter_attr fg_camera_attr_width =
	FG_COUNTER_INIT(width, camera_u32_show, struct fg_camera, width);
static struct fg_counter_attr fg_camera_attr_height =
	FG_COUNTER_INIT(height, camera_u32_show, struct fg_camera, height);
static struct fg_counter_attr fg_camera_attr_fps =
	FG_COUNTER_INIT(fps, camera_u32_show, struct fg_camera, fps);
static struct fg_counter_attr fg_camera_attr_buffers =
	FG_COUNTER_INIT(buffers, camera_u32_show, struct fg_camera, buffers);
static struct fg_counter_attr fg_camera_attr_frames_captured =
	FG_COUNTER_INIT(frames_captured, camera_counter_show, struct fg_camera, frames_captured);
static struct fg_counter_attr fg_camera_attr_frames_dropped =
	FG_COUNTER_INIT(frames_dropped, camera_counter_show, struct fg_camera, frames_dropped);
static struct fg_counter_attr fg_camera_attr_denied_open =
	FG_DENIED_INIT(open, FG_HOOK_OPEN, camera_counter_show, struct fg_camera);
static struct fg_counter_attr fg_camera_attr_denied_mmap =
	FG_DENIED_INIT(mmap, FG_HOOK_MMAP, camera_counter_show, struct fg_camera);
static struct fg_counter_attr fg_camera_attr_denied_ioctl =
	FG_DENIED_INIT(ioctl, FG_HOOK_IOCTL, camera_counter_show, struct fg_camera);
static struct fg_counter_attr fg_camera_attr_denied_read =
	FG_DENIED_INIT(read, FG_HOOK_READ, camera_counter_show, struct fg_camera);
static struct kobj_attribute fg_camera_attr_device =
	__ATTR(device, 0444, camera_device_show, NULL);
static struct kobj_attribute fg_camera_attr_state =
	__ATTR(state, 0444, camera_state_show, NULL);
static struct kobj_attribute fg_camera_attr_pixelformat =
	__ATTR(pixelformat, 0444, camera_pixelformat_show, NULL);

static ssize_t camera_sessions_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct fg_camera *cam = to_camera(kobj);
	struct fg_sub *sub;
	int len = 0;

	mutex_lock(&cam->subs_lock);
	list_for_each_entry(sub, &cam->subs, cam_node)
		len += sysfs_emit_at(buf, len, "%s%llu", len ? " " : "",
				     sub->session->id);
	mutex_unlock(&cam->subs_lock);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static struct kobj_attribute fg_camera_attr_sessions =
	__ATTR(sessions, 0444, camera_sessions_show, NULL);

static struct attribute *fg_camera_attrs[] = {
	&fg_camera_attr_device.attr,
	&fg_camera_attr_state.attr,
	&fg_camera_attr_width.attr.attr,
	&fg_camera_attr_height.attr.attr,
	&fg_camera_attr_pixelformat.attr,
	&fg_camera_attr_fps.attr.attr,
	&fg_camera_attr_buffers.attr.attr,
	&fg_camera_attr_frames_captured.attr.attr,
	&fg_camera_attr_frames_dropped.attr.attr,
	&fg_camera_attr_sessions.attr,
	&fg_camera_attr_denied_open.attr.attr,
	&fg_camera_attr_denied_mmap.attr.attr,
	&fg_camera_attr_denied_ioctl.attr.attr,
	&fg_camera_attr_denied_read.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(fg_camera);

static void fg_camera_kobj_release(struct kobject *kobj)
{
	fg_camera_free(to_camera(kobj));
}

const struct kobj_type fg_camera_ktype = {
	.release = fg_camera_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = fg_camera_groups,
};

/* sessions/<id>/ */

static struct fg_session *to_session(struct kobject *kobj)
{
	return container_of(kobj, struct fg_session, kobj);
}

static ssize_t session_counter_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct fg_session_counters c;
	u32 state;
	u64 *v = (void *)&c + fg_counter_offset(attr);

	fg_session_snapshot(to_session(kobj), &c, &state);
	return sysfs_emit(buf, "%llu\n", *v);
}

static struct fg_counter_attr fg_session_attr_frames_captured =
	FG_COUNTER_INIT(frames_captured, session_counter_show,
			struct fg_session_counters, captured);
static struct fg_counter_attr fg_session_attr_frames_delivered =
	FG_COUNTER_INIT(frames_delivered, session_counter_show,
			struct fg_session_counters, delivered);
static struct fg_counter_attr fg_session_attr_frames_dropped_overrun =
	FG_COUNTER_INIT(frames_dropped_overrun, session_counter_show,
			struct fg_session_counters, dropped_overrun);
static struct fg_counter_attr fg_session_attr_frames_dropped_held =
	FG_COUNTER_INIT(frames_dropped_held, session_counter_show,
			struct fg_session_counters, dropped_held);
static struct fg_counter_attr fg_session_attr_frames_dropped_revoked =
	FG_COUNTER_INIT(frames_dropped_revoked, session_counter_show,
			struct fg_session_counters, dropped_revoked);
static struct fg_counter_attr fg_session_attr_frames_queued =
	FG_COUNTER_INIT(frames_queued, session_counter_show,
			struct fg_session_counters, queued);
static struct fg_counter_attr fg_session_attr_frames_held =
	FG_COUNTER_INIT(frames_held, session_counter_show,
			struct fg_session_counters, held);
static struct fg_counter_attr fg_session_attr_bytes_delivered =
	FG_COUNTER_INIT(bytes_delivered, session_counter_show,
			struct fg_session_counters, bytes_delivered);

static ssize_t session_denied_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	atomic64_t *v = (void *)to_session(kobj) + fg_counter_offset(attr);

	return sysfs_emit(buf, "%lld\n", atomic64_read(v));
}

static struct fg_counter_attr fg_session_attr_denied_open =
	FG_DENIED_INIT(open, FG_HOOK_OPEN, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_receive =
	FG_DENIED_INIT(receive, FG_HOOK_RECEIVE, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_mmap =
	FG_DENIED_INIT(mmap, FG_HOOK_MMAP, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_ioctl =
	FG_DENIED_INIT(ioctl, FG_HOOK_IOCTL, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_ptrace =
	FG_DENIED_INIT(ptrace, FG_HOOK_PTRACE, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_sendmsg =
	FG_DENIED_INIT(sendmsg, FG_HOOK_SENDMSG, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_write =
	FG_DENIED_INIT(write, FG_HOOK_WRITE, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_send_mapped =
	FG_DENIED_INIT(send_mapped, FG_HOOK_SEND_MAPPED, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_connect =
	FG_DENIED_INIT(connect, FG_HOOK_CONNECT, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_unix =
	FG_DENIED_INIT(unix, FG_HOOK_UNIX, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_ipc =
	FG_DENIED_INIT(ipc, FG_HOOK_IPC, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_socket =
	FG_DENIED_INIT(socket, FG_HOOK_SOCKET, session_denied_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_sockopt =
	FG_DENIED_INIT(sockopt, FG_HOOK_SOCKOPT, session_denied_show, struct fg_session);
static ssize_t session_egress_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct fg_session *s = to_session(kobj);

	return sysfs_emit(buf, "%llu\n", fg_board_session_denied(s) +
			  atomic64_read(&s->denied[FG_HOOK_EGRESS]));
}

static struct fg_counter_attr fg_session_attr_denied_egress =
	FG_DENIED_INIT(egress, FG_HOOK_EGRESS, session_egress_show, struct fg_session);
static struct fg_counter_attr fg_session_attr_denied_channel =
	FG_DENIED_INIT(channel, FG_HOOK_CHANNEL, session_denied_show, struct fg_session);

static ssize_t session_state_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct fg_session_counters c;
	u32 state;

	fg_session_snapshot(to_session(kobj), &c, &state);
	return sysfs_emit(buf, "%s\n", fg_session_state_names[state]);
}

static ssize_t session_cameras_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct fg_session *s = to_session(kobj);
	unsigned int i;
	int len = 0;

	for (i = 0; i < s->ncameras; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? " " : "",
				     s->subs[i].cam->id);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t session_tenant_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_session(kobj)->tenant);
}

static ssize_t session_created_ns_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_session(kobj)->created_ns);
}

static ssize_t session_depth_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_session(kobj)->depth);
}

static struct kobj_attribute fg_session_attr_tenant =
	__ATTR(tenant, 0444, session_tenant_show, NULL);
static struct kobj_attribute fg_session_attr_created_ns =
	__ATTR(created_ns, 0444, session_created_ns_show, NULL);
static struct kobj_attribute fg_session_attr_depth =
	__ATTR(depth, 0444, session_depth_show, NULL);
static struct kobj_attribute fg_session_attr_state =
	__ATTR(state, 0444, session_state_show, NULL);
static struct kobj_attribute fg_session_attr_cameras =
	__ATTR(cameras, 0444, session_cameras_show, NULL);

static struct attribute *fg_session_attrs[] = {
	&fg_session_attr_tenant.attr,
	&fg_session_attr_cameras.attr,
	&fg_session_attr_state.attr,
	&fg_session_attr_created_ns.attr,
	&fg_session_attr_depth.attr,
	&fg_session_attr_frames_captured.attr.attr,
	&fg_session_attr_frames_delivered.attr.attr,
	&fg_session_attr_frames_dropped_overrun.attr.attr,
	&fg_session_attr_frames_dropped_held.attr.attr,
	&fg_session_attr_frames_dropped_revoked.attr.attr,
	&fg_session_attr_frames_queued.attr.attr,
	&fg_session_attr_frames_held.attr.attr,
	&fg_session_attr_bytes_delivered.attr.attr,
	&fg_session_attr_denied_open.attr.attr,
	&fg_session_attr_denied_receive.attr.attr,
	&fg_session_attr_denied_mmap.attr.attr,
	&fg_session_attr_denied_ioctl.attr.attr,
	&fg_session_attr_denied_ptrace.attr.attr,
	&fg_session_attr_denied_sendmsg.attr.attr,
	&fg_session_attr_denied_write.attr.attr,
	&fg_session_attr_denied_send_mapped.attr.attr,
	&fg_session_attr_denied_connect.attr.attr,
	&fg_session_attr_denied_unix.attr.attr,
	&fg_session_attr_denied_ipc.attr.attr,
	&fg_session_attr_denied_socket.attr.attr,
	&fg_session_attr_denied_sockopt.attr.attr,
	&fg_session_attr_denied_egress.attr.attr,
	&fg_session_attr_denied_channel.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(fg_session);

static void fg_session_kobj_release(struct kobject *kobj)
{
	fg_session_free(to_session(kobj));
}

const struct kobj_type fg_session_ktype = {
	.release = fg_session_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = fg_session_groups,
};

int fg_sysfs_init(void)
{
	int ret = -ENOMEM;

	fg_kobj = kobject_create_and_add("framegate", kernel_kobj);
	if (!fg_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(fg_kobj, &fg_global_group);
	if (ret)
		goto err_kobj;
	ret = -ENOMEM;
	fg_cameras_kset = kset_create_and_add("cameras", NULL, fg_kobj);
	if (!fg_cameras_kset)
		goto err_kobj;
	fg_sessions_kset = kset_create_and_add("sessions", NULL, fg_kobj);
	if (!fg_sessions_kset)
		goto err_cameras;
	return 0;

err_cameras:
	kset_unregister(fg_cameras_kset);
err_kobj:
	kobject_put(fg_kobj);
	return ret;
}

void fg_sysfs_exit(void)
{
	kset_unregister(fg_sessions_kset);
	kset_unregister(fg_cameras_kset);
	kobject_put(fg_kobj);
}
