// Shims for revocation checking and chain completion (NetauditProbes' Revocation folder):
// the stack macros, struct fields and extension decoding of OCSP, CRLs, AIA and CRL
// distribution points that Swift cannot reach.
#ifndef NA_REVOCATION_H
#define NA_REVOCATION_H
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs7.h>

/// Which URLs ``na_x509_urls`` reads.
enum na_url_kind { NA_URL_OCSP = 0, NA_URL_CA_ISSUERS = 1, NA_URL_CRL = 2 };

/// The URIs of a certificate's Authority Information Access (id-ad-ocsp or id-ad-caIssuers)
/// or CRL distribution points (fullName URIs): sk_ACCESS_DESCRIPTION_* and sk_DIST_POINT_*
/// are macros. Writes them newline-separated and NUL-terminated into `buffer` when they fit
/// and returns the length they need (without the NUL); 0 for none.
int na_x509_urls(X509 *cert, int kind, char *buffer, int capacity);
/// CRLReason of a revoked entry (X509_REVOKED_get_ext_d2i gives a void * to an
/// ASN1_ENUMERATED): the reason code, or -1 when the entry has none.
long na_X509_REVOKED_reason(const X509_REVOKED *entry);
/// The certificates of a PKCS#7 SignedData (a .p7c "certs-only" bundle, as some CAs publish
/// at their caIssuers URL): a field of the struct (p7->d.sign->cert). NULL if none.
STACK_OF(X509) *na_PKCS7_certificates(PKCS7 *p7);
/// sk_X509_value and sk_X509_num over a const stack, for the PKCS#7 certificates.
int na_sk_X509_count(const STACK_OF(X509) *stack);
/// OCSP_resp_get0_id's key hash or name, as text: the responder of a basic response
/// (its name in RFC 2253, or "key hash " and hex). Returns the length needed, as na_x509_urls.
int na_OCSP_responder_text(const OCSP_BASICRESP *basic, char *buffer, int capacity);
/// X509_STORE_set_flags with X509_V_FLAG_PARTIAL_CHAIN (the issuer given as the only
/// anchor, for verifying who signed an OCSP response). A compound macro value.
int na_X509_STORE_allow_partial_chain(X509_STORE *store);
/// How many entries a CRL lists (sk_X509_REVOKED_num is a macro).
int na_X509_CRL_entry_count(X509_CRL *crl);
/// The cRLNumber extension in hexadecimal (an ASN1_INTEGER from X509_CRL_get_ext_d2i's
/// void *), written as na_x509_urls writes; 0 when absent.
int na_X509_CRL_number_hex(X509_CRL *crl, char *buffer, int capacity);

#endif
