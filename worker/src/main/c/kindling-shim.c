/*
 * kindling-shim: the supervisor of one attempt (like conmon for a container).
 *
 *   kindling-shim <attemptDir> <graceMillis> <leaseMillis> -- <argv...>
 *
 * stdin holds the driver's environment as NUL-terminated KEY=VALUE entries (so that it never
 * appears on a command line or in a file). The process the worker starts detaches a supervisor
 * (fork, setsid: a kill -9 of the worker, or of its process group, does not reach it) and exits
 * once the supervisor has exec'd argv or failed to: 0 started, 1 could not start (its exit record
 * is written), 2 usage, 3 the supervisor died first.
 *
 * The supervisor starts argv as the leader of a process group of its own, in <attemptDir>/work,
 * stdin /dev/null, stdout and stderr appended to <attemptDir>/stdout and stderr; writes
 * <attemptDir>/shim.json (its pid and argv's, with their start times, and when argv was exec'd);
 * then waits. On SIGTERM (or SIGINT) it stops the tree: SIGTERM to the process group and to every
 * descendant, SIGKILL to what is left after the grace. With leaseMillis > 0 it fences itself: if
 * <attemptDir>/lease has not been touched for that long, it stops the tree the same way and
 * records the exit as LOST. When argv has ended (and, after a stop, the whole tree), it writes the
 * exit record <spool>/.exits/<attemptId>.json, {"attempt": <attempt.json>, "exit": {...}},
 * to a temporary file, synced, then renamed into place. The worker reads that record, adds what
 * needs its Java code (the failure message, the Spark app id) and writes exit.json itself.
 *
 * No shell, no privileges: it only forks, execs, signals its own descendants and writes files in
 * the spool. It is a child subreaper (PR_SET_CHILD_SUBREAPER) so that orphans of the tree are
 * re-parented to it, reaped, and reached by a stop.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENV_BYTES (16 * 1024 * 1024)
#define MAX_ATTEMPT_BYTES (1024 * 1024)
#define TICK_MILLIS 250
#define AFTER_KILL_MILLIS 5000
#define MAX_TREE 4096

static const char *dir;
static char *spool_root;
static char *attempt_id;
static long long grace_millis;
static long long lease_millis;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("kindling-shim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
}

static long long now_millis(int clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *path_of(const char *a, const char *b) {
    char *p;
    if (asprintf(&p, "%s/%s", a, b) < 0) {
        logf_("out of memory");
        exit(3);
    }
    return p;
}

/* ISO-8601 UTC with milliseconds, as Java's Instant reads it. */
static void iso(long long millis, char out[32]) {
    time_t secs = (time_t) (millis / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03lldZ", millis % 1000);
}

/* A process's start time as Java's ProcessHandle.Info.startInstant() computes it, or -1. */
static long long start_millis(pid_t pid) {
    static long long boot_secs = -1;
    if (boot_secs < 0) {
        FILE *f = fopen("/proc/stat", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f)) {
            if (sscanf(line, "btime %lld", &boot_secs) == 1) {
                break;
            }
        }
        if (f) {
            fclose(f);
        }
        if (boot_secs < 0) {
            return -1;
        }
    }
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return -1;
    }
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) {
        return -1;
    }
    /* fields after the comm: state is field 3, starttime field 22 */
    unsigned long long ticks = 0;
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        if (++field == 22) {
            ticks = strtoull(tok, NULL, 10);
            break;
        }
    }
    return boot_secs * 1000 + (long long) (ticks * 1000 / (unsigned long long) sysconf(_SC_CLK_TCK));
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

/*
 * Writes target whole: a hidden temporary file, renamed into place, so a reader sees all of it or
 * nothing. When durable, the file is synced before the rename and the directory after it.
 */
