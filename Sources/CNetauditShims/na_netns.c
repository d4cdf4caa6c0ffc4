// Bodies of the shims declared (and explained) in include/na_netns.h.
#define _GNU_SOURCE
#include "na_netns.h"
#include "na_lab.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>

// Enters the namespace at `path`; *back is the descriptor of the thread's own one.
static int enter(const char *path, int *back) {
    *back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (*back < 0) return -errno;
    int target = open(path, O_RDONLY | O_CLOEXEC);
    if (target < 0) { int saved = errno; close(*back); return -saved; }
    int result = setns(target, CLONE_NEWNET);
    int saved = errno;
    close(target);
    if (result != 0) { close(*back); return -saved; }
    return 0;
}

// Returns the thread to its own namespace. Failing to would leave this thread in the lab:
// nothing sensible can go on, so the process stops (a thread pool would spread it).
static void leave(int back) {
    if (setns(back, CLONE_NEWNET) != 0) abort();
    close(back);
}

int na_netns_listen_ip(const char *netns_path, int family, const uint8_t *address, uint16_t port, int backlog) {
    int back;
    int entered = enter(netns_path, &back);
    if (entered != 0) return entered;
    int fd = na_lab_listen_ip(family, address, port, backlog);
    leave(back);
    return fd;
}

int na_netns_raw_icmp(const char *netns_path) {
    int back;
    int entered = enter(netns_path, &back);
    if (entered != 0) return entered;
    int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    int saved = errno;
    leave(back);
    if (fd < 0) return -saved;
    return fd;
}

int na_netns_write_sysctl(const char *netns_path, const char *proc_path, const char *value) {
    int back;
    int entered = enter(netns_path, &back);
    if (entered != 0) return entered;
    int fd = open(proc_path, O_WRONLY | O_CLOEXEC);
    int saved = errno;
    leave(back);
    if (fd < 0) return -saved;
    size_t length = strlen(value);
    ssize_t written = write(fd, value, length);
    saved = errno;
    close(fd);
    if (written < 0) return -saved;
    return written == (ssize_t)length ? 0 : -EIO;
}

ssize_t na_netns_recv_icmp(int fd, uint8_t *buffer, size_t capacity, uint8_t source[4], uint8_t destination[4]) {
    uint8_t packet[65536];
    struct sockaddr_in from;
    socklen_t size = sizeof from;
    ssize_t count = recvfrom(fd, packet, sizeof packet, MSG_DONTWAIT, (struct sockaddr *)&from, &size);
    if (count < 0) return -errno;
    // A raw IPv4 socket hands over the IP header too: its length is in the first byte.
    if (count < 20) return -EPROTO;
    size_t header = (size_t)(packet[0] & 0x0f) * 4;
    if (header < 20 || (size_t)count < header) return -EPROTO;
    memcpy(source, &from.sin_addr, 4);
    memcpy(destination, packet + 16, 4);
    size_t length = (size_t)count - header;
    if (length > capacity) length = capacity;
    memcpy(buffer, packet + header, length);
    return (ssize_t)length;
}

ssize_t na_netns_send_icmp(int fd, const uint8_t *message, size_t length, const uint8_t source[4], const uint8_t destination[4]) {
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    memcpy(&to.sin_addr, destination, 4);
    struct iovec vector = { .iov_base = (void *)message, .iov_len = length };
    union { char buffer[CMSG_SPACE(sizeof(struct in_pktinfo))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr header = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &vector, .msg_iovlen = 1,
                             .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    struct cmsghdr *item = CMSG_FIRSTHDR(&header);
    item->cmsg_level = IPPROTO_IP;
    item->cmsg_type = IP_PKTINFO;
    item->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo *info = (struct in_pktinfo *)CMSG_DATA(item);
    memcpy(&info->ipi_spec_dst, source, 4);
    ssize_t sent = sendmsg(fd, &header, MSG_DONTWAIT | MSG_NOSIGNAL);
    return sent < 0 ? -errno : sent;
}
