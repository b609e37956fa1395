/* SPDX-License-Identifier: GPL-2.0 */
/*
 * framegated's configuration: framegated.conf(5), parsed into one plain
 * struct config that the rest of the daemon reads and never writes.
 *
 * Three passes, each reporting every problem it finds through a callback
 * as (file, line, reason), line 0 meaning the file as a whole:
 *
 *   config_parse()          syntax and meaning: sections, keys, numbers and
 *                           ranges, required keys, duplicates, references
 *                           between sections, URLs. Reads only the stream it
 *                           is given: pure, and what tests/fuzz fuzzes.
 *   config_check_files()    what the parent will open later: the tenants'
 *                           CA, certificate and key are readable regular
 *                           files, the worker user exists and is not root.
 *   config_check_devices()  every camera's device is a V4L2 video capture
 *                           node that offers the configured format and size
 *                           (card + bus names are looked up in /dev).
 *
 * Each returns the number of problems it reported; a configuration is
 * usable only if all three return 0. None keeps state outside the struct
 * it is given, and none prints.
 *
 * Limits are fixed (arrays, not lists): the _MAX below, with every name
 * and string bound including its NUL. The numeric ranges are those of
 * uapi/linux/framegate.h where the kernel sets one.
 */

#ifndef FRAMEGATED_CONFIG_H
#define FRAMEGATED_CONFIG_H

#include <sys/un.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/framegate.h>

#define CONFIG_PATH_DEFAULT	"/etc/framegate/framegated.conf"
#define CONFIG_USER_DEFAULT	"nobody"
#define CONFIG_SOCKET_DEFAULT	"/run/framegated.sock"

#define CONFIG_CAMERAS_MAX	16
#define CONFIG_TENANTS_MAX	32
#define CONFIG_SESSIONS_MAX	64
#define CONFIG_SESSION_CAMERAS_MAX FG_SESSION_CAMERAS_MAX

#define CONFIG_NAME_MAX		32	/* [A-Za-z0-9][A-Za-z0-9_-]*, NUL */
#define CONFIG_FILE_MAX		4096	/* the configuration file's name */
#define CONFIG_PATH_MAX		256	/* certificate, key, device paths */
#define CONFIG_USER_MAX		33	/* a login name */
#define CONFIG_SOCKET_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
/* cell_root: as FG_CELL_ROOT_MAX (bpf/cell.h), NUL included. */
#define CONFIG_CELL_ROOT_MAX	256
#define CONFIG_CELL_ROOT_DELEGATED	"delegated"
#define CONFIG_V4L2_NAME_MAX	32	/* v4l2_capability card, bus_info */
#define CONFIG_URL_MAX		256
#define CONFIG_HOST_MAX		254	/* a DNS name (253) or an IP literal */
#define CONFIG_KEY_LEN		32	/* an X25519 public key */

/* Camera defaults and ranges (the kernel's attach limits). */
#define CONFIG_WIDTH_DEFAULT	640
#define CONFIG_HEIGHT_DEFAULT	480
#define CONFIG_FPS_DEFAULT	30
#define CONFIG_BUFFERS_DEFAULT	4

/* Session defaults and ranges. */
#define CONFIG_INTERVAL_DEFAULT	10	/* seconds between stills */
#define CONFIG_INTERVAL_MAX	86400
#define CONFIG_QUALITY_DEFAULT	85
#define CONFIG_QUEUE_DEFAULT	8	/* frames; at most FG_DEPTH_MAX */

/*
 * Where a value came from: the line of its key, or 0 when the default was
 * taken. The later passes and the daemon report problems at these lines.
 */
typedef unsigned int config_line;

struct config_global {
	char		user[CONFIG_USER_MAX];		/* workers run as */
	config_line	user_line;
	char		control_socket[CONFIG_SOCKET_MAX];
	config_line	control_socket_line;
	/*
	 * Where the cells are: "" (unset: where enforcement is pinned, else
	 * the library's default), CONFIG_CELL_ROOT_DELEGATED (below the
	 * cgroup framegated runs in) or a path below /sys/fs/cgroup.
	 */
	char		cell_root[CONFIG_CELL_ROOT_MAX];
	config_line	cell_root_line;
	config_line	line;				/* [framegated], or 0 */
};

enum config_device_kind {
	CONFIG_DEVICE_PATH = 1,	/* device = /dev/... */
	CONFIG_DEVICE_CARD,	/* device = card=CARD,bus=BUS_INFO */
};

