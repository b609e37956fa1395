// SPDX-License-Identifier: GPL-2.0
/*
 * framegatectl: show framegate's cameras, sessions and counters, revoke a
 * session, follow events (over generic netlink); start, inspect and stop
 * enforcement, and manage cells and their endpoints (the pinned cell
 * programs and maps); all through libframegate. The workers' state and
 * counters come from framegated itself, over its control socket
 * (daemon/framegated/control.h).
 *
 * While framegated runs it is the only writer of the cell maps: the cell
 * and endpoint commands here write them directly and are for a system
 * without the daemon (tests, bring-up). They do not refuse yet when it
 * runs; they will go through the control socket.
 *
 * Output is an aligned table by default, one JSON document with -j (an
 * array for cameras, sessions, cells and endpoints, an object for stats and
 * enforce status, one object per line for events) or the Prometheus text
 * format with -p. With -p, "stats" includes the camera and session metrics,
 * and, when framegated runs, the worker metrics, so that one scrape sees
 * everything. JSON is written by hand (no JSON library), as everywhere
 * here. Exit status: 0, 1 on errors, 2 on usage errors. -h prints the
 * manual.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>		/* for cell.h */

#include <json-c/json.h>

#include "cell.h"
#include "config.h"		/* CONFIG_SOCKET_DEFAULT */
#include "control.h"
#include "enforce.h"
#include "libframegate.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum format { TEXT, JSON, PROMETHEUS };

static enum format format = TEXT;
static const char *socket_path = CONFIG_SOCKET_DEFAULT;

/* Messages: "framegatectl: message[: strerror(error)]"; error 0 adds none. */

static void
vlog(int error, const char *fmt, va_list ap)
{
	fputs("framegatectl: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (error != 0)
		fprintf(stderr, ": %s", strerror(error));
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 2, 3)))
warnc(int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(error, fmt, ap);
	va_end(ap);
}

/* libframegate's messages (warnings and information, no debugging). */
static void
lib_log(enum fg_log_level level, const char *fmt, va_list ap)
{
	if (level <= FG_LOG_INFO)
		vlog(0, fmt, ap);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fatal(int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(error, fmt, ap);
	va_end(ap);
	exit(1);
}

static const char usage_text[] =
"usage: framegatectl [-j | -p] cameras | sessions | stats\n"
"       framegatectl [-j | -p] [-s SOCKET] workers | worker show SESSION\n"
"       framegatectl [-j] [-s SOCKET] worker revoke SESSION | reload\n"
"       framegatectl revoke SESSION_ID\n"
"       framegatectl [-j] events [-n COUNT] [-t TIMEOUT_S]\n"
"       framegatectl [-j] enforce start | status | stop\n"
"       framegatectl [-j] cell add | remove SESSION_ID | list\n"
"       framegatectl [-j] endpoint add | remove SESSION_ID ADDRESS PORT | list\n"
"       framegatectl -h\n";

/* Exit 2 after an optional message (fmt NULL: none) and the usage. */
static void __attribute__((noreturn, format(printf, 1, 2)))
usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vlog(0, fmt, ap);
		va_end(ap);
	}
	fputs(usage_text, stderr);
	exit(2);
}

static const char manual[] =
"\n"
"Cameras, sessions and counters (generic netlink; any user):\n"
"  cameras                 attached cameras: node, state, format, counters\n"
"  sessions                sessions: tenant, state, cameras, counters\n"
"  stats                   global counters (with -p also every camera and\n"
"                          session metric)\n"
"  events                  follow the events group until interrupted, -n\n"
"                          events were printed or -t seconds passed; a\n"
"                          refusal prints as \"denied hook=H\" with the\n"
"                          session or camera it was counted on and the\n"
"                          counter's value\n"
"  revoke SESSION_ID       revoke an active session (CAP_NET_ADMIN)\n"
"\n"
"Workers (framegated's control socket; root):\n"
"  workers                 every session's worker: state, pid, restarts\n"
"                          and its counters (frames, drops, upload errors,\n"
"                          bytes, latency)\n"
"  worker show SESSION     one of them, by session name or id, every field\n"
"  worker revoke SESSION   framegated revokes the session of that name: its\n"
"                          worker exits, its cell goes, and it stays down\n"
"                          until a reload creates it anew\n"
"  reload                  framegated reads its configuration again (as on\n"
"                          SIGHUP) and says whether it took it\n"
"\n"
"Enforcement (root; the cell programs and maps pinned in " FG_PIN_DIR "):\n"
"  enforce start           load, attach and pin the cell programs, or adopt\n"
"                          those pinned already; they stay when this exits\n"
"  enforce status          /sys/kernel/framegate/enforcement (armed or\n"
"                          unarmed) and whether the pins are complete\n"
"  enforce stop            remove the pins: the programs detach, the cells\n"
"                          and endpoints are forgotten, and framegate.ko\n"
"                          refuses new sessions again\n"
"  cell add SESSION_ID     create the session's cell, the cgroup\n"
"                          CELL_ROOT/session-SESSION_ID (CELL_ROOT: as the\n"
"                          programs were loaded; enforce start loads them\n"
"                          for " FG_CELL_ROOT ")\n"
"  cell remove SESSION_ID  revoke the session, kill the cell's tasks, forget\n"
"                          its endpoints and remove the cgroup\n"
"  cell list               every cell: cgroup id and session\n"
"  endpoint add SESSION_ID ADDRESS PORT\n"
"  endpoint remove SESSION_ID ADDRESS PORT\n"
"                          allow or disallow the session's cell to connect\n"
"                          or send to ADDRESS (IPv4 or IPv6) and PORT\n"
"  endpoint list           every endpoint: session, address, port\n"
"\n"
"Options:\n"
"  -j, --json              one JSON document (events: one object per line)\n"
"  -p, --prometheus        Prometheus text format (cameras, sessions, stats,\n"
"                          workers)\n"
"  -s, --socket SOCKET     framegated's control socket\n"
"                          [default: " CONFIG_SOCKET_DEFAULT "]\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 on success, 1 on errors, 2 on usage errors.\n";

static void __attribute__((noreturn))
help(void)
{
	fputs(usage_text, stdout);
	fputs(manual, stdout);
	exit(0);
}

/* Helpers */

/* All of s is a decimal number in 1..max. */
static bool
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *v != 0 && *v <= max;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct fg_nl *
nl_open(struct fg_nl *(*open)(void))
{
	struct fg_nl *nl;

	if ((nl = open()) == NULL && errno == ENOENT)
		fatal(0, "generic netlink family \"%s\" not found; "
		    "is framegate.ko loaded?", FG_GENL_NAME);
	if (nl == NULL)
		fatal(errno, "netlink");
	return nl;
}

/* A growing array of whatever a dump returns. */
struct list {
	void	*v;
	size_t	 n;
	size_t	 size;
};

