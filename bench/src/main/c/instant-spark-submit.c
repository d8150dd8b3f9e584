/*
 * A spark-submit that exits at once, for the control-plane benchmark's attempts/s: what is left
 * to measure is Kindling's launch path (the worker, its native shim, the spool, the reports) and
 * not an interpreter's start. Like Spark's own driver, it creates an event log named like an
 * application id in spark.eventLog.dir (so the worker sees the app start), prints one line to
 * stdout and exits 0. Every other argument is taken and ignored.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static const char EVENT_LOG_DIR[] = "spark.eventLog.dir=";
static const char FILE_SCHEME[] = "file://";

int main(int argc, char **argv) {
    const char *dir = NULL;
    const char *name = "?";
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--conf") == 0
                && strncmp(argv[i + 1], EVENT_LOG_DIR, sizeof EVENT_LOG_DIR - 1) == 0) {
            dir = argv[i + 1] + sizeof EVENT_LOG_DIR - 1;
            if (strncmp(dir, FILE_SCHEME, sizeof FILE_SCHEME - 1) == 0) {
                dir += sizeof FILE_SCHEME - 1;
            }
        } else if (strcmp(argv[i], "--name") == 0) {
            name = argv[i + 1];
        }
    }
    if (dir == NULL) {
        fprintf(stderr, "instant spark-submit: no --conf spark.eventLog.dir=<dir>\n");
        return 2;
    }
    mkdir(dir, 0755); /* an existing directory is fine */
    struct timeval now;
    gettimeofday(&now, NULL);
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/local-%lld", dir, (long long) now.tv_sec * 1000 + now.tv_usec / 1000);
    if (n < 0 || (size_t) n >= sizeof path) {
        fprintf(stderr, "instant spark-submit: event log directory too long\n");
        return 2;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(path);
        return 2;
    }
    close(fd);
    printf("instant stand-in driver of %s\n", name);
    return 0;
}
