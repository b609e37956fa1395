// SPDX-License-Identifier: GPL-2.0
/*
 * framegated.conf(5) into struct config (config.h).
 *
 * libinih splits "key = value" lines, trims them and drops inline
 * comments. As Debian builds it (r55, INI_HANDLER_LINENO 0) it does not
 * tell the handler the line number, and of the lines it cannot parse it
 * returns only the first. So inih reads through reader(), which hands it
 * one physical line per call and counts them: inih calls the handler for
 * a line before it asks for the next, so the reader's count is the
 * handler's line. The reader also takes what inih would get wrong or
 * keep to itself:
 *   - section headers: parsed here (inih would truncate long ones, keep
 *     text after "]", and call nobody for an empty section, whose missing
 *     keys must still be reported at its line); inih gets an empty line;
 *   - leading white space is dropped, so that inih never joins a line to
 *     the previous value (its multi-line values);
 *   - a line that inih received but did not hand to the handler is one it
 *     could not parse, reported at its own line;
 *   - lines too long for inih's buffer, NUL and other control characters
 *     are reported here and never reach inih.
 *
 * Every problem is reported, and parsing goes on: a bad value leaves its
 * key set (so it is not reported missing too); the keys of a bad section
 * header are skipped (so they are not reported once each).
 */

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>
#include <linux/videodev2.h>

#include "config.h"
#include "sealed.h"

#define REASON_MAX	512

struct reporter {
	const char		*file;
	config_report_fn	*fn;
	void			*arg;
	int			problems;
};

static void __attribute__((format(printf, 3, 4)))
problem(struct reporter *r, config_line line, const char *fmt, ...)
{
	char reason[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	r->problems++;
	r->fn(r->arg, r->file, line, reason);
}

/* ------------------------------------------------------------ the parser */

enum section {
	SECTION_NONE,		/* before the first header */
	SECTION_SKIP,		/* after a bad header: keys are ignored */
	SECTION_GLOBAL,
	SECTION_CAMERA,
	SECTION_TENANT,
	SECTION_SESSION,
};

#define SECTION_KEYS_MAX	8

/* What a session names, until every section has been read. */
struct session_refs {
	char		tenant[CONFIG_NAME_MAX];
	unsigned int	ncameras;
	char		cameras[CONFIG_SESSION_CAMERAS_MAX][CONFIG_NAME_MAX];
};

struct parser {
	struct config	*conf;
	struct reporter	r;
	FILE		*f;
	char		*buf;		/* getline()'s */
	size_t		cap;
	config_line	lineno;
	bool		pending;	/* the last line went to inih ... */
	bool		handled;	/* ... and inih handed it over */

	enum section	section;
	unsigned int	index;		/* of the section's object */
	config_line	section_line;
	config_line	keylines[SECTION_KEYS_MAX];	/* by struct key index */
	config_line	session_keylines[CONFIG_SESSIONS_MAX][SECTION_KEYS_MAX];
	struct session_refs refs[CONFIG_SESSIONS_MAX];
};

struct key {
	const char	*name;
	bool		required;
	void		(*set)(struct parser *p, const struct key *k,
			       const char *value, config_line line);
};

static struct config_camera *
camera(struct parser *p)
{
	return &p->conf->cameras[p->index];
}

static struct config_tenant *
tenant(struct parser *p)
{
	return &p->conf->tenants[p->index];
}

static struct config_session *
session(struct parser *p)
{
	return &p->conf->sessions[p->index];
}

/* Copies value into dst[size], or reports it too long. */
static bool
set_string(struct parser *p, const struct key *k, const char *value,
	   config_line line, char *dst, size_t size)
{
	if (strlen(value) >= size) {
		problem(&p->r, line, "%s: longer than %zu characters",
			k->name, size - 1);
		return false;
	}
	memcpy(dst, value, strlen(value) + 1);
	return true;
}

static bool
parse_u32(struct parser *p, const struct key *k, const char *value,
	  config_line line, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)value[0])) {
		problem(&p->r, line, "%s: \"%s\" is not a number",
			k->name, value);
		return false;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	if (*end != '\0') {
		problem(&p->r, line, "%s: \"%s\" is not a number",
			k->name, value);
		return false;
	}
	if (errno == ERANGE || v < min || v > max) {
		problem(&p->r, line, "%s: %s is out of range (%u..%u)",
			k->name, value, min, max);
		return false;
	}
	*out = v;
	return true;
}

/* Names of cameras, tenants and sessions: they end up in object paths. */
static bool
valid_name(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]))
		return false;
	for (i = 1; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return i < CONFIG_NAME_MAX;
}

static bool
set_path(struct parser *p, const struct key *k, const char *value,
	 config_line line, char *dst, size_t size)
{
	if (value[0] != '/') {
		problem(&p->r, line, "%s: \"%s\" is not an absolute path",
			k->name, value);
		return false;
	}
	return set_string(p, k, value, line, dst, size);
}

/* [framegated] */

static void
set_user(struct parser *p, const struct key *k, const char *value,
	 config_line line)
{
	struct config_global *g = &p->conf->global;
	size_t i;

	for (i = 0; value[i] != '\0'; i++) {
		if (isalnum((unsigned char)value[i]) || value[i] == '_' ||
		    (i > 0 && (value[i] == '-' || value[i] == '.')))
			continue;
		problem(&p->r, line, "%s: \"%s\" is not a user name",
			k->name, value);
		return;
	}
	if (set_string(p, k, value, line, g->user, sizeof(g->user)))
		g->user_line = line;
}

static void
set_control_socket(struct parser *p, const struct key *k, const char *value,
		   config_line line)
{
	struct config_global *g = &p->conf->global;

	if (set_path(p, k, value, line, g->control_socket,
		     sizeof(g->control_socket)))
		g->control_socket_line = line;
}

/*
 * cell_root = delegated, or a cgroup below /sys/fs/cgroup by a path of
 * plain names (fg_enforcer_open_at() says why; checked here for the line).
 */
