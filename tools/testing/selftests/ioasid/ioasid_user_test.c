// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ioasid per-user limit: every file a user opens counts against one
 * limit (user_max_pasids), so that a user with many files cannot drain the
 * pool of another. The children switch to unprivileged uids themselves,
 * with /dev/ioasid opened up to them for the test (and the root directory
 * made searchable, as a test VM's initramfs may have it 0700).
 *
 * The module is reloaded with a pool of USER_POOL_BITS bits and a limit of
 * USER_LIMIT, so that one user could drain the pool without the limit, and
 * put back with its defaults after each test; the test skips when the
 * module cannot be removed.
 */
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ioasid_utils.h"

#define USER_PARAM	"/sys/module/pvm_ioasid/parameters/user_max_pasids"
#define USER_POOL_BITS	10
#define USER_LIMIT	300
/* Each file's quota: the hog needs several files to reach the limit. */
#define USER_FILE_QUOTA	100
#define UID_HOG		2001
#define UID_VICTIM	2002
/* Stop a hog that is never refused: beyond any sane per-user limit. */
#define HOG_MAX_FILES	80

static int param_read(const char *path, unsigned long *val)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

static int param_write(const char *path, unsigned long val)
{
	char buf[32];
	int fd = open(path, O_WRONLY);
	int len = snprintf(buf, sizeof(buf), "%lu", val);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, buf, len) == len ? 0 : -1;
	close(fd);
	return ret;
}

static int become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return 0;
}

/* What a hog reports to the parent once it has been refused. */
struct hog_report {
	int err;		/* the errno of the refused allocation */
	unsigned int held;	/* PASIDs it holds over all its files */
	unsigned int files;
	unsigned int user_quota, user_used;	/* GET_INFO of its last file */
	int new_file_err;	/* a fresh file's first allocation */
};

/*
 * Open files and allocate until something other than a file's own quota
 * refuses; report; keep everything until the parent closes the pipe.
 */
static void hog(int report_fd, int hold_fd)
{
	struct hog_report r = { 0 };
	struct ioasid_info info;
	int fds[HOG_MAX_FILES];
	char c;
	int ret, fd;

	if (become(UID_HOG))
		_exit(10);
	for (r.files = 0; r.files < HOG_MAX_FILES; r.files++) {
		fds[r.files] = open(IOASID_DEV, O_RDWR);
		if (fds[r.files] < 0)
			_exit(11);
		while (!(ret = ioasid_alloc_any(fds[r.files], NULL)))
			r.held++;
		if (ret != -ENOSPC)
			break;
	}
	r.err = -ret;
	if (r.files == HOG_MAX_FILES)
		r.files--;
	if (ioasid_get_info(fds[r.files], &info))
		_exit(12);
	r.user_quota = info.user_quota;
	r.user_used = info.user_used;
	fd = open(IOASID_DEV, O_RDWR);
	if (fd < 0)
		_exit(13);
	r.new_file_err = -ioasid_alloc_any(fd, NULL);
	if (write(report_fd, &r, sizeof(r)) != sizeof(r))
		_exit(14);
	/* Hold everything until the parent is done. */
	if (read(hold_fd, &c, 1) < 0)
		_exit(15);
	_exit(0);
}

FIXTURE(user) {
	mode_t mode;
	bool chmodded;
	mode_t root_mode;
	bool root_chmodded;
	unsigned long limit;
	pid_t hog;
	int report[2];
	int hold[2];
	struct hog_report r;
};

FIXTURE_SETUP(user)
{
	struct stat st;

	self->hog = -1;
	self->chmodded = false;
	self->root_chmodded = false;
	char params[96];
	int ret;

	if (geteuid())
		SKIP(return, "needs root to switch uids and reload ioasid");
	snprintf(params, sizeof(params),
		 "pasid_bits=%u user_max_pasids=%u default_quota=%u",
		 USER_POOL_BITS, USER_LIMIT, USER_FILE_QUOTA);
	ret = reload_ioasid(params);
	if (ret == -EBUSY)
		SKIP(return, "cannot remove the ioasid module");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, stat(IOASID_DEV, &st));
	/* Without the parameter: the limit the test asked for. */
	if (param_read(USER_PARAM, &self->limit))
		self->limit = USER_LIMIT;
	EXPECT_EQ(USER_LIMIT, self->limit);
	self->mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(IOASID_DEV, 0666));
	self->chmodded = true;
	ASSERT_EQ(0, stat("/", &st));
	self->root_mode = st.st_mode & 07777;
	if ((self->root_mode & 0001) == 0) {
		ASSERT_EQ(0, chmod("/", self->root_mode | 0001));
		self->root_chmodded = true;
	}

	/* A hog user takes everything it is allowed to. */
	ASSERT_EQ(0, pipe(self->report));
	ASSERT_EQ(0, pipe(self->hold));
	self->hog = fork();
	ASSERT_LE(0, self->hog);
	if (self->hog == 0) {
		close(self->report[0]);
		close(self->hold[1]);
		hog(self->report[1], self->hold[0]);
	}
	close(self->report[1]);
	close(self->hold[0]);
	if (read(self->report[0], &self->r, sizeof(self->r)) != sizeof(self->r)) {
		int status = 0;

		waitpid(self->hog, &status, 0);
		self->hog = -1;
		ASSERT_TRUE(WIFEXITED(status));
		/* The hog's exit code says which step failed. */
		ASSERT_EQ(0, WEXITSTATUS(status));
		ASSERT_TRUE(false);
	}
	TH_LOG("hog: %u PASIDs in %u files, refused with errno %d",
	       self->r.held, self->r.files + 1, self->r.err);
}