static int
list_add(struct list *l, const void *item)
{
	char *v;

	if ((v = reallocarray(l->v, l->n + 1, l->size)) == NULL)
		return -ENOMEM;
	memcpy(v + l->n++ * l->size, item, l->size);
	l->v = v;
	return 0;
}

static int
camera_add(const struct fg_camera_status *c, void *l)
{
	return list_add(l, c);
}

static int
session_add(const struct fg_session_status *s, void *l)
{
	return list_add(l, s);
}

static void
get_cameras(struct fg_nl *nl, struct list *l)
{
	int r;

	*l = (struct list){ .size = sizeof(struct fg_camera_status) };
	if ((r = fg_nl_dump_cameras(nl, camera_add, l)) != 0)
		fatal(-r, "cameras");
}

static void
get_sessions(struct fg_nl *nl, struct list *l)
{
	int r;

	*l = (struct list){ .size = sizeof(struct fg_session_status) };
	if ((r = fg_nl_dump_sessions(nl, session_add, l)) != 0)
		fatal(-r, "sessions");
}

/* "1,2,5" */
static const char *
session_cameras(const struct fg_session_status *s, char *buf, size_t size)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < s->ncameras && off < size; i++)
		off += snprintf(buf + off, size - off, "%s%" PRIu32,
		    i > 0 ? "," : "", s->cameras[i]);
	return buf;
}

/* The 64-bit counters, in uapi order, shared by JSON and Prometheus. */
struct counter {
	const char	*name;
	bool		 gauge;
	const char	*help;
	size_t		 off;
};

