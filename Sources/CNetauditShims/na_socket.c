// Bodies of the shims declared (and explained) in include/na_socket.h.
#include "na_socket.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <linux/icmp.h>

static socklen_t na_fill(struct sockaddr_storage *storage, int family, const uint8_t *address, uint16_t port) {
    memset(storage, 0, sizeof *storage);
    if (family == AF_INET6) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)storage;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        memcpy(&v6->sin6_addr, address, 16);
        return sizeof *v6;
    }
    struct sockaddr_in *v4 = (struct sockaddr_in *)storage;
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    memcpy(&v4->sin_addr, address, 4);
    return sizeof *v4;
}

ssize_t na_sendto_ip(int fd, const void *buffer, size_t length, int family, const uint8_t *address, uint16_t port) {
    struct sockaddr_storage storage;
    socklen_t size = na_fill(&storage, family, address, port);
    ssize_t sent = sendto(fd, buffer, length, MSG_DONTWAIT, (struct sockaddr *)&storage, size);
    return sent < 0 ? -errno : sent;
}

ssize_t na_recvfrom_ip(int fd, void *buffer, size_t capacity, int *family, uint8_t *address16) {
    struct sockaddr_storage storage;
    socklen_t size = sizeof storage;
    ssize_t got = recvfrom(fd, buffer, capacity, MSG_DONTWAIT, (struct sockaddr *)&storage, &size);
    if (got < 0) return -errno;
    *family = storage.ss_family;
    memset(address16, 0, 16);
    if (storage.ss_family == AF_INET6) memcpy(address16, &((struct sockaddr_in6 *)&storage)->sin6_addr, 16);
    else if (storage.ss_family == AF_INET) memcpy(address16, &((struct sockaddr_in *)&storage)->sin_addr, 4);
    return got;
}

int na_connect_ip(int fd, int family, const uint8_t *address, uint16_t port) {
    struct sockaddr_storage storage;
    socklen_t size = na_fill(&storage, family, address, port);
    return connect(fd, (struct sockaddr *)&storage, size) == 0 ? 0 : -errno;
}

int na_socket_error(int fd) {
    int value = 0;
    socklen_t size = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &size) != 0) return errno;
    return value;
}

int na_set_linger_reset(int fd) {
    struct linger option = { .l_onoff = 1, .l_linger = 0 };
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option) == 0 ? 0 : -errno;
}

int na_set_receive_buffer(int fd, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    int value = 0;
    socklen_t size = sizeof value;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &size);
    return value;
}

int na_icmp_set_filter(int fd, uint32_t passed_types) {
    struct icmp_filter filter = { .data = ~passed_types };
    return setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) == 0 ? 0 : -errno;
}

int na_icmp6_set_filter(int fd, const uint8_t *passed_types, int count) {
    struct icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    for (int i = 0; i < count; i++) ICMP6_FILTER_SETPASS(passed_types[i], &filter);
    return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) == 0 ? 0 : -errno;
}

int na_local_port(int fd) {
    struct sockaddr_storage storage;
    socklen_t size = sizeof storage;
    if (getsockname(fd, (struct sockaddr *)&storage, &size) != 0) return -errno;
    if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
    return ntohs(((struct sockaddr_in *)&storage)->sin_port);
}
