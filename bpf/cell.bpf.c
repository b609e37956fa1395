// SPDX-License-Identifier: GPL-2.0
/*
 * framegate cell programs: BPF LSM rules that keep a session's frames in
 * the cell (cgroup) of its worker. The policy is specified with enum
 * fg_hook and under "Enforcement" in uapi/linux/framegate.h, the maps in
 * bpf/cell.h; daemon/lib/enforce.c loads, attaches and pins these programs.
 *
 * "cur" below is the session of the current task's cell (0: no cell). A
 * refusal is counted once, through the module's kfuncs: on cur when the
 * task is in a cell, else on the session whose object it touched, or on
 * the camera for a V4L2 node. Every program is non-sleepable: none of the
 * helpers or kfuncs used sleeps, and file_permission, unix_* and ipc_*
 * cannot be sleepable on 6.1.
 *
 *   program          hook                       counts
 *   file_open        file_open                  open
 *   file_receive     file_receive               receive
 *   mmap_file        mmap_file                  mmap
 *   file_ioctl       file_ioctl                 ioctl
 *   ioctl_compat     file_ioctl_compat          ioctl
 *   ptrace_access    ptrace_access_check        ptrace
 *   ptrace_traceme   ptrace_traceme             ptrace
 *   socket_create    socket_create              socket
 *   socket_label     socket_post_create         socket
 *   socket_bind      socket_bind                socket
 *   socket_listen    socket_listen              socket
 *   socket_accept    socket_accept              socket
 *   socket_sendmsg   socket_sendmsg             sendmsg send_mapped connect
 *                                               sockopt
 *   socket_recvmsg   socket_recvmsg             socket
 *   file_permission  file_permission            read write send_mapped
 *                                               socket
 *   socket_connect   socket_connect             connect socket
 *   setsockopt       socket_setsockopt          sockopt socket
 *   getsockopt       socket_getsockopt          socket
 *   socket_shutdown  socket_shutdown            socket
 *   getsockname      socket_getsockname         socket
 *   getpeername      socket_getpeername         socket
 *   unix_connect     unix_stream_connect        unix
 *   unix_may_send    unix_may_send              unix
 *   egress           cgroup_skb/egress          egress (on the board)
 *   key_alloc        key_alloc                  channel
 *   key_permission   key_permission             channel
 *   bpf              bpf                        channel
 *   perf_event_open  perf_event_open            channel
 *   userns_create    userns_create              channel
 *   task_kill        task_kill                  channel
 *   task_alloc       task_alloc                 channel
 *   file_fcntl       file_fcntl                 channel
 *   sb_mount         sb_mount                   channel
 *   module_request   kernel_module_request      channel
 *   bprm_check       bprm_check_security        receive
 *   ipc_permission   ipc_permission             ipc
 *   msg_queue_alloc  msg_queue_alloc_security   ipc
 *   shm_alloc        shm_alloc_security         ipc
 *   sem_alloc        sem_alloc_security         ipc
 *
 * egress is not an LSM program: it is attached to the cell root, so every
 * packet of a socket created in a cell passes it, whatever call sent it
 * (or none: retransmissions). It cannot call the kfuncs on 6.1; it reads
 * the sessions' states from the board (FG_IOC_BOARD), which the module
 * keeps, and counts its drops there.
 *
 * Program names stay within BPF_OBJ_NAME_LEN - 1 (15) characters, so the
 * kernel's name of each is the name of its pin, link_<program>.
 */

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/*
 * framegate's uapi header, for enum fg_hook and enum fg_session_state. The
 * kernel types it would include come from vmlinux.h already; <linux/ioctl.h>
 * has only macros.
 */
#define _LINUX_TYPES_H
#include <linux/framegate.h>

#include "cell.h"

char LICENSE[] SEC("license") = "GPL";

/* Macros vmlinux.h cannot carry. */
#define EPERM			1
#define ENOMEM			12
#define EACCES			13
#define AF_UNSPEC		0
#define AF_UNIX			1
#define AF_INET			2
#define AF_INET6		10
#define SOCK_TYPE_MASK		0xf
#define MSG_FASTOPEN		0x20000000
#define SOL_SOCKET		1
#define SO_SNDBUF		7
#define SO_RCVBUF		8
#define SO_KEEPALIVE		9
#define SO_LINGER		13
#define SO_RCVTIMEO_OLD		20
#define SO_SNDTIMEO_OLD		21
#define SO_RCVTIMEO_NEW		66
#define SO_SNDTIMEO_NEW		67
#define SOL_TCP			6
#define TCP_NODELAY		1
#define TCP_KEEPIDLE		4
#define TCP_KEEPINTVL		5
#define TCP_KEEPCNT		6
#define TCP_USER_TIMEOUT	18
#define SOL_IP			0
#define IP_RECVERR		11
#define SOL_IPV6		41
#define IPV6_RECVERR		25
#define IPV6_V6ONLY		26
#define MAY_WRITE		0x00000002
#define MAY_READ		0x00000004
#define S_IFMT			00170000
#define S_IFSOCK		0140000
#define S_IFCHR			0020000
#define MINORBITS		20	/* the kernel's dev_t: major << 20 | minor */
#define VIDEO_MAJOR		81
#define PTRACE_MODE_NOAUDIT	0x04
#define SIN6_LEN_RFC2133	24	/* sockaddr_in6 without sin6_scope_id */
#define FMODE_WRITE		0x2
#define S_IFCHR			0020000
#define CLONE_INTO_CGROUP	0x200000000ULL
#define PROC_SUPER_MAGIC	0x9fa0
#define CGROUP_SUPER_MAGIC	0x27e0eb
#define CGROUP2_SUPER_MAGIC	0x63677270
#define MQUEUE_MAGIC		0x19800202
#define F_SETOWN		8
#define F_SETSIG		10
#define F_SETOWN_EX		15
#define FIOSETOWN		0x8901
#define SIOCSPGRP		0x8902
#define MEM_MAJOR		1
#define DEV_MEM_MINOR		1	/* /dev/mem */
#define DEV_KMEM_MINOR		2	/* /dev/kmem */
#define DEV_PORT_MINOR		4	/* /dev/port */
#define ETH_P_IP		0x0800
#define ETH_P_IPV6		0x86DD
#define IP_MF_OFFSET		0x3fff	/* more fragments, fragment offset */
#define CG_PASS			1
#define CG_DROP			0

