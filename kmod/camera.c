// SPDX-License-Identifier: GPL-2.0
/*
 * Cameras: V4L2 capture nodes driven in-kernel.
 *
 * framegate opens its own file on the node, so that it alone owns the vb2
 * queue, and calls the driver's ioctl_ops with kernel structures under the
 * lock video_ioctl2() would take. Completion comes from the driver's poll
 * wait queues (as vhost does): the wake callback queues a work item that
 * dequeues every done buffer without blocking, copies it to the sessions of
 * the camera and queues it again at once, so a session that stops consuming
 * never holds a capture buffer.
 */

#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/videodev2.h>
#include <media/media-device.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-device.h>
#include <media/v4l2-ioctl.h>
#include <media/videobuf2-core.h>

#include "framegate.h"

#define FG_WATCHDOG_PERIOD	(HZ / 5)

static u32 fg_next_camera_id;	/* the last id handed out, under fg_lock */

static const u32 fg_pixelformats[] = {
	V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_GREY,
	V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_NV12,
	/* Multi-planar nodes only. */
	V4L2_PIX_FMT_NV12M, V4L2_PIX_FMT_YUV420M, V4L2_PIX_FMT_NV16M,
};

static bool fg_camera_mplane(const struct fg_camera *cam)
{
	return cam->buf_type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
}

u32 fg_camera_state(const struct fg_camera *cam)
{
	return READ_ONCE(cam->state);
}

/* The lock video_ioctl2() takes for this ioctl; NULL if the driver has none. */
static struct mutex *fg_camera_lock(struct fg_camera *cam, bool queue_ioctl)
{
	if (queue_ioctl && cam->q->lock)
		return cam->q->lock;
	return cam->vdev->lock;
}

static void fg_lock_maybe(struct mutex *lock)
{
	if (lock)
		mutex_lock(lock);
}

static void fg_unlock_maybe(struct mutex *lock)
{
	if (lock)
		mutex_unlock(lock);
}

/*
 * The media device's request lock, which video_ioctl2() takes outside the
 * queue lock for STREAMON, STREAMOFF and REQBUFS on a device that supports
 * requests; NULL otherwise.
 */
static struct mutex *fg_camera_req_lock(struct fg_camera *cam)
{
	if (!v4l2_device_supports_requests(cam->vdev->v4l2_dev))
		return NULL;
	return &cam->vdev->v4l2_dev->mdev->req_queue_mutex;
}

/*
 * The driver's ioctl ops, called as video_ioctl2() would, with the lock
 * held by the caller and the node checked to be registered (-ENODEV).
 */
static int fg_camera_dqbuf(struct fg_camera *cam, struct v4l2_buffer *b,
			   struct v4l2_plane *planes)
{
	memset(b, 0, sizeof(*b));
	b->type = cam->buf_type;
	b->memory = V4L2_MEMORY_MMAP;
	/* vb2 takes the planes array as video_usercopy() leaves it: ours. */
	if (fg_camera_mplane(cam)) {
		memset(planes, 0, sizeof(*planes) * FG_FRAME_PLANES_MAX);
		b->m.planes = planes;
		b->length = cam->num_planes;
	}
	if (!video_is_registered(cam->vdev))
		return -ENODEV;
	return cam->vdev->ioctl_ops->vidioc_dqbuf(cam->vfile,
						  cam->vfile->private_data, b);
}

static int fg_camera_qbuf(struct fg_camera *cam, u32 index)
{
	struct v4l2_plane planes[FG_FRAME_PLANES_MAX] = {};
	struct v4l2_buffer b = {
		.index = index,
		.type = cam->buf_type,
		.memory = V4L2_MEMORY_MMAP,
	};

	if (fg_camera_mplane(cam)) {
		b.m.planes = planes;
		b.length = cam->num_planes;
	}
	if (!video_is_registered(cam->vdev))
		return -ENODEV;
	return cam->vdev->ioctl_ops->vidioc_qbuf(cam->vfile,
						 cam->vfile->private_data, &b);
}

/*
 * Marks the camera lost once, and every session on it with it. A camera
 * that has no id yet (being attached) is only marked.
 */
