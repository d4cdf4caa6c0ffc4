// Shims for the sockets of the link probes. They keep `struct sockaddr` juggling and the
// ICMP filter structures (whose setters are macros) in C, so the Swift side passes plain
// byte arrays: an address is 4 or 16 bytes in network order.
#ifndef NA_SOCKET_H
#define NA_SOCKET_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// sendto(2) needs a struct sockaddr built per family: build it here from 4/16 address bytes.
ssize_t na_sendto_ip(int fd, const void *buffer, size_t length, int family, const uint8_t *address, uint16_t port);
/// recvfrom(2) fills a struct sockaddr_storage: return the source as family + 16 bytes.
/// Returns the length read, or -errno.
ssize_t na_recvfrom_ip(int fd, void *buffer, size_t capacity, int *family, uint8_t *address16);
/// connect(2) needs a struct sockaddr: returns 0, or -errno (-EINPROGRESS for a non-blocking start).
int na_connect_ip(int fd, int family, const uint8_t *address, uint16_t port);
/// getsockopt(SO_ERROR): the result of a non-blocking connect, 0 or an errno value.
int na_socket_error(int fd);
/// SO_LINGER {1, 0}: close(2) then resets the connection instead of leaving TIME_WAIT behind.
int na_set_linger_reset(int fd);
/// Raises the receive buffer: SO_RCVBUFFORCE (needs CAP_NET_ADMIN), else SO_RCVBUF; returns the size in force.
int na_set_receive_buffer(int fd, int bytes);
/// ICMP_FILTER on a raw IPv4 ICMP socket (struct icmp_filter from linux/icmp.h): pass only the
/// types whose bit is set in `passed_types`.
int na_icmp_set_filter(int fd, uint32_t passed_types);
/// ICMP6_FILTER on a raw ICMPv6 socket: the ICMP6_FILTER_SET* setters are macros.
int na_icmp6_set_filter(int fd, const uint8_t *passed_types, int count);
/// The local port of a socket (an ICMP datagram socket's echo identifier), or -errno.
int na_local_port(int fd);
#endif
