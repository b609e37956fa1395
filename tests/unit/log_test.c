// SPDX-License-Identifier: GPL-2.0
/*
 * framegated's log.c in the foreground (-d): what reaches stderr, and
 * that no function changes errno. Each test runs in a process of its own
 * (the harness forks), so log_init() and log_procinit() start afresh.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "kselftest_harness.h"

FIXTURE(log) {
	int	saved_stderr;	/* the harness's, for its own messages */
	FILE	*out;		/* where stderr goes during a test */
	char	text[1024];
};

FIXTURE_SETUP(log)
{
	ASSERT_NE(NULL, self->out = tmpfile());
	ASSERT_LE(0, self->saved_stderr = dup(STDERR_FILENO));
	ASSERT_EQ(STDERR_FILENO, dup2(fileno(self->out), STDERR_FILENO));
	log_init(1, 0, LOG_DAEMON);
}

FIXTURE_TEARDOWN(log)
{
	dup2(self->saved_stderr, STDERR_FILENO);
	fclose(self->out);
}

/* What was logged so far; stderr is the harness's again. */
static const char *
logged(FIXTURE_DATA(log) *self)
{
	size_t n;

	fflush(stderr);
	dup2(self->saved_stderr, STDERR_FILENO);
	rewind(self->out);
	n = fread(self->text, 1, sizeof(self->text) - 1, self->out);
	self->text[n] = '\0';
	return self->text;
}

TEST_F(log, warn_adds_strerror_and_keeps_errno)
{
	log_procinit("parent");
	errno = ENOENT;
	log_warn("open %s", "/etc/x");
	EXPECT_EQ(ENOENT, errno);
	errno = EACCES;
	log_warn(NULL);
	EXPECT_EQ(EACCES, errno);
	EXPECT_STREQ("parent: open /etc/x: No such file or directory\n"
		     "parent: Permission denied\n", logged(self));
}

TEST_F(log, warnx_and_info_keep_errno_and_add_nothing)
{
	log_procinit("worker");
	errno = EIO;
	log_warnx("queue full: %d dropped", 3);
	log_info("uploaded %s", "a.jpg");
	EXPECT_EQ(EIO, errno);
	EXPECT_STREQ("worker: queue full: 3 dropped\n"
		     "worker: uploaded a.jpg\n", logged(self));
}

TEST_F(log, no_prefix_without_a_process_name)
{
	log_warnx("plain");
	EXPECT_STREQ("plain\n", logged(self));
}

TEST_F(log, debug_needs_verbose)
{
	log_debug("hidden");
	EXPECT_EQ(0, log_getverbose());
	log_setverbose(1);
	errno = EBADF;
	log_debug("shown %d", 1);
	EXPECT_EQ(EBADF, errno);
	EXPECT_STREQ("shown 1\n", logged(self));
}

/* Writing the message fails (EBADF): the caller's errno is still there. */
TEST_F(log, errno_survives_a_failing_write)
{
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(STDERR_FILENO, dup2(fd, STDERR_FILENO));
	close(fd);
	log_setverbose(1);
	errno = ENOENT;
	log_warn("a");
	EXPECT_EQ(ENOENT, errno);
	log_warnx("b");
	EXPECT_EQ(ENOENT, errno);
	log_info("c");
	EXPECT_EQ(ENOENT, errno);
	log_debug("d");
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("", logged(self));
}

TEST_F(log, fatal_logs_and_exits_1)
{
	int status;
	pid_t pid;

	fflush(NULL);
	ASSERT_LE(0, pid = fork());
	if (pid == 0) {
		log_procinit("parent");
		errno = ENOMEM;
		fatal("calloc");
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(1, WEXITSTATUS(status));
	ASSERT_LE(0, pid = fork());
	if (pid == 0)
		fatalx("bad %s", "configuration");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(1, WEXITSTATUS(status));
	EXPECT_STREQ("parent: calloc: Cannot allocate memory\n"
		     "bad configuration\n", logged(self));
}

/* A sink that keeps the last line, and refuses when told to. */
static char sunk[256];
static int sunk_priority, sink_refuses, sunk_count;

static int
keep_line(int priority, const char *line, void *arg)
{
	(void)arg;
	if (sink_refuses)
		return -1;
	sunk_priority = priority;
	snprintf(sunk, sizeof(sunk), "%s", line);
	sunk_count++;
	return 0;
}

TEST_F(log, sink_takes_every_line_without_the_name)
{
	log_procinit("worker");
	log_setsink(keep_line, NULL);
	errno = EPIPE;
	log_warn("upload");
	EXPECT_EQ(EPIPE, errno);
	EXPECT_STREQ("upload: Broken pipe", sunk);
	EXPECT_EQ(LOG_ERR, sunk_priority);
	log_info("session %d: streaming", 7);
	EXPECT_STREQ("session 7: streaming", sunk);
	EXPECT_EQ(LOG_INFO, sunk_priority);
	log_debug("not verbose: not even the sink");
	EXPECT_EQ(2, sunk_count);
	EXPECT_STREQ("", logged(self));
}

TEST_F(log, line_the_sink_refuses_goes_to_stderr)
{
	log_procinit("worker");
	log_setsink(keep_line, NULL);
	sink_refuses = 1;
	log_warnx("before HELLO");
	EXPECT_STREQ("worker: before HELLO\n", logged(self));
	EXPECT_EQ(0, sunk_count);
}

TEST_F(log, relayed_line_carries_the_senders_name)
{
	log_procinit("parent");
	errno = ENOENT;
	log_relayed(LOG_ERR, "worker a-live", "upload: Connection refused");
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("worker a-live: upload: Connection refused\n",
		     logged(self));
}

TEST_HARNESS_MAIN