static void
set_cell_root(struct parser *p, const struct key *k, const char *value,
	      config_line line)
{
	static const char prefix[] = "/sys/fs/cgroup/";
	struct config_global *g = &p->conf->global;
	const char *c;
	bool plain = strncmp(value, prefix, sizeof(prefix) - 1) == 0;

	/* From the prefix's own slash: no empty name anywhere. */
	for (c = plain ? value + sizeof(prefix) - 2 : ""; *c; c++)
		if (c[0] == '/' && (c[1] == '/' || c[1] == '\0'))
			plain = false;
	if (plain && (strstr(value, "/./") || strstr(value, "/../") ||
		      (strlen(value) >= 2 &&
		       strcmp(value + strlen(value) - 2, "/.") == 0) ||
		      (strlen(value) >= 3 &&
		       strcmp(value + strlen(value) - 3, "/..") == 0)))
		plain = false;
	if (strcmp(value, CONFIG_CELL_ROOT_DELEGATED) != 0 && !plain) {
		problem(&p->r, line, "%s: \"%s\" is neither \"%s\" nor a "
			"cgroup below %s by plain names", k->name, value,
			CONFIG_CELL_ROOT_DELEGATED, prefix);
		return;
	}
	if (set_string(p, k, value, line, g->cell_root, sizeof(g->cell_root)))
		g->cell_root_line = line;
}

/* [camera NAME] */

static void
set_device(struct parser *p, const struct key *k, const char *value,
	   config_line line)
{
	struct config_camera *c = camera(p);
	char buf[CONFIG_URL_MAX], *item, *eq, *save;
	char card[CONFIG_V4L2_NAME_MAX] = "", bus[CONFIG_V4L2_NAME_MAX] = "";
	char *dst;

	c->device_line = line;
	if (value[0] == '/') {
		if (set_path(p, k, value, line, c->path, sizeof(c->path)))
			c->device_kind = CONFIG_DEVICE_PATH;
		return;
	}
	if (strncmp(value, "card=", 5) != 0 ||
	    strlen(value) >= sizeof(buf)) {
		problem(&p->r, line, "%s: \"%s\" is neither a path nor "
			"card=CARD,bus=BUS", k->name, value);
		return;
	}
	memcpy(buf, value, strlen(value) + 1);
	for (item = strtok_r(buf, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		item += strspn(item, " \t");
		eq = strchr(item, '=');
		if (eq != NULL && eq - item == 4 && !strncmp(item, "card", 4))
			dst = card;
		else if (eq != NULL && eq - item == 3 && !strncmp(item, "bus", 3))
			dst = bus;
		else {
			problem(&p->r, line, "%s: \"%s\" is neither card=CARD "
				"nor bus=BUS", k->name, item);
			return;
		}
		if (dst[0] != '\0' || eq[1] == '\0') {
			problem(&p->r, line, "%s: \"%s\" is %s", k->name, item,
				dst[0] != '\0' ? "given twice" : "empty");
			return;
		}
		if (strlen(eq + 1) >= CONFIG_V4L2_NAME_MAX) {
			problem(&p->r, line, "%s: \"%s\" is longer than %d "
				"characters", k->name, eq + 1,
				CONFIG_V4L2_NAME_MAX - 1);
			return;
		}
		memcpy(dst, eq + 1, strlen(eq + 1) + 1);
	}
	if (card[0] == '\0' || bus[0] == '\0') {
		problem(&p->r, line, "%s: \"%s\" lacks %s", k->name, value,
			card[0] == '\0' ? "card=CARD" : "bus=BUS");
		return;
	}
	memcpy(c->card, card, sizeof(card));
	memcpy(c->bus_info, bus, sizeof(bus));
	c->device_kind = CONFIG_DEVICE_CARD;
}

static const struct {
	const char	*name;
	uint32_t	fourcc;
} formats[] = {
	{ "YUYV",	V4L2_PIX_FMT_YUYV },
	{ "UYVY",	V4L2_PIX_FMT_UYVY },
	{ "NV12",	V4L2_PIX_FMT_NV12 },
	{ "GREY",	V4L2_PIX_FMT_GREY },
	{ "RGB24",	V4L2_PIX_FMT_RGB24 },
	{ "BGR24",	V4L2_PIX_FMT_BGR24 },
};

const char *
config_format_name(uint32_t pixelformat)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == pixelformat)
			return formats[i].name;
	return NULL;
}

static void
set_format(struct parser *p, const struct key *k, const char *value,
	   config_line line)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(value, formats[i].name) == 0) {
			camera(p)->pixelformat = formats[i].fourcc;
			camera(p)->format_line = line;
			return;
		}
	}
	problem(&p->r, line, "%s: \"%s\" is not one of YUYV, UYVY, NV12, GREY, "
		"RGB24, BGR24", k->name, value);
}

static void
set_width(struct parser *p, const struct key *k, const char *value,
	  config_line line)
{
	if (parse_u32(p, k, value, line, FG_WIDTH_MIN, FG_WIDTH_MAX,
		      &camera(p)->width))
		camera(p)->width_line = line;
}

static void
set_height(struct parser *p, const struct key *k, const char *value,
	   config_line line)
{
	if (parse_u32(p, k, value, line, FG_HEIGHT_MIN, FG_HEIGHT_MAX,
		      &camera(p)->height))
		camera(p)->height_line = line;
}

static void
set_fps(struct parser *p, const struct key *k, const char *value,
	config_line line)
{
	/* The rate its driver or media pipeline was set up for beforehand. */
	if (strcmp(value, "driver") == 0) {
		camera(p)->fps = FG_FPS_DRIVER;
		return;
	}
	parse_u32(p, k, value, line, FG_FPS_MIN, FG_FPS_MAX, &camera(p)->fps);
}

static void
set_buffers(struct parser *p, const struct key *k, const char *value,
	    config_line line)
{
	parse_u32(p, k, value, line, FG_BUFFERS_MIN, FG_BUFFERS_MAX,
		  &camera(p)->buffers);
}

/* [tenant NAME] */

