// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement armed: the module's kfuncs are registered (module BTF), the
 * cell programs are attached and pinned, and the module sees them, so a
 * session may be created with allow_unenforced=0. tests/run-guest runs this
 * after it loaded enforcement (phase 2); tests/unarmed_test.c is the other
 * side, after it detached the programs (phase 3).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/cell.h"
#include "fgtest.h"
#include "kselftest_harness.h"

static const char *const kfuncs[] = {
	"bpf_fg_file_session", "bpf_fg_file_camera", "bpf_fg_send_check",
	"bpf_fg_mm_other_session", "bpf_fg_session_denied",
	"bpf_fg_camera_denied",
};

/* Without module BTF the kernel would silently not register them. */
TEST(kfuncs_are_in_the_module_btf)
{
	bool found[sizeof(kfuncs) / sizeof(kfuncs[0])] = { false };
	char line[512], want[128];
	unsigned int i;
	FILE *f;

	f = popen("bpftool btf dump file /sys/kernel/btf/framegate 2>&1", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++) {
			snprintf(want, sizeof(want), "FUNC '%s'", kfuncs[i]);
			if (strstr(line, want))
				found[i] = true;
		}
	EXPECT_EQ(0, pclose(f));
	for (i = 0; i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++)
		EXPECT_TRUE(found[i]) {
			TH_LOG("no FUNC '%s' in /sys/kernel/btf/framegate",
			       kfuncs[i]);
		}
}

/* tests/run-guest loaded them: a second loader adopts, never reloads. */
TEST(enforcer_adopts_the_pinned_programs)
{
	struct fg_enforcer *e = NULL;
	int ret;

	ret = fg_enforcer_open(&e);
	ASSERT_EQ(0, ret) {
		TH_LOG("fg_enforcer_open: %s", strerror(-ret));
	}
	EXPECT_TRUE(fg_enforcer_adopted(e));
	fg_enforcer_close(e);
}

/* The pinned epoch (bpf/cell.h), 0 if it cannot be read. */
static uint64_t pinned_epoch(void)
{
	uint64_t epoch = 0;
	uint32_t zero = 0;
	int fd;

	fd = bpf_obj_get(FG_PIN_DIR "/epoch");
	if (fd < 0)
		return 0;
	if (bpf_map_lookup_elem(fd, &zero, &epoch) != 0)
		epoch = 0;
	close(fd);
	return epoch;
}

/*
 * A loader that died between removing an endpoint and changing the epoch
 * left the filter remembering: the next one, adopting, changes it.
 */
TEST(adopting_changes_the_epoch)
{
	struct fg_enforcer *e = NULL;
	uint64_t before, after;

	before = pinned_epoch();
	ASSERT_NE(0, before);
	ASSERT_EQ(0, fg_enforcer_open(&e));
	after = pinned_epoch();
	EXPECT_NE(0, after);
	EXPECT_NE(before, after);
	fg_enforcer_close(e);
}

TEST(enforcement_reads_armed)
{
	char buf[32];

	ASSERT_EQ(0, fgt_sysfs_str(buf, sizeof(buf), "enforcement"));
	EXPECT_STREQ("armed", buf);
}

/* Armed, a session is created with allow_unenforced=0, used in its cell. */
static int info_in_cell(struct fgt_worker *w, void *arg)
{
	struct fg_session_info info;

	(void)w;
	return -fg_session_info(*(int *)arg, &info);
}

TEST(session_is_created_when_armed_with_allow_unenforced_0)
{
	struct fg_enforcer *e = NULL;
	struct fg_session_info info;
	struct fgt_ledger ledger;
	struct fgt_worker w;
	char param[8];
	uint64_t sid;
	uint32_t cam;
	int ctl, cfd, sfd;
	FILE *f;

	f = fopen("/sys/module/framegate/parameters/allow_unenforced", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(param, sizeof(param), f));
	fclose(f);
	ASSERT_STREQ("N\n", param);
	ASSERT_EQ(0, fgt_ledger_start(&ledger));
	ASSERT_EQ(0, fg_enforcer_open(&e));
	ctl = fg_ctl_open();
	ASSERT_LE(0, ctl);
	cfd = fgt_attach(ctl, VIVID_CAPTURE(0), &cam);
	ASSERT_LE(0, cfd);
	sfd = fgt_session(ctl, 7, 4, &cam, 1, &sid);
	EXPECT_LE(0, sfd);
	if (sfd >= 0) {
		ASSERT_EQ(0, fg_cell_create(e, sid, NULL, NULL));
		ASSERT_EQ(0, fgt_worker_start(&w, sid, info_in_cell, &sfd));
		EXPECT_EQ(0, fgt_worker_finish(&w));
		/* ...and only there. */
		EXPECT_EQ(-EACCES, fg_session_info(sfd, &info));
		EXPECT_EQ(0, fg_cell_remove(e, sid));
		EXPECT_TRUE(fgt_ledger_close(&ledger, sfd));
	}
	close(cfd);
	close(ctl);
	fg_enforcer_close(e);
}

FGT_HARNESS_MAIN
