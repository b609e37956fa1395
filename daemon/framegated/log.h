/* SPDX-License-Identifier: GPL-2.0 */
/*
 * framegated's one logging module, for every process of it.
 *
 * Messages go to stderr when the process runs in the foreground (-d), to
 * syslog otherwise, each behind the process name log_procinit() set
 * ("parent: ..."). log_warn() and fatal() add strerror(errno) (a NULL
 * format: strerror alone); fatal() and fatalx() exit(1). log_debug()
 * prints only when verbose (-v) is at least 1. No function changes errno.
 */

#ifndef FRAMEGATED_LOG_H
#define FRAMEGATED_LOG_H

#include <stdarg.h>

void	log_init(int debug, int verbose, int facility);
void	log_procinit(const char *name);
void	log_setverbose(int verbose);
int	log_getverbose(void);

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
