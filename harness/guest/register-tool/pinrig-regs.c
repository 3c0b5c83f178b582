// SPDX-License-Identifier: GPL-2.0
/*
 * pinrig-regs: a list of register-file accesses made by one process, in order, so that bit-banging costs one pwrite
 * per register write instead of one process per write (a busybox dd took about 13 ms of an emulated core each).
 *
 *   pinrig-regs /dev/gpio-regs w:40:4:131072 r:52:4 u:500 w:28:4:131072
 *
 * Each access is r:OFFSET:BYTES (a pread), w:OFFSET:BYTES:VALUE (a pwrite of VALUE's BYTES little-endian bytes) or
 * u:MICROSECONDS (a pause), all in decimal; the register file itself checks offsets, lengths and alignment. For the
 * read at position i (from 0) it prints "=i" and the bytes read in hex; at the first refused access it prints "!i"
 * and the reason, and exits 1. Nothing else is printed.
 *
 * Freestanding (no libc: the guest image has only the shared one, and this needs nothing of it): raw Linux syscalls.
 */
typedef unsigned long u64;
typedef long s64;

enum { SYS_openat = 56, SYS_close = 57, SYS_write = 64, SYS_pread64 = 67, SYS_pwrite64 = 68, SYS_exit_group = 94, SYS_nanosleep = 101 };
enum { AT_FDCWD = -100, O_RDWR = 2, O_CLOEXEC = 02000000, EINTR = 4, EINVAL = 22, ENXIO = 6 };

static s64 syscall4(s64 nr, s64 a, s64 b, s64 c, s64 d)
{
	register s64 x8 __asm__("x8") = nr;
	register s64 x0 __asm__("x0") = a;
	register s64 x1 __asm__("x1") = b;
	register s64 x2 __asm__("x2") = c;
	register s64 x3 __asm__("x3") = d;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}

static u64 length(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

static char out[4096];
static u64 used;

static void flush(void)
{
	for (u64 done = 0; done < used;) {
		s64 n = syscall4(SYS_write, 1, (s64)(out + done), (s64)(used - done), 0);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		done += (u64)n;
	}
	used = 0;
}

static void put(const char *s)
{
	for (; *s; s++) {
		if (used == sizeof out)
			flush();
		out[used++] = *s;
	}
}

static void put_number(u64 v)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	char text[24];
	for (int i = 0; i < n; i++)
		text[i] = digits[n - 1 - i];
	text[n] = 0;
	put(text);
}

static __attribute__((noreturn)) void finish(int status)
{
	flush();
	syscall4(SYS_exit_group, status, 0, 0, 0);
	__builtin_unreachable();
}

/* The access at `index` failed: "!index reason", exit 1. */
static __attribute__((noreturn)) void refuse(u64 index, const char *reason, s64 error)
{
	put("!");
	put_number(index);
	put(" ");
	put(reason);
	if (error == -EINVAL)
		put("Invalid argument");
	else if (error == -ENXIO)
		put("No such device or address");
	else if (error < 0) {
		put("error ");
		put_number((u64)-error);
	}
	put("\n");
	finish(1);
}

/* A decimal field up to `end` (':' or the string's end); 0 when it is empty, not a number or too large. */
static int field(const char **s, u64 *value)
{
	const char *p = *s;
	u64 v = 0;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (~0UL - 9) / 10)
			return 0;
		v = v * 10 + (u64)(*p - '0');
	}
	if (*p == ':')
		p++;
	else if (*p != 0)
		return 0;
	*s = p;
	*value = v;
	return 1;
}

static void access(int fd, u64 index, const char *spec)
{
	char kind = spec[0];
	const char *p = spec + 2;
	u64 offset, bytes, value = 0;
	if (spec[0] == 0 || spec[1] != ':')
		refuse(index, "not an access", 0);
	if (kind == 'u') {
		u64 us;
		if (!field(&p, &us) || *p || us > 10000000)
			refuse(index, "not a pause of up to 10 s", 0);
		s64 ts[2] = { (s64)(us / 1000000), (s64)(us % 1000000 * 1000) };
		while (syscall4(SYS_nanosleep, (s64)ts, (s64)ts, 0, 0) == -EINTR)
			;
		return;
	}
	if ((kind != 'r' && kind != 'w') || !field(&p, &offset) || !field(&p, &bytes) || bytes < 1 || bytes > 8 ||
	    (kind == 'w' && !field(&p, &value)) || *p)
		refuse(index, "not an access: r:OFFSET:BYTES or w:OFFSET:BYTES:VALUE", 0);
	unsigned char data[8];
	s64 done;
	if (kind == 'w') {
		for (u64 i = 0; i < bytes; i++)
			data[i] = (unsigned char)(value >> (8 * i));
		do
			done = syscall4(SYS_pwrite64, fd, (s64)data, (s64)bytes, (s64)offset);
		while (done == -EINTR);
	} else {
		do
			done = syscall4(SYS_pread64, fd, (s64)data, (s64)bytes, (s64)offset);
		while (done == -EINTR);
	}
	if (done < 0)
		refuse(index, "", done);
	if ((u64)done != bytes)
		refuse(index, "short access", 0);
	if (kind == 'r') {
		static const char hex[] = "0123456789abcdef";
		put("=");
		put_number(index);
		for (u64 i = 0; i < bytes; i++) {
			char byte[4] = { ' ', hex[data[i] >> 4], hex[data[i] & 15], 0 };
			put(byte);
		}
		put("\n");
	}
}

__attribute__((used)) void start(s64 *stack)
{
	s64 argc = stack[0];
	char **argv = (char **)(stack + 1);
	if (argc < 2 || length(argv[1]) == 0) {
		put("!0 usage: pinrig-regs DEVICE ACCESS...\n");
		finish(2);
	}
	s64 fd = syscall4(SYS_openat, AT_FDCWD, (s64)argv[1], O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		refuse(0, "cannot open the register file: ", fd);
	for (s64 i = 2; i < argc; i++)
		access((int)fd, (u64)(i - 2), argv[i]);
	syscall4(SYS_close, fd, 0, 0, 0);
	finish(0);
}

/* The kernel starts the process here with argc, argv... on the stack. */
__asm__(".global _start\n_start:\n\tmov x0, sp\n\tbl start\n");