/* A DNS name: labels of 1..63 letters, digits and inner '-', dot-joined. */
static bool
valid_hostname(const char *s)
{
	size_t label = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) ||
			   (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[i - 1] != '-' && i <= 253;
}

/* What may follow the authority: RFC 3986 path and query characters. */
static bool
valid_url_path(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '%') {
			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]))
				return false;
			s += 2;
		} else if (!isalnum((unsigned char)*s) &&
			   strchr("-._~!$&'()*+,;=:@/?", *s) == NULL) {
			return false;
		}
	}
	return true;
}

/* url = https://HOST[:PORT][/PATH], HOST a name or an IP literal. */
static void
set_url(struct parser *p, const struct key *k, const char *value,
	config_line line)
{
	struct config_url *u = &tenant(p)->url;
	const char *host, *end, *port = NULL, *path;
	unsigned char addr[sizeof(struct in6_addr)];
	char *pend = NULL;
	unsigned long v;
	size_t hlen;

	if (strlen(value) >= sizeof(u->text)) {
		problem(&p->r, line, "%s: longer than %zu characters",
			k->name, sizeof(u->text) - 1);
		return;
	}
	if (strncasecmp(value, "https://", 8) != 0) {
		problem(&p->r, line, "%s: \"%s\" is not an https:// URL",
			k->name, value);
		return;
	}
	host = value + 8;
	path = host + strcspn(host, "/?#");
	if (memchr(host, '@', path - host) != NULL) {
		problem(&p->r, line, "%s: \"%s\" has user information",
			k->name, value);
		return;
	}
	if (host[0] == '[') {
		end = memchr(host, ']', path - host);
		if (end == NULL || (end[1] != ':' && end + 1 != path))
			goto bad_host;
		host++;
		hlen = end - host;
		if (end[1] == ':')
			port = end + 2;
	} else {
		end = memchr(host, ':', path - host);
		if (end != NULL)
			port = end + 1;
		else
			end = path;
		hlen = end - host;
	}
	if (hlen == 0) {
		problem(&p->r, line, "%s: \"%s\" has no host", k->name, value);
		return;
	}
	if (hlen >= sizeof(u->host))
		goto bad_host;
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	if (host[-1] == '[') {
		if (inet_pton(AF_INET6, u->host, addr) != 1)
			goto bad_host;
	} else if (u->host[strspn(u->host, "0123456789.")] == '\0') {
		if (inet_pton(AF_INET, u->host, addr) != 1)
			goto bad_host;
	} else if (!valid_hostname(u->host)) {
		goto bad_host;
	}

	u->port = 443;
	if (port != NULL) {
		v = 0;
		if (isdigit((unsigned char)*port))
			v = strtoul(port, &pend, 10);
		if (port == path || !isdigit((unsigned char)*port) ||
		    pend != path || v < 1 || v > 65535) {
			problem(&p->r, line, "%s: port \"%.*s\" is not in "
				"1..65535", k->name, (int)(path - port), port);
			return;
		}
		u->port = v;
	}

	if (*path == '#' || !valid_url_path(path)) {
		problem(&p->r, line, "%s: \"%s\" has a bad path", k->name,
			path);
		return;
	}
	snprintf(u->path, sizeof(u->path), "%s%s",
		 *path == '/' ? "" : "/", path);
	memcpy(u->text, value, strlen(value) + 1);
	tenant(p)->url_line = line;
	return;

bad_host:
	problem(&p->r, line, "%s: \"%s\" has a bad host", k->name, value);
	u->host[0] = '\0';
}

static void
set_ca(struct parser *p, const struct key *k, const char *value,
       config_line line)
{
	if (set_path(p, k, value, line, tenant(p)->ca, sizeof(tenant(p)->ca)))
		tenant(p)->ca_line = line;
}

static void
set_cert(struct parser *p, const struct key *k, const char *value,
	 config_line line)
{
	if (set_path(p, k, value, line, tenant(p)->cert,
		     sizeof(tenant(p)->cert)))
		tenant(p)->cert_line = line;
}

static void
set_key(struct parser *p, const struct key *k, const char *value,
	config_line line)
{
	if (set_path(p, k, value, line, tenant(p)->key,
		     sizeof(tenant(p)->key)))
		tenant(p)->key_line = line;
}

static int
base64_value(char c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *q = c != '\0' ? strchr(alphabet, c) : NULL;

	return q != NULL ? q - alphabet : -1;
}

/*
 * The canonical padded base64 of exactly len bytes (as `wg pubkey` and
 * `base64` print a key): nothing else decodes.
 */
static bool
base64_decode(const char *in, uint8_t *out, size_t len)
{
	size_t data = len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
	size_t chars = (len + 2) / 3 * 4, i, n = 0;
	uint32_t acc = 0;
	int bits = 0, v;

	if (strlen(in) != chars)
		return false;
	for (i = data; i < chars; i++)
		if (in[i] != '=')
			return false;
	for (i = 0; i < data; i++) {
		if ((v = base64_value(in[i])) < 0)
			return false;
		acc = (acc << 6 | v) & 0xffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = acc >> bits;
		}
	}
	/* The bits left over are zero. */
	return n == len && (acc & ((1u << bits) - 1)) == 0;
}

static void
set_public_key(struct parser *p, const struct key *k, const char *value,
	       config_line line)
{
	if (!base64_decode(value, tenant(p)->public_key, CONFIG_KEY_LEN)) {
		problem(&p->r, line, "%s: not the base64 of a %d-byte X25519 "
			"key", k->name, CONFIG_KEY_LEN);
		return;
	}
	if (fg_sealed_public_key_check(tenant(p)->public_key) == -EINVAL)
		problem(&p->r, line, "%s: a key of small order: frames sealed "
			"to it would open with any key", k->name);
}

/* [session NAME] */

static void
set_tenant(struct parser *p, const struct key *k, const char *value,
	   config_line line)
{
	if (!valid_name(value)) {
		problem(&p->r, line, "%s: \"%s\" is not a tenant name",
			k->name, value);
		return;
	}
	memcpy(p->refs[p->index].tenant, value, strlen(value) + 1);
}

