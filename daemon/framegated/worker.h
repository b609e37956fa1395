/* SPDX-License-Identifier: GPL-2.0 */
/* One session's worker (worker.c): framegated -W, exec'd into its cell. */
#ifndef FRAMEGATED_WORKER_H
#define FRAMEGATED_WORKER_H

#include <sys/types.h>

/* Runs the worker on fd 3 and exits: 0 when done, 1 after FATAL. */
/* test_action: NULL, except in test builds (framegated.c, -T). */
int	worker_main(uid_t uid, gid_t gid, const char *test_action)
	__attribute__((noreturn));

#endif /* FRAMEGATED_WORKER_H */
