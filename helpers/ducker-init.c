/*
 * ducker-init: the small C helper behind ducker, a teaching container runtime.
 *
 * The TypeScript side starts it like this (no --fork, no --mount):
 *
 *     unshare --uts --ipc --net --pid ducker-init [OPTIONS] -- CMD [ARG...]
 *
 * Because unshare does not fork, this process is still in the host's pid and
 * mount namespaces; only its children land in the new pid namespace. So the
 * binary plays two roles:
 *
 *   MONITOR  the exec'd process, stays on the host side. It forks the init,
 *            forwards signals to it, writes --pid-file once the command runs
 *            and --exit-file when it is over. It lives as long as the
 *            container, so it keeps no big buffers.
 *   INIT     the forked child, PID 1 of the new pid namespace. It builds the
 *            container's filesystem view (mount namespace, /proc, /dev, /sys,
 *            --bind, pivot_root), forks the command, then stays to reap
 *            zombies and forward signals, which is the job of any PID 1.
 *
 * Exit codes: the command's own code, 128+N if it died from signal N,
 * 125 setup failed, 126 command not executable, 127 command not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define EXIT_SETUP 125
#define MAX_LIST 4096
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct list { char *item[MAX_LIST + 1]; int n; };   /* +1: room for a NULL */

static struct {
	const char *rootfs, *hostname, *workdir, *exit_file, *pid_file;
	struct list env, cgroups, binds, on_exit;
	int tty, explain;
	char **cmd;
} opt = { .workdir = "/" };

static const char *role = "monitor";   /* becomes "init" in the child */
static volatile pid_t target;          /* who our signal handler forwards to */
static int tty_mode;                   /* --tty and stdin really is a terminal */
static int console_bound;              /* the terminal was bound on /dev/console */

/* ---------------------------------------------------------------------
 * Output. Lines are built in a caller-owned buffer and written with one
 * write(2): no malloc, no stdio, so this is safe inside signal handlers and
 * lines from the monitor and the init never interleave mid-line.
 * ------------------------------------------------------------------- */

struct line { char s[4096]; size_t n; };

static void addc(struct line *l, char c)
{
	if (l->n < sizeof l->s - 1)    /* keep room for the final '\n' */
		l->s[l->n++] = c;
}

static void add(struct line *l, const char *s)
{
	while (*s)
		addc(l, *s++);
}

static void add_num(struct line *l, long v)
{
	char b[24];
	int i = sizeof b;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	b[--i] = '\0';
	do b[--i] = '0' + u % 10; while ((u /= 10) && i > 1);
	if (v < 0)
		b[--i] = '-';
	add(l, b + i);
}

/* POSIX shell quoting, only when needed: 'it'\''s' */
static void add_quoted(struct line *l, const char *s)
{
	static const char safe[] = "_@%+=:,./-";
	int plain = *s != '\0';

	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(safe, *p)))
			plain = 0;
	if (plain) {
		add(l, s);
		return;
	}
	addc(l, '\'');
	for (; *s; s++)
		if (*s == '\'')
			add(l, "'\\''");
		else
			addc(l, *s);
	addc(l, '\'');
}

/* A tiny printf: %s quoted word, %S raw text, %d int, %v NULL-ended argv. */
static void vfmt(struct line *l, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			addc(l, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 's': add_quoted(l, va_arg(ap, const char *)); break;
		case 'S': add(l, va_arg(ap, const char *)); break;
		case 'd': add_num(l, va_arg(ap, int)); break;
		case 'v':
			for (char **v = va_arg(ap, char **); *v; v++) {
				add_quoted(l, *v);
				if (v[1])
					addc(l, ' ');
			}
			break;
		default: addc(l, *fmt);
		}
	}
}

static void put_line(struct line *l)
{
	l->s[l->n++] = '\n';
	if (write(STDERR_FILENO, l->s, l->n) < 0) {
		/* nowhere left to complain to */
	}
}

/* --explain: "+ <shell equivalent>  # <role>: <why>", printed BEFORE acting. */
static void explain(const char *why, const char *fmt, ...)
{
	struct line l;
	va_list ap;

	if (!opt.explain)
		return;
	l.n = 0;
	add(&l, "+ ");
	va_start(ap, fmt);
	vfmt(&l, fmt, ap);
	va_end(ap);
	add(&l, "  # ");
	add(&l, role);
	add(&l, ": ");
	add(&l, why);
	put_line(&l);
}