static void fg_camera_set_lost(struct fg_camera *cam, const char *why, int err)
{
	struct fg_sub *sub;

	if (cmpxchg(&cam->state, FG_CAMERA_STREAMING, FG_CAMERA_LOST) !=
	    FG_CAMERA_STREAMING)
		return;
	if (!READ_ONCE(cam->id))
		return;
	pr_info("camera %u (%s) lost: %s (%d)\n", cam->id, cam->devname, why,
		err);
	mutex_lock(&cam->subs_lock);
	list_for_each_entry(sub, &cam->subs, cam_node)
		fg_session_lose(sub->session);
	mutex_unlock(&cam->subs_lock);
	fg_netlink_event_camera(FG_EVENT_CAMERA_LOST, cam->id);
}

/* Another file of the node maps a capture buffer. Under the queue lock. */
static bool fg_camera_buffers_shared(struct fg_camera *cam)
{
	unsigned int i;

	for (i = 0; i < cam->q->num_buffers; i++)
		if (cam->q->bufs[i] && vb2_buffer_in_use(cam->q, cam->q->bufs[i]))
			return true;
	return false;
}

/*
 * Copies a dequeued buffer to the camera's sessions. Called with the queue
 * lock held and the node registered: the buffer's memory cannot go away.
 */
static void fg_camera_deliver(struct fg_camera *cam, const struct v4l2_buffer *b)
{
	struct vb2_buffer *vb = cam->q->bufs[b->index];
	const void *data[FG_FRAME_PLANES_MAX];
	struct fg_frame_meta meta = {};
	struct fg_frame_plane *p;
	struct fg_sub *sub;
	unsigned int i;
	u32 offset = 0;

	if (!vb || vb->num_planes != cam->num_planes) {
		atomic64_inc(&cam->frames_dropped);
		return;
	}
	/*
	 * Each plane's image data (its payload past the driver's
	 * data_offset) right after the previous one's (uapi): no more than
	 * the plane's sizeimage, so that all fit the slot.
	 */
	for (i = 0; i < cam->num_planes; i++) {
		const u8 *vaddr = vb2_plane_vaddr(vb, i);
		unsigned long payload = vb2_get_plane_payload(vb, i);
		unsigned int doff = vb->planes[i].data_offset;

		if (!vaddr || doff > payload ||
		    payload > vb2_plane_size(vb, i)) {
			atomic64_inc(&cam->frames_dropped);
			return;
		}
		data[i] = vaddr + doff;
		p = &meta.planes[i];
		p->offset = offset;
		p->bytesused = min_t(unsigned long, payload - doff,
				     cam->plane_sizeimage[i]);
		p->bytesperline = cam->plane_bytesperline[i];
		offset += p->bytesused;
	}
	meta.bytesused = offset;
	meta.num_planes = cam->num_planes;
	meta.sequence = b->sequence;
	meta.timestamp_ns = vb->timestamp;
	meta.camera_id = cam->id;
	meta.width = cam->width;
	meta.height = cam->height;
	meta.pixelformat = cam->pixelformat;
	meta.bytesperline = cam->bytesperline;

	atomic64_inc(&cam->frames_captured);
	atomic64_inc(&fg_stats.frames_captured);

	if (fg_camera_state(cam) != FG_CAMERA_STREAMING)
		return;
	mutex_lock(&cam->subs_lock);
	list_for_each_entry(sub, &cam->subs, cam_node)
		fg_session_deliver(sub->session, &meta, data);
	mutex_unlock(&cam->subs_lock);
}

/*
 * Dequeues, delivers and requeues one buffer, all under the queue lock.
 * Returns 0, -EAGAIN when nothing is done, or the error that loses the
 * camera (*why says which step).
 */
static int fg_camera_cycle(struct fg_camera *cam, const char **why)
{
	struct mutex *lock = fg_camera_lock(cam, true);
	struct v4l2_plane planes[FG_FRAME_PLANES_MAX];
	struct v4l2_buffer b;
	u32 delay_ms;
	int ret;

	/*
	 * Test knob (debugfs): hold back delivery, outside the driver's lock.
	 * Whatever is dequeued next was captured before the sleep ended.
	 */
	delay_ms = READ_ONCE(fg_debug_delivery_delay_ms);
	if (delay_ms)
		msleep_interruptible(delay_ms);

	fg_lock_maybe(lock);
	*why = "dequeue";
	ret = fg_camera_dqbuf(cam, &b, planes);
	if (ret)
		goto out;
	*why = "buffer index";
	ret = -EIO;
	if (b.index >= cam->buffers || !cam->q->bufs[b.index])
		goto out;
	/*
	 * Mapped by another file since the watchdog last looked (an mmap()
	 * that passed the cell programs before attach guarded the node):
	 * deliver nothing more, the watchdog stops capture.
	 */
	*why = "a capture buffer is mapped by another file";
	ret = -EBUSY;
	if (vb2_buffer_in_use(cam->q, cam->q->bufs[b.index]))
		goto out;
	if (b.flags & V4L2_BUF_FLAG_ERROR)
		atomic64_inc(&cam->frames_dropped);
	else
		fg_camera_deliver(cam, &b);
	*why = "requeue";
	ret = fg_camera_qbuf(cam, b.index);
	if (ret == -EAGAIN)	/* -EAGAIN means "nothing done" to our caller */
		ret = -EIO;
out:
	fg_unlock_maybe(lock);
	return ret;
}

