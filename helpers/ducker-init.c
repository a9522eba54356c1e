/*
 * ducker-init: the small C helper behind ducker, a teaching container runtime.
 *
 * The TypeScript side starts it like this (no --fork, no --mount):
 *
 *     unshare --uts --ipc --net --pid ducker-init [OPTIONS] -- CMD [ARG...]
 *
 * Because unshare does not fork, this process is still in the host's pid and
 * mount namespaces; only its children land in the new pid namespace. So the
 * one binary plays two roles:
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
 * 125 setup failed (or bad options), 126 command not executable,
 * 127 command not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define EXIT_SETUP 125
#define MAX_LIST 4096
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct list { char *item[MAX_LIST + 1]; int n; };   /* +1: room for a NULL */

static struct {
	const char *rootfs, *hostname, *workdir, *exit_file, *pid_file, *netns, *enter, *on_exit_unless;
	struct list env, cgroups, binds, on_exit, cap_add, cap_drop;
	int tty, explain, unshare_net, privileged;
	char **cmd;
} opt = { .workdir = "/" };

static const char *role = "monitor";   /* "init" in the child */
static volatile pid_t target;          /* where our signal handler forwards to */
static const char *target_why;         /* ...and the --explain reason for it */
static int tty_mode;                   /* --tty, and stdin really is a terminal */
static int console_bound;              /* the terminal is bound on /dev/console */

/* ---------------------------------------------------------------------
 * Output. A line is built in a caller-owned buffer and written with one
 * write(2): no malloc, no stdio. So it is safe inside signal handlers, and
 * lines of the monitor and of the init never interleave.
 * ------------------------------------------------------------------- */

struct line { char s[4096]; size_t n; };

static void addc(struct line *l, char c) {
	if (l->n < sizeof l->s - 1)        /* keep room for the final '\n' */
		l->s[l->n++] = c;
}

static void add(struct line *l, const char *s) { while (*s) addc(l, *s++); }

static void add_num(struct line *l, long v) {
	char b[24];
	int i = sizeof b - 1;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	b[i] = '\0';
	do b[--i] = '0' + u % 10; while ((u /= 10) > 0);
	if (v < 0)
		b[--i] = '-';
	add(l, b + i);
}

/* POSIX shell quoting, only when needed: it's -> 'it'\''s' */
static void add_quoted(struct line *l, const char *s) {
	int plain = *s != '\0';
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_@%+=:,./-", *p)))
			plain = 0;
	if (plain) {
		add(l, s);
		return;
	}
	addc(l, '\'');
	for (; *s; s++)
		if (*s == '\'')
			add(l, "'\\''");   /* close quote, escaped ', reopen */
		else
			addc(l, *s);
	addc(l, '\'');
}

/* A tiny printf: %s quoted word, %S raw text, %d int, %v NULL-ended argv. */
static void vfmt(struct line *l, const char *fmt, va_list ap) {
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

static void put_line(struct line *l) {
	l->s[l->n++] = '\n';
	if (write(STDERR_FILENO, l->s, l->n) < 0) { /* nowhere left to complain to */ }
}

/* --explain: "+ <shell equivalent>  # <role>: <why>", printed BEFORE acting. */
static void explain(const char *why, const char *fmt, ...) {
	struct line l = { .n = 0 };
	va_list ap;
	if (!opt.explain)
		return;
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

/* "ducker: <prefix><what>[: <strerror>]"; err == 0 means no strerror. */
static void say(const char *prefix, int err, const char *fmt, ...) {
	struct line l = { .n = 0 };
	va_list ap;
	add(&l, "ducker: ");
	add(&l, prefix);
	va_start(ap, fmt);
	vfmt(&l, fmt, ap);
	va_end(ap);
	if (err) {
		add(&l, ": ");
		add(&l, strerror(err));
	}
	put_line(&l);
}

/* fail: setup went wrong, say what and why (errno), exit 125 like docker.
 * usage: a bad command line, same exit code. warn: say it, carry on. */
#define fail(...)  (say("", errno, __VA_ARGS__), exit(EXIT_SETUP))
#define usage(...) (say("", 0, __VA_ARGS__), exit(EXIT_SETUP))
#define warn(...)  say("warning: ", errno, __VA_ARGS__)

/* ---------------------------------------------------------------------
 * Signals. Both roles forward the same way: the monitor to the init, the
 * init to the command. PID 1 of a pid namespace only receives the signals
 * it has a handler for: one more reason to install real handlers.
 * ------------------------------------------------------------------- */

static const int monitor_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				       SIGUSR2, SIGWINCH, SIGCONT, 0 };
static const int init_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
				    SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, 0 };

static void forward(int sig, siginfo_t *si, void *ctx) {
	int saved = errno;
	pid_t pid = target;
	(void)ctx;
	/* Ctrl-C, Ctrl-\ and window resizes come from the terminal (SI_KERNEL)
	 * and went to the whole foreground process group, command included.
	 * Forwarding them too would deliver them twice. */
	if (si->si_code == SI_KERNEL && (sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH))
		return;
	if (pid > 0) {
		explain(target_why, "kill -%S %d", sigabbrev_np(sig), pid);
		kill(pid, sig);
	}
	errno = saved;
}

