/*
 * pinrig's timed-inputs QEMU plugin: changes a device's input line at exact times of the guest's virtual clock.
 *
 * A drive from the host (qtest set_irq_in at a stopped VM) lands wherever the VM happened to stop; a bouncing button
 * needs edges tens of microseconds apart, which only a timer on QEMU's virtual clock can place: under icount the
 * vCPU's instruction budget ends at the nearest virtual timer deadline (an idle guest's clock warps exactly to it),
 * so the callback runs at that nanosecond, however busy the host is.
 *
 *   -plugin timed-inputs.so,socket=/tmp/.../inputs.sock
 *
 * The harness sends, with the VM stopped (so the timer is armed before any instruction runs):
 *   S <id> <qom-path> <line> <after-ns>:<level> ...     offsets from now, strictly increasing, > 0
 * and gets (text lines):
 *   H pinrig-timed-inputs 1          once, when loaded
 *   A <id> <ns>                      armed: the offsets count from virtual time ns
 *   E <id> <ns> <level>              one change applied, at virtual time ns
 *   D <id>                           every change applied
 *   F <id> <reason>                  refused, or abandoned part-way
 *
 * It uses no plugin API call, only QEMU's own timer, QOM and IRQ functions, which Debian's module-enabled build
 * exports (resolved at load); like gpio-stores.c it is pinned to the QEMU version setup installs. The plugin header
 * is not needed for that: the ABI it declares below is API version 4's (QEMU refuses another version at load).
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
EXPORT int qemu_plugin_version = 4;

#define QEMU_CLOCK_VIRTUAL 1
#define SCALE_NS 1
#define MAX_CHANGES 4096
#define MAX_LINE (64 * 1024)

/* QEMU 10's struct QEMUTimer (include/qemu/timer.h), with room to spare: only QEMU's functions touch its fields. */
typedef void timer_cb(void *opaque);
union qemu_timer {
    struct {
        int64_t expire_time;
        void *timer_list;
        timer_cb *cb;
        void *opaque;
        void *next;
        int attributes;
        int scale;
    } fields;
    char room[256];
};

static int64_t (*clock_get_ns)(int type);
static void (*timer_init_full)(union qemu_timer *ts, void *group, int type, int scale, int attributes, timer_cb *cb, void *opaque);
static void (*timer_mod_ns)(union qemu_timer *ts, int64_t expire);
static void *(*object_resolve_path)(const char *path, bool *ambiguous);
static void *(*qdev_get_gpio_in)(void *device, int n);
static void (*qemu_set_irq)(void *irq, int level);

static int sock = -1;
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t command_thread;

/* The one schedule: armed by the command thread, run by the timer callback (which holds QEMU's big lock). */
static pthread_mutex_t schedule_lock = PTHREAD_MUTEX_INITIALIZER;
static union qemu_timer timer;
static bool timer_ready;
static struct {
    bool active;
    unsigned long long id;
    char path[256];
    int line;
    void *irq;
    int64_t start;
    size_t count, next;
    int64_t after[MAX_CHANGES];
    int level[MAX_CHANGES];
} schedule;

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

