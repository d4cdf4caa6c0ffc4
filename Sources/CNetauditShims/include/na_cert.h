// Shims for reading and verifying the certificates a server sends (NetauditProbes'
// Certificates folder): the X509_STORE_CTX and error-code macros Swift cannot call.
#ifndef NA_CERT_H
#define NA_CERT_H
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/err.h>

/// X509_STORE_CTX_set_app_data is a macro over X509_STORE_CTX_set_ex_data(ctx, 0, data):
/// the verify callback finds the collector of a verification's errors there.
int na_X509_STORE_CTX_set_app_data(X509_STORE_CTX *ctx, void *data);
/// X509_STORE_CTX_get_app_data is a macro over X509_STORE_CTX_get_ex_data(ctx, 0).
void *na_X509_STORE_CTX_get_app_data(const X509_STORE_CTX *ctx);
/// ERR_GET_LIB and ERR_GET_REASON are inline helpers over bit fields: whether `code` is PEM's
/// "no start line", which PEM_read_bio_X509 queues at the normal end of a file.
int na_ERR_is_pem_no_start_line(unsigned long code);

#endif