/* "ducker: <what>[: <strerror>]" on stderr. err == 0 means no strerror. */
static void vmessage(const char *prefix, int err, const char *fmt, va_list ap)
{
	struct line l;

	l.n = 0;
	add(&l, prefix);
	vfmt(&l, fmt, ap);
	if (err) {
		add(&l, ": ");
		add(&l, strerror(err));
	}
	put_line(&l);
}

/* Setup failed: report what and why, exit 125 (like docker). */
static void __attribute__((noreturn)) fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage("ducker: ", err, fmt, ap);
	va_end(ap);
	exit(EXIT_SETUP);
}

static void __attribute__((noreturn)) usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("ducker-init: ", 0, fmt, ap);
	va_end(ap);
	exit(EXIT_SETUP);
}

static void warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage("ducker: warning: ", err, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Signals. Both roles forward the same way: the monitor to the init, the
 * init to the command. PID 1 of a pid namespace only receives signals it
 * has a handler for, which is one more reason to install real handlers.
 * ------------------------------------------------------------------- */

static const int monitor_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				       SIGUSR2, SIGWINCH, SIGCONT, 0 };
static const int init_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, 0 };

static void forward(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	pid_t pid = target;

	(void)ctx;
	/* Ctrl-C, Ctrl-\ and resizes come from the terminal driver (SI_KERNEL)
	 * and already went to the whole foreground process group, command
	 * included. Forwarding them again would deliver them twice. */
	if (si->si_code == SI_KERNEL &&
	    (sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH))
		return;
	if (pid > 0) {
		explain(role[0] == 'm' ? "forward the signal to the container's PID 1"
				       : "forward the signal to the command",
			"kill -%S %d", sigabbrev_np(sig), pid);
		kill(pid, sig);
	}
	errno = saved;
}

static void block_signals(const int *sigs, int how)
{
	sigset_t set;

	sigemptyset(&set);
	for (; *sigs; sigs++)
		sigaddset(&set, *sigs);
	sigprocmask(how, &set, NULL);
}

/* Install the forwarders, then let any signal that queued up meanwhile in. */
static void start_forwarding(const int *sigs, pid_t to)
{
	struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART };

	target = to;
	for (const int *s = sigs; *s; s++)
		sigaction(*s, &sa, NULL);
	block_signals(sigs, SIG_UNBLOCK);
}

static int exit_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* ---------------------------------------------------------------------
 * INIT, part 1: a private mount namespace with the rootfs ready to pivot.
 * ------------------------------------------------------------------- */

static void join_cgroups(void)
{
	char path[PATH_MAX];

	for (int i = 0; i < opt.cgroups.n; i++) {
		const char *dir = opt.cgroups.item[i];
		int fd;

		explain("join the container's cgroup", "echo 0 > %s/cgroup.procs", dir);
		snprintf(path, sizeof path, "%s/cgroup.procs", dir);
		/* "0" means "the writing process" in both cgroup v1 and v2 */
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			fail("join cgroup %S", path);
		close(fd);
	}
}

static void private_mounts(void)
{
	explain("a mount namespace of its own, so pivot_root cannot touch the host",
		"unshare --mount");
	if (unshare(CLONE_NEWNS) < 0)
		fail("unshare mount namespace");

	explain("nothing we mount here propagates back to the host", "mount --make-rprivate /");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("make / private");

	explain("pivot_root needs the new root to be a mount point",
		"mount --rbind %s %s", opt.rootfs, opt.rootfs);
	if (mount(opt.rootfs, opt.rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail("bind mount %S", opt.rootfs);
}

/* Resolve PATH as if the rootfs were "/": "..", absolute symlinks and all
 * stay inside it, so a hostile image cannot point us at a host path. */
static int open_in_root(int root, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, root, path, &how, sizeof how);
}

/* Like "mkdir -p" (or touch for the last part when !is_dir), but every step
 * is resolved inside the root. Returns an O_PATH fd of the result. */
static int make_in_root(int root, const char *path, int is_dir)
{
	char buf[PATH_MAX];
	int fd = open_in_root(root, path), parent = -1;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf; *p;) {
		char *name, saved;
		int last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;                      /* one component: name..p */
		while (*p && *p != '/')
			p++;
		last = p[strspn(p, "/")] == '\0';
		saved = *p;
		*p = '\0';                     /* buf is now the prefix up to name */
		fd = open_in_root(root, buf);
		if (fd < 0 && errno == ENOENT) {
			/* name has no '/', and parent was resolved inside the
			 * root, so creating it relative to parent is safe */
			int dir = parent >= 0 ? parent : root;
			if (!last || is_dir) {
				mkdirat(dir, name, 0755);
			} else {
				int f = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL |
					       O_NOFOLLOW | O_CLOEXEC, 0644);
				if (f >= 0)
					close(f);
			}
			fd = open_in_root(root, buf);
		}
		*p = saved;
		if (parent >= 0)
			close(parent);
		if (fd < 0)
			return -1;
		parent = fd;
	}
	return parent >= 0 ? parent : open_in_root(root, "/");
}

