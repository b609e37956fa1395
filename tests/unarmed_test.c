// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement unarmed: with the cell programs detached (tests/run-guest
 * phase 3, after fg_enforcer_unpin()), the module refuses to create
 * sessions unless allow_unenforced=1, and says why in the kernel log.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "fgtest.h"
#include "kselftest_harness.h"

#define PARAM	"/sys/module/framegate/parameters/allow_unenforced"
#define TENANT	4242

FIXTURE(unarmed) {
	int ctl;
	int cam_fd;
	uint32_t cam;
	int kmsg;
	char param[8];
	struct fgt_ledger ledger;
};

FIXTURE_SETUP(unarmed)
{
	FILE *f = fopen(PARAM, "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->param, sizeof(self->param), f));
	fclose(f);
	self->param[strcspn(self->param, "\n")] = '\0';
	ASSERT_EQ(0, fgt_ledger_start(&self->ledger));
	self->ctl = fg_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->cam_fd = fgt_attach(self->ctl, VIVID_CAPTURE(0), &self->cam);
	ASSERT_LE(0, self->cam_fd);
	/* Only what the kernel logs from now on. */
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->kmsg);
	ASSERT_LE(0, lseek(self->kmsg, 0, SEEK_END));
}

FIXTURE_TEARDOWN(unarmed)
{
	/* Leave the parameter as tests/run-guest set it. */
	EXPECT_EQ(0, fgt_write_file(PARAM, self->param));
	EXPECT_TRUE(fgt_ledger_check(&self->ledger));
	close(self->kmsg);
	close(self->cam_fd);
	close(self->ctl);
}

/* True if a kernel log record since the set-up contains text. */
static bool logged(int kmsg, const char *text)
{
	char rec[1024];
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;	/* EPIPE: records were overwritten */
		rec[n] = '\0';
		if (strstr(rec, text))
			return true;
	}
	return false;
}

TEST_F(unarmed, enforcement_reads_unarmed)
{
	char buf[32];

	ASSERT_EQ(0, fgt_sysfs_str(buf, sizeof(buf), "enforcement"));
	EXPECT_STREQ("unarmed", buf);
}

TEST_F(unarmed, session_create_is_refused_with_eperm_and_logged)
{
	int64_t created = fgt_sysfs_u64("sessions_created");
	char want[128];
	int sfd;

	ASSERT_LE(0, created);
	ASSERT_EQ(0, fgt_write_file(PARAM, "0"));
	sfd = fgt_session(self->ctl, TENANT, 4, &self->cam, 1, NULL);
	EXPECT_EQ(-EPERM, sfd);
	if (sfd >= 0)
		EXPECT_TRUE(fgt_ledger_close(&self->ledger, sfd));
	/* A failed call leaves no object behind, and uses up no id. */
	EXPECT_EQ(created, fgt_sysfs_u64("sessions_created"));
	snprintf(want, sizeof(want),
		 "framegate: refusing session of tenant %d: cell enforcement is not armed",
		 TENANT);
	EXPECT_TRUE(logged(self->kmsg, want)) {
		TH_LOG("no \"%s\" in the kernel log", want);
	}
}

TEST_F(unarmed, allow_unenforced_creates_the_session_and_logs_it)
{
	char want[128];
	int sfd;

	ASSERT_EQ(0, fgt_write_file(PARAM, "1"));
	sfd = fgt_session(self->ctl, TENANT + 1, 4, &self->cam, 1, NULL);
	EXPECT_LE(0, sfd);
	if (sfd >= 0)
		EXPECT_TRUE(fgt_ledger_close(&self->ledger, sfd));
	snprintf(want, sizeof(want),
		 "framegate: session of tenant %d created without cell enforcement",
		 TENANT + 1);
	EXPECT_TRUE(logged(self->kmsg, want)) {
		TH_LOG("no \"%s\" in the kernel log", want);
	}
}

/*
 * Another LSM refusing the probe is not proof that the cell programs are
 * attached: with bpf/foreign.bpf.o refusing every probe, enforcement
 * stays unarmed and sessions are still refused.
 */
TEST_F(unarmed, a_refusal_by_another_lsm_does_not_arm)
{
	char path[PATH_MAX], buf[32];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	int sfd;

	snprintf(path, sizeof(path), "%s/bpf/build/foreign.bpf.o",
		 getenv("FG_TOP") ?: ".");
	obj = bpf_object__open_file(path, NULL);
	ASSERT_EQ(0, libbpf_get_error(obj)) TH_LOG("%s: cannot open", path);
	ASSERT_EQ(0, bpf_object__load(obj));
	prog = bpf_object__find_program_by_name(obj, "foreign_ioctl");
	ASSERT_NE(NULL, prog);
	link = bpf_program__attach_lsm(prog);
	ASSERT_EQ(0, libbpf_get_error(link));

	ASSERT_EQ(0, fgt_sysfs_str(buf, sizeof(buf), "enforcement"));
	EXPECT_STREQ("unarmed", buf);
	ASSERT_EQ(0, fgt_write_file(PARAM, "0"));
	sfd = fgt_session(self->ctl, TENANT + 2, 4, &self->cam, 1, NULL);
	EXPECT_EQ(-EPERM, sfd);
	if (sfd >= 0)
		close(sfd);

	bpf_link__destroy(link);
	bpf_object__close(obj);
}

FGT_HARNESS_MAIN
