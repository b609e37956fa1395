/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * framegate cells: the policy maps shared by bpf/cell.bpf.c and the loader
 * (daemon/enforce.c). No kernel or libc includes: the BPF side gets __u64
 * and friends from vmlinux.h, userspace from <linux/types.h>.
 *
 * A cell is a cgroup v2 directory FG_CELL_ROOT/session-<id>, at level
 * FG_CELL_LEVEL of the hierarchy (the root is level 0), in which the worker
 * of one session runs. A task is in a cell when its cgroup, or one of its
 * ancestors, is at that level and listed in the cells map; everything below
 * a cell belongs to it.
 *
 * Everything lives in FG_PIN_DIR so that enforcement outlives the process
 * that loaded it, and a later loader adopts it instead of loading twice:
 *   FG_PIN_DIR/cells        hash: cgroup id (__u64) -> struct fg_cell
 *   FG_PIN_DIR/endpoints    hash: struct fg_endpoint -> __u8 (1)
 *   FG_PIN_DIR/sock_labels  sk_storage: struct fg_sock_label
 *   FG_PIN_DIR/link_<prog>  one BPF link per program of cell.bpf.c
 */
#ifndef _FG_BPF_CELL_H
#define _FG_BPF_CELL_H

#define FG_PIN_DIR		"/sys/fs/bpf/framegate"
#define FG_CELL_ROOT		"/sys/fs/cgroup/framegate"
#define FG_CELL_LEVEL		2
#define FG_CELLS_MAX		1024
#define FG_ENDPOINTS_MAX	4096

/* Value of the cells map. */
struct fg_cell {
	__u64 session_id;	/* the one session whose worker runs here */
};

/*
 * Key of the endpoints map: a session's allowed uplink destination. An
 * IPv4 address (and an IPv4-mapped IPv6 address, ::ffff:a.b.c.d) is stored
 * as family AF_INET with the address in addr[0..3] and the rest zero.
 */
struct fg_endpoint {
	__u64 session_id;
	__u32 family;		/* AF_INET (2) or AF_INET6 (10) */
	__u16 port;		/* network byte order */
	__u16 pad;		/* 0 */
	__u8 addr[16];		/* network byte order */
};

/*
 * Socket label, stored in sk_storage when a task in a cell creates it. The
 * cell's cgroup id lets a send from that cell find its session without a
 * lookup in the cells map: cgroup ids are never reused, and a cell's
 * session never changes while its cgroup exists.
 */
struct fg_sock_label {
	__u64 session_id;
	__u64 cell_id;		/* cgroup id of the cell */
};

#endif /* _FG_BPF_CELL_H */
