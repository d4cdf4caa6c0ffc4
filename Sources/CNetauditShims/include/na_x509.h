// Shims for building certificates (the lab's private PKI): X509 and X509V3 macros.
#ifndef NA_X509_H
#define NA_X509_H
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>

/// EVP_RSA_gen is a macro over the variadic EVP_PKEY_Q_keygen (an RSA key of `bits` bits, e = 65537).
EVP_PKEY *na_EVP_RSA_gen(unsigned int bits);
/// EVP_EC_gen is a macro over the variadic EVP_PKEY_Q_keygen (an EC key on the named `curve`, e.g. "P-256").
EVP_PKEY *na_EVP_EC_gen(const char *curve);
/// X509V3_set_ctx_nodb is a macro (no config database: extension values are given inline).
void na_X509V3_set_ctx_nodb(X509V3_CTX *ctx);
/// sk_GENERAL_NAME_push is a type-safe macro over OPENSSL_sk_push (the stack takes ownership of `name`).
int na_sk_GENERAL_NAME_push(GENERAL_NAMES *names, GENERAL_NAME *name);
/// XN_FLAG_RFC2253 is a compound macro; this is it without \XX escapes of UTF-8 (RFC 4514 allows them raw).
unsigned long na_XN_FLAG_RFC2253_UTF8(void);

#endif
