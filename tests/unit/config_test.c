// SPDX-License-Identifier: GPL-2.0
/*
 * framegated.conf(5) on the host: framegated -n itself, and the parser it
 * is built from (daemon/framegated/config.c, linked in).
 *
 * Each test starts from GOOD, a configuration that uses every section
 * and that framegated -n accepts, and breaks one line of it the way an
 * administrator could. What must hold: framegated -n prints "configuration
 * OK" and exits 0 for GOOD only; for a broken one it prints nothing on
 * stdout, exactly the expected "FILE:LINE: reason" lines on stderr (every
 * bad line, in line order, nothing for lines that are fine) and exits 1.
 *
 * The host has no cameras: the tests' cameras are fake V4L2 nodes
 * (fake_v4l2.h), regular files that fake_v4l2.so, preloaded into
 * framegated, answers ioctls for. /dev/null stays the real thing.
 * framegated is the sanitized build next to this binary
 * (tests/build/unit/framegated/framegated); make unit builds both.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "config.h"
#include "fake_v4l2.h"
#include "kselftest_harness.h"

/* A key from `openssl pkey -pubout -outform DER | tail -c 32 | base64`. */
#define PUBKEY_B64	"xrsftoDBMIiuzYUXyuah+MDfqbwHvrpb6Up1Xo+Gug0="
static const uint8_t pubkey[CONFIG_KEY_LEN] = {
	0xc6, 0xbb, 0x1f, 0xb6, 0x80, 0xc1, 0x30, 0x88, 0xae, 0xcd, 0x85,
	0x17, 0xca, 0xe6, 0xa1, 0xf8, 0xc0, 0xdf, 0xa9, 0xbc, 0x07, 0xbe,
	0xba, 0x5b, 0xe9, 0x4a, 0x75, 0x5e, 0x8f, 0x86, 0xba, 0x0d,
};

/*
 * @D@ is the test's directory. The line numbers matter: tests replace
 * lines by number and expect problems at them.
 */
static const char GOOD[] =
	"[framegated]\n"					/*  1 */
	"user = nobody\n"					/*  2 */
	"control_socket = /run/framegated.sock\n"		/*  3 */
	"\n"							/*  4 */
	"[camera porch]\n"					/*  5 */
	"device = @D@/video0\n"					/*  6 */
	"format = NV12\n"					/*  7 */
	"width = 1280\n"					/*  8 */
	"height = 720\n"					/*  9 */
	"fps = 30\n"						/* 10 */
	"buffers = 4\n"						/* 11 */
	"\n"							/* 12 */
	"[camera hall]\n"					/* 13 */
	"device = @D@/video1\n"					/* 14 */
	"\n"							/* 15 */
	"[tenant smith]\n"					/* 16 */
	"url = https://ingest.example:8443/smith\n"		/* 17 */
	"ca = @D@/ca.pem\n"					/* 18 */
	"cert = @D@/cert.pem\n"					/* 19 */
	"key = @D@/key.pem\n"					/* 20 */
	"public_key = " PUBKEY_B64 "\n"				/* 21 */
	"\n"							/* 22 */
	"[session stills]\n"					/* 23 */
	"tenant = smith\n"					/* 24 */
	"cameras = porch, hall\n"				/* 25 */
	"mode = stills\n"					/* 26 */
	"interval = 60\n"					/* 27 */
	"quality = 90\n"					/* 28 */
	"queue = 16\n"						/* 29 */
	"\n"							/* 30 */
	"[session live]\n"					/* 31 */
	"tenant = smith\n"					/* 32 */
	"cameras = hall\n"					/* 33 */
	"mode = live\n"						/* 34 */
	"rate = 15\n";						/* 35 */

/* What a test works in. */
struct scratch {
	char	dir[64];		/* a fresh directory for each test */
	char	file[128];		/* dir/framegated.conf */
	char	out[8192], err[8192];	/* of the last run */
	int	status;			/* its exit status */
};

/* text with every @D@ replaced by dir and every @F@ by file. */
static char *
subst(const char *text, const char *dir, const char *file)
{
	size_t size = strlen(text) * 2 + 4096, n = 0;
	char *out = malloc(size);
	const char *with;

	if (out == NULL)
		abort();
	while (*text != '\0') {
		with = !strncmp(text, "@D@", 3) ? dir :
		       !strncmp(text, "@F@", 3) ? file : NULL;
		if (with != NULL) {
			n += snprintf(out + n, size - n, "%s", with);
			text += 3;
		} else if (n + 1 < size) {
			out[n++] = *text++;
		}
		if (n >= size - 1)
			abort();
	}
	out[n] = '\0';
	return out;
}

/* text with its line `line` (from 1) replaced by the lines of with. */
static char *
replace_line(const char *text, unsigned int line, const char *with)
{
	size_t size = strlen(text) + strlen(with) + 2;
	char *out = malloc(size), *o = out;
	unsigned int n = 1;
	size_t len;

	if (out == NULL)
		abort();
	while (*text != '\0') {
		len = strcspn(text, "\n");
		len += text[len] == '\n';
		if (n++ == line)
			o += sprintf(o, "%s\n", with);
		else
			o = mempcpy(o, text, len);
		text += len;
	}
	*o = '\0';
	return out;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 ||
	    chmod(path, mode) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		abort();
	}
}