#define STAT(name, gauge, help) \
	{ #name, gauge, help, offsetof(struct fg_stats, name) }

static const struct counter stats_counters[] = {
	STAT(cameras_attached, true, "Cameras attached."),
	STAT(sessions_active, true, "Sessions active."),
	STAT(sessions_created, false, "Sessions created."),
	STAT(sessions_revoked, false, "Sessions revoked."),
	STAT(frames_captured, false, "Frames captured by all cameras."),
	STAT(frames_delivered, false, "Frames acquired by all sessions."),
	STAT(frames_dropped, false, "Frames dropped by all sessions ever."),
	STAT(bytes_delivered, false, "Bytes acquired by all sessions."),
};

#define SESSION(name, gauge, help) \
	{ #name, gauge, help, offsetof(struct fg_session_status, name) }

static const struct counter session_counters[] = {
	SESSION(frames_captured, false, "Frames captured for the session."),
	SESSION(frames_delivered, false, "Frames acquired by the session."),
	SESSION(frames_dropped_overrun, false,
	    "Ready frames dropped for a newer one."),
	SESSION(frames_dropped_held, false,
	    "New frames dropped because every slot was held."),
	SESSION(frames_dropped_revoked, false,
	    "Ready frames dropped when the session ended."),
	SESSION(frames_queued, true, "Frames ready to be acquired."),
	SESSION(frames_held, true, "Frames acquired and not released."),
	SESSION(bytes_delivered, false, "Bytes acquired by the session."),
};

static uint64_t
counter_value(const struct counter *c, const void *obj)
{
	uint64_t v;

	memcpy(&v, (const char *)obj + c->off, sizeof(v));
	return v;
}

/* Text tables: a header row, then rows of ncols cells, left-aligned. */
struct table {
	size_t	  ncols;
	size_t	  n;
	char	**cells;
};

static void __attribute__((format(printf, 2, 3)))
cell(struct table *t, const char *fmt, ...)
{
	char **cells, *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0 ||
	    (cells = reallocarray(t->cells, t->n + 1, sizeof(*cells))) == NULL)
		fatal(ENOMEM, "table");
	cells[t->n++] = s;
	t->cells = cells;
}

static void
table_init(struct table *t, const char *const *header, size_t ncols)
{
	size_t i;

	*t = (struct table){ .ncols = ncols };
	for (i = 0; i < ncols; i++)
		cell(t, "%s", header[i]);
}

static void
table_print(struct table *t)
{
	size_t i, *width;

	if ((width = calloc(t->ncols, sizeof(*width))) == NULL)
		fatal(ENOMEM, "table");
	for (i = 0; i < t->n; i++)
		if (strlen(t->cells[i]) > width[i % t->ncols])
			width[i % t->ncols] = strlen(t->cells[i]);
	for (i = 0; i < t->n; i++) {
		if (i % t->ncols == t->ncols - 1)
			printf("%s\n", t->cells[i]);
		else
			printf("%-*s  ", (int)width[i % t->ncols], t->cells[i]);
		free(t->cells[i]);
	}
	free(t->cells);
	free(width);
}

/* JSON (json-c) */

/* json-c returns NULL or fails only when it is out of memory. */
static struct json_object *
jnew(struct json_object *o)
{
	if (o == NULL)
		fatal(ENOMEM, "JSON");
	return o;
}

/* obj[key] = v (v NULL: null). */
static void
jset(struct json_object *obj, const char *key, struct json_object *v)
{
	if (json_object_object_add(obj, key, v) != 0)
		fatal(ENOMEM, "JSON");
}

static void
jset_str(struct json_object *obj, const char *key, const char *s)
{
	jset(obj, key, jnew(json_object_new_string(s)));
}

static void
jset_u64(struct json_object *obj, const char *key, uint64_t v)
{
	jset(obj, key, jnew(json_object_new_uint64(v)));
}

static void
jset_i64(struct json_object *obj, const char *key, int64_t v)
{
	jset(obj, key, jnew(json_object_new_int64(v)));
}

static void
jappend(struct json_object *array, struct json_object *v)
{
	if (json_object_array_add(array, v) != 0)
		fatal(ENOMEM, "JSON");
}

/* The document on one line (keys in the order they were set), freed. */
static void
jprint(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Prometheus strings */

static void
prom_label(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static void
prom_family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* framegate_<prefix><name>[_total] */
static const char *
prom_name(const char *prefix, const struct counter *c, char *buf,
    size_t size)
{
	snprintf(buf, size, "framegate_%s%s%s", prefix, c->name,
	    c->gauge ? "" : "_total");
	return buf;
}

/* cameras */

static void
cameras_text(const struct list *l)
{
	static const char *const header[] = { "ID", "DEVICE", "STATE",
	    "FORMAT", "SIZE", "FPS", "BUFFERS", "SESSIONS", "CAPTURED",
	    "DROPPED" };
	const struct fg_camera_status *c = l->v;
	char fourcc[FG_FOURCC_LEN];
	struct table t;
	size_t i;

	table_init(&t, header, nitems(header));
	for (i = 0; i < l->n; i++, c++) {
		cell(&t, "%" PRIu32, c->camera_id);
		cell(&t, "%s", c->device);
		cell(&t, "%s", fg_camera_state_name(c->state));
		cell(&t, "%s", fg_fourcc_str(c->pixelformat, fourcc));
		cell(&t, "%" PRIu32 "x%" PRIu32, c->width, c->height);
		if (c->fps == FG_FPS_DRIVER)
			cell(&t, "driver");
		else
			cell(&t, "%" PRIu32, c->fps);
		cell(&t, "%" PRIu32, c->buffers);
		cell(&t, "%" PRIu32, c->session_count);
		cell(&t, "%" PRIu64, c->frames_captured);
		cell(&t, "%" PRIu64, c->frames_dropped);
	}
	table_print(&t);
}

static void
cameras_json(const struct list *l)
{
	const struct fg_camera_status *c = l->v;
	struct json_object *a = jnew(json_object_new_array()), *o;
	char fourcc[FG_FOURCC_LEN];
	size_t i;

	for (i = 0; i < l->n; i++, c++) {
		o = jnew(json_object_new_object());
		jset_u64(o, "camera_id", c->camera_id);
		jset_str(o, "state", fg_camera_state_name(c->state));
		jset_str(o, "device", c->device);
		jset_str(o, "pixelformat", fg_fourcc_str(c->pixelformat,
		    fourcc));
		jset_u64(o, "width", c->width);
		jset_u64(o, "height", c->height);
		jset_u64(o, "fps", c->fps);
		jset_u64(o, "buffers", c->buffers);
		jset_u64(o, "session_count", c->session_count);
		jset_u64(o, "frames_captured", c->frames_captured);
		jset_u64(o, "frames_dropped", c->frames_dropped);
		jappend(a, o);
	}
	jprint(a);
}

static void
camera_labels(const struct fg_camera_status *c)
{
	printf("{camera=\"%" PRIu32 "\",device=\"", c->camera_id);
	prom_label(c->device);
	fputs("\"}", stdout);
}

static void
cameras_prometheus(const struct list *l)
{
	const struct fg_camera_status *c;
	char fourcc[FG_FOURCC_LEN];
	size_t i;

	prom_family("framegate_camera_info", "gauge",
	    "Camera configuration, in labels.");
	for (i = 0, c = l->v; i < l->n; i++, c++) {
		printf("framegate_camera_info{camera=\"%" PRIu32
		    "\",device=\"", c->camera_id);
		prom_label(c->device);
		printf("\",state=\"%s\",pixelformat=\"",
		    fg_camera_state_name(c->state));
		prom_label(fg_fourcc_str(c->pixelformat, fourcc));
		printf("\",width=\"%" PRIu32 "\",height=\"%" PRIu32
		    "\",fps=\"", c->width, c->height);
		if (c->fps == FG_FPS_DRIVER)
			printf("driver");
		else
			printf("%" PRIu32, c->fps);
		printf("\",buffers=\"%" PRIu32 "\"} 1\n", c->buffers);
	}
	prom_family("framegate_camera_sessions", "gauge",
	    "Sessions that include the camera.");
	for (i = 0, c = l->v; i < l->n; i++, c++) {
		fputs("framegate_camera_sessions", stdout);
		camera_labels(c);
		printf(" %" PRIu32 "\n", c->session_count);
	}
	prom_family("framegate_camera_frames_captured_total", "counter",
	    "Frames captured by the camera.");
	for (i = 0, c = l->v; i < l->n; i++, c++) {
		fputs("framegate_camera_frames_captured_total", stdout);
		camera_labels(c);
		printf(" %" PRIu64 "\n", c->frames_captured);
	}
	prom_family("framegate_camera_frames_dropped_total", "counter",
	    "Buffers the driver returned with an error.");
	for (i = 0, c = l->v; i < l->n; i++, c++) {
		fputs("framegate_camera_frames_dropped_total", stdout);
		camera_labels(c);
		printf(" %" PRIu64 "\n", c->frames_dropped);
	}
}

/* sessions */

static void
sessions_text(const struct list *l)
{
	static const char *const header[] = { "ID", "TENANT", "STATE",
	    "DEPTH", "CAMERAS", "CAPTURED", "DELIVERED", "DROP-OVERRUN",
	    "DROP-HELD", "DROP-REVOKED", "QUEUED", "HELD", "BYTES" };
	const struct fg_session_status *s = l->v;
	char cams[FG_SESSION_CAMERAS_MAX * 11];
	struct table t;
	size_t i;

	table_init(&t, header, nitems(header));
	for (i = 0; i < l->n; i++, s++) {
		cell(&t, "%" PRIu64, s->session_id);
		cell(&t, "%" PRIu64, s->tenant_id);
		cell(&t, "%s", fg_session_state_name(s->state));
		cell(&t, "%" PRIu32, s->depth);
		cell(&t, "%s", session_cameras(s, cams, sizeof(cams)));
		cell(&t, "%" PRIu64, s->frames_captured);
		cell(&t, "%" PRIu64, s->frames_delivered);
		cell(&t, "%" PRIu64, s->frames_dropped_overrun);
		cell(&t, "%" PRIu64, s->frames_dropped_held);
		cell(&t, "%" PRIu64, s->frames_dropped_revoked);
		cell(&t, "%" PRIu64, s->frames_queued);
		cell(&t, "%" PRIu64, s->frames_held);
		cell(&t, "%" PRIu64, s->bytes_delivered);
	}
	table_print(&t);
}

static void
sessions_json(const struct list *l)
{
	const struct fg_session_status *s = l->v;
	struct json_object *a = jnew(json_object_new_array()), *o, *cams;
	const struct counter *c;
	size_t i, j;

	for (i = 0; i < l->n; i++, s++) {
		o = jnew(json_object_new_object());
		jset_u64(o, "session_id", s->session_id);
		jset_u64(o, "tenant_id", s->tenant_id);
		jset_str(o, "state", fg_session_state_name(s->state));
		jset_u64(o, "created_ns", s->created_ns);
		jset_u64(o, "depth", s->depth);
		cams = jnew(json_object_new_array());
		for (j = 0; j < s->ncameras; j++)
			jappend(cams, jnew(json_object_new_uint64(
			    s->cameras[j])));
		jset(o, "cameras", cams);
		for (c = session_counters; c < session_counters +
		    nitems(session_counters); c++)
			jset_u64(o, c->name, counter_value(c, s));
		jappend(a, o);
	}
	jprint(a);
}

static void
sessions_prometheus(const struct list *l)
{
	const struct fg_session_status *s;
	const struct counter *c;
	char cams[FG_SESSION_CAMERAS_MAX * 11], name[96];
	size_t i;

	prom_family("framegate_session_info", "gauge",
	    "Session state and configuration, in labels.");
	for (i = 0, s = l->v; i < l->n; i++, s++)
		printf("framegate_session_info{session=\"%" PRIu64
		    "\",tenant=\"%" PRIu64 "\",state=\"%s\",depth=\"%" PRIu32
		    "\",cameras=\"%s\"} 1\n", s->session_id, s->tenant_id,
		    fg_session_state_name(s->state), s->depth,
		    session_cameras(s, cams, sizeof(cams)));
	for (c = session_counters; c < session_counters +
	    nitems(session_counters); c++) {
		prom_name("session_", c, name, sizeof(name));
		prom_family(name, c->gauge ? "gauge" : "counter", c->help);
		for (i = 0, s = l->v; i < l->n; i++, s++)
			printf("%s{session=\"%" PRIu64 "\",tenant=\"%" PRIu64
			    "\"} %" PRIu64 "\n", name, s->session_id,
			    s->tenant_id, counter_value(c, s));
	}
}

/* workers, from framegated's control socket */

/*
 * Sends req to framegated on socket_path and reads the whole answer: each
 * WORKER into l (when not NULL), the session id of a DONE into *done_id.
 * 0, or a negative errno with the reason in *why (connecting, the answer,
 * or "refused" with the daemon's ERROR).
 */
static int
control_ask(struct control_msg *req, struct list *l, uint64_t *done_id,
    const char **why)
{
	struct control_reader reader = { .request = req->hdr.type };
	struct control_msg msg;
	int fd, r;

	if (l != NULL)
		*l = (struct list){ .size = sizeof(struct control_worker) };
	*why = "connect";
	if ((fd = control_connect(socket_path)) < 0)
		return fd;
	*why = "request";
	if ((r = control_send(fd, req, CONTROL_FROM_CLIENT)) != 0)
		goto out;
	*why = "answer";
	while (!reader.done) {
		if ((r = control_recv(fd, &msg, CONTROL_FROM_DAEMON)) != 0 ||
		    (r = control_reader_accept(&reader, &msg)) != 0)
			goto out;
		if (msg.hdr.type == CONTROL_MSG_ERROR) {
			*why = "refused";
			r = -msg.error.error;
			goto out;
		}
		if (msg.hdr.type == CONTROL_MSG_DONE && done_id != NULL)
			*done_id = msg.done.session_id;
		if (msg.hdr.type == CONTROL_MSG_WORKER && l != NULL &&
		    (r = list_add(l, &msg.worker)) != 0)
			goto out;
	}
out:
	close(fd);
	if (r != 0 && l != NULL) {
		free(l->v);
		l->v = NULL;
		l->n = 0;
	}
	return r;
}

/* Exits with what control_ask() failed with, for what (a command). */
static void __attribute__((noreturn))
control_fatal(const char *what, int r, const char *why)
{
	if (strcmp(why, "connect") == 0 && (r == -ENOENT || r == -ECONNREFUSED))
		fatal(-r, "%s: framegated is not running: %s", what,
		    socket_path);
	if (strcmp(why, "refused") == 0)
		fatal(-r, "%s: framegated refused the request on %s", what,
		    socket_path);
	fatal(-r, "%s: framegated: %s: %s", what, socket_path, why);
}

static void
workers_fetch(struct list *l)
{
	struct control_msg req;
	const char *why;
	int r;

	control_msg_init(&req, CONTROL_MSG_STATS);
	if ((r = control_ask(&req, l, NULL, &why)) != 0)
		control_fatal("workers", r, why);
}

static const char *
seccomp_kills(const struct control_worker *w, char *buf, size_t size)
{
	if (!(w->flags & CONTROL_WORKER_F_SECCOMP))
		return "-";
	snprintf(buf, size, "%" PRIu64, w->seccomp_kills);
	return buf;
}

static void
workers_text(const struct list *l)
{
	static const char *const header[] = { "SESSION", "TENANT", "ID",
	    "PID", "STATE", "RESTARTS", "SECCOMP", "ACQUIRED", "ENCODED",
	    "UPLOADED", "DROP-QUEUE", "DROP-FAILED", "DROP-TIMEOUT", "ERRORS",
	    "BYTES", "P50-US", "P99-US" };
	const struct control_worker *w = l->v;
	const uint64_t *c;
	char buf[24];
	struct table t;
	size_t i;

	table_init(&t, header, nitems(header));
	for (i = 0; i < l->n; i++, w++) {
		c = w->counters;
		cell(&t, "%s", w->session);
		cell(&t, "%s", w->tenant);
		cell(&t, "%" PRIu64, w->session_id);
		cell(&t, "%" PRId32, w->pid);
		cell(&t, "%s", control_worker_state_name(w->state));
		cell(&t, "%" PRIu32, w->restarts);
		cell(&t, "%s", seccomp_kills(w, buf, sizeof(buf)));
		cell(&t, "%" PRIu64, c[CONTROL_ACQUIRED]);
		cell(&t, "%" PRIu64, c[CONTROL_ENCODED]);
		cell(&t, "%" PRIu64, c[CONTROL_UPLOADED]);
		cell(&t, "%" PRIu64, c[CONTROL_DROPPED_QUEUE_FULL]);
		cell(&t, "%" PRIu64, c[CONTROL_DROPPED_UPLOAD_FAILED]);
		cell(&t, "%" PRIu64, c[CONTROL_DROPPED_TIMEOUT]);
		cell(&t, "%" PRIu64, c[CONTROL_ERR_CONNECT] + c[CONTROL_ERR_TLS] +
		    c[CONTROL_ERR_HTTP] + c[CONTROL_ERR_TIMEOUT] +
		    c[CONTROL_ERR_OTHER]);
		cell(&t, "%" PRIu64, c[CONTROL_BYTES]);
		cell(&t, "%" PRIu64, c[CONTROL_LATENCY_P50_US]);
		cell(&t, "%" PRIu64, c[CONTROL_LATENCY_P99_US]);
	}
	table_print(&t);
}

/* worker show: every field, one per line. */
static void
worker_lines(const struct control_worker *w)
{
	char buf[24];
	size_t k;

	printf("%-28s %s\n", "session", w->session);
	printf("%-28s %s\n", "tenant", w->tenant);
	printf("%-28s %" PRIu64 "\n", "session_id", w->session_id);
	printf("%-28s %" PRIu64 "\n", "tenant_id", w->tenant_id);
	printf("%-28s %" PRId32 "\n", "pid", w->pid);
	printf("%-28s %s\n", "state", control_worker_state_name(w->state));
	printf("%-28s %" PRIu32 "\n", "restarts", w->restarts);
	printf("%-28s %s\n", "seccomp_kills", seccomp_kills(w, buf,
	    sizeof(buf)));
	printf("%-28s %" PRIu64 "\n", "messages_refused", w->refused);
	for (k = 0; k < CONTROL_NCOUNTERS; k++)
		printf("%-28s %" PRIu64 "\n", control_counters[k].name,
		    w->counters[k]);
}

static void
workers_json(const struct list *l, bool array)
{
	const struct control_worker *w = l->v;
	struct json_object *a = jnew(json_object_new_array()), *o = NULL;
	size_t i, k;

	for (i = 0; i < l->n; i++, w++) {
		o = jnew(json_object_new_object());
		jset_str(o, "session", w->session);
		jset_str(o, "tenant", w->tenant);
		jset_u64(o, "session_id", w->session_id);
		jset_u64(o, "tenant_id", w->tenant_id);
		jset_i64(o, "pid", w->pid);
		jset_str(o, "state", control_worker_state_name(w->state));
		jset_u64(o, "restarts", w->restarts);
		if (w->flags & CONTROL_WORKER_F_SECCOMP)
			jset_u64(o, "seccomp_kills", w->seccomp_kills);
		else
			jset(o, "seccomp_kills", NULL);
		jset_u64(o, "messages_refused", w->refused);
		for (k = 0; k < CONTROL_NCOUNTERS; k++)
			jset_u64(o, control_counters[k].name, w->counters[k]);
		jappend(a, o);
	}
	/* One worker: the object itself. */
	if (!array && l->n == 1) {
		json_object_get(o);
		json_object_put(a);
		a = o;
	}
	jprint(a);
}

/*
 * The labels of the kernel's session metrics (session and tenant ids), so
 * that a query can set a worker's counters against its session's.
 */
static void
worker_labels(const struct control_worker *w)
{
	printf("{session=\"%" PRIu64 "\",tenant=\"%" PRIu64 "\"}",
	    w->session_id, w->tenant_id);
}

/* The parent's own counters of a worker, before the worker's. */
static const struct control_counter_info worker_extra[] = {
	{ "restarts", "Workers started again after the first.", false },
	{ "seccomp_kills", "Workers killed by their seccomp filter.", false },
	{ "messages_refused", "Messages of the worker the parent refused.",
	  false },
};

/* Series k of worker_extra then control_counters; false: none for w. */
static bool
worker_value(const struct control_worker *w, size_t k, uint64_t *v)
{
	switch (k) {
	case 0:
		*v = w->restarts;
		return true;
	case 1:
		*v = w->seccomp_kills;
		return (w->flags & CONTROL_WORKER_F_SECCOMP) != 0;
	case 2:
		*v = w->refused;
		return true;
	}
	*v = w->counters[k - nitems(worker_extra)];
	return true;
}

static void
workers_prometheus(const struct list *l)
{
	const struct control_worker *w;
	char name[96];
	size_t i, k;

	prom_family("framegate_worker_info", "gauge",
	    "A session's worker: names and state, in labels.");
	for (i = 0, w = l->v; i < l->n; i++, w++) {
		printf("framegate_worker_info{session=\"%" PRIu64
		    "\",tenant=\"%" PRIu64 "\",session_name=\"", w->session_id,
		    w->tenant_id);
		prom_label(w->session);
		fputs("\",tenant_name=\"", stdout);
		prom_label(w->tenant);
		printf("\",state=\"%s\",pid=\"%" PRId32 "\"} 1\n",
		    control_worker_state_name(w->state), w->pid);
	}
	for (k = 0; k < nitems(worker_extra) + CONTROL_NCOUNTERS; k++) {
		const struct control_counter_info *c = k < nitems(worker_extra) ?
		    &worker_extra[k] :
		    &control_counters[k - nitems(worker_extra)];
		uint64_t v;

		snprintf(name, sizeof(name), "framegate_worker_%s%s", c->name,
		    c->gauge ? "" : "_total");
		prom_family(name, c->gauge ? "gauge" : "counter", c->help);
		for (i = 0, w = l->v; i < l->n; i++, w++) {
			if (!worker_value(w, k, &v))
				continue;
			fputs(name, stdout);
			worker_labels(w);
			printf(" %" PRIu64 "\n", v);
		}
	}
}

/* Commands */

static void
cmd_cameras(int argc, char *argv[])
{
	struct fg_nl *nl;
	struct list l;

	if (argc != 1)
		usage("%s: unexpected argument %s", argv[0], argv[1]);
	nl = nl_open(fg_nl_open);
	get_cameras(nl, &l);
	fg_nl_close(nl);
	if (format == TEXT)
		cameras_text(&l);
	else if (format == JSON)
		cameras_json(&l);
	else
		cameras_prometheus(&l);
	free(l.v);
}

static void
cmd_sessions(int argc, char *argv[])
{
	struct fg_nl *nl;
	struct list l;

	if (argc != 1)
		usage("%s: unexpected argument %s", argv[0], argv[1]);
	nl = nl_open(fg_nl_open);
	get_sessions(nl, &l);
	fg_nl_close(nl);
	if (format == TEXT)
		sessions_text(&l);
	else if (format == JSON)
		sessions_json(&l);
	else
		sessions_prometheus(&l);
	free(l.v);
}

static void
cmd_stats(int argc, char *argv[])
{
	const struct counter *c;
	struct list cameras, sessions, workers;
	struct json_object *o;
	struct fg_stats st;
	struct fg_nl *nl;
	struct control_msg req;
	const char *why;
	char name[96];
	int r;

	if (argc != 1)
		usage("%s: unexpected argument %s", argv[0], argv[1]);
	nl = nl_open(fg_nl_open);
	if ((r = fg_nl_get_stats(nl, &st)) != 0)
		fatal(-r, "stats");
	switch (format) {
	case TEXT:
		for (c = stats_counters; c < stats_counters +
		    nitems(stats_counters); c++)
			printf("%-18s %" PRIu64 "\n", c->name,
			    counter_value(c, &st));
		break;
	case JSON:
		o = jnew(json_object_new_object());
		for (c = stats_counters; c < stats_counters +
		    nitems(stats_counters); c++)
			jset_u64(o, c->name, counter_value(c, &st));
		jprint(o);
		break;
	case PROMETHEUS:
		get_cameras(nl, &cameras);
		get_sessions(nl, &sessions);
		for (c = stats_counters; c < stats_counters +
		    nitems(stats_counters); c++) {
			prom_name("", c, name, sizeof(name));
			prom_family(name, c->gauge ? "gauge" : "counter",
			    c->help);
			printf("%s %" PRIu64 "\n", name, counter_value(c, &st));
		}
		cameras_prometheus(&cameras);
		sessions_prometheus(&sessions);
		free(cameras.v);
		free(sessions.v);
		/* With framegated running, its workers too. */
		control_msg_init(&req, CONTROL_MSG_STATS);
		if (control_ask(&req, &workers, NULL, &why) == 0) {
			workers_prometheus(&workers);
			free(workers.v);
		}
		break;
	}
	fg_nl_close(nl);
}

static void
cmd_workers(int argc, char *argv[])
{
	struct list l;

	if (argc != 1)
		usage("%s: unexpected argument %s", argv[0], argv[1]);
	workers_fetch(&l);
	if (format == TEXT)
		workers_text(&l);
	else if (format == JSON)
		workers_json(&l, true);
	else
		workers_prometheus(&l);
	free(l.v);
}

/*
 * worker revoke SESSION: framegated revokes the session of that name
 * (framegated.conf(5)), its worker exits and its cell goes; no worker runs
 * for it until a reload.
 */
static void
worker_revoke(const char *name)
{
	struct control_msg req;
	struct json_object *o;
	uint64_t id = 0;
	const char *why;
	int r;

	control_msg_init(&req, CONTROL_MSG_REVOKE);
	if (strlen(name) >= sizeof(req.revoke.session))
		usage("worker revoke: session name too long: %s", name);
	strcpy(req.revoke.session, name);
	r = control_ask(&req, NULL, &id, &why);
	if (r == -ENOENT && strcmp(why, "refused") == 0)
		fatal(0, "worker revoke: framegated has no session %s", name);
	if (r == -EALREADY && strcmp(why, "refused") == 0)
		fatal(0, "worker revoke: session %s is not running (revoked "
		    "or given up); a reload creates it anew", name);
	if (r == -EINVAL && strcmp(why, "request") == 0)
		usage("worker revoke: not a session name: %s", name);
	if (r != 0)
		control_fatal("worker revoke", r, why);
	if (format == JSON) {
		o = jnew(json_object_new_object());
		jset_str(o, "session", name);
		jset_u64(o, "session_id", id);
		jprint(o);
	} else {
		printf("session %s: revoked session %" PRIu64 "\n", name, id);
	}
}

/* reload: framegated reads its configuration again, as on SIGHUP. */
static void
cmd_reload(int argc, char *argv[])
{
	struct control_msg req;
	struct json_object *o;
	const char *why;
	int r;

	(void)argv;
	if (argc != 1)
		usage("reload: takes no argument");
	control_msg_init(&req, CONTROL_MSG_RELOAD);
	r = control_ask(&req, NULL, NULL, &why);
	if (r == -EINVAL && strcmp(why, "refused") == 0)
		fatal(0, "reload: the configuration has errors (framegated's "
		    "log names each FILE:LINE); the running one stays");
	if (r != 0)
		control_fatal("reload", r, why);
	if (format == JSON) {
		o = jnew(json_object_new_object());
		jset(o, "reloaded", jnew(json_object_new_boolean(1)));
		jprint(o);
	} else {
		printf("framegated: configuration reloaded\n");
	}
}

/* worker show SESSION (by its name or its id), worker revoke SESSION. */
static void
cmd_worker(int argc, char *argv[])
{
	const struct control_worker *w;
	struct list l, one;
	uint64_t id = 0;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "revoke") == 0) {
		if (format == PROMETHEUS)
			usage("worker revoke: -p applies to worker show");
		worker_revoke(argv[2]);
		return;
	}
	if (argc != 3 || strcmp(argv[1], "show") != 0)
		usage("worker: expected show SESSION or revoke SESSION");
	(void)parse_u64(argv[2], UINT64_MAX, &id);
	workers_fetch(&l);
	for (i = 0, w = l.v; i < l.n; i++, w++)
		if (strcmp(w->session, argv[2]) == 0 || w->session_id == id)
			break;
	if (i == l.n)
		fatal(0, "worker show: framegated has no session %s", argv[2]);
	one = (struct list){ .v = (void *)w, .n = 1, .size = l.size };
	if (format == TEXT)
		worker_lines(w);
	else if (format == JSON)
		workers_json(&one, false);
	else
		workers_prometheus(&one);
	free(l.v);
}

static void
cmd_revoke(int argc, char *argv[])
{
	struct fg_nl *nl;
	uint64_t id;
	int r;

	if (argc != 2)
		usage(NULL);
	if (!parse_u64(argv[1], UINT64_MAX, &id))
		usage("revoke: invalid session id %s", argv[1]);
	nl = nl_open(fg_nl_open);
	if ((r = fg_nl_revoke_session(nl, id)) != 0)
		fatal(-r, "revoke %" PRIu64, id);
	fg_nl_close(nl);
}

/* A denial names its hook and the counter's value; no tenant. */
static void
print_event(const struct fg_event_msg *ev)
{
	bool denied = ev->event == FG_EVENT_DENIED;

	struct json_object *o;

	if (format == JSON) {
		o = jnew(json_object_new_object());
		jset_str(o, "event", fg_event_name(ev->event));
		if (denied)
			jset_str(o, "hook", fg_hook_name(ev->hook));
		if (ev->camera_id != 0)
			jset_u64(o, "camera_id", ev->camera_id);
		if (ev->session_id != 0)
			jset_u64(o, "session_id", ev->session_id);
		if (ev->session_id != 0 && !denied)
			jset_u64(o, "tenant_id", ev->tenant_id);
		if (denied)
			jset_u64(o, "denied", ev->denied);
		jprint(o);
	} else {
		fputs(fg_event_name(ev->event), stdout);
		if (denied)
			printf(" hook=%s", fg_hook_name(ev->hook));
		if (ev->camera_id != 0)
			printf(" camera_id=%" PRIu32, ev->camera_id);
		if (ev->session_id != 0)
			printf(" session_id=%" PRIu64, ev->session_id);
		if (ev->session_id != 0 && !denied)
			printf(" tenant_id=%" PRIu64, ev->tenant_id);
		if (denied)
			printf(" denied=%" PRIu64, ev->denied);
		putchar('\n');
	}
}

static void
cmd_events(int argc, char *argv[])
{
	struct fg_event_msg ev;
	struct fg_nl *nl;
	uint64_t count = 0, seen = 0, timeout_s = 0;
	int64_t deadline = 0;
	int ch, r, wait;

	optind = 0;		/* restart getopt on the command's arguments */
	while ((ch = getopt(argc, argv, "+n:t:")) != -1) {
		switch (ch) {
		case 'n':
			if (!parse_u64(optarg, UINT64_MAX, &count))
				usage("events: invalid count %s", optarg);
			break;
		case 't':
			if (!parse_u64(optarg, INT_MAX / 1000, &timeout_s))
				usage("events: invalid timeout %s", optarg);
			break;
		default:
			usage(NULL);
		}
	}
	if (optind != argc)
		usage("events: unexpected argument %s", argv[optind]);

	nl = nl_open(fg_nl_events_open);
	if (timeout_s != 0)
		deadline = now_ms() + timeout_s * 1000;
	while (count == 0 || seen < count) {
		wait = -1;
		if (deadline != 0 && (wait = deadline - now_ms()) < 0)
			wait = 0;
		r = fg_nl_event_next(nl, wait, &ev);
		if (r == 0)
			break;
		if (r == -ENOBUFS) {
			warnc(-r, "events lost");
			continue;
		}
		if (r < 0)
			fatal(-r, "events");
		print_event(&ev);
		if (fflush(stdout) == EOF)
			fatal(errno, "stdout");
		seen++;
	}
	fg_nl_close(nl);
}

/* Enforcement, cells and endpoints */

static const char *
pins_name(int pins)
{
	switch (pins) {
	case FG_PINS_NONE:	return "none";
	case FG_PINS_PARTIAL:	return "partial";
	case FG_PINS_COMPLETE:	return "complete";
	default:		return "unknown";
	}
}

/*
 * The writer lock, for a command that changes enforcement, cells or
 * endpoints: held until framegatectl exits. While framegated runs, it
 * alone writes them.
 */
static void
writer_lock(const char *what)
{
	int fd;

	if ((fd = fg_writer_lock()) == -EBUSY)
		fatal(0, "%s: framegated (or another framegatectl) is changing "
		    "the cell maps; while framegated runs it alone writes "
		    "them: change its configuration and send it SIGHUP", what);
	if (fd < 0)
		fatal(-fd, "%s: %s", what, FG_WRITER_LOCK);
}

/*
 * The pinned enforcer, for the cell and endpoint commands. They never load
 * the programs themselves: enforcement is started on purpose.
 */
static struct fg_enforcer *
enforcer_adopt(const char *what)
{
	struct fg_enforcer *e;
	int pins, r;

	if ((pins = fg_enforcer_pins()) < 0)
		fatal(-pins, "%s: %s", what, FG_PIN_DIR);
	if (pins != FG_PINS_COMPLETE)
		fatal(0, "%s: enforcement is not started (pins: %s); run "
		    "\"framegatectl enforce start\" first", what,
		    pins_name(pins));
	if ((r = fg_enforcer_open(&e)) != 0)
		fatal(-r, "%s: cannot open the pinned maps", what);
	return e;
}

static void
enforce_start(void)
{
	struct fg_enforcer *e;
	int r;

	writer_lock("enforce start");
	if ((r = fg_enforcer_open(&e)) == -EOPNOTSUPP)
		fatal(0, "enforce start: framegate.ko's kfuncs are missing; "
		    "load framegate.ko (built with module BTF) first");
	if (r == -ENOENT)
		fatal(0, "enforce start: the kernel does not run BPF LSM "
		    "programs (\"bpf\" missing from lsm=)");
	if (r != 0)
		fatal(-r, "enforce start");
	/* framegate.ko's own verdict: its probe must be refused now. */
	if ((r = fg_enforcement_armed()) != 1)
		fatal(r < 0 ? -r : 0, "enforce start: programs pinned, but "
		    "framegate.ko does not say armed");
	printf("enforcement armed: %s, cells under %s\n",
	    fg_enforcer_adopted(e) ? "adopted pinned state" : "loaded",
	    fg_enforcer_cell_root(e));
	fg_enforcer_close(e);
}

static void
enforce_status(void)
{
	struct json_object *o;
	const char *armed;
	int pins, r;

	if ((r = fg_enforcement_armed()) >= 0)
		armed = r ? "armed" : "unarmed";
	else if (r == -ENOENT)
		armed = "unknown (framegate.ko not loaded)";
	else
		armed = "unknown";
	if ((pins = fg_enforcer_pins()) < 0)
		fatal(-pins, "enforce status: %s", FG_PIN_DIR);
	if (format == JSON) {
		o = jnew(json_object_new_object());
		jset_str(o, "enforcement", armed);
		jset_str(o, "pins", pins_name(pins));
		jset_str(o, "pin_dir", FG_PIN_DIR);
		jprint(o);
	} else {
		printf("enforcement: %s\n", armed);
		printf("pins: %s (%s)\n", pins_name(pins), FG_PIN_DIR);
	}
}

static void
enforce_stop(void)
{
	int r;

	writer_lock("enforce stop");
	if ((r = fg_enforcer_unpin()) == -ENOENT)
		fatal(0, "enforce stop: nothing is pinned in %s", FG_PIN_DIR);
	if (r != 0)
		fatal(-r, "enforce stop: %s", FG_PIN_DIR);
	printf("enforcement unpinned\n");
}

static void
cmd_enforce(int argc, char *argv[])
{
	if (argc != 2)
		usage("enforce: expected start, status or stop");
	if (strcmp(argv[1], "start") == 0)
		enforce_start();
	else if (strcmp(argv[1], "status") == 0)
		enforce_status();
	else if (strcmp(argv[1], "stop") == 0)
		enforce_stop();
	else
		usage("enforce: unknown subcommand %s", argv[1]);
}

static uint64_t
session_arg(const char *what, const char *s)
{
	uint64_t id;

	if (!parse_u64(s, FG_SESSION_ID_PROBE - 1, &id))
		usage("%s: invalid session id %s", what, s);
	return id;
}

struct cell_row {
	uint64_t	cell_id;
	uint64_t	session_id;
};

static int
cell_add_row(uint64_t cell_id, uint64_t session_id, void *l)
{
	struct cell_row row = { cell_id, session_id };

	return list_add(l, &row);
}

static int
cell_row_cmp(const void *a, const void *b)
{
	const struct cell_row *x = a, *y = b;

	return x->session_id < y->session_id ? -1 :
	    x->session_id > y->session_id;
}

static void
cell_list(struct fg_enforcer *e)
{
	static const char *const header[] = { "SESSION", "CGROUP-ID", "PATH" };
	struct list l = { .size = sizeof(struct cell_row) };
	struct json_object *a, *o;
	const struct cell_row *c;
	struct table t;
	size_t i;
	int r;

	if ((r = fg_cell_foreach(e, cell_add_row, &l)) != 0)
		fatal(-r, "cell list");
	if (l.n > 0)
		qsort(l.v, l.n, l.size, cell_row_cmp);
	if (format == JSON) {
		a = jnew(json_object_new_array());
		for (i = 0, c = l.v; i < l.n; i++, c++) {
			o = jnew(json_object_new_object());
			jset_u64(o, "session_id", c->session_id);
			jset_u64(o, "cgroup_id", c->cell_id);
			jappend(a, o);
		}
		jprint(a);
	} else {
		table_init(&t, header, nitems(header));
		for (i = 0, c = l.v; i < l.n; i++, c++) {
			cell(&t, "%" PRIu64, c->session_id);
			cell(&t, "%" PRIu64, c->cell_id);
			cell(&t, "%s/session-%" PRIu64,
			    fg_enforcer_cell_root(e), c->session_id);
		}
		table_print(&t);
	}
	free(l.v);
}

static void
cmd_cell(int argc, char *argv[])
{
	struct fg_enforcer *e;
	uint64_t id, cgid;
	int r;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		e = enforcer_adopt("cell list");
		cell_list(e);
	} else if (argc == 3 && strcmp(argv[1], "add") == 0) {
		id = session_arg("cell add", argv[2]);
		writer_lock("cell add");
		e = enforcer_adopt("cell add");
		if ((r = fg_cell_create(e, id, NULL, &cgid)) == -EEXIST)
			fatal(0, "cell add: session %" PRIu64 " has a cell "
			    "already", id);
		if (r == -EBUSY)
			fatal(0, "cell add: %s/session-%" PRIu64 " was left "
			    "behind with tasks in it; cell remove %" PRIu64
			    " kills them", fg_enforcer_cell_root(e), id, id);
		if (r != 0)
			fatal(-r, "cell add %" PRIu64, id);
		printf("session %" PRIu64 ": cell %s/session-%" PRIu64
		    ", cgroup id %" PRIu64 "\n", id, fg_enforcer_cell_root(e),
		    id, cgid);
	} else if (argc == 3 && strcmp(argv[1], "remove") == 0) {
		id = session_arg("cell remove", argv[2]);
		writer_lock("cell remove");
		e = enforcer_adopt("cell remove");
		if ((r = fg_cell_remove(e, id)) == -ENOENT)
			fatal(0, "cell remove: session %" PRIu64 " has no "
			    "cell", id);
		if (r == -EBUSY)
			fatal(0, "cell remove %" PRIu64 ": tasks of the cell "
			    "survived cgroup.kill; try again", id);
		if (r != 0)
			fatal(-r, "cell remove %" PRIu64, id);
	} else {
		usage("cell: expected add SESSION_ID, remove SESSION_ID or "
		    "list");
	}
	fg_enforcer_close(e);
}

