/* SPDX-License-Identifier: MIT */
/*
 * Enforcement: loading the cell programs (bpf/cell.bpf.c) and managing the
 * cells and endpoints they enforce. Part of libframegate; link with
 * $(pkg-config --libs libbpf) as well as libnl.
 *
 * Everything is pinned under FG_PIN_DIR (bpf/cell.h), so that enforcement
 * outlives the process that loaded it. fg_enforcer_open() adopts what is
 * pinned there, or loads, attaches and pins the programs when nothing is.
 * Every function returns 0 or a negative errno and leaves no partial state
 * behind on failure.
 *
 * Process-wide state: while fg_enforcer_open() and fg_enforcer_pins()
 * run, libbpf's print function (libbpf_set_print()) is the library's own,
 * collecting libbpf's messages in one static buffer; the caller's is put
 * back before they return. Do not call them from two threads at once, nor
 * while another thread uses libbpf.
 */
#ifndef FG_ENFORCE_H
#define FG_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct fg_enforcer;

/*
 * The cell maps' writer lock. Whoever changes enforcement (start, stop),
 * cells, endpoints or socket rules holds it, so that one process at a
 * time does: framegated for as long as it runs, framegatectl for one
 * change. An flock(2) of FG_WRITER_LOCK (created, mode 0600), held by
 * the returned descriptor (close-on-exec) until it is closed or its
 * process exits, however that happens. The library's own calls do not
 * take it: a program that writes takes it first.
 * A descriptor, or -EBUSY when another process holds the lock, or -errno.
 */
#define FG_WRITER_LOCK	"/run/framegate.lock"
int fg_writer_lock(void);

/*
 * Adopts the pinned programs and maps, or loads, attaches and pins them
 * (mounting bpffs on /sys/fs/bpf if needed). A pinned set that is
 * incomplete (a loader died mid-pin) or not this build's is replaced,
 * keeping its cells and endpoints. -ENOENT if the kernel has no BPF LSM,
 * -EOPNOTSUPP if framegate.ko's kfuncs are not registered; both, and other
 * load failures, are explained to the log function (fg_set_log()).
 * Loaders in several processes serialise; none is ever left half-pinned.
 */
int fg_enforcer_open(struct fg_enforcer **ep);
/*
 * As fg_enforcer_open(), with the cells under cell_root: a cgroup v2
 * directory below /sys/fs/cgroup given by a path of plain names (no ".",
 * "..", empty names or symbolic links), shorter than FG_CELL_ROOT_MAX,
 * made if it does not exist (the cgroup it is in must). A daemon under
 * systemd with Delegate=yes puts it inside its own cgroup. Programs that
 * are pinned already keep the root they were loaded for: adopting them
 * for another is -EXDEV (explained to the log function), and stopping
 * enforcement is the way to move the cells. cell_root NULL: the pinned
 * root, or FG_CELL_ROOT when loading. -EINVAL for a root that cannot be.
 */
int fg_enforcer_open_at(struct fg_enforcer **ep, const char *cell_root);
/* The cell root of e's programs: the cells are <root>/session-<id>. */
const char *fg_enforcer_cell_root(const struct fg_enforcer *e);
/*
 * Removing an endpoint or a cell changes the epoch (the packet filter
 * forgets the destinations it remembered) after a grace period, so each
 * takes a few milliseconds. Adopting changes it too: a loader that died
 * between a removal and its epoch change left the filter remembering.
 */
/* True if fg_enforcer_open() adopted pinned state rather than loading. */
bool fg_enforcer_adopted(const struct fg_enforcer *e);
/* Closes the handle only: enforcement stays, pinned. */
void fg_enforcer_close(struct fg_enforcer *e);
/*
 * Removes every pin under FG_PIN_DIR: once no process holds them, the
 * programs detach and the maps are freed. For tests and for unloading the
 * module; never done by the daemon.
 */
int fg_enforcer_unpin(void);

/*
 * framegate.ko's own verdict, /sys/kernel/framegate/enforcement (probed on
 * each read): 1 armed, 0 unarmed, -ENOENT without the module.
 */
int fg_enforcement_armed(void);

/* What FG_PIN_DIR holds, compared with the programs of this build. */
enum fg_pins {
	FG_PINS_NONE,		/* nothing (or no bpffs mounted) */
	FG_PINS_PARTIAL,	/* some pins missing or foreign: a loader died
				 * mid-pin, or another build pinned them */
	FG_PINS_COMPLETE,	/* every map and one link per program */
};
/* enum fg_pins, or a negative errno (-EPERM: not root). */
int fg_enforcer_pins(void);

/*
 * Creates the cell of a session: the cgroup <cell root>/session-<id> (and
 * the cell root itself, with the cgroup2 filesystem mounted on
 * /sys/fs/cgroup if needed), and its entry in the cells map. Returns an
 * O_DIRECTORY fd of the cell in *cell_fd and its cgroup id in *cell_id
 * (either may be NULL). -EEXIST if the session has a cell already. A
 * cgroup of that name without a map entry (left by fg_enforcer_unpin() or
 * a crash) is replaced when no task is in it, else -EBUSY.
 */