static int write_atomically(const char *parent, const char *name, const char *content, int durable) {
    char *tmp, *target;
    if (asprintf(&tmp, "%s/.%s.tmp", parent, name) < 0 || asprintf(&target, "%s/%s", parent, name) < 0) {
        return -1;
    }
    /* whatever is left at the temporary name goes, and the file is made anew (O_EXCL): a link left
       there is not followed, a pipe not waited on */
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int ok = fd >= 0 && write_all(fd, content, strlen(content)) == 0 && (!durable || fsync(fd) == 0);
    if (fd >= 0) {
        ok = close(fd) == 0 && ok;
    }
    ok = ok && rename(tmp, target) == 0;
    if (!ok) {
        logf_("cannot write %s: %s", target, strerror(errno));
        unlink(tmp);
    } else if (durable) {
        int dfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    free(target);
    return ok ? 0 : -1;
}

/* s as a JSON string literal (newly allocated). */
static char *json_string(const char *s) {
    size_t len = strlen(s);
    char *out = malloc(len * 6 + 3), *o = out;
    if (!out) {
        return NULL;
    }
    *o++ = '"';
    for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *o++ = '\\';
            *o++ = (char) *c;
        } else if (*c < 0x20) {
            o += sprintf(o, "\\u%04x", *c);
        } else {
            *o++ = (char) *c;
        }
    }
    *o++ = '"';
    *o = 0;
    return out;
}

/* Reads all of fd (at most max bytes), NUL-terminated; NULL when larger or unreadable. */
static char *read_all(int fd, size_t max, size_t *len) {
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                return NULL;
            }
            cap *= 2;
            char *bigger = realloc(buf, cap + 1);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            free(buf);
            return NULL;
        }
        if (r == 0) {
            break;
        }
        n += (size_t) r;
    }
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

/* attempt.json as the worker wrote it before the launch, to embed in the exit record; "null" if none. */
static char *attempt_json(void) {
    char *path = path_of(dir, "attempt.json");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    size_t len = 0;
    char *content = fd >= 0 ? read_all(fd, MAX_ATTEMPT_BYTES, &len) : NULL;
    if (fd >= 0) {
        close(fd);
    }
    while (content && len > 0 && (content[len - 1] == '\n' || content[len - 1] == ' ')) {
        content[--len] = 0;
    }
    if (!content || len < 2 || content[0] != '{' || content[len - 1] != '}') {
        free(content);
        return strdup("null");
    }
    return content;
}

static char *attempt;

/* The exit record: {"attempt": <attempt.json>, "exit": ShimExit}. */
static int write_exit(int code, const char *reason, const char *message, int terminated) {
    char finished[32];
    iso(now_millis(CLOCK_REALTIME), finished);
    char *msg = message ? json_string(message) : strdup("null");
    char code_text[16], reason_text[32];
    snprintf(code_text, sizeof code_text, "%d", code);
    snprintf(reason_text, sizeof reason_text, "\"%s\"", reason ? reason : "");
    char *record;
    if (asprintf(&record, "{\"attempt\":%s,\"exit\":{\"exitCode\":%s,\"finishedAt\":\"%s\",\"reason\":%s,"
                 "\"message\":%s,\"terminated\":%s}}\n",
                 attempt, code < 0 ? "null" : code_text, finished, reason ? reason_text : "null", msg ? msg : "null",
                 terminated ? "true" : "false") < 0) {
        return -1;
    }
    free(msg);
    char *exits = path_of(spool_root, ".exits");
    if (mkdir(exits, 0755) != 0 && errno != EEXIST) {
        logf_("cannot create %s: %s", exits, strerror(errno));
    }
    char *name;
    if (asprintf(&name, "%s.json", attempt_id) < 0) {
        return -1;
    }
    int rc = write_atomically(exits, name, record, 1);
    free(name);
    free(exits);
    free(record);
    return rc;
}

/* Signals the process group of leader and every descendant of this process. */
static void signal_tree(pid_t leader, int sig) {
    kill(-leader, sig);
    pid_t pids[MAX_TREE], parents[MAX_TREE];
    int n = 0;
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc)) && n < MAX_TREE) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) {
            continue;
        }
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0) {
            continue;
        }
        buf[r] = 0;
        char *p = strrchr(buf, ')');
        int ppid;
        char state;
        if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2) {
            pids[n] = (pid_t) pid;
            parents[n++] = (pid_t) ppid;
        }
    }
    if (proc) {
        closedir(proc);
    }
    /* descendants: a fixed point over the parent links, starting from this process */
    char in_tree[MAX_TREE] = {0};
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < n; i++) {
            if (in_tree[i]) {
                continue;
            }
            int parent_in = parents[i] == getpid();
            for (int j = 0; j < n && !parent_in; j++) {
                parent_in = in_tree[j] && pids[j] == parents[i];
            }
            if (parent_in) {
                in_tree[i] = 1;
                changed = 1;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        if (in_tree[i]) {
            kill(pids[i], sig);
        }
    }
}

