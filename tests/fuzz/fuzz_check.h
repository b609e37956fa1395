/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CHECK(cond): a promise of the code under fuzzing. A broken one prints
 * where and aborts, which libFuzzer reports as a crash (and keeps the
 * input).
 */

#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "CHECK failed: %s:%d: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#endif /* FUZZ_CHECK_H */
