// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's sandbox (daemon/framegated/sandbox.c), one layer at a time
 * and all together: each case runs sandbox_helper (built without
 * sanitizers, see there) with some layers applied and one action, and
 * expects its exit status (0, or the errno the action got) or its death by
 * SIGSYS (seccomp). Layers are tested alone so that each refusal is pinned
 * to the layer that makes it: Landlock alone refuses openat and execve with
 * EACCES; seccomp alone kills them. The "none" cases show that every action
 * works without the sandbox, so no refusal here is the host's doing.
 * Needs root (the helper drops to nobody, 65534) and a kernel with Landlock.
 */

#include <sys/wait.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

FIXTURE(sandbox) {
	char	helper[PATH_MAX];
};

FIXTURE_VARIANT(sandbox) {
	const char	*layers;	/* drop,landlock,seccomp or none */
	const char	*action;	/* sandbox_helper's */
	int		exit_code;	/* 0 or an errno, if not killed */
	int		signal;		/* SIGSYS, or 0 */
};

FIXTURE_SETUP(sandbox)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (geteuid() != 0)
		SKIP(return, "needs root: the helper drops to nobody");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(self->helper, sizeof(self->helper), "%s/sandbox_helper",
		 dirname(exe));
	ASSERT_EQ(0, access(self->helper, X_OK));
}

FIXTURE_TEARDOWN(sandbox)
{
}

#define CASE(name, l, a, code, sig)					\
	FIXTURE_VARIANT_ADD(sandbox, name) {				\
		.layers = l, .action = a, .exit_code = code, .signal = sig, \
	}

/* Without a sandbox everything works (and setuid(0) as root). */
CASE(none_allows_openat, "none", "openat", 0, 0);
CASE(none_allows_execve, "none", "execve", 0, 0);
CASE(none_allows_socket_unix, "none", "socket_unix", 0, 0);
CASE(none_allows_socket_netlink, "none", "socket_netlink", 0, 0);
CASE(none_allows_mmap_exec, "none", "mmap_exec", 0, 0);
CASE(none_allows_fork, "none", "fork", 0, 0);
CASE(none_allows_setuid0, "none", "setuid0", 0, 0);
CASE(none_ioctl_session_on_a_pipe_is_enotty, "none", "ioctl_session",
     ENOTTY, 0);

/* sandbox_drop(): nobody, for good. */
CASE(drop_becomes_nobody, "drop", "ids", 0, 0);
CASE(drop_then_setuid0_is_eperm, "drop", "setuid0", EPERM, 0);
CASE(drop_allows_openat_of_world_readable, "drop", "openat", 0, 0);

/* sandbox_landlock() alone: no filesystem. */
CASE(landlock_openat_is_eacces, "landlock", "openat", EACCES, 0);
CASE(landlock_create_is_eacces, "landlock", "open_create", EACCES, 0);
CASE(landlock_execve_is_eacces, "landlock", "execve", EACCES, 0);
CASE(landlock_allows_the_worker_loop, "landlock", "allowed", 0, 0);

/* sandbox_seccomp() alone: the allow-list. */
CASE(seccomp_kills_openat, "seccomp", "openat", 0, SIGSYS);
CASE(seccomp_kills_open, "seccomp", "open_create", 0, SIGSYS);
CASE(seccomp_kills_execve, "seccomp", "execve", 0, SIGSYS);
CASE(seccomp_kills_socket_unix, "seccomp", "socket_unix", 0, SIGSYS);
CASE(seccomp_kills_socket_netlink, "seccomp", "socket_netlink", 0, SIGSYS);
CASE(seccomp_kills_socket_udp, "seccomp", "socket_udp", 0, SIGSYS);
CASE(seccomp_kills_other_ioctl, "seccomp", "ioctl_other", 0, SIGSYS);
CASE(seccomp_allows_session_ioctl, "seccomp", "ioctl_session", ENOTTY, 0);
CASE(seccomp_kills_mmap_exec, "seccomp", "mmap_exec", 0, SIGSYS);
CASE(seccomp_kills_fork, "seccomp", "fork", 0, SIGSYS);
CASE(seccomp_kills_setuid, "seccomp", "setuid0", 0, SIGSYS);
CASE(seccomp_allows_the_worker_loop, "seccomp", "allowed", 0, 0);

/* All three, as a worker runs. */
#define ALL "drop,landlock,seccomp"
CASE(all_allows_the_worker_loop, ALL, "allowed", 0, 0);
CASE(all_allows_session_ioctl, ALL, "ioctl_session", ENOTTY, 0);
CASE(all_kills_openat, ALL, "openat", 0, SIGSYS);
CASE(all_kills_execve, ALL, "execve", 0, SIGSYS);
CASE(all_kills_socket_unix, ALL, "socket_unix", 0, SIGSYS);
CASE(all_kills_socket_netlink, ALL, "socket_netlink", 0, SIGSYS);
CASE(all_kills_other_ioctl, ALL, "ioctl_other", 0, SIGSYS);
CASE(all_kills_fork, ALL, "fork", 0, SIGSYS);
CASE(all_kills_setuid0, ALL, "setuid0", 0, SIGSYS);

TEST_F(sandbox, outcome)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(self->helper, self->helper, variant->layers,
		      variant->action, (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (variant->signal) {
		ASSERT_TRUE(WIFSIGNALED(status)) {
			TH_LOG("%s %s: exited %d, expected signal %d",
			       variant->layers, variant->action,
			       WEXITSTATUS(status), variant->signal);
		}
		EXPECT_EQ(variant->signal, WTERMSIG(status));
	} else {
		ASSERT_TRUE(WIFEXITED(status)) {
			TH_LOG("%s %s: killed by signal %d",
			       variant->layers, variant->action,
			       WTERMSIG(status));
		}
		EXPECT_EQ(variant->exit_code, WEXITSTATUS(status));
	}
}

TEST_HARNESS_MAIN