/* ADDRESS (IPv4 or IPv6 literal) and PORT (1..65535) as a sockaddr. */
static socklen_t
endpoint_arg(const char *addr, const char *port, struct sockaddr_in6 *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	uint64_t p;

	if (!parse_u64(port, UINT16_MAX, &p))
		usage("endpoint: invalid port %s (1 to 65535)", port);
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, addr, &ss->sin6_addr) == 1) {
		ss->sin6_family = AF_INET6;
		ss->sin6_port = htons(p);
		return sizeof(*ss);
	}
	usage("endpoint: %s is not an IPv4 or IPv6 address", addr);
}

/* "[addr]" for IPv6, "addr" for IPv4, and the port. */
static void
endpoint_str(const struct sockaddr *sa, char *addr, size_t size,
    uint16_t *port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, addr, size);
		*port = ntohs(sin->sin_port);
	} else {
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, size);
		*port = ntohs(sin6->sin6_port);
	}
}

struct endpoint_row {
	uint64_t	session_id;
	uint16_t	port;
	char		addr[INET6_ADDRSTRLEN];
};

static int
endpoint_add_row(uint64_t session_id, const struct sockaddr *sa,
    socklen_t len, void *l)
{
	struct endpoint_row row = { .session_id = session_id };

	(void)len;
	endpoint_str(sa, row.addr, sizeof(row.addr), &row.port);
	return list_add(l, &row);
}