/*
 * The V4L2 ioctls an operator may use on another file of an attached node,
 * outside the cells (numbers from <linux/videodev2.h> on x86-64; the compat
 * ones are the 32-bit layouts that v4l2_compat_translate_cmd() maps to
 * them, for the structures whose size differs). Controls and their events:
 */
#define VIDIOC_QUERYCAP			_IOC(_IOC_READ, 'V', 0, 104)
#define VIDIOC_G_CTRL			_IOC(_IOC_READ | _IOC_WRITE, 'V', 27, 8)
#define VIDIOC_S_CTRL			_IOC(_IOC_READ | _IOC_WRITE, 'V', 28, 8)
#define VIDIOC_QUERYCTRL		_IOC(_IOC_READ | _IOC_WRITE, 'V', 36, 68)
#define VIDIOC_QUERYMENU		_IOC(_IOC_READ | _IOC_WRITE, 'V', 37, 44)
#define VIDIOC_LOG_STATUS		_IOC(_IOC_NONE, 'V', 70, 0)
#define VIDIOC_G_EXT_CTRLS		_IOC(_IOC_READ | _IOC_WRITE, 'V', 71, 32)
#define VIDIOC_S_EXT_CTRLS		_IOC(_IOC_READ | _IOC_WRITE, 'V', 72, 32)
#define VIDIOC_TRY_EXT_CTRLS		_IOC(_IOC_READ | _IOC_WRITE, 'V', 73, 32)
#define VIDIOC_DQEVENT			_IOC(_IOC_READ, 'V', 89, 136)
#define VIDIOC_SUBSCRIBE_EVENT		_IOC(_IOC_WRITE, 'V', 90, 32)
#define VIDIOC_UNSUBSCRIBE_EVENT	_IOC(_IOC_WRITE, 'V', 91, 32)
#define VIDIOC_QUERY_EXT_CTRL		_IOC(_IOC_READ | _IOC_WRITE, 'V', 103, 232)
#define VIDIOC_G_EXT_CTRLS32		_IOC(_IOC_READ | _IOC_WRITE, 'V', 71, 24)
#define VIDIOC_S_EXT_CTRLS32		_IOC(_IOC_READ | _IOC_WRITE, 'V', 72, 24)
#define VIDIOC_TRY_EXT_CTRLS32		_IOC(_IOC_READ | _IOC_WRITE, 'V', 73, 24)
#define VIDIOC_DQEVENT32		_IOC(_IOC_READ, 'V', 89, 128)
#define VIDIOC_DQEVENT32_TIME32		_IOC(_IOC_READ, 'V', 89, 120)
/*
 * Pure queries (they only read the driver's state; see
 * Documentation/threat-model.rst): what `v4l2-ctl --all` and its --list-*
 * options ask, but VIDIOC_G_FBUF (the overlay's framebuffer, another way
 * out for frames).
 */
#define VIDIOC_ENUM_FMT			_IOC(_IOC_READ | _IOC_WRITE, 'V', 2, 64)
#define VIDIOC_G_FMT			_IOC(_IOC_READ | _IOC_WRITE, 'V', 4, 208)
#define VIDIOC_G_PARM			_IOC(_IOC_READ | _IOC_WRITE, 'V', 21, 204)
#define VIDIOC_G_STD			_IOC(_IOC_READ, 'V', 23, 8)
#define VIDIOC_ENUMSTD			_IOC(_IOC_READ | _IOC_WRITE, 'V', 25, 72)
#define VIDIOC_ENUMINPUT		_IOC(_IOC_READ | _IOC_WRITE, 'V', 26, 80)
#define VIDIOC_G_TUNER			_IOC(_IOC_READ | _IOC_WRITE, 'V', 29, 84)
#define VIDIOC_G_AUDIO			_IOC(_IOC_READ, 'V', 33, 52)
#define VIDIOC_G_INPUT			_IOC(_IOC_READ, 'V', 38, 4)
#define VIDIOC_G_OUTPUT			_IOC(_IOC_READ, 'V', 46, 4)
#define VIDIOC_G_AUDOUT			_IOC(_IOC_READ, 'V', 49, 52)
#define VIDIOC_G_MODULATOR		_IOC(_IOC_READ | _IOC_WRITE, 'V', 54, 68)
#define VIDIOC_G_FREQUENCY		_IOC(_IOC_READ | _IOC_WRITE, 'V', 56, 44)
#define VIDIOC_CROPCAP			_IOC(_IOC_READ | _IOC_WRITE, 'V', 58, 44)
#define VIDIOC_G_CROP			_IOC(_IOC_READ | _IOC_WRITE, 'V', 59, 20)
#define VIDIOC_G_JPEGCOMP		_IOC(_IOC_READ, 'V', 61, 140)
#define VIDIOC_ENUMAUDIO		_IOC(_IOC_READ | _IOC_WRITE, 'V', 65, 52)
#define VIDIOC_G_PRIORITY		_IOC(_IOC_READ, 'V', 67, 4)
#define VIDIOC_ENUM_FRAMESIZES		_IOC(_IOC_READ | _IOC_WRITE, 'V', 74, 44)
#define VIDIOC_ENUM_FRAMEINTERVALS	_IOC(_IOC_READ | _IOC_WRITE, 'V', 75, 52)
#define VIDIOC_G_DV_TIMINGS		_IOC(_IOC_READ | _IOC_WRITE, 'V', 88, 132)
#define VIDIOC_G_SELECTION		_IOC(_IOC_READ | _IOC_WRITE, 'V', 94, 64)
#define VIDIOC_ENUM_DV_TIMINGS		_IOC(_IOC_READ | _IOC_WRITE, 'V', 98, 148)
#define VIDIOC_DV_TIMINGS_CAP		_IOC(_IOC_READ | _IOC_WRITE, 'V', 100, 144)
#define VIDIOC_G_FMT32			_IOC(_IOC_READ | _IOC_WRITE, 'V', 4, 204)
#define VIDIOC_ENUMSTD32		_IOC(_IOC_READ | _IOC_WRITE, 'V', 25, 64)
#define VIDIOC_ENUMINPUT32		_IOC(_IOC_READ | _IOC_WRITE, 'V', 26, 76)