/* cameras = NAME[, NAME]...: commas or white space between names. */
static void
set_cameras(struct parser *p, const struct key *k, const char *value,
	    config_line line)
{
	struct session_refs *refs = &p->refs[p->index];
	char name[CONFIG_NAME_MAX];
	unsigned int i, n = 0;
	size_t len;

	while (*(value += strspn(value, ", \t")) != '\0') {
		len = strcspn(value, ", \t");
		if (len >= sizeof(name)) {
			problem(&p->r, line, "%s: \"%.*s\" is not a camera "
				"name", k->name, (int)len, value);
			return;
		}
		memcpy(name, value, len);
		name[len] = '\0';
		value += len;
		if (!valid_name(name)) {
			problem(&p->r, line, "%s: \"%s\" is not a camera name",
				k->name, name);
			return;
		}
		for (i = 0; i < n; i++) {
			if (strcmp(refs->cameras[i], name) == 0) {
				problem(&p->r, line, "%s: %s is listed twice",
					k->name, name);
				return;
			}
		}
		if (n == CONFIG_SESSION_CAMERAS_MAX) {
			problem(&p->r, line, "%s: more than %d cameras",
				k->name, CONFIG_SESSION_CAMERAS_MAX);
			return;
		}
		memcpy(refs->cameras[n++], name, sizeof(name));
	}
	if (n == 0) {
		problem(&p->r, line, "%s: no camera named", k->name);
		return;
	}
	refs->ncameras = n;
}

static void
set_mode(struct parser *p, const struct key *k, const char *value,
	 config_line line)
{
	if (strcmp(value, "stills") == 0)
		session(p)->mode = CONFIG_MODE_STILLS;
	else if (strcmp(value, "live") == 0)
		session(p)->mode = CONFIG_MODE_LIVE;
	else
		problem(&p->r, line, "%s: \"%s\" is neither stills nor live",
			k->name, value);
}

static void
set_interval(struct parser *p, const struct key *k, const char *value,
	     config_line line)
{
	parse_u32(p, k, value, line, 1, CONFIG_INTERVAL_MAX,
		  &session(p)->interval);
}

static void
set_rate(struct parser *p, const struct key *k, const char *value,
	 config_line line)
{
	parse_u32(p, k, value, line, FG_FPS_MIN, FG_FPS_MAX,
		  &session(p)->rate);
}

static void
set_quality(struct parser *p, const struct key *k, const char *value,
	    config_line line)
{
	parse_u32(p, k, value, line, 1, 100, &session(p)->quality);
}

static void
set_queue(struct parser *p, const struct key *k, const char *value,
	  config_line line)
{
	parse_u32(p, k, value, line, FG_DEPTH_MIN, FG_DEPTH_MAX,
		  &session(p)->queue);
}

static const struct key global_keys[] = {
	{ "user",		false,	set_user },
	{ "control_socket",	false,	set_control_socket },
	{ "cell_root",		false,	set_cell_root },
	{ NULL, false, NULL }
};

static const struct key camera_keys[] = {
	{ "device",		true,	set_device },
	{ "format",		false,	set_format },
	{ "width",		false,	set_width },
	{ "height",		false,	set_height },
	{ "fps",		false,	set_fps },
	{ "buffers",		false,	set_buffers },
	{ NULL, false, NULL }
};

static const struct key tenant_keys[] = {
	{ "url",		true,	set_url },
	{ "ca",			true,	set_ca },
	{ "cert",		true,	set_cert },
	{ "key",		true,	set_key },
	{ "public_key",		true,	set_public_key },
	{ NULL, false, NULL }
};

/* The order of the first five is that of SESSION_KEY_* below. */
static const struct key session_keys[] = {
	{ "tenant",		true,	set_tenant },
	{ "cameras",		true,	set_cameras },
	{ "mode",		true,	set_mode },
	{ "interval",		false,	set_interval },
	{ "rate",		false,	set_rate },
	{ "quality",		false,	set_quality },
	{ "queue",		false,	set_queue },
	{ NULL, false, NULL }
};

#define NKEYS(keys)	(sizeof(keys) / sizeof((keys)[0]) - 1)
_Static_assert(NKEYS(global_keys) <= SECTION_KEYS_MAX, "keylines too short");
_Static_assert(NKEYS(camera_keys) <= SECTION_KEYS_MAX, "keylines too short");
_Static_assert(NKEYS(tenant_keys) <= SECTION_KEYS_MAX, "keylines too short");
_Static_assert(NKEYS(session_keys) <= SECTION_KEYS_MAX, "keylines too short");

enum {
	SESSION_KEY_TENANT,
	SESSION_KEY_CAMERAS,
	SESSION_KEY_MODE,
	SESSION_KEY_INTERVAL,
	SESSION_KEY_RATE,
};

static const struct {
	const char	*type;
	const struct key *keys;
} sections[] = {
	[SECTION_GLOBAL]	= { "framegated",	global_keys },
	[SECTION_CAMERA]	= { "camera",		camera_keys },
	[SECTION_TENANT]	= { "tenant",		tenant_keys },
	[SECTION_SESSION]	= { "session",		session_keys },
};

/* The current section as reports name it: "[camera front]". */
static const char *
section_name(struct parser *p, char *buf, size_t size)
{
	const char *name = "";

	switch (p->section) {
	case SECTION_CAMERA:	name = camera(p)->name; break;
	case SECTION_TENANT:	name = tenant(p)->name; break;
	case SECTION_SESSION:	name = session(p)->name; break;
	default:		break;
	}
	snprintf(buf, size, "[%s%s%s]", sections[p->section].type,
		 name[0] != '\0' ? " " : "", name);
	return buf;
}

