/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * framegate cells: the policy maps shared by bpf/cell.bpf.c and the loader
 * (daemon/lib/enforce.c). No kernel or libc includes: the BPF side gets
 * __u64 and friends from vmlinux.h, userspace from <linux/bpf.h> (struct
 * bpf_spin_lock too).
 *
 * A cell is a cgroup v2 directory <cell root>/session-<id> in which the
 * worker of one session runs. The cell root is FG_CELL_ROOT unless the
 * loader chose another (a daemon's delegated cgroup); the cells are one
 * level below it, the program's cell_level (FG_CELL_LEVEL for the default
 * root; the hierarchy's root is level 0). A task is in a cell when its
 * cgroup, or one of its ancestors, is at that level and listed in the
 * cells map; everything below a cell belongs to it.
 *
 * Everything lives in FG_PIN_DIR so that enforcement outlives the process
 * that loaded it, and a later loader adopts it instead of loading twice:
 *   FG_PIN_DIR/cells        hash: cgroup id (__u64) -> struct fg_cell
 *   FG_PIN_DIR/endpoints    hash: struct fg_endpoint -> __u8 (1)
 *   FG_PIN_DIR/socket_rules hash: struct fg_socket_rule -> __u8 (1)
 *   FG_PIN_DIR/sock_labels  sk_storage: struct fg_sock_label
 *   FG_PIN_DIR/epoch        array, 1 entry: __u64, nonzero, changed (to a
 *                           random value) after an endpoint is removed
 *   FG_PIN_DIR/cell_config  array, 1 entry: struct fg_config, written once
 *                           by the loader: where the cells are
 *   FG_PIN_DIR/link_<prog>  one BPF link per program of cell.bpf.c
 */
#ifndef _FG_BPF_CELL_H
#define _FG_BPF_CELL_H

#define FG_PIN_DIR		"/sys/fs/bpf/framegate"
#define FG_CELL_ROOT		"/sys/fs/cgroup/framegate"	/* default */
#define FG_CELL_LEVEL		2	/* of the cells under FG_CELL_ROOT */
#define FG_CELL_ROOT_MAX	256	/* a cell root's path, NUL included */
#define FG_CELLS_MAX		1024
#define FG_ENDPOINTS_MAX	4096
#define FG_SOCKET_RULES_MAX	(FG_CELLS_MAX * 8)

/*
 * Value of the config map: the cell root the programs were loaded for, so
 * that a process adopting them finds the cells. The programs themselves
 * carry the level (rodata) and do not read it.
 */
struct fg_config {
	__u32 cell_level;		/* the cells' level: the root's + 1 */
	__u32 reserved;
	__u64 root_id;			/* the cell root's cgroup id */
	char  cell_root[FG_CELL_ROOT_MAX];	/* its path, NUL-terminated */
};

/* Value of the cells map. */
struct fg_cell {
	__u64 session_id;	/* the one session whose worker runs here */
};

/*
 * Key of the endpoints map: a session's allowed uplink destination. An
 * IPv4 address (and an IPv4-mapped IPv6 address, ::ffff:a.b.c.d) is stored
 * as family AF_INET with the address in addr[0..3] and the rest zero.
 *
 * ifindex is the interface the destination must be reached through: 0 for
 * any, which only an address that is not IPv6 link-local may have; a
 * link-local address (fe80::/10) names its link (sin6_scope_id), and the
 * same address on another link is another destination.
 */
struct fg_endpoint {
	__u64 session_id;
	__u16 family;		/* AF_INET (2) or AF_INET6 (10) */
	__u16 port;		/* network byte order */
	__u32 ifindex;
	__u8 addr[16];		/* network byte order */
};

/*
 * Key of the socket_rules map: a kind of socket the cell of a session may
 * create. type has no SOCK_NONBLOCK or SOCK_CLOEXEC bits; protocol is the
 * one the kernel resolves to: IPPROTO_TCP (not 0) for an IPv4 or IPv6
 * stream socket, IPPROTO_UDP for a datagram socket, 0 for AF_UNIX.
 */
struct fg_socket_rule {
	__u64 session_id;
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 pad;		/* 0 */
};

/*
 * Socket label, stored in sk_storage when a task in a cell creates it. The
 * cell's cgroup id lets a send from that cell find its session without a
 * lookup in the cells map: cgroup ids are never reused, and a cell's
 * session never changes while its cgroup exists.
 */
/* The loader gave the socket to the cell (fg_cell_give_socket()). */
#define FG_LABEL_GIVEN		(1u << 0)

struct fg_sock_label {
	__u64 session_id;
	__u64 cell_id;		/* cgroup id of the cell */
	/*
	 * The packet filter's memory, under lock: the last destination of
	 * this socket it found in the endpoints map (an fg_endpoint without
	 * its session id: family, port, ifindex, addr), and the epoch map's
	 * value read before that lookup. It holds while the epoch is the
	 * same; a loader changes the epoch after it removes an endpoint.
	 * Zero (no epoch is zero) holds nothing.
	 */
	struct bpf_spin_lock lock;
	__u32 flags;		/* FG_LABEL_*, set by the loader */
	__u64 passed_epoch;
	__u64 passed[3];
};

#endif /* _FG_BPF_CELL_H */
