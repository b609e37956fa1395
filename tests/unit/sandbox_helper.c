// SPDX-License-Identifier: GPL-2.0
/*
 * sandbox_test's subject, built without sanitizers: ASan's and UBSan's
 * runtimes make syscalls the worker's seccomp filter kills (LeakSanitizer
 * stops the world with clone() at exit, reports open /proc/self/maps), so
 * the sandbox is tested here, as the worker will run it.
 *
 *   sandbox_helper LAYERS ACTION
 *
 * LAYERS: a comma list of drop, landlock, seccomp (in that order, as
 * sandbox_apply() does), or "none". The child drops to nobody (65534).
 * ACTION: one thing the sandbox must allow or refuse. Exits 0 if the
 * action succeeded, its errno if it failed, 100 if a layer failed to
 * apply; a seccomp kill is SIGSYS.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/framegate.h>
#include <linux/netlink.h>

#include "log.h"
#include "sandbox.h"

#define NOBODY	65534

static int listener = -1;
static int pipefd[2];		/* made before the sandbox: no session */
static struct sockaddr_in listen_addr;

/* Before the sandbox: a TCP listener on 127.0.0.1 to connect to. */
static int
listen_local(void)
{
	socklen_t len = sizeof(listen_addr);

	listener = socket(AF_INET, SOCK_STREAM, 0);
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listener < 0 ||
	    bind(listener, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) ||
	    listen(listener, 1) ||
	    getsockname(listener, (struct sockaddr *)&listen_addr, &len))
		return -1;
	return 0;
}

#define TRY(expr) do { if ((expr) < 0) return errno; } while (0)

/* What the worker loop does, with what it does it with. */
static int
allowed_sequence(void)
{
	struct pollfd pfd = { .fd = listener, .events = POLLIN };
	struct timespec ts;
	struct stat st;
	void *p;
	int s, fds[2];
	char c = 'x';

	TRY(clock_gettime(CLOCK_MONOTONIC, &ts));
	TRY(poll(&pfd, 1, 0));
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno;
	TRY(mprotect(p, 4096, PROT_READ | PROT_WRITE));
	TRY(munmap(p, 4096));
	TRY(s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_TCP));
	TRY(fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK));
	TRY(connect(s, (struct sockaddr *)&listen_addr, sizeof(listen_addr)));
	TRY(write(s, &c, 1));
	TRY(send(s, &c, 1, MSG_NOSIGNAL));
	TRY(fstat(s, &st));
	TRY(socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
	TRY(close(s));
	TRY(write(STDOUT_FILENO, "", 0));
	return 0;
}

static int
act(const char *action)
{
	struct fg_session_info info = { .size = sizeof(info) };
	struct winsize ws;
	void *p;

	if (!strcmp(action, "allowed"))
		return allowed_sequence();
	if (!strcmp(action, "openat"))
		TRY(openat(AT_FDCWD, "/etc/passwd", O_RDONLY));
	else if (!strcmp(action, "open_create"))
		TRY(open("/tmp/fg-sandbox-test", O_WRONLY | O_CREAT, 0600));
	else if (!strcmp(action, "execve")) {
		char *argv[] = { "/bin/true", NULL };

		TRY(execve(argv[0], argv, argv + 1));
	} else if (!strcmp(action, "socket_unix"))
		TRY(socket(AF_UNIX, SOCK_STREAM, 0));
	else if (!strcmp(action, "socket_netlink"))
		TRY(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	else if (!strcmp(action, "socket_udp"))
		TRY(socket(AF_INET, SOCK_DGRAM, 0));
	else if (!strcmp(action, "ioctl_other"))
		TRY(ioctl(STDIN_FILENO, TIOCGWINSZ, &ws));
	else if (!strcmp(action, "ioctl_session")) {
		/* Allowed by seccomp; a pipe is no session: ENOTTY. */
		TRY(ioctl(pipefd[0], FG_SESSION_IOC_INFO, &info));
	} else if (!strcmp(action, "mmap_exec")) {
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return errno;
	} else if (!strcmp(action, "fork"))
		TRY(fork());
	else if (!strcmp(action, "setuid0"))
		TRY(setuid(0));
	else if (!strcmp(action, "ids")) {
		uid_t r, e, s;

		getresuid(&r, &e, &s);
		if (r != NOBODY || e != NOBODY || s != NOBODY ||
		    getgid() != NOBODY || getgroups(0, NULL) != 0)
			return 101;
	} else {
		fprintf(stderr, "sandbox_helper: unknown action %s\n", action);
		return 102;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	bool drop, landlock, seccomp;

	if (argc != 3)
		return 102;
	log_init(1, 0, 0);
	log_procinit("sandbox_helper");
	drop = strstr(argv[1], "drop") != NULL;
	landlock = strstr(argv[1], "landlock") != NULL;
	seccomp = strstr(argv[1], "seccomp") != NULL;
	if (listen_local() || pipe(pipefd))
		return 100;
	if (drop && sandbox_drop(NOBODY, NOBODY))
		return 100;
	if (landlock && sandbox_landlock(0) <= 0)
		return 100;
	if (seccomp && sandbox_seccomp())
		return 100;
	return act(argv[2]);
}