/* mount(2) onto a resolved fd: the kernel follows /proc/self/fd/N to exactly
 * the inode we resolved, instead of re-walking an attacker-controlled path. */
static int mount_in_root(int root, const char *dst, int is_dir, const char *src,
			 const char *type, unsigned long flags, const char *data)
{
	char where[64];
	int fd = make_in_root(root, dst, is_dir), r;

	if (fd < 0)
		return -1;
	snprintf(where, sizeof where, "/proc/self/fd/%d", fd);
	r = mount(src, where, type, flags, data);
	close(fd);
	return r;
}

/* A bind mount ignores MS_RDONLY: it takes a second, remount step. The
 * remount must repeat the flags that are already set (nosuid, nodev...),
 * the kernel refuses to clear locked ones. ST_* values equal MS_* ones. */
static int remount_ro(int root, const char *dst)
{
	char where[64];
	struct statvfs sv;
	int fd = open_in_root(root, dst), r = -1;
	unsigned long keep;

	if (fd < 0)
		return -1;
	snprintf(where, sizeof where, "/proc/self/fd/%d", fd);
	if (fstatvfs(fd, &sv) == 0) {
		keep = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME |
				    ST_NODIRATIME | ST_RELATIME);
		r = mount(NULL, where, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL);
	}
	close(fd);
	return r;
}

/* "nosuid,nodev" + data, for --explain */
static const char *opts_text(char *buf, size_t size, unsigned long flags, const char *data)
{
	static const struct { unsigned long flag; const char *name; } names[] = {
		{ MS_RDONLY, "ro" }, { MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" },
		{ MS_NOEXEC, "noexec" }, { MS_STRICTATIME, "strictatime" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].flag)
			n += snprintf(buf + n, size - n, "%s,", names[i].name);
	snprintf(buf + n, size - n, "%s", data ? data : "");
	if (!data && n)
		buf[n - 1] = '\0';         /* drop the trailing comma */
	return buf;
}

static void mount_fs(int root, const char *dst, const char *type, unsigned long flags,
		     const char *data, const char *why)
{
	char o[256];

	explain(why, "mount -t %S -o %s %S %s%s", type, opts_text(o, sizeof o, flags, data),
		type, opt.rootfs, dst);
	if (mount_in_root(root, dst, 1, type, type, flags, data) < 0)
		fail("mount %S on %S%S", type, opt.rootfs, dst);
}

static void bind_file(int root, const char *src, const char *dst, const char *why)
{
	explain(why, "mount --bind %s %s%s", src, opt.rootfs, dst);
	if (mount_in_root(root, dst, 0, src, NULL, MS_BIND, NULL) < 0)
		fail("bind %S on %S%S", src, opt.rootfs, dst);
}

static void make_link(int dev, const char *target, const char *name)
{
	explain("standard /dev symlink", "ln -s %s %s/dev/%s", target, opt.rootfs, name);
	if (symlinkat(target, dev, name) < 0 && errno != EEXIST)
		fail("symlink %S/dev/%S", opt.rootfs, name);
}

/* A fresh tmpfs /dev holding only harmless devices, never the host's disks. */
static void setup_dev(int root)
{
	static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
	char host[32], inside[32];
	int dev;

	mount_fs(root, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
		 "a private /dev holding only a few harmless devices");
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		snprintf(host, sizeof host, "/dev/%s", devices[i]);
		snprintf(inside, sizeof inside, "/dev/%s", devices[i]);
		/* binding the host's node onto an empty file works even where
		 * mknod is not allowed (user namespaces, nodev mounts) */
		bind_file(root, host, inside, "reuse the host's device node");
	}
	mount_fs(root, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=620,gid=5",
		 "ptys of our own, invisible to the host");
	mount_fs(root, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k",
		 "POSIX shared memory, private to the container");

	dev = open_in_root(root, "/dev");
	if (dev < 0)
		fail("open %S/dev", opt.rootfs);
	make_link(dev, "pts/ptmx", "ptmx");
	make_link(dev, "/proc/self/fd", "fd");
	make_link(dev, "/proc/self/fd/0", "stdin");
	make_link(dev, "/proc/self/fd/1", "stdout");
	make_link(dev, "/proc/self/fd/2", "stderr");
	close(dev);

	if (tty_mode) {
		const char *name = ttyname(STDIN_FILENO);
		if (!name)
			fail("ttyname of stdin");
		bind_file(root, name, "/dev/console", "--tty: our terminal, under a name that exists inside");
		console_bound = 1;
	}
}

