// Typed shims over the parts of libcurl and OpenSSL that Swift cannot call directly:
// variadic functions (Swift imports no C varargs) and function-like macros (Swift
// imports no macro that takes arguments). Each shim is one line of C with one
// comment saying why it exists. Only NetauditProbes (network, TLS, and the OS
// primitives: threads, the sd_notify datagram, the monotonic clock, the signal mask),
// NetauditStore (SHA-256 of the inventory, zlib for what it keeps) and NetauditLab (the test-support lab's
// certificates and servers) import this module; nothing outside them sees a C pointer.
#ifndef CNETAUDIT_SHIMS_H
#define CNETAUDIT_SHIMS_H

#include <stddef.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include "na_x509.h"
#include "na_notify.h"
#include "na_socket.h"
#include "na_cert.h"
#include "na_lab.h"
#include "na_zlib.h"
#include "na_revocation.h"
#include "na_netns.h"

// MARK: libcurl

/// curl_global_init's flag CURL_GLOBAL_DEFAULT is an expression macro Swift does not import.
CURLcode na_curl_global_init_default(void);

/// curl_version_info takes CURLVERSION_NOW, a macro alias of the newest enum value.
const curl_version_info_data *na_curl_version_info(void);

/// curl_easy_setopt is variadic: one typed entry per argument kind.
CURLcode na_curl_easy_setopt_long(CURL *easy, CURLoption option, long value);
/// curl_easy_setopt is variadic (curl_off_t arguments, e.g. CURLOPT_MAXFILESIZE_LARGE).
CURLcode na_curl_easy_setopt_off(CURL *easy, CURLoption option, curl_off_t value);
/// curl_easy_setopt is variadic (char * arguments; libcurl copies the string).
CURLcode na_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
/// curl_easy_setopt is variadic (void * user data, e.g. CURLOPT_WRITEDATA, CURLOPT_PRIVATE).
CURLcode na_curl_easy_setopt_pointer(CURL *easy, CURLoption option, void *value);
/// curl_easy_setopt is variadic (struct curl_slist *, e.g. CURLOPT_RESOLVE, CURLOPT_HTTPHEADER).
CURLcode na_curl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value);

/// The shape of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*na_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);
/// curl_easy_setopt is variadic (function pointer for body and header data).
CURLcode na_curl_easy_setopt_data_callback(CURL *easy, CURLoption option, na_curl_data_callback callback);
/// curl_easy_setopt is variadic (CURLOPT_SSL_CTX_FUNCTION: configure OpenSSL's SSL_CTX per handle).
CURLcode na_curl_easy_setopt_ssl_ctx_callback(CURL *easy, curl_ssl_ctx_callback callback);

/// curl_easy_setopt is variadic (CURLOPT_OPENSOCKETFUNCTION: netaudit opens every socket
/// itself, so an address outside the allow-list is refused whatever DNS or a redirect says).
CURLcode na_curl_easy_setopt_opensocket_callback(CURL *easy, curl_opensocket_callback callback);
/// curl_easy_setopt is variadic (CURLOPT_PREREQFUNCTION: called once the connection, TLS
/// included, is up and before the request is sent: where the probe reads the session).
CURLcode na_curl_easy_setopt_prereq_callback(CURL *easy, curl_prereq_callback callback);
/// struct curl_sockaddr wraps a struct sockaddr: return its family, 4/16 address bytes and port.
int na_curl_sockaddr_address(const struct curl_sockaddr *address, uint8_t *bytes16, int *port);

/// curl_easy_getinfo is variadic (long results, e.g. CURLINFO_RESPONSE_CODE).
CURLcode na_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
/// curl_easy_getinfo is variadic (curl_off_t results, e.g. CURLINFO_CONNECT_TIME_T).
CURLcode na_curl_easy_getinfo_off(CURL *easy, CURLINFO info, curl_off_t *value);
/// curl_easy_getinfo is variadic (char * results, e.g. CURLINFO_REDIRECT_URL).
CURLcode na_curl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value);
/// curl_easy_getinfo is variadic (void * results, e.g. CURLINFO_PRIVATE).
CURLcode na_curl_easy_getinfo_pointer(CURL *easy, CURLINFO info, void **value);
/// curl_easy_getinfo is variadic (CURLINFO_TLS_SSL_PTR returns a struct curl_tlssessioninfo *).
CURLcode na_curl_easy_getinfo_tls_session(CURL *easy, struct curl_tlssessioninfo **value);

