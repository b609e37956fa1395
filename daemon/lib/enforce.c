// SPDX-License-Identifier: MIT
/*
 * Enforcement: loads the cell programs (bpf/cell.bpf.c, through the
 * skeleton bpf/build/cell.skel.h), pins them under FG_PIN_DIR or adopts
 * what is pinned there, and manages cells (cgroup v2 directories) and
 * their endpoints in the pinned maps. See enforce.h.
 *
 * Publishing survives a loader killed at any instant. Loaders serialise on
 * a flock of the bpffs root. A loader pins fresh maps into a staging
 * directory beside FG_PIN_DIR, loads and attaches the programs (the links
 * held by its own fds), renames the staging directory to FG_PIN_DIR (or
 * exchanges the two, after copying the cells and endpoints of a stale
 * FG_PIN_DIR), and only then pins the links. So whenever a loader dies,
 * what is left is the previous set, a FG_PIN_DIR that lacks links (partial:
 * the next loader replaces it, keeping its cells and endpoints), or a
 * staging directory of maps only (the next loader removes it); never an
 * attached program that nothing will find, and never a second copy of the
 * programs once a loader has finished.
 *
 * Not thread-safe: libbpf's print callback is process-wide (enforce.h).
 */

#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/framegate.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <linux/sched.h>		/* struct clone_args */
#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cell.h"
#include "cell.skel.h"
#include "enforce.h"
#include "libframegate.h"
#include "libframegate-internal.h"

#define BPFFS			"/sys/fs/bpf"
/* bpffs refuses dots in names. */
#define STAGING_PREFIX		"framegate-staging-"
#define CGROUPFS		"/sys/fs/cgroup"
#define ENFORCEMENT_FILE	"/sys/kernel/framegate/enforcement"
#define LINK_PREFIX		"link_"
#define CELL_KILL_TIMEOUT_MS	5000

#define MAP_KEY_MAX		sizeof(struct fg_endpoint)
#define MAP_VALUE_MAX		sizeof(struct fg_cell)
/* The one program that is not an LSM program, attached to the cell root. */
#define EGRESS_PROG		"egress"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct fg_enforcer {
	bool	adopted;
	int	cells_fd;
	int	endpoints_fd;
	int	rules_fd;
	int	labels_fd;
	int	board_fd;
	int	epoch_fd;
	int	config_fd;
	char	root[FG_CELL_ROOT_MAX];	/* the cell root */
};

/*
 * The pinned maps, as cell.bpf.c defines them. Their keys and values fit
 * MAP_KEY_MAX and MAP_VALUE_MAX.
 */
static const struct pinned_map {
	const char	*name;
	__u32		 type;
	__u32		 key_size;
	__u32		 value_size;
} pinned_maps[] = {
	{ "cells", BPF_MAP_TYPE_HASH, sizeof(__u64), sizeof(struct fg_cell) },
	{ "endpoints", BPF_MAP_TYPE_HASH, sizeof(struct fg_endpoint),
	  sizeof(__u8) },
	{ "socket_rules", BPF_MAP_TYPE_HASH, sizeof(struct fg_socket_rule),
	  sizeof(__u8) },
	{ "sock_labels", BPF_MAP_TYPE_SK_STORAGE, sizeof(int),
	  sizeof(struct fg_sock_label) },
	{ "board", BPF_MAP_TYPE_ARRAY, sizeof(__u32),
	  sizeof(struct fg_board_slot) },
	{ "epoch", BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64) },
	{ "cell_config", BPF_MAP_TYPE_ARRAY, sizeof(__u32),
	  sizeof(struct fg_config) },
};

/* Indexes of pinned_maps; the first MAP_MIGRATED are kept on a reload. */
enum { MAP_CELLS, MAP_ENDPOINTS, MAP_SOCKET_RULES, MAP_SOCK_LABELS, MAP_BOARD,
    MAP_EPOCH, MAP_CONFIG, MAP_COUNT };
#define MAP_MIGRATED	MAP_SOCK_LABELS

/*
 * What a cell may create unless its policy says more (fg_cell_allow_socket):
 * TCP over IPv4 and IPv6 for the uplink, and AF_UNIX stream sockets, which
 * can only ever be a socketpair inside the cell (no bind, no connect out)
 * and which libcurl makes for its own wake-ups.
 */
static const struct {
	int	family;
	int	type;
	int	protocol;
} default_socket_rules[] = {
	{ AF_INET, SOCK_STREAM, IPPROTO_TCP },
	{ AF_INET6, SOCK_STREAM, IPPROTO_TCP },
	{ AF_UNIX, SOCK_STREAM, 0 },
};

/* A warning, for the program's log function (fg_set_log()). */
static void __attribute__((format(printf, 1, 2)))
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fg_vlog(FG_LOG_WARN, fmt, ap);
	va_end(ap);
}

/*
 * libbpf's messages during a load, kept to explain a failure: the
 * verifier's verdict is at the end of its log, so keep the tail.
 */
static char	libbpf_log[32768];
static size_t	libbpf_log_len;

static int
libbpf_log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t room;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	if (libbpf_log_len > sizeof(libbpf_log) / 2) {
		memmove(libbpf_log, libbpf_log + libbpf_log_len / 2,
		    libbpf_log_len - libbpf_log_len / 2 + 1);
		libbpf_log_len -= libbpf_log_len / 2;
	}
	room = sizeof(libbpf_log) - libbpf_log_len;
	n = vsnprintf(libbpf_log + libbpf_log_len, room, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n < room ? (size_t)n : room - 1;
	return 0;
}

/* What libbpf said during the failed load, a warning per line. */
static void
libbpf_log_report(void)
{
	const char *line, *end;

	for (line = libbpf_log; *line != '\0'; line = end) {
		end = strchrnul(line, '\n');
		if (end > line)
			warnx("%.*s", (int)(end - line), line);
		if (*end == '\n')
			end++;
	}
}

/* Paths */

static int
path_fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The cell root of e; FG_CELL_ROOT without one (cells alone, for tests). */
static const char *
root_of(const struct fg_enforcer *e)
{
	return e != NULL ? e->root : FG_CELL_ROOT;
}

static int
cell_path(const char *root, uint64_t session_id, char *buf, size_t size)
{
	return path_fmt(buf, size, "%s/session-%" PRIu64, root, session_id);
}

