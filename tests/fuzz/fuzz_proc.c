// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: framegated's parent<->worker message checks
 * (daemon/framegated/proc.c), what a compromised worker or a confused
 * parent could send the other.
 *
 * The first byte picks how the rest is read:
 *   even  one datagram as it arrives, for proc_check() with 0 and 1 fds;
 *   odd   a conversation: records (type, offset, n, n bytes) each patching
 *         n bytes at offset of a valid message of that type, checked and,
 *         if it passes, given to the worker's and the parent's order checks
 *         (a TLS message is longer than the runner's -max_len, so raw
 *         inputs cannot build a valid one; records can).
 *
 * What must hold:
 *   - proc_check() answers 0 or an errno proc.h lists; 0 only for a
 *     datagram of its type's length whose header says so, with the fd count
 *     the type takes, and again 0 for a copy;
 *   - a message the worker or parent refuses changes nothing it keeps; one
 *     it takes never lets a TLS item grow past its total, and GO only
 *     follows READY, which only follows a complete setup.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proc.h"
#include "fuzz_check.h"

#define SID	42

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
listed_errno(int r)
{
	switch (-r) {
	case 0: case EMSGSIZE: case EBADMSG: case EPROTONOSUPPORT:
	case ENOMSG: case EPROTO: case ESTALE: case E2BIG: case EOVERFLOW:
	case EINVAL:
		return true;
	}
	return false;
}

static void
check_datagram(const uint8_t *data, size_t size)
{
	static uint8_t copy[sizeof(struct proc_msg) + 64];
	struct proc_hdr h;
	unsigned int nfds;
	int r;

	for (nfds = 0; nfds < 3; nfds++) {
		r = proc_check(data, size, nfds);
		CHECK(listed_errno(r));
		if (r)
			continue;
		CHECK(size >= sizeof(h));
		memcpy(&h, data, sizeof(h));
		CHECK(h.len == size && proc_msg_len(h.type) == size);
		CHECK(nfds == (h.type == PROC_MSG_SESSION_FD));
		CHECK(h.session_id != 0 && h.version == PROC_VERSION);
		if (h.type == PROC_MSG_LOG) {
			struct proc_log l;
			size_t k;

			/* What the parent writes to syslog: one clean line. */
			memcpy(&l, data, sizeof(l));
			CHECK(l.priority >= 2 && l.priority <= 7);
			CHECK(l.text[0] != '\0');
			for (k = 0; k < sizeof(l.text) && l.text[k]; k++)
				CHECK(l.text[k] >= 0x20 && l.text[k] <= 0x7e);
			CHECK(k < sizeof(l.text));
		}
		if (size <= sizeof(copy)) {
			memcpy(copy + 1, data, size);	/* misaligned */
			CHECK(proc_check(copy + 1, size, nfds) == 0);
		}
	}
}

/* A valid message of each type, which the records patch. */
static void
template(struct proc_msg *m, uint32_t type)
{
	proc_msg_init(m, type, SID);
	switch (type) {
	case PROC_MSG_HELLO:
		strcpy(m->hello.tenant, "t");
		strcpy(m->hello.session, "s");
		m->hello.ncameras = 1;
		m->hello.camera_ids[0] = 1;
		strcpy(m->hello.cameras[0], "c");
		m->hello.mode = PROC_MODE_STILLS;
		m->hello.interval = 1;
		m->hello.quality = 50;
		m->hello.queue = 1;
		m->hello.port = 443;
		m->hello.family = AF_INET;
		m->hello.tls_len[0] = m->hello.tls_len[1] = 16;
		m->hello.tls_len[2] = 5000;
		strcpy(m->hello.host, "h");
		strcpy(m->hello.path, "/");
		memset(m->hello.seal_key, 0x5a, sizeof(m->hello.seal_key));
		break;
	case PROC_MSG_TLS:
		m->tls.kind = PROC_TLS_KEY;
		m->tls.total = 5000;
		m->tls.len = 16;
		break;
	case PROC_MSG_SHUTDOWN:
		m->shutdown.reason = PROC_SHUTDOWN_STOP;
		break;
	case PROC_MSG_FATAL:
		m->fatal.reason = PROC_FATAL_INTERNAL;
		strcpy(m->fatal.text, "x");
		break;
	case PROC_MSG_LOG:
		m->log.priority = 3;	/* LOG_ERR */
		strcpy(m->log.text, "x");
		break;
	}
}

static struct proc_worker worker;

struct worker_view {
	enum proc_worker_phase phase;
	uint32_t	have[3], total[3];
	bool		have_fd;
};

static void
view(struct worker_view *v)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->phase = worker.phase;
	v->have_fd = worker.have_fd;
	for (i = 0; i < 3; i++) {
		v->have[i] = worker.tls[i].have;
		v->total[i] = worker.tls[i].total;
	}
}

static void
conversation(const uint8_t *data, size_t size)
{
	static const uint32_t types[] = {
		PROC_MSG_HELLO, PROC_MSG_TLS, PROC_MSG_SESSION_FD, PROC_MSG_GO,
		PROC_MSG_SHUTDOWN, PROC_MSG_READY, PROC_MSG_STATS,
		PROC_MSG_FATAL, PROC_MSG_LOG,
	};
	struct worker_view before, after;
	struct proc_parent parent, pbefore;
	struct proc_msg m;
	unsigned int i, nfds;
	uint8_t op;
	int r;

	proc_worker_init(&worker);
	proc_parent_init(&parent, SID);
	while (size >= 4) {
		op = data[0];
		template(&m, types[(op & 0x7f) % 9]);
		(void)fuzz_record(&data, &size, &m, m.hdr.len);

		/* The top bit: the worker says READY when it may. */
		if (op & 0x80) {
			bool complete = proc_worker_complete(&worker);

			CHECK((proc_worker_ready(&worker) == 0) == complete);
		}

		nfds = m.hdr.type == PROC_MSG_SESSION_FD;
		r = proc_check(&m, m.hdr.len <= sizeof(m) ? m.hdr.len : 0,
			       nfds);
		CHECK(listed_errno(r));
		if (r)
			continue;

		view(&before);
		r = proc_worker_accept(&worker, &m);
		CHECK(listed_errno(r));
		view(&after);
		if (r)
			CHECK(memcmp(&before, &after, sizeof(before)) == 0);
		for (i = 0; i < 3; i++)
			CHECK(after.have[i] <= after.total[i] &&
			      after.total[i] <= PROC_TLS_MAX);
		if (!r && m.hdr.type == PROC_MSG_GO)
			CHECK(before.phase == PROC_WORKER_READY);
		if (after.phase >= PROC_WORKER_READY &&
		    after.phase != PROC_WORKER_DONE) {
			CHECK(after.have_fd);
			for (i = 0; i < 3; i++)
				CHECK(after.have[i] == after.total[i]);
		}

		pbefore = parent;
		r = proc_parent_accept(&parent, &m);
		CHECK(listed_errno(r));
		if (r) {
			CHECK(parent.errors == pbefore.errors + 1);
			CHECK(parent.ready == pbefore.ready &&
			      parent.fatal == pbefore.fatal &&
			      !memcmp(&parent.stats, &pbefore.stats,
				      sizeof(parent.stats)));
		} else {
			CHECK(!pbefore.fatal);
			if (m.hdr.type == PROC_MSG_STATS)
				CHECK(pbefore.ready &&
				      parent.stats.bytes >= pbefore.stats.bytes);
		}
	}
	proc_worker_clear(&worker);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		conversation(data + 1, size - 1);
	else
		check_datagram(data + 1, size - 1);
	return 0;
}
