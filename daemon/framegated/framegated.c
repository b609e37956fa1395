// SPDX-License-Identifier: GPL-2.0
/*
 * framegated(8): the streaming daemon's parent process.
 *
 *   framegated [-dnv] [-f file]
 *
 * It reads and checks its configuration (config.h), then builds what it
 * describes in the kernel (parent.c: enforcement, cameras, sessions, their
 * cells and endpoints) and keeps it until SIGTERM or SIGINT, when it takes
 * all of it down again. Nothing is ever started from a bad configuration.
 * Its control socket (control.h) answers framegatectl meanwhile. SIGHUP
 * reads the configuration again: a good one becomes what runs
 * (parent_reload()), a bad one is logged and the running one stays.
 */

#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "libframegate.h"
#include "control.h"
#include "log.h"
#include "parent.h"
#include "worker.h"

/*
 * -T exists in test builds only (make -C daemon/framegated HOOKS=1, which
 * defines FRAMEGATED_TEST_HOOKS; tests/framegated-faults.sh): the parent's
 * -T SESSION:ACTION gives the first worker of that session -T ACTION,
 * which it runs from inside its sandbox (worker.c). The release build has
 * neither the flag nor the code.
 */
#ifdef FRAMEGATED_TEST_HOOKS
#define OPTSTRING	"df:nT:u:vW"
#else
#define OPTSTRING	"df:nu:vW"
#endif

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-dnv] [-f file]\n",
		program_invocation_short_name);
	exit(1);
}

/*
 * -n: the problems of every pass, in the order of their lines (the file
 * as a whole first), each on a line of its own on stderr.
 */
struct problems {
	size_t		n, size;
	struct problem {
		config_line	line;
		size_t		seq;	/* the order it came in: a tie-break */
		char		*text;
	}		*v;
};

static void
report_collect(void *arg, const char *file, config_line line,
	       const char *reason)
{
	struct problems *ps = arg;
	struct problem *p;

	if (ps->n == ps->size) {
		ps->size = ps->size ? 2 * ps->size : 16;
		if ((ps->v = reallocarray(ps->v, ps->size,
					  sizeof(*ps->v))) == NULL)
			fatal("reallocarray");
	}
	p = &ps->v[ps->n];
	if ((line != 0 ? asprintf(&p->text, "%s:%u: %s", file, line, reason) :
			 asprintf(&p->text, "%s: %s", file, reason)) < 0)
		fatal("asprintf");
	p->line = line;
	p->seq = ps->n++;
}

