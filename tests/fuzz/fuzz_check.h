/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CHECK(cond): a promise of the code under fuzzing. A broken one prints
 * where and aborts, which libFuzzer reports as a crash (and keeps the
 * input).
 */

#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "CHECK failed: %s:%d: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/*
 * One record of a conversation: 4 bytes (op, offset low, offset high, n),
 * then n bytes written at offset (modulo len) of the len bytes at msg,
 * cut at its end and at the input's. The op byte, or -1 when fewer than 4
 * bytes are left; *data and *size move past the record.
 */
static inline int
fuzz_record(const uint8_t **data, size_t *size, void *msg, size_t len)
{
	const uint8_t *d = *data;
	size_t off, n;

	if (*size < 4)
		return -1;
	off = (d[1] | (size_t)d[2] << 8) % len;
	n = d[3];
	if (n > *size - 4)
		n = *size - 4;
	if (n > len - off)
		n = len - off;
	memcpy((uint8_t *)msg + off, d + 4, n);
	*data = d + 4 + n;
	*size -= 4 + n;
	return d[0];
}

#endif /* FUZZ_CHECK_H */