/* The section that ends here lacks nothing, and its keys agree. */
static void
section_end(struct parser *p)
{
	const struct key *k;
	config_line *kl = p->keylines;
	char sec[CONFIG_NAME_MAX + 16];
	struct config_session *s;
	unsigned int i;

	if (p->section < SECTION_GLOBAL)
		return;
	for (k = sections[p->section].keys, i = 0; k->name != NULL; k++, i++)
		if (k->required && kl[i] == 0)
			problem(&p->r, p->section_line, "%s: missing key "
				"\"%s\"", section_name(p, sec, sizeof(sec)),
				k->name);
	if (p->section != SECTION_SESSION)
		return;
	s = session(p);
	if (s->mode == CONFIG_MODE_LIVE && kl[SESSION_KEY_INTERVAL] != 0)
		problem(&p->r, kl[SESSION_KEY_INTERVAL],
			"interval: only for mode = stills");
	if (s->mode == CONFIG_MODE_STILLS && kl[SESSION_KEY_RATE] != 0)
		problem(&p->r, kl[SESSION_KEY_RATE],
			"rate: only for mode = live");
	memcpy(p->session_keylines[p->index], kl, sizeof(p->keylines));
}

/*
 * The index of name among the n structs of size stride at first, which
 * all begin with their name; n if it is not there.
 */
static unsigned int
find_name(const void *first, unsigned int n, size_t stride, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp((const char *)first + i * stride, name) == 0)
			break;
	return i;
}

#define FIND(array, n, name) \
	find_name((array), (n), sizeof((array)[0]), (name))

_Static_assert(offsetof(struct config_camera, name) == 0, "name first");
_Static_assert(offsetof(struct config_tenant, name) == 0, "name first");
_Static_assert(offsetof(struct config_session, name) == 0, "name first");

/* "[type name]": starts a section (or a SECTION_SKIP after a bad one). */
static void
section_begin(struct parser *p, const char *line)
{
	struct config *conf = p->conf;
	char inside[CONFIG_URL_MAX], *type, *name, *end;
	const char *close = strchr(line, ']'), *rest;
	unsigned int *count = NULL, max = 0, i;
	enum section s;
	size_t len;

	section_end(p);
	p->section = SECTION_SKIP;
	p->section_line = p->lineno;
	memset(p->keylines, 0, sizeof(p->keylines));

	if (close == NULL) {
		problem(&p->r, p->lineno, "section header lacks \"]\"");
		return;
	}
	rest = close + 1 + strspn(close + 1, " \t");
	if (*rest != '\0' && *rest != '#' && *rest != ';') {
		problem(&p->r, p->lineno, "text after \"]\": \"%s\"", rest);
		return;
	}
	len = close - line - 1;
	if (len >= sizeof(inside)) {
		problem(&p->r, p->lineno, "section header too long");
		return;
	}
	memcpy(inside, line + 1, len);
	inside[len] = '\0';
	type = inside + strspn(inside, " \t");
	end = type + strcspn(type, " \t");
	name = end + strspn(end, " \t");
	*end = '\0';
	for (end = name + strlen(name); end > name && isblank(end[-1]); end--)
		;
	*end = '\0';

	for (s = SECTION_GLOBAL; s <= SECTION_SESSION; s++)
		if (strcmp(type, sections[s].type) == 0)
			break;
	switch (s) {
	case SECTION_GLOBAL:
		if (name[0] != '\0') {
			problem(&p->r, p->lineno, "[framegated] takes no name");
			return;
		}
		if (conf->global.line != 0) {
			problem(&p->r, p->lineno, "duplicate [framegated] "
				"(first at line %u)", conf->global.line);
			return;
		}
		conf->global.line = p->lineno;
		p->section = s;
		return;
	case SECTION_CAMERA:
		count = &conf->ncameras;
		max = CONFIG_CAMERAS_MAX;
		i = FIND(conf->cameras, *count, name);
		if (i < *count)
			goto duplicate;
		break;
	case SECTION_TENANT:
		count = &conf->ntenants;
		max = CONFIG_TENANTS_MAX;
		i = FIND(conf->tenants, *count, name);
		if (i < *count)
			goto duplicate;
		break;
	case SECTION_SESSION:
		count = &conf->nsessions;
		max = CONFIG_SESSIONS_MAX;
		i = FIND(conf->sessions, *count, name);
		if (i < *count)
			goto duplicate;
		break;
	default:
		problem(&p->r, p->lineno, "unknown section \"[%s%s%s]\"", type,
			name[0] != '\0' ? " " : "", name);
		return;
	}
	if (name[0] == '\0') {
		problem(&p->r, p->lineno, "[%s] needs a name", type);
		return;
	}
	if (!valid_name(name)) {
		problem(&p->r, p->lineno, "%s name \"%s\": not 1..%d letters, "
			"digits, '-' or '_' (first a letter or digit)", type,
			name, CONFIG_NAME_MAX - 1);
		return;
	}
	if (*count == max) {
		problem(&p->r, p->lineno, "more than %u %ss", max, type);
		return;
	}

	p->section = s;
	p->index = (*count)++;
	switch (s) {
	case SECTION_CAMERA:
		memcpy(camera(p)->name, name, strlen(name) + 1);
		camera(p)->line = p->lineno;
		break;
	case SECTION_TENANT:
		memcpy(tenant(p)->name, name, strlen(name) + 1);
		tenant(p)->line = p->lineno;
		break;
	default:
		memcpy(session(p)->name, name, strlen(name) + 1);
		session(p)->line = p->lineno;
		break;
	}
	return;

duplicate:
	problem(&p->r, p->lineno, "duplicate [%s %s] (first at line %u)", type,
		name, s == SECTION_CAMERA ? conf->cameras[i].line :
		s == SECTION_TENANT ? conf->tenants[i].line :
		conf->sessions[i].line);
}

