#include "na_notify.h"
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pthread.h>
#include <unistd.h>

int na_notify_send(const char *path, const char *state) {
    return na_datagram_send(path, (const unsigned char *)state, strlen(state));
}

int na_datagram_send(const char *path, const unsigned char *data, unsigned long count) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof address.sun_path) return EINVAL;
    memcpy(address.sun_path, path, length);
    socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
    if (path[0] == '@') address.sun_path[0] = 0;  /* abstract: no terminating NUL counted */
    else size += 1;

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    ssize_t sent = sendto(fd, data, (size_t)count, MSG_NOSIGNAL, (struct sockaddr *)&address, size);
    int code = sent < 0 ? errno : 0;
    close(fd);
    return code;
}

int na_notify_listen(const char *path) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof address.sun_path || path[0] == '@') return -EINVAL;
    memcpy(address.sun_path, path, length);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        int code = errno;
        close(fd);
        return -code;
    }
    return fd;
}

unsigned long long na_monotonic_usec(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_nsec / 1000ULL;
}

int na_unblock_stop_signals(void) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    return pthread_sigmask(SIG_UNBLOCK, &signals, NULL);
}
