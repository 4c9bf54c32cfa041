/*
 * faultfs.c: an LD_PRELOAD library for tests that makes one folder
 * behave like a full disk or a read-only file system, without root.
 *
 *   FAULTFS_DIR      the folder (its files and everything under it)
 *   FAULTFS_MODE     "enospc": writes fail with ENOSPC
 *                    "erofs":  opening for writing and writes fail with
 *                    EROFS (a file system remounted read-only)
 *                    "slowsync": fsync and fdatasync take
 *                    FAULTFS_DELAY_MS (default 1200) longer
 *   FAULTFS_TRIGGER  optional: faults happen only while this file exists
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static char dir[PATH_MAX];
static size_t dirlen;
static int mode; /* 0 none, 1 erofs, 2 enospc, 3 slowsync */
static unsigned delay_ms = 1200;
static const char *trigger;

__attribute__((constructor)) static void
faultfs_init(void)
{
	const char *d = getenv("FAULTFS_DIR"), *m = getenv("FAULTFS_MODE");

	if (d == NULL || m == NULL || realpath(d, dir) == NULL)
		return;
	dirlen = strlen(dir);
	mode = strcmp(m, "erofs") == 0   ? 1
	    : strcmp(m, "enospc") == 0   ? 2
	    : strcmp(m, "slowsync") == 0 ? 3
					 : 0;
	trigger = getenv("FAULTFS_TRIGGER");
	if (getenv("FAULTFS_DELAY_MS") != NULL)
		delay_ms =
		    (unsigned)strtoul(getenv("FAULTFS_DELAY_MS"), NULL, 10);
}

static bool
active(int want)
{
	if (mode != want)
		return false;
	return trigger == NULL || access(trigger, F_OK) == 0;
}

static bool
inside(const char *p)
{
	return strncmp(p, dir, dirlen) == 0 &&
	    (p[dirlen] == '/' || p[dirlen] == '\0');
}

static bool
path_inside(int dirfd, const char *path)
{
	char buf[PATH_MAX * 2], base[PATH_MAX];

	if (path[0] == '/')
		return inside(path);
	if (dirfd == AT_FDCWD) {
		if (getcwd(base, sizeof(base)) == NULL)
			return false;
	} else {
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		if ((n = readlink(link, base, sizeof(base) - 1)) < 0)
			return false;
		base[n] = '\0';
	}
	snprintf(buf, sizeof(buf), "%s/%s", base, path);
	return inside(buf);
}

static bool
fd_inside(int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, target, sizeof(target) - 1)) < 0)
		return false;
	target[n] = '\0';
	return inside(target);
}

#define WRITING (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

/* True, with errno EROFS, if opening path so must fail. */
static bool
refuse_open(int dirfd, const char *path, int flags)
{
	if (!(flags & WRITING) || !active(1) || !path_inside(dirfd, path))
		return false;
	errno = EROFS;
	return true;
}

/* True, with errno ENOSPC or EROFS, if a write to fd must fail. */
static bool
refuse_write(int fd)
{
	int err = active(2) ? ENOSPC : active(1) ? EROFS : 0;

	if (err == 0 || fd <= 2 || !fd_inside(fd))
		return false;
	errno = err;
	return true;
}

/* A disk that stalls: a flush of fd takes delay_ms longer. */
static void
stall(int fd)
{
	if (active(3) && fd > 2 && fd_inside(fd))
		usleep(delay_ms * 1000);
}

typedef int (*open_fn)(const char *, int, ...);
typedef int (*sync_fn)(int);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);

#define REAL(name, type)                                                       \
	static type real_##name;                                               \
	if (real_##name == NULL)                                               \
	real_##name = (type)dlsym(RTLD_NEXT, #name)

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
ssize_t write(int fd, const void *buf, size_t n);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off);
ssize_t writev(int fd, const struct iovec *iov, int cnt);
ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off);
int fsync(int fd);
int fdatasync(int fd);

static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;
	REAL(open, open_fn);

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	if (refuse_open(AT_FDCWD, path, flags))
		return -1;
	return real_open(path, flags, m);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;
	REAL(open64, open_fn);

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	if (refuse_open(AT_FDCWD, path, flags))
		return -1;
	return real_open64(path, flags, m);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;
	REAL(openat, openat_fn);

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	if (refuse_open(dirfd, path, flags))
		return -1;
	return real_openat(dirfd, path, flags, m);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(write, write_fn);

	if (refuse_write(fd))
		return -1;
	return real_write(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite, pwrite_fn);

	if (refuse_write(fd))
		return -1;
	return real_pwrite(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite64, pwrite_fn);

	if (refuse_write(fd))
		return -1;
	return real_pwrite64(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(writev, writev_fn);

	if (refuse_write(fd))
		return -1;
	return real_writev(fd, iov, cnt);
}

ssize_t
pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	REAL(pwritev, pwritev_fn);

	if (refuse_write(fd))
		return -1;
	return real_pwritev(fd, iov, cnt, off);
}

int
fsync(int fd)
{
	REAL(fsync, sync_fn);

	stall(fd);
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	REAL(fdatasync, sync_fn);

	stall(fd);
	return real_fdatasync(fd);
}
