/*
 * pinrig's QEMU 10 TCG plugin: records every guest store into the GPIO controller's MMIO window, stamped with QEMU's
 * virtual clock in nanoseconds, and streams the records to the harness over a unix socket the harness listens on.
 *
 *   -plugin gpio-stores.so,base=0x3f200000,size=0x100,socket=/tmp/.../stores.sock
 *
 * Lines sent (text, one per line):
 *   H pinrig-gpio-stores 1 <base> <size>      once, when loaded
 *   W <ns> <cpu> <addr> <value> <size>         a store (hex addr/value, decimal ns/cpu/size)
 *   C <id> <ns>                                answer to "clock <id>" from the harness
 * Every line goes through one mutex onto one socket, so an answer follows every record made before it: with the VM
 * stopped (QMP stop), "clock" is a fence that dates the stop and proves the harness has seen all stores before it.
 * The socket is blocking: if the harness falls behind, the vCPU waits, which costs wall time but never virtual time.
 *
 * The 10.0 plugin API has no call that reads the virtual clock; qemu_clock_get_ns() is QEMU's own, exported by
 * Debian's module-enabled build (checked at load, pinned to the QEMU version setup installs). From a vCPU it is exact
 * for an I/O store: under icount an I/O access ends its translation block, so the count includes this instruction.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define QEMU_CLOCK_VIRTUAL 1
typedef int64_t (*clock_get_ns_fn)(int type);

static clock_get_ns_fn clock_get_ns;
static uint64_t window_base, window_size;
static int sock = -1;
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t command_thread;

/* Sends one whole line; a harness that went away ends the stream (QEMU is about to be killed anyway). */
static void send_line(const char *line, size_t len)
{
    pthread_mutex_lock(&send_lock);
    while (sock >= 0 && len > 0) {
        ssize_t n = send(sock, line, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            close(sock);
            sock = -1;
            break;
        }
        line += n;
        len -= (size_t)n;
    }
    pthread_mutex_unlock(&send_lock);
}

static void on_store(unsigned int cpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    if (!hw || !qemu_plugin_hwaddr_is_io(hw)) {
        return;
    }
    uint64_t addr = qemu_plugin_hwaddr_phys_addr(hw);
    if (addr < window_base || addr - window_base >= window_size) {
        return;
    }
    qemu_plugin_mem_value stored = qemu_plugin_mem_get_value(info);
    uint64_t value;
    switch (stored.type) {
    case QEMU_PLUGIN_MEM_VALUE_U8: value = stored.data.u8; break;
    case QEMU_PLUGIN_MEM_VALUE_U16: value = stored.data.u16; break;
    case QEMU_PLUGIN_MEM_VALUE_U32: value = stored.data.u32; break;
    case QEMU_PLUGIN_MEM_VALUE_U64: value = stored.data.u64; break;
    default: return; /* 128-bit stores do not reach a GPIO block */
    }
    char line[128];
    int len = snprintf(line, sizeof line, "W %" PRId64 " %u 0x%" PRIx64 " 0x%" PRIx64 " %u\n",
                       clock_get_ns(QEMU_CLOCK_VIRTUAL), cpu, addr, value,
                       1u << qemu_plugin_mem_size_shift(info));
    send_line(line, (size_t)len);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_store, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_W, NULL);
    }
}

/* Answers "clock <id>" lines; anything else is ignored. Reads are bounded by the line buffer. */
static void *serve_commands(void *unused)
{
    char buf[256];
    size_t used = 0;
    for (;;) {
        ssize_t n = recv(sock, buf + used, sizeof buf - 1 - used, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        used += (size_t)n;
        buf[used] = '\0';
        char *start = buf, *end;
        while ((end = strchr(start, '\n')) != NULL) {
            *end = '\0';
            unsigned long long id;
            if (sscanf(start, "clock %llu", &id) == 1) {
                char line[96];
                int len = snprintf(line, sizeof line, "C %llu %" PRId64 "\n", id, clock_get_ns(QEMU_CLOCK_VIRTUAL));
                send_line(line, (size_t)len);
            }
            start = end + 1;
        }
        used = (size_t)(buf + used - start);
        memmove(buf, start, used);
        if (used == sizeof buf - 1) {
            used = 0; /* an over-long line is dropped, not buffered */
        }
    }
}

static int fail(const char *why, const char *detail)
{
    fprintf(stderr, "pinrig gpio-stores plugin: %s%s%s\n", why, detail ? ": " : "", detail ? detail : "");
    return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "base=", 5) == 0) {
            window_base = strtoull(argv[i] + 5, NULL, 0);
        } else if (strncmp(argv[i], "size=", 5) == 0) {
            window_size = strtoull(argv[i] + 5, NULL, 0);
        } else if (strncmp(argv[i], "socket=", 7) == 0) {
            path = argv[i] + 7;
        } else {
            return fail("unknown argument", argv[i]);
        }
    }
    if (!path || !window_size) {
        return fail("needs base=, size= and socket=", NULL);
    }
    if (info->system_emulation == false) {
        return fail("needs system emulation", NULL);
    }
    clock_get_ns = (clock_get_ns_fn)dlsym(RTLD_DEFAULT, "qemu_clock_get_ns");
    if (!clock_get_ns) {
        return fail("this QEMU does not export qemu_clock_get_ns (the virtual clock); use the QEMU setup installs", NULL);
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) {
        return fail("socket path too long", path);
    }
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
        return fail("cannot connect to the harness", strerror(errno));
    }
    char hello[128];
    int len = snprintf(hello, sizeof hello, "H pinrig-gpio-stores 1 0x%" PRIx64 " 0x%" PRIx64 "\n", window_base, window_size);
    send_line(hello, (size_t)len);
    if (pthread_create(&command_thread, NULL, serve_commands, NULL) != 0) {
        return fail("cannot start the command thread", strerror(errno));
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}