static int
endpoint_row_cmp(const void *a, const void *b)
{
	const struct endpoint_row *x = a, *y = b;
	int c;

	if (x->session_id != y->session_id)
		return x->session_id < y->session_id ? -1 : 1;
	if ((c = strcmp(x->addr, y->addr)) != 0)
		return c;
	return (int)x->port - (int)y->port;
}

static void
endpoint_list(struct fg_enforcer *e)
{
	static const char *const header[] = { "SESSION", "ADDRESS", "PORT" };
	struct list l = { .size = sizeof(struct endpoint_row) };
	struct json_object *a, *o;
	const struct endpoint_row *r;
	struct table t;
	size_t i;
	int error;

	if ((error = fg_endpoint_foreach(e, endpoint_add_row, &l)) != 0)
		fatal(-error, "endpoint list");
	if (l.n > 0)
		qsort(l.v, l.n, l.size, endpoint_row_cmp);
	if (format == JSON) {
		a = jnew(json_object_new_array());
		for (i = 0, r = l.v; i < l.n; i++, r++) {
			o = jnew(json_object_new_object());
			jset_u64(o, "session_id", r->session_id);
			jset_str(o, "address", r->addr);
			jset_u64(o, "port", r->port);
			jappend(a, o);
		}
		jprint(a);
	} else {
		table_init(&t, header, nitems(header));
		for (i = 0, r = l.v; i < l.n; i++, r++) {
			cell(&t, "%" PRIu64, r->session_id);
			cell(&t, "%s", r->addr);
			cell(&t, "%" PRIu16, r->port);
		}
		table_print(&t);
	}
	free(l.v);
}

