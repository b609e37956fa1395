// SPDX-License-Identifier: GPL-2.0
/*
 * One session's worker: `framegated -W -u UID:GID`, exec'd by the parent
 * inside the session's cell (parent.c), with its end of the control
 * socketpair as fd 3 and nothing else but stdin, stdout and stderr.
 *
 *   1. From the parent (proc.h): what the session is, the tenant's CA,
 *      certificate and key as bytes, and the session fd. Nothing names a
 *      file: the worker could not open one anyway.
 *   2. The uplink (libcurl holds its copy of the material; ours is wiped),
 *      the session's window mapped, then the sandbox (sandbox.h): the
 *      worker user, no capabilities, no files, a seccomp allow-list.
 *   3. READY, and on GO the loop: at each due time (1/rate s live,
 *      interval s stills) take every frame the session holds, keep the
 *      newest of each camera, release the others (superseded: dropped,
 *      queue full), JPEG it (TurboJPEG, from the camera's own format),
 *      seal it to the tenant's public key (sealed.h: a data key of this
 *      run, wrapped to the tenant; Documentation/sealed-frames.rst), PUT
 *      it over TLS 1.3 with the tenant's certificate, release it.
 *
 * The session's ring is the worker's bounded queue: the kernel keeps
 * capturing whatever the worker does (it drops the oldest frame of a full
 * ring and counts it), so a slow or dead network never blocks capture. A
 * failed upload is counted by kind, the frame dropped (upload failed or
 * timeout), and the next due time backs off exponentially, with jitter, up
 * to WORKER_BACKOFF_MAX_MS. Counters reach the parent every second
 * (STATS): acquired = uploaded + every drop, exactly, at every message.
 *
 * Its log lines go to the parent (PROC_MSG_LOG) from HELLO on: the cell
 * refuses the worker syslog's socket, and the parent writes them to its
 * own log. Before HELLO they go to stderr (which the parent points at
 * /dev/null when its own is a socket).
 *
 * A revoked session (ACQUIRE fails, poll says POLLHUP) or a SHUTDOWN ends
 * the worker with status 0; anything else wrong ends it with FATAL and 1,
 * and the parent restarts it.
 */

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "libframegate.h"
#include "sealed.h"

#include "encode.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "uplink.h"
#include "worker.h"

#define WORKER_CTL_FD		3
#define WORKER_STATS_MS		1000
#define WORKER_BACKOFF_MIN_MS	500
#define WORKER_BACKOFF_MAX_MS	30000
#define WORKER_LATENCIES	128

struct worker {
	struct proc_hello	 hello;
	uint64_t		 sid;
	int			 ctl;
	int			 sfd;
	const uint8_t		*window;
	struct fg_session_info	 info;
	struct uplink		*up;
	struct encoder		*enc[PROC_CAMERAS_MAX];
	struct proc_stats	 st;
	uint64_t		 lat[WORKER_LATENCIES];	/* us, a ring */
	unsigned int		 nlat;
	uint64_t		 period_ns;
	uint32_t		 backoff_ms;
	uint64_t		 cpu_ns[4];	/* acquire, encode, seal, upload */
	struct fg_seal_key	 seal;
	uint8_t			*sealed;	/* the object being sent */
	size_t			 sealed_size;
	/*
	 * CLOCK_REALTIME - CLOCK_MONOTONIC when the worker started: the
	 * kernel's capture and creation times, on the wall clock, in the
	 * same order as they happened whatever the wall clock does later.
	 */
	int64_t			 wall_offset_ns;
};

enum { STAGE_ACQUIRE, STAGE_ENCODE, STAGE_SEAL, STAGE_UPLOAD };

static uint64_t
now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Adds the CPU time since *mark to stage, and moves *mark to now. */
static void
stage_done(struct worker *wk, int stage, uint64_t *mark)
{
	uint64_t now = now_ns(CLOCK_THREAD_CPUTIME_ID);

	wk->cpu_ns[stage] += now - *mark;
	*mark = now;
}

