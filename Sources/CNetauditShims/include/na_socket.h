// Shims for the sockets of the link probes: macros of <netinet/icmp6.h> and friends.
#ifndef NA_SOCKET_H
#define NA_SOCKET_H
#include <netinet/in.h>
#include <netinet/icmp6.h>
#endif
