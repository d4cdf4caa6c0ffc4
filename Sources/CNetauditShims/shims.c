// The one-line bodies of the shims declared (and explained) in include/CNetauditShims.h.
#include "CNetauditShims.h"
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/prctl.h>

CURLcode na_curl_global_init_default(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
const curl_version_info_data *na_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }

CURLcode na_curl_easy_setopt_long(CURL *easy, CURLoption option, long value) { return curl_easy_setopt(easy, option, value); }
CURLcode na_curl_easy_setopt_off(CURL *easy, CURLoption option, curl_off_t value) { return curl_easy_setopt(easy, option, value); }
CURLcode na_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value) { return curl_easy_setopt(easy, option, value); }
CURLcode na_curl_easy_setopt_pointer(CURL *easy, CURLoption option, void *value) { return curl_easy_setopt(easy, option, value); }
CURLcode na_curl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value) { return curl_easy_setopt(easy, option, value); }
CURLcode na_curl_easy_setopt_data_callback(CURL *easy, CURLoption option, na_curl_data_callback callback) { return curl_easy_setopt(easy, option, callback); }
CURLcode na_curl_easy_setopt_ssl_ctx_callback(CURL *easy, curl_ssl_ctx_callback callback) { return curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, callback); }

CURLcode na_curl_easy_setopt_opensocket_callback(CURL *easy, curl_opensocket_callback callback) { return curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, callback); }
CURLcode na_curl_easy_setopt_prereq_callback(CURL *easy, curl_prereq_callback callback) { return curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, callback); }
int na_curl_sockaddr_address(const struct curl_sockaddr *address, uint8_t *bytes16, int *port) {
    memset(bytes16, 0, 16);
    *port = 0;
    if (address->family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&address->addr;
        memcpy(bytes16, &v6->sin6_addr, 16);
        *port = ntohs(v6->sin6_port);
    } else if (address->family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&address->addr;
        memcpy(bytes16, &v4->sin_addr, 4);
        *port = ntohs(v4->sin_port);
    }
    return address->family;
}

CURLcode na_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value) { return curl_easy_getinfo(easy, info, value); }
CURLcode na_curl_easy_getinfo_off(CURL *easy, CURLINFO info, curl_off_t *value) { return curl_easy_getinfo(easy, info, value); }
CURLcode na_curl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value) { return curl_easy_getinfo(easy, info, value); }
CURLcode na_curl_easy_getinfo_pointer(CURL *easy, CURLINFO info, void **value) { return curl_easy_getinfo(easy, info, value); }
CURLcode na_curl_easy_getinfo_tls_session(CURL *easy, struct curl_tlssessioninfo **value) { return curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, value); }

CURLMcode na_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) { return curl_multi_setopt(multi, option, value); }

int na_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
int na_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_max_proto_version(ctx, version); }
int na_SSL_CTX_get_min_proto_version(SSL_CTX *ctx) { return (int)SSL_CTX_get_min_proto_version(ctx); }
int na_SSL_CTX_get_max_proto_version(SSL_CTX *ctx) { return (int)SSL_CTX_get_max_proto_version(ctx); }
int na_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
long na_SSL_set_tlsext_status_type(SSL *ssl, int type) { return SSL_set_tlsext_status_type(ssl, type); }
long na_SSL_get_tlsext_status_ocsp_resp(SSL *ssl, const unsigned char **response) { return SSL_get_tlsext_status_ocsp_resp(ssl, response); }
void na_SSL_CTX_allow_legacy_server(SSL_CTX *ctx) { SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT); }
long na_SSL_CTX_set_tlsext_status_type(SSL_CTX *ctx, int type) { return SSL_CTX_set_tlsext_status_type(ctx, type); }
int na_SSL_get_negotiated_group(SSL *ssl) { return (int)SSL_get_negotiated_group(ssl); }
int na_SSL_get_peer_tmp_key(SSL *ssl, EVP_PKEY **key) { return (int)SSL_get_peer_tmp_key(ssl, key); }

int na_sk_X509_num(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
X509 *na_sk_X509_value(const STACK_OF(X509) *stack, int index) { return sk_X509_value(stack, index); }
STACK_OF(X509) *na_sk_X509_new_null(void) { return sk_X509_new_null(); }
int na_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate) { return sk_X509_push(stack, certificate); }
void na_sk_X509_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }
int na_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }
GENERAL_NAME *na_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) { return sk_GENERAL_NAME_value(names, index); }

int na_EVP_PKEY_bits(const EVP_PKEY *key) { return EVP_PKEY_bits(key); }
int na_EVP_PKEY_id(const EVP_PKEY *key) { return EVP_PKEY_id(key); }
long na_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
void na_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }

int na_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
