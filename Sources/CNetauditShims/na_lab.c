// Bodies of the shims declared (and explained) in include/na_lab.h.
#define _GNU_SOURCE
#include "na_lab.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

int na_lab_listen_ip(int family, const uint8_t *address, uint16_t port, int backlog) {
    struct sockaddr_storage storage;
    socklen_t size;
    memset(&storage, 0, sizeof storage);
    if (family == AF_INET6) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        memcpy(&v6->sin6_addr, address, 16);
        size = sizeof *v6;
    } else if (family == AF_INET) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        memcpy(&v4->sin_addr, address, 4);
        size = sizeof *v4;
    } else {
        return -EAFNOSUPPORT;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int on = 1;
    // Listeners may reuse a port left in TIME_WAIT; a bound-only socket must not share its port.
    if (backlog > 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) goto fail;
    if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) goto fail;
    if (bind(fd, (struct sockaddr *)&storage, size) != 0) goto fail;
    if (backlog > 0 && listen(fd, backlog) != 0) goto fail;
    return fd;
fail:;
    int saved = errno;
    close(fd);
    return -saved;
}

int na_lab_accept(int listener, int nonblocking) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
    return fd < 0 ? -errno : fd;
}

long long na_lab_local_ipv4(int fd) {
    struct sockaddr_storage storage;
    socklen_t size = sizeof storage;
    if (getsockname(fd, (struct sockaddr *)&storage, &size) != 0) return -errno;
    if (storage.ss_family != AF_INET) return -EAFNOSUPPORT;
    return (long long)ntohl(((struct sockaddr_in *)&storage)->sin_addr.s_addr);
}

int na_lab_set_timeouts(int fd, int milliseconds) {
    struct timeval value = { .tv_sec = milliseconds / 1000, .tv_usec = (milliseconds % 1000) * 1000 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value) != 0) return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, sizeof value) != 0) return -errno;
    return 0;
}

int na_lab_set_nonblocking(int fd, int nonblocking) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -errno;
    flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags) == 0 ? 0 : -errno;
}

ssize_t na_lab_send(int fd, const void *buffer, size_t length, int dontwait) {
    ssize_t sent = send(fd, buffer, length, MSG_NOSIGNAL | (dontwait ? MSG_DONTWAIT : 0));
    return sent < 0 ? -errno : sent;
}

ssize_t na_lab_recv(int fd, void *buffer, size_t capacity, int dontwait) {
    ssize_t got = recv(fd, buffer, capacity, dontwait ? MSG_DONTWAIT : 0);
    return got < 0 ? -errno : got;
}

int na_lab_shutdown(int fd, int how) {
    return shutdown(fd, how == 1 ? SHUT_WR : SHUT_RDWR) == 0 ? 0 : -errno;
}

int na_lab_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0 ? 0 : -errno; }

void na_lab_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

long na_lab_raise_descriptor_limit(long minimum) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -errno;
    if (limit.rlim_cur != RLIM_INFINITY && (rlim_t)minimum > limit.rlim_cur) {
        rlim_t wanted = (rlim_t)minimum;
        if (limit.rlim_max != RLIM_INFINITY && wanted > limit.rlim_max) wanted = limit.rlim_max;
        limit.rlim_cur = wanted;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? (long)(~0UL >> 1) : (long)limit.rlim_cur;
}

void na_lab_name_thread(pthread_t thread, const char *name) {
    char cut[16];
    strncpy(cut, name, sizeof cut - 1);
    cut[sizeof cut - 1] = 0;
    pthread_setname_np(thread, cut);
}

// A child with an empty signal mask and these signals back to their default action (a
// lab thread blocks or ignores them); SIGQUIT too if `quit`. Returns 0 or an error code.
static int na_lab_clean_signals(posix_spawnattr_t *attributes, int quit) {
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGHUP);
    if (quit) sigaddset(&defaults, SIGQUIT);
    int code;
    if ((code = posix_spawnattr_setsigmask(attributes, &empty)) != 0) return code;
    if ((code = posix_spawnattr_setsigdefault(attributes, &defaults)) != 0) return code;
    return posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

int na_lab_spawn(const char *path, char *const argv[]) {
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_t actions;
    int code = posix_spawnattr_init(&attributes);
    if (code != 0) return -code;
    code = posix_spawn_file_actions_init(&actions);
    if (code != 0) {
        posix_spawnattr_destroy(&attributes);
        return -code;
    }
    pid_t pid = -1;
    if ((code = na_lab_clean_signals(&attributes, 0)) == 0
        && (code = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) == 0
        && (code = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)) == 0
        && (code = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)) == 0
        // Close every other descriptor in the child: a pipe that another thread opened for
        // its own child at the same moment must not stay open in lighttpd (its reader would
        // never see end-of-file).
        && (code = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) == 0) {
        extern char **environ;
        code = posix_spawn(&pid, path, &actions, &attributes, argv, environ);
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return code == 0 ? pid : -code;
}

int na_lab_spawn_command(const char *path, char *const argv[]) {
    posix_spawnattr_t attributes;
    int code = posix_spawnattr_init(&attributes);
    if (code != 0) return -code;
    pid_t pid = -1;
    if ((code = na_lab_clean_signals(&attributes, 1)) == 0) {
        extern char **environ;
        code = posix_spawnp(&pid, path, NULL, &attributes, argv, environ);
    }
    posix_spawnattr_destroy(&attributes);
    return code == 0 ? pid : -code;
}

int na_lab_exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

int na_lab_reap(int pid, int nohang, int *status) {
    for (;;) {
        pid_t done = waitpid(pid, status, nohang ? WNOHANG : 0);
        if (done == pid) return 1;
        if (done == 0) return 0;
        if (errno != EINTR) return -errno;
    }
}