/* The configuration text (with @D@) in self->file. */
static void
conf_write(struct scratch *self, const char *text)
{
	char *t = subst(text, self->dir, self->file);

	write_file(self->file, t, 0644);
	free(t);
}

/* A file next to this binary, or the binary's own directory (name ""). */
static void
beside_self(char *path, size_t size, const char *name)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		abort();
	exe[n] = '\0';
	snprintf(path, size, "%s/%s", dirname(exe), name);
}

static void
read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * framegated with the arguments (NULL-terminated), fake_v4l2.so preloaded:
 * self->out, self->err, self->status (-1: it did not exit).
 */
static void
framegated(struct scratch *self, ...)
{
	char bin[PATH_MAX], shim[PATH_MAX], env[PATH_MAX + 16];
	char out[PATH_MAX], err[PATH_MAX];
	const char *argv[16] = { "framegated" };
	int i = 1, status;
	va_list ap;
	pid_t pid;

	beside_self(bin, sizeof(bin), "framegated/framegated");
	beside_self(shim, sizeof(shim), "fake_v4l2.so");
	snprintf(out, sizeof(out), "%s/stdout", self->dir);
	snprintf(err, sizeof(err), "%s/stderr", self->dir);
	va_start(ap, self);
	while (i < 15 && (argv[i] = va_arg(ap, const char *)) != NULL)
		i++;
	va_end(ap);
	argv[i] = NULL;

	fflush(NULL);
	if ((pid = fork()) < 0)
		abort();
	if (pid == 0) {
		if (freopen(out, "w", stdout) == NULL ||
		    freopen(err, "w", stderr) == NULL)
			_exit(127);
		snprintf(env, sizeof(env), "LD_PRELOAD=%s", shim);
		putenv(env);
		setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
		execv(bin, (char **)argv);
		fprintf(stderr, "%s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		abort();
	self->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	read_all(out, self->out, sizeof(self->out));
	read_all(err, self->err, sizeof(self->err));
}

/*
 * framegated -n -f self->file on config (with @D@): exit status, stdout
 * and stderr (with @D@ and @F@) exactly as expected.
 */
static void
check(struct __test_metadata *_metadata, struct scratch *self,
      const char *config, int status, const char *out, const char *err)
{
	char *want_out = subst(out, self->dir, self->file);
	char *want_err = subst(err, self->dir, self->file);

	conf_write(self, config);
	framegated(self, "-n", "-f", self->file, NULL);
	EXPECT_STREQ(want_err, self->err);
	EXPECT_STREQ(want_out, self->out);
	EXPECT_EQ(status, self->status);
	free(want_out);
	free(want_err);
}

/* GOOD with one line replaced must give exactly the problems in err. */
static void
check_bad(struct __test_metadata *_metadata, struct scratch *self,
	  unsigned int line, const char *with, const char *err)
{
	char *config = replace_line(GOOD, line, with);

	check(_metadata, self, config, 1, "", err);
	free(config);
}

static void
scratch_setup(struct __test_metadata *_metadata, struct scratch *self)
{
	char path[128];

	snprintf(self->dir, sizeof(self->dir), "/tmp/fgconf.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->file, sizeof(self->file), "%s/framegated.conf",
		 self->dir);
	snprintf(path, sizeof(path), "%s/ca.pem", self->dir);
	write_file(path, "-----BEGIN CERTIFICATE-----\n", 0644);
	snprintf(path, sizeof(path), "%s/cert.pem", self->dir);
	write_file(path, "-----BEGIN CERTIFICATE-----\n", 0644);
	snprintf(path, sizeof(path), "%s/key.pem", self->dir);
	write_file(path, "-----BEGIN PRIVATE KEY-----\n", 0600);
	snprintf(path, sizeof(path), "%s/video0", self->dir);
	ASSERT_EQ(0, fake_v4l2_create(path, "vivid", "platform:vivid-000",
		"capture streaming", "YUYV NV12", "640x480 1280x720"));
	snprintf(path, sizeof(path), "%s/video1", self->dir);
	ASSERT_EQ(0, fake_v4l2_create(path, "vivid", "platform:vivid-001",
		"capture streaming", "YUYV", "640x480"));
	snprintf(path, sizeof(path), "%s/out0", self->dir);
	ASSERT_EQ(0, fake_v4l2_create(path, "vivid", "platform:vivid-002",
		"output streaming", "YUYV", "640x480"));
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
scratch_teardown(struct scratch *self)
{
	nftw(self->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

FIXTURE(conf) {
	struct scratch	s;
};

FIXTURE_SETUP(conf)
{
	scratch_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(conf)
{
	scratch_teardown(&self->s);
}

/* ------------------------------------------------------ framegated -n */

TEST_F(conf, good_config_is_ok)
{
	check(_metadata, &self->s, GOOD, 0, "configuration OK\n", "");
}

/*
 * GOOD with one line replaced (by one or more lines): framegated -n
 * reports exactly err and exits 1.
 */
FIXTURE(bad_line) {
	struct scratch	s;
};

FIXTURE_VARIANT(bad_line) {
	unsigned int	line;	/* of GOOD, from 1 */
	const char	*with;	/* with @D@ */
	const char	*err;	/* with @D@ and @F@ */
};

FIXTURE_SETUP(bad_line)
{
	scratch_setup(_metadata, &self->s);
}

FIXTURE_TEARDOWN(bad_line)
{
	scratch_teardown(&self->s);
}

FIXTURE_VARIANT_ADD(bad_line, unknown_key) {
	.line = 10,
	.with = "colour = red",
	.err = "@F@:10: unknown key \"colour\" in [camera porch]\n",
};

/* Its keys are not reported one by one. */
FIXTURE_VARIANT_ADD(bad_line, unknown_section) {
	.line = 12,
	.with = "[printer office]\nmodel = laser",
	.err = "@F@:12: unknown section \"[printer office]\"\n",
};

FIXTURE_VARIANT_ADD(bad_line, bad_number) {
	.line = 10,
	.with = "fps = thirty",
	.err = "@F@:10: fps: \"thirty\" is not a number\n",
};

FIXTURE_VARIANT_ADD(bad_line, number_out_of_range) {
	.line = 28,
	.with = "quality = 101",
	.err = "@F@:28: quality: 101 is out of range (1..100)\n",
};

FIXTURE_VARIANT_ADD(bad_line, session_without_tenant) {
	.line = 24,
	.with = "",
	.err = "@F@:23: [session stills]: missing key \"tenant\"\n",
};

FIXTURE_VARIANT_ADD(bad_line, missing_required_key) {
	.line = 17,
	.with = "",
	.err = "@F@:16: [tenant smith]: missing key \"url\"\n",
};

FIXTURE_VARIANT_ADD(bad_line, duplicate_section) {
	.line = 31,
	.with = "[session stills]",
	.err = "@F@:31: duplicate [session stills] (first at line 23)\n",
};

FIXTURE_VARIANT_ADD(bad_line, duplicate_key) {
	.line = 11,
	.with = "fps = 25",
	.err = "@F@:11: duplicate key \"fps\" (first at line 10)\n",
};

FIXTURE_VARIANT_ADD(bad_line, unknown_tenant) {
	.line = 32,
	.with = "tenant = jones",
	.err = "@F@:32: tenant: no [tenant jones]\n",
};

FIXTURE_VARIANT_ADD(bad_line, unknown_camera) {
	.line = 33,
	.with = "cameras = hall, garage",
	.err = "@F@:33: cameras: no [camera garage]\n",
};

FIXTURE_VARIANT_ADD(bad_line, missing_certificate) {
	.line = 19,
	.with = "cert = @D@/missing.pem",
	.err = "@F@:19: cert: @D@/missing.pem: No such file or directory\n",
};

FIXTURE_VARIANT_ADD(bad_line, directory_as_ca) {
	.line = 18,
	.with = "ca = @D@",
	.err = "@F@:18: ca: @D@ is not a regular file\n",
};

FIXTURE_VARIANT_ADD(bad_line, http_url) {
	.line = 17,
	.with = "url = http://ingest.example/smith",
	.err = "@F@:17: url: \"http://ingest.example/smith\" is not an "
	       "https:// URL\n",
};

FIXTURE_VARIANT_ADD(bad_line, url_without_host) {
	.line = 17,
	.with = "url = https:///smith",
	.err = "@F@:17: url: \"https:///smith\" has no host\n",
};

FIXTURE_VARIANT_ADD(bad_line, dev_null_as_camera) {
	.line = 6,
	.with = "device = /dev/null",
	.err = "@F@:6: device: /dev/null is not a V4L2 device "
	       "(Inappropriate ioctl for device)\n",
};

FIXTURE_VARIANT_ADD(bad_line, output_device_as_camera) {
	.line = 6,
	.with = "device = @D@/out0",
	.err = "@F@:6: device: @D@/out0 is not a video capture device "
	       "with streaming\n",
};

FIXTURE_VARIANT_ADD(bad_line, missing_device) {
	.line = 14,
	.with = "device = /dev/v4l/by-id/usb-No_Such_Camera-video-index0",
	.err = "@F@:14: device: /dev/v4l/by-id/usb-No_Such_Camera-video-"
	       "index0: No such file or directory\n",
};

FIXTURE_VARIANT_ADD(bad_line, format_the_camera_lacks) {
	.line = 7,
	.with = "format = GREY",
	.err = "@F@:7: format: @D@/video0 does not offer GREY\n",
};

FIXTURE_VARIANT_ADD(bad_line, size_the_camera_lacks) {
	.line = 8,
	.with = "width = 1920",
	.err = "@F@:8: width, height: @D@/video0 cannot capture 1920x720 "
	       "NV12 (it offers 1280x720)\n",
};

FIXTURE_VARIANT_ADD(bad_line, rate_above_the_camera_fps) {
	.line = 35,
	.with = "rate = 60",
	.err = "@F@:35: rate: 60 is above the fps of [camera hall] (30)\n",
};

FIXTURE_VARIANT_ADD(bad_line, line_that_is_no_key) {
	.line = 12,
	.with = "the porch camera",
	.err = "@F@:12: expected \"key = value\"\n",
};

TEST_F(bad_line, is_reported_at_its_line)
{
	check_bad(_metadata, &self->s, variant->line, variant->with,
		  variant->err);
}

TEST_F(conf, unreadable_certificate_is_reported)
{
	char path[128];

	if (geteuid() == 0)
		SKIP(return, "root reads a file of mode 0000");
	snprintf(path, sizeof(path), "%s/cert.pem", self->s.dir);
	ASSERT_EQ(0, chmod(path, 0));
	check(_metadata, &self->s, GOOD, 1, "",
	      "@F@:19: cert: @D@/cert.pem: Permission denied\n");
}

TEST_F(conf, key_readable_by_others_is_reported)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/key.pem", self->s.dir);
	ASSERT_EQ(0, chmod(path, 0644));
	check(_metadata, &self->s, GOOD, 1, "", "@F@:20: key: @D@/key.pem is "
	      "accessible by group or others (mode 0644)\n");
}

/* All of them, in line order, whichever pass found them. */
TEST_F(conf, every_bad_line_is_reported)
{
	char *a = replace_line(GOOD, 33, "cameras = garage");
	char *b = replace_line(a, 19, "cert = @D@/missing.pem");
	char *c = replace_line(b, 10, "fps = 241");
	char *d = replace_line(c, 6, "device = /dev/null");
	char *e = replace_line(d, 2, "colour = red");

	check(_metadata, &self->s, e, 1, "",
	      "@F@:2: unknown key \"colour\" in [framegated]\n"
	      "@F@:6: device: /dev/null is not a V4L2 device "
	      "(Inappropriate ioctl for device)\n"
	      "@F@:10: fps: 241 is out of range (1..240)\n"
	      "@F@:19: cert: @D@/missing.pem: No such file or directory\n"
	      "@F@:33: cameras: no [camera garage]\n");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

TEST_F(conf, missing_config_file_is_reported)
{
	framegated(&self->s, "-n", "-f", "/nonexistent/framegated.conf", NULL);
	EXPECT_STREQ("/nonexistent/framegated.conf: No such file or "
		     "directory\n", self->s.err);
	EXPECT_STREQ("", self->s.out);
	EXPECT_EQ(1, self->s.status);
}

/* Without -n too: the problems are logged and nothing starts. */
TEST_F(conf, daemon_starts_nothing_from_a_bad_config)
{
	char *config = replace_line(GOOD, 10, "fps = thirty");
	char *want = subst("parent: @F@:10: fps: \"thirty\" is not a number\n"
			   "parent: @F@: bad configuration, nothing started\n",
			   self->s.dir, self->s.file);

	if (geteuid() != 0)
		SKIP(return, "framegated without -n needs root");
	conf_write(&self->s, config);
	framegated(&self->s, "-d", "-f", self->s.file, NULL);
	EXPECT_STREQ(want, self->s.err);
	EXPECT_EQ(1, self->s.status);
	free(config);
	free(want);
}

TEST_F(conf, unknown_flag_prints_usage)
{
	framegated(&self->s, "-x", NULL);
	EXPECT_NE(NULL, strstr(self->s.err, "usage: framegated [-dnv] [-f file]\n"));
	EXPECT_EQ(1, self->s.status);
}

/* ------------------------------------------------------------ the parser */

/* Problems as "LINE: reason\n", appended to the buffer arg. */
static void
collect(void *arg, const char *file, config_line line, const char *reason)
{
	char *buf = arg;
	size_t n = strlen(buf);

	(void)file;
	snprintf(buf + n, 8192 - n, "%u: %s\n", line, reason);
}

/* config_parse() of text, its problems in problems[8192]. */
static int
parse(struct config *conf, const char *text, char *problems)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (f == NULL)
		abort();
	problems[0] = '\0';
	r = config_parse(conf, f, "test.conf", collect, problems);
	fclose(f);
	return r;
}

TEST_F(conf, parse_fills_every_value)
{
	static struct config c;
	char problems[8192];
	char *text = subst(GOOD, self->s.dir, self->s.file);
	const struct config_session *s;

	EXPECT_EQ(0, parse(&c, text, problems));
	EXPECT_STREQ("", problems);
	EXPECT_STREQ("test.conf", c.file);
	EXPECT_STREQ("nobody", c.global.user);
	EXPECT_EQ(2, c.global.user_line);
	EXPECT_STREQ("/run/framegated.sock", c.global.control_socket);

	ASSERT_EQ(2, c.ncameras);
	EXPECT_STREQ("porch", c.cameras[0].name);
	EXPECT_EQ(5, c.cameras[0].line);
	EXPECT_EQ(CONFIG_DEVICE_PATH, c.cameras[0].device_kind);
	EXPECT_EQ(6, c.cameras[0].device_line);
	EXPECT_EQ(V4L2_PIX_FMT_NV12, c.cameras[0].pixelformat);
	EXPECT_EQ(1280, c.cameras[0].width);
	EXPECT_EQ(720, c.cameras[0].height);
	EXPECT_EQ(30, c.cameras[0].fps);
	EXPECT_EQ(4, c.cameras[0].buffers);
	/* hall has nothing but its device: the defaults. */
	EXPECT_STREQ("hall", c.cameras[1].name);
	EXPECT_EQ(V4L2_PIX_FMT_YUYV, c.cameras[1].pixelformat);
	EXPECT_EQ(CONFIG_WIDTH_DEFAULT, c.cameras[1].width);
	EXPECT_EQ(CONFIG_HEIGHT_DEFAULT, c.cameras[1].height);
	EXPECT_EQ(CONFIG_FPS_DEFAULT, c.cameras[1].fps);
	EXPECT_EQ(CONFIG_BUFFERS_DEFAULT, c.cameras[1].buffers);
	EXPECT_EQ(0, c.cameras[1].format_line);

	ASSERT_EQ(1, c.ntenants);
	EXPECT_STREQ("smith", c.tenants[0].name);
	EXPECT_STREQ("ingest.example", c.tenants[0].url.host);
	EXPECT_EQ(8443, c.tenants[0].url.port);
	EXPECT_STREQ("/smith", c.tenants[0].url.path);
	EXPECT_EQ(20, c.tenants[0].key_line);
	EXPECT_EQ(0, memcmp(pubkey, c.tenants[0].public_key, sizeof(pubkey)));

	ASSERT_EQ(2, c.nsessions);
	s = &c.sessions[0];
	EXPECT_STREQ("stills", s->name);
	EXPECT_EQ(0, s->tenant);
	ASSERT_EQ(2, s->ncameras);
	EXPECT_EQ(0, s->cameras[0]);
	EXPECT_EQ(1, s->cameras[1]);
	EXPECT_EQ(CONFIG_MODE_STILLS, s->mode);
	EXPECT_EQ(60, s->interval);
	EXPECT_EQ(90, s->quality);
	EXPECT_EQ(16, s->queue);
	s = &c.sessions[1];
	ASSERT_EQ(1, s->ncameras);
	EXPECT_EQ(1, s->cameras[0]);
	EXPECT_EQ(CONFIG_MODE_LIVE, s->mode);
	EXPECT_EQ(15, s->rate);
	EXPECT_EQ(CONFIG_QUALITY_DEFAULT, s->quality);
	EXPECT_EQ(CONFIG_QUEUE_DEFAULT, s->queue);
	free(text);
}

/* No rate: the slowest camera's; no interval: the default. */
TEST_F(conf, parse_sets_session_defaults)
{
	static struct config c;
	char problems[8192];

	EXPECT_EQ(0, parse(&c,
		"[camera a]\ndevice = /dev/video0\nfps = 25\n"
		"[camera b]\ndevice = /dev/video1\nfps = 12\n"
		"[tenant t]\nurl = https://h\nca = /ca\ncert = /c\nkey = /k\n"
		"public_key = " PUBKEY_B64 "\n"
		"[session live]\ntenant = t\ncameras = a b\nmode = live\n"
		"[session stills]\ntenant = t\ncameras = a\nmode = stills\n",
		problems));
	EXPECT_STREQ("", problems);
	EXPECT_EQ(12, c.sessions[0].rate);
	EXPECT_EQ(CONFIG_INTERVAL_DEFAULT, c.sessions[1].interval);
	EXPECT_EQ(443, c.tenants[0].url.port);
	EXPECT_STREQ("/", c.tenants[0].url.path);
	EXPECT_STREQ(CONFIG_USER_DEFAULT, c.global.user);
	EXPECT_EQ(0, c.global.user_line);
}

/*
 * fps = driver: framegate sets no rate (a media pipeline set up
 * beforehand), so nothing can default a live session's rate to it.
 */
TEST_F(conf, fps_driver_leaves_the_rate_to_the_driver)
{
#define DRIVER_CAMERA	"[camera a]\ndevice = /dev/video0\nfps = driver\n" \
			"[tenant t]\nurl = https://h\nca = /ca\ncert = /c\n" \
			"key = /k\npublic_key = " PUBKEY_B64 "\n" \
			"[session live]\ntenant = t\ncameras = a\n"
	static struct config c;
	char problems[8192];

	EXPECT_EQ(0, parse(&c, DRIVER_CAMERA "mode = live\nrate = 5\n",
			   problems));
	EXPECT_STREQ("", problems);
	EXPECT_EQ(FG_FPS_DRIVER, c.cameras[0].fps);
	EXPECT_EQ(5, c.sessions[0].rate);
	EXPECT_NE(0, parse(&c, DRIVER_CAMERA "mode = live\n", problems));
	EXPECT_STREQ("13: mode: live needs a rate: [camera a] runs at its "
		     "driver's fps\n", problems);
	EXPECT_EQ(0, parse(&c, DRIVER_CAMERA "mode = stills\n", problems));
	EXPECT_STREQ("", problems);
	EXPECT_NE(0, parse(&c, "[camera a]\ndevice = /dev/video0\n"
			   "fps = drivers\n", problems));
	EXPECT_STREQ("3: fps: \"drivers\" is not a number\n", problems);
#undef DRIVER_CAMERA
}

/* The example the daemon ships: it must stay a valid configuration. */
TEST_F(conf, shipped_example_parses)
{
	static struct config c;
	char problems[8192], path[PATH_MAX], top[PATH_MAX];
	FILE *f;

	/* make passes this file's absolute path: TOP/tests/unit/... */
	snprintf(top, sizeof(top), "%s", __FILE__);
	ASSERT_EQ('/', top[0]);
	snprintf(path, sizeof(path), "%s/../../daemon/framegated/"
		 "framegated.conf", dirname(top));
	ASSERT_NE(NULL, f = fopen(path, "r"));
	problems[0] = '\0';
	EXPECT_EQ(0, config_parse(&c, f, path, collect, problems));
	fclose(f);
	EXPECT_STREQ("", problems);
	EXPECT_EQ(2, c.ncameras);
	EXPECT_EQ(2, c.ntenants);
	EXPECT_EQ(2, c.nsessions);
	EXPECT_STREQ("2001:db8::10", c.tenants[1].url.host);
}

/* url = values and the problem each one is, "" for none. */
TEST_F(conf, parse_checks_urls)
{
	static const struct {
		const char *url, *problem;
	} urls[] = {
		{ "https://h", "" },
		{ "HTTPS://ingest.example.net:443/a/b?c=d", "" },
		{ "https://[::1]:8443/x", "" },
		{ "https://192.0.2.1/", "" },
		{ "https://a-b.c9/%41", "" },
		{ "http://h", "\"http://h\" is not an https:// URL" },
		{ "h", "\"h\" is not an https:// URL" },
		{ "https://", "\"https://\" has no host" },
		{ "https://:443", "\"https://:443\" has no host" },
		{ "https://user@h", "\"https://user@h\" has user information" },
		{ "https://h:0", "port \"0\" is not in 1..65535" },
		{ "https://h:65536", "port \"65536\" is not in 1..65535" },
		{ "https://h:/x", "port \"\" is not in 1..65535" },
		{ "https://h:44x/", "port \"44x\" is not in 1..65535" },
		{ "https://192.0.2/", "\"https://192.0.2/\" has a bad host" },
		{ "https://a..b", "\"https://a..b\" has a bad host" },
		{ "https://-a", "\"https://-a\" has a bad host" },
		{ "https://a_b", "\"https://a_b\" has a bad host" },
		{ "https://[::g]/", "\"https://[::g]/\" has a bad host" },
		{ "https://[::1", "\"https://[::1\" has a bad host" },
		{ "https://h/a b", "\"/a b\" has a bad path" },
		{ "https://h/%4", "\"/%4\" has a bad path" },
		{ "https://h#frag", "\"#frag\" has a bad path" },
	};
	static struct config c;
	char text[512], problems[8192], want[512];
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		snprintf(text, sizeof(text), "[tenant t]\nurl = %s\nca = /a\n"
			 "cert = /b\nkey = /c\npublic_key = " PUBKEY_B64 "\n",
			 urls[i].url);
		snprintf(want, sizeof(want), "%s%s%s", urls[i].problem[0] ?
			 "2: url: " : "", urls[i].problem,
			 urls[i].problem[0] ? "\n" : "");
		parse(&c, text, problems);
		EXPECT_STREQ(want, problems) {
			TH_LOG("url = %s", urls[i].url);
		}
	}
}

TEST_F(conf, parse_checks_public_keys)
{
	static const char *const bad[] = {
		"xrsftoDBMIiuzYUXyuah+MDfqbwHvrpb6Up1Xo+Gug0",	/* no '=' */
		"xrsftoDBMIiuzYUXyuah+MDfqbwHvrpb6Up1Xo+Gug1=",	/* bits */
		"xrsftoDBMIiuzYUXyuah+MDfqbwHvrpb6Up1Xo+Gu===",	/* short */
		"xrsftoDBMIiuzYUXyuah+MDfqbwHvrpb6Up1Xo+G.g0=",	/* '.' */
		"xrsftoDBMIiuzYUXyuah+MDfqbwHvrpb6Up1Xo+Gug0=AAAA", /* long */
	};
	static struct config c;
	char text[512], problems[8192];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[tenant t]\nurl = https://h\n"
			 "ca = /a\ncert = /b\nkey = /c\npublic_key = %s\n",
			 bad[i]);
		parse(&c, text, problems);
		EXPECT_STREQ("6: public_key: not the base64 of a 32-byte "
			     "X25519 key\n", problems) {
			TH_LOG("public_key = %s", bad[i]);
		}
	}
}

/* A key of small order seals to nothing; and a tenant needs its key. */
TEST_F(conf, parse_refuses_small_order_and_missing_public_keys)
{
	static struct config c;
	char problems[8192];

	/* 0, and 1: both of small order. */
	parse(&c, "[tenant t]\nurl = https://h\nca = /a\ncert = /b\n"
		  "key = /c\npublic_key = "
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		  "[tenant u]\nurl = https://h\nca = /a\ncert = /b\n"
		  "key = /c\npublic_key = "
		  "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		  "[tenant v]\nurl = https://h\nca = /a\ncert = /b\n"
		  "key = /c\n", problems);
	EXPECT_STREQ(
		"6: public_key: a key of small order: frames sealed to it "
		"would open with any key\n"
		"12: public_key: a key of small order: frames sealed to it "
		"would open with any key\n"
		"13: [tenant v]: missing key \"public_key\"\n", problems);
}

TEST_F(conf, parse_checks_names_and_headers)
{
	static struct config c;
	char problems[8192];

	parse(&c, "[camera a/b]\n[camera]\n[framegated x]\n[tenant t\n"
		  "[session s] junk\n[camera " "abcdefghijabcdefghijabcdefghijab"
		  "]\n[framegated]\n[framegated]\n", problems);
	EXPECT_STREQ(
		"1: camera name \"a/b\": not 1..31 letters, digits, '-' or '_' "
		"(first a letter or digit)\n"
		"2: [camera] needs a name\n"
		"3: [framegated] takes no name\n"
		"4: section header lacks \"]\"\n"
		"5: text after \"]\": \"junk\"\n"
		"6: camera name \"abcdefghijabcdefghijabcdefghijab\": not "
		"1..31 letters, digits, '-' or '_' (first a letter or digit)\n"
		"8: duplicate [framegated] (first at line 7)\n", problems);
}

TEST_F(conf, parse_checks_devices_and_lists)
{
	static struct config c;
	char problems[8192];

	parse(&c,
	      "[camera a]\ndevice = video0\n"				/* 1-2 */
	      "[camera b]\ndevice = card=vivid\n"			/* 3-4 */
	      "[camera c]\ndevice = card=vivid,bus=x,card=y\n"		/* 5-6 */
	      "[camera d]\ndevice = card=HD Cam, bus=usb-1\n"		/* 7-8 */
	      "[camera e]\ndevice = card=HD Cam,bus=usb-1\n"		/* 9-10 */
	      "[camera f]\ndevice = /dev/video0\nformat = MJPG\n"	/* 11-13 */
	      "[tenant t]\nurl = https://h\nca = /a\ncert = b\nkey = /c\n"
	      "public_key = " PUBKEY_B64 "\n"
	      "[session s]\ntenant = t\ncameras = a, b, c, d, e, f, a\n"
	      "mode = sometimes\ninterval = 0\n", problems);
	EXPECT_STREQ(
		"2: device: \"video0\" is neither a path nor card=CARD,bus=BUS\n"
		"4: device: \"card=vivid\" lacks bus=BUS\n"
		"6: device: \"card=y\" is given twice\n"
		"13: format: \"MJPG\" is not one of YUYV, UYVY, NV12, GREY, "
		"RGB24, BGR24\n"
		"17: cert: \"b\" is not an absolute path\n"
		"22: cameras: a is listed twice\n"
		"23: mode: \"sometimes\" is neither stills nor live\n"
		"24: interval: 0 is out of range (1..86400)\n"
		"10: device: also the device of [camera d] (line 8)\n",
		problems);
	EXPECT_STREQ("HD Cam", c.cameras[3].card);
	EXPECT_STREQ("usb-1", c.cameras[3].bus_info);
}

TEST_F(conf, parse_checks_lines)
{
	static struct config c;
	char problems[8192], text[512];

	snprintf(text, sizeof(text), "[camera a]\ndevice = /dev/%0250d\n"
		 "fps\x01= 3\n\xef\xbb\xbf[camera b]\n", 0);
	parse(&c, text, problems);
	EXPECT_STREQ("2: longer than 199 characters\n"
		     "3: control character 0x01\n"
		     "4: expected \"key = value\"\n"
		     "1: [camera a]: missing key \"device\"\n", problems);
	/* A byte order mark is only skipped at the very start. */
	parse(&c, "\xef\xbb\xbf[camera a]\n  device = /dev/video0\n", problems);
	EXPECT_STREQ("", problems);
	EXPECT_STREQ("a", c.cameras[0].name);
}

TEST_F(conf, parse_checks_the_cell_root)
{
	static const char *const bad[] = {
		"cells", "/sys/fs/cgroup", "/sys/fs/cgroup/", "/tmp/cells",
		"/sys/fs/cgroup//cells", "/sys/fs/cgroup/a/../b",
		"/sys/fs/cgroup/a/./b", "/sys/fs/cgroup/a/..",
		"/sys/fs/cgroup/a/", "Delegated",
	};
	static struct config c;
	char problems[8192], text[512], want[512];
	size_t i;

	parse(&c, "[framegated]\ncell_root = delegated\n", problems);
	EXPECT_STREQ("", problems);
	EXPECT_STREQ(CONFIG_CELL_ROOT_DELEGATED, c.global.cell_root);
	EXPECT_EQ(2, c.global.cell_root_line);
	parse(&c, "[framegated]\ncell_root = /sys/fs/cgroup/a.slice/b\n",
	      problems);
	EXPECT_STREQ("", problems);
	EXPECT_STREQ("/sys/fs/cgroup/a.slice/b", c.global.cell_root);
	parse(&c, "[framegated]\nuser = nobody\n", problems);
	EXPECT_STREQ("", c.global.cell_root);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[framegated]\ncell_root = %s\n",
			 bad[i]);
		snprintf(want, sizeof(want), "2: cell_root: \"%s\" is neither "
			 "\"delegated\" nor a cgroup below /sys/fs/cgroup/ by "
			 "plain names\n", bad[i]);
		parse(&c, text, problems);
		EXPECT_STREQ(want, problems);
	}
}

