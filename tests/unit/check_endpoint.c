/* SPDX-License-Identifier: ISC */
/* The endpoint and the secret it references: shared, never copied, the
 * credential freed (and wiped) with its last holder. */
#include "autoconf.h"

#include <check.h>

#include "transport/endpoint.h"
#include "util/secret.h"
#include "unit.h"

START_TEST(test_secret_null_is_none)
{
	ck_assert_ptr_null(secret_new(NULL));
	ck_assert_ptr_null(secret_ref(NULL));
	ck_assert_ptr_null(secret_value(NULL));
	secret_unref(NULL);
}
END_TEST

START_TEST(test_secret_shared)
{
	struct secret *s = secret_new("Bearer abc");

	ck_assert_str_eq(secret_value(s), "Bearer abc");
	ck_assert_ptr_eq(secret_ref(s), s);
	secret_unref(s);
	/* One reference left: still readable (ASan would see otherwise). */
	ck_assert_str_eq(secret_value(s), "Bearer abc");
	secret_unref(s);
}
END_TEST

START_TEST(test_endpoint_shares_the_credential)
{
	struct secret *s = secret_new("Basic YWxpY2U6c2VjcmV0");
	struct endpoint *ep, *api;

	ep = endpoint_new("https://jmap.example/es", s, "/etc/ca.pem", true);
	secret_unref(s);
	api = endpoint_with_url(ep, "https://jmap.example/api");
	ck_assert_str_eq(ep->url, "https://jmap.example/es");
	ck_assert_str_eq(api->url, "https://jmap.example/api");
	ck_assert_ptr_eq(api->authorization, ep->authorization);
	ck_assert_str_eq(endpoint_authorization(api),
	    "Basic YWxpY2U6c2VjcmV0");
	ck_assert_str_eq(api->ca_file, "/etc/ca.pem");
	ck_assert(api->insecure);
	ck_assert_ptr_eq(endpoint_ref(ep), ep);
	endpoint_unref(ep);
	endpoint_unref(ep);
	/* The credential outlives the first endpoint in the second. */
	ck_assert_str_eq(endpoint_authorization(api),
	    "Basic YWxpY2U6c2VjcmV0");
	endpoint_unref(api);
	endpoint_unref(NULL);
}
END_TEST

START_TEST(test_endpoint_without_credential)
{
	struct endpoint *ep = endpoint_new("ws://127.0.0.1/", NULL, NULL,
	    false);

	ck_assert_ptr_null(endpoint_authorization(ep));
	ck_assert_ptr_null(ep->ca_file);
	ck_assert(!ep->insecure);
	endpoint_unref(ep);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("endpoint");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_secret_null_is_none);
	tcase_add_test(tc, test_secret_shared);
	tcase_add_test(tc, test_endpoint_shares_the_credential);
	tcase_add_test(tc, test_endpoint_without_credential);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
