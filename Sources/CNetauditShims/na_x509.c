// Bodies of the shims declared (and explained) in include/na_x509.h.
#include "na_x509.h"

EVP_PKEY *na_EVP_RSA_gen(unsigned int bits) { return EVP_RSA_gen(bits); }
EVP_PKEY *na_EVP_EC_gen(const char *curve) { return EVP_EC_gen(curve); }
void na_X509V3_set_ctx_nodb(X509V3_CTX *ctx) { X509V3_set_ctx_nodb(ctx); }
int na_sk_GENERAL_NAME_push(GENERAL_NAMES *names, GENERAL_NAME *name) { return sk_GENERAL_NAME_push(names, name); }
unsigned long na_XN_FLAG_RFC2253_UTF8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