TEST_F(conf, parse_checks_limits)
{
	static struct config c;
	char text[4096], problems[8192];
	size_t n = 0;
	int i;

	for (i = 0; i <= CONFIG_CAMERAS_MAX; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "[camera c%d]\ndevice = /dev/video%d\n", i, i);
	n += snprintf(text + n, sizeof(text) - n, "[session s]\ncameras = "
		      "c1 c2 c3 c4 c5 c6 c7 c8 c9\n");
	parse(&c, text, problems);
	EXPECT_STREQ("33: more than 16 cameras\n"
		     "36: cameras: more than 8 cameras\n"
		     "35: [session s]: missing key \"tenant\"\n"
		     "35: [session s]: missing key \"mode\"\n", problems);
	EXPECT_EQ(CONFIG_CAMERAS_MAX, c.ncameras);
}

/* ----------------------------------------------- config_check_devices() */

static int
fake_open(const char *path, int flags)
{
	return open(path, flags);
}

static int
fake_ioctl(int fd, unsigned long request, void *arg)
{
	int r = fake_v4l2_ioctl(fd, request, arg);

	if (r == FAKE_V4L2_NOT_FAKE) {
		errno = ENOTTY;
		return -1;
	}
	return r;
}

static int
check_devices(struct scratch *self, const char *config, char *problems)
{
	static struct config c;
	struct config_v4l2_ops ops = {
		.open = fake_open, .ioctl = fake_ioctl, .close = close,
		.devdir = self->dir,
	};
	char *text = subst(config, self->dir, self->file);

	if (parse(&c, text, problems) != 0)
		abort();
	free(text);
	return config_check_devices(&c, &ops, collect, problems);
}

