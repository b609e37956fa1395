/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a worker does to itself before it reads its first frame, in this
 * order (sandbox_apply() does all three):
 *
 *   sandbox_drop(uid, gid)   from root to the worker user: no supplementary
 *                            groups, real = effective = saved ids, every
 *                            capability gone (effective, permitted,
 *                            inheritable, ambient, bounding set), securebits
 *                            locked so root would gain none, then checks it
 *                            cannot get root back; no_new_privs; not
 *                            dumpable (no core with the tenant's key, no
 *                            ptrace by the same uid).
 *   sandbox_landlock(flags)  a Landlock domain that handles every filesystem
 *                            right the running kernel's ABI knows and allows
 *                            none: no file can be opened, executed, created,
 *                            renamed or removed. ABI >= 4: no TCP bind;
 *                            ABI >= 6: no signals or abstract UNIX sockets
 *                            outside the domain. A kernel without Landlock
 *                            fails closed (-EOPNOTSUPP) unless flags has
 *                            SANDBOX_LANDLOCK_OPTIONAL.
 *   sandbox_seccomp()        a libseccomp allow-list; anything else kills
 *                            the process (SIGSYS), and so does another
 *                            architecture's syscall (x32, i386).
 *
 * The allow-list is what the worker loop needs (poll the session fd,
 * ACQUIRE/RELEASE, encode, HTTPS PUT with libcurl + OpenSSL), as strace
 * shows it on Debian 12 (curl 7.88, OpenSSL 3.0, glibc 2.36):
 *   - I/O on fds it has: read, write, readv, writev, close, lseek, poll,
 *     ppoll, fcntl (F_GETFD/F_SETFD/F_GETFL/F_SETFL), fstat and
 *     newfstatat(fd, "", AT_EMPTY_PATH) only;
 *   - ioctl with FG_SESSION_IOC_INFO, _ACQUIRE, _RELEASE only;
 *   - memory: brk, mmap/mprotect without PROT_EXEC, munmap, mremap,
 *     madvise, futex;
 *   - network: socket(AF_INET or AF_INET6, SOCK_STREAM[|flags], 0 or TCP),
 *     connect, getsockopt, setsockopt, getsockname, getpeername, shutdown,
 *     sendto, recvfrom, sendmsg, recvmsg; socketpair(AF_UNIX, SOCK_STREAM)
 *     for libcurl's multi-handle wakeup pair (curl_multi_init; it connects
 *     nothing). No other socket family: no AF_UNIX socket(), no netlink;
 *   - time and misc: clock_gettime, clock_nanosleep, nanosleep,
 *     gettimeofday, getpid, gettid, getrandom (OpenSSL), rt_sigaction,
 *     rt_sigprocmask (libcurl ignores SIGPIPE per transfer), rt_sigreturn,
 *     restart_syscall, sched_yield, exit, exit_group.
 * Not allowed: open/openat/any path, execve/execveat, fork/vfork/clone/
 * clone3 (no processes and no threads: the parent passes the resolved
 * address, libcurl resolves an IP literal without its resolver thread),
 * ptrace, kill, bpf, and everything else.
 *
 * For the worker: openlog(LOG_NDELAY) or log to an fd before this; a
 * syslog(3) that must (re)connect /dev/log afterwards is killed.
 *
 * Each returns 0 (sandbox_landlock(): the ABI it applied, 0 when absent
 * and optional) or a negative errno, and logs why with log_warn().
 */

#ifndef FRAMEGATED_SANDBOX_H
#define FRAMEGATED_SANDBOX_H

#include <sys/types.h>

#define SANDBOX_LANDLOCK_OPTIONAL	(1u << 0)

int	sandbox_drop(uid_t uid, gid_t gid);
int	sandbox_landlock(unsigned int flags);
int	sandbox_seccomp(void);

/* All three in order; the Landlock ABI applied, or a negative errno. */
int	sandbox_apply(uid_t uid, gid_t gid, unsigned int landlock_flags);

#endif /* FRAMEGATED_SANDBOX_H */