static void sendf(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void sendf(const char *format, ...)
{
    char line[512];
    va_list args;
    va_start(args, format);
    int len = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (len > 0) {
        send_line(line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    }
}

/* Runs in QEMU with its big lock held, at the virtual time of the next change. */
static void on_timer(void *unused)
{
    pthread_mutex_lock(&schedule_lock);
    if (schedule.active && !schedule.irq) {
        bool ambiguous = false;
        void *device = object_resolve_path(schedule.path, &ambiguous);
        if (!device) {
            sendf("F %llu no device at %s\n", schedule.id, schedule.path);
            schedule.active = false;
        } else {
            schedule.irq = qdev_get_gpio_in(device, schedule.line);
        }
    }
    int64_t now = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    while (schedule.active && schedule.next < schedule.count && schedule.start + schedule.after[schedule.next] <= now) {
        qemu_set_irq(schedule.irq, schedule.level[schedule.next]);
        sendf("E %llu %" PRId64 " %d\n", schedule.id, now, schedule.level[schedule.next]);
        schedule.next++;
    }
    if (schedule.active && schedule.next < schedule.count) {
        timer_mod_ns(&timer, schedule.start + schedule.after[schedule.next]);
    } else if (schedule.active) {
        sendf("D %llu\n", schedule.id);
        schedule.active = false;
    }
    pthread_mutex_unlock(&schedule_lock);
}

/* Parses and arms "S <id> <path> <line> <after>:<level> ..." (the text after "S "); answers A or F. */
static void arm(char *text)
{
    unsigned long long id;
    int consumed = 0;
    if (sscanf(text, "%llu %n", &id, &consumed) != 1) {
        return;
    }
    text += consumed;
    pthread_mutex_lock(&schedule_lock);
    if (schedule.active) {
        sendf("F %llu another schedule (%llu) is still running\n", id, schedule.id);
        pthread_mutex_unlock(&schedule_lock);
        return;
    }
    char path[256];
    int line;
    if (sscanf(text, "%255s %d %n", path, &line, &consumed) != 2 || line < 0) {
        sendf("F %llu expected a QOM path and a line number\n", id);
        pthread_mutex_unlock(&schedule_lock);
        return;
    }
    text += consumed;
    size_t count = 0;
    int64_t previous = 0;
    long long after;
    int level;
    while (sscanf(text, "%lld:%d %n", &after, &level, &consumed) == 2) {
        if (count == MAX_CHANGES || after <= previous || (level != 0 && level != 1)) {
            sendf("F %llu change %zu: offsets must increase from 1 ns, levels be 0 or 1, and at most %d changes\n", id, count + 1, MAX_CHANGES);
            pthread_mutex_unlock(&schedule_lock);
            return;
        }
        schedule.after[count] = after;
        schedule.level[count] = level;
        previous = after;
        count++;
        text += consumed;
    }
    if (count == 0 || *text != '\0') {
        sendf("F %llu no changes, or text after them\n", id);
        pthread_mutex_unlock(&schedule_lock);
        return;
    }
    if (!timer_ready) {
        timer_init_full(&timer, NULL, QEMU_CLOCK_VIRTUAL, SCALE_NS, 0, on_timer, NULL);
        timer_ready = true;
    }
    strcpy(schedule.path, path);
    schedule.id = id;
    schedule.line = line;
    schedule.irq = NULL;
    schedule.count = count;
    schedule.next = 0;
    schedule.start = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    schedule.active = true;
    timer_mod_ns(&timer, schedule.start + schedule.after[0]);
    sendf("A %llu %" PRId64 "\n", id, schedule.start);
    pthread_mutex_unlock(&schedule_lock);
}

/* Reads schedule lines; an over-long line is dropped, not buffered. */
static void *serve_commands(void *unused)
{
    static char buf[MAX_LINE];
    size_t used = 0;
    bool dropping = false;
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
            if (!dropping && strncmp(start, "S ", 2) == 0) {
                arm(start + 2);
            }
            dropping = false;
            start = end + 1;
        }
        used = (size_t)(buf + used - start);
        memmove(buf, start, used);
        if (used == sizeof buf - 1) {
            used = 0;
            dropping = true;
        }
    }
}

static int fail(const char *why, const char *detail)
{
    fprintf(stderr, "pinrig timed-inputs plugin: %s%s%s\n", why, detail ? ": " : "", detail ? detail : "");
    return -1;
}

#define RESOLVE(name)                                                                                       \
    do {                                                                                                    \
        *(void **)&name = dlsym(RTLD_DEFAULT, #name);                                                       \
        if (!name) {                                                                                        \
            return fail("this QEMU does not export " #name "; use the QEMU setup installs", NULL);         \
        }                                                                                                   \
    } while (0)

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "socket=", 7) == 0) {
            path = argv[i] + 7;
        } else {
            return fail("unknown argument", argv[i]);
        }
    }
    if (!path) {
        return fail("needs socket=", NULL);
    }
    *(void **)&clock_get_ns = dlsym(RTLD_DEFAULT, "qemu_clock_get_ns");
    if (!clock_get_ns) {
        return fail("this QEMU does not export qemu_clock_get_ns; use the QEMU setup installs", NULL);
    }
    RESOLVE(timer_init_full);
    RESOLVE(timer_mod_ns);
    RESOLVE(object_resolve_path);
    RESOLVE(qdev_get_gpio_in);
    RESOLVE(qemu_set_irq);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) {
        return fail("socket path too long", path);
    }
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
        return fail("cannot connect to the harness", strerror(errno));
    }
    sendf("H pinrig-timed-inputs 1\n");
    if (pthread_create(&command_thread, NULL, serve_commands, NULL) != 0) {
        return fail("cannot start the command thread", strerror(errno));
    }
    return 0;
}