static void
cmd_endpoint(int argc, char *argv[])
{
	struct fg_enforcer *e;
	struct sockaddr_in6 ss;
	socklen_t len;
	uint64_t id;
	bool add;
	int r;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		e = enforcer_adopt("endpoint list");
		endpoint_list(e);
		fg_enforcer_close(e);
		return;
	}
	if (argc != 5 || (strcmp(argv[1], "add") != 0 &&
	    strcmp(argv[1], "remove") != 0))
		usage("endpoint: expected add|remove SESSION_ID ADDRESS PORT, "
		    "or list");
	add = strcmp(argv[1], "add") == 0;
	id = session_arg(add ? "endpoint add" : "endpoint remove", argv[2]);
	len = endpoint_arg(argv[3], argv[4], &ss);
	writer_lock(add ? "endpoint add" : "endpoint remove");
	e = enforcer_adopt(add ? "endpoint add" : "endpoint remove");
	if (add)
		r = fg_endpoint_add(e, id, (struct sockaddr *)&ss, len);
	else
		r = fg_endpoint_remove(e, id, (struct sockaddr *)&ss, len);
	if (r == -ENOENT && !add)
		fatal(0, "endpoint remove: session %" PRIu64 " has no endpoint "
		    "%s port %s", id, argv[3], argv[4]);
	if (r == -E2BIG)
		fatal(0, "endpoint add: the endpoints map is full (%d)",
		    FG_ENDPOINTS_MAX);
	if (r != 0)
		fatal(-r, "endpoint %s %" PRIu64 " %s %s", argv[1], id,
		    argv[3], argv[4]);
	fg_enforcer_close(e);
}

