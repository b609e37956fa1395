// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: framegated's configuration parser (config_parse() of
 * daemon/framegated/config.c, with libinih) on arbitrary bytes as a file.
 *
 * What must hold for every input:
 *   - every problem is reported at a line the input has (0: the file),
 *     with a reason of one non-empty line, and the count returned is the
 *     number reported;
 *   - parsing the same bytes again gives the same struct and problems;
 *   - a configuration without problems keeps every promise of config.h:
 *     counts within their limits, names valid and unique, indices that
 *     point at entries, every value in its range.
 * A broken promise aborts, which libFuzzer reports as a crash.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_check.h"

#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

struct reports {
	unsigned int	count;
	config_line	lines;		/* the input's */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
report(void *arg, const char *file, config_line line, const char *reason)
{
	struct reports *r = arg;
	size_t len = strlen(reason);

	CHECK(strcmp(file, "fuzz.conf") == 0);
	CHECK(line <= r->lines);
	CHECK(len > 0 && len < 512);
	CHECK(strchr(reason, '\n') == NULL);
	r->count++;
}

/* A string field: terminated inside its array. */
#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

/*
 * The n structs of size stride at first each begin with a valid name
 * (config.h) in a char[size], and no two with the same one.
 */
static void
check_names(const void *first, unsigned int n, size_t stride, size_t size)
{
	const char *name, *other;
	unsigned int i, j;
	size_t len;

	for (i = 0; i < n; i++) {
		name = (const char *)first + i * stride;
		len = strnlen(name, size);
		CHECK(len > 0 && len < size);
		CHECK(strspn(name, NAME_CHARS) == len);
		CHECK(name[0] != '-' && name[0] != '_');
		for (j = 0; j < i; j++) {
			other = (const char *)first + j * stride;
			CHECK(strcmp(name, other) != 0);
		}
	}
}

#define CHECK_NAMES(array, n) \
	check_names((array), (n), sizeof((array)[0]), sizeof((array)[0].name))

static void
check_cameras(const struct config *c)
{
	const struct config_camera *cam;
	unsigned int i;

	CHECK(c->ncameras <= CONFIG_CAMERAS_MAX);
	CHECK_NAMES(c->cameras, c->ncameras);
	for (i = 0; i < c->ncameras; i++) {
		cam = &c->cameras[i];
		CHECK(cam->line > 0 && cam->device_line > cam->line);
		if (cam->device_kind == CONFIG_DEVICE_PATH) {
			CHECK(TERMINATED(cam->path) && cam->path[0] == '/');
		} else {
			CHECK(cam->device_kind == CONFIG_DEVICE_CARD);
			CHECK(TERMINATED(cam->card) && cam->card[0] != '\0');
			CHECK(TERMINATED(cam->bus_info) &&
			      cam->bus_info[0] != '\0');
		}
		CHECK(config_format_name(cam->pixelformat) != NULL);
		CHECK(cam->width >= FG_WIDTH_MIN && cam->width <= FG_WIDTH_MAX);
		CHECK(cam->height >= FG_HEIGHT_MIN &&
		      cam->height <= FG_HEIGHT_MAX);
		CHECK(cam->fps == FG_FPS_DRIVER ||
		      (cam->fps >= FG_FPS_MIN && cam->fps <= FG_FPS_MAX));
		CHECK(cam->buffers >= FG_BUFFERS_MIN &&
		      cam->buffers <= FG_BUFFERS_MAX);
	}
}

static void
check_tenants(const struct config *c)
{
	const struct config_tenant *t;
	unsigned int i;

	CHECK(c->ntenants <= CONFIG_TENANTS_MAX);
	CHECK_NAMES(c->tenants, c->ntenants);
	for (i = 0; i < c->ntenants; i++) {
		t = &c->tenants[i];
		CHECK(TERMINATED(t->url.text) &&
		      strncasecmp(t->url.text, "https://", 8) == 0);
		CHECK(TERMINATED(t->url.host) && t->url.host[0] != '\0');
		CHECK(t->url.port != 0);
		CHECK(TERMINATED(t->url.path) && t->url.path[0] == '/');
		CHECK(TERMINATED(t->ca) && t->ca[0] == '/');
		CHECK(TERMINATED(t->cert) && t->cert[0] == '/');
		CHECK(TERMINATED(t->key) && t->key[0] == '/');
		CHECK(t->url_line > t->line && t->ca_line > t->line &&
		      t->cert_line > t->line && t->key_line > t->line);
	}
}

static void
check_sessions(const struct config *c)
{
	const struct config_session *s;
	unsigned int i, j, k;

	CHECK(c->nsessions <= CONFIG_SESSIONS_MAX);
	CHECK_NAMES(c->sessions, c->nsessions);
	for (i = 0; i < c->nsessions; i++) {
		s = &c->sessions[i];
		CHECK(s->tenant < c->ntenants);
		CHECK(s->ncameras >= 1 &&
		      s->ncameras <= CONFIG_SESSION_CAMERAS_MAX);
		for (j = 0; j < s->ncameras; j++) {
			CHECK(s->cameras[j] < c->ncameras);
			for (k = 0; k < j; k++)
				CHECK(s->cameras[j] != s->cameras[k]);
			if (s->mode == CONFIG_MODE_LIVE)
				CHECK(s->rate <= c->cameras[s->cameras[j]].fps);
		}
		if (s->mode == CONFIG_MODE_STILLS)
			CHECK(s->interval >= 1 &&
			      s->interval <= CONFIG_INTERVAL_MAX);
		else
			CHECK(s->mode == CONFIG_MODE_LIVE && s->rate >= 1);
		CHECK(s->quality >= 1 && s->quality <= 100);
		CHECK(s->queue >= FG_DEPTH_MIN && s->queue <= FG_DEPTH_MAX);
	}
}

static int
parse(const uint8_t *data, size_t size, struct config *c,
      struct reports *r)
{
	FILE *f = fmemopen((void *)data, size, "r");
	int problems;

	CHECK(f != NULL);
	problems = config_parse(c, f, "fuzz.conf", report, r);
	fclose(f);
	CHECK(problems >= 0 && (unsigned int)problems == r->count);
	return problems;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config first, again;
	struct reports r1 = { 0 }, r2;
	size_t i;
	int problems;

	if (size == 0)
		return -1;	/* fmemopen() wants a buffer */
	r1.lines = 1;
	for (i = 0; i < size; i++)
		r1.lines += data[i] == '\n';
	r2 = r1;

	problems = parse(data, size, &first, &r1);
	CHECK(parse(data, size, &again, &r2) == problems);
	CHECK(memcmp(&first, &again, sizeof(first)) == 0);
	if (problems != 0)
		return 0;

	CHECK(TERMINATED(first.global.user) && first.global.user[0] != '\0');
	CHECK(TERMINATED(first.global.control_socket) &&
	      first.global.control_socket[0] == '/');
	check_cameras(&first);
	check_tenants(&first);
	check_sessions(&first);
	return 0;
}