int fg_cell_create(struct fg_enforcer *e, uint64_t session_id, int *cell_fd,
		   uint64_t *cell_id);
/*
 * The kinds of socket the cell of session_id may create, beyond the
 * default every cell gets (TCP over IPv4 and IPv6, AF_UNIX stream, which
 * without bind or connect can only be a socketpair within the cell).
 * protocol 0 means the family's default, as for socket(2): TCP for
 * SOCK_STREAM and UDP for SOCK_DGRAM over IP. -EINVAL for a family, type
 * or protocol out of range; disallowing a kind not allowed is -ENOENT.
 */
int fg_cell_allow_socket(struct fg_enforcer *e, uint64_t session_id,
			 int family, int type, int protocol);
int fg_cell_disallow_socket(struct fg_enforcer *e, uint64_t session_id,
			    int family, int type, int protocol);
/*
 * Gives the socket sock_fd (created outside the cell: the worker's control
 * socketpair) to the cell of session_id: tasks in that cell may use it as
 * one of their own. A cell may use no other socket it did not create.
 * -EEXIST if the socket belongs to a cell already, -ENOTSOCK if sock_fd is
 * not a socket, -ENOENT if the session has no cell.
 */
int fg_cell_give_socket(struct fg_enforcer *e, uint64_t session_id,
			int sock_fd);
/*
 * Moves pid (0: the caller) into the cell of session_id, under e's cell
 * root (e NULL: FG_CELL_ROOT).
 */
int fg_cell_enter(const struct fg_enforcer *e, uint64_t session_id,
		  pid_t pid);
/*
 * Starts a child inside the cell of session_id, the cgroup
 * <cell root>/session-<id> that fg_cell_create() made under e's cell root
 * (e NULL: FG_CELL_ROOT; the cells map is not consulted): clone3(CLONE_INTO_CGROUP), so that the child runs not
 * one instruction outside it. Returns as fork() does: the child's pid to
 * the caller and 0 to the child, which exits with SIGCHLD to its parent;
 * or a negative errno (-ENOENT: no such cell; -EINVAL: an id no cell has,
 * or unknown flags). With pidfd not NULL, the caller gets a pidfd of the
 * child (close-on-exec) in *pidfd.
 *
 * FG_CELL_SPAWN_PDEATHSIG: the child is sent SIGKILL when the thread that
 * called fg_cell_spawn() ends (PR_SET_PDEATHSIG), and kills itself at once
 * if that thread ended before it could ask.
 *
 * The child comes from the system call, not from fork(3): no atfork
 * handlers run. If the caller has other threads, the child may call only
 * async-signal-safe functions, as after fork() in a threaded program: a
 * worker execs at once. Flush stdio before.
 */
#define FG_CELL_SPAWN_PDEATHSIG	(1u << 0)
pid_t fg_cell_spawn(const struct fg_enforcer *e, uint64_t session_id,
		    unsigned int flags, int *pidfd);
/*
 * Removes the cell of a session: revokes the session (over netlink; a
 * session already revoked, lost or closed is fine), kills every task left
 * in the cgroup (cgroup.kill) and waits for them, deletes its endpoints
 * and its cells map entry and removes the directory. -ENOENT if there is
 * no cell; -EBUSY if tasks outlive cgroup.kill for 5 s, in which case the
 * cell stays, still confining them: call again.
 */
int fg_cell_remove(struct fg_enforcer *e, uint64_t session_id);
/*
 * Calls cb for each entry of the cells map (cgroup id, session id); a
 * non-zero return from cb stops the walk and is returned.
 */
int fg_cell_foreach(struct fg_enforcer *e,
		    int (*cb)(uint64_t cell_id, uint64_t session_id, void *arg),
		    void *arg);

/*
 * Allows or disallows the session's cell to reach sa (AF_INET, AF_INET6;
 * an IPv4-mapped IPv6 address is its IPv4 address; an IPv6 link-local
 * address needs its link in sin6_scope_id, else -EINVAL, and is reachable
 * through that interface only; other addresses through any interface, the
 * scope id ignored). Adding an endpoint
 * that exists is not an error; removing one that does not is -ENOENT.
 * -EAFNOSUPPORT for other families, -E2BIG when the map is full.
 */
int fg_endpoint_add(struct fg_enforcer *e, uint64_t session_id,
		    const struct sockaddr *sa, socklen_t len);
int fg_endpoint_remove(struct fg_enforcer *e, uint64_t session_id,
		       const struct sockaddr *sa, socklen_t len);
/*
 * Calls cb for each endpoint (an AF_INET or AF_INET6 address with its port;
 * IPv4-mapped addresses come back as AF_INET), like fg_cell_foreach().
 */
int fg_endpoint_foreach(struct fg_enforcer *e,
			int (*cb)(uint64_t session_id, const struct sockaddr *sa,
				  socklen_t len, void *arg),
			void *arg);

#endif /* FG_ENFORCE_H */