static void setup_sys(int root)
{
	unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char o[64];

	explain("read-only /sys, showing this net namespace's devices",
		"mount -t sysfs -o %S sysfs %s/sys", opts_text(o, sizeof o, flags, NULL), opt.rootfs);
	if (mount_in_root(root, "/sys", 1, "sysfs", "sysfs", flags, NULL) == 0)
		return;
	warn("mount sysfs on %S/sys", opt.rootfs);
	explain("sysfs was refused; fall back to the host's /sys", "mount --rbind /sys %s/sys", opt.rootfs);
	if (mount_in_root(root, "/sys", 1, "/sys", NULL, MS_BIND | MS_REC, NULL) < 0) {
		warn("bind /sys on %S/sys", opt.rootfs);   /* no /sys: not fatal */
		return;
	}
	explain("never a writable host /sys", "mount -o remount,bind,ro %s/sys", opt.rootfs);
	if (remount_ro(root, "/sys") < 0)
		fail("remount %S/sys read-only", opt.rootfs);
}

/* SRC:DST[:ro|:rw] into src/dst (PATH_MAX each); both must be absolute. */
static int parse_bind(const char *spec, char *src, char *dst, int *ro)
{
	const char *colon = strchr(spec, ':');
	char *mode;

	if (!colon)
		return -1;
	snprintf(src, PATH_MAX, "%.*s", (int)(colon - spec), spec);
	snprintf(dst, PATH_MAX, "%s", colon + 1);
	*ro = 0;
	mode = strrchr(dst, ':');
	if (mode) {
		if (strcmp(mode, ":ro") == 0)
			*ro = 1;
		else if (strcmp(mode, ":rw") != 0)
			return -1;
		*mode = '\0';
	}
	return src[0] == '/' && dst[0] == '/' ? 0 : -1;
}

static void setup_binds(int root)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct stat st;
	int ro, dir;

	for (int i = 0; i < opt.binds.n; i++) {
		parse_bind(opt.binds.item[i], src, dst, &ro);   /* validated by the monitor */
		if (stat(src, &st) < 0)
			fail("bind source %S", src);
		dir = S_ISDIR(st.st_mode);
		explain("--bind", "mount %S %s %s%s", dir ? "--rbind" : "--bind", src, opt.rootfs, dst);
		if (mount_in_root(root, dst, dir, src, NULL, MS_BIND | (dir ? MS_REC : 0), NULL) < 0)
			fail("bind %S on %S%S", src, opt.rootfs, dst);
		if (ro) {
			explain("--bind ...:ro", "mount -o remount,bind,ro %s%s", opt.rootfs, dst);
			if (remount_ro(root, dst) < 0)
				fail("remount %S%S read-only", opt.rootfs, dst);
		}
	}
}

/* pivot_root(".", ".") stacks the old root on top of the new one; we then
 * detach it. Unlike a put_old directory this needs no writable rootfs and
 * leaves no leftover directory behind (runc does the same). */