/*
 * log.h's sink: a line as PROC_MSG_LOG, every byte that is not printable
 * ASCII as '?', cut at PROC_LOG_MAX - 1. Nonzero (the line goes to stderr)
 * before HELLO, which gives the session id every message carries.
 */
static int
log_relay(int priority, const char *line, void *arg)
{
	const struct worker *wk = arg;
	struct proc_msg msg;
	size_t i;

	if (wk->sid == 0)
		return -1;
	proc_msg_init(&msg, PROC_MSG_LOG, wk->sid);
	msg.log.priority = priority < LOG_CRIT ? LOG_CRIT :
			   priority > LOG_DEBUG ? LOG_DEBUG : (uint32_t)priority;
	for (i = 0; line[i] != '\0' && i < sizeof(msg.log.text) - 1; i++)
		msg.log.text[i] = line[i] >= 0x20 && line[i] <= 0x7e ?
				  line[i] : '?';
	if (i == 0)
		msg.log.text[0] = '-';
	return proc_send(wk->ctl, &msg, -1);
}

static void __attribute__((noreturn))
worker_fatal(struct worker *wk, uint32_t reason, int error, const char *what)
{
	struct proc_msg msg;

	log_warnx("%s: %s", what, error ? strerror(error) : "failed");
	proc_msg_init(&msg, PROC_MSG_FATAL, wk->sid);
	msg.fatal.reason = reason;
	msg.fatal.error = error;
	snprintf(msg.fatal.text, sizeof(msg.fatal.text), "%s", what);
	(void)proc_send(wk->ctl, &msg, -1);
	exit(1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
stats_send(struct worker *wk)
{
	uint64_t v[WORKER_LATENCIES];
	unsigned int n = wk->nlat < WORKER_LATENCIES ? wk->nlat :
						       WORKER_LATENCIES;
	struct proc_msg msg;
	struct proc_hdr hdr;
	int error;

	if (n > 0) {
		memcpy(v, wk->lat, n * sizeof(v[0]));
		qsort(v, n, sizeof(v[0]), cmp_u64);
		wk->st.latency_p50_us = v[(n - 1) / 2];
		wk->st.latency_p99_us = v[(n - 1) * 99 / 100];
	}
	wk->st.cpu_acquire_us = wk->cpu_ns[STAGE_ACQUIRE] / 1000;
	wk->st.cpu_encode_us = wk->cpu_ns[STAGE_ENCODE] / 1000;
	wk->st.cpu_upload_us = wk->cpu_ns[STAGE_UPLOAD] / 1000;
	wk->st.cpu_seal_us = wk->cpu_ns[STAGE_SEAL] / 1000;
	proc_msg_init(&msg, PROC_MSG_STATS, wk->sid);
	hdr = msg.hdr;
	msg.stats = wk->st;
	msg.stats.hdr = hdr;
	if ((error = proc_send(wk->ctl, &msg, -1)) != 0)
		log_warnx("STATS: %s", strerror(-error));
}

/* The index of camera id in HELLO, or -1. */
static int
camera_index(const struct worker *wk, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < wk->hello.ncameras; i++)
		if (wk->hello.camera_ids[i] == id)
			return (int)i;
	return -1;
}

static void
upload_failed(struct worker *wk, const struct uplink_result *r)
{
	switch (r->status) {
	case UPLINK_CONNECT:
		wk->st.err_connect++;
		break;
	case UPLINK_TLS:
		wk->st.err_tls++;
		break;
	case UPLINK_TIMEOUT:
		wk->st.err_timeout++;
		break;
	case UPLINK_HTTP_4XX:
	case UPLINK_HTTP_5XX:
		wk->st.err_http++;
		break;
	default:
		wk->st.err_other++;
	}
	if (r->status == UPLINK_TIMEOUT)
		wk->st.dropped_timeout++;
	else
		wk->st.dropped_upload_failed++;
	wk->backoff_ms = wk->backoff_ms ? wk->backoff_ms * 2 :
					  WORKER_BACKOFF_MIN_MS;
	if (wk->backoff_ms > WORKER_BACKOFF_MAX_MS)
		wk->backoff_ms = WORKER_BACKOFF_MAX_MS;
	log_debug("upload: %s (%s); next try in about %u ms",
		  uplink_status_name(r->status), uplink_error(wk->up),
		  wk->backoff_ms);
}

/* Encodes and uploads frame f (acquired, counted); the caller releases. */
/*
 * A new data key for the session, wrapped to the tenant: at start, and
 * whenever the sealer refuses a sequence (the camera's went back, which
 * would repeat a nonce under the old key).
 */
static int
seal_key_start(struct worker *wk)
{
	fg_seal_key_clear(&wk->seal);
	return fg_seal_key_new(&wk->seal, wk->hello.seal_key, wk->sid,
			       wk->info.created_ns + wk->wall_offset_ns);
}

/* The JPEG of frame f sealed into wk->sealed (*len bytes): 0 or -errno. */
static int
frame_seal(struct worker *wk, const struct fg_frame *f, uint64_t capture_ns,
	   const uint8_t *jpeg, size_t jpeg_len, size_t *len)
{
	size_t need = jpeg_len + FG_SEALED_OVERHEAD;
	uint8_t *p;
	int ret;

	if (need > wk->sealed_size) {
		if ((p = realloc(wk->sealed, need)) == NULL)
			return -ENOMEM;
		wk->sealed = p;
		wk->sealed_size = need;
	}
	ret = fg_seal_frame(&wk->seal, FG_SEALED_JPEG, f->camera_id,
			    f->sequence, capture_ns, jpeg, jpeg_len, wk->sealed,
			    wk->sealed_size, len);
	if (ret == -ERANGE) {
		log_info("camera %u: sequence %llu went back: a new data key",
			 f->camera_id, (unsigned long long)f->sequence);
		if ((ret = seal_key_start(wk)) != 0)
			return ret;
		ret = fg_seal_frame(&wk->seal, FG_SEALED_JPEG, f->camera_id,
				    f->sequence, capture_ns, jpeg, jpeg_len,
				    wk->sealed, wk->sealed_size, len);
	}
	return ret;
}

static void
frame_send(struct worker *wk, const struct fg_frame *f, uint64_t *mark)
{
	struct uplink_result r;
	size_t jpeg_len, sealed_len;
	const uint8_t *jpeg;
	uint64_t real;
	int i, ret;

	i = camera_index(wk, f->camera_id);
	if (i < 0 || f->offset + f->bytesused > wk->info.window_size)
		worker_fatal(wk, PROC_FATAL_SESSION, EPROTO,
			     "a frame the session does not describe");
	if (wk->enc[i] == NULL &&
	    (wk->enc[i] = encoder_new(f->pixelformat, f->width, f->height,
				      f->bytesperline,
				      (int)wk->hello.quality)) == NULL)
		worker_fatal(wk, PROC_FATAL_INTERNAL, errno,
			     "cannot encode the camera's format");
	ret = encoder_run(wk->enc[i], wk->window + f->offset, f->bytesused,
			  &jpeg, &jpeg_len);
	stage_done(wk, STAGE_ENCODE, mark);
	if (ret != 0) {
		log_warnx("camera %s: frame %llu: %s", wk->hello.cameras[i],
			  (unsigned long long)f->sequence,
			  encoder_error(wk->enc[i]));
		wk->st.dropped_upload_failed++;
		wk->st.err_other++;
		return;
	}
	wk->st.encoded++;
	real = f->timestamp_ns + wk->wall_offset_ns;
	if ((ret = frame_seal(wk, f, real, jpeg, jpeg_len, &sealed_len)) != 0) {
		stage_done(wk, STAGE_SEAL, mark);
		log_warnx("camera %s: frame %llu: cannot seal: %s",
			  wk->hello.cameras[i],
			  (unsigned long long)f->sequence, strerror(-ret));
		wk->st.dropped_upload_failed++;
		wk->st.err_other++;
		return;
	}
	stage_done(wk, STAGE_SEAL, mark);
	ret = uplink_put(wk->up, wk->hello.cameras[i], f->sequence, real,
			 wk->sealed, sealed_len, &r);
	stage_done(wk, STAGE_UPLOAD, mark);
	if (ret != UPLINK_OK) {
		upload_failed(wk, &r);
		return;
	}
	wk->st.uploaded++;
	wk->st.bytes += r.bytes;
	wk->lat[wk->nlat++ % WORKER_LATENCIES] = r.latency_ns / 1000;
	wk->backoff_ms = 0;
}

/*
 * The session ended with frames taken but not sent (cameras from first
 * on): each one dropped, so that acquired = uploaded + drops still holds.
 */
static void
abandon(struct worker *wk, const struct fg_frame *newest, const bool *have,
	uint32_t first)
{
	uint32_t i;

	for (i = first; i < wk->hello.ncameras; i++) {
		if (!have[i])
			continue;
		wk->st.dropped_upload_failed++;
		(void)fg_frame_release(wk->sfd, newest[i].frame_id);
	}
}

/*
 * Takes every frame the session holds; the newest of each camera is sent,
 * the rest released as superseded. false when the session is over.
 */
static bool
frames_take(struct worker *wk)
{
	struct fg_frame newest[PROC_CAMERAS_MAX], f;
	bool have[PROC_CAMERAS_MAX] = { false };
	uint64_t mark = now_ns(CLOCK_THREAD_CPUTIME_ID);
	uint32_t i;
	int k, ret;

	for (;;) {
		ret = fg_frame_acquire(wk->sfd, &f);
		if (ret == -EAGAIN)
			break;
		if (ret != 0) {
			log_info("session %llu: %s: stopping",
				 (unsigned long long)wk->sid, strerror(-ret));
			abandon(wk, newest, have, 0);
			return false;
		}
		wk->st.acquired++;
		k = camera_index(wk, f.camera_id);
		if (k < 0)
			worker_fatal(wk, PROC_FATAL_SESSION, EPROTO,
				     "a frame of a camera not in HELLO");
		if (have[k]) {
			wk->st.dropped_queue_full++;
			fg_frame_release(wk->sfd, newest[k].frame_id);
		}
		newest[k] = f;
		have[k] = true;
	}
	stage_done(wk, STAGE_ACQUIRE, &mark);
	for (i = 0; i < wk->hello.ncameras; i++) {
		if (!have[i])
			continue;
		frame_send(wk, &newest[i], &mark);
		have[i] = false;
		ret = fg_frame_release(wk->sfd, newest[i].frame_id);
		stage_done(wk, STAGE_ACQUIRE, &mark);
		if (ret != 0 && ret != -ENOENT) {
			log_info("session %llu: release: %s: stopping",
				 (unsigned long long)wk->sid, strerror(-ret));
			abandon(wk, newest, have, i + 1);
			return false;
		}
	}
	return true;
}

static void
stream(struct worker *wk)
{
	uint64_t due = now_ns(CLOCK_MONOTONIC), next_stats = due, now;
	struct pollfd pfd[2] = {
		{ .fd = wk->sfd, .events = POLLIN },
		{ .fd = wk->ctl, .events = POLLIN },
	};
	struct proc_msg msg;
	int timeout, ret;

	for (;;) {
		now = now_ns(CLOCK_MONOTONIC);
		if (now >= next_stats) {
			stats_send(wk);
			next_stats = now + WORKER_STATS_MS * 1000000ull;
		}
		/* Before the due time the frames wait in the session's ring. */
		pfd[0].events = now >= due ? POLLIN : 0;
		timeout = (int)(((now >= due ? next_stats :
				  (due < next_stats ? due : next_stats)) -
				 now) / 1000000) + 1;
		ret = poll(pfd, 2, timeout);
		if (ret < 0 && errno != EINTR)
			worker_fatal(wk, PROC_FATAL_INTERNAL, errno, "poll");
		if (pfd[1].revents) {
			/* Only SHUTDOWN may come now. */
			ret = proc_recv(wk->ctl, &msg, NULL);
			if (ret == 0 && (msg.hdr.type != PROC_MSG_SHUTDOWN ||
					 msg.hdr.session_id != wk->sid))
				ret = -EPROTO;
			if (ret != 0 && ret != -EPIPE)
				worker_fatal(wk, PROC_FATAL_PROTOCOL, -ret,
					     "a message in the stream");
			break;	/* SHUTDOWN, or the parent is gone */
		}
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			log_info("session %llu revoked: stopping",
				 (unsigned long long)wk->sid);
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (!frames_take(wk))
			break;
		now = now_ns(CLOCK_MONOTONIC);
		due += wk->period_ns;
		if (due < now)
			due = now;
		if (wk->backoff_ms)	/* with up to a quarter of jitter */
			due = now + wk->backoff_ms * 1000000ull +
			      (uint64_t)(random() % (wk->backoff_ms / 4 + 1)) *
			      1000000ull;
	}
	stats_send(wk);
}

static void
address_string(const struct proc_hello *h, char *buf, size_t size)
{
	if (inet_ntop(h->family, h->addr, buf, size) == NULL)
		buf[0] = '\0';
}

#ifdef FRAMEGATED_TEST_HOOKS
/*
 * Test builds only: what a compromised worker would try, from inside its
 * sandbox and cell (tests/framegated-faults.sh checks each verdict). The
 * seccomp filter kills the worker (SIGSYS) on open, exec and getcwd; the
 * cell refuses a connect to anything but the session's endpoints. What
 * the worker survives is logged, and it streams on. logflood: a worker
 * that logs far too much, with bytes that would forge lines or colour a
 * terminal (the parent writes a burst, suppresses and counts the rest).
 */
static void
test_action_run(struct worker *wk, const char *action)
{
	struct sockaddr_storage ss = { .ss_family = wk->hello.family };
	char buf[256], *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	socklen_t len;
	int fd;

	log_warnx("test action %s: trying it", action);
	if (strcmp(action, "open") == 0) {
		fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		log_warnx("test action open: /etc/passwd: %s",
			  fd < 0 ? strerror(errno) : "opened");
	} else if (strcmp(action, "exec") == 0) {
		execve(argv[0], argv, envp);
		log_warnx("test action exec: %s: %s", argv[0], strerror(errno));
	} else if (strcmp(action, "getcwd") == 0) {
		log_warnx("test action getcwd: %s",
			  getcwd(buf, sizeof(buf)) ? buf : strerror(errno));
	} else if (strcmp(action, "connect") == 0) {
		/* The endpoint's address on port 1: not an endpoint. */
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			memcpy(&sin->sin_addr, wk->hello.addr, 4);
			sin->sin_port = htons(1);
			len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			memcpy(&sin6->sin6_addr, wk->hello.addr, 16);
			sin6->sin6_port = htons(1);
			len = sizeof(*sin6);
		}
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0)
			log_warnx("test action connect: port 1: %s",
				  strerror(errno));
		else
			log_warnx("test action connect: port 1: connected");
		if (fd >= 0)
			close(fd);
	} else if (strcmp(action, "logflood") == 0) {
		unsigned int i;

		/* More than the parent writes: it suppresses and counts. */
		for (i = 0; i < 2000; i++)
			log_warnx("test action logflood: line %u\n\033[31m\xff", i);
		log_warnx("test action logflood: done");
	} else {
		log_warnx("test action %s: no such action", action);
	}
}
#endif

