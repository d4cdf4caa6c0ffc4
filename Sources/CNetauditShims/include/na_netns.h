// Shims for the network lab (NetauditLab/Network): a socket or a sysctl inside another
// network namespace, and the raw ICMP exchange of the lab's late echo responder.
//
// setns(2) moves only the calling thread, and Swift may resume a task on another thread at
// any suspension point: so the whole enter → act → return sequence is one C call, on one
// thread, and the socket keeps its namespace after the thread has returned to its own.
#ifndef NA_NETNS_H
#define NA_NETNS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// na_lab_listen_ip (na_lab.h) inside the network namespace at `netns_path`
/// (/run/netns/NAME). Returns the descriptor, or -errno (of setns, or of the socket calls).
int na_netns_listen_ip(const char *netns_path, int family, const uint8_t *address, uint16_t port, int backlog);
/// A raw IPv4 ICMP socket (non-blocking, close-on-exec) inside the namespace at `netns_path`:
/// it receives every echo request addressed to that namespace. Returns it, or -errno.
int na_netns_raw_icmp(const char *netns_path);
/// Writes `value` to the sysctl file `proc_path` (/proc/sys/net/…) as seen from the namespace
/// at `netns_path` (/proc/sys/net is per namespace, resolved when the file is opened).
/// Returns 0, or -errno.
int na_netns_write_sysctl(const char *netns_path, const char *proc_path, const char *value);
/// recvfrom(2) on a raw ICMP socket, without blocking: the IPv4 header is skipped; the ICMP
/// message goes to `buffer`, the packet's source and destination addresses (4 bytes each) to
/// `source` and `destination`. Returns the ICMP length, or -errno (-EAGAIN: nothing waits).
ssize_t na_netns_recv_icmp(int fd, uint8_t *buffer, size_t capacity, uint8_t source[4], uint8_t destination[4]);
/// sendto(2) of an ICMP message to the IPv4 address `destination` (4 bytes), from `source`
/// (4 bytes: IP_PKTINFO picks the reply's source address). Returns the bytes sent, or -errno.
ssize_t na_netns_send_icmp(int fd, const uint8_t *message, size_t length, const uint8_t source[4], const uint8_t destination[4]);
#endif