/* framegate.ko's kfuncs (module BTF); each one checks its pointer for NULL. */
extern __u64 bpf_fg_file_session(struct file *file) __ksym;
extern __u32 bpf_fg_file_camera(struct file *file) __ksym;
extern __u64 bpf_fg_files_other_session(__u64 session_id) __ksym;
extern __u64 bpf_fg_mm_other_session(__u64 session_id) __ksym;
extern void bpf_fg_session_denied(__u64 session_id, __u32 hook) __ksym;
extern void bpf_fg_camera_denied(__u32 camera_id, __u32 hook) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_CELLS_MAX);
	__type(key, __u64);			/* cgroup id of the cell */
	__type(value, struct fg_cell);
} cells SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_ENDPOINTS_MAX);
	__type(key, struct fg_endpoint);
	__type(value, __u8);
} endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_SOCKET_RULES_MAX);
	__type(key, struct fg_socket_rule);
	__type(value, __u8);
} socket_rules SEC(".maps");

/* Session states for egress, kept by the module (FG_IOC_BOARD). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FG_BOARD_SLOTS + 1);
	__type(key, __u32);
	__type(value, struct fg_board_slot);
} board SEC(".maps");

/* Where the cells are (bpf/cell.h), for userspace: never read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fg_config);
} cell_config SEC(".maps");

/* The cells' level in the hierarchy, set by the loader (bpf/cell.h). */
const volatile __u32 cell_level = FG_CELL_LEVEL;

/* The endpoints' epoch (bpf/cell.h): a loader changes it on a removal. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} epoch SEC(".maps");

/*
 * BPF_F_CLONE: a socket accept()ed from a labelled listener inherits it
 * (a cell cannot listen; a loader may hand it a listener).
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct fg_sock_label);
} sock_labels SEC(".maps");

/* The session of the cell with cgroup id cgid, 0 if there is none. */
static __always_inline __u64 cell_session(__u64 cgid)
{
	struct fg_cell *cell;

	if (!cgid)
		return 0;
	cell = bpf_map_lookup_elem(&cells, &cgid);
	return cell ? cell->session_id : 0;
}

/* The cgroup id of the current task's would-be cell (its cell_level ancestor). */
static __always_inline __u64 current_cell_id(void)
{
	return bpf_get_current_ancestor_cgroup_id(cell_level);
}

/* The session of the current task's cell, 0 if it is in none. */
static __always_inline __u64 current_session(void)
{
	return cell_session(current_cell_id());
}

/* The session of task's cell, 0 if it is in none. */
static __always_inline __u64 task_session(struct task_struct *task)
{
	struct cgroup *cgrp;

	if (!task)
		return 0;
	cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	if (!cgrp || BPF_CORE_READ(cgrp, level) < (int)cell_level)
		return 0;
	return cell_session(BPF_CORE_READ(cgrp, ancestors[cell_level], kn, id));
}

/* Count one refusal of hook on the acting cell, else on the object's. */
static __always_inline void denied(__u64 cur, __u64 object, __u32 hook)
{
	bpf_fg_session_denied(cur ? cur : object, hook);
}

/*
 * Cheap first looks, from the file itself, before the kfuncs that decide
 * (and read what they are given without faulting, slower): only a
 * character device of the video major can be an attached node, only a
 * file on the session filesystem a session's. Every ioctl, mmap and open
 * of the system passes here.
 */
static __always_inline bool maybe_video_node(struct file *file)
{
	struct inode *inode = file->f_inode;

	return (inode->i_mode & S_IFMT) == S_IFCHR &&
	       inode->i_rdev >> MINORBITS == VIDEO_MAJOR;
}

static __always_inline bool maybe_session_file(struct file *file)
{
	return file->f_inode->i_sb->s_magic == FG_SESSION_FS_MAGIC;
}

static __always_inline __u32 file_camera(struct file *file)
{
	return maybe_video_node(file) ? bpf_fg_file_camera(file) : 0;
}

/*
 * The session of a file on the session filesystem is its inode number
 * (uapi: st_ino), set when the module publishes the session, before the
 * fd_install() that gives anyone the file, and never changed; read
 * here directly, through the hook's own pointer. Only the module's arming
 * probe is asked about through the kfunc: that question is how the module
 * learns that the programs run.
 */
static __always_inline __u64 file_session(struct file *file)
{
	__u64 id;

	if (!maybe_session_file(file))
		return 0;
	id = file->f_inode->i_ino;
	if (id == FG_SESSION_ID_PROBE)
		return bpf_fg_file_session(file);
	return id;
}

/* A session fd (or its inode) used outside its cell: 0 or -EACCES. */
static __always_inline int check_session_file(struct file *file, __u32 hook)
{
	__u64 sid, cur;

	sid = file_session(file);
	if (!sid)
		return 0;
	/* The module's arming probe: refused, never counted. */
	if (sid == FG_SESSION_ID_PROBE)
		return -EACCES;
	cur = current_session();
	if (sid == cur)
		return 0;
	denied(cur, sid, hook);
	return -EACCES;
}

/*
 * Whether session sid may still send (active or lost), as the module keeps
 * it on the board: written before a revoke or close returns, and read here
 * without a call into the module. No board yet: nobody may.
 */
static __always_inline bool session_live(__u64 sid)
{
	struct fg_board_slot *slot;
	__u32 i = sid & (FG_BOARD_SLOTS - 1);

	slot = bpf_map_lookup_elem(&board, &i);
	/* The id, then the state: the module writes them the other way. */
	return slot && slot->session_id == sid &&
	       (slot->state == FG_SESSION_ACTIVE ||
		slot->state == FG_SESSION_LOST);
}

/*
 * Sending on sk from the current task (sendmsg, or a write to the socket
 * file): a. only from the cell the socket was created in, and only while
 * that session is active or lost, but for an AF_UNIX socket its loader
 * gave the cell (the worker's channel to its parent, whose peer the
 * loader chose): that one may carry a last word after the session ended,
 * a worker's final counters; b. never while the task maps a session other
 * than the socket's (or, for an unlabelled socket, its cell's). *curp is
 * set to the session of the task's cell (0: none).
 */