/*
 * Stops capture at once, so that a capture buffer another file managed to
 * map sees no further frame. The buffers stay until the camera detaches.
 */
static void fg_camera_halt(struct fg_camera *cam)
{
	struct mutex *req_lock = fg_camera_req_lock(cam);
	struct mutex *lock = fg_camera_lock(cam, true);

	fg_lock_maybe(req_lock);
	fg_lock_maybe(lock);
	if (video_is_registered(cam->vdev) && cam->streaming)
		cam->vdev->ioctl_ops->vidioc_streamoff(cam->vfile,
						       cam->vfile->private_data,
						       cam->buf_type);
	cam->streaming = false;
	fg_unlock_maybe(lock);
	fg_unlock_maybe(req_lock);
}

static void fg_camera_work(struct work_struct *work)
{
	struct fg_camera *cam = container_of(work, struct fg_camera, work);
	const char *why;
	unsigned int n;
	int ret;

	/* Not published yet: the attach queues us once it is. */
	if (!READ_ONCE(cam->id))
		return;
	/* Bounded, so that one busy camera cannot hog the worker. */
	for (n = 0; n < cam->buffers; n++) {
		if (READ_ONCE(cam->stopping) ||
		    fg_camera_state(cam) != FG_CAMERA_STREAMING)
			return;
		ret = fg_camera_cycle(cam, &why);
		if (ret == -EAGAIN)
			return;
		if (ret == -EBUSY)	/* a buffer is mapped elsewhere */
			fg_camera_halt(cam);
		if (ret) {
			/* A buffer vb2 refused back is gone for good. */
			fg_camera_set_lost(cam, why, ret);
			return;
		}
	}
	queue_work(fg_wq, &cam->work);
}

/*
 * Notices what produces no wake-up: the node unregistered while idle, the
 * queue in error state (q->error: every dequeue fails), a capture buffer
 * that another file managed to map.
 */
static void fg_camera_watchdog(struct work_struct *work)
{
	struct fg_camera *cam = container_of(to_delayed_work(work),
					     struct fg_camera, watchdog);
	struct mutex *lock = fg_camera_lock(cam, true);
	const char *why = NULL;
	bool shared = false;

	if (fg_camera_state(cam) != FG_CAMERA_STREAMING)
		return;
	fg_lock_maybe(lock);
	if (!video_is_registered(cam->vdev))
		why = "device unregistered";
	else if (cam->q->error)
		why = "queue error";
	else if (fg_camera_buffers_shared(cam))
		shared = true;
	fg_unlock_maybe(lock);
	if (shared) {
		fg_camera_halt(cam);
		why = "a capture buffer is mapped by another file";
	}
	if (why) {
		fg_camera_set_lost(cam, why, -ENODEV);
		return;
	}
	if (!READ_ONCE(cam->stopping))
		queue_delayed_work(fg_wq, &cam->watchdog, FG_WATCHDOG_PERIOD);
}

static int fg_camera_wake(wait_queue_entry_t *wait, unsigned int mode,
			  int sync, void *key)
{
	struct fg_camera *cam = wait->private;

	queue_work(fg_wq, &cam->work);
	return 0;
}

static void fg_camera_queue_proc(struct file *file, wait_queue_head_t *wqh,
				 poll_table *pt)
{
	struct fg_camera *cam = container_of(pt, struct fg_camera, pt);
	unsigned int i = cam->nwait;

	if (WARN_ON_ONCE(i >= FG_CAMERA_WAITS))
		return;
	init_waitqueue_func_entry(&cam->wait[i], fg_camera_wake);
	cam->wait[i].private = cam;
	cam->whead[i] = wqh;
	add_wait_queue(wqh, &cam->wait[i]);
	cam->nwait++;
}