static void enter_rootfs(void)
{
	int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	explain("work from inside the new root", "cd %s", opt.rootfs);
	if (oldroot < 0 || chdir(opt.rootfs) < 0)
		fail("chdir %S", opt.rootfs);
	explain("make the rootfs our \"/\"; the old root ends up stacked on top of it",
		"pivot_root . .");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root %S", opt.rootfs);
	explain("detach the old root: the host's files are out of reach", "umount -l .");
	if (fchdir(oldroot) < 0 || umount2(".", MNT_DETACH) < 0)
		fail("detach the old root");
	close(oldroot);
	if (chdir("/") < 0)
		fail("chdir /");
}

/* ---------------------------------------------------------------------
 * INIT, part 2: the rest of the environment, then the command.
 * ------------------------------------------------------------------- */

static void loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s;

	explain("a new net namespace starts with lo down", "ip link set lo up");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
		if (opt.explain)
			warn("ip link set lo up");
	if (s >= 0)
		close(s);
}

static void enter_workdir(void)
{
	char buf[PATH_MAX];

	/* "/" is now the container root, so plain paths cannot escape it */
	explain("--workdir", "mkdir -p %s && cd %s", opt.workdir, opt.workdir);
	snprintf(buf, sizeof buf, "%s", opt.workdir);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				fail("mkdir %S", buf);
			*p = c;
			if (!c)
				break;
		}
	}
	if (chdir(opt.workdir) < 0)
		fail("chdir %S", opt.workdir);
}

/* --tty: reopen the terminal as /dev/console, so ttyname() (tty, ps) finds
 * a name that exists inside; make sure it is our controlling terminal. */
static void take_terminal(void)
{
	struct stat con, st;
	int fd;

	if (!console_bound)
		return;
	explain("--tty: use the terminal by its in-container name",
		"exec </dev/console >/dev/console 2>/dev/console");
	fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &con) < 0)
		fail("open /dev/console");
	for (int i = 0; i <= 2; i++)   /* only the fds that ARE this terminal */
		if (fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == con.st_rdev)
			dup2(fd, i);
	close(fd);

	/* Usually the terminal already is our controlling tty (same session
	 * as the user's shell) and we leave it so; stealing it would leave
	 * that shell without one after we exit. Only when we were started
	 * without one (e.g. setsid) do we take it. */
	if (tcgetpgrp(STDIN_FILENO) < 0) {
		explain("--tty: stdin is not our controlling terminal yet; take it", "setsid -c");
		if (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 1) < 0)
			fail("make stdin the controlling terminal");
	}
}

/* In the forked command: only returns on failure, never. */
static void __attribute__((noreturn)) exec_command(int errfd)
{
	const char *cmd = opt.cmd[0];
	sigset_t none;
	int err;

	if (tty_mode) {
		/* our own process group, in the terminal's foreground: Ctrl-C
		 * and job control now reach the command (SIGTTOU is blocked) */
		setpgid(0, 0);
		tcsetpgrp(STDIN_FILENO, getpid());
	}
	clearenv();
	for (int i = 0; i < opt.env.n; i++)
		putenv(opt.env.item[i]);
	if (!getenv("PATH"))
		putenv(DEFAULT_PATH);
	for (int s = 1; s < NSIG; s++)    /* no inherited dispositions... */
		signal(s, SIG_DFL);
	sigemptyset(&none);              /* ...and no blocked signals */
	sigprocmask(SIG_SETMASK, &none, NULL);

	execvp(cmd, opt.cmd);            /* searches the PATH set above */

	err = errno;
	if (write(errfd, &err, sizeof err) < 0) {
		/* PID 1 will see the exit code anyway */
	}
	if (err == ENOENT || err == ENOTDIR) {
		dprintf(STDERR_FILENO, "ducker: exec: \"%s\": %s\n", cmd,
			strchr(cmd, '/') ? "no such file or directory"
					 : "executable file not found in $PATH");
		_exit(127);
	}
	dprintf(STDERR_FILENO, "ducker: exec: \"%s\": %s\n", cmd,
		err == EACCES || err == EPERM || err == EISDIR || err == ENOEXEC
			? "permission denied" : strerror(err));
	_exit(126);
}