static int
problem_cmp(const void *a, const void *b)
{
	const struct problem *p = a, *q = b;

	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static void
problems_print(struct problems *ps)
{
	size_t i;

	qsort(ps->v, ps->n, sizeof(*ps->v), problem_cmp);
	for (i = 0; i < ps->n; i++) {
		fprintf(stderr, "%s\n", ps->v[i].text);
		free(ps->v[i].text);
	}
	free(ps->v);
}

/* The daemon: problems go to the log (stderr with -d, else syslog). */
static void
report_log(void *arg, const char *file, config_line line, const char *reason)
{
	(void)arg;
	if (line != 0)
		log_warnx("%s:%u: %s", file, line, reason);
	else
		log_warnx("%s: %s", file, reason);
}

/* Whether a and b name the same device node, as written. */
static int
same_device(const struct config_camera *a, const struct config_camera *b)
{
	if (a->device_kind != b->device_kind)
		return 0;
	if (a->device_kind == CONFIG_DEVICE_PATH)
		return strcmp(a->path, b->path) == 0;
	return strcmp(a->card, b->card) == 0 &&
	       strcmp(a->bus_info, b->bus_info) == 0;
}

/*
 * SIGHUP: the configuration file read again into next, with every pass of
 * the first read; the device pass only for cameras on devices the running
 * configuration does not name. framegate holds those, and nobody else
 * may query them: a camera of theirs that changed is checked when the
 * reload attaches it again (parent_reload() logs what fails). 0 if next
 * may become what runs.
 */
static int
config_reread(struct config *next, const char *file, const struct config *cur)
{
	static struct config fresh;
	unsigned int i, j;
	int problems;

	problems = config_load(next, file, report_log, NULL);
	if (problems != 0)
		return problems;
	problems += config_check_files(next, report_log, NULL);
	fresh = *next;
	fresh.ncameras = 0;
	for (j = 0; j < next->ncameras; j++) {
		for (i = 0; i < cur->ncameras; i++)
			if (same_device(&cur->cameras[i], &next->cameras[j]))
				break;
		if (i == cur->ncameras)
			fresh.cameras[fresh.ncameras++] = next->cameras[j];
	}
	problems += config_check_devices(&fresh, NULL, report_log, NULL);
	if (strcmp(next->global.control_socket,
		   cur->global.control_socket) != 0)
		log_warnx("%s:%u: control_socket: a change takes effect when "
			  "framegated starts again", file,
			  next->global.control_socket_line);
	if (strcmp(next->global.cell_root, cur->global.cell_root) != 0)
		log_warnx("%s:%u: cell_root: a change takes effect when "
			  "framegated starts again, after framegatectl enforce "
			  "stop", file, next->global.cell_root_line);
	return problems;
}

/*
 * The parent's life: build everything, then wait for a signal. SIGTERM and
 * SIGINT take everything down (cells removed, sessions revoked, cameras
 * detached; enforcement stays pinned for the next daemon); SIGHUP reloads.
 * 0 on a clean stop, 1 if the start failed (what was built is taken down).
 */
static int
parent_main(struct config *conf, const char *conffile, int debug,
	    const char *test)
{
	static struct parent parent;
	static struct config spare;
	static char sock[CONFIG_SOCKET_MAX];	/* as it was made */
	struct config *next = &spare, *swap;
	int ret;
	sigset_t set;
	int sfd, cfd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		fatal("sigprocmask");
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd");
	/*
	 * The control socket first: a second daemon must stop here, before
	 * it clears the cells of the one that runs.
	 */
	memcpy(sock, conf->global.control_socket, sizeof(sock));
	if ((cfd = control_listen(sock)) < 0)
		return 1;
	log_init(debug, log_getverbose(), LOG_DAEMON);
	if (!debug && daemon(0, 0) != 0)
		fatal("daemon");

	if (parent_start(&parent, conf) != 0) {
		log_warnx("start failed: taking down what was made");
		parent_stop(&parent);
		control_close(cfd, sock);
		return 1;
	}
	parent.verbose = log_getverbose();
#ifdef FRAMEGATED_TEST_HOOKS
	if (test != NULL) {
		static char session[CONFIG_NAME_MAX];
		const char *colon = strchr(test, ':');

		if (colon == NULL || (size_t)(colon - test) >= sizeof(session))
			fatalx("-T SESSION:ACTION");
		memcpy(session, test, (size_t)(colon - test));
		parent.test_session = session;
		parent.test_action = colon + 1;
		log_warnx("TEST BUILD: the first worker of session %s runs "
			  "the test action %s", session, colon + 1);
	}
#endif
	(void)test;
	parent.control = cfd;
	log_info("started: %u cameras, %u sessions", conf->ncameras,
		 conf->nsessions);
	while ((ret = parent_run(&parent, sfd)) == PARENT_RUN_RELOAD) {
		if (config_reread(next, conffile, conf) != 0) {
			log_warnx("%s: bad configuration: the running one "
				  "stays", conffile);
			control_reload_answer(&parent, -EINVAL);
			continue;
		}
		if ((ret = parent_reload(&parent, next)) != 0) {
			log_warnx("%s: cannot be loaded: the running "
				  "configuration stays", conffile);
			control_reload_answer(&parent, ret);
			continue;
		}
		control_reload_answer(&parent, 0);
		swap = conf;
		conf = next;
		next = swap;
	}
	if (ret != 0)
		log_warnx("supervision failed: taking everything down");
	parent_stop(&parent);
	control_close(cfd, sock);
	log_info("stopped: every cell removed, every camera detached");
	close(sfd);
	return 0;
}

/*
 * Every pass, so that every problem is reported at once. For the daemon
 * (running), a framegated that answers on the control socket first: it
 * holds the cameras, and the device pass would blame them.
 */
static int
config_read(struct config *conf, const char *file, config_report_fn *report,
	    void *arg, int running)
{
	int problems, fd;

	problems = config_load(conf, file, report, arg);
	if (conf->file[0] == '\0')
		return problems;	/* not even opened */
	if (running && problems == 0 &&
	    (fd = control_connect(conf->global.control_socket)) >= 0) {
		close(fd);
		fatalx("control socket %s: another framegated is running",
		       conf->global.control_socket);
	}
	problems += config_check_files(conf, report, arg);
	problems += config_check_devices(conf, NULL, report, arg);
	return problems;
}

/* What libframegate has to say (why the programs did not load, ...). */
static void
library_log(enum fg_log_level level, const char *fmt, va_list ap)
{
	switch (level) {
	case FG_LOG_WARN:
		vlog(LOG_WARNING, fmt, ap);
		break;
	case FG_LOG_INFO:
		vlog(LOG_INFO, fmt, ap);
		break;
	default:
		if (log_getverbose() > 0)
			vlog(LOG_DEBUG, fmt, ap);
	}
}

int
main(int argc, char *argv[])
{
	const char *conffile = CONFIG_PATH_DEFAULT;
	int ch, debug = 0, noaction = 0, verbose = 0, worker = 0;
	const char *test = NULL;
	unsigned int wuid = 0, wgid = 0;
	char junk;
	static struct config config;	/* 68 kB: not on the stack */
	struct config *conf = &config;

	/* Until the flags are known, on stderr. */
	log_init(1, 0, LOG_DAEMON);
	(void)fg_set_log(library_log);

	while ((ch = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (ch) {
#ifdef FRAMEGATED_TEST_HOOKS
		case 'T':
			test = optarg;
			break;
#endif
		case 'u':
			if (sscanf(optarg, "%u:%u%c", &wuid, &wgid, &junk) != 2)
				usage();
			break;
		case 'W':
			worker = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/*
	 * The worker (worker.c): started by the parent only, in a cell, with
	 * fd 3 its control socket. A cell may not reach syslog's socket: it
	 * logs through the parent (PROC_MSG_LOG), on stderr until it can.
	 */
	if (worker) {
		if (wuid == 0 || wgid == 0)
			usage();
		log_init(1, verbose, LOG_DAEMON);
		log_procinit("worker");
		worker_main(wuid, wgid, test);
	}

	if (noaction) {
		struct problems ps = { 0 };

		if (config_read(conf, conffile, report_collect, &ps, 0) != 0) {
			problems_print(&ps);
			exit(1);
		}
		printf("configuration OK\n");
		if (fflush(stdout) != 0 || ferror(stdout))
			exit(1);
		exit(0);
	}

	if (geteuid() != 0)
		fatalx("need root privileges");
	/* Still on stderr: whoever starts us sees a bad configuration. */
	log_init(1, verbose, LOG_DAEMON);
	log_procinit("parent");

	if (config_read(conf, conffile, report_log, NULL, 1) != 0)
		fatalx("%s: bad configuration, nothing started", conffile);
	log_debug("%s: %u cameras, %u tenants, %u sessions", conffile,
		  conf->ncameras, conf->ntenants, conf->nsessions);

	return parent_main(conf, conffile, debug, test);
}