int
worker_main(uid_t uid, gid_t gid, const char *test_action)
{
	static struct proc_worker pw;	/* the material: 192 kB */
	static struct worker wk;
	struct uplink_params up;
	struct proc_msg msg;
	char addr[INET6_ADDRSTRLEN];
	int ret, fd, abi;

	/* No core and no ptrace while it holds the key, root or not. */
	if (prctl(PR_SET_DUMPABLE, 0) != 0)
		worker_fatal(&wk, PROC_FATAL_INTERNAL, errno, "not dumpable");
	wk.ctl = WORKER_CTL_FD;
	wk.sfd = -1;
	log_setsink(log_relay, &wk);
	proc_worker_init(&pw);
	while (!proc_worker_complete(&pw)) {
		ret = proc_worker_recv(wk.ctl, &pw, &msg, &fd);
		if (ret == -EPIPE)
			exit(0);	/* the parent is gone */
		if (ret != 0)
			worker_fatal(&wk, PROC_FATAL_PROTOCOL, -ret,
				     "a message from the parent");
		if (pw.phase == PROC_WORKER_DONE)
			exit(0);
		wk.sid = pw.hello.hdr.session_id;
		if (fd >= 0)
			wk.sfd = fd;
	}
	wk.hello = pw.hello;
	log_procinit("worker");

	/* Before the sandbox: OpenSSL reads its configuration file. */
	if ((ret = uplink_global_init()) != 0)
		worker_fatal(&wk, PROC_FATAL_INTERNAL, -ret, "uplink");
	tzset();
	address_string(&wk.hello, addr, sizeof(addr));
	up = (struct uplink_params){
		.host = wk.hello.host,
		.port = wk.hello.port,
		.addr = addr,
		.base_path = strcmp(wk.hello.path, "/") == 0 ? "" :
							       wk.hello.path,
		.session = wk.sid,
		.ca = pw.tls[PROC_TLS_CA - 1].data,
		.ca_len = pw.tls[PROC_TLS_CA - 1].total,
		.cert = pw.tls[PROC_TLS_CERT - 1].data,
		.cert_len = pw.tls[PROC_TLS_CERT - 1].total,
		.key = pw.tls[PROC_TLS_KEY - 1].data,
		.key_len = pw.tls[PROC_TLS_KEY - 1].total,
	};
	if ((wk.up = uplink_new(&up)) == NULL)
		worker_fatal(&wk, PROC_FATAL_INTERNAL, errno, "uplink");
	/* libcurl copied the material (CURL_BLOB_COPY): ours goes. */
	explicit_bzero(pw.tls, sizeof(pw.tls));

	if ((ret = fg_session_info(wk.sfd, &wk.info)) != 0 ||
	    (ret = fg_session_map(wk.sfd, &wk.info,
				  (const void **)&wk.window)) != 0)
		worker_fatal(&wk, PROC_FATAL_SESSION, -ret, "session");
	/* The wall clock's offset, then the data key (OpenSSL's DRBG). */
	wk.wall_offset_ns = (int64_t)(now_ns(CLOCK_REALTIME) -
				      now_ns(CLOCK_MONOTONIC));
	if ((ret = seal_key_start(&wk)) != 0)
		worker_fatal(&wk, PROC_FATAL_INTERNAL, -ret,
			     "a data key for the tenant's public key");
	wk.period_ns = wk.hello.mode == PROC_MODE_LIVE ?
		       1000000000ull / wk.hello.rate :
		       wk.hello.interval * 1000000000ull;
	srandom((unsigned int)(now_ns(CLOCK_MONOTONIC) ^ wk.sid));

	if ((abi = sandbox_apply(uid, gid, 0)) < 0)
		worker_fatal(&wk, PROC_FATAL_SANDBOX, -abi, "sandbox");
	if ((ret = proc_worker_ready(&pw)) != 0)
		worker_fatal(&wk, PROC_FATAL_PROTOCOL, -ret, "READY");
	proc_msg_init(&msg, PROC_MSG_READY, wk.sid);
	msg.ready.landlock_abi = (uint32_t)abi;
	if ((ret = proc_send(wk.ctl, &msg, -1)) != 0)
		worker_fatal(&wk, PROC_FATAL_PROTOCOL, -ret, "READY");
	ret = proc_worker_recv(wk.ctl, &pw, &msg, &fd);
	if (ret == -EPIPE || pw.phase == PROC_WORKER_DONE)
		exit(0);
	if (ret != 0 || pw.phase != PROC_WORKER_RUNNING)
		worker_fatal(&wk, PROC_FATAL_PROTOCOL, ret ? -ret : EPROTO,
			     "GO");
	log_info("session %llu: streaming to %s:%u as tenant %s",
		 (unsigned long long)wk.sid, wk.hello.host, wk.hello.port,
		 wk.hello.tenant);
#ifdef FRAMEGATED_TEST_HOOKS
	if (test_action != NULL)
		test_action_run(&wk, test_action);
#endif
	(void)test_action;
	stream(&wk);
	exit(0);
}
