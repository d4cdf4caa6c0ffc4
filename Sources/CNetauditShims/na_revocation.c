// Bodies of the shims declared (and explained) in include/na_revocation.h.
#include "na_revocation.h"
#include <string.h>
#include <stdio.h>

static int append(char *buffer, int capacity, int used, const char *text, int length) {
    int needed = used + (used > 0 ? 1 : 0) + length;
    if (buffer != NULL && needed < capacity) {
        if (used > 0) buffer[used] = '\n';
        memcpy(buffer + needed - length, text, (size_t)length);
        buffer[needed] = '\0';
    }
    return needed;
}

static int append_uri(char *buffer, int capacity, int used, const GENERAL_NAME *name) {
    if (name == NULL || name->type != GEN_URI || name->d.uniformResourceIdentifier == NULL) return used;
    const ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
    int length = ASN1_STRING_length(uri);
    const unsigned char *data = ASN1_STRING_get0_data(uri);
    if (length <= 0 || data == NULL || memchr(data, '\n', (size_t)length) != NULL || memchr(data, '\0', (size_t)length) != NULL) return used;
    return append(buffer, capacity, used, (const char *)data, length);
}

int na_x509_urls(X509 *cert, int kind, char *buffer, int capacity) {
    int used = 0;
    if (buffer != NULL && capacity > 0) buffer[0] = '\0';
    if (kind == NA_URL_CRL) {
        STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
        if (points == NULL) return 0;
        for (int i = 0; i < sk_DIST_POINT_num(points); i++) {
            DIST_POINT *point = sk_DIST_POINT_value(points, i);
            if (point->distpoint == NULL || point->distpoint->type != 0) continue;  // fullName only
            GENERAL_NAMES *names = point->distpoint->name.fullname;
            for (int j = 0; j < sk_GENERAL_NAME_num(names); j++) used = append_uri(buffer, capacity, used, sk_GENERAL_NAME_value(names, j));
        }
        CRL_DIST_POINTS_free(points);
        return used;
    }
    AUTHORITY_INFO_ACCESS *access = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
    if (access == NULL) return 0;
    int method = kind == NA_URL_OCSP ? NID_ad_OCSP : NID_ad_ca_issuers;
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(access); i++) {
        ACCESS_DESCRIPTION *description = sk_ACCESS_DESCRIPTION_value(access, i);
        if (OBJ_obj2nid(description->method) == method) used = append_uri(buffer, capacity, used, description->location);
    }
    AUTHORITY_INFO_ACCESS_free(access);
    return used;
}

long na_X509_REVOKED_reason(const X509_REVOKED *entry) {
    int critical = 0;
    ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, NULL);
    if (reason == NULL) return -1;
    long value = ASN1_ENUMERATED_get(reason);
    ASN1_ENUMERATED_free(reason);
    return value;
}

STACK_OF(X509) *na_PKCS7_certificates(PKCS7 *p7) {
    if (p7 == NULL || !PKCS7_type_is_signed(p7) || p7->d.sign == NULL) return NULL;
    return p7->d.sign->cert;
}

int na_sk_X509_count(const STACK_OF(X509) *stack) { return stack == NULL ? 0 : sk_X509_num(stack); }

int na_OCSP_responder_text(const OCSP_BASICRESP *basic, char *buffer, int capacity) {
    const ASN1_OCTET_STRING *hash = NULL;
    const X509_NAME *name = NULL;
    if (buffer != NULL && capacity > 0) buffer[0] = '\0';
    if (OCSP_resp_get0_id(basic, &hash, &name) != 1) return 0;
    if (name != NULL) {
        BIO *bio = BIO_new(BIO_s_mem());
        if (bio == NULL) return 0;
        X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
        char *data = NULL;
        long length = BIO_get_mem_data(bio, &data);
        int used = length > 0 ? append(buffer, capacity, 0, data, (int)length) : 0;
        BIO_free(bio);
        return used;
    }
    if (hash == NULL) return 0;
    char text[16 + 2 * 64 + 1];
    int length = snprintf(text, sizeof text, "key hash ");
    for (int i = 0; i < ASN1_STRING_length(hash) && i < 64; i++)
        length += snprintf(text + length, sizeof text - (size_t)length, "%02x", ASN1_STRING_get0_data(hash)[i]);
    return append(buffer, capacity, 0, text, length);
}

int na_X509_STORE_allow_partial_chain(X509_STORE *store) { return X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN); }

int na_X509_CRL_entry_count(X509_CRL *crl) {
    STACK_OF(X509_REVOKED) *entries = X509_CRL_get_REVOKED(crl);
    return entries == NULL ? 0 : sk_X509_REVOKED_num(entries);
}

int na_X509_CRL_number_hex(X509_CRL *crl, char *buffer, int capacity) {
    if (buffer != NULL && capacity > 0) buffer[0] = '\0';
    ASN1_INTEGER *number = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    if (number == NULL) return 0;
    BIGNUM *big = ASN1_INTEGER_to_BN(number, NULL);
    ASN1_INTEGER_free(number);
    if (big == NULL) return 0;
    char *hex = BN_bn2hex(big);
    BN_free(big);
    if (hex == NULL) return 0;
    int used = append(buffer, capacity, 0, hex, (int)strlen(hex));
    OPENSSL_free(hex);
    return used;
}