static void __attribute__((noreturn)) run_command(int ready_fd)
{
	int errpipe[2], err;
	ssize_t r;
	pid_t pid;

	if (tty_mode)
		explain("--tty: the command gets its own foreground process group (job control)",
			"set -m");
	/* CLOEXEC: a successful exec closes the write end with nothing written */
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		fail("pipe");
	explain("PID 1 forks the command and stays to reap zombies and forward signals",
		"exec %v", opt.cmd);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0)
		exec_command(errpipe[1]);
	close(errpipe[1]);
	start_forwarding(init_signals, pid);

	do r = read(errpipe[0], &err, sizeof err); while (r < 0 && errno == EINTR);
	close(errpipe[0]);
	if (r == 0 && write(ready_fd, "R", 1) < 0) {
		/* monitor gone: nothing to tell */
	}
	close(ready_fd);                 /* EOF without "R" = it never started */

	/* Reap everything: orphans of the container are re-parented to us. */
	for (;;) {
		int status;
		pid_t p = waitpid(-1, &status, 0);
		if (p == pid)
			exit(exit_code(status)); /* the kernel kills the rest of the ns */
		if (p < 0 && errno != EINTR)
			fail("waitpid");
	}
}

static void __attribute__((noreturn)) run_init(int ready_fd)
{
	int root;

	role = "init";
	tty_mode = opt.tty && isatty(STDIN_FILENO);
	join_cgroups();
	private_mounts();
	/* opened after the rbind, so that it sees the new mount, not the one below */
	root = open(opt.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		fail("open %S", opt.rootfs);
	/* system mounts first, so --bind can still override e.g. /dev/xyz */
	mount_fs(root, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		 "a /proc that only shows this pid namespace");
	setup_dev(root);
	setup_sys(root);
	setup_binds(root);
	close(root);
	enter_rootfs();
	if (opt.hostname) {
		explain("our own UTS namespace", "hostname %s", opt.hostname);
		if (sethostname(opt.hostname, strlen(opt.hostname)) < 0)
			fail("sethostname %S", opt.hostname);
	}
	loopback_up();
	enter_workdir();
	take_terminal();
	/* Nothing but 0, 1, 2 may leak into the command; CLOEXEC also covers
	 * the ready pipe, which PID 1 itself still needs. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	run_command(ready_fd);
}

/* ---------------------------------------------------------------------
 * MONITOR
 * ------------------------------------------------------------------- */

/* The pid/exit files are written as PATH.tmp, then renamed: whoever reads
 * PATH sees either nothing or the whole number. */
struct result { const char *path; char tmp[PATH_MAX]; int fd; };

static void result_open(struct result *r, const char *path)
{
	r->path = path;
	r->fd = -1;
	if (!path)
		return;
	explain("forget the result of an earlier run", "rm -f %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		fail("remove %S", path);
	snprintf(r->tmp, sizeof r->tmp, "%s.tmp", path);
	r->fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0)
		fail("open %S", r->tmp);
}

static void result_write(struct result *r, int value, const char *why)
{
	struct line l;

	if (r->fd < 0)
		return;
	explain(why, "echo %d > %s", value, r->path);
	l.n = 0;
	add_num(&l, value);
	l.s[l.n++] = '\n';
	if (write(r->fd, l.s, l.n) != (ssize_t)l.n || rename(r->tmp, r->path) < 0)
		warn("write %S", r->path);
	close(r->fd);
	r->fd = -1;
}

static void result_drop(struct result *r)
{
	if (r->fd >= 0) {
		close(r->fd);
		unlink(r->tmp);
		r->fd = -1;
	}
}

static void append(struct list *l, char *item, const char *what)
{
	if (l->n >= MAX_LIST)
		usage("too many %S (max %d)", what, MAX_LIST);
	l->item[l->n++] = item;
}

static void parse_args(int argc, char **argv)
{
	enum { ROOTFS = 1, HOSTNAME, WORKDIR, ENV, CGROUP, BIND, EXITF, PIDF, TTY, EXPLAIN, ONEXIT };
	static const struct option longopts[] = {
		{ "rootfs", required_argument, NULL, ROOTFS },
		{ "hostname", required_argument, NULL, HOSTNAME },
		{ "workdir", required_argument, NULL, WORKDIR },
		{ "env", required_argument, NULL, ENV },
		{ "cgroup", required_argument, NULL, CGROUP },
		{ "bind", required_argument, NULL, BIND },
		{ "exit-file", required_argument, NULL, EXITF },
		{ "pid-file", required_argument, NULL, PIDF },
		{ "tty", no_argument, NULL, TTY },
		{ "explain", no_argument, NULL, EXPLAIN },
		{ "on-exit", required_argument, NULL, ONEXIT },
		{ NULL, 0, NULL, 0 },
	};
	char src[PATH_MAX], dst[PATH_MAX];
	int c, ro;

	/* "+": stop at the first non-option, CMD's own flags are not ours */
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case ROOTFS: opt.rootfs = optarg; break;
		case HOSTNAME: opt.hostname = optarg; break;
		case WORKDIR: opt.workdir = optarg; break;
		case EXITF: opt.exit_file = optarg; break;
		case PIDF: opt.pid_file = optarg; break;
		case TTY: opt.tty = 1; break;
		case EXPLAIN: opt.explain = 1; break;
		case CGROUP: append(&opt.cgroups, optarg, "--cgroup"); break;
		case ONEXIT: append(&opt.on_exit, optarg, "--on-exit"); break;
		case ENV:
			if (!strchr(optarg, '='))
				usage("--env %S: expected KEY=VALUE", optarg);
			append(&opt.env, optarg, "--env");
			break;
		case BIND:
			if (parse_bind(optarg, src, dst, &ro) < 0)
				usage("--bind %S: expected /SRC:/DST[:ro|:rw]", optarg);
			append(&opt.binds, optarg, "--bind");
			break;
		default:
			usage("usage: ducker-init --rootfs DIR [OPTIONS] -- CMD [ARG...]");
		}
	}
	if (!opt.rootfs)
		usage("--rootfs is required");
	if (opt.workdir[0] != '/')
		usage("--workdir %S: must be an absolute path", opt.workdir);
	if (optind >= argc)
		usage("no command given");
	opt.cmd = argv + optind;
}