/* inih's handler: one "key = value" of the reader's current line. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	char sec[CONFIG_NAME_MAX + 16];
	config_line line = p->lineno;
	const struct key *k;
	unsigned int i;

	(void)section;		/* the reader's, not inih's: see the top */
	p->handled = true;
	if (p->section == SECTION_SKIP)
		return 1;
	if (p->section == SECTION_NONE) {
		problem(&p->r, line, "key \"%s\" is outside any section", name);
		return 1;
	}
	for (k = sections[p->section].keys, i = 0; k->name != NULL; k++, i++)
		if (strcmp(k->name, name) == 0)
			break;
	if (k->name == NULL) {
		problem(&p->r, line, "unknown key \"%s\" in %s", name,
			section_name(p, sec, sizeof(sec)));
		return 1;
	}
	if (p->keylines[i] != 0) {
		problem(&p->r, line, "duplicate key \"%s\" (first at line %u)",
			name, p->keylines[i]);
		return 1;
	}
	p->keylines[i] = line;
	if (value[0] == '\0') {
		problem(&p->r, line, "%s: empty value", name);
		return 1;
	}
	k->set(p, k, value, line);
	return 1;
}

/* The line inih had: if it did not reach the handler, inih rejected it. */
static void
line_end(struct parser *p)
{
	if (p->pending && !p->handled)
		problem(&p->r, p->lineno, "expected \"key = value\"");
	p->pending = false;
}

/* inih's reader: the next physical line, as described at the top. */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	ssize_t n;
	char *line;
	size_t len, i;

	line_end(p);
	if ((n = getline(&p->buf, &p->cap, p->f)) < 0) {
		if (ferror(p->f))
			problem(&p->r, p->lineno + 1, "read: %s",
				strerror(errno));
		return NULL;
	}
	p->lineno++;
	line = p->buf;
	len = n;
	if (p->lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
		line += 3;	/* a UTF-8 byte order mark */
		len -= 3;
	}
	if (len > 0 && line[len - 1] == '\n')
		len--;
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	line[len] = '\0';
	str[0] = '\0';
	for (i = 0; i < len; i++) {
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			problem(&p->r, p->lineno, "control character 0x%02x",
				(unsigned char)line[i]);
			return str;
		}
	}
	if (len == 0 || line[0] == '#' || line[0] == ';')
		return str;
	if (line[0] == '[') {
		section_begin(p, line);
		return str;
	}
	if (num <= 0 || len >= (size_t)num) {
		problem(&p->r, p->lineno, "longer than %d characters", num - 1);
		return str;
	}
	memcpy(str, line, len + 1);
	p->pending = true;
	p->handled = false;
	return str;
}

/* After the last section: what sessions name exists, defaults are set. */
static void
resolve(struct parser *p)
{
	struct config *conf = p->conf;
	struct config_camera *c, *d, *driver_rate;
	struct config_session *s;
	struct session_refs *refs;
	config_line *kl;
	unsigned int i, j, min_fps;

	for (i = 0; i < conf->ncameras; i++) {
		c = &conf->cameras[i];
		for (j = 0; j < i && c->device_kind != 0; j++) {
			d = &conf->cameras[j];
			if (d->device_kind != c->device_kind)
				continue;
			if (c->device_kind == CONFIG_DEVICE_PATH ?
			    strcmp(c->path, d->path) == 0 :
			    strcmp(c->card, d->card) == 0 &&
			    strcmp(c->bus_info, d->bus_info) == 0) {
				problem(&p->r, c->device_line, "device: also "
					"the device of [camera %s] (line %u)",
					d->name, d->device_line);
				break;
			}
		}
	}

	for (i = 0; i < conf->nsessions; i++) {
		s = &conf->sessions[i];
		refs = &p->refs[i];
		kl = p->session_keylines[i];
		if (refs->tenant[0] != '\0') {
			s->tenant = FIND(conf->tenants, conf->ntenants,
					 refs->tenant);
			if (s->tenant == conf->ntenants) {
				problem(&p->r, kl[SESSION_KEY_TENANT],
					"tenant: no [tenant %s]", refs->tenant);
				s->tenant = 0;
			}
		}
		min_fps = FG_FPS_MAX;
		driver_rate = NULL;
		for (j = 0; j < refs->ncameras; j++) {
			s->cameras[s->ncameras] = FIND(conf->cameras,
				conf->ncameras, refs->cameras[j]);
			if (s->cameras[s->ncameras] == conf->ncameras) {
				problem(&p->r, kl[SESSION_KEY_CAMERAS],
					"cameras: no [camera %s]",
					refs->cameras[j]);
				s->cameras[s->ncameras] = 0;
				continue;
			}
			c = &conf->cameras[s->cameras[s->ncameras++]];
			if (c->fps == FG_FPS_DRIVER)
				driver_rate = c;
			else if (c->fps < min_fps)
				min_fps = c->fps;
		}
		if (s->mode == CONFIG_MODE_STILLS && s->interval == 0)
			s->interval = CONFIG_INTERVAL_DEFAULT;
		if (s->mode != CONFIG_MODE_LIVE)
			continue;
		if (kl[SESSION_KEY_RATE] == 0) {
			/* The rate of a camera framegate does not set: unknown. */
			if (driver_rate)
				problem(&p->r, kl[SESSION_KEY_MODE],
					"mode: live needs a rate: [camera %s] "
					"runs at its driver's fps",
					driver_rate->name);
			s->rate = min_fps;
			continue;
		}
		for (j = 0; j < s->ncameras; j++) {
			c = &conf->cameras[s->cameras[j]];
			if (c->fps != FG_FPS_DRIVER && s->rate > c->fps &&
			    s->rate != 0) {
				problem(&p->r, kl[SESSION_KEY_RATE], "rate: %u "
					"is above the fps of [camera %s] (%u)",
					s->rate, c->name, c->fps);
				break;
			}
		}
	}
}

