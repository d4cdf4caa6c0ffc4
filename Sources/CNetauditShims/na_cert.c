// Bodies of the shims declared (and explained) in include/na_cert.h.
#include "na_cert.h"
#include <openssl/pem.h>

int na_X509_STORE_CTX_set_app_data(X509_STORE_CTX *ctx, void *data) { return X509_STORE_CTX_set_app_data(ctx, data); }
void *na_X509_STORE_CTX_get_app_data(const X509_STORE_CTX *ctx) { return X509_STORE_CTX_get_app_data((X509_STORE_CTX *)ctx); }
int na_ERR_is_pem_no_start_line(unsigned long code) { return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE; }