/*
 * Whether root can be a cell root: an absolute path below CGROUPFS of
 * plain components (no ".", "..", empty or over-long ones), shorter than
 * FG_CELL_ROOT_MAX. Its cells' level in the hierarchy in *level.
 */
static bool
cell_root_valid(const char *root, __u32 *level)
{
	const char *c, *end;
	size_t len = strlen(root);

	if (len >= FG_CELL_ROOT_MAX ||
	    strncmp(root, CGROUPFS "/", strlen(CGROUPFS "/")) != 0)
		return false;
	*level = 1;
	for (c = root + strlen(CGROUPFS "/"); ; c = end + 1) {
		if ((end = strchr(c, '/')) == NULL)
			end = root + len;
		if (end == c || end - c > NAME_MAX ||
		    (end - c == 1 && c[0] == '.') ||
		    (end - c == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		(*level)++;
		if (*end == '\0')
			return true;
	}
}

/* Mounts */

/* Mount fstype on dir unless it is mounted there (magic) already. */
static int
mount_if_needed(const char *dir, const char *fstype, unsigned long magic,
    const char *options)
{
	struct statfs st;

	if (statfs(dir, &st) < 0)
		return -errno;
	if ((unsigned long)st.f_type == magic)
		return 0;
	/* Only on an empty mount point, never over another file system. */
	if ((unsigned long)st.f_type != SYSFS_MAGIC) {
		warnx("%s holds another file system, not %s", dir, fstype);
		return -ENOTDIR;
	}
	if (mount(fstype, dir, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    options) < 0) {
		warnx("mount %s on %s: %s", fstype, dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Pins */

/* Exclusive lock of the bpffs root for the caller's loads and unpins. */
static int
pins_lock(void)
{
	int fd;

	if ((fd = open(BPFFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Removes the pins in dir, links first, and dir itself. */
static int
pin_dir_remove(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int pass, error = 0;
	DIR *d;

	for (pass = 0; pass < 2; pass++) {
		if ((d = opendir(dir)) == NULL)
			return -errno;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			/* Detach the programs before freeing their maps. */
			if ((strncmp(de->d_name, LINK_PREFIX,
			    strlen(LINK_PREFIX)) == 0) != (pass == 0))
				continue;
			if (path_fmt(path, sizeof(path), "%s/%s", dir,
			    de->d_name) != 0 || unlink(path) < 0)
				error = error ? error : -errno;
		}
		closedir(d);
	}
	if (rmdir(dir) < 0 && error == 0)
		error = -errno;
	return error;
}

/* Removes the staging directories of loaders that died (caller locked). */
static void
staging_remove_stale(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(BPFFS)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, STAGING_PREFIX,
		    strlen(STAGING_PREFIX)) != 0)
			continue;
		if (path_fmt(path, sizeof(path), BPFFS "/%s", de->d_name) == 0)
			pin_dir_remove(path);
	}
	closedir(d);
}

/* The pinned map at dir/m->name, if it is m; else -errno (-EPROTO). */
static int
pinned_map_open(const char *dir, const struct pinned_map *m)
{
	struct bpf_map_info info;
	char path[PATH_MAX];
	__u32 len = sizeof(info);
	int fd, error;

	if ((error = path_fmt(path, sizeof(path), "%s/%s", dir, m->name)) != 0)
		return error;
	if ((fd = bpf_obj_get(path)) < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if ((error = bpf_obj_get_info_by_fd(fd, &info, &len)) != 0) {
		close(fd);
		return error;
	}
	if (info.type != m->type || info.key_size != m->key_size ||
	    info.value_size != m->value_size ||
	    strncmp(info.name, m->name, sizeof(info.name)) != 0) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/* Whether dir/link_<prog> is an LSM link of a program named prog. */
static bool
pinned_link_ok(const char *dir, const char *prog)
{
	struct bpf_link_info link;
	struct bpf_prog_info info;
	char path[PATH_MAX];
	__u32 len;
	int fd, pfd = -1;
	bool ok = false;

	if (path_fmt(path, sizeof(path), "%s/" LINK_PREFIX "%s", dir,
	    prog) != 0 || (fd = bpf_obj_get(path)) < 0)
		return false;
	memset(&link, 0, sizeof(link));
	len = sizeof(link);
	if (bpf_obj_get_info_by_fd(fd, &link, &len) != 0 ||
	    link.type != (strcmp(prog, EGRESS_PROG) == 0 ?
	    BPF_LINK_TYPE_CGROUP : BPF_LINK_TYPE_TRACING))
		goto cleanup;
	if ((pfd = bpf_prog_get_fd_by_id(link.prog_id)) < 0)
		goto cleanup;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(pfd, &info, &len) != 0)
		goto cleanup;
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of the name. */
	ok = info.type == (strcmp(prog, EGRESS_PROG) == 0 ?
	    BPF_PROG_TYPE_CGROUP_SKB : BPF_PROG_TYPE_LSM) &&
	    strncmp(info.name, prog, sizeof(info.name) - 1) == 0;
cleanup:
	if (pfd >= 0)
		close(pfd);
	close(fd);
	return ok;
}

/*
 * What FG_PIN_DIR holds against the maps and programs of skel: exactly
 * every map and one link per program (complete), nothing (none), anything
 * else (partial). With fds, a complete set's maps are opened into
 * fds[MAP_*].
 */
static int
pins_state(const struct cell_bpf *skel, int fds[MAP_COUNT])
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	struct dirent *de;
	size_t entries = 0, i;
	int fd, state = FG_PINS_COMPLETE, mfds[MAP_COUNT];
	DIR *d;

	for (i = 0; i < MAP_COUNT; i++)
		mfds[i] = -1;
	if ((d = opendir(FG_PIN_DIR)) == NULL)
		return errno == ENOENT ? FG_PINS_NONE : -errno;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			entries++;
	closedir(d);
	if (entries != nitems(pinned_maps) + (size_t)s->prog_cnt)
		state = FG_PINS_PARTIAL;
	for (i = 0; i < nitems(pinned_maps) && state == FG_PINS_COMPLETE;
	    i++) {
		if ((fd = pinned_map_open(FG_PIN_DIR, &pinned_maps[i])) < 0) {
			if (fd == -EPERM || fd == -EACCES)
				state = fd;
			else
				state = FG_PINS_PARTIAL;
			break;
		}
		mfds[i] = fd;
	}
	for (i = 0; i < (size_t)s->prog_cnt && state == FG_PINS_COMPLETE; i++)
		if (!pinned_link_ok(FG_PIN_DIR, s->progs[i].name))
			state = FG_PINS_PARTIAL;
	if (state == FG_PINS_COMPLETE && fds != NULL) {
		for (i = 0; i < MAP_COUNT; i++)
			fds[i] = mfds[i];
		return state;
	}
	for (i = 0; i < MAP_COUNT; i++)
		if (mfds[i] >= 0)
			close(mfds[i]);
	return state;
}

/*
 * Calls cb(key, arg) for each key of the hash map fd (keys of key_size
 * bytes); a non-zero return from cb stops the walk and is returned. cb must
 * not delete keys: the walk would start over.
 */
static int
map_walk(int fd, size_t key_size, int (*cb)(const void *key, void *arg),
    void *arg)
{
	unsigned char key[MAP_KEY_MAX], next[MAP_KEY_MAX];
	void *prev = NULL;
	int error;

	if (key_size > sizeof(key))
		return -EINVAL;
	while ((error = bpf_map_get_next_key(fd, prev, next)) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if ((error = cb(key, arg)) != 0)
			return error;
	}
	return error == -ENOENT ? 0 : error;
}

struct map_copy {
	int	from;
	int	to;
};

/* One entry of map from into map to; one deleted meanwhile is skipped. */
static int
map_copy_one(const void *key, void *arg)
{
	const struct map_copy *c = arg;
	unsigned char value[MAP_VALUE_MAX];
	int error;

	if ((error = bpf_map_lookup_elem(c->from, key, value)) == -ENOENT)
		return 0;
	return error != 0 ? error :
	    bpf_map_update_elem(c->to, key, value, BPF_ANY);
}

/*
 * Keeps the cells, endpoints and socket rules of a stale FG_PIN_DIR
 * across its replacement, when its maps are readable and of our layout.
 * Socket labels cannot be walked: sockets a loader gave to a cell before
 * the replacement are unusable there after it.
 */
static int
pins_migrate(const struct cell_bpf *skel)
{
	const struct bpf_map *to[MAP_MIGRATED] = { skel->maps.cells,
	    skel->maps.endpoints, skel->maps.socket_rules };
	struct map_copy c;
	int error = 0, i;

	for (i = 0; i < MAP_MIGRATED && error == 0; i++) {
		c.from = pinned_map_open(FG_PIN_DIR, &pinned_maps[i]);
		if (c.from < 0)
			continue;	/* missing or foreign: nothing to keep */
		c.to = bpf_map__fd(to[i]);
		error = map_walk(c.from, pinned_maps[i].key_size, map_copy_one,
		    &c);
		close(c.from);
	}
	return error;
}

/*
 * Reads the start of a small kernel file (sysfs, cgroupfs) at path, relative
 * to dirfd, into buf as a string: 0 or -errno.
 */
static int
read_small(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int
fg_enforcement_armed(void)
{
	char buf[16];
	int ret;

	if ((ret = read_small(AT_FDCWD, ENFORCEMENT_FILE, buf, sizeof(buf))))
		return ret;
	if (strcmp(buf, "armed\n") == 0)
		return 1;
	return strcmp(buf, "unarmed\n") == 0 ? 0 : -EPROTO;
}

/* Why cell_bpf__load() failed, said once; the errno to return. */
static int
load_error(int error)
{
	/* libbpf: "extern (func ksym) 'bpf_fg_...': not found in kernel or
	 * module BTFs"; verifier: "calling kernel function bpf_fg_... is not
	 * allowed". */
	if (strstr(libbpf_log, "'bpf_fg_") != NULL ||
	    strstr(libbpf_log, "kernel function bpf_fg_") != NULL) {
		if (access("/sys/module/framegate", F_OK) != 0)
			warnx("cannot load the cell programs: framegate.ko is "
			    "not loaded (its kfuncs are missing)");
		else
			warnx("cannot load the cell programs: framegate.ko's "
			    "kfuncs are not registered for BPF LSM programs "
			    "(module built without BTF?)");
		return -EOPNOTSUPP;
	}
	libbpf_log_report();
	warnx("cannot load the cell programs: %s", strerror(-error));
	return error;
}

static int cgroup_id(int dirfd, uint64_t *id);

/*
 * Mounts cgroup2 if needed and makes the cell root (its last component:
 * the cgroup it is in must exist); its fd or -errno.
 */
static int
cell_root_open(const char *root)
{
	int error, fd;

	if ((error = mount_if_needed(CGROUPFS, "cgroup2",
	    CGROUP2_SUPER_MAGIC, NULL)) != 0)
		return error;
	if (mkdir(root, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	return fd;
}

/*
 * The packet filter on the cell root: every cell is below it, and a
 * program attached there runs for the sockets of every cgroup below. The
 * root's cgroup id in *root_id.
 */
static int
egress_attach(struct cell_bpf *skel, const char *root, uint64_t *root_id)
{
	int error, fd;

	if ((fd = cell_root_open(root)) < 0) {
		warnx("cell root %s: %s", root, strerror(-fd));
		return fd;
	}
	if ((error = cgroup_id(fd, root_id)) != 0) {
		close(fd);
		return error;
	}
	skel->links.egress = bpf_program__attach_cgroup(skel->progs.egress, fd);
	error = skel->links.egress == NULL ? -errno : 0;
	close(fd);
	if (error != 0) {
		libbpf_log_report();
		warnx("cannot attach the packet filter to %s: %s", root,
		    strerror(-error));
	}
	return error;
}

/*
 * Gives the endpoints a new epoch, a random nonzero value (bpf/cell.h):
 * what the packet filter remembers of an endpoint that was there before
 * no longer holds. Random, not counted up: two loaders that remove at once
 * could count to the same value. 0 or -errno.
 *
 * First a grace period (membarrier(MEMBARRIER_CMD_GLOBAL) is
 * synchronize_rcu()): every program run that could still find a removed
 * endpoint in the map started before it and is over. Without it, a run
 * on a weakly ordered CPU (arm64) could load the new epoch and, ordered
 * before that load, the old map entry, and remember the removed endpoint
 * under the new epoch for good. A kernel that refuses the call (nohz_full,
 * no CONFIG_MEMBARRIER) gets the epoch changed all the same, and the log
 * says that it came without the wait.
 */
static int
epoch_change(struct fg_enforcer *e)
{
	__u32 zero = 0;
	__u64 epoch;

	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		warnx("membarrier: %s: the endpoints' epoch changes without "
		    "waiting for a grace period", strerror(errno));
	do {
		if (getrandom(&epoch, sizeof(epoch), 0) != sizeof(epoch))
			return -errno;
	} while (epoch == 0);
	if (bpf_map_update_elem(e->epoch_fd, &zero, &epoch, BPF_ANY) != 0)
		return -errno;
	return 0;
}

/* Hands the module the board (FG_IOC_BOARD): 0 or -errno. */
static int
board_hand(struct fg_enforcer *e)
{
	struct fg_board b = {
		.size = sizeof(b),
		.map_fd = e->board_fd,
	};
	int ctl, error = 0;

	if ((ctl = fg_ctl_open()) < 0) {
		warnx("cannot hand the board to framegate.ko: /dev/%s: %s",
		    FG_DEVICE_NAME, strerror(-ctl));
		return ctl;
	}
	if (ioctl(ctl, FG_IOC_BOARD, &b) < 0) {
		error = -errno;
		warnx("cannot hand the board to framegate.ko: %s",
		    strerror(errno));
	}
	close(ctl);
	return error;
}

/*
 * Loads and attaches skel, publishes its maps as FG_PIN_DIR (replacing a
 * partial set, state PARTIAL) and pins its links there. The caller holds
 * the lock.
 */
static int
enforcer_load(struct fg_enforcer *e, struct cell_bpf *skel, int state)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	char staging[PATH_MAX], path[PATH_MAX];
	struct fg_config config = { 0 };
	struct bpf_map *map;
	bool published = false;
	uint64_t root_id;
	__u32 zero = 0;
	int error, i;

	if (!cell_root_valid(e->root, &config.cell_level))
		return -EINVAL;
	snprintf(config.cell_root, sizeof(config.cell_root), "%s", e->root);
	skel->rodata->cell_level = config.cell_level;
	if ((error = cell_bpf__load(skel)) != 0)
		return load_error(error);
	if ((error = cell_bpf__attach(skel)) != 0) {
		libbpf_log_report();
		warnx("cannot attach the cell programs: %s", strerror(-error));
		return error;
	}
	if ((error = egress_attach(skel, e->root, &root_id)) != 0)
		return error;
	config.root_id = root_id;
	/* Before the pins are published: an adopter always finds it. */
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.cell_config), &zero,
	    &config, BPF_ANY) != 0)
		return -errno;
	/* Attached but not called: the kernel runs no BPF LSM. */
	if (fg_enforcement_armed() == 0) {
		warnx("the cell programs are attached but do not run: "
		    "the kernel's LSM list lacks \"bpf\" (boot with lsm=...,bpf)");
		return -ENOENT;
	}

	if ((error = path_fmt(staging, sizeof(staging),
	    BPFFS "/" STAGING_PREFIX "%ld", (long)getpid())) != 0)
		return error;
	if (mkdir(staging, 0700) < 0) {
		warnx("mkdir %s: %s", staging, strerror(errno));
		return -errno;
	}
	bpf_object__for_each_map(map, skel->obj) {
		/* .rodata (cell_level) is the programs' own: not pinned. */
		if (bpf_map__is_internal(map))
			continue;
		if ((error = path_fmt(path, sizeof(path), "%s/%s", staging,
		    bpf_map__name(map))) != 0 ||
		    (error = bpf_map__pin(map, path)) != 0)
			goto cleanup;
	}
	if (state == FG_PINS_NONE) {
		if (renameat2(AT_FDCWD, staging, AT_FDCWD, FG_PIN_DIR,
		    RENAME_NOREPLACE) < 0) {
			error = -errno;
			goto cleanup;
		}
	} else {
		if ((error = pins_migrate(skel)) != 0)
			goto cleanup;
		if (renameat2(AT_FDCWD, staging, AT_FDCWD, FG_PIN_DIR,
		    RENAME_EXCHANGE) < 0) {
			error = -errno;
			goto cleanup;
		}
		/* staging is now the stale set; ours run already. */
		pin_dir_remove(staging);
	}
	published = true;
	for (i = 0; i < s->prog_cnt; i++) {
		if ((error = path_fmt(path, sizeof(path),
		    FG_PIN_DIR "/" LINK_PREFIX "%s", s->progs[i].name)) != 0 ||
		    (error = bpf_link__pin(*s->progs[i].link, path)) != 0)
			goto cleanup;
	}
	e->cells_fd = fcntl(bpf_map__fd(skel->maps.cells), F_DUPFD_CLOEXEC, 3);
	e->endpoints_fd = fcntl(bpf_map__fd(skel->maps.endpoints),
	    F_DUPFD_CLOEXEC, 3);
	e->rules_fd = fcntl(bpf_map__fd(skel->maps.socket_rules),
	    F_DUPFD_CLOEXEC, 3);
	e->labels_fd = fcntl(bpf_map__fd(skel->maps.sock_labels),
	    F_DUPFD_CLOEXEC, 3);
	e->board_fd = fcntl(bpf_map__fd(skel->maps.board), F_DUPFD_CLOEXEC, 3);
	e->epoch_fd = fcntl(bpf_map__fd(skel->maps.epoch), F_DUPFD_CLOEXEC, 3);
	e->config_fd = fcntl(bpf_map__fd(skel->maps.cell_config),
	    F_DUPFD_CLOEXEC, 3);
	if (e->cells_fd < 0 || e->endpoints_fd < 0 || e->rules_fd < 0 ||
	    e->labels_fd < 0 || e->board_fd < 0 || e->epoch_fd < 0 ||
	    e->config_fd < 0) {
		error = -errno;
		goto cleanup;
	}
	/* The filter remembers nothing until the epoch is not zero. */
	if ((error = epoch_change(e)) != 0)
		goto cleanup;
	return 0;
cleanup:
	warnx("cannot pin the cell programs in %s: %s", FG_PIN_DIR,
	    strerror(-error));
	pin_dir_remove(published ? FG_PIN_DIR : staging);
	return error;
}

/* Enforcer */

/*
 * The cell root the pinned programs in FG_PIN_DIR were loaded for (a
 * complete set, or what is left of one) into root: 0, or -ENOENT when
 * there is no such record or it does not hold.
 */
static int
pinned_root(char root[FG_CELL_ROOT_MAX])
{
	const struct pinned_map *m = &pinned_maps[MAP_CONFIG];
	struct fg_config config;
	__u32 zero = 0, level;
	int fd, error = 0;

	if ((fd = pinned_map_open(FG_PIN_DIR, m)) < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(fd, &zero, &config) != 0 ||
	    memchr(config.cell_root, '\0', sizeof(config.cell_root)) == NULL ||
	    !cell_root_valid(config.cell_root, &level) ||
	    level != config.cell_level)
		error = -ENOENT;
	else
		memcpy(root, config.cell_root, FG_CELL_ROOT_MAX);
	close(fd);
	return error;
}

int
fg_enforcer_open(struct fg_enforcer **ep)
{
	return fg_enforcer_open_at(ep, NULL);
}

int
fg_enforcer_open_at(struct fg_enforcer **ep, const char *cell_root)
{
	libbpf_print_fn_t old_print;
	struct fg_enforcer *e;
	struct cell_bpf *skel = NULL;
	char pinned[FG_CELL_ROOT_MAX];
	int error, i, lock = -1, state, fds[MAP_COUNT];
	__u32 level;

	*ep = NULL;
	if (cell_root != NULL && !cell_root_valid(cell_root, &level)) {
		warnx("cell root %s: not a path of plain names below " CGROUPFS
		    ", shorter than %d", cell_root, FG_CELL_ROOT_MAX);
		return -EINVAL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -ENOMEM;
	e->cells_fd = e->endpoints_fd = e->rules_fd = e->labels_fd = -1;
	e->board_fd = e->epoch_fd = e->config_fd = -1;
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
	old_print = libbpf_set_print(libbpf_log_print);

	if ((error = mount_if_needed(BPFFS, "bpf", BPF_FS_MAGIC,
	    "mode=0700")) != 0)
		goto cleanup;
	if ((lock = pins_lock()) < 0) {
		error = lock;
		goto cleanup;
	}
	staging_remove_stale();
	/* Opening parses the embedded object only: the program names. */
	if ((skel = cell_bpf__open()) == NULL) {
		error = -errno;
		goto cleanup;
	}
	if ((state = pins_state(skel, fds)) < 0) {
		error = state;
		goto cleanup;
	}
	/*
	 * The cells live where the pinned programs were loaded for, if any
	 * (a replaced partial set keeps its cells too): another root asked
	 * for is refused, not moved to.
	 */
	snprintf(e->root, sizeof(e->root), "%s",
	    cell_root != NULL ? cell_root : FG_CELL_ROOT);
	if (state != FG_PINS_NONE && pinned_root(pinned) == 0) {
		if (cell_root != NULL && strcmp(pinned, cell_root) != 0) {
			warnx("enforcement is pinned with its cells under %s, "
			    "not %s: stop it first (framegatectl enforce stop)",
			    pinned, cell_root);
			error = -EXDEV;
			if (state == FG_PINS_COMPLETE)
				for (i = 0; i < MAP_COUNT; i++)
					close(fds[i]);
			goto cleanup;
		}
		memcpy(e->root, pinned, sizeof(e->root));
	}
	if (state == FG_PINS_COMPLETE) {
		e->adopted = true;
		e->cells_fd = fds[MAP_CELLS];
		e->endpoints_fd = fds[MAP_ENDPOINTS];
		e->rules_fd = fds[MAP_SOCKET_RULES];
		e->labels_fd = fds[MAP_SOCK_LABELS];
		e->board_fd = fds[MAP_BOARD];
		e->epoch_fd = fds[MAP_EPOCH];
		e->config_fd = fds[MAP_CONFIG];
	} else if (state == FG_PINS_PARTIAL) {
		warnx("%s holds an incomplete or foreign set of pins: replacing "
		    "it", FG_PIN_DIR);
	}
	if (!e->adopted && (error = enforcer_load(e, skel, state)) != 0)
		goto cleanup;
	/*
	 * Adopted: a loader that died between removing an endpoint and
	 * changing the epoch left the filter remembering it.
	 */
	if (e->adopted && (error = epoch_change(e)) != 0)
		goto cleanup;
	/* Loaded or adopted: the module keeps the board current. */
	if ((error = board_hand(e)) != 0)
		goto cleanup;
	*ep = e;
	e = NULL;
	error = 0;
cleanup:
	/* Pinned: the links and maps outlive the skeleton's fds. */
	cell_bpf__destroy(skel);
	if (lock >= 0)
		close(lock);
	libbpf_set_print(old_print);
	fg_enforcer_close(e);
	return error;
}

bool
fg_enforcer_adopted(const struct fg_enforcer *e)
{
	return e->adopted;
}

const char *
fg_enforcer_cell_root(const struct fg_enforcer *e)
{
	return e->root;
}

void
fg_enforcer_close(struct fg_enforcer *e)
{
	if (e == NULL)
		return;
	if (e->cells_fd >= 0)
		close(e->cells_fd);
	if (e->endpoints_fd >= 0)
		close(e->endpoints_fd);
	if (e->rules_fd >= 0)
		close(e->rules_fd);
	if (e->labels_fd >= 0)
		close(e->labels_fd);
	if (e->board_fd >= 0)
		close(e->board_fd);
	if (e->epoch_fd >= 0)
		close(e->epoch_fd);
	if (e->config_fd >= 0)
		close(e->config_fd);
	free(e);
}

int
fg_enforcer_unpin(void)
{
	struct statfs st;
	int error, lock;

	if (statfs(BPFFS, &st) < 0)
		return -errno;
	if ((unsigned long)st.f_type != BPF_FS_MAGIC)
		return -ENOENT;
	if ((lock = pins_lock()) < 0)
		return lock;
	staging_remove_stale();
	error = pin_dir_remove(FG_PIN_DIR);
	close(lock);
	return error;
}

int
fg_writer_lock(void)
{
	int fd, error;

	fd = open(FG_WRITER_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		error = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return error;
	}
	return fd;
}

int
fg_enforcer_pins(void)
{
	libbpf_print_fn_t old_print;
	struct cell_bpf *skel;
	struct statfs st;
	int state;

	if (statfs(BPFFS, &st) < 0)
		return -errno;
	if ((unsigned long)st.f_type != BPF_FS_MAGIC)
		return FG_PINS_NONE;
	old_print = libbpf_set_print(libbpf_log_print);
	if ((skel = cell_bpf__open()) == NULL)
		state = -errno;
	else
		state = pins_state(skel, NULL);
	cell_bpf__destroy(skel);
	libbpf_set_print(old_print);
	return state;
}

/* Cells */

/* The cgroup id of the cgroup directory dirfd (what BPF sees). */
static int
cgroup_id(int dirfd, uint64_t *id)
{
	union {
		struct file_handle	fh;
		char			buf[sizeof(struct file_handle) +
					    sizeof(uint64_t)];
	} h;
	int mount_id;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(uint64_t);
	if (name_to_handle_at(dirfd, "", &h.fh, &mount_id, AT_EMPTY_PATH) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EPROTO;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

struct cell_walk {
	int	  fd;
	int	(*cb)(uint64_t cell_id, uint64_t session_id, void *);
	void	 *arg;
};

static int
cell_walk_one(const void *key, void *arg)
{
	const struct cell_walk *w = arg;
	struct fg_cell cell;
	__u64 id;
	int error;

	memcpy(&id, key, sizeof(id));
	if ((error = bpf_map_lookup_elem(w->fd, &id, &cell)) == -ENOENT)
		return 0;		/* removed meanwhile */
	return error != 0 ? error : w->cb(id, cell.session_id, w->arg);
}

int
fg_cell_foreach(struct fg_enforcer *e,
    int (*cb)(uint64_t cell_id, uint64_t session_id, void *), void *arg)
{
	struct cell_walk w = { e->cells_fd, cb, arg };

	return map_walk(e->cells_fd, sizeof(__u64), cell_walk_one, &w);
}

static int
session_has_cell(uint64_t cell_id, uint64_t session_id, void *arg)
{
	(void)cell_id;
	return session_id == *(uint64_t *)arg ? -EEXIST : 0;
}

static int cgroup_rmdir(int, const char *);

/*
 * Removes the cell cgroup at path (under root) with its sub-cgroups;
 * -EBUSY while a task is in it.
 */
static int
cell_rmdir(const char *root, const char *path)
{
	int error, fd;

	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	error = cgroup_rmdir(fd, path + strlen(root) + 1);
	close(fd);
	return error;
}

/* The socket_rules key of (family, type, protocol), as bpf/cell.h says. */
static int
socket_rule(struct fg_socket_rule *r, uint64_t session_id, int family,
    int type, int protocol)
{
	memset(r, 0, sizeof(*r));
	if (session_id == 0 || session_id == FG_SESSION_ID_PROBE ||
	    family <= AF_UNSPEC || family >= AF_MAX || type <= 0 ||
	    type > SOCK_PACKET || protocol < 0)
		return -EINVAL;
	if ((family == AF_INET || family == AF_INET6) && protocol == 0) {
		if (type == SOCK_STREAM)
			protocol = IPPROTO_TCP;
		else if (type == SOCK_DGRAM)
			protocol = IPPROTO_UDP;
	}
	if (family == AF_UNIX && protocol == PF_UNIX)
		protocol = 0;
	r->session_id = session_id;
	r->family = family;
	r->type = type;
	r->protocol = protocol;
	return 0;
}

int
fg_cell_allow_socket(struct fg_enforcer *e, uint64_t session_id, int family,
    int type, int protocol)
{
	struct fg_socket_rule r;
	__u8 allowed = 1;
	int error;

	if ((error = socket_rule(&r, session_id, family, type, protocol)) != 0)
		return error;
	error = bpf_map_update_elem(e->rules_fd, &r, &allowed, BPF_ANY);
	return error == -E2BIG || error == -ENOSPC ? -E2BIG : error;
}

int
fg_cell_disallow_socket(struct fg_enforcer *e, uint64_t session_id,
    int family, int type, int protocol)
{
	struct fg_socket_rule r;
	int error;

	if ((error = socket_rule(&r, session_id, family, type, protocol)) != 0)
		return error;
	return bpf_map_delete_elem(e->rules_fd, &r);
}

struct session_keys {
	uint64_t	 session_id;
	size_t		 size;		/* of a key, session id first */
	unsigned char	*keys;
	size_t		 n;
};

/* Keeps the key if it is of the session (deleted after the walk). */
static int
key_collect(const void *key, void *arg)
{
	struct session_keys *s = arg;
	unsigned char *keys;
	uint64_t id;

	memcpy(&id, key, sizeof(id));
	if (id != s->session_id)
		return 0;
	if ((keys = reallocarray(s->keys, s->n + 1, s->size)) == NULL)
		return -ENOMEM;
	s->keys = keys;
	memcpy(s->keys + s->n++ * s->size, key, s->size);
	return 0;
}

/* Deletes every key of session_id from the hash map fd. */
static int
session_keys_delete(int fd, size_t key_size, uint64_t session_id)
{
	struct session_keys k = { session_id, key_size, NULL, 0 };
	size_t i;
	int error;

	if ((error = map_walk(fd, key_size, key_collect, &k)) != 0)
		goto cleanup;
	for (i = 0; i < k.n; i++) {
		error = bpf_map_delete_elem(fd, k.keys + i * key_size);
		if (error == -ENOENT)
			error = 0;
		if (error != 0)
			break;
	}
cleanup:
	free(k.keys);
	return error;
}

/* The default socket rules of a new cell; none left behind on failure. */
static int
socket_rules_default(struct fg_enforcer *e, uint64_t session_id)
{
	size_t i;
	int error;

	for (i = 0; i < nitems(default_socket_rules); i++) {
		if ((error = fg_cell_allow_socket(e, session_id,
		    default_socket_rules[i].family,
		    default_socket_rules[i].type,
		    default_socket_rules[i].protocol)) != 0) {
			session_keys_delete(e->rules_fd,
			    sizeof(struct fg_socket_rule), session_id);
			return error;
		}
	}
	return 0;
}

int
fg_cell_create(struct fg_enforcer *e, uint64_t session_id, int *cell_fd,
    uint64_t *cell_id)
{
	struct fg_cell cell = { .session_id = session_id };
	char path[PATH_MAX];
	uint64_t id;
	int error, fd;

	if (session_id == 0 || session_id == FG_SESSION_ID_PROBE)
		return -EINVAL;
	if ((error = cell_path(e->root, session_id, path, sizeof(path))) != 0)
		return error;
	if ((fd = cell_root_open(e->root)) < 0)
		return fd;
	close(fd);
	fd = -1;
	if ((error = fg_cell_foreach(e, session_has_cell, &session_id)) != 0)
		return error;
	if (mkdir(path, 0755) < 0) {
		if (errno != EEXIST)
			return -errno;
		/*
		 * A cgroup without a cells map entry: left behind by enforce
		 * stop, or by a crash between mkdir and the map update.
		 * Start afresh if nothing runs in it (a new cgroup id);
		 * its tasks were never confined, and adopting them would
		 * confine them by surprise: -EBUSY, fg_cell_remove() kills.
		 */
		if ((error = cell_rmdir(e->root, path)) != 0)
			return error;
		if (mkdir(path, 0755) < 0)
			return -errno;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error = -errno;
		goto cleanup;
	}
	/* The rules first: a cell is never without them. */
	if ((error = cgroup_id(fd, &id)) != 0 ||
	    (error = socket_rules_default(e, session_id)) != 0)
		goto cleanup;
	if ((error = bpf_map_update_elem(e->cells_fd, &id, &cell,
	    BPF_NOEXIST)) != 0) {
		session_keys_delete(e->rules_fd, sizeof(struct fg_socket_rule),
		    session_id);
		goto cleanup;
	}
	if (cell_id != NULL)
		*cell_id = id;
	if (cell_fd != NULL)
		*cell_fd = fd;
	else
		close(fd);
	return 0;
cleanup:
	if (fd >= 0)
		close(fd);
	rmdir(path);
	return error;
}

int
fg_cell_enter(const struct fg_enforcer *e, uint64_t session_id, pid_t pid)
{
	char path[PATH_MAX], buf[32];
	int error, fd, n;

	if ((error = cell_path(root_of(e), session_id, path,
	    sizeof(path))) != 0 ||
	    (error = path_fmt(path + strlen(path), sizeof(path) - strlen(path),
	    "/cgroup.procs")) != 0)
		return error;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	error = write(fd, buf, n) == n ? 0 : -errno;
	close(fd);
	return error;
}

pid_t
fg_cell_spawn(const struct fg_enforcer *e, uint64_t session_id,
    unsigned int flags, int *pidfd)
{
	struct clone_args args;
	char path[PATH_MAX];
	pid_t parent = getpid();
	long pid;
	int error, fd, child_pidfd = -1;

	if (session_id == 0 || session_id == FG_SESSION_ID_PROBE ||
	    (flags & ~FG_CELL_SPAWN_PDEATHSIG) != 0)
		return -EINVAL;
	if ((error = cell_path(root_of(e), session_id, path,
	    sizeof(path))) != 0)
		return error;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP | (pidfd != NULL ? CLONE_PIDFD : 0);
	args.pidfd = (uintptr_t)&child_pidfd;
	args.exit_signal = SIGCHLD;
	args.cgroup = fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	error = pid < 0 ? -errno : 0;
	close(fd);
	if (pid == 0) {
		/* In the cell: system calls only, whatever the caller's threads. */
		if ((flags & FG_CELL_SPAWN_PDEATHSIG) != 0 &&
		    (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    getppid() != parent))
			kill(getpid(), SIGKILL);
		return 0;
	}
	if (error != 0)
		return error;
	if (pidfd != NULL)
		*pidfd = child_pidfd;
	return (pid_t)pid;
}

/* Whether the cgroup dirfd and its descendants have no task left. */
static int
cell_populated(int dirfd)
{
	char buf[256], *p;
	int ret;

	if ((ret = read_small(dirfd, "cgroup.events", buf, sizeof(buf))))
		return ret;
	if ((p = strstr(buf, "populated ")) == NULL)
		return -EPROTO;
	return p[strlen("populated ")] != '0';
}

/* Kills every task of the cell and waits (bounded) until none is left. */
static int
cell_kill(int dirfd)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int fd, populated, waited;

	if ((fd = openat(dirfd, "cgroup.kill", O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	populated = write(fd, "1", 1) == 1 ? 0 : -errno;
	close(fd);
	if (populated < 0)
		return populated;
	for (waited = 0; waited <= CELL_KILL_TIMEOUT_MS; waited += 10) {
		if ((populated = cell_populated(dirfd)) <= 0)
			return populated;
		nanosleep(&tick, NULL);
	}
	return -EBUSY;
}

/* Removes the cgroup directory at dirfd/name with its sub-cgroups. */
static int
cgroup_rmdir(int dirfd, const char *name)
{
	struct dirent *de;
	int error = 0, fd;
	DIR *d;

	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL && error == 0)
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			error = cgroup_rmdir(fd, de->d_name);
	closedir(d);
	if (error == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		error = -errno;
	return error;
}

int
fg_cell_remove(struct fg_enforcer *e, uint64_t session_id)
{
	char path[PATH_MAX];
	struct fg_nl *nl;
	uint64_t id;
	int error, fd;

	if ((error = cell_path(e->root, session_id, path, sizeof(path))) != 0)
		return error;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if ((error = cgroup_id(fd, &id)) != 0)
		goto cleanup;

	/* Revoke first: the session's mappings, ioctls and sockets stop. */
	if ((nl = fg_nl_open()) != NULL) {
		error = fg_nl_revoke_session(nl, session_id);
		fg_nl_close(nl);
		if (error == -EALREADY || error == -ENOENT)
			error = 0;	/* not active, or gone */
		if (error != 0)
			goto cleanup;
	} else if (errno != ENOENT) {	/* ENOENT: no module, no session */
		error = -errno;
		goto cleanup;
	}
	/* Kill while still confined: the map entry goes only afterwards. */
	if ((error = cell_kill(fd)) != 0)
		goto cleanup;
	if ((error = session_keys_delete(e->endpoints_fd,
	    sizeof(struct fg_endpoint), session_id)) != 0 ||
	    (error = epoch_change(e)) != 0 ||
	    (error = session_keys_delete(e->rules_fd,
	    sizeof(struct fg_socket_rule), session_id)) != 0)
		goto cleanup;
	error = bpf_map_delete_elem(e->cells_fd, &id);
	if (error != 0 && error != -ENOENT)
		goto cleanup;
	close(fd);
	fd = -1;
	error = cell_rmdir(e->root, path);
cleanup:
	if (fd >= 0)
		close(fd);
	return error;
}

int
fg_cell_cgroup_create(uint64_t session_id)
{
	char path[PATH_MAX];
	int error, fd;

	if ((error = cell_path(FG_CELL_ROOT, session_id, path,
	    sizeof(path))) != 0)
		return error;
	if ((fd = cell_root_open(FG_CELL_ROOT)) < 0)
		return fd;
	close(fd);
	return mkdir(path, 0755) < 0 ? -errno : 0;
}

int
fg_cell_cgroup_remove(uint64_t session_id)
{
	char path[PATH_MAX];
	int error, fd;

	if ((error = cell_path(FG_CELL_ROOT, session_id, path,
	    sizeof(path))) != 0)
		return error;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	error = cell_kill(fd);
	close(fd);
	return error != 0 ? error : cell_rmdir(FG_CELL_ROOT, path);
}

int
fg_cell_give_socket(struct fg_enforcer *e, uint64_t session_id, int sock_fd)
{
	struct fg_sock_label label = {
		.session_id = session_id,
		.flags = FG_LABEL_GIVEN,
	};
	struct fg_cell cell;
	char path[PATH_MAX];
	uint64_t id;
	int error, fd;

	if (session_id == 0 || session_id == FG_SESSION_ID_PROBE)
		return -EINVAL;
	if ((error = cell_path(e->root, session_id, path, sizeof(path))) != 0)
		return error;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	error = cgroup_id(fd, &id);
	close(fd);
	if (error != 0)
		return error;
	/* A directory without its cells map entry is no cell. */
	if ((error = bpf_map_lookup_elem(e->cells_fd, &id, &cell)) != 0)
		return error;
	if (cell.session_id != session_id)
		return -ENOENT;
	label.cell_id = id;
	/* NOEXIST: a socket of another cell (or this one) stays its own. */
	error = bpf_map_update_elem(e->labels_fd, &sock_fd, &label,
	    BPF_NOEXIST);
	return error == -EOPNOTSUPP ? -ENOTSOCK : error;
}

/* Endpoints */

/* The map key of sa for session_id, as bpf/cell.h stores it. */
static int
endpoint_key(struct fg_endpoint *k, uint64_t session_id,
    const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_in *sin;

	memset(k, 0, sizeof(*k));
	k->session_id = session_id;
	if (session_id == 0 || sa == NULL || len < sizeof(sa_family_t))
		return -EINVAL;
	switch (sa->sa_family) {
	case AF_INET:
		if (len < sizeof(*sin))
			return -EINVAL;
		sin = (const struct sockaddr_in *)sa;
		k->family = AF_INET;
		k->port = sin->sin_port;
		memcpy(k->addr, &sin->sin_addr, sizeof(sin->sin_addr));
		return 0;
	case AF_INET6:
		if (len < sizeof(*sin6))
			return -EINVAL;
		sin6 = (const struct sockaddr_in6 *)sa;
		k->port = sin6->sin6_port;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			k->family = AF_INET;
			memcpy(k->addr, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->addr, &sin6->sin6_addr, 16);
			/* A link-local address means nothing without its link. */
			if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) {
				if (sin6->sin6_scope_id == 0)
					return -EINVAL;
				k->ifindex = sin6->sin6_scope_id;
			}
		}
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}

int
fg_endpoint_add(struct fg_enforcer *e, uint64_t session_id,
    const struct sockaddr *sa, socklen_t len)
{
	struct fg_endpoint key;
	__u8 allowed = 1;
	int error;

	if ((error = endpoint_key(&key, session_id, sa, len)) != 0)
		return error;
	return bpf_map_update_elem(e->endpoints_fd, &key, &allowed, BPF_ANY);
}

int
fg_endpoint_remove(struct fg_enforcer *e, uint64_t session_id,
    const struct sockaddr *sa, socklen_t len)
{
	struct fg_endpoint key;
	int error;

	if ((error = endpoint_key(&key, session_id, sa, len)) != 0)
		return error;
	if ((error = bpf_map_delete_elem(e->endpoints_fd, &key)) != 0)
		return error;
	return epoch_change(e);
}

struct endpoint_walk {
	int	(*cb)(uint64_t session_id, const struct sockaddr *sa,
		    socklen_t len, void *);
	void	 *arg;
};

/* The key back as the sockaddr it was made of (IPv4-mapped: AF_INET). */
static int
endpoint_walk_one(const void *key, void *arg)
{
	const struct endpoint_walk *w = arg;
	struct fg_endpoint k;
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;

	memcpy(&k, key, sizeof(k));
	if (k.family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = k.port;
		memcpy(&sin.sin_addr, k.addr, sizeof(sin.sin_addr));
		return w->cb(k.session_id, (struct sockaddr *)&sin, sizeof(sin),
		    w->arg);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = k.family;
	sin6.sin6_port = k.port;
	sin6.sin6_scope_id = k.ifindex;
	memcpy(&sin6.sin6_addr, k.addr, sizeof(sin6.sin6_addr));
	return w->cb(k.session_id, (struct sockaddr *)&sin6, sizeof(sin6),
	    w->arg);
}

int
fg_endpoint_foreach(struct fg_enforcer *e,
    int (*cb)(uint64_t session_id, const struct sockaddr *sa, socklen_t len,
    void *), void *arg)
{
	struct endpoint_walk w = { cb, arg };

	return map_walk(e->endpoints_fd, sizeof(struct fg_endpoint),
	    endpoint_walk_one, &w);
}