/* Every value a key may leave out. */
static void
defaults(struct config *conf)
{
	struct config_camera *c;
	struct config_session *s;
	unsigned int i;

	for (i = 0; i < CONFIG_CAMERAS_MAX; i++) {
		c = &conf->cameras[i];
		c->pixelformat = V4L2_PIX_FMT_YUYV;
		c->width = CONFIG_WIDTH_DEFAULT;
		c->height = CONFIG_HEIGHT_DEFAULT;
		c->fps = CONFIG_FPS_DEFAULT;
		c->buffers = CONFIG_BUFFERS_DEFAULT;
	}
	for (i = 0; i < CONFIG_SESSIONS_MAX; i++) {
		s = &conf->sessions[i];
		s->quality = CONFIG_QUALITY_DEFAULT;
		s->queue = CONFIG_QUEUE_DEFAULT;
	}
	memcpy(conf->global.user, CONFIG_USER_DEFAULT,
	       sizeof(CONFIG_USER_DEFAULT));
	memcpy(conf->global.control_socket, CONFIG_SOCKET_DEFAULT,
	       sizeof(CONFIG_SOCKET_DEFAULT));
}

int
config_parse(struct config *conf, FILE *f, const char *file,
	     config_report_fn *report, void *arg)
{
	struct parser *p;
	int r;

	memset(conf, 0, sizeof(*conf));
	snprintf(conf->file, sizeof(conf->file), "%s", file);
	defaults(conf);
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		report(arg, conf->file, 0, strerror(errno));
		return 1;
	}
	p->conf = conf;
	p->r = (struct reporter){ conf->file, report, arg, 0 };
	p->f = f;

	r = ini_parse_stream(reader, p, handler, p);
	line_end(p);
	section_end(p);
	resolve(p);
	/* inih's own verdict, should it ever differ from ours. */
	if (r == -2)
		problem(&p->r, 0, "libinih: out of memory");
	else if (r != 0 && p->r.problems == 0)
		problem(&p->r, r > 0 ? (config_line)r : 0,
			"libinih rejected the line");
	r = p->r.problems;
	free(p->buf);
	free(p);
	return r;
}

int
config_load(struct config *conf, const char *path,
	    config_report_fn *report, void *arg)
{
	FILE *f;
	int r;

	if ((f = fopen(path, "r")) == NULL) {
		memset(conf, 0, sizeof(*conf));
		report(arg, path, 0, strerror(errno));
		return 1;
	}
	r = config_parse(conf, f, path, report, arg);
	fclose(f);
	return r;
}

/* ---------------------------------------------- what the parent will open */

/* A readable, non-empty regular file; a key readable by nobody but root. */
static void
check_file(struct reporter *r, config_line line, const char *key,
	   const char *path, bool secret)
{
	struct stat st;
	int fd;

	if (path[0] == '\0')
		return;		/* reported by the parser */
	/* Not fopen(): a FIFO would block until someone writes to it. */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		problem(r, line, "%s: %s: %s", key, path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0)
		problem(r, line, "%s: %s: %s", key, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		problem(r, line, "%s: %s is not a regular file", key, path);
	else if (st.st_size == 0)
		problem(r, line, "%s: %s is empty", key, path);
	else if (secret && (st.st_mode & 077) != 0)
		problem(r, line, "%s: %s is accessible by group or others "
			"(mode %04o)", key, path, st.st_mode & 07777);
	close(fd);
}

int
config_check_files(const struct config *conf, config_report_fn *report,
		   void *arg)
{
	struct reporter r = { conf->file, report, arg, 0 };
	const struct config_tenant *t;
	struct passwd *pw;
	unsigned int i;

	for (i = 0; i < conf->ntenants; i++) {
		t = &conf->tenants[i];
		check_file(&r, t->ca_line, "ca", t->ca, false);
		check_file(&r, t->cert_line, "cert", t->cert, false);
		check_file(&r, t->key_line, "key", t->key, true);
	}
	errno = 0;
	if ((pw = getpwnam(conf->global.user)) == NULL)
		problem(&r, conf->global.user_line, "user: no user \"%s\"%s%s",
			conf->global.user, errno != 0 ? ": " : "",
			errno != 0 ? strerror(errno) : "");
	else if (pw->pw_uid == 0)
		problem(&r, conf->global.user_line, "user: %s has uid 0; "
			"workers need an unprivileged user", conf->global.user);
	return r.problems;
}

/* ---------------------------------------------------------- the cameras */

static int
sys_open(const char *path, int flags)
{
	return open(path, flags);
}

static int
sys_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static const struct config_v4l2_ops sys_ops = {
	.open	= sys_open,
	.ioctl	= sys_ioctl,
	.close	= close,
	.devdir	= "/dev",
};

/* The node fd's capabilities in *caps; false (errno) if it is not V4L2. */
static bool
node_caps(const struct config_v4l2_ops *ops, int fd,
	  struct v4l2_capability *cap, uint32_t *caps)
{
	memset(cap, 0, sizeof(*cap));
	if (ops->ioctl(fd, VIDIOC_QUERYCAP, cap) != 0)
		return false;
	cap->card[sizeof(cap->card) - 1] = '\0';
	cap->bus_info[sizeof(cap->bus_info) - 1] = '\0';
	*caps = cap->capabilities & V4L2_CAP_DEVICE_CAPS ? cap->device_caps :
							   cap->capabilities;
	return true;
}

static bool
is_capture(uint32_t caps)
{
	return (caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING);
}

/*
 * The card + bus camera c names: an open fd of the one capture node in
 * ops->devdir with that card and bus_info, or -1 (reported).
 */
static int
find_card(struct reporter *r, const struct config_v4l2_ops *ops,
	  const struct config_camera *c, char *found, size_t size)
{
	struct v4l2_capability cap;
	char path[PATH_MAX];
	unsigned int matches = 0;
	struct dirent *de;
	uint32_t caps;
	int fd, match = -1;
	DIR *dir;

	if ((dir = opendir(ops->devdir)) == NULL) {
		problem(r, c->device_line, "device: %s: %s", ops->devdir,
			strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "video", 5) != 0 ||
		    de->d_name[5] == '\0' ||
		    de->d_name[5 + strspn(de->d_name + 5, "0123456789")] != '\0')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", ops->devdir,
				     de->d_name) >= sizeof(path) ||
		    (fd = ops->open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
			continue;
		if (!node_caps(ops, fd, &cap, &caps) || !is_capture(caps) ||
		    strcmp((char *)cap.card, c->card) != 0 ||
		    strcmp((char *)cap.bus_info, c->bus_info) != 0) {
			ops->close(fd);
			continue;
		}
		if (matches++ == 0) {
			match = fd;
			snprintf(found, size, "%s", path);
		} else {
			ops->close(fd);
		}
	}
	closedir(dir);
	if (matches == 1)
		return match;
	if (matches == 0)
		problem(r, c->device_line, "device: no video capture device in "
			"%s has card \"%s\" and bus \"%s\"", ops->devdir,
			c->card, c->bus_info);
	else
		problem(r, c->device_line, "device: %u video capture devices "
			"have card \"%s\" and bus \"%s\"", matches, c->card,
			c->bus_info);
	if (match >= 0)
		ops->close(match);
	return -1;
}