/// curl_multi_setopt is variadic (long options, e.g. CURLMOPT_MAX_TOTAL_CONNECTIONS).
CURLMcode na_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

// MARK: Threads

/// pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module does not define:
/// names the calling thread (15 bytes at most) with prctl(PR_SET_NAME).
int na_set_thread_name(const char *name);

// MARK: OpenSSL

/// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
int na_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set_max_proto_version is a macro over SSL_CTX_ctrl.
int na_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_get_min_proto_version is a macro over SSL_CTX_ctrl.
int na_SSL_CTX_get_min_proto_version(SSL_CTX *ctx);
/// SSL_CTX_get_max_proto_version is a macro over SSL_CTX_ctrl.
int na_SSL_CTX_get_max_proto_version(SSL_CTX *ctx);
/// SSL_set_tlsext_host_name (SNI) is a macro over SSL_ctrl.
int na_SSL_set_tlsext_host_name(SSL *ssl, const char *name);
/// SSL_set_tlsext_status_type (ask for a stapled OCSP response) is a macro over SSL_ctrl.
long na_SSL_set_tlsext_status_type(SSL *ssl, int type);
/// SSL_get_tlsext_status_ocsp_resp is a macro over SSL_ctrl; returns the length, -1 if none.
long na_SSL_get_tlsext_status_ocsp_resp(SSL *ssl, const unsigned char **response);
/// SSL_OP_LEGACY_SERVER_CONNECT is an expression macro: allow servers without secure
/// renegotiation (RFC 5746), as old ones are, for the legacy retry only.
void na_SSL_CTX_allow_legacy_server(SSL_CTX *ctx);
/// SSL_CTX_set_tlsext_status_type (ask every handshake of the context for a stapled OCSP response) is a macro.
long na_SSL_CTX_set_tlsext_status_type(SSL_CTX *ctx, int type);
/// SSL_get_negotiated_group (TLS 1.3 and ECDHE key-exchange group, as a NID) is a macro over SSL_ctrl.
int na_SSL_get_negotiated_group(SSL *ssl);
/// SSL_get_peer_tmp_key (the server's ephemeral key) is a macro over SSL_ctrl.
int na_SSL_get_peer_tmp_key(SSL *ssl, EVP_PKEY **key);

/// sk_X509_num is a type-safe macro over OPENSSL_sk_num.
int na_sk_X509_num(const STACK_OF(X509) *stack);
/// sk_X509_value is a type-safe macro over OPENSSL_sk_value.
X509 *na_sk_X509_value(const STACK_OF(X509) *stack, int index);
/// sk_X509_new_null is a type-safe macro over OPENSSL_sk_new_null.
STACK_OF(X509) *na_sk_X509_new_null(void);
/// sk_X509_push is a type-safe macro over OPENSSL_sk_push (the stack does not take a reference).
int na_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate);
/// sk_X509_free is a type-safe macro over OPENSSL_sk_free (frees the stack, not the certificates).
void na_sk_X509_free(STACK_OF(X509) *stack);
/// sk_GENERAL_NAME_num is a type-safe macro over OPENSSL_sk_num (subjectAltName entries).
int na_sk_GENERAL_NAME_num(const GENERAL_NAMES *names);
/// sk_GENERAL_NAME_value is a type-safe macro over OPENSSL_sk_value.
GENERAL_NAME *na_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index);

/// EVP_PKEY_bits is a macro alias of EVP_PKEY_get_bits in OpenSSL 3.
int na_EVP_PKEY_bits(const EVP_PKEY *key);
/// EVP_PKEY_id is a macro alias of EVP_PKEY_get_id in OpenSSL 3.
int na_EVP_PKEY_id(const EVP_PKEY *key);
/// BIO_get_mem_data is a macro over BIO_ctrl; returns the length of the memory BIO's data.
long na_BIO_get_mem_data(BIO *bio, char **data);
/// OPENSSL_free is a macro that adds the caller's file and line to CRYPTO_free.
void na_OPENSSL_free(void *pointer);

#endif
