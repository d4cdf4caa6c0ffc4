// Shims for building certificates (the lab's private PKI): X509 and X509V3 macros.
#ifndef NA_X509_H
#define NA_X509_H
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#endif
