// SPDX-License-Identifier: GPL-2.0
/*
 * Logging for every framegated process: see log.h.
 *
 * The state below is process-wide by nature (where messages go), set once
 * by log_init() and log_procinit() before a process does anything else.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int		 log_to_stderr = 1;	/* until log_init() says */
static int		 log_verbose;
static const char	*log_procname;
static log_sink_fn	 log_sink;
static void		*log_sink_arg;

void
log_init(int debug, int verbose, int facility)
{
	log_to_stderr = debug;
	log_verbose = verbose;
	if (!debug)
		openlog(program_invocation_short_name, LOG_PID | LOG_NDELAY,
			facility);
	tzset();	/* before a chroot or Landlock hides the zone files */
}

void
log_procinit(const char *name)
{
	log_procname = name;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_setsink(log_sink_fn sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

/* One line, "name: message", to stderr or syslog. */
static void
log_write(int priority, const char *name, const char *msg, int to_stderr)
{
	if (to_stderr) {
		if (name != NULL)
			fprintf(stderr, "%s: ", name);
		fprintf(stderr, "%s\n", msg);
		fflush(stderr);
	} else if (name != NULL) {
		syslog(priority, "%s: %s", name, msg);
	} else {
		syslog(priority, "%s", msg);
	}
}

/* A line of this process: to the sink if there is one, else written. */
static void
log_line(int priority, const char *msg)
{
	if (log_sink != NULL) {
		if (log_sink(priority, msg, log_sink_arg) == 0)
			return;
		log_write(priority, log_procname, msg, 1);
		return;
	}
	log_write(priority, log_procname, msg, log_to_stderr);
}

void
log_relayed(int priority, const char *name, const char *line)
{
	int saved_errno = errno;

	log_write(priority, name, line, log_to_stderr);
	errno = saved_errno;
}

void
vlog(int priority, const char *fmt, va_list ap)
{
	int saved_errno = errno;
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_line(priority, msg);
	errno = saved_errno;
}

/* fmt, ": ", strerror(errno): the message of log_warn() and fatal(). */
static void
vlog_errno(int priority, const char *fmt, va_list ap)
{
	int saved_errno = errno;
	char msg[1024];

	if (fmt == NULL) {
		snprintf(msg, sizeof(msg), "%s", strerror(saved_errno));
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ": %s",
			 strerror(saved_errno));
	}
	log_line(priority, msg);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