/* Blocks until the init reports that the command started (1) or fails (0). */
static int wait_ready(int fd)
{
	char b;
	ssize_t r;

	do r = read(fd, &b, 1); while (r < 0 && errno == EINTR);
	close(fd);
	return r == 1;
}

int main(int argc, char **argv)
{
	struct result pidr, exitr;
	pid_t fg = -1, child;
	int ready[2], status, code;

	parse_args(argc, argv);
	close_range(3, ~0U, 0);        /* keep nothing our launcher leaked */
	signal(SIGPIPE, SIG_IGN);      /* a vanished reader must not kill us */
	signal(SIGTTOU, SIG_IGN);      /* may write/tcsetpgrp from the background */
	if (opt.tty && isatty(STDIN_FILENO))
		fg = tcgetpgrp(STDIN_FILENO);   /* to give the terminal back later */

	result_open(&pidr, opt.pid_file);
	result_open(&exitr, opt.exit_file);
	if (pipe2(ready, O_CLOEXEC) < 0)
		fail("pipe");

	/* Signals that arrive before everyone has handlers wait (blocked)
	 * instead of being lost; the child inherits this mask. */
	block_signals(init_signals, SIG_BLOCK);
	explain("the child lands in the new pid namespace as its PID 1", "fork");
	child = fork();
	if (child < 0)
		fail("fork");
	if (child == 0) {
		close(ready[0]);
		if (pidr.fd >= 0)
			close(pidr.fd);
		if (exitr.fd >= 0)
			close(exitr.fd);
		run_init(ready[1]);
	}
	close(ready[1]);
	start_forwarding(monitor_signals, child);
	block_signals(init_signals, SIG_UNBLOCK);   /* SIGALRM too: not forwarded */

	if (wait_ready(ready[0]))
		result_write(&pidr, child, "the command runs; record the init's host pid");
	else
		result_drop(&pidr);           /* setup or exec failed: no pid file */

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	target = 0;                       /* the pid may be reused from now on */
	code = exit_code(status);
	result_write(&exitr, code, "the container is gone; record its exit code");

	if (fg > 0 && tcgetpgrp(STDIN_FILENO) != fg) {
		explain("--tty: give the terminal back to whoever started us", "tcsetpgrp 0 %d", fg);
		tcsetpgrp(STDIN_FILENO, fg);
	}
	if (opt.on_exit.n > 0) {
		opt.on_exit.item[opt.on_exit.n] = NULL;
		explain("--on-exit hook", "exec %v", opt.on_exit.item);
		close_range(3, ~0U, 0);
		execv(opt.on_exit.item[0], opt.on_exit.item);
		warn("exec %S", opt.on_exit.item[0]);
	}
	return code;
}