/* True while a process of the group, or a child of this process, is left. */
static int tree_alive(pid_t leader) {
    if (kill(-leader, 0) == 0) {
        return 1;
    }
    return waitpid(-1, NULL, WNOHANG | __WALL) >= 0;
}

static long long lease_renewed(long long since) {
    char *path = path_of(dir, "lease");
    struct stat st;
    long long renewed = since;
    if (stat(path, &st) == 0) {
        long long mtime = (long long) st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        renewed = mtime > since ? mtime : since;
    } else if (errno != ENOENT) {
        renewed = now_millis(CLOCK_REALTIME);
    }
    free(path);
    return renewed;
}

static int open_append(const char *name) {
    char *path = path_of(dir, name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    return fd;
}

/* In the forked child: becomes a group leader, sets up its files and execs; reports failure as errno on the pipe. */
static void exec_child(int report, char **argv, char **envp, const sigset_t *original) {
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, original, NULL);
    setpgid(0, 0);
    char *work = path_of(dir, "work");
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open_append("stdout");
    int err = open_append("stderr");
    int failure = 0;
    long long exec_at = -1;
    if (chdir(work) != 0 || in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
        failure = errno;
        write_all(report, (const char *) &exec_at, sizeof exec_at);
    } else {
        exec_at = now_millis(CLOCK_REALTIME);
        write_all(report, (const char *) &exec_at, sizeof exec_at);
        execvpe(argv[0], argv, envp);
        failure = errno;
    }
    /* the pipe is closed on exec: after exec_at, nothing more on it means spark-submit runs */
    write_all(report, (const char *) &failure, sizeof failure);
    _exit(127);
}

static char **environment_from_stdin(void) {
    size_t len = 0;
    char *env = read_all(0, MAX_ENV_BYTES, &len);
    if (!env) {
        logf_("cannot read the environment from stdin");
        exit(2);
    }
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        count += env[i] == 0;
    }
    char **envp = calloc(count + 1, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < len && envp; i += strlen(env + i) + 1) {
        if (strchr(env + i, '=')) {
            envp[k++] = env + i;
        }
    }
    return envp;
}