static __always_inline int check_send(struct sock *sk, __u64 *curp, __u32 hook)
{
	struct fg_sock_label *label;
	__u32 refused;
	__u64 cur;

	label = bpf_sk_storage_get(&sock_labels, sk, NULL, 0);
	if (label && label->cell_id == current_cell_id()) {
		/* A worker on a socket of its own cell: no cells map lookup. */
		*curp = cur = label->session_id;
		refused = session_live(cur) ||
			  ((label->flags & FG_LABEL_GIVEN) &&
			   sk->__sk_common.skc_family == AF_UNIX) ? 0 : hook;
		if (!refused && bpf_fg_mm_other_session(cur))
			refused = FG_HOOK_SEND_MAPPED;
		if (refused) {
			bpf_fg_session_denied(cur, refused);
			return -EACCES;
		}
		return 0;
	}
	*curp = cur = current_session();
	if (label) {
		denied(cur, label->session_id, hook);
		return -EACCES;
	}
	/*
	 * An unlabelled socket: nobody's outside the cells, but a cell may
	 * use only what it created or was given (created before the task
	 * entered the cell, accept()ed by the kernel for a peer, ...).
	 */
	if (cur) {
		bpf_fg_session_denied(cur, hook);
		return -EACCES;
	}
	return 0;
}

/*
 * From a cell, sk must be a socket of the task's own cell (one it created
 * or was given): 0, else counted as hook and -EACCES.
 */
static __always_inline int check_own_socket(struct sock *sk, __u32 hook)
{
	struct fg_sock_label *label;
	__u64 cell, cur;

	cell = current_cell_id();
	cur = cell_session(cell);
	if (!cur)
		return 0;
	label = sk ? bpf_sk_storage_get(&sock_labels, sk, NULL, 0) : NULL;
	if (label && label->cell_id == cell)
		return 0;
	bpf_fg_session_denied(cur, hook);
	return -EACCES;
}

/*
 * Any other use of sk from a cell (receiving, connecting, options, names,
 * shutdown): only a socket of the task's own cell, counted as socket.
 */
static __always_inline int check_use(struct sock *sk)
{
	return check_own_socket(sk, FG_HOOK_SOCKET);
}

/* From a cell: refused and counted as hook; elsewhere: allowed. */
static __always_inline int refuse_in_cell(__u32 hook)
{
	__u64 cur;

	cur = current_session();
	if (!cur)
		return 0;
	bpf_fg_session_denied(cur, hook);
	return -EACCES;
}

/*
 * The protocol the kernel gives a socket of (family, type, protocol):
 * what the socket_rules map is keyed with.
 */
static __always_inline __u32 socket_protocol(int family, int type,
					     int protocol)
{
	if ((family == AF_INET || family == AF_INET6) && !protocol) {
		if (type == SOCK_STREAM)
			return IPPROTO_TCP;
		if (type == SOCK_DGRAM)
			return IPPROTO_UDP;
	}
	/* PF_UNIX is AF_UNIX's protocol 0. */
	if (family == AF_UNIX && protocol == AF_UNIX)
		return 0;
	return protocol;
}

/* Whether the cell of session cur may create this kind of socket. */
static __always_inline bool socket_allowed(__u64 cur, int family, int type,
					   int protocol)
{
	struct fg_socket_rule rule = {};

	rule.session_id = cur;
	rule.family = family;
	rule.type = type & SOCK_TYPE_MASK;
	rule.protocol = socket_protocol(family, type & SOCK_TYPE_MASK,
					protocol);
	return bpf_map_lookup_elem(&socket_rules, &rule);
}

/*
 * The options TLS over TCP needs: buffer sizes, timeouts, keepalive,
 * Nagle, error reporting, v6only. Nothing that picks a route, a source
 * address, an interface, a header or a queueing class.
 */
static __always_inline bool sockopt_allowed(int level, int optname)
{
	switch (level) {
	case SOL_SOCKET:
		switch (optname) {
		case SO_SNDBUF:
		case SO_RCVBUF:
		case SO_KEEPALIVE:
		case SO_LINGER:
		case SO_RCVTIMEO_OLD:
		case SO_SNDTIMEO_OLD:
		case SO_RCVTIMEO_NEW:
		case SO_SNDTIMEO_NEW:
			return true;
		}
		return false;
	case SOL_TCP:
		switch (optname) {
		case TCP_NODELAY:
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
		case TCP_KEEPCNT:
		case TCP_USER_TIMEOUT:
			return true;
		}
		return false;
	case SOL_IP:
		return optname == IP_RECVERR;
	case SOL_IPV6:
		return optname == IPV6_RECVERR || optname == IPV6_V6ONLY;
	}
	return false;
}