static void block_signals(const int *sigs, int how) {
	sigset_t set;
	sigemptyset(&set);
	for (; *sigs; sigs++)
		sigaddset(&set, *sigs);
	sigprocmask(how, &set, NULL);
}

/* Install the forwarders, then let in what queued up while blocked. */
static void start_forwarding(const int *sigs, pid_t to, const char *why) {
	struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART };
	target = to;
	target_why = why;
	for (const int *s = sigs; *s; s++)
		sigaction(*s, &sa, NULL);
	block_signals(sigs, SIG_UNBLOCK);
}

static int exit_code(int status) {
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* ---------------------------------------------------------------------
 * INIT, part 1: a private mount namespace and the container's mounts.
 * ------------------------------------------------------------------- */

static void join_cgroups(void) {
	char path[PATH_MAX];
	int fd;
	for (int i = 0; i < opt.cgroups.n; i++) {
		explain("join the container's cgroup", "echo 0 > %s/cgroup.procs", opt.cgroups.item[i]);
		snprintf(path, sizeof path, "%s/cgroup.procs", opt.cgroups.item[i]);
		/* "0" means "the writing process", in cgroup v1 and v2 alike */
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			fail("join cgroup %S", path);
		close(fd);
	}
}

/* The network namespace is entered here, in PID 1, not by the unshare that
 * launched us: the monitor must stay in the host's, so that its --on-exit
 * hook can take the container's network down. */
static void enter_network(void) {
	int fd;
	if (opt.netns) {
		explain("join the network namespace prepared for the container",
			"nsenter --net=%s", opt.netns);
		if ((fd = open(opt.netns, O_RDONLY | O_CLOEXEC)) < 0 || setns(fd, CLONE_NEWNET) < 0)
			fail("join network namespace %S", opt.netns);
		close(fd);
	} else if (opt.unshare_net) {
		explain("a network namespace of its own: only lo, no way out", "unshare --net");
		if (unshare(CLONE_NEWNET) < 0)
			fail("unshare network namespace");
	}
}

static void private_mounts(void) {
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
static int open_in_root(int root, const char *path) {
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return syscall(SYS_openat2, root, path, &how, sizeof how);
}

/* "mkdir -p" (plus touch of the last part if !is_dir), every step resolved
 * inside the root. Returns an O_PATH fd of the result, or -1 with errno. */
static int make_in_root(int root, const char *path, int is_dir) {
	char buf[PATH_MAX];
	int fd = open_in_root(root, path), parent = -1;
	if (fd >= 0 || errno != ENOENT)
		return fd;                 /* the common case: it exists */
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
		for (name = p; *p && *p != '/'; p++)
			;                  /* one component: name..p */
		last = p[strspn(p, "/")] == '\0';
		saved = *p;
		*p = '\0';                 /* buf now ends with this component */
		fd = open_in_root(root, buf);
		if (fd < 0 && errno == ENOENT) {
			/* safe: name has no '/', and parent was resolved in the root */
			int dir = parent >= 0 ? parent : root;
			if (!last || is_dir)
				mkdirat(dir, name, 0755);
			else
				close(openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					     O_CLOEXEC, 0644));   /* an empty file; -1 is harmless */
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

/* mount(2) onto a resolved fd: the kernel follows /proc/self/fd/N to the
 * very inode we resolved, instead of re-walking a path the image controls. */
static int mount_in_root(int root, const char *dst, int is_dir, const char *src,
			 const char *type, unsigned long flags, const char *data) {
	char where[64];
	int fd = make_in_root(root, dst, is_dir), r;
	if (fd < 0)
		return -1;
	snprintf(where, sizeof where, "/proc/self/fd/%d", fd);
	r = mount(src, where, type, flags, data);
	close(fd);
	return r;
}

/* A bind mount ignores MS_RDONLY: read-only takes a second step. The classic
 * "mount -o remount,bind,ro" changes only the top mount, so the submounts
 * of an --rbind would stay writable; mount_setattr(AT_RECURSIVE) covers the
 * whole tree and keeps the other flags (nosuid, nodev...) as they are. */
static int remount_ro(int root, const char *dst) {
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd = open_in_root(root, dst), r;

	if (fd < 0)   /* fd of the new mount: the path now leads to it, not below */
		return -1;
	r = mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
	close(fd);
	return r;
}

/* Mount a fresh filesystem; OPTS is the `mount -o` text, for --explain.
 * must: a failure is fatal (otherwise it returns -1). */
static int mount_fs(int root, const char *dst, const char *type, unsigned long flags,
		    const char *data, const char *opts, int must, const char *why) {
	explain(why, "mount -t %S -o %s %S %s%s", type, opts, type, opt.rootfs, dst);
	if (mount_in_root(root, dst, 1, type, type, flags, data) == 0)
		return 0;
	if (must)
		fail("mount %S on %S%S", type, opt.rootfs, dst);
	return -1;
}

static void bind_in_root(int root, const char *src, const char *dst, int is_dir, const char *why) {
	explain(why, "mount %S %s %s%s", is_dir ? "--rbind" : "--bind", src, opt.rootfs, dst);
	if (mount_in_root(root, dst, is_dir, src, NULL, MS_BIND | (is_dir ? MS_REC : 0), NULL) < 0)
		fail("bind %S on %S%S", src, opt.rootfs, dst);
}

static void link_in_dev(int dev, const char *target, const char *name) {
	explain("standard /dev symlink", "ln -s %s %s/dev/%s", target, opt.rootfs, name);
	if (symlinkat(target, dev, name) < 0 && errno != EEXIST)
		fail("symlink %S/dev/%S", opt.rootfs, name);
}

/* A fresh tmpfs /dev with only harmless devices: never the host's disks. */
static void setup_dev(int root) {
	static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
	char path[32];
	int dev;
	mount_fs(root, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
		 "nosuid,strictatime,mode=755,size=65536k", 1,
		 "a private /dev holding only a few harmless devices");
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		snprintf(path, sizeof path, "/dev/%s", devices[i]);
		/* binding the host's node onto an empty file also works
		 * where mknod is refused (user namespaces, nodev mounts) */
		bind_in_root(root, path, path, 0, "reuse the host's device node");
	}
	mount_fs(root, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=620,gid=5",
		 "nosuid,noexec,newinstance,ptmxmode=0666,mode=620,gid=5", 1,
		 "ptys of our own, invisible to the host");
	mount_fs(root, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k",
		 "nosuid,nodev,mode=1777,size=65536k", 1, "POSIX shared memory, private to the container");
	if ((dev = open_in_root(root, "/dev")) < 0)
		fail("open %S/dev", opt.rootfs);
	link_in_dev(dev, "pts/ptmx", "ptmx");
	link_in_dev(dev, "/proc/self/fd", "fd");
	link_in_dev(dev, "/proc/self/fd/0", "stdin");
	link_in_dev(dev, "/proc/self/fd/1", "stdout");
	link_in_dev(dev, "/proc/self/fd/2", "stderr");
	close(dev);
	if (tty_mode) {
		/* by name: mount refuses a source that lives in another mount
		 * namespace, as an fd inherited from the host would */
		const char *name = ttyname(STDIN_FILENO);
		if (!name) {
			warn("--tty: stdin has no name under /dev; no /dev/console");
			return;
		}
		bind_in_root(root, name, "/dev/console", 0,
			     "--tty: our terminal, under a name that exists inside");
		console_bound = 1;
	}
}

static void setup_sys(int root) {
	if (mount_fs(root, "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL, "ro,nosuid,nodev,noexec", 0,
		     "read-only /sys, showing this net namespace's devices") == 0)
		return;
	/* sysfs can be refused (EPERM) when we do not own the net namespace */
	explain("sysfs was refused; fall back to the host's /sys", "mount --rbind /sys %s/sys",
		opt.rootfs);
	if (mount_in_root(root, "/sys", 1, "/sys", NULL, MS_BIND | MS_REC, NULL) < 0) {
		warn("no /sys in the container: bind /sys on %S/sys", opt.rootfs);
		return;
	}
	explain("never a writable host /sys (submounts included)",
		"mount -o remount,bind,ro %s/sys", opt.rootfs);
	if (remount_ro(root, "/sys") < 0)
		fail("remount %S/sys read-only", opt.rootfs);
}

/* SRC:DST[:ro|:rw] into src and dst (PATH_MAX each); both must be absolute. */
static int parse_bind(const char *spec, char *src, char *dst, int *ro) {
	const char *colon = strchr(spec, ':');
	char *mode;
	if (!colon)
		return -1;
	snprintf(src, PATH_MAX, "%.*s", (int)(colon - spec), spec);
	snprintf(dst, PATH_MAX, "%s", colon + 1);
	*ro = 0;
	if ((mode = strrchr(dst, ':'))) {
		if (strcmp(mode, ":ro") == 0)
			*ro = 1;
		else if (strcmp(mode, ":rw") != 0)
			return -1;
		*mode = '\0';
	}
	return src[0] == '/' && dst[0] == '/' ? 0 : -1;
}

static void setup_binds(int root) {
	char src[PATH_MAX], dst[PATH_MAX];
	struct stat st;
	int ro;
	for (int i = 0; i < opt.binds.n; i++) {
		parse_bind(opt.binds.item[i], src, dst, &ro);   /* the monitor validated it */
		if (stat(src, &st) < 0)
			fail("bind source %S", src);
		bind_in_root(root, src, dst, S_ISDIR(st.st_mode), "--bind");
		if (!ro)
			continue;
		explain("--bind ...:ro (submounts included)", "mount -o remount,bind,ro %s%s",
			opt.rootfs, dst);
		if (remount_ro(root, dst) < 0)
			fail("remount %S%S read-only", opt.rootfs, dst);
	}
}

/* pivot_root(".", ".") stacks the old root on top of the new one, and we
 * detach it right away. Unlike a put_old directory this needs no writable
 * rootfs and leaves nothing behind in it (runc does the same). */
static void enter_rootfs(void) {
	int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	explain("work from inside the new root", "cd %s", opt.rootfs);
	if (oldroot < 0 || chdir(opt.rootfs) < 0)
		fail("chdir %S", opt.rootfs);
	explain("make the rootfs our \"/\"; the old root ends up stacked on top of it",
		"pivot_root . .");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root %S", opt.rootfs);
	explain("detach the old root: the host's files are now out of reach", "umount -l .");
	if (fchdir(oldroot) < 0 || umount2(".", MNT_DETACH) < 0)
		fail("detach the old root");
	close(oldroot);
	if (chdir("/") < 0)
		fail("chdir /");
}

/* ---------------------------------------------------------------------
 * Isolation: what the command may do once it runs. Docker's defaults are
 * the reference: its capability set, no_new_privs, masked and read-only
 * corners of /proc and /sys.
 * ------------------------------------------------------------------- */

/* Index = capability number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};
#define NCAPNAMES ((int)(sizeof cap_names / sizeof cap_names[0]))

/* CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP */
#define DOCKER_DEFAULT_CAPS 0xa80425fbULL
#define CAP_ALL_NAME (-2)

static int last_cap = 40;              /* from /proc/sys/kernel/cap_last_cap */

static void read_last_cap(void) {
	char b[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, b, sizeof b - 1) > 0 && atoi(b) > 0 && atoi(b) < 64)
		last_cap = atoi(b);
	if (fd >= 0)
		close(fd);
}

/* "NET_ADMIN", "cap_net_admin", "ALL" -> number, CAP_ALL_NAME, or -1 */
static int cap_number(const char *name) {
	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	if (strcasecmp(name, "all") == 0)
		return CAP_ALL_NAME;
	for (int i = 0; i < NCAPNAMES; i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return i;
	return -1;
}

static int in_caps(const struct list *l, int cap) {
	for (int i = 0; i < l->n; i++)
		if (cap_number(l->item[i]) == cap)
			return 1;
	return 0;
}

static unsigned long long all_caps(void) {
	return last_cap >= 63 ? ~0ULL : (1ULL << (last_cap + 1)) - 1;
}

/* Docker's rule (moby TweakCapabilities): --privileged = everything; ALL in
 * --cap-add = everything but --cap-drop; ALL in --cap-drop = only --cap-add;
 * otherwise the default set minus --cap-drop plus --cap-add. */
static unsigned long long wanted_caps(void) {
	int add_all = in_caps(&opt.cap_add, CAP_ALL_NAME), drop_all = in_caps(&opt.cap_drop, CAP_ALL_NAME);
	unsigned long long caps = add_all ? all_caps() : drop_all ? 0 : DOCKER_DEFAULT_CAPS;
	if (opt.privileged)
		return all_caps();
	for (int i = 0; i < opt.cap_drop.n; i++)
		if (cap_number(opt.cap_drop.item[i]) >= 0)
			caps &= ~(1ULL << cap_number(opt.cap_drop.item[i]));
	for (int i = 0; i < opt.cap_add.n && !add_all; i++)
		if (cap_number(opt.cap_add.item[i]) >= 0)
			caps |= 1ULL << cap_number(opt.cap_add.item[i]);
	return caps & all_caps();
}

/* "cap_a,cap_b" of the caps in (or, with in == 0, not in) mask */
static void add_cap_list(struct line *l, unsigned long long mask, int in) {
	int first = 1;
	for (int c = 0; c <= last_cap && c < NCAPNAMES; c++) {
		if (!!(mask & (1ULL << c)) != in)
			continue;
		if (!first)
			addc(l, ',');
		add(l, "cap_");
		add(l, cap_names[c]);
		first = 0;
	}
}

static void explain_caps(unsigned long long caps, const char *why) {
	struct line drop = { .n = 0 }, keep = { .n = 0 };
	add_cap_list(&drop, caps, 0);
	add_cap_list(&keep, caps, 1);
	drop.s[drop.n] = keep.s[keep.n] = '\0';
	if (caps == all_caps())
		explain(why, "capsh --caps=all+eip --noamb --");
	else
		explain(why, "capsh --drop=%s --caps=%s --noamb --", drop.s,
			keep.n ? strcat(keep.s, "+eip") : "");
}

/* Bounding set first (that needs CAP_SETPCAP, still ours), ambient cleared,
 * then permitted = effective = inheritable = caps. */
static void drop_caps(unsigned long long caps) {
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	unsigned long long have;
	/* never more than we hold ourselves (the host may lack some, too) */
	if (syscall(SYS_capget, &hdr, data) < 0)
		fail("capget");
	have = data[0].permitted | (unsigned long long)data[1].permitted << 32;
	caps &= have;
	explain_caps(caps, opt.privileged ? "--privileged: every capability"
		     : "keep only Docker's default capabilities (plus --cap-add, minus --cap-drop)");
	for (int c = 0; c <= last_cap; c++)
		if (!(caps & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			fail("drop capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail("clear the ambient capabilities");
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = data[i].inheritable = (unsigned)(caps >> (32 * i));
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail("capset");
}

/* Everything the command gets: capabilities, then no_new_privs (setuid
 * binaries and file caps can no longer add what we took away). */
static void restrict_command(void) {
	drop_caps(wanted_caps());
	if (opt.privileged)
		return;
	explain("setuid binaries and file capabilities grant nothing more",
		"setpriv --no-new-privs");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("set no_new_privs");
}

/* Paths that leak host information or control the host kernel. Files are
 * covered by /dev/null, directories by an empty read-only tmpfs. */
static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap", NULL,
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void mask_paths(int root) {
	char where[64];
	struct stat st;
	int fd, r;
	for (const char *const *p = masked_paths; *p; p++) {
		if ((fd = open_in_root(root, *p)) < 0)
			continue;              /* not in this kernel: nothing to hide */
		snprintf(where, sizeof where, "/proc/self/fd/%d", fd);
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			explain("hide host details: an empty read-only dir over it",
				"mount -t tmpfs -o ro,size=0 tmpfs %s%s", opt.rootfs, *p);
			r = mount("tmpfs", where, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				  "size=0");
		} else {
			explain("hide host details: /dev/null over it", "mount --bind /dev/null %s%s",
				opt.rootfs, *p);
			r = mount("/dev/null", where, NULL, MS_BIND, NULL);
		}
		if (r < 0)
			fail("mask %S%S", opt.rootfs, *p);
		close(fd);
	}
	for (const char *const *p = readonly_paths; *p; p++) {
		if ((fd = open_in_root(root, *p)) < 0)
			continue;
		snprintf(where, sizeof where, "/proc/self/fd/%d", fd);
		explain("the host kernel's knobs: look, don't touch",
			"mount --bind %s%s %s%s && mount -o remount,bind,ro %s%s",
			opt.rootfs, *p, opt.rootfs, *p, opt.rootfs, *p);
		if (mount(where, where, NULL, MS_BIND | MS_REC, NULL) < 0 || remount_ro(root, *p) < 0)
			fail("make %S%S read-only", opt.rootfs, *p);
		close(fd);
	}
}

/* ---------------------------------------------------------------------
 * INIT, part 2: the rest of the environment, then the command.
 * ------------------------------------------------------------------- */

static void loopback_up(void) {
	struct ifreq ifr = { .ifr_name = "lo" };
	int s;
	explain("a new net namespace starts with lo down", "ip link set lo up");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if ((s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	     (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) && opt.explain)
		warn("ip link set lo up");
	if (s >= 0)
		close(s);
}

static void enter_workdir(void) {
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), dir;
	explain("--workdir", "mkdir -p %s && cd %s", opt.workdir, opt.workdir);
	if (root < 0 || (dir = make_in_root(root, opt.workdir, 1)) < 0 || fchdir(dir) < 0)
		fail("workdir %S", opt.workdir);
	close(dir);
	close(root);
}

/* --tty: reopen the terminal as /dev/console, so ttyname() (tty, ps...)
 * finds a name that exists in here; and make sure it is our ctty. */
static void take_terminal(void) {
	struct stat con, st;
	int fd;
	if (!console_bound)
		return;
	explain("--tty: use the terminal by its in-container name",
		"exec </dev/console >/dev/console 2>/dev/console");
	fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &con) < 0)
		fail("open /dev/console");
	for (int i = 0; i <= 2; i++)       /* only the fds that ARE this terminal */
		if (fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == con.st_rdev)
			dup2(fd, i);
	close(fd);
	/* Usually it already is our controlling terminal (we share the
	 * session of the user's shell) and we keep it that way: taking it
	 * would leave that shell without one after we exit. Only if we were
	 * started without one (setsid) do we take it. */
	if (tcgetpgrp(STDIN_FILENO) < 0) {
		explain("--tty: stdin is not our controlling terminal yet; take it", "setsid -c");
		if (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 1) < 0)
			fail("make stdin the controlling terminal");
	}
}

/* In the forked command. execvp only returns on failure. */
static void __attribute__((noreturn)) exec_command(int errfd) {
	const char *cmd = opt.cmd[0];
	sigset_t none;
	int err;
	if (tty_mode) {
		/* our own process group, in the terminal's foreground: Ctrl-C and
		 * job control reach the command (SIGTTOU is still ignored here) */
		setpgid(0, 0);
		tcsetpgrp(STDIN_FILENO, getpid());
	}
	if (!opt.enter) {          /* exec: our caller (env -i) set it up */
		clearenv();
		for (int i = 0; i < opt.env.n; i++)
			putenv(opt.env.item[i]);
	}
	if (!getenv("PATH"))
		putenv(DEFAULT_PATH);
	for (int s = 1; s < NSIG; s++)     /* no inherited dispositions... */
		signal(s, SIG_DFL);
	sigemptyset(&none);                /* ...and nothing blocked */
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(cmd, opt.cmd);              /* searches the PATH set above */
	err = errno;
	if (write(errfd, &err, sizeof err) < 0) { /* PID 1 sees the exit code anyway */ }
	if (err == ENOENT || err == ENOTDIR) {
		dprintf(STDERR_FILENO, "ducker: exec: \"%s\": %s\n", cmd, strchr(cmd, '/')
			? "no such file or directory" : "executable file not found in $PATH");
		_exit(127);
	}
	dprintf(STDERR_FILENO, "ducker: exec: \"%s\": %s\n", cmd,
		err == EACCES || err == EPERM || err == EISDIR || err == ENOEXEC
		? "permission denied" : strerror(err));
	_exit(126);
}

static void __attribute__((noreturn)) run_command(int ready_fd) {
	int errpipe[2], err, status;
	ssize_t r;
	pid_t pid, p;

	if (tty_mode)
		explain("--tty: the command gets its own foreground process group (job control)",
			"set -m");
	/* CLOEXEC: a successful exec closes the write end, with nothing written */
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		fail("pipe");
	explain("PID 1 forks the command and stays to reap zombies and forward signals",
		"exec %v", opt.cmd);
	if ((pid = fork()) < 0)
		fail("fork");
	if (pid == 0)
		exec_command(errpipe[1]);
	close(errpipe[1]);
	start_forwarding(init_signals, pid, "forward the signal to the command");
	do r = read(errpipe[0], &err, sizeof err); while (r < 0 && errno == EINTR);
	close(errpipe[0]);
	if (r == 0 && write(ready_fd, "R", 1) < 0) { /* monitor gone: nobody to tell */ }
	close(ready_fd);                   /* EOF without "R": it never started */

	/* Reap everything: the container's orphans are re-parented to us. */
	for (;;) {
		if ((p = waitpid(-1, &status, 0)) == pid)
			exit(exit_code(status)); /* the kernel kills the rest of the ns */
		if (p < 0 && errno != EINTR)
			fail("waitpid");
	}
}

static void __attribute__((noreturn)) run_init(int ready_fd) {
	int root;

	role = "init";
	/* While we hold fds of host paths, nothing may look into us
	 * (/proc/1/fd, /proc/1/root...): not dumpable = only CAP_SYS_PTRACE. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	tty_mode = opt.tty && isatty(STDIN_FILENO);
	join_cgroups();
	enter_network();
	private_mounts();
	/* opened after the rbind, so that it sees the new mount, not the one below */
	if ((root = open(opt.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail("open %S", opt.rootfs);
	/* system mounts first, so that --bind can still override e.g. a /dev file */
	mount_fs(root, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		 "nosuid,nodev,noexec", 1, "a /proc that only shows this pid namespace");
	setup_dev(root);
	setup_sys(root);
	setup_binds(root);
	if (!opt.privileged)
		mask_paths(root);
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
	restrict_command();
	/* Setup is over and we hold nothing of the host; like Docker's PID 1,
	 * we may be looked at (/proc/1/ns, /proc/1/exe: our sealed copy). */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	/* Only 0, 1, 2 may reach the command. CLOEXEC rather than close: PID 1
	 * itself still needs the ready pipe. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	run_command(ready_fd);
}

/* ---------------------------------------------------------------------
 * EXEC: --enter PID runs CMD inside a running container, as nsenter would,
 * but with the container's capability set and no_new_privs (nsenter alone
 * would hand the command every capability of host root).
 * ------------------------------------------------------------------- */

static void __attribute__((noreturn)) run_enter(void) {
	static const struct { const char *name; int type; } nss[] = {
		{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
		{ "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },   /* mnt last: it takes our /proc */
	};
	char path[64];
	int fds[5], root, dir, errpipe[2], err, status;
	ssize_t r;
	pid_t pid;

	role = "exec";
	explain("join the container's namespaces, its root and the workdir",
		"nsenter --target %S --ipc --uts --net --pid --mount --root --wdns=%s",
		opt.enter, opt.workdir);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "/proc/%s/ns/%s", opt.enter, nss[i].name);
		if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			fail("open %S", path);
	}
	snprintf(path, sizeof path, "/proc/%s/root", opt.enter);
	if ((root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail("open %S", path);
	/* Until the exec, nothing of the container may look into our child
	 * (/proc/PID/fd, /proc/PID/exe): not dumpable means not reachable. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (int i = 0; i < 5; i++) {
		if (setns(fds[i], nss[i].type) < 0)
			fail("join the %S namespace of %S", nss[i].name, opt.enter);
		close(fds[i]);
	}
	if (fchdir(root) < 0 || chroot(".") < 0)
		fail("chroot into the root of %S", opt.enter);
	close(root);
	/* resolved in the container's root, no magic links (-w /proc/self/fd/N) */
	if ((root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dir = open_in_root(root, opt.workdir)) < 0 || fchdir(dir) < 0)
		fail("workdir %S", opt.workdir);
	close(dir);
	close(root);
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		fail("pipe");
	explain("the pid namespace applies to children: fork into it", "fork");
	if ((pid = fork()) < 0)
		fail("fork");
	if (pid == 0) {
		close(errpipe[0]);
		restrict_command();
		exec_command(errpipe[1]);
	}
	close(errpipe[1]);
	start_forwarding(monitor_signals, pid, "forward the signal to the command");
	do r = read(errpipe[0], &err, sizeof err); while (r < 0 && errno == EINTR);
	close(errpipe[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	exit(exit_code(status));
}

/* ---------------------------------------------------------------------
 * MONITOR
 * ------------------------------------------------------------------- */

/* The pid and exit files are written as PATH.tmp and renamed into place,
 * so a reader of PATH sees either nothing or the whole number. */
struct result { const char *path; char tmp[PATH_MAX]; int fd; };

static void result_open(struct result *r, const char *path) {
	r->path = path;
	r->fd = -1;
	if (!path)
		return;
	explain("forget the result of an earlier run", "rm -f %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		fail("remove %S", path);
	snprintf(r->tmp, sizeof r->tmp, "%s.tmp", path);
	if ((r->fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		fail("open %S", r->tmp);
}

/* value < 0: do not publish at all (and remove the temp file). */
static void result_close(struct result *r, int value, const char *why) {
	struct line l = { .n = 0 };
	if (r->fd < 0)
		return;
	if (value >= 0) {
		explain(why, "echo %d > %s", value, r->path);
		add_num(&l, value);
		l.s[l.n++] = '\n';
		if (write(r->fd, l.s, l.n) != (ssize_t)l.n || rename(r->tmp, r->path) < 0)
			warn("write %S", r->path);
	}
	close(r->fd);
	if (value < 0)
		unlink(r->tmp);
}

static void append(struct list *l, char *item, const char *what) {
	if (l->n >= MAX_LIST)
		usage("too many %S (max %d)", what, MAX_LIST);
	l->item[l->n++] = item;
}

static void parse_args(int argc, char **argv) {
	enum { ROOTFS = 1, HOSTNAME, WORKDIR, ENV, CGROUP, BIND, EXITF, PIDF, TTY, EXPLAIN, ONEXIT, NETNS, UNSHARENET,
	       CAPADD, CAPDROP, PRIVILEGED, ENTER, ONEXITUNLESS };
	static const struct option longopts[] = {
		{ "rootfs", required_argument, NULL, ROOTFS }, { "hostname", required_argument, NULL, HOSTNAME },
		{ "workdir", required_argument, NULL, WORKDIR }, { "env", required_argument, NULL, ENV },
		{ "cgroup", required_argument, NULL, CGROUP }, { "bind", required_argument, NULL, BIND },
		{ "exit-file", required_argument, NULL, EXITF }, { "pid-file", required_argument, NULL, PIDF },
		{ "tty", no_argument, NULL, TTY }, { "explain", no_argument, NULL, EXPLAIN },
		{ "on-exit", required_argument, NULL, ONEXIT }, { "netns", required_argument, NULL, NETNS },
		{ "unshare-net", no_argument, NULL, UNSHARENET }, { "cap-add", required_argument, NULL, CAPADD },
		{ "cap-drop", required_argument, NULL, CAPDROP }, { "privileged", no_argument, NULL, PRIVILEGED },
		{ "enter", required_argument, NULL, ENTER }, { "on-exit-unless", required_argument, NULL, ONEXITUNLESS },
		{ NULL, 0, NULL, 0 },
	};
	char src[PATH_MAX], dst[PATH_MAX];
	int c, ro;
	/* "+": stop at the first non-option; CMD's own flags are not ours */
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case ROOTFS: opt.rootfs = optarg; break;
		case HOSTNAME: opt.hostname = optarg; break;
		case WORKDIR: opt.workdir = optarg; break;
		case EXITF: opt.exit_file = optarg; break;
		case PIDF: opt.pid_file = optarg; break;
		case TTY: opt.tty = 1; break;
		case NETNS: opt.netns = optarg; break;
		case UNSHARENET: opt.unshare_net = 1; break;
		case EXPLAIN: opt.explain = 1; break;
		case PRIVILEGED: opt.privileged = 1; break;
		case ENTER:
			if (strspn(optarg, "0123456789") != strlen(optarg) || !*optarg)
				usage("--enter %S: expected a pid", optarg);
			opt.enter = optarg;
			break;
		case CAPADD:
		case CAPDROP:
			if (cap_number(optarg) == -1)
				usage("invalid capability: %S", optarg);
			append(c == CAPADD ? &opt.cap_add : &opt.cap_drop, optarg, "--cap-add/--cap-drop");
			break;
		case CGROUP: append(&opt.cgroups, optarg, "--cgroup"); break;
		case ONEXIT: append(&opt.on_exit, optarg, "--on-exit"); break;
		case ONEXITUNLESS: opt.on_exit_unless = optarg; break;
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
	if (!opt.rootfs && !opt.enter)
		usage("--rootfs is required");
	if (opt.workdir[0] != '/')
		usage("--workdir %S: must be an absolute path", opt.workdir);
	if (optind >= argc)
		usage("no command given");
	opt.cmd = argv + optind;
}

/* CVE-2019-5736: a container process that can open /proc/<pid>/exe of a
 * ducker-init would write straight into the host's binary. So we never run
 * as the host file: first thing, we copy ourselves into a sealed memfd and
 * re-exec from it (as runc does). /proc/1/exe then leads to that copy, which
 * no one can write (F_SEAL_WRITE), and which is gone with the container. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define OUR_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static void run_sealed_copy(char **argv) {
	extern char **environ;
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), mfd;
	struct stat st;
	off_t off = 0;
	if (self < 0)
		fail("open /proc/self/exe");
	if (fcntl(self, F_GET_SEALS) == OUR_SEALS) {
		close(self);       /* already the sealed copy */
		return;
	}
	explain("never run as the host's file: a container must not be able to write to it",
		"exec /proc/self/fd/N  # N: a sealed memfd copy of %s", "/proc/self/exe");
	/* MFD_EXEC: stay executable even under vm.memfd_noexec=1 (older kernels: EINVAL) */
	mfd = memfd_create("ducker-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("ducker-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || fstat(self, &st) < 0)
		fail("memfd_create");
	while (off < st.st_size)
		if (sendfile(mfd, self, NULL, (size_t)(st.st_size - off)) <= 0 ||
		    (off = lseek(mfd, 0, SEEK_CUR)) < 0)
			fail("copy /proc/self/exe into a memfd");
	if (fcntl(mfd, F_ADD_SEALS, OUR_SEALS) < 0)
		fail("seal the memfd");
	close(self);
	fexecve(mfd, argv, environ);
	fail("fexecve the sealed copy");
}

/* Our arguments name host paths (the data root, the rootfs): inside the
 * container PID 1 shows only "ducker-init" in ps and /proc/1/cmdline. We
 * parse a copy, so the original argument area can be blanked. */
static char **copy_args(int argc, char **argv) {
	char **copy = calloc((size_t)argc + 1, sizeof *copy);
	if (!copy)
		fail("calloc");
	for (int i = 0; i < argc; i++)
		if (!(copy[i] = strdup(argv[i])))
			fail("strdup");
	return copy;
}

static void hide_args(int argc, char **argv) {
	char *end = argv[argc - 1] + strlen(argv[argc - 1]);
	memset(argv[0], 0, (size_t)(end - argv[0]));
	strcpy(argv[0], "ducker-init");
}

int main(int argc, char **argv) {
	struct result pidr, exitr;
	pid_t fg = -1, child;
	int ready[2], status, code;
	ssize_t r;
	char b;

	/* A signal that arrives before anyone has a handler waits (blocked)
	 * instead of killing us or being lost. The child inherits this mask. */
	block_signals(init_signals, SIG_BLOCK);
	parse_args(argc, copy_args(argc, argv));
	run_sealed_copy(argv);
	prctl(PR_SET_NAME, "ducker-init", 0, 0, 0);   /* not "memfd:ducker-in" in ps */
	close_range(3, ~0U, 0);            /* keep nothing our launcher leaked */
	signal(SIGPIPE, SIG_IGN);          /* a vanished log reader must not kill us */
	signal(SIGTTOU, SIG_IGN);          /* we may write/tcsetpgrp from the background */
	read_last_cap();
	if (opt.enter)
		run_enter();
	if (opt.tty && isatty(STDIN_FILENO))
		fg = tcgetpgrp(STDIN_FILENO);   /* to hand the terminal back at the end */
	result_open(&pidr, opt.pid_file);
	result_open(&exitr, opt.exit_file);
	if (pipe2(ready, O_CLOEXEC) < 0)
		fail("pipe");

	explain("the child lands in the new pid namespace, as its PID 1", "fork");
	if ((child = fork()) < 0)
		fail("fork");
	if (child == 0) {
		close(ready[0]);
		close(pidr.fd);            /* may be -1: harmless */
		close(exitr.fd);
		hide_args(argc, argv);
		run_init(ready[1]);
	}
	close(ready[1]);
	start_forwarding(monitor_signals, child, "forward the signal to the container's PID 1");
	block_signals(init_signals, SIG_UNBLOCK);   /* SIGALRM: not ours to forward */

	/* One byte: the command is running. EOF: setup or exec failed. */
	do r = read(ready[0], &b, 1); while (r < 0 && errno == EINTR);
	close(ready[0]);
	result_close(&pidr, r == 1 ? child : -1, "the command runs; record the init's host pid");
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	target = 0;                        /* that pid may be reused from now on */
	code = exit_code(status);
	result_close(&exitr, code, "the container is gone; record its exit code");

	if (fg > 0 && tcgetpgrp(STDIN_FILENO) != fg) {
		explain("--tty: give the terminal back to whoever started us", "tcsetpgrp 0 %d", fg);
		tcsetpgrp(STDIN_FILENO, fg);
	}
	/* `ducker stop`/`rm` leave this file when they take the container down
	 * themselves: then a second cleanup would only compete with theirs. */
	if (opt.on_exit.n > 0 && opt.on_exit_unless && access(opt.on_exit_unless, F_OK) == 0) {
		explain("ducker stop/rm is cleaning up already: no hook", "test -e %s", opt.on_exit_unless);
		opt.on_exit.n = 0;
	}
	if (opt.on_exit.n > 0) {
		opt.on_exit.item[opt.on_exit.n] = NULL;
		/* unshare --pid made the container's pid namespace the home of our
		 * future children; it died with its PID 1, so fork() would fail
		 * there (ENOMEM). Point that back at our own pid namespace. */
		explain("the hook must be able to fork: children in the host pid namespace",
			"nsenter --pid=/proc/self/ns/pid");
		int ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWPID) < 0)
			warn("setns /proc/self/ns/pid");
		explain("--on-exit hook", "exec %v", opt.on_exit.item);
		close_range(3, ~0U, 0);
		execv(opt.on_exit.item[0], opt.on_exit.item);
		warn("exec %S", opt.on_exit.item[0]);
	}
	return code;
}