struct config_camera {
	char		name[CONFIG_NAME_MAX];
	config_line	line;				/* [camera NAME] */
	enum config_device_kind device_kind;
	char		path[CONFIG_PATH_MAX];		/* CONFIG_DEVICE_PATH */
	char		card[CONFIG_V4L2_NAME_MAX];	/* CONFIG_DEVICE_CARD */
	char		bus_info[CONFIG_V4L2_NAME_MAX];	/* CONFIG_DEVICE_CARD */
	config_line	device_line;
	uint32_t	pixelformat;			/* a V4L2 fourcc */
	config_line	format_line;
	uint32_t	width, height;			/* FG_WIDTH/HEIGHT_MIN..MAX */
	config_line	width_line, height_line;
	uint32_t	fps;				/* FG_FPS_MIN..MAX */
	uint32_t	buffers;			/* FG_BUFFERS_MIN..MAX */
};

/* The uplink, from url = https://HOST[:PORT][/PATH]. */
struct config_url {
	char		text[CONFIG_URL_MAX];		/* as written */
	char		host[CONFIG_HOST_MAX];		/* no [] around IPv6 */
	uint16_t	port;				/* 443 if not given */
	char		path[CONFIG_URL_MAX];		/* "/" if none */
};

struct config_tenant {
	char		name[CONFIG_NAME_MAX];
	config_line	line;				/* [tenant NAME] */
	struct config_url url;
	config_line	url_line;
	char		ca[CONFIG_PATH_MAX];		/* absolute paths */
	char		cert[CONFIG_PATH_MAX];
	char		key[CONFIG_PATH_MAX];
	config_line	ca_line, cert_line, key_line;
	uint8_t		public_key[CONFIG_KEY_LEN];	/* X25519, sealing */
};

enum config_mode {
	CONFIG_MODE_STILLS = 1,	/* one frame every interval seconds */
	CONFIG_MODE_LIVE,	/* rate frames per second */
};

struct config_session {
	char		name[CONFIG_NAME_MAX];
	config_line	line;				/* [session NAME] */
	unsigned int	tenant;				/* index in tenants[] */
	unsigned int	ncameras;			/* 1..SESSION_CAMERAS_MAX */
	unsigned int	cameras[CONFIG_SESSION_CAMERAS_MAX]; /* in cameras[] */
	enum config_mode mode;
	uint32_t	interval;			/* stills: 1..INTERVAL_MAX */
	uint32_t	rate;				/* live: 1..its cameras' fps */
	uint32_t	quality;			/* JPEG quality, 1..100 */
	uint32_t	queue;				/* frames, 1..FG_DEPTH_MAX */
};

/*
 * After a config_parse() that returned 0, every count is within its _MAX,
 * every name is unique among its kind, every index points at an entry, and
 * every value is in its range. After one that did not, the entries are
 * only what could be read and must not be used to start anything.
 */
struct config {
	char		file[CONFIG_FILE_MAX];		/* as reports name it */
	struct config_global global;
	unsigned int	ncameras, ntenants, nsessions;
	struct config_camera cameras[CONFIG_CAMERAS_MAX];
	struct config_tenant tenants[CONFIG_TENANTS_MAX];
	struct config_session sessions[CONFIG_SESSIONS_MAX];
};

/* One problem: at file:line (line 0: the file as a whole), because reason. */
typedef void config_report_fn(void *arg, const char *file, config_line line,
			      const char *reason);

/*
 * Parses the stream f, named file in reports, into conf (overwritten
 * entirely). Returns the number of problems reported.
 */
int	config_parse(struct config *conf, FILE *f, const char *file,
		     config_report_fn *report, void *arg);

/* config_parse() of the file at path; one that cannot be read is a problem. */
int	config_load(struct config *conf, const char *path,
		    config_report_fn *report, void *arg);

int	config_check_files(const struct config *conf,
			   config_report_fn *report, void *arg);

/*
 * How config_check_devices() reaches V4L2 nodes: NULL means the system's
 * open(2), ioctl(2), close(2) and /dev. Tests put fake devices here.
 */
struct config_v4l2_ops {
	int		(*open)(const char *path, int flags);
	int		(*ioctl)(int fd, unsigned long request, void *arg);
	int		(*close)(int fd);
	const char	*devdir;	/* where video[0-9]* nodes are found */
};

int	config_check_devices(const struct config *conf,
			     const struct config_v4l2_ops *ops,
			     config_report_fn *report, void *arg);

/* Whether a and b configure the same camera: all but their lines agree. */
bool	config_camera_same(const struct config_camera *a,
			   const struct config_camera *b);

/* The format key's name of a V4L2 fourcc ("YUYV"), NULL if not accepted. */
const char *config_format_name(uint32_t pixelformat);

/*
 * The device node of camera i in path (size bytes): its path as written,
 * or the one capture node in /dev with its card and bus. 0, or -1 with the
 * problem reported.
 */
int	config_device_path(const struct config *conf, unsigned int i,
			   char *path, size_t size, config_report_fn *report,
			   void *arg);

#endif /* FRAMEGATED_CONFIG_H */