/* The node offers camera c's format and size. */
static void
check_format(struct reporter *r, const struct config_v4l2_ops *ops, int fd,
	     const struct config_camera *c, const char *path)
{
	struct v4l2_fmtdesc desc = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	const char *name = config_format_name(c->pixelformat);
	config_line line;

	for (desc.index = 0; desc.index < 256; desc.index++)
		if (ops->ioctl(fd, VIDIOC_ENUM_FMT, &desc) != 0 ||
		    desc.pixelformat == c->pixelformat)
			break;
	if (desc.index == 256 || desc.pixelformat != c->pixelformat) {
		problem(r, c->format_line ? c->format_line : c->line,
			"format: %s does not offer %s", path, name);
		return;
	}
	fmt.fmt.pix.width = c->width;
	fmt.fmt.pix.height = c->height;
	fmt.fmt.pix.pixelformat = c->pixelformat;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ops->ioctl(fd, VIDIOC_TRY_FMT, &fmt) != 0) {
		if (errno != ENOTTY)
			problem(r, c->line, "device: %s: VIDIOC_TRY_FMT: %s",
				path, strerror(errno));
		return;
	}
	if (fmt.fmt.pix.width != c->width || fmt.fmt.pix.height != c->height) {
		line = c->width_line ? c->width_line :
		       c->height_line ? c->height_line : c->line;
		problem(r, line, "width, height: %s cannot capture %ux%u %s "
			"(it offers %ux%u)", path, c->width, c->height, name,
			fmt.fmt.pix.width, fmt.fmt.pix.height);
	}
}

int
config_check_devices(const struct config *conf,
		     const struct config_v4l2_ops *ops,
		     config_report_fn *report, void *arg)
{
	struct reporter r = { conf->file, report, arg, 0 };
	struct {
		dev_t	dev;
		ino_t	ino;
	} seen[CONFIG_CAMERAS_MAX];
	const struct config_camera *c;
	struct v4l2_capability cap;
	char path[PATH_MAX];
	unsigned int i, j;
	struct stat st;
	uint32_t caps;
	int fd;

	if (ops == NULL)
		ops = &sys_ops;
	for (i = 0; i < conf->ncameras; i++) {
		c = &conf->cameras[i];
		seen[i].dev = 0;
		seen[i].ino = 0;
		if (c->device_kind == CONFIG_DEVICE_CARD) {
			if ((fd = find_card(&r, ops, c, path, sizeof(path))) < 0)
				continue;
		} else if (c->device_kind == CONFIG_DEVICE_PATH) {
			snprintf(path, sizeof(path), "%s", c->path);
			fd = ops->open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0) {
				problem(&r, c->device_line, "device: %s: %s",
					path, strerror(errno));
				continue;
			}
			if (!node_caps(ops, fd, &cap, &caps)) {
				problem(&r, c->device_line, "device: %s is not "
					"a V4L2 device (%s)", path,
					strerror(errno));
				ops->close(fd);
				continue;
			}
			if (!is_capture(caps)) {
				problem(&r, c->device_line, "device: %s is not "
					"a video capture device with streaming",
					path);
				ops->close(fd);
				continue;
			}
		} else {
			continue;	/* reported by the parser */
		}

		/* One node, one camera: by-path and by-id links are aliases. */
		if (fstat(fd, &st) == 0) {
			seen[i].dev = S_ISCHR(st.st_mode) ? st.st_rdev :
							    st.st_dev;
			seen[i].ino = S_ISCHR(st.st_mode) ? 0 : st.st_ino;
		}
		for (j = 0; j < i && (seen[i].dev || seen[i].ino); j++) {
			if (seen[j].dev != seen[i].dev ||
			    seen[j].ino != seen[i].ino)
				continue;
			/* The same spelling twice: the parser said so. */
			if (c->device_kind != conf->cameras[j].device_kind ||
			    (c->device_kind == CONFIG_DEVICE_PATH &&
			     strcmp(c->path, conf->cameras[j].path) != 0))
				problem(&r, c->device_line, "device: %s is the "
					"device of [camera %s] too", path,
					conf->cameras[j].name);
			break;
		}
		check_format(&r, ops, fd, c, path);
		ops->close(fd);
	}
	return r.problems;
}

int
config_device_path(const struct config *conf, unsigned int i, char *path,
		   size_t size, config_report_fn *report, void *arg)
{
	struct reporter r = { conf->file, report, arg, 0 };
	const struct config_camera *c = &conf->cameras[i];
	int fd;

	if (c->device_kind == CONFIG_DEVICE_PATH) {
		if ((size_t)snprintf(path, size, "%s", c->path) >= size) {
			problem(&r, c->device_line, "device: path too long");
			return -1;
		}
		return 0;
	}
	if ((fd = find_card(&r, &sys_ops, c, path, size)) < 0)
		return -1;
	close(fd);
	return 0;
}

bool
config_camera_same(const struct config_camera *a,
		   const struct config_camera *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       a->device_kind == b->device_kind &&
	       strcmp(a->path, b->path) == 0 &&
	       strcmp(a->card, b->card) == 0 &&
	       strcmp(a->bus_info, b->bus_info) == 0 &&
	       a->pixelformat == b->pixelformat && a->width == b->width &&
	       a->height == b->height && a->fps == b->fps &&
	       a->buffers == b->buffers;
}
