/* SPDX-License-Identifier: GPL-2.0 */
/*
 * framegated's one logging module, for every process of it.
 *
 * Messages go to stderr when the process runs in the foreground (-d), to
 * syslog otherwise, each behind the process name log_procinit() set
 * ("parent: ..."). log_warn() and fatal() add strerror(errno) (a NULL
 * format: strerror alone); fatal() and fatalx() exit(1). log_debug()
 * prints only when verbose (-v) is at least 1. No function changes errno.
 *
 * A worker cannot reach syslog (its cell refuses the socket) and its
 * standard error may lead nowhere: log_setsink() makes every line of the
 * process go to sink instead (the worker's: a PROC_MSG_LOG to the parent,
 * proc.h), the process name left out; a line the sink refuses (nonzero)
 * goes to stderr. The parent writes what it relayed with log_relayed(),
 * behind the name of the process it came from.
 */

#ifndef FRAMEGATED_LOG_H
#define FRAMEGATED_LOG_H

#include <stdarg.h>

void	log_init(int debug, int verbose, int facility);
void	log_procinit(const char *name);
void	log_setverbose(int verbose);
int	log_getverbose(void);

typedef int (*log_sink_fn)(int priority, const char *line, void *arg);
void	log_setsink(log_sink_fn sink, void *arg);
void	log_relayed(int priority, const char *name, const char *line);

void	log_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	vlog(int priority, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* FRAMEGATED_LOG_H */
