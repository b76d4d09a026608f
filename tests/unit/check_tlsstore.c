/* SPDX-License-Identifier: ISC */
/* The system CA store: the directory alone, read on demand, only when
 * every certificate of the bundle file has its hash link there; else the
 * bundle too, parsed up front. */
#include "autoconf.h"

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "transport/tlsstore.h"
#include "unit.h"

static char dir_a[4096], dir_b[4096];

/* A self-signed P-256 CA named cn; the caller frees it. */
static X509 *
make_ca(const char *cn)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);

	ck_assert_ptr_nonnull(key);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	EVP_PKEY_free(key);
	return x;
}

/* Writes x into dir under its subject hash, as `openssl rehash` does. */
static void
link_ca(const char *dir, X509 *x)
{
	char path[4200];
	FILE *f;
	int ok = 0;
	unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(x), NULL,
	    NULL, &ok);

	ck_assert(ok);
	snprintf(path, sizeof(path), "%s/%08lx.0", dir, h);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_X509(f, x), 1);
	fclose(f);
}

/* The bundle file: a, then b if not NULL; SSL_CERT_FILE names it. */
static void
write_bundle(X509 *a, X509 *b)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bundle.pem", dir_b);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_X509(f, a), 1);
	if (b != NULL)
		ck_assert_int_eq(PEM_write_X509(f, b), 1);
	fclose(f);
	setenv("SSL_CERT_FILE", path, 1);
}

static int
store_size(SSL_CTX *ctx)
{
	return sk_X509_OBJECT_num(X509_STORE_get0_objects(
	    SSL_CTX_get_cert_store(ctx)));
}

/* Whether the store finds a certificate with x's subject (from the
 * directory, for a swapped store). */
static int
store_finds(X509_STORE *store, X509 *x)
{
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	X509_OBJECT *obj;
	int found;

	X509_STORE_CTX_init(sc, store, NULL, NULL);
	obj = X509_STORE_CTX_get_obj_by_subject(sc, X509_LU_X509,
	    X509_get_subject_name(x));
	found = obj != NULL &&
	    X509_cmp(X509_OBJECT_get0_X509(obj), x) == 0;
	X509_OBJECT_free(obj);
	X509_STORE_CTX_free(sc);
	return found;
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir_a, sizeof(dir_a), "%s/check_tlsstore.XXXXXX", tmp);
	snprintf(dir_b, sizeof(dir_b), "%s/check_tlsstore.XXXXXX", tmp);
	ck_assert_ptr_nonnull(mkdtemp(dir_a));
	ck_assert_ptr_nonnull(mkdtemp(dir_b));
}

static void
rm_dir(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
teardown(void)
{
	rm_dir(dir_a);
	rm_dir(dir_b);
	unsetenv("SSL_CERT_DIR");
	unsetenv("SSL_CERT_FILE");
}

/* Both CAs are trusted by ctx's store; frees all three. */
static void
finds_both_and_free(SSL_CTX *ctx, X509 *a, X509 *b)
{
	ck_assert(store_finds(SSL_CTX_get_cert_store(ctx), a));
	ck_assert(store_finds(SSL_CTX_get_cert_store(ctx), b));
	SSL_CTX_free(ctx);
	X509_free(a);
	X509_free(b);
}

START_TEST(test_all_linked)
{
	X509 *a = make_ca("test a"), *b = make_ca("test b");
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	write_bundle(a, b);
	link_ca(dir_a, a);
	link_ca(dir_a, b);
	setenv("SSL_CERT_DIR", dir_a, 1);
	ck_assert_int_eq(tlsstore_system(ctx), 1);
	/* Nothing parsed up front; each found in the directory on demand. */
	ck_assert_int_eq(store_size(ctx), 0);
	finds_both_and_free(ctx, a, b);
}
END_TEST

START_TEST(test_one_unlinked)
{
	X509 *a = make_ca("test a"), *b = make_ca("test b");
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	/* b was added to the bundle by hand: the directory lacks it. */
	write_bundle(a, b);
	link_ca(dir_a, a);
	setenv("SSL_CERT_DIR", dir_a, 1);
	ck_assert_int_eq(tlsstore_system(ctx), 0);
	ck_assert_int_eq(store_size(ctx), 2);
	finds_both_and_free(ctx, a, b);
}
END_TEST

START_TEST(test_directory_list)
{
	X509 *a = make_ca("test a"), *b = make_ca("test b");
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char dirs[8200];

	write_bundle(a, b);
	link_ca(dir_a, a);
	link_ca(dir_b, b);
	snprintf(dirs, sizeof(dirs), "%s:%s", dir_a, dir_b);
	setenv("SSL_CERT_DIR", dirs, 1);
	ck_assert_int_eq(tlsstore_system(ctx), 1);
	finds_both_and_free(ctx, a, b);
}
END_TEST

START_TEST(test_no_bundle)
{
	X509 *a = make_ca("test a");
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char path[4200];

	/* No bundle file: the directory is still used, as OpenSSL does. */
	link_ca(dir_a, a);
	snprintf(path, sizeof(path), "%s/none.pem", dir_b);
	setenv("SSL_CERT_FILE", path, 1);
	setenv("SSL_CERT_DIR", dir_a, 1);
	ck_assert_int_eq(tlsstore_system(ctx), 0);
	ck_assert(store_finds(SSL_CTX_get_cert_store(ctx), a));
	SSL_CTX_free(ctx);
	X509_free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tlsstore");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_linked);
	tcase_add_test(tc, test_one_unlinked);
	tcase_add_test(tc, test_directory_list);
	tcase_add_test(tc, test_no_bundle);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
