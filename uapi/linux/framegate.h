/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * framegate: per-session delivery of camera frames.
 *
 * This header is the specification of the interface between framegate.ko
 * and userspace. Everything the module accepts or returns is described
 * here; Documentation/uapi.rst is an introduction, not a reference.
 *
 * Objects
 * -------
 *
 *   camera   a V4L2 video capture device driven by the module. Camera ids
 *            are u32, start at 1 and are never reused while the module is
 *            loaded.
 *   session  one tenant's view of one or more cameras. Session ids are
 *            u64, start at 1 and are never reused while the module is
 *            loaded. A session is active, revoked (by an administrator over
 *            netlink) or lost (one of its cameras was lost or detached).
 *            Revoked and lost are final.
 *   frame    one captured image, identified inside a session by a frame id.
 *
 * /dev/framegate
 * --------------
 *
 * A misc device, mode 0600 (root). It only creates file descriptors; every
 * other operation is on those descriptors or over generic netlink.
 *
 * Every structure starts with a size field, so that later versions can
 * grow them (the rules of copy_struct_from_user()):
 *   - size == sizeof the structure in this header: the usual case;
 *   - FG_*_SIZE_VER0 <= size < sizeof: a caller built against an older
 *     header; the fields it lacks read as zero, and only size bytes of a
 *     result are written back;
 *   - size > sizeof (up to the page size): a caller built against a newer
 *     header; accepted if every byte past sizeof is zero, else -E2BIG;
 *   - size < FG_*_SIZE_VER0: -EINVAL; size > the page size: -E2BIG.
 * Ioctl numbers are matched without their size bits, which therefore may
 * differ from this header's; the size field decides. Where a structure has
 * a size field on output, it is the number of bytes written back.
 *
 * All flags fields must only contain defined flags and all reserved fields
 * must be zero (-EINVAL otherwise). A failed call leaves no object behind,
 * uses up no id and sends no event; a call that fails only while copying
 * its result back (-EFAULT) may have used up an id (the object was created,
 * announced, and closed again).
 *
 * FG_IOC_CAMERA_ATTACH (struct fg_camera_attach)
 *   Takes a file descriptor of an open V4L2 video capture node (v4l2_fd) and
 *   the capture parameters. framegate opens its own file on that node,
 *   becomes the owner of its vb2 queue, sets the format and frame rate,
 *   allocates nbufs MMAP buffers and starts streaming; the caller's v4l2_fd
 *   is not kept and may be closed. From then on buffer ioctls
 *   (REQBUFS, CREATE_BUFS, QBUF, DQBUF, STREAMON, STREAMOFF, EXPBUF) and
 *   read() on the node from any other file fail with -EBUSY.
 *
 *   VIDIOC_QUERYBUF followed by mmap() of the node is not owner checked by
 *   vb2: without the cell programs (see "Enforcement" below) any process
 *   that may open the node can map capture buffers. With them, while the
 *   camera is attached, on every file of the node but framegate's own, for
 *   root too:
 *     - open() works outside the cells, so that operators keep the
 *       camera's controls (v4l2-ctl), and fails with -EACCES from a cell;
 *     - the ioctls that only read or set controls or only query the
 *       device work outside the cells: VIDIOC_QUERYCAP, QUERYCTRL,
 *       QUERY_EXT_CTRL, QUERYMENU, G_CTRL, S_CTRL, G_EXT_CTRLS,
 *       S_EXT_CTRLS, TRY_EXT_CTRLS, SUBSCRIBE_EVENT, UNSUBSCRIBE_EVENT,
 *       DQEVENT, LOG_STATUS, and G_FMT, ENUM_FMT, ENUM_FRAMESIZES,
 *       ENUM_FRAMEINTERVALS, G_PARM, G_INPUT, ENUMINPUT, G_STD, ENUMSTD,
 *       G_DV_TIMINGS, ENUM_DV_TIMINGS, DV_TIMINGS_CAP, G_SELECTION,
 *       G_CROP, CROPCAP, G_PRIORITY, G_TUNER, G_FREQUENCY, G_AUDIO,
 *       ENUMAUDIO, G_OUTPUT, G_AUDOUT, G_MODULATOR, G_JPEGCOMP (and the
 *       32-bit forms of those whose layout differs); every other ioctl
 *       (buffers, streaming, S_FMT, TRY_FMT, S_PARM, S_INPUT, S_STD,
 *       QUERYSTD, S_SELECTION, S_PRIORITY, the overlay's G_FBUF, S_FBUF
 *       and OVERLAY, ...) fails with -EACCES, and from a cell every ioctl
 *       does, whoever opened the file;
 *     - mmap(), read() and write() (and readv, splice, sendfile, io_uring
 *       reads and writes) fail with -EACCES.
 *   Each refusal is counted on the camera (enum fg_hook).
 *
 *   On success returns a new camera file descriptor (O_CLOEXEC), also
 *   stored in fd, and fills camera_id, bytesperline and sizeimage. Closing
 *   the last reference to the camera fd detaches the camera: streaming
 *   stops, the buffers are freed, the node is released and every session
 *   that includes the camera becomes lost.
 *
 *   Errors:
 *     -EBADF       v4l2_fd is not an open file descriptor
 *     -ENOTTY      v4l2_fd is not a V4L2 video node (regular file, pipe, ...)
 *     -ENODEV      the node is not a video capture node (e.g. an output
 *                  node), is unregistered, has no vb2 queue, no lock
 *                  (neither the queue's nor the video_device's), ioctl
 *                  handling other than video_ioctl2(), or one of the
 *                  streaming ioctls disabled
 *     -EBADF       v4l2_fd is not open for both reading and writing
 *                  (framegate's own file of the node is, and must not
 *                  give the caller more than it had)
 *     -EINVAL      a field is outside the ranges below, or an unknown
 *                  pixel format, flag or non-zero reserved field
 *     -EOPNOTSUPP  the device cannot do exactly this size, pixel format or
 *                  frame rate, its buffers have no kernel mapping, its
 *                  timestamps are not CLOCK_MONOTONIC, or the driver
 *                  refused the format or rate as invalid
 *     -EBUSY       the node is streaming or attached already, or another
 *                  file of the node mapped one of the capture buffers
 *                  while the camera was being attached
 *     -EINTR       a signal arrived while the camera was being set up;
 *                  nothing was attached
 *     -EIO         the driver failed a step of the setup for another
 *                  reason (its error is in the kernel log)
 *     -ENOMEM      out of memory, or the driver could not allocate as
 *                  many buffers as asked for
 *
 *   From the start of this call (before the first capture buffer exists)
 *   the node counts as attached for the cell programs, so no other file
 *   of it can map a buffer; bpf_fg_file_camera() returns
 *   FG_CAMERA_ID_SETUP for it until the camera has its id, and until then
 *   open() of the node fails with -EACCES outside the cells too (counted
 *   only globally, as the camera has no counters yet).
 *
 * FG_IOC_SESSION_CREATE (struct fg_session_create)
 *   Creates a session of tenant_id on ncameras cameras (no duplicates) with
 *   a ring of depth frames. Returns a new read-only session file descriptor
 *   (O_CLOEXEC), also stored in fd, and the session id. No frame captured
 *   before the session's creation time (created_ns, taken inside this
 *   call) is ever delivered to the session.
 *
 *   Errors:
 *     -EPERM       enforcement is not armed and the module parameter
 *                  allow_unenforced is 0 (the default); the kernel log says
 *                  so. See "Enforcement".
 *     -EINVAL      bad size, flags, reserved, tenant 0, depth or ncameras
 *                  out of range, duplicate camera
 *     -ENOENT      a camera id is not attached
 *     -ENODEV      a camera is lost
 *     -E2BIG       depth * slot size exceeds FG_WINDOW_MAX
 *     -ENOSPC      FG_BOARD_SLOTS sessions exist already
 *     -ENOMEM      out of memory
 *
 *   Ids increase and are never reused. An id whose board slot (see
 *   FG_IOC_BOARD) is held by a session that still exists is skipped, so
 *   no two sessions that exist at once share a slot.
 *
 * FG_IOC_BOARD (struct fg_board)
 *   Hands the module the cell programs' board: a BPF array map (type
 *   BPF_MAP_TYPE_ARRAY, key __u32, value struct fg_board_slot,
 *   FG_BOARD_SLOTS + 1 entries, not frozen) that the loader pins with the
 *   programs. The packet filter of the cells (a cgroup_skb program, which
 *   on 6.1 cannot call kfuncs) reads there whether a session may still
 *   send, and counts there the packets it drops. The module keeps a
 *   reference until it is unloaded or handed another board, writes every
 *   existing session into it at once, and from then on keeps it current:
 *   slot (session_id & (FG_BOARD_SLOTS - 1)) holds the session's id and
 *   state while the session exists (id 0: free). Handing the same map
 *   again changes nothing. Before any board, the filter finds no session
 *   and drops every packet of a cell: enforcement fails closed.
 *   Errors: -EINVAL bad size, flags or reserved; -EBADF map_fd is not
 *   open; -EINVAL it is not a BPF map of that layout.
 *
 * Session file descriptor
 * -----------------------
 *
 * The session fd has its own inode, whose number (st_ino) is the session
 * id. Frames are read through a read-only
 * shared mapping of the fd, the session's window: depth slots of slot_size
 * bytes each (FG_SESSION_IOC_INFO). Every page of the window starts zeroed
 * and only ever holds frames delivered to this session.
 *
 *   mmap()       only PROT_READ; PROT_WRITE or PROT_EXEC fails with
 *                -EACCES, and so does a later mprotect() to either. The
 *                mapping is not inherited by fork() and not in core dumps.
 *                offset + length beyond the window fails with -EINVAL.
 *                After revoke, -EPERM.
 *   poll()       EPOLLIN | EPOLLRDNORM while a frame is ready;
 *                EPOLLHUP | EPOLLERR once the session is revoked or lost.
 *   read()       not supported (-EINVAL); write() fails with -EBADF (the
 *                fd is opened read-only).
 *
 * When a session is revoked every mapping of it is torn down at once: a
 * later access to a previously mapped address raises SIGBUS.
 *
 * FG_SESSION_IOC_INFO (struct fg_session_info)
 *   Describes the session. Works in every state.
 *
 * FG_SESSION_IOC_ACQUIRE (struct fg_frame)
 *   Takes the oldest ready frame and holds it: its slot is not written until
 *   it is released. Never blocks.
 *   Errors: -EAGAIN no frame is ready; -EPERM the session is revoked;
 *   -ENODEV the session is lost (its ready frames were dropped); -EINVAL bad size,
 *   flags or reserved.
 *
 * FG_SESSION_IOC_RELEASE (struct fg_frame_release)
 *   Releases a held frame. Frames held when the session is lost stay held
 *   (and mapped) until released. Errors: -ENOENT frame_id is not held
 *   (never acquired, or released already); -EPERM the session is revoked;
 *   -EINVAL bad size, flags or reserved.
 *
 * Delivery and accounting
 * -----------------------
 *
 * Each captured frame of a camera is copied into a free slot of every
 * active session of that camera whose creation precedes the frame's capture
 * timestamp. When no slot is free the oldest ready frame is dropped
 * (counted as frames_dropped_overrun); when every slot is held the new frame
 * is dropped (frames_dropped_held). When a session is revoked or lost, its
 * ready frames are dropped (frames_dropped_revoked). At any time, for every
 * session:
 *
 *   frames_captured = frames_delivered + frames_dropped_overrun
 *                     + frames_dropped_held + frames_dropped_revoked
 *                     + frames_queued
 *
 * where frames_delivered counts successful ACQUIREs.
 *
 * Generic netlink
 * ---------------
 *
 * Family FG_GENL_NAME, version FG_GENL_VERSION, multicast group
 * FG_GENL_MCGRP_EVENTS. Attributes are validated strictly: unknown
 * attributes, attributes that are output only, and attributes of the wrong
 * length are rejected with -EINVAL.
 *
 * FG_CMD_GET_STATS (doit; no attributes; any user)
 *   Replies with FG_A_CAMERAS_ATTACHED, FG_A_SESSIONS_ACTIVE,
 *   FG_A_SESSIONS_CREATED, FG_A_SESSIONS_REVOKED, FG_A_FRAMES_CAPTURED,
 *   FG_A_FRAMES_DELIVERED, FG_A_FRAMES_DROPPED (sum of the drop counters of
 *   all sessions ever), FG_A_BYTES_DELIVERED.
 *
 * FG_CMD_GET_CAMERA (dump: every attached camera, one message each;
 *   doit with FG_A_CAMERA_ID: that camera or -ENOENT; any user)
 *   Each message: FG_A_CAMERA_ID, FG_A_CAMERA_STATE, FG_A_CAMERA_DEVICE
 *   (string, e.g. "video0"), FG_A_WIDTH, FG_A_HEIGHT, FG_A_PIXELFORMAT,
 *   FG_A_FPS (as attached; FG_FPS_DRIVER: the driver's rate), FG_A_BUFFERS,
 *   FG_A_FRAMES_CAPTURED, FG_A_FRAMES_DROPPED (buffers the driver returned
 *   with an error), FG_A_SESSION_COUNT.
 *
 * FG_CMD_GET_SESSION (dump: every session, one message each, in id order;
 *   a dump larger than one netlink message continues in the next ones, as
 *   usual for dumps; doit with FG_A_SESSION_ID: that session or -ENOENT;
 *   any user)
 *   Each message: FG_A_SESSION_ID, FG_A_TENANT_ID, FG_A_SESSION_STATE,
 *   FG_A_CREATED_NS, FG_A_DEPTH, FG_A_SESSION_CAMERAS (nested, one
 *   FG_A_CAMERA_ID per camera), FG_A_FRAMES_CAPTURED, FG_A_FRAMES_DELIVERED,
 *   FG_A_FRAMES_DROPPED_OVERRUN, FG_A_FRAMES_DROPPED_HELD,
 *   FG_A_FRAMES_DROPPED_REVOKED, FG_A_FRAMES_QUEUED, FG_A_FRAMES_HELD,
 *   FG_A_BYTES_DELIVERED.
 *
 * FG_CMD_REVOKE_SESSION (doit; FG_A_SESSION_ID required; CAP_NET_ADMIN)
 *   Revokes an active session. -ENOENT unknown id, -EALREADY not active,
 *   -EPERM without CAP_NET_ADMIN, -EINVAL missing attribute.
 *
 * FG_CMD_EVENT (multicast on FG_GENL_MCGRP_EVENTS only)
 *   FG_A_EVENT (enum fg_event) and FG_A_CAMERA_ID for camera events, or
 *   FG_A_SESSION_ID and FG_A_TENANT_ID for session events.
 *   FG_EVENT_DENIED: FG_A_HOOK (enum fg_hook), FG_A_DENIED (the value of the
 *   counter the refusal incremented) and either FG_A_SESSION_ID (a session
 *   counter) or FG_A_CAMERA_ID (a camera counter), or neither (only the
 *   global counter moved: the session is gone). Denial events are rate
 *   limited per object (FG_DENIED_EVENTS_BURST per
 *   FG_DENIED_EVENTS_INTERVAL_MS for each session and each camera, and as
 *   much again for refusals counted only globally), so one cell's refusals
 *   cannot silence another's; the counters are exact whether or not an
 *   event was sent.
 *
 * Enforcement
 * -----------
 *
 * The module alone cannot confine what userspace does with a session fd.
 * The cell programs (bpf/cell.bpf.c, BPF LSM) do: a session's worker runs
 * in a cgroup v2 directory, its cell, and the programs refuse, with -EACCES
 * unless noted, whatever would move a frame out of its cell. They call the
 * module's kfuncs (BPF_PROG_TYPE_LSM, module BTF):
 *
 *   u64  bpf_fg_file_session(struct file *file)
 *          The id of the session whose inode file refers to (also for a
 *          re-open through /proc/PID/fd), FG_SESSION_ID_PROBE for the
 *          module's arming probe, 0 for any other file or NULL.
 *   u32  bpf_fg_file_camera(struct file *file)
 *          The id of the attached camera whose V4L2 node (by device number)
 *          file refers to, FG_CAMERA_ID_SETUP while that node is being
 *          attached, 0 for framegate's own file of the node, for any other
 *          file, or NULL.
 *   u32  bpf_fg_send_check(u64 session_id, u32 hook)
 *          Whether the current task may send on a socket of session_id:
 *          0 if it may; hook (the caller's, FG_HOOK_SENDMSG or
 *          FG_HOOK_WRITE) if the session is not FG_SESSION_ACTIVE or
 *          FG_SESSION_LOST, or does not exist; else FG_HOOK_SEND_MAPPED if
 *          the task's address space maps another session.
 *   u64  bpf_fg_mm_other_session(u64 session_id)
 *          The id of a session other than session_id that the current
 *          task's address space maps, 0 if none.
 *   void bpf_fg_session_denied(u64 session_id, u32 hook)
 *   void bpf_fg_camera_denied(u32 camera_id, u32 hook)
 *          Count one refusal: the object's denied_<hook> counter and the
 *          global one (only the global one for an unknown id or
 *          FG_CAMERA_ID_SETUP, nothing for FG_SESSION_ID_PROBE or hook >=
 *          FG_HOOK_COUNT), and queue a rate-limited FG_EVENT_DENIED.
 *
 *   The kfuncs are registered for BPF_PROG_TYPE_LSM, which on 6.1 makes
 *   them callable from every tracing program too (fentry, fexit, ...), in
 *   any context, NMI included: each one is safe there. They read what a
 *   file pointer refers to without faulting, never sleep, never take a
 *   lock that NMI could interrupt, and queue no event from NMI (counted as
 *   denied_events_dropped instead).
 *
 * A refusal is counted once, on the acting task's session when the task is
 * in a cell, else on the session whose object (fd, socket, task) it
 * touched; refusals about a V4L2 node are counted on the camera. The hooks
 * and what each counts are listed with enum fg_hook.
 *
 * Armed: FG_IOC_SESSION_CREATE first checks that the programs are attached
 * by passing a probe file to security_file_ioctl(); the file_ioctl program
 * asks bpf_fg_file_session() about it and refuses it, as it refuses every
 * session fd outside its cell. Only both together are proof: a refusal by
 * anything that did not ask (another LSM) does not arm. The probe is never
 * counted and sends no event, whichever task runs it. If the proof is
 * missing, enforcement is not armed and the session is refused with -EPERM
 * unless the module parameter allow_unenforced is 1 (development only; it
 * is shown in /sys/module/framegate/parameters/allow_unenforced and every
 * unenforced session is logged). /sys/kernel/framegate/enforcement reads
 * "armed" or "unarmed" (probing on each read).
 *
 * sysfs
 * -----
 *
 * /sys/kernel/framegate/ mirrors these counters, one value per file; see
 * Documentation/ABI/testing/sysfs-kernel-framegate.
 */

#ifndef _UAPI_LINUX_FRAMEGATE_H
#define _UAPI_LINUX_FRAMEGATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FG_DEVICE_NAME		"framegate"

/* Limits, all inclusive. */
#define FG_WIDTH_MIN		16
#define FG_WIDTH_MAX		4096
#define FG_HEIGHT_MIN		16
#define FG_HEIGHT_MAX		4096
#define FG_FPS_MIN		1
#define FG_FPS_MAX		240
#define FG_FPS_DRIVER		0	/* keep the driver's rate (attach) */
#define FG_BUFFERS_MIN		2
#define FG_BUFFERS_MAX		32
#define FG_DEPTH_MIN		1
#define FG_DEPTH_MAX		64
#define FG_SESSION_CAMERAS_MAX	8
#define FG_WINDOW_MAX		(128u << 20)	/* bytes of one session window */

/*
 * Accepted pixel formats (V4L2 fourccs): YUYV, UYVY, GREY, RGB24 ('RGB3'),
 * BGR24 ('BGR3'), NV12 on single-plane and multi-planar nodes; NV12M,
 * YUV420M ('YM12'), NV16M on multi-planar nodes (struct fg_frame_plane).
 */

#define FG_IOC_MAGIC		0xFB

/* fstatfs() f_type of a session fd: its own pseudo filesystem. */
#define FG_SESSION_FS_MAGIC	0x66675373	/* "fgSs" */

struct fg_camera_attach {
	__u32 size;		/* in: sizeof(struct fg_camera_attach) */
	__u32 flags;		/* in: no flags defined, must be 0 */
	__s32 v4l2_fd;		/* in: open V4L2 capture node */
	__u32 width;		/* in: FG_WIDTH_MIN..FG_WIDTH_MAX */
	__u32 height;		/* in: FG_HEIGHT_MIN..FG_HEIGHT_MAX */
	__u32 pixelformat;	/* in: an accepted V4L2 fourcc */
	__u32 fps;		/* in: frames per second, FG_FPS_MIN..FG_FPS_MAX;
				 * or FG_FPS_DRIVER: framegate sets no rate
				 * (no VIDIOC_S_PARM; the node need not have
				 * it), the camera runs at the rate its
				 * driver or media pipeline was configured
				 * for beforehand
				 */
	__u32 buffers;		/* in: capture buffers, FG_BUFFERS_MIN..MAX */
	__s32 fd;		/* out: the camera fd (also the return value) */
	__u32 camera_id;	/* out */
	__u32 bytesperline;	/* out: as set by the driver */
	__u32 sizeimage;	/* out: as set by the driver */
	__u32 reserved[4];	/* must be 0 */
};

#define __FG_CAMERA_F_ALL	0u
#define FG_CAMERA_ATTACH_SIZE_VER0	64	/* the first published size */

struct fg_session_create {
	__u32 size;		/* in: sizeof(struct fg_session_create) */
	__u32 flags;		/* in: no flags defined, must be 0 */
	__u64 tenant_id;	/* in: non-zero */
	__u32 depth;		/* in: ring slots, FG_DEPTH_MIN..FG_DEPTH_MAX */
	__u32 ncameras;		/* in: 1..FG_SESSION_CAMERAS_MAX */
	__u32 cameras[FG_SESSION_CAMERAS_MAX];	/* in: ids; rest must be 0 */
	__u64 session_id;	/* out */
	__s32 fd;		/* out: the session fd (also the return value) */
	__u32 reserved[3];	/* must be 0 */
};

#define __FG_SESSION_F_ALL	0u
#define FG_SESSION_CREATE_SIZE_VER0	80

struct fg_board {
	__u32 size;		/* in: sizeof(struct fg_board) */
	__u32 flags;		/* in: no flags defined, must be 0 */
	__s32 map_fd;		/* in: the board map */
	__u32 reserved[5];	/* must be 0 */
};

#define __FG_BOARD_F_ALL	0u
#define FG_BOARD_SIZE_VER0	32

/*
 * The board's slots (FG_IOC_BOARD). Slot FG_BOARD_SLOTS, past the
 * sessions' slots, counts the drops of sockets whose session is gone.
 */
#define FG_BOARD_SLOTS		4096
struct fg_board_slot {
	__u64 session_id;	/* module: the session in this slot, 0: none */
	__u32 state;		/* module: its enum fg_session_state */
	__u32 reserved;
	__u64 egress_denied;	/* programs: packets dropped, ever */
};

#define FG_IOC_CAMERA_ATTACH	_IOWR(FG_IOC_MAGIC, 0x01, struct fg_camera_attach)
#define FG_IOC_SESSION_CREATE	_IOWR(FG_IOC_MAGIC, 0x02, struct fg_session_create)
#define FG_IOC_BOARD		_IOWR(FG_IOC_MAGIC, 0x03, struct fg_board)

enum fg_camera_state {
	FG_CAMERA_STREAMING = 1,	/* capturing */
	/*
	 * The device went away (unregistered), its queue failed (a DQBUF or
	 * QBUF error, vb2's queue error state), or another file mapped a
	 * capture buffer (possible only without the cell programs): capture
	 * stops, and framegate calls nothing of the driver's but the final
	 * release. Final: detach, and attach again.
	 */
	FG_CAMERA_LOST = 2,
	FG_CAMERA_DETACHED = 3,		/* its camera fd was closed */
};

enum fg_session_state {
	FG_SESSION_ACTIVE = 1,
	FG_SESSION_REVOKED = 2,
	FG_SESSION_LOST = 3,
};

struct fg_session_info {
	__u32 size;		/* in: sizeof(struct fg_session_info) */
	__u32 flags;		/* in: must be 0 */
	__u64 session_id;	/* out */
	__u64 tenant_id;	/* out */
	__u64 created_ns;	/* out: CLOCK_MONOTONIC at creation */
	__u64 slot_size;	/* out: bytes per slot, a multiple of the page size */
	__u64 window_size;	/* out: depth * slot_size, the mmap() length */
	__u32 state;		/* out: enum fg_session_state */
	__u32 depth;		/* out */
	__u32 ncameras;		/* out */
	__u32 cameras[FG_SESSION_CAMERAS_MAX];	/* out */
	__u32 reserved[3];	/* in: must be 0; out: 0 */
};

/*
 * One plane of a frame in the session window. A camera of a multi-planar
 * node (V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE: NV12M, YUV420M, NV16M, ...)
 * delivers the image data of its planes (each plane's payload past the
 * driver's data_offset) one right after the other in the frame's slot:
 * plane 0 at offset 0, each next one at the previous one's offset plus its
 * bytesused, so that an NV12M frame reads as an NV12 one. A single-plane
 * camera's frame is one plane at offset 0. fg_frame's bytesused is the sum
 * of the planes' bytesused.
 */
#define FG_FRAME_PLANES_MAX	3

struct fg_frame_plane {
	__u32 offset;		/* from the frame's offset in the window */
	__u32 bytesused;	/* bytes of image data in the plane */
	__u32 bytesperline;	/* as set by the driver */
	__u32 reserved;		/* 0 */
};

struct fg_frame {
	__u32 size;		/* in: sizeof(struct fg_frame) */
	__u32 flags;		/* in: must be 0 */
	__u64 frame_id;		/* out: pass to FG_SESSION_IOC_RELEASE */
	__u64 offset;		/* out: of the frame in the window */
	__u64 sequence;		/* out: the camera's V4L2 sequence number */
	__u64 timestamp_ns;	/* out: capture time, CLOCK_MONOTONIC */
	__u32 camera_id;	/* out */
	__u32 bytesused;	/* out: bytes of image data at offset */
	__u32 width;		/* out */
	__u32 height;		/* out */
	__u32 pixelformat;	/* out */
	__u32 bytesperline;	/* out: of the first plane */
	__u32 reserved[4];	/* in: must be 0; out: 0 */
	/* Since FG_FRAME_SIZE_VER1: where each plane of the frame is. */
	__u32 num_planes;	/* out: 1..FG_FRAME_PLANES_MAX */
	__u32 reserved2;	/* in: ignored; out: 0 */
	/* out: the first num_planes; the rest are 0 */
	struct fg_frame_plane planes[FG_FRAME_PLANES_MAX];
};

struct fg_frame_release {
	__u32 size;		/* in: sizeof(struct fg_frame_release) */
	__u32 flags;		/* in: must be 0 */
	__u64 frame_id;		/* in: from FG_SESSION_IOC_ACQUIRE */
	__u32 reserved[4];	/* in: must be 0 */
};

#define FG_SESSION_INFO_SIZE_VER0	104
#define FG_FRAME_SIZE_VER0		80
#define FG_FRAME_SIZE_VER1		136	/* num_planes, planes */
#define FG_FRAME_RELEASE_SIZE_VER0	32

#define FG_SESSION_IOC_INFO	_IOWR(FG_IOC_MAGIC, 0x10, struct fg_session_info)
#define FG_SESSION_IOC_ACQUIRE	_IOWR(FG_IOC_MAGIC, 0x11, struct fg_frame)
#define FG_SESSION_IOC_RELEASE	_IOWR(FG_IOC_MAGIC, 0x12, struct fg_frame_release)

/* Generic netlink */

#define FG_GENL_NAME		"framegate"
#define FG_GENL_VERSION		1
#define FG_GENL_MCGRP_EVENTS	"events"

enum fg_cmd {
	FG_CMD_UNSPEC,
	FG_CMD_GET_STATS,
	FG_CMD_GET_CAMERA,
	FG_CMD_GET_SESSION,
	FG_CMD_REVOKE_SESSION,
	FG_CMD_EVENT,
	__FG_CMD_MAX
};

#define FG_CMD_MAX (__FG_CMD_MAX - 1)

enum fg_event {
	FG_EVENT_SESSION_CREATED = 1,
	FG_EVENT_SESSION_REVOKED = 2,
	FG_EVENT_SESSION_CLOSED = 3,
	FG_EVENT_SESSION_LOST = 4,
	FG_EVENT_CAMERA_ATTACHED = 5,
	FG_EVENT_CAMERA_LOST = 6,
	FG_EVENT_CAMERA_DETACHED = 7,
	FG_EVENT_DENIED = 8,
};

/*
 * The hooks whose refusals are counted, as in sysfs denied_<name>. "Cell"
 * below is the cell of the acting task; a task in no cell is never allowed
 * to use a session fd and may not send on a socket created in a cell.
 */
enum fg_hook {
	/* "open": open() of an attached V4L2 node from a cell, or by anyone
	 * while it is being attached (camera counter), or of a session's
	 * inode (e.g. /proc/PID/fd/N) outside its cell
	 */
	FG_HOOK_OPEN,
	/* "receive": a session fd arriving in another cell or in no cell
	 * (SCM_RIGHTS, pidfd_getfd), or carried into an exec in another
	 * cell (an inherited fd without close-on-exec)
	 */
	FG_HOOK_RECEIVE,
	/* "mmap": mmap() of a session fd outside its cell, or of another
	 * file of an attached node (camera counter)
	 */
	FG_HOOK_MMAP,
	/* "ioctl": ioctl() on a session fd outside its cell, or on another
	 * file of an attached node any ioctl but the control and query ioctls
	 * of FG_IOC_CAMERA_ATTACH, and from a cell any ioctl (camera counter)
	 */
	FG_HOOK_IOCTL,
	/* "ptrace": ptrace, /proc/PID/mem, /proc/PID/fd, process_vm_readv
	 * of a task in another cell; -EPERM or -EACCES as the caller reports
	 */
	FG_HOOK_PTRACE,
	/* "sendmsg": send*(), io_uring send on a socket created in another
	 * cell, or in the cell of a session that is revoked or closed
	 */
	FG_HOOK_SENDMSG,
	/* "write": write(), sendfile(), splice(), io_uring write on such a
	 * socket
	 */
	FG_HOOK_WRITE,
	/* "send_mapped": sending on a socket of session S while mapping a
	 * session T != S
	 */
	FG_HOOK_SEND_MAPPED,
	/* "connect": connect() or sendto() from a cell to an address that is
	 * not one of its session's endpoints (IPv4, IPv6)
	 */
	FG_HOOK_CONNECT,
	/* "unix": AF_UNIX connect or datagram to a socket of another cell */
	FG_HOOK_UNIX,
	/* "ipc": any SysV IPC from a cell */
	FG_HOOK_IPC,
	/* "socket": from a cell, creating a socket whose (family, type,
	 * protocol) the cell's policy does not allow, bind(), listen(), or
	 * any use of a socket the cell was not given (created before the
	 * task entered the cell, accept()ed, received)
	 */
	FG_HOOK_SOCKET,
	/* "sockopt": from a cell, setsockopt() of an option that is not on
	 * the allow-list (what TLS over TCP needs), or ancillary data on an
	 * IP socket
	 */
	FG_HOOK_SOCKOPT,
	/* "egress": a packet of a cell's socket dropped as it left: its
	 * destination, interface or headers are not one of its session's
	 * endpoints, or the session is no longer active or lost
	 */
	FG_HOOK_EGRESS,
	/* "channel": from a cell, a kernel channel that is not a socket:
	 * keyrings, bpf(), perf_event_open(), new user namespaces, signals
	 * to tasks outside the cell, mounts, module loads, moving a task
	 * between cgroups (cgroup.procs, clone3(CLONE_INTO_CGROUP)),
	 * /proc/kcore and memory devices
	 */
	FG_HOOK_CHANNEL,
	/* "read": read() or write() (and readv, writev, splice, sendfile,
	 * io_uring reads and writes) of another file of an attached node
	 * (camera counter)
	 */
	FG_HOOK_READ,
	FG_HOOK_COUNT
};

/* Never a real session id: the arming probe (see "Enforcement"). */
#define FG_SESSION_ID_PROBE		(~0ULL)
/* Never a real camera id: a node that is being attached. */
#define FG_CAMERA_ID_SETUP		(~0U)

#define FG_DENIED_EVENTS_INTERVAL_MS	1000
#define FG_DENIED_EVENTS_BURST		32

enum fg_attr {
	FG_A_UNSPEC,
	FG_A_PAD,			/* alignment padding for u64 */
	FG_A_CAMERA_ID,			/* u32; input to GET_CAMERA */
	FG_A_SESSION_ID,		/* u64; input to GET/REVOKE_SESSION */
	FG_A_TENANT_ID,			/* u64 */
	FG_A_CAMERA_STATE,		/* u32, enum fg_camera_state */
	FG_A_CAMERA_DEVICE,		/* string, the V4L2 node's name */
	FG_A_WIDTH,			/* u32 */
	FG_A_HEIGHT,			/* u32 */
	FG_A_PIXELFORMAT,		/* u32, V4L2 fourcc */
	FG_A_FPS,			/* u32 */
	FG_A_BUFFERS,			/* u32 */
	FG_A_SESSION_COUNT,		/* u32 */
	FG_A_SESSION_STATE,		/* u32, enum fg_session_state */
	FG_A_CREATED_NS,		/* u64, CLOCK_MONOTONIC */
	FG_A_DEPTH,			/* u32 */
	FG_A_SESSION_CAMERAS,		/* nested FG_A_CAMERA_ID */
	FG_A_FRAMES_CAPTURED,		/* u64 */
	FG_A_FRAMES_DELIVERED,		/* u64 */
	FG_A_FRAMES_DROPPED,		/* u64 */
	FG_A_FRAMES_DROPPED_OVERRUN,	/* u64 */
	FG_A_FRAMES_DROPPED_HELD,	/* u64 */
	FG_A_FRAMES_DROPPED_REVOKED,	/* u64 */
	FG_A_FRAMES_QUEUED,		/* u64 */
	FG_A_FRAMES_HELD,		/* u64 */
	FG_A_BYTES_DELIVERED,		/* u64 */
	FG_A_CAMERAS_ATTACHED,		/* u64 */
	FG_A_SESSIONS_ACTIVE,		/* u64 */
	FG_A_SESSIONS_CREATED,		/* u64 */
	FG_A_SESSIONS_REVOKED,		/* u64 */
	FG_A_EVENT,			/* u32, enum fg_event */
	FG_A_HOOK,			/* u32, enum fg_hook */
	FG_A_DENIED,			/* u64 */
	__FG_A_LAST
};

#define FG_A_MAX (__FG_A_LAST - 1)

#endif /* _UAPI_LINUX_FRAMEGATE_H */