/* Stops capture and gives the node back. Idempotent; may sleep. */
static void fg_camera_stop(struct fg_camera *cam)
{
	const struct v4l2_ioctl_ops *ops;
	struct v4l2_requestbuffers rb = {
		.count = 0,
		.type = cam->buf_type,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct mutex *lock;	/* the one video_ioctl2() would take */
	struct mutex *req_lock;
	unsigned int i;

	WRITE_ONCE(cam->stopping, true);
	for (i = 0; i < cam->nwait; i++)
		remove_wait_queue(cam->whead[i], &cam->wait[i]);
	cam->nwait = 0;
	cancel_delayed_work_sync(&cam->watchdog);
	cancel_work_sync(&cam->work);

	if (cam->vfile) {
		ops = cam->vdev->ioctl_ops;
		req_lock = fg_camera_req_lock(cam);
		lock = fg_camera_lock(cam, true);
		fg_lock_maybe(req_lock);
		fg_lock_maybe(lock);
		/* Unregistered: vb2 released the queue, or our fput will. */
		if (video_is_registered(cam->vdev)) {
			if (cam->streaming)
				ops->vidioc_streamoff(cam->vfile,
						      cam->vfile->private_data,
						      cam->buf_type);
			ops->vidioc_reqbufs(cam->vfile, cam->vfile->private_data,
					    &rb);
		}
		cam->streaming = false;
		fg_unlock_maybe(lock);
		fg_unlock_maybe(req_lock);
		fput(cam->vfile);
		WRITE_ONCE(cam->vfile, NULL);
	}
}

/*
 * A driver's refusal of a setup step, in the errnos of the uapi header:
 * out of memory and busy as they are, "not this" as -EOPNOTSUPP, anything
 * else as -EIO (logged).
 */
static int fg_camera_driver_err(struct fg_camera *cam, const char *step,
				int err)
{
	switch (err) {
	case 0:
	case -ENOMEM:
	case -EBUSY:
	case -EINTR:
		return err;
	case -EINVAL:
	case -ENOTTY:
	case -EOPNOTSUPP:
	case -ERANGE:
		return -EOPNOTSUPP;
	case -ERESTARTSYS:
		return -EINTR;
	default:
		pr_info("%s: %s failed: %d\n", cam->devname, step, err);
		return -EIO;
	}
}

/*
 * Sets the format on framegate's own file, single-plane or multi-planar as
 * the node's queue is, and records each plane's sizeimage and bytesperline;
 * the camera's sizeimage, what a session's slot must hold, is their sum.
 * Under the node's lock.
 */
static int fg_camera_set_format(struct fg_camera *cam,
				const struct fg_camera_attach *a)
{
	const struct v4l2_ioctl_ops *ops = cam->vdev->ioctl_ops;
	struct v4l2_format fmt = { .type = cam->buf_type };
	struct v4l2_pix_format_mplane *mp = &fmt.fmt.pix_mp;
	struct v4l2_pix_format *pix = &fmt.fmt.pix;
	void *fh = cam->vfile->private_data;
	unsigned int i;
	u64 total = 0;
	int ret;

	if (!fg_camera_mplane(cam)) {
		pix->width = a->width;
		pix->height = a->height;
		pix->pixelformat = a->pixelformat;
		pix->field = V4L2_FIELD_NONE;
		ret = fg_camera_driver_err(cam, "S_FMT",
					   ops->vidioc_s_fmt_vid_cap(cam->vfile,
								     fh, &fmt));
		if (ret)
			return ret;
		if (pix->width != a->width || pix->height != a->height ||
		    pix->pixelformat != a->pixelformat ||
		    pix->field != V4L2_FIELD_NONE || !pix->sizeimage)
			return -EOPNOTSUPP;
		cam->num_planes = 1;
		cam->plane_sizeimage[0] = pix->sizeimage;
		cam->plane_bytesperline[0] = pix->bytesperline;
	} else {
		mp->width = a->width;
		mp->height = a->height;
		mp->pixelformat = a->pixelformat;
		mp->field = V4L2_FIELD_NONE;
		ret = fg_camera_driver_err(cam, "S_FMT",
					   ops->vidioc_s_fmt_vid_cap_mplane(cam->vfile,
									    fh, &fmt));
		if (ret)
			return ret;
		if (mp->width != a->width || mp->height != a->height ||
		    mp->pixelformat != a->pixelformat ||
		    mp->field != V4L2_FIELD_NONE || !mp->num_planes ||
		    mp->num_planes > FG_FRAME_PLANES_MAX)
			return -EOPNOTSUPP;
		cam->num_planes = mp->num_planes;
		for (i = 0; i < mp->num_planes; i++) {
			if (!mp->plane_fmt[i].sizeimage)
				return -EOPNOTSUPP;
			cam->plane_sizeimage[i] = mp->plane_fmt[i].sizeimage;
			cam->plane_bytesperline[i] = mp->plane_fmt[i].bytesperline;
		}
	}
	for (i = 0; i < cam->num_planes; i++)
		total += cam->plane_sizeimage[i];
	if (total > U32_MAX)
		return -EOPNOTSUPP;
	cam->sizeimage = total;
	cam->bytesperline = cam->plane_bytesperline[0];
	cam->width = a->width;
	cam->height = a->height;
	cam->pixelformat = a->pixelformat;
	return 0;
}

/* Sets format, rate and buffers on framegate's own file, then streams. */
static int fg_camera_start(struct fg_camera *cam, struct fg_camera_attach *a)
{
	const struct v4l2_ioctl_ops *ops = cam->vdev->ioctl_ops;
	void *fh = cam->vfile->private_data;
	struct v4l2_streamparm parm = { .type = cam->buf_type };
	struct v4l2_requestbuffers rb = {
		.count = a->buffers,
		.type = cam->buf_type,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_fract *tpf = &parm.parm.capture.timeperframe;
	struct mutex *req_lock = fg_camera_req_lock(cam);
	struct mutex *lock;	/* the one video_ioctl2() would take */
	unsigned int i, p;
	int ret;

	lock = fg_camera_lock(cam, false);
	fg_lock_maybe(lock);
	ret = -ENODEV;
	if (!video_is_registered(cam->vdev))
		goto out_unlock;
	if (vb2_is_busy(cam->q)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = fg_camera_set_format(cam, a);
	if (ret)
		goto out_unlock;
	/*
	 * FG_FPS_DRIVER: the rate is the driver's (a pipeline configured
	 * beforehand, a node without rate control); else it is set, and
	 * must be what the driver then runs at.
	 */
	if (a->fps != FG_FPS_DRIVER) {
		ret = -EOPNOTSUPP;
		if (!ops->vidioc_s_parm ||
		    !test_bit(_IOC_NR(VIDIOC_S_PARM), cam->vdev->valid_ioctls))
			goto out_unlock;
		tpf->numerator = 1;
		tpf->denominator = a->fps;
		ret = fg_camera_driver_err(cam, "S_PARM",
					   ops->vidioc_s_parm(cam->vfile, fh,
							      &parm));
		if (ret)
			goto out_unlock;
		if (!tpf->numerator ||
		    (u64)tpf->numerator * a->fps != tpf->denominator) {
			ret = -EOPNOTSUPP;
			goto out_unlock;
		}
	}
	fg_unlock_maybe(lock);

	/* From here to the end, under the request and queue locks. */
	lock = fg_camera_lock(cam, true);
	fg_lock_maybe(req_lock);
	fg_lock_maybe(lock);
	ret = -ENODEV;
	if (!video_is_registered(cam->vdev))
		goto out_unlock_req;
	ret = fg_camera_driver_err(cam, "REQBUFS",
				   ops->vidioc_reqbufs(cam->vfile, fh, &rb));
	if (ret)
		goto out_unlock_req;
	cam->buffers = rb.count;
	/*
	 * vb2 grants fewer buffers than asked when memory is short: the
	 * camera would run with less slack than the caller sized for (I8).
	 */
	if (rb.count < a->buffers) {
		ret = -ENOMEM;
		goto out_unlock_req;
	}
	/* I2 compares capture time with creation time: same clock needed. */
	if ((cam->q->timestamp_flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) !=
	    V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC ||
	    rb.count < FG_BUFFERS_MIN || rb.count > FG_BUFFERS_MAX ||
	    rb.count > cam->q->num_buffers) {
		ret = -EOPNOTSUPP;
		goto out_unlock_req;
	}
	for (i = 0; i < rb.count; i++) {
		struct vb2_buffer *vb = cam->q->bufs[i];

		ret = -EOPNOTSUPP;
		if (vb->num_planes != cam->num_planes)
			goto out_unlock_req;
		for (p = 0; p < cam->num_planes; p++)
			if (!vb2_plane_vaddr(vb, p) ||
			    vb2_plane_size(vb, p) < cam->plane_sizeimage[p])
				goto out_unlock_req;
	}
	for (i = 0; i < rb.count; i++) {
		ret = fg_camera_driver_err(cam, "QBUF", fg_camera_qbuf(cam, i));
		if (ret)
			goto out_unlock_req;
	}
	ret = fg_camera_driver_err(cam, "STREAMON",
				   ops->vidioc_streamon(cam->vfile, fh,
							cam->buf_type));
	if (ret)
		goto out_unlock_req;
	cam->streaming = true;
	/*
	 * The node was guarded before REQBUFS, so no other file can have
	 * mapped a buffer since, unless its mmap() had passed the cell
	 * programs before the guard: then it maps one now. The watchdog
	 * keeps looking for the rest of the camera's life.
	 */
	if (fg_camera_buffers_shared(cam)) {
		ret = -EBUSY;
		goto out_unlock_req;
	}
	fg_unlock_maybe(lock);
	fg_unlock_maybe(req_lock);

	cam->fps = a->fps;

	/* Completion: the driver's wait queues; the work starts at publish. */
	init_poll_funcptr(&cam->pt, fg_camera_queue_proc);
	cam->pt._key = EPOLLIN | EPOLLRDNORM;
	vfs_poll(cam->vfile, &cam->pt);
	if (!cam->nwait)	/* vb2_fop_poll() takes its lock interruptibly */
		return signal_pending(current) ? -EINTR : -EOPNOTSUPP;
	return 0;

out_unlock_req:
	fg_unlock_maybe(lock);
	fg_unlock_maybe(req_lock);
	return ret;
out_unlock:
	fg_unlock_maybe(lock);
	return ret;
}

/*
 * The last close of the camera fd; also the undo of an attach that failed
 * after the fd's file existed, when the camera was never published (id 0).
 */
static int fg_camera_release(struct inode *inode, struct file *file)
{
	struct fg_camera *cam = file->private_data;
	struct fg_sub *sub;

	fg_camera_stop(cam);
	/* The buffers are freed: stop guarding the node, it may be reused. */
	if (cam->id)
		xa_erase(&fg_camera_ids, cam->id);
	mutex_lock(&fg_lock);
	list_del_rcu(&cam->node);
	mutex_unlock(&fg_lock);
	if (!cam->id) {
		kobject_put(&cam->kobj);
		return 0;
	}
	atomic64_dec(&fg_stats.cameras_attached);

	cmpxchg(&cam->state, FG_CAMERA_STREAMING, FG_CAMERA_DETACHED);
	cmpxchg(&cam->state, FG_CAMERA_LOST, FG_CAMERA_DETACHED);
	mutex_lock(&cam->subs_lock);
	list_for_each_entry(sub, &cam->subs, cam_node)
		fg_session_lose(sub->session);
	mutex_unlock(&cam->subs_lock);

	pr_info("camera %u (%s) detached\n", cam->id, cam->devname);
	fg_netlink_event_camera(FG_EVENT_CAMERA_DETACHED, cam->id);
	kobject_del(&cam->kobj);
	kobject_put(&cam->kobj);
	return 0;
}

static const struct file_operations fg_camera_fops = {
	.owner = THIS_MODULE,
	.release = fg_camera_release,
	.llseek = noop_llseek,
};

void fg_camera_free(struct fg_camera *cam)
{
	fg_camera_stop(cam);
	if (cam->id)
		fg_object_destroyed("camera", cam->id);
	kfree_rcu(cam, rcu);	/* fg_enforce_*() may be looking at it */
}

struct fg_camera *fg_camera_find(u32 id)
{
	lockdep_assert_held(&fg_lock);
	return xa_load(&fg_camera_ids, id);
}

static int fg_camera_validate(const struct fg_camera_attach *a)
{
	unsigned int i;

	if (fg_check_flags(a->flags, __FG_CAMERA_F_ALL, a->reserved,
			   ARRAY_SIZE(a->reserved)))
		return -EINVAL;
	if (a->width < FG_WIDTH_MIN || a->width > FG_WIDTH_MAX ||
	    a->height < FG_HEIGHT_MIN || a->height > FG_HEIGHT_MAX ||
	    (a->fps != FG_FPS_DRIVER &&
	     (a->fps < FG_FPS_MIN || a->fps > FG_FPS_MAX)) ||
	    a->buffers < FG_BUFFERS_MIN || a->buffers > FG_BUFFERS_MAX)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(fg_pixelformats); i++)
		if (a->pixelformat == fg_pixelformats[i])
			return 0;
	return -EINVAL;
}

/*
 * Checks that @file is a registered V4L2 capture node (single-plane or
 * multi-planar, the queue's type says which), open
 * for reading and writing: framegate's own file of it is, and may not give
 * the caller more than it had.
 */
static int fg_camera_check_node(struct file *file, struct video_device **out)
{
	struct inode *inode = file_inode(file);
	const struct v4l2_ioctl_ops *ops;
	struct video_device *vdev;

	if (!S_ISCHR(inode->i_mode) || imajor(inode) != VIDEO_MAJOR)
		return -ENOTTY;
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;
	vdev = video_devdata(file);
	if (!vdev || !video_is_registered(vdev))
		return -ENODEV;
	ops = vdev->ioctl_ops;
	if (vdev->vfl_type != VFL_TYPE_VIDEO || vdev->vfl_dir == VFL_DIR_TX ||
	    !(vdev->device_caps & V4L2_CAP_STREAMING) || !vdev->queue || !ops)
		return -ENODEV;
	/* Single-plane or multi-planar capture, as the node's queue is. */
	switch (vdev->queue->type) {
	case V4L2_BUF_TYPE_VIDEO_CAPTURE:
		if (!(vdev->device_caps & V4L2_CAP_VIDEO_CAPTURE) ||
		    !ops->vidioc_s_fmt_vid_cap)
			return -ENODEV;
		break;
	case V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE:
		if (!(vdev->device_caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) ||
		    !ops->vidioc_s_fmt_vid_cap_mplane)
			return -ENODEV;
		break;
	default:
		return -ENODEV;
	}
	if (!ops->vidioc_reqbufs || !ops->vidioc_qbuf || !ops->vidioc_dqbuf ||
	    !ops->vidioc_streamon || !ops->vidioc_streamoff)
		return -ENODEV;
	/*
	 * framegate calls the ops as video_ioctl2() would, and reads buffers
	 * under the lock vb2 frees them under: refuse drivers that have no
	 * such lock, wrap video_ioctl2(), or disabled an op we call.
	 */
	if ((!vdev->queue->lock && !vdev->lock) || !vdev->fops ||
	    vdev->fops->unlocked_ioctl != video_ioctl2)
		return -ENODEV;
	if (!test_bit(_IOC_NR(VIDIOC_S_FMT), vdev->valid_ioctls) ||
	    !test_bit(_IOC_NR(VIDIOC_REQBUFS), vdev->valid_ioctls) ||
	    !test_bit(_IOC_NR(VIDIOC_QBUF), vdev->valid_ioctls) ||
	    !test_bit(_IOC_NR(VIDIOC_DQBUF), vdev->valid_ioctls) ||
	    !test_bit(_IOC_NR(VIDIOC_STREAMON), vdev->valid_ioctls) ||
	    !test_bit(_IOC_NR(VIDIOC_STREAMOFF), vdev->valid_ioctls))
		return -ENODEV;
	*out = vdev;
	return 0;
}

/*
 * Gives the camera its id and makes it visible: sysfs, netlink, sessions.
 * Everything that can fail comes before the id is taken.
 */
static int fg_camera_publish(struct fg_camera *cam)
{
	u32 id;
	int ret;

	mutex_lock(&fg_lock);
	id = fg_next_camera_id + 1;
	ret = -ENOSPC;
	if (!id)
		goto out;
	ret = xa_insert(&fg_camera_ids, id, cam, GFP_KERNEL);
	if (ret)
		goto out;
	cam->kobj.kset = fg_cameras_kset;
	ret = kobject_add(&cam->kobj, NULL, "%u", id);
	if (ret) {
		xa_erase(&fg_camera_ids, id);
		goto out;
	}
	fg_next_camera_id = id;
	WRITE_ONCE(cam->id, id);
out:
	mutex_unlock(&fg_lock);
	if (ret)
		return ret;
	fg_object_created("camera", id);
	atomic64_inc(&fg_stats.cameras_attached);
	return 0;
}

long fg_camera_attach(struct fg_camera_attach __user *uarg)
{
	struct fg_camera_attach a;
	struct video_device *vdev;
	struct fg_camera *cam, *other;
	struct file *ufile, *cfile;
	int ret, fd;
	u32 usize;

	ret = fg_copy_struct_in(&a, sizeof(a), FG_CAMERA_ATTACH_SIZE_VER0, uarg,
				&usize);
	if (ret)
		return ret;
	ret = fg_camera_validate(&a);
	if (ret)
		return ret;

	ufile = fget(a.v4l2_fd);
	if (!ufile)
		return -EBADF;
	ret = fg_camera_check_node(ufile, &vdev);
	if (ret) {
		fput(ufile);
		return ret;
	}

	/*
	 * Attached already: say so before our open of the node, which the
	 * cell programs would refuse (-EACCES). The reservation below is
	 * what settles a race.
	 */
	mutex_lock(&fg_lock);
	list_for_each_entry(other, &fg_cameras, node) {
		if (other->vdev == vdev) {
			mutex_unlock(&fg_lock);
			fput(ufile);
			return -EBUSY;
		}
	}
	mutex_unlock(&fg_lock);

	cam = kzalloc(sizeof(*cam), GFP_KERNEL);
	if (!cam) {
		fput(ufile);
		return -ENOMEM;
	}
	kobject_init(&cam->kobj, &fg_camera_ktype);
	INIT_LIST_HEAD(&cam->node);
	INIT_LIST_HEAD(&cam->subs);
	mutex_init(&cam->subs_lock);
	INIT_WORK(&cam->work, fg_camera_work);
	INIT_DELAYED_WORK(&cam->watchdog, fg_camera_watchdog);
	fg_enforce_ratelimit_init(&cam->denied_rs);
	cam->state = FG_CAMERA_STREAMING;
	cam->vdev = vdev;
	cam->devt = vdev->dev.devt;
	cam->q = vdev->queue;
	cam->buf_type = vdev->queue->type;
	strscpy(cam->devname, video_device_node_name(vdev), sizeof(cam->devname));

	/* Our own file on the node: nobody else can use or close it. */
	cam->vfile = dentry_open(&ufile->f_path, O_RDWR | O_NONBLOCK,
				 current_cred());
	fput(ufile);
	if (IS_ERR(cam->vfile)) {
		ret = PTR_ERR(cam->vfile);
		cam->vfile = NULL;
		goto err_put;
	}
	if (video_devdata(cam->vfile) != vdev) {
		ret = -ENODEV;
		goto err_put;
	}

	/*
	 * Reserve the node, and guard it from every other file (the cell
	 * programs see it from now on, as FG_CAMERA_ID_SETUP), before its
	 * first buffer exists.
	 */
	mutex_lock(&fg_lock);
	list_for_each_entry(other, &fg_cameras, node) {
		if (other->vdev == vdev) {
			mutex_unlock(&fg_lock);
			ret = -EBUSY;
			goto err_put;
		}
	}
	list_add_tail_rcu(&cam->node, &fg_cameras);
	mutex_unlock(&fg_lock);

	ret = fg_camera_start(cam, &a);
	if (ret)
		goto err_unlist;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_unlist;
	}
	cfile = anon_inode_getfile("[framegate-camera]", &fg_camera_fops, cam,
				   O_RDWR | O_CLOEXEC);
	if (IS_ERR(cfile)) {
		ret = PTR_ERR(cfile);
		goto err_fd;
	}
	/* From here on, fput(cfile) undoes everything (fg_camera_release). */
	ret = fg_camera_publish(cam);
	if (ret) {
		put_unused_fd(fd);
		fput(cfile);
		return ret;
	}
	pr_info("camera %u attached: %s %ux%u %.4s @%u fps, %u buffers\n",
		cam->id, cam->devname, cam->width, cam->height,
		(char *)&cam->pixelformat, cam->fps, cam->buffers);
	fg_netlink_event_camera(FG_EVENT_CAMERA_ATTACHED, cam->id);
	/* Catch up with what was captured so far, and start watching. */
	queue_work(fg_wq, &cam->work);
	queue_delayed_work(fg_wq, &cam->watchdog, FG_WATCHDOG_PERIOD);

	a.fd = fd;
	a.camera_id = cam->id;
	a.bytesperline = cam->bytesperline;
	a.sizeimage = cam->sizeimage;
	if (fg_copy_struct_out(uarg, usize, &a, sizeof(a))) {
		put_unused_fd(fd);
		fput(cfile);	/* detaches: CAMERA_DETACHED */
		return -EFAULT;
	}
	/* Publish last: the fd, and nothing after it. */
	fd_install(fd, cfile);
	return fd;

err_fd:
	put_unused_fd(fd);
err_unlist:
	/* Free the buffers before the node stops being guarded. */
	fg_camera_stop(cam);
	mutex_lock(&fg_lock);
	list_del_rcu(&cam->node);
	mutex_unlock(&fg_lock);
err_put:
	kobject_put(&cam->kobj);
	return ret;
}
