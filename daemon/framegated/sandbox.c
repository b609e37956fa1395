// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's sandbox (sandbox.h): privileges dropped, Landlock with no
 * filesystem access, a seccomp allow-list that kills.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/securebits.h>

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/framegate.h>

#include "log.h"
#include "sandbox.h"

/* Checks what the kernel did, not what the calls returned. */
static int
drop_verify(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return -errno;
	if (ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid || getgroups(0, NULL) != 0) {
		log_warnx("sandbox: ids did not change");
		return -EPERM;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1) {
		log_warnx("sandbox: could regain root");
		return -EPERM;
	}
	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (d[0].effective || d[0].permitted || d[0].inheritable ||
	    d[1].effective || d[1].permitted || d[1].inheritable ||
	    prctl(PR_CAPBSET_READ, CAP_SETUID) != 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0)) {
		log_warnx("sandbox: capabilities left");
		return -EPERM;
	}
	return 0;
}

int
sandbox_drop(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	unsigned long bits;
	int cap, r;

	if (uid == 0 || gid == 0) {
		log_warnx("sandbox: refusing to run a worker as root");
		return -EINVAL;
	}
	/* While we still have CAP_SETPCAP: bounding set, securebits. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)) {
		r = -errno;
		log_warn("sandbox: clearing ambient capabilities");
		return r;
	}
	for (cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap)) {
			r = -errno;
			log_warn("sandbox: dropping capability %d", cap);
			return r;
		}
	}
	bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	       SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
	       SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits)) {
		r = -errno;
		log_warn("sandbox: securebits");
		return r;
	}
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		r = -errno;
		log_warn("sandbox: changing to uid %u gid %u", uid, gid);
		return r;
	}
	/* Changing ids cleared the parent-death signal: set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL)) {
		r = -errno;
		log_warn("sandbox: PR_SET_PDEATHSIG");
		return r;
	}
	/* None left after setresuid(); say so to the kernel anyway. */
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d)) {
		r = -errno;
		log_warn("sandbox: capset");
		return r;
	}
	r = drop_verify(uid, gid);
	if (r)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		r = -errno;
		log_warn("sandbox: no_new_privs, dumpable");
		return r;
	}
	return 0;
}

/*
 * The Landlock ABI as this file knows it; Debian 12's headers stop at ABI
 * 2, and a newer kernel must still get every right it knows handled.
 */
#define LL_FS_ABI1	((1ull << 13) - 1)	/* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER	(1ull << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE	(1ull << 14)		/* ABI 3 */
#define LL_FS_IOCTL_DEV	(1ull << 15)		/* ABI 5 */
#define LL_NET_BIND_TCP	(1ull << 0)		/* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL	(1ull << 1)		/* ABI 6 */

struct ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;	/* ABI 4 */
	uint64_t	scoped;			/* ABI 6 */
};

int
sandbox_landlock(unsigned int flags)
{
	struct ll_ruleset_attr attr = { .handled_access_fs = LL_FS_ABI1 };
	size_t size = sizeof(attr.handled_access_fs);
	int abi, fd, r;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
		      LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		r = errno;
		if (r != ENOSYS && r != EOPNOTSUPP)
			return -r;
		if (flags & SANDBOX_LANDLOCK_OPTIONAL) {
			log_warnx("sandbox: this kernel has no Landlock "
				  "(%s): running without it, as told",
				  strerror(r));
			return 0;
		}
		log_warnx("sandbox: this kernel has no Landlock (%s): the "
			  "worker needs it to have no filesystem access "
			  "(CONFIG_SECURITY_LANDLOCK=y and landlock in lsm=)",
			  strerror(r));
		return -EOPNOTSUPP;
	}
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}

	fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0) {
		r = -errno;
		log_warn("sandbox: landlock_create_ruleset (ABI %d)", abi);
		return r;
	}
	/* Needed by restrict_self without CAP_SYS_ADMIN; sandbox_drop set it. */
	r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
	if (!r && syscall(SYS_landlock_restrict_self, fd, 0))
		r = -errno;
	close(fd);
	if (r) {
		errno = -r;
		log_warn("sandbox: landlock_restrict_self");
		return r;
	}
	return abi;
}

