// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: framegated's control socket messages
 * (daemon/framegated/control.c), what any root client could send the
 * daemon and what framegatectl takes from whatever answers on the socket.
 *
 * The first byte picks how the rest is read:
 *   even  one datagram as it arrives, for control_check() as sent by the
 *         client and by the daemon;
 *   odd   an answer: the next byte picks the request it answers (STATS,
 *         REVOKE or RELOAD), then records (fuzz_record(), whose op picks
 *         the type) each patching a valid message of that type, checked
 *         as the daemon's and, if it passes, given to the client's reader.
 *
 * What must hold:
 *   - control_check() answers 0 or an errno control.h lists; 0 only for a
 *     datagram of its type's length whose header says so, of a type that
 *     side sends, and again 0 for a misaligned copy; a WORKER it takes has
 *     terminated conf names, a pid that fits its state and counters that
 *     keep struct proc_stats' rules;
 *   - the reader refuses with nothing changed, counts exactly the WORKERs
 *     it takes, ends only on END with that count (to STATS), on DONE
 *     with a session id to REVOKE and without to RELOAD, or on ERROR, and
 *     takes nothing after.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "control.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
listed_errno(int r)
{
	switch (-r) {
	case 0: case EMSGSIZE: case EBADMSG: case EPROTONOSUPPORT:
	case ENOMSG: case EINVAL:
		return true;
	}
	return false;
}

/* What a WORKER that passed must be, checked again another way. */
static void
worker_holds(const struct control_worker *w)
{
	const uint64_t *c = w->counters;

	CHECK(memchr(w->tenant, '\0', sizeof(w->tenant)) != NULL);
	CHECK(memchr(w->session, '\0', sizeof(w->session)) != NULL);
	CHECK(w->tenant[0] != '\0' && w->session[0] != '\0');
	CHECK(w->session_id != 0 && w->tenant_id != 0);
	CHECK(w->state >= CONTROL_WORKER_STARTING &&
	      w->state <= CONTROL_WORKER_REVOKED);
	CHECK((w->state <= CONTROL_WORKER_RUNNING) == (w->pid > 0));
	CHECK(w->pid >= 0);
	CHECK(c[CONTROL_UPLOADED] <= c[CONTROL_ENCODED] &&
	      c[CONTROL_ENCODED] <= c[CONTROL_ACQUIRED]);
	CHECK(c[CONTROL_DROPPED_QUEUE_FULL] <= c[CONTROL_ACQUIRED] &&
	      c[CONTROL_DROPPED_UPLOAD_FAILED] <= c[CONTROL_ACQUIRED] &&
	      c[CONTROL_DROPPED_TIMEOUT] <= c[CONTROL_ACQUIRED]);
	CHECK(c[CONTROL_LATENCY_P50_US] <= c[CONTROL_LATENCY_P99_US]);
	CHECK(w->seccomp_kills == 0 || (w->flags & CONTROL_WORKER_F_SECCOMP));
}

static void
check_datagram(const uint8_t *data, size_t size)
{
	static uint8_t copy[sizeof(struct control_msg) + 64];
	struct control_msg m;
	enum control_side from;
	int r;

	for (from = CONTROL_FROM_CLIENT; from <= CONTROL_FROM_DAEMON; from++) {
		r = control_check(data, size, from);
		CHECK(listed_errno(r));
		if (r)
			continue;
		CHECK(size >= sizeof(m.hdr) && size <= sizeof(m));
		memset(&m, 0, sizeof(m));
		memcpy(&m, data, size);
		CHECK(m.hdr.len == size && control_msg_len(m.hdr.type) == size);
		CHECK(m.hdr.version == CONTROL_VERSION && m.hdr.reserved == 0);
		CHECK((m.hdr.type == CONTROL_MSG_STATS ||
		       m.hdr.type == CONTROL_MSG_REVOKE ||
		       m.hdr.type == CONTROL_MSG_RELOAD) ==
		      (from == CONTROL_FROM_CLIENT));
		if (m.hdr.type == CONTROL_MSG_REVOKE)
			CHECK(memchr(m.revoke.session, '\0',
				     sizeof(m.revoke.session)) != NULL &&
			      m.revoke.session[0] != '\0');
		if (m.hdr.type == CONTROL_MSG_WORKER)
			worker_holds(&m.worker);
		if (m.hdr.type == CONTROL_MSG_ERROR)
			CHECK(m.error.error > 0);
		memcpy(copy + 1, data, size);	/* misaligned */
		CHECK(control_check(copy + 1, size, from) == 0);
	}
}

/* A valid answer of each type, which the records patch. */
static void
template(struct control_msg *m, uint32_t type)
{
	control_msg_init(m, type);
	switch (type) {
	case CONTROL_MSG_WORKER:
		m->worker.session_id = 1;
		m->worker.tenant_id = 2;
		strcpy(m->worker.tenant, "t");
		strcpy(m->worker.session, "s");
		m->worker.pid = 1;
		m->worker.state = CONTROL_WORKER_RUNNING;
		break;
	case CONTROL_MSG_ERROR:
		m->error.error = EACCES;
		break;
	case CONTROL_MSG_DONE:
		m->done.session_id = 1;
		break;
	}
}

static void
answer(const uint8_t *data, size_t size)
{
	static const uint32_t types[] = {
		CONTROL_MSG_WORKER, CONTROL_MSG_END, CONTROL_MSG_ERROR,
		CONTROL_MSG_DONE, CONTROL_MSG_STATS, CONTROL_MSG_REVOKE,
	};
	static const uint32_t requests[] = {
		CONTROL_MSG_STATS, CONTROL_MSG_REVOKE, CONTROL_MSG_RELOAD,
	};
	struct control_reader reader = { 0 }, before;
	struct control_msg m;
	int r;

	if (size < 1)
		return;
	reader.request = requests[data[0] % 3];
	data++;
	size--;
	while (size >= 4) {
		template(&m, types[data[0] % 6]);
		(void)fuzz_record(&data, &size, &m, m.hdr.len);

		r = control_check(&m, m.hdr.len <= sizeof(m) ? m.hdr.len : 0,
				  CONTROL_FROM_DAEMON);
		CHECK(listed_errno(r));
		if (r)
			continue;
		before = reader;
		r = control_reader_accept(&reader, &m);
		CHECK(r == 0 || r == -EPROTO || r == -ENOMSG);
		if (r) {
			CHECK(memcmp(&before, &reader, sizeof(reader)) == 0);
			continue;
		}
		CHECK(!before.done);
		switch (m.hdr.type) {
		case CONTROL_MSG_WORKER:
			CHECK(reader.request == CONTROL_MSG_STATS &&
			      reader.workers == before.workers + 1 &&
			      !reader.done);
			break;
		case CONTROL_MSG_END:
			CHECK(reader.request == CONTROL_MSG_STATS &&
			      m.end.count == before.workers && reader.done);
			break;
		case CONTROL_MSG_DONE:
			CHECK(reader.request != CONTROL_MSG_STATS &&
			      reader.done && reader.workers == 0 &&
			      (m.done.session_id != 0) ==
			      (reader.request == CONTROL_MSG_REVOKE));
			break;
		case CONTROL_MSG_ERROR:
			CHECK(reader.done && reader.workers == before.workers);
			break;
		default:
			CHECK(0);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		answer(data + 1, size - 1);
	else
		check_datagram(data + 1, size - 1);
	return 0;
}