FIXTURE_TEARDOWN(user)
{
	int status;

	if (self->hog > 0) {
		close(self->hold[1]);
		waitpid(self->hog, &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		/* The hog's files are closed: its user holds nothing. */
		EXPECT_EQ(0, ioasid_pool_used());
	}
	if (self->chmodded)
		chmod(IOASID_DEV, self->mode);
	if (self->root_chmodded)
		chmod("/", self->root_mode);
	/* back to the defaults for the tests that follow */
	if (!geteuid() && reload_ioasid(""))
		TH_LOG("could not reload ioasid with its defaults");
}

/* Run @fn as the victim user in a child; its exit status. */
static int as_victim(int (*fn)(unsigned long limit), unsigned long limit)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (become(UID_VICTIM))
			_exit(100);
		_exit(fn(limit));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The victim gets its own PASIDs and its own count. */
static int victim_allocates(unsigned long limit)
{
	struct ioasid_info info;
	int fd = open(IOASID_DEV, O_RDWR);
	int i;

	if (fd < 0)
		return 1;
	for (i = 0; i < 64; i++)
		if (ioasid_alloc_any(fd, NULL))
			return 2;
	if (ioasid_get_info(fd, &info))
		return 3;
	if (info.user_used != 64 || info.user_quota != limit)
		return 4;
	return 0;
}

/* The hog was refused at the limit, over all its files, and not earlier. */
TEST_F(user, hog_stops_at_limit)
{
	EXPECT_EQ(EDQUOT, self->r.err);
	EXPECT_EQ(self->limit, self->r.held);
	/* Its files' quotas were full first: the next file was refused. */
	EXPECT_EQ(USER_LIMIT / USER_FILE_QUOTA, self->r.files);
	EXPECT_EQ(self->limit, self->r.user_quota);
	EXPECT_EQ(self->limit, self->r.user_used);
	/* A new file of the same user does not get around it. */
	EXPECT_EQ(EDQUOT, self->r.new_file_err);
	EXPECT_EQ(self->limit, ioasid_pool_used());
}

/*
 * A second user cannot starve the first: the hog alone could have taken
 * the whole pool, from several files.
 */
TEST_F(user, victim_not_starved)
{
	ASSERT_LT(3 * USER_LIMIT, (1U << USER_POOL_BITS) - 1);
	EXPECT_EQ(0, as_victim(victim_allocates, self->limit));
}

/* Root has a count of its own, apart from both. */
TEST_F(user, root_apart)
{
	struct ioasid_info info;
	int fd = open(IOASID_DEV, O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioasid_alloc_any(fd, NULL));
	ASSERT_EQ(0, ioasid_get_info(fd, &info));
	EXPECT_EQ(1, info.user_used);
	close(fd);
}

/* Raising the parameter lets the hog go on; lowering never takes back. */
static int hog_more(unsigned long n)
{
	int fd, i, ret;

	if (become(UID_HOG))
		return 100;
	fd = open(IOASID_DEV, O_RDWR);
	if (fd < 0)
		return 1;
	for (i = 0; i < (int)n; i++)
		if (ioasid_alloc_any(fd, NULL))
			return 2;
	ret = ioasid_alloc_any(fd, NULL);
	return ret == -EDQUOT ? 0 : 3;
}

TEST_F(user, admin_raises_limit)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, param_write(USER_PARAM, self->limit + 8));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(hog_more(8));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Below what the hog holds: nothing is taken back, nothing new. */
	ASSERT_EQ(0, param_write(USER_PARAM, self->limit / 2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(hog_more(0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(self->limit, self->r.held);
}

TEST_HARNESS_MAIN