/* seccomp_rule_add() that logs; the syscall's name for the log. */
#define ALLOW(ctx, name, ...) \
	allow((ctx), #name, SCMP_SYS(name), __VA_ARGS__)

static int
allow(scmp_filter_ctx ctx, const char *name, int nr, unsigned int n, ...)
{
	struct scmp_arg_cmp args[4];
	unsigned int i;
	va_list ap;
	int r;

	va_start(ap, n);
	for (i = 0; i < n && i < 4; i++)
		args[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, args);
	if (r)
		log_warnx("sandbox: seccomp rule for %s: %s", name,
			  strerror(-r));
	return r;
}

/* Allowed with any arguments. */
static const int plain[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(fstat), SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(connect),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(shutdown), SCMP_SYS(sendto),
	SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(getpid),
	SCMP_SYS(gettid), SCMP_SYS(getrandom), SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(restart_syscall), SCMP_SYS(sched_yield), SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

static int
seccomp_rules(scmp_filter_ctx ctx)
{
	static const unsigned long ioctls[] = {
		FG_SESSION_IOC_INFO, FG_SESSION_IOC_ACQUIRE,
		FG_SESSION_IOC_RELEASE,
	};
	static const int fcntls[] = { F_GETFD, F_SETFD, F_GETFL, F_SETFL };
	static const int families[] = { AF_INET, AF_INET6 };
	static const int protocols[] = { 0, IPPROTO_TCP };
	const int type_mask = 0xf;	/* SOCK_TYPE_MASK: flags may follow */
	unsigned int i, j;
	int r = 0;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]) && !r; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
	if (r) {
		log_warnx("sandbox: seccomp rule: %s", strerror(-r));
		return r;
	}
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]) && !r; i++)
		r = ALLOW(ctx, ioctl, 1, SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	for (i = 0; i < sizeof(fcntls) / sizeof(fcntls[0]) && !r; i++)
		r = ALLOW(ctx, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, fcntls[i]));
	for (i = 0; i < 2 && !r; i++)
		for (j = 0; j < 2 && !r; j++)
			r = ALLOW(ctx, socket, 3,
				  SCMP_A0(SCMP_CMP_EQ, families[i]),
				  SCMP_A1(SCMP_CMP_MASKED_EQ, type_mask,
					  SOCK_STREAM),
				  SCMP_A2(SCMP_CMP_EQ, protocols[j]));
	if (!r)
		r = ALLOW(ctx, socketpair, 3, SCMP_A0(SCMP_CMP_EQ, AF_UNIX),
			  SCMP_A1(SCMP_CMP_MASKED_EQ, type_mask, SOCK_STREAM),
			  SCMP_A2(SCMP_CMP_EQ, 0));
	if (!r)
		r = ALLOW(ctx, mmap, 1,
			  SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!r)
		r = ALLOW(ctx, mprotect, 1,
			  SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* fstat(3) of glibc 2.36: newfstatat(fd, "", st, AT_EMPTY_PATH). */
	if (!r)
		r = ALLOW(ctx, newfstatat, 1,
			  SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH));
	return r;
}

int
sandbox_seccomp(void)
{
	scmp_filter_ctx ctx;
	int r;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		log_warnx("sandbox: seccomp_init failed");
		return -ENOMEM;
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	if (!r)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (!r)
		r = seccomp_rules(ctx);
	if (!r) {
		r = seccomp_load(ctx);
		if (r)
			log_warnx("sandbox: seccomp_load: %s", strerror(-r));
	}
	seccomp_release(ctx);
	return r;
}

int
sandbox_apply(uid_t uid, gid_t gid, unsigned int landlock_flags)
{
	int abi, r;

	r = sandbox_drop(uid, gid);
	if (r)
		return r;
	abi = sandbox_landlock(landlock_flags);
	if (abi < 0)
		return abi;
	r = sandbox_seccomp();
	return r ? r : abi;
}