static int supervise(int ready, char **argv, char **envp, long long launched_at) {
    long long started_at = now_millis(CLOCK_REALTIME);
    setsid();
    int null_in = open("/dev/null", O_RDONLY);
    if (null_in > 0) {
        dup2(null_in, 0);
        close(null_in);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    sigset_t handled, original;
    sigemptyset(&handled);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGCHLD);
    sigprocmask(SIG_BLOCK, &handled, &original);
    attempt = attempt_json();

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        logf_("pipe: %s", strerror(errno));
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        close(report[0]);
        close(ready);
        exec_child(report[1], argv, envp, &original);
    }
    close(report[1]);
    if (child < 0) {
        int failure = errno;
        char *message;
        asprintf(&message, "cannot start %s: %s", argv[0], strerror(failure));
        write_exit(-1, "SUBMISSION_FAILED", message, 0);
        write_all(ready, "1", 1);
        return 1;
    }
    setpgid(child, child);
    long long exec_at = -1;
    int failure = 0;
    ssize_t got = read(report[0], &exec_at, sizeof exec_at);
    ssize_t failed = got == sizeof exec_at ? read(report[0], &failure, sizeof failure) : 0;
    close(report[0]);
    if (got != sizeof exec_at || failed > 0) {
        int status;
        waitpid(child, &status, 0);
        char *message;
        if (got == sizeof exec_at && exec_at < 0) {
            asprintf(&message, "cannot prepare %s/work, stdout or stderr for %s: %s", dir, argv[0], strerror(failure));
        } else {
            asprintf(&message, "cannot start %s: %s", argv[0], failed > 0 ? strerror(failure) : "it died before exec");
        }
        logf_("%s", message);
        write_exit(-1, "SUBMISSION_FAILED", message, 0);
        write_all(ready, "1", 1);
        return 1;
    }
    char launched[32], shim_start[32], child_start[32], exec_text[32], info[512];
    long long shim_started = start_millis(getpid()), child_started = start_millis(child);
    iso(launched_at, launched);
    iso(shim_started, shim_start);
    iso(child_started, child_start);
    iso(exec_at, exec_text);
    snprintf(info, sizeof info,
             "{\"shimPid\":%d,\"shimStartedAt\":\"%s\",\"childPid\":%d,\"childStartedAt\":\"%s\","
             "\"startedAt\":\"%s\",\"execAt\":\"%s\"}\n",
             (int) getpid(), shim_start, (int) child, child_start, launched, exec_text);
    /* not synced: it names processes, which a crash of the host ends anyway */
    write_atomically(dir, "shim.json", info, 0);
    logf_("started pid %d for %s", (int) child, attempt_id);
    write_all(ready, "0", 1);
    close(ready);

    int status = 0, child_done = 0, stopping = 0, terminated = 0, fenced = 0, killed = 0;
    long long deadline = 0;
    while (!child_done || (stopping && tree_alive(child) && now_millis(CLOCK_MONOTONIC) < deadline + AFTER_KILL_MILLIS)) {
        struct timespec tick = {0, TICK_MILLIS * 1000000L};
        int sig = sigtimedwait(&handled, NULL, &tick);
        if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
            logf_("stopping pid %d and its descendants (SIGTERM, SIGKILL after %lld ms)", (int) child, grace_millis);
            stopping = terminated = 1;
            deadline = now_millis(CLOCK_MONOTONIC) + grace_millis;
            signal_tree(child, SIGTERM);
        }
        pid_t pid;
        int st;
        while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
            if (pid == child) {
                status = st;
                child_done = 1;
            }
        }
        if (lease_millis > 0 && !stopping && !child_done
                && now_millis(CLOCK_REALTIME) - lease_renewed(started_at) > lease_millis) {
            logf_("the worker has not renewed the lease for %lld ms; stopping the driver (the attempt is LOST)",
                  lease_millis);
            stopping = fenced = 1;
            deadline = now_millis(CLOCK_MONOTONIC) + grace_millis;
            signal_tree(child, SIGTERM);
        }
        if (stopping && !killed && now_millis(CLOCK_MONOTONIC) >= deadline) {
            killed = 1;
            signal_tree(child, SIGKILL);
        }
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    char *message = NULL;
    if (fenced) {
        asprintf(&message, "the worker stopped renewing the attempt's lease for more than %lld s; its driver was stopped",
                 lease_millis / 1000);
    }
    logf_("pid %d exited with code %d", (int) child, code);
    return write_exit(code, fenced ? "LOST" : NULL, message, terminated || fenced) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    long long launched_at = now_millis(CLOCK_REALTIME);
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: kindling-shim <attemptDir> <graceMillis> <leaseMillis> -- <argv...>\n"
                        "       (the environment of argv as NUL-terminated KEY=VALUE entries on stdin)\n");
        return 2;
    }
    dir = argv[1];
    grace_millis = atoll(argv[2]);
    lease_millis = atoll(argv[3]);
    char *copy = strdup(dir);
    char *slash = strrchr(copy, '/');
    if (!slash || slash[1] == 0) {
        fprintf(stderr, "kindling-shim: the attempt directory must be an absolute path: %s\n", dir);
        return 2;
    }
    *slash = 0;
    spool_root = copy[0] ? copy : "/";
    attempt_id = slash + 1;
    char **envp = environment_from_stdin();

    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
        perror("kindling-shim: pipe");
        return 3;
    }
    pid_t supervisor = fork();
    if (supervisor < 0) {
        perror("kindling-shim: fork");
        return 3;
    }
    if (supervisor == 0) {
        close(ready[0]);
        _exit(supervise(ready[1], argv + 5, envp, launched_at));
    }
    close(ready[1]);
    char started = 0;
    ssize_t n;
    do {
        n = read(ready[0], &started, 1);
    } while (n < 0 && errno == EINTR);
    return n == 1 ? started - '0' : 3;
}