/* fe80::/10: the address names a link, not a host. */
static __always_inline bool ipv6_link_local(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/*
 * The endpoint key of the destination at sa (a kernel copy of the caller's
 * address, len bytes), read as an IPv4 address when v4 and as IPv6
 * otherwise; an IPv4-mapped IPv6 address becomes IPv4, as in bpf/cell.h,
 * and a link-local one takes its scope (sin6_scope_id) as its interface.
 * 1: too short to name a destination (the kernel refuses the call itself);
 * 0: *key is filled; -EACCES: the address cannot be read.
 */
static __always_inline int endpoint_key(struct fg_endpoint *key, __u64 session,
					const void *sa, int len, bool v4)
{
	struct sockaddr_in6 sin6 = {};
	struct sockaddr_in sin = {};

	key->session_id = session;
	if (v4) {
		if (len < (int)sizeof(sin))
			return 1;
		if (bpf_probe_read_kernel(&sin, sizeof(sin), sa))
			return -EACCES;
		key->family = AF_INET;
		key->port = sin.sin_port;
		__builtin_memcpy(key->addr, &sin.sin_addr, 4);
		return 0;
	}
	if (len < SIN6_LEN_RFC2133)
		return 1;
	if (len >= (int)sizeof(sin6)) {
		if (bpf_probe_read_kernel(&sin6, sizeof(sin6), sa))
			return -EACCES;
	} else if (bpf_probe_read_kernel(&sin6, SIN6_LEN_RFC2133, sa)) {
		return -EACCES;
	}
	key->port = sin6.sin6_port;
	/* ::ffff:a.b.c.d is a.b.c.d */
	if (sin6.sin6_addr.in6_u.u6_addr32[0] == 0 &&
	    sin6.sin6_addr.in6_u.u6_addr32[1] == 0 &&
	    sin6.sin6_addr.in6_u.u6_addr32[2] == bpf_htonl(0xffff)) {
		key->family = AF_INET;
		__builtin_memcpy(key->addr, &sin6.sin6_addr.in6_u.u6_addr32[3], 4);
		return 0;
	}
	key->family = AF_INET6;
	__builtin_memcpy(key->addr, &sin6.sin6_addr, 16);
	if (ipv6_link_local(key->addr))
		key->ifindex = sin6.sin6_scope_id;
	return 0;
}

/* The cell of session cur may reach sa: 0, else counted and -EACCES. */
static __always_inline int check_destination(__u64 cur, const void *sa, int len,
					     bool v4)
{
	struct fg_endpoint key = {};
	int ret;

	ret = endpoint_key(&key, cur, sa, len, v4);
	if (ret > 0)
		return 0;
	if (!ret && bpf_map_lookup_elem(&endpoints, &key))
		return 0;
	bpf_fg_session_denied(cur, FG_HOOK_CONNECT);
	return -EACCES;
}

/* One of the ioctls above, in the 64-bit or (compat) the 32-bit layout. */
static __always_inline bool v4l2_operator_ioctl(unsigned int cmd, bool compat)
{
	switch (cmd) {
	case VIDIOC_QUERYCAP:
	case VIDIOC_QUERYCTRL:
	case VIDIOC_QUERY_EXT_CTRL:
	case VIDIOC_QUERYMENU:
	case VIDIOC_G_CTRL:
	case VIDIOC_S_CTRL:
	case VIDIOC_G_EXT_CTRLS:
	case VIDIOC_S_EXT_CTRLS:
	case VIDIOC_TRY_EXT_CTRLS:
	case VIDIOC_SUBSCRIBE_EVENT:
	case VIDIOC_UNSUBSCRIBE_EVENT:
	case VIDIOC_DQEVENT:
	case VIDIOC_LOG_STATUS:
	case VIDIOC_ENUM_FMT:
	case VIDIOC_G_FMT:
	case VIDIOC_G_PARM:
	case VIDIOC_G_STD:
	case VIDIOC_ENUMSTD:
	case VIDIOC_ENUMINPUT:
	case VIDIOC_G_TUNER:
	case VIDIOC_G_AUDIO:
	case VIDIOC_G_INPUT:
	case VIDIOC_G_OUTPUT:
	case VIDIOC_G_AUDOUT:
	case VIDIOC_G_MODULATOR:
	case VIDIOC_G_FREQUENCY:
	case VIDIOC_CROPCAP:
	case VIDIOC_G_CROP:
	case VIDIOC_G_JPEGCOMP:
	case VIDIOC_ENUMAUDIO:
	case VIDIOC_G_PRIORITY:
	case VIDIOC_ENUM_FRAMESIZES:
	case VIDIOC_ENUM_FRAMEINTERVALS:
	case VIDIOC_G_DV_TIMINGS:
	case VIDIOC_G_SELECTION:
	case VIDIOC_ENUM_DV_TIMINGS:
	case VIDIOC_DV_TIMINGS_CAP:
		return true;
	}
	if (!compat)
		return false;
	switch (cmd) {
	case VIDIOC_G_EXT_CTRLS32:
	case VIDIOC_S_EXT_CTRLS32:
	case VIDIOC_TRY_EXT_CTRLS32:
	case VIDIOC_DQEVENT32:
	case VIDIOC_DQEVENT32_TIME32:
	case VIDIOC_G_FMT32:
	case VIDIOC_ENUMSTD32:
	case VIDIOC_ENUMINPUT32:
		return true;
	}
	return false;
}

static __always_inline int check_ioctl(struct file *file, unsigned int cmd,
				       bool compat)
{
	__u32 cam;

	/* SIGIO to a task of another cell: see file_fcntl. */
	if (cmd == FIOSETOWN || cmd == SIOCSPGRP)
		return refuse_in_cell(FG_HOOK_CHANNEL);

	/*
	 * Another file of an attached node: controls and queries, outside
	 * the cells only (a file opened before its task entered a cell, or
	 * passed into one, gives the cell nothing).
	 */
	cam = file_camera(file);
	if (cam) {
		if (v4l2_operator_ioctl(cmd, compat) && !current_session())
			return 0;
		bpf_fg_camera_denied(cam, FG_HOOK_IOCTL);
		return -EACCES;
	}
	/* A session fd: only in its cell (this refuses the arming probe). */
	return check_session_file(file, FG_HOOK_IOCTL);
}

/*
 * What file_open refuses in a cell besides session files: cgroupfs files
 * opened for writing (cgroup.procs moves tasks out of the cell), POSIX
 * message queues, memory devices and /proc/kcore. 0 or -EACCES, counted
 * as channel.
 */
static __always_inline int check_cell_open(struct file *file, __u64 cur)
{
	struct inode *inode = file->f_inode;
	struct dentry *dentry;
	unsigned long magic;
	char name[8] = {};
	__u32 rdev, minor;

	magic = inode->i_sb->s_magic;
	if ((magic == CGROUP2_SUPER_MAGIC || magic == CGROUP_SUPER_MAGIC) &&
	    (file->f_mode & FMODE_WRITE))
		goto refuse;
	/* POSIX message queues: named, shared by uid, across cells. */
	if (magic == MQUEUE_MAGIC)
		goto refuse;
	if ((inode->i_mode & S_IFMT) == S_IFCHR) {
		rdev = inode->i_rdev;
		minor = rdev & ((1U << MINORBITS) - 1);
		if (rdev >> MINORBITS == MEM_MAJOR &&
		    (minor == DEV_MEM_MINOR || minor == DEV_KMEM_MINOR ||
		     minor == DEV_PORT_MINOR))
			goto refuse;
		return 0;
	}
	if (magic == PROC_SUPER_MAGIC) {
		dentry = file->f_path.dentry;
		if (dentry->d_parent != inode->i_sb->s_root)
			return 0;
		if (bpf_probe_read_kernel_str(name, sizeof(name),
					      dentry->d_name.name) == 6 &&
		    name[0] == 'k' && name[1] == 'c' && name[2] == 'o' &&
		    name[3] == 'r' && name[4] == 'e')
			goto refuse;
	}
	return 0;
refuse:
	bpf_fg_session_denied(cur, FG_HOOK_CHANNEL);
	return -EACCES;
}

SEC("lsm/file_open")
int BPF_PROG(file_open, struct file *file)
{
	__u64 cur;
	__u32 cam;
	int ret;

	/*
	 * An attached V4L2 node: opened outside the cells, for its controls
	 * (file_ioctl, mmap_file and file_permission refuse the rest, root
	 * included); never from a cell, and by nobody while it is being
	 * attached (its buffers are being allocated).
	 */
	cam = file_camera(file);
	if (cam) {
		if (cam != FG_CAMERA_ID_SETUP && !current_session())
			return 0;
		bpf_fg_camera_denied(cam, FG_HOOK_OPEN);
		return -EACCES;
	}
	/* A session's inode (/proc/PID/fd/N): only in its cell. */
	ret = check_session_file(file, FG_HOOK_OPEN);
	if (ret)
		return ret;
	cur = current_session();
	return cur ? check_cell_open(file, cur) : 0;
}

/* SCM_RIGHTS and pidfd_getfd(). */
SEC("lsm/file_receive")
int BPF_PROG(file_receive, struct file *file)
{
	return check_session_file(file, FG_HOOK_RECEIVE);
}

SEC("lsm/mmap_file")
int BPF_PROG(mmap_file, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags)
{
	__u32 cam;

	/* Anonymous memory. */
	if (!file)
		return 0;
	/* vb2 does not check the owner on mmap(): refuse it here. */
	cam = file_camera(file);
	if (cam) {
		bpf_fg_camera_denied(cam, FG_HOOK_MMAP);
		return -EACCES;
	}
	return check_session_file(file, FG_HOOK_MMAP);
}

SEC("lsm/file_ioctl")
int BPF_PROG(file_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	return check_ioctl(file, cmd, false);
}

/* 32-bit ioctl(2): the same rule, or a 32-bit process would bypass it. */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(ioctl_compat, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	return check_ioctl(file, cmd, true);
}

/*
 * ptrace, /proc/PID/{mem,fd,environ,...}, process_vm_readv(), pidfd_getfd()
 * of a task in a cell, from anywhere else. ps(1) probes with NOAUDIT:
 * refused, but not counted.
 */
SEC("lsm/ptrace_access_check")
int BPF_PROG(ptrace_access, struct task_struct *child, unsigned int mode)
{
	__u64 target, cur;

	target = task_session(child);
	if (!target)
		return 0;
	cur = current_session();
	if (target == cur)
		return 0;
	if (!(mode & PTRACE_MODE_NOAUDIT))
		denied(cur, target, FG_HOOK_PTRACE);
	return -EPERM;
}

/*
 * From a cell, something towards task: only a task of the same cell.
 * 0, else counted as hook and -EPERM.
 */
static __always_inline int check_same_cell(struct task_struct *task,
					   __u32 hook)
{
	__u64 cur;

	cur = current_session();
	if (!cur || task_session(task) == cur)
		return 0;
	bpf_fg_session_denied(cur, hook);
	return -EPERM;
}

/* PTRACE_TRACEME from a cell: only under a tracer of the same cell. */
SEC("lsm/ptrace_traceme")
int BPF_PROG(ptrace_traceme, struct task_struct *parent)
{
	return check_same_cell(parent, FG_HOOK_PTRACE);
}

/* What a cell may create: its policy's (family, type, protocol) only. */
SEC("lsm/socket_create")
int BPF_PROG(socket_create, int family, int type, int protocol, int kern)
{
	__u64 cur;

	if (kern)
		return 0;
	cur = current_session();
	if (!cur || socket_allowed(cur, family, type, protocol))
		return 0;
	bpf_fg_session_denied(cur, FG_HOOK_SOCKET);
	return -EACCES;
}

/*
 * Label every socket a cell creates with its session, once the kernel
 * has resolved its protocol: an IP socket must have the protocol its rule
 * names (socket_create saw only what the caller asked for).
 */
SEC("lsm/socket_post_create")
int BPF_PROG(socket_label, struct socket *sock, int family, int type,
	     int protocol, int kern)
{
	struct fg_sock_label *label;
	struct sock *sk;
	__u64 cell, cur;

	if (kern)
		return 0;
	cell = current_cell_id();
	cur = cell_session(cell);
	if (!cur)
		return 0;
	sk = sock->sk;
	if (!sk)
		return 0;
	if ((family == AF_INET || family == AF_INET6) &&
	    sk->sk_protocol != socket_protocol(family, type, protocol)) {
		bpf_fg_session_denied(cur, FG_HOOK_SOCKET);
		return -EACCES;
	}
	/* Create the socket's storage; without a label it may not exist. */
	label = bpf_sk_storage_get(&sock_labels, sk, NULL,
				   BPF_SK_STORAGE_GET_F_CREATE);
	if (!label)
		return -ENOMEM;
	label->session_id = cur;
	label->cell_id = cell;
	return 0;
}

/* A worker only dials out: no names, no listening, nothing to accept. */
SEC("lsm/socket_bind")
int BPF_PROG(socket_bind, struct socket *sock, struct sockaddr *address,
	     int addrlen)
{
	return refuse_in_cell(FG_HOOK_SOCKET);
}

SEC("lsm/socket_listen")
int BPF_PROG(socket_listen, struct socket *sock, int backlog)
{
	return refuse_in_cell(FG_HOOK_SOCKET);
}

SEC("lsm/socket_accept")
int BPF_PROG(socket_accept, struct socket *sock, struct socket *newsock)
{
	return refuse_in_cell(FG_HOOK_SOCKET);
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	__u16 family, sa_family;
	struct sock *sk;
	void *name;
	__u64 cur;
	int len, ret;

	sk = sock->sk;
	if (!sk)
		return 0;
	ret = check_send(sk, &cur, FG_HOOK_SENDMSG);
	if (ret || !cur)
		return ret;
	family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	/* Ancillary data sets per-call options (routing headers, source
	 * addresses, hop limits, ...): none on an IP socket of a cell.
	 */
	if (msg->msg_controllen) {
		bpf_fg_session_denied(cur, FG_HOOK_SOCKOPT);
		return -EACCES;
	}
	/* c. An explicit destination (sendto, TCP fast open): an endpoint. */
	name = msg->msg_name;
	len = msg->msg_namelen;
	if (!name || len <= 0)
		return 0;
	/*
	 * TCP ignores the address once connected; before, it is a fast-open
	 * connect that socket_connect never sees.
	 */
	if (sk->sk_protocol == IPPROTO_TCP &&
	    sk->__sk_common.skc_state != TCP_CLOSE)
		return 0;
	/*
	 * IPv4 sockets take any family as IPv4 (UDP sends to AF_UNSPEC too);
	 * IPv6 sockets send AF_INET as IPv4, and AF_UNSPEC to the connected
	 * address (checked at connect), or nowhere.
	 */
	if (family == AF_INET6 && len >= (int)sizeof(sa_family)) {
		if (bpf_probe_read_kernel(&sa_family, sizeof(sa_family), name)) {
			bpf_fg_session_denied(cur, FG_HOOK_CONNECT);
			return -EACCES;
		}
		if (sa_family == AF_UNSPEC)
			return 0;
		return check_destination(cur, name, len, sa_family == AF_INET);
	}
	return check_destination(cur, name, len, true);
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(socket_recvmsg, struct socket *sock, struct msghdr *msg,
	     int size, int flags)
{
	return check_use(sock->sk);
}

/*
 * Runs for every read and write on the system: leave early, and ask the
 * module only about the files of video nodes.
 *
 * read(), write() and their variants (readv, splice, sendfile, io_uring)
 * of another file of an attached node: refused, root included. vb2 would
 * refuse a read() too (-EBUSY: framegate owns the queue), but the cells
 * are default-deny and every refusal is counted.
 *
 * read(), write(), writev(), sendfile(), splice(), io_uring read or write
 * on a socket: for writes the sendmsg rules a. and b., refused here before
 * socket_sendmsg sees them; for reads check_use().
 */
SEC("lsm/file_permission")
int BPF_PROG(file_permission, struct file *file, int mask)
{
	struct inode *inode = file->f_inode;
	struct socket *sock;
	umode_t mode = inode->i_mode & S_IFMT;
	struct sock *sk;
	__u32 cam;
	__u64 cur;

	if (mode == S_IFCHR) {
		if ((inode->i_rdev >> MINORBITS) != VIDEO_MAJOR ||
		    !(mask & (MAY_READ | MAY_WRITE)))
			return 0;
		cam = file_camera(file);
		if (!cam)
			return 0;
		bpf_fg_camera_denied(cam, FG_HOOK_READ);
		return -EACCES;
	}
	if (mode != S_IFSOCK)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = sock->sk;
	if (!sk)
		return 0;
	if (mask & MAY_WRITE)
		return check_send(sk, &cur, FG_HOOK_WRITE);
	return check_use(sk);
}

/* From a cell, IPv4 and IPv6 only to the session's endpoints. */
SEC("lsm/socket_connect")
int BPF_PROG(socket_connect, struct socket *sock, struct sockaddr *address,
	     int addrlen)
{
	__u16 family;
	__u64 cur;
	int ret;

	ret = check_use(sock->sk);
	if (ret)
		return ret;
	cur = current_session();
	if (!cur || addrlen < (int)sizeof(family))
		return 0;
	/* AF_UNSPEC disconnects; AF_UNIX is unix_stream_connect's. */
	family = address->sa_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	return check_destination(cur, address, addrlen, family == AF_INET);
}

SEC("lsm/socket_setsockopt")
int BPF_PROG(setsockopt, struct socket *sock, int level, int optname)
{
	__u64 cur;
	int ret;

	ret = check_use(sock->sk);
	if (ret)
		return ret;
	cur = current_session();
	if (!cur || sockopt_allowed(level, optname))
		return 0;
	bpf_fg_session_denied(cur, FG_HOOK_SOCKOPT);
	return -EACCES;
}

SEC("lsm/socket_getsockopt")
int BPF_PROG(getsockopt, struct socket *sock, int level, int optname)
{
	return check_use(sock->sk);
}

SEC("lsm/socket_shutdown")
int BPF_PROG(socket_shutdown, struct socket *sock, int how)
{
	return check_use(sock->sk);
}

SEC("lsm/socket_getsockname")
int BPF_PROG(getsockname, struct socket *sock)
{
	return check_use(sock->sk);
}

SEC("lsm/socket_getpeername")
int BPF_PROG(getpeername, struct socket *sock)
{
	return check_use(sock->sk);
}

/*
 * AF_UNIX from a cell: only to a socket of the same cell (the other end of
 * its own socketpair, a socket its loader gave it); never to one outside.
 */
static __always_inline int check_unix_peer(struct sock *peer_sk)
{
	return check_own_socket(peer_sk, FG_HOOK_UNIX);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(unix_connect, struct sock *sock, struct sock *other,
	     struct sock *newsk)
{
	return check_unix_peer(other);
}

/* Datagrams, connected or not. */
SEC("lsm/unix_may_send")
int BPF_PROG(unix_may_send, struct socket *sock, struct socket *other)
{
	return check_unix_peer(other ? other->sk : NULL);
}

/* ---- kernel channels that are not sockets ---------------------------- */

/*
 * Keyrings: a key added in one cell can be searched for and read in
 * another of the same uid. A worker needs none.
 */
SEC("lsm/key_alloc")
int BPF_PROG(key_alloc, struct key *key, const struct cred *cred,
	     unsigned long flags)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

SEC("lsm/key_permission")
int BPF_PROG(key_permission, key_ref_t key_ref, const struct cred *cred,
	     enum key_need_perm need_perm)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

/* bpf(): maps are shared memory; the pinned ones are the policy. */
SEC("lsm/bpf")
int BPF_PROG(bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

SEC("lsm/perf_event_open")
int BPF_PROG(perf_event_open, struct perf_event_attr *attr, int type)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

/* A user namespace would make the worker root of new namespaces. */
SEC("lsm/userns_create")
int BPF_PROG(userns_create, const struct cred *cred)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

/* Signals carry bits: only to tasks of the same cell. */
SEC("lsm/task_kill")
int BPF_PROG(task_kill, struct task_struct *p, struct kernel_siginfo *info,
	     int sig, const struct cred *cred)
{
	return check_same_cell(p, FG_HOOK_CHANNEL);
}

/*
 * F_SETOWN and its kin: I/O on a cell's file would signal (SIGIO, or any
 * signal F_SETSIG picks) a task the cell names, in another cell or none;
 * task_kill does not see those signals. A worker needs none.
 */
SEC("lsm/file_fcntl")
int BPF_PROG(file_fcntl, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (cmd != F_SETOWN && cmd != F_SETOWN_EX && cmd != F_SETSIG)
		return 0;
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

/* clone3(CLONE_INTO_CGROUP) would start a child outside the cell. */
SEC("lsm/task_alloc")
int BPF_PROG(task_alloc, struct task_struct *task, unsigned long clone_flags)
{
	if (!(clone_flags & CLONE_INTO_CGROUP))
		return 0;
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

SEC("lsm/sb_mount")
int BPF_PROG(sb_mount, const char *dev_name, const struct path *path,
	     const char *type, unsigned long flags, void *data)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

/* No module loads on a cell's behalf (socket families, line disciplines). */
SEC("lsm/kernel_module_request")
int BPF_PROG(module_request, char *kmod_name)
{
	return refuse_in_cell(FG_HOOK_CHANNEL);
}

/*
 * An exec in a cell with another session's fd in the file table: the fd
 * got there by inheritance, which file_receive does not see. Refused
 * before the new program runs. fstat() and poll() of such an fd have no
 * hook (session inodes are S_PRIVATE, which security_inode_getattr()
 * skips): exec is where a worker starts, with nothing but its own fd.
 */
SEC("lsm/bprm_check_security")
int BPF_PROG(bprm_check, struct linux_binprm *bprm)
{
	__u64 cur, other;

	cur = current_session();
	if (!cur)
		return 0;
	other = bpf_fg_files_other_session(cur);
	if (!other)
		return 0;
	bpf_fg_session_denied(cur, FG_HOOK_RECEIVE);
	return -EACCES;
}

/* A cell has no SysV IPC at all: refuse it the objects and their creation. */
static __always_inline int check_ipc(void)
{
	__u64 cur;

	cur = current_session();
	if (!cur)
		return 0;
	bpf_fg_session_denied(cur, FG_HOOK_IPC);
	return -EACCES;
}

SEC("lsm/ipc_permission")
int BPF_PROG(ipc_permission, struct kern_ipc_perm *ipcp, short flag)
{
	return check_ipc();
}

SEC("lsm/msg_queue_alloc_security")
int BPF_PROG(msg_queue_alloc, struct kern_ipc_perm *perm)
{
	return check_ipc();
}

SEC("lsm/shm_alloc_security")
int BPF_PROG(shm_alloc, struct kern_ipc_perm *perm)
{
	return check_ipc();
}

SEC("lsm/sem_alloc_security")
int BPF_PROG(sem_alloc, struct kern_ipc_perm *perm)
{
	return check_ipc();
}

/* ---- packets: where no syscall path can skip the check ---------------- */

/* Counts a dropped packet on session sid's slot, or on the last one. */
static __always_inline int egress_drop(__u64 sid)
{
	struct fg_board_slot *slot = NULL;
	__u32 i;

	if (sid) {
		i = sid & (FG_BOARD_SLOTS - 1);
		slot = bpf_map_lookup_elem(&board, &i);
		if (slot && slot->session_id != sid)
			slot = NULL;
	}
	if (!slot) {
		i = FG_BOARD_SLOTS;
		slot = bpf_map_lookup_elem(&board, &i);
	}
	if (slot)
		__sync_fetch_and_add(&slot->egress_denied, 1);
	return CG_DROP;
}

/*
 * Whether key (filled but for its session id's part, which is the label's)
 * is one of the session's endpoints. A socket sends to the same place
 * packet after packet: the label remembers the last destination the map
 * had, under the epoch read before that lookup, and while the epoch stays
 * the same the 32-byte hash lookup is a compare of three words.
 */
static __always_inline bool egress_to_endpoint(struct fg_sock_label *label,
					       struct fg_endpoint *key)
{
	const __u64 *k = (const __u64 *)key + 1;
	__u64 *ep, now;
	__u32 zero = 0;
	bool hit;

	ep = bpf_map_lookup_elem(&epoch, &zero);
	if (!ep)
		return false;
	now = *ep;
	bpf_spin_lock(&label->lock);
	hit = now && label->passed_epoch == now && label->passed[0] == k[0] &&
	      label->passed[1] == k[1] && label->passed[2] == k[2];
	bpf_spin_unlock(&label->lock);
	if (hit)
		return true;
	if (!bpf_map_lookup_elem(&endpoints, key))
		return false;
	bpf_spin_lock(&label->lock);
	label->passed_epoch = now;
	label->passed[0] = k[0];
	label->passed[1] = k[1];
	label->passed[2] = k[2];
	bpf_spin_unlock(&label->lock);
	return true;
}

/*
 * Every IP packet of a cell's socket as it leaves: the socket's session
 * is active or lost (the module's word, on the board) or the packet
 * carries no payload, and the packet's real destination (address, port,
 * and for a link-local address the interface it leaves by) is one of the
 * session's endpoints. Only plain TCP and UDP: no IPv4 options, no IPv6
 * extension headers, no fragments.
 */
SEC("cgroup_skb/egress")
int egress(struct __sk_buff *skb)
{
	struct fg_endpoint key = {};
	struct fg_sock_label *label;
	void *data, *data_end;
	struct bpf_sock *sk;
	__u32 l4, len;
	__u16 dport;
	__u64 sid;
	__u8 proto;
	bool live;

	sk = skb->sk;
	if (!sk)
		return CG_PASS;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return CG_PASS;
	/* A socket in a cell's cgroup that the cell did not label: none. */
	label = bpf_sk_storage_get(&sock_labels, sk, NULL, 0);
	if (!label)
		return egress_drop(0);
	sid = label->session_id;
	live = session_live(sid);

	key.session_id = sid;
	/* Direct reads: the headers of a local packet are in its head. */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > data_end || ip->version != 4 ||
		    ip->ihl != 5 || (ip->frag_off & bpf_htons(IP_MF_OFFSET)) ||
		    (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
			return egress_drop(sid);
		key.family = AF_INET;
		__builtin_memcpy(key.addr, &ip->daddr, 4);
		l4 = sizeof(*ip);
		proto = ip->protocol;
		len = bpf_ntohs(ip->tot_len);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6 ||
		    (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP))
			return egress_drop(sid);
		key.family = AF_INET6;
		__builtin_memcpy(key.addr, &ip6->daddr, 16);
		if (ipv6_link_local(key.addr))
			key.ifindex = skb->ifindex;
		l4 = sizeof(*ip6);
		proto = ip6->nexthdr;
		len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	} else {
		return egress_drop(sid);
	}
	/*
	 * The destination port; and a session that ended sends nothing it
	 * wrote: only TCP segments without payload (the kernel's ACK, FIN,
	 * RST of the teardown) pass, to where the session was allowed to go.
	 */
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = data + l4;

		if ((void *)(th + 1) > data_end ||
		    (!live && len != l4 + th->doff * 4))
			return egress_drop(sid);
		dport = th->dest;
	} else {
		struct udphdr *uh = data + l4;

		if ((void *)(uh + 1) > data_end || !live)
			return egress_drop(sid);
		dport = uh->dest;
	}
	key.port = dport;
	return egress_to_endpoint(label, &key) ? CG_PASS : egress_drop(sid);
}
