// SPDX-License-Identifier: MIT
/*
 * The library's messages, handed to the program's log function
 * (libframegate.h, "Messages"), as libbpf_set_print() does for libbpf.
 */

#include <errno.h>
#include <stdarg.h>

#include "libframegate.h"
#include "libframegate-internal.h"

/* Process-wide, as libframegate.h says: NULL discards. */
static fg_log_fn log_fn;

fg_log_fn
fg_set_log(fg_log_fn fn)
{
	fg_log_fn old = log_fn;

	log_fn = fn;
	return old;
}

void
fg_vlog(enum fg_log_level level, const char *fmt, va_list ap)
{
	int saved = errno;

	if (log_fn != NULL)
		log_fn(level, fmt, ap);
	errno = saved;
}

void
fg_log(enum fg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fg_vlog(level, fmt, ap);
	va_end(ap);
}