/* card + bus: the one capture node with both, not its metadata node. */
TEST_F(conf, card_and_bus_find_the_capture_node)
{
	char problems[8192], path[128], *want;

	snprintf(path, sizeof(path), "%s/video7", self->s.dir);
	ASSERT_EQ(0, fake_v4l2_create(path, "vivid", "platform:vivid-000",
				      "meta streaming", "", ""));
	EXPECT_EQ(0, check_devices(&self->s, "[camera a]\n"
		  "device = card=vivid,bus=platform:vivid-000\nformat = NV12\n"
		  "width = 1280\nheight = 720\n", problems));
	EXPECT_STREQ("", problems);
	EXPECT_EQ(1, check_devices(&self->s, "[camera a]\n"
		  "device = card=vivid,bus=platform:vivid-009\n", problems));
	want = subst("2: device: no video capture device in @D@ has card "
		     "\"vivid\" and bus \"platform:vivid-009\"\n", self->s.dir, "");
	EXPECT_STREQ(want, problems);
	free(want);
}

TEST_F(conf, card_and_bus_of_two_nodes_is_ambiguous)
{
	char problems[8192], path[128];

	snprintf(path, sizeof(path), "%s/video12", self->s.dir);
	ASSERT_EQ(0, fake_v4l2_create(path, "vivid", "platform:vivid-001",
				      "capture streaming", "YUYV", "640x480"));
	EXPECT_EQ(1, check_devices(&self->s, "[camera a]\n"
		  "device = card=vivid,bus=platform:vivid-001\n", problems));
	EXPECT_STREQ("2: device: 2 video capture devices have card \"vivid\" "
		     "and bus \"platform:vivid-001\"\n", problems);
}

/* A by-id link and the node it points at are one camera, not two. */
TEST_F(conf, two_names_of_one_node_are_reported)
{
	char problems[8192], link[128], target[128], *want;

	snprintf(link, sizeof(link), "%s/by-id-cam", self->s.dir);
	snprintf(target, sizeof(target), "%s/video0", self->s.dir);
	ASSERT_EQ(0, symlink(target, link));
	EXPECT_EQ(2, check_devices(&self->s,
		  "[camera a]\ndevice = @D@/video0\n"
		  "[camera b]\ndevice = @D@/by-id-cam\n"
		  "[camera c]\ndevice = card=vivid,bus=platform:vivid-000\n",
		  problems));
	want = subst("4: device: @D@/by-id-cam is the device of [camera a] "
		     "too\n6: device: @D@/video0 is the device of [camera a] "
		     "too\n", self->s.dir, "");
	EXPECT_STREQ(want, problems);
	free(want);
}

TEST_HARNESS_MAIN