long na_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
int na_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate) { return (int)SSL_CTX_add1_chain_cert(ctx, certificate); }

// MARK: OCSP stapling

/// The DER OCSPResponse a context staples; kept in the context's ex_data, freed with it.
struct na_lab_staple {
    size_t length;
    unsigned char data[];
};

static int na_lab_staple_index = -1;
static pthread_once_t na_lab_staple_once = PTHREAD_ONCE_INIT;

static void na_lab_staple_free(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent; (void)data; (void)index; (void)argl; (void)argp;
    OPENSSL_free(pointer);
}

static void na_lab_staple_make_index(void) {
    na_lab_staple_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, na_lab_staple_free);
}

/// The status callback: hands OpenSSL a fresh copy (SSL_set_tlsext_status_ocsp_resp takes ownership).
static int na_lab_staple_callback(SSL *ssl, void *argument) {
    (void)argument;
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    struct na_lab_staple *staple = ctx ? SSL_CTX_get_ex_data(ctx, na_lab_staple_index) : NULL;
    if (staple == NULL) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *copy = OPENSSL_memdup(staple->data, staple->length);
    if (copy == NULL) return SSL_TLSEXT_ERR_ALERT_FATAL;
    if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)staple->length) != 1) {
        OPENSSL_free(copy);
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

int na_lab_SSL_CTX_staple_ocsp(SSL_CTX *ctx, const unsigned char *response, size_t length) {
    pthread_once(&na_lab_staple_once, na_lab_staple_make_index);
    if (na_lab_staple_index < 0 || length == 0) return 0;
    struct na_lab_staple *staple = OPENSSL_malloc(sizeof *staple + length);
    if (staple == NULL) return 0;
    staple->length = length;
    memcpy(staple->data, response, length);
    struct na_lab_staple *old = SSL_CTX_get_ex_data(ctx, na_lab_staple_index);
    if (SSL_CTX_set_ex_data(ctx, na_lab_staple_index, staple) != 1) {
        OPENSSL_free(staple);
        return 0;
    }
    OPENSSL_free(old);
    if (SSL_CTX_set_tlsext_status_cb(ctx, na_lab_staple_callback) != 1) return 0;
    return 1;
}

// MARK: Certificate extensions with URLs

/// A GENERAL_NAME uniformResourceIdentifier holding a copy of `url`, or NULL.
static GENERAL_NAME *na_lab_uri(const char *url) {
    GENERAL_NAME *name = GENERAL_NAME_new();
    ASN1_IA5STRING *value = ASN1_IA5STRING_new();
    if (name == NULL || value == NULL || ASN1_STRING_set(value, url, (int)strlen(url)) != 1) {
        GENERAL_NAME_free(name);
        ASN1_IA5STRING_free(value);
        return NULL;
    }
    GENERAL_NAME_set0_value(name, GEN_URI, value);
    return name;
}

int na_lab_X509_add_info_access(X509 *certificate, const char *const *ocsp, int ocsp_count,
                                const char *const *issuers, int issuers_count) {
    AUTHORITY_INFO_ACCESS *access = AUTHORITY_INFO_ACCESS_new();
    if (access == NULL) return 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *const *urls = pass == 0 ? ocsp : issuers;
        int count = pass == 0 ? ocsp_count : issuers_count;
        for (int index = 0; index < count; index++) {
            ACCESS_DESCRIPTION *description = ACCESS_DESCRIPTION_new();
            if (description == NULL) goto fail;
            ASN1_OBJECT_free(description->method);
            description->method = OBJ_nid2obj(pass == 0 ? NID_ad_OCSP : NID_ad_ca_issuers);
            GENERAL_NAME_free(description->location);
            description->location = na_lab_uri(urls[index]);
            if (description->method == NULL || description->location == NULL
                || sk_ACCESS_DESCRIPTION_push(access, description) <= 0) {
                ACCESS_DESCRIPTION_free(description);
                goto fail;
            }
        }
    }
    int added = X509_add1_ext_i2d(certificate, NID_info_access, access, 0, X509V3_ADD_DEFAULT);
    AUTHORITY_INFO_ACCESS_free(access);
    return added == 1;
fail:
    AUTHORITY_INFO_ACCESS_free(access);
    return 0;
}

int na_lab_X509_add_crl_distribution_points(X509 *certificate, const char *const *urls, int count) {
    CRL_DIST_POINTS *points = CRL_DIST_POINTS_new();
    if (points == NULL) return 0;
    for (int index = 0; index < count; index++) {
        DIST_POINT *point = DIST_POINT_new();
        if (point == NULL) goto fail;
        point->distpoint = DIST_POINT_NAME_new();
        GENERAL_NAME *uri = na_lab_uri(urls[index]);
        if (point->distpoint == NULL || uri == NULL) {
            GENERAL_NAME_free(uri);
            DIST_POINT_free(point);
            goto fail;
        }
        point->distpoint->type = 0;  // fullName
        point->distpoint->name.fullname = GENERAL_NAMES_new();
        if (point->distpoint->name.fullname == NULL || sk_GENERAL_NAME_push(point->distpoint->name.fullname, uri) <= 0) {
            GENERAL_NAME_free(uri);
            DIST_POINT_free(point);
            goto fail;
        }
        if (sk_DIST_POINT_push(points, point) <= 0) {
            DIST_POINT_free(point);
            goto fail;
        }
    }
    int added = X509_add1_ext_i2d(certificate, NID_crl_distribution_points, points, 0, X509V3_ADD_DEFAULT);
    CRL_DIST_POINTS_free(points);
    return added == 1;
fail:
    CRL_DIST_POINTS_free(points);
    return 0;
}
