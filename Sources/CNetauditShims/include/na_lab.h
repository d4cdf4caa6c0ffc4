// Shims for the lab's servers (NetauditLab/Server): listening sockets built from 4/16 address
// bytes (no struct sockaddr on the Swift side), the socket calls whose flags or arguments Swift
// imports awkwardly, and the OpenSSL server macros. Each is a few lines of C with one "why".
#ifndef NA_LAB_H
#define NA_LAB_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <pthread.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

/// socket(2) + SO_REUSEADDR for listeners (+ IPV6_V6ONLY) + bind(2) need a struct sockaddr built per family:
/// build it here from 4/16 address bytes. The socket is non-blocking and close-on-exec; it
/// listens with `backlog` if backlog > 0, else it stays bound without listening (a port that
/// refuses connections). Returns the descriptor, or -errno.
int na_lab_listen_ip(int family, const uint8_t *address, uint16_t port, int backlog);
/// accept4(2) takes a struct sockaddr and SOCK_* flags (a glibc enum): the new descriptor is
/// close-on-exec and, if `nonblocking`, non-blocking. Returns the descriptor, or -errno.
int na_lab_accept(int listener, int nonblocking);
/// getsockname(2) fills a struct sockaddr: the local IPv4 address of a connection (which of
/// the addresses a wildcard listener was reached on) as a host-order number, or -errno
/// (-EAFNOSUPPORT for IPv6).
long long na_lab_local_ipv4(int fd);
/// SO_RCVTIMEO and SO_SNDTIMEO take a struct timeval: both set to `milliseconds` (0: none).
int na_lab_set_timeouts(int fd, int milliseconds);
/// fcntl(2) is variadic: sets or clears O_NONBLOCK. Returns 0, or -errno.
int na_lab_set_nonblocking(int fd, int nonblocking);
/// send(2) with MSG_NOSIGNAL (never SIGPIPE) and, if `dontwait`, MSG_DONTWAIT (glibc enum flags).
/// Returns the bytes sent, or -errno.
ssize_t na_lab_send(int fd, const void *buffer, size_t length, int dontwait);
/// recv(2) with MSG_DONTWAIT if `dontwait` (a glibc enum flag). Returns the bytes read, or -errno.
ssize_t na_lab_recv(int fd, void *buffer, size_t capacity, int dontwait);
/// shutdown(2) with SHUT_WR (1) or SHUT_RDWR (2) (glibc enum values). Returns 0, or -errno.
int na_lab_shutdown(int fd, int how);
/// pipe2(2) with O_CLOEXEC | O_NONBLOCK (fcntl macros). Returns 0, or -errno.
int na_lab_pipe(int fds[2]);
/// SIG_IGN is a macro that casts 1 to a function pointer: ignore SIGPIPE process-wide, so that a
/// write to a peer that went away (inside OpenSSL's socket BIO too) fails with EPIPE instead
/// of killing the process.
void na_lab_ignore_sigpipe(void);
/// getrlimit/setrlimit(RLIMIT_NOFILE) (RLIMIT_* is a glibc enum): raises the soft limit on open
/// descriptors to at least `minimum`, capped at the hard limit. Returns the soft limit in force.
long na_lab_raise_descriptor_limit(long minimum);
/// pthread_setname_np(3) takes at most 15 bytes: `name` is cut to fit.
void na_lab_name_thread(pthread_t thread, const char *name);
/// posix_spawn(3) of `path` with `argv` (NULL-terminated) and a clean child: its signal mask
/// emptied and SIGPIPE, SIGTERM, SIGINT, SIGHUP back to their defaults. Without this the child
/// inherits the spawning thread's mask (libdispatch and test-runner threads block SIGTERM, so
/// a server would never see it) and the lab's ignored SIGPIPE. Standard input, output and
/// error are /dev/null. Returns the child's PID, or -errno.
int na_lab_spawn(const char *path, char *const argv[]);
/// As na_lab_spawn, but the child keeps standard input, output and error, and SIGQUIT is
/// back to its default too: a command the network lab runs for its user (`lab -- COMMAND`).
/// Returns the child's PID, or -errno.
int na_lab_spawn_command(const char *path, char *const argv[]);
/// The exit status of a reaped child as a shell reports it: the code, or 128 + the signal.
int na_lab_exit_code(int status);
/// waitpid(2) on one child: 0 while it runs (with `nohang`), 1 once reaped with its wait status
/// in `*status`, or -errno.
int na_lab_reap(int pid, int nohang, int *status);

/// SSL_CTX_set_mode is a macro over SSL_CTX_ctrl (e.g. SSL_MODE_NO_AUTO_CHAIN).
long na_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
/// SSL_CTX_add1_chain_cert is a macro over SSL_CTX_ctrl (the context takes its own reference).
int na_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate);
/// SSL_CTX_set_tlsext_status_cb and SSL_CTX_set_tlsext_status_arg are macros over
/// SSL_CTX_callback_ctrl/SSL_CTX_ctrl, and the callback must call SSL_set_tlsext_status_ocsp_resp
/// (a macro too) with a copy it hands over to OpenSSL: the whole callback lives here. Staples
/// a copy of `response` (DER OCSPResponse, `length` bytes, copied) on every handshake whose
/// client asks for one. Returns 1, or 0 on failure.
int na_lab_SSL_CTX_staple_ocsp(SSL_CTX *ctx, const unsigned char *response, size_t length);

/// authorityInfoAccess and cRLDistributionPoints are stacks of structures (sk_*_push are
/// macros) whose fields are set directly: build them here from URL strings, which are never
/// parsed as x509v3_config(5) text (a comma in a URL stays a comma). Adds authorityInfoAccess
/// (not critical) with one id-ad-ocsp entry per `ocsp` URL, then one id-ad-caIssuers entry per
/// `issuers` URL, each an IA5String URI. Returns 1, or 0 on failure.
int na_lab_X509_add_info_access(X509 *certificate, const char *const *ocsp, int ocsp_count,
                                const char *const *issuers, int issuers_count);
/// Adds cRLDistributionPoints (not critical): one DistributionPoint per URL, each a fullName
/// of one URI, no reasons, no cRLIssuer. Returns 1, or 0 on failure.
int na_lab_X509_add_crl_distribution_points(X509 *certificate, const char *const *urls, int count);
#endif