static const struct command {
	const char	*name;
	void		(*run)(int, char *[]);
	bool		 prometheus;
} commands[] = {
	{ "cameras",	cmd_cameras,	true },
	{ "sessions",	cmd_sessions,	true },
	{ "stats",	cmd_stats,	true },
	{ "workers",	cmd_workers,	true },
	{ "worker",	cmd_worker,	true },
	{ "revoke",	cmd_revoke,	false },
	{ "reload",	cmd_reload,	false },
	{ "events",	cmd_events,	false },
	{ "enforce",	cmd_enforce,	false },
	{ "cell",	cmd_cell,	false },
	{ "endpoint",	cmd_endpoint,	false },
};

static void
set_format(enum format f)
{
	if (format != TEXT && format != f)
		usage("-j and -p are exclusive");
	format = f;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "prometheus",	no_argument,	NULL,	'p' },
		{ "socket",	required_argument, NULL, 's' },
		{ "help",	no_argument,	NULL,	'h' },
		{ 0 }
	};
	const struct command *c;
	int ch;

	fg_set_log(lib_log);
	while ((ch = getopt_long(argc, argv, "+hjps:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			help();
		case 'j':
			set_format(JSON);
			break;
		case 'p':
			set_format(PROMETHEUS);
			break;
		case 's':
			socket_path = optarg;
			break;
		default:
			usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(NULL);

	for (c = commands; c < commands + nitems(commands); c++)
		if (strcmp(argv[0], c->name) == 0)
			break;
	if (c == commands + nitems(commands))
		usage("unknown command %s", argv[0]);
	if (format == PROMETHEUS && !c->prometheus)
		usage("%s: -p applies to cameras, sessions, stats and workers",
		    c->name);
	c->run(argc, argv);
	if (fflush(stdout) == EOF)
		fatal(errno, "stdout");
	return 0;
}
