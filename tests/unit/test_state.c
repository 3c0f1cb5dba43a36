/* test_state.c: the pure parts of --state and --hash: the content hash
 * and its text form, the request key, and the "hash"/"changed" decision
 * of state.h (state_compare). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hash.h"
#include "opts.h"
#include "record.h"
#include "request.h"
#include "state.h"
#include "util.h"
#include "unit.h"

static const char abc_hex[] = "sha256:"
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(hash_of_pieces_is_hash_of_whole)
{
	struct hash h = { 0 };
	unsigned char d[HASH_LEN], back[HASH_LEN];
	char t[HASH_TEXT_LEN];

	CHECK(hash_setup() == 0);
	hash_update(&h, "x", 1);		/* off: a no-op */
	CHECK(hash_end(&h, d) == -1);
	hash_begin(&h);
	hash_update(&h, "a", 1);
	hash_update(&h, "", 0);
	hash_update(&h, "bc", 2);
	CHECK(hash_end(&h, d) == 0);
	hash_text(t, d);
	CHECK_STR(t, abc_hex);
	CHECK(hash_parse(t, back) == 0 && memcmp(back, d, HASH_LEN) == 0);
	/* A second attempt starts afresh. */
	hash_begin(&h);
	hash_update(&h, "abc", 3);
	CHECK(hash_end(&h, d) == 0);
	hash_text(t, d);
	CHECK_STR(t, abc_hex);
	CHECK(hash_parse("sha256:zz", back) == -1);
	CHECK(hash_parse("md5:ba7816bf8f01cfea414140de5dae2223b00361a3961"
	    "77a9cb410ff61f20015ad", back) == -1);
	hash_free(&h);
	hash_free(&h);
	hash_cleanup();
}

TEST(key_is_id_text_else_method_and_url)
{
	struct opts o;
	struct request r;
	struct buf k;

	memset(&o, 0, sizeof(o));
	buf_init(&k);
	request_init(&r);
	r.url = xstrdup("http://example.com/a");
	state_key(&k, &r, &o);
	CHECK_STR(k.data, "GET http://example.com/a");
	o.method = "HEAD";
	state_key(&k, &r, &o);
	CHECK_STR(k.data, "HEAD http://example.com/a");
	/* The reader keeps the id as its minified JSON text. */
	r.id = xstrdup("{\"b\":[1,\"x\"]}");
	r.id_len = strlen(r.id);
	state_key(&k, &r, &o);
	CHECK_STR(k.data, "{\"b\":[1,\"x\"]}");
	request_free(&r);
	buf_free(&k);
}

static void
digest_of(unsigned char *d, const char *s)
{
	struct hash h = { 0 };

	(void)hash_setup();
	hash_begin(&h);
	hash_update(&h, s, strlen(s));
	(void)hash_end(&h, d);
	hash_free(&h);
}

TEST(compare_decides_hash_and_changed)
{
	struct state_prev none, had;
	struct result r;
	unsigned char abc[HASH_LEN], other[HASH_LEN];

	digest_of(abc, "abc");
	digest_of(other, "abd");
	memset(&none, 0, sizeof(none));
	memset(&had, 0, sizeof(had));
	had.found = 1;
	memcpy(had.hash, abc, HASH_LEN);
	result_init(&r);

	/* First sight: a hash, changed unknown. */
	r.status = 200;
	state_compare(&none, &r, abc);
	CHECK_STR(r.hash, abc_hex);
	CHECK(r.changed == CHANGED_UNKNOWN);
	/* Same hash: unchanged; another: changed. */
	state_compare(&had, &r, abc);
	CHECK(r.changed == CHANGED_NO);
	state_compare(&had, &r, other);
	CHECK(r.changed == CHANGED_YES);
	CHECK(strcmp(r.hash, abc_hex) != 0);
	/* A 304 stands for the stored content. */
	r.status = 304;
	state_compare(&had, &r, other);
	CHECK_STR(r.hash, abc_hex);
	CHECK(r.changed == CHANGED_NO);
	state_compare(&none, &r, other);
	CHECK_STR(r.hash, "");
	CHECK(r.changed == CHANGED_UNKNOWN);
	/* A failure has neither. */
	r.status = 500;
	r.kind = KIND_HTTP;
	state_compare(&had, &r, abc);
	CHECK_STR(r.hash, "");
	CHECK(r.changed == CHANGED_UNKNOWN);
	/* No digest taken (--state without a body hash cannot happen, but
	 * the decision holds). */
	r.kind = KIND_NONE;
	r.status = 200;
	state_compare(&had, &r, NULL);
	CHECK_STR(r.hash, "");
	CHECK(r.changed == CHANGED_UNKNOWN);
	result_free(&r);
	hash_cleanup();
}

TEST(compare_head_uses_the_validators)
{
	struct state_prev none, had;
	struct result r;

	memset(&none, 0, sizeof(none));
	memset(&had, 0, sizeof(had));
	had.row = 7;
	(void)snprintf(had.etag, sizeof(had.etag), "\"v1\"");
	(void)snprintf(had.last_modified, sizeof(had.last_modified),
	    "Mon, 30 Nov 2026 10:00:00 GMT");
	result_init(&r);
	r.status = 200;
	/* No row: unknown, and never a hash (HEAD has no body). */
	(void)snprintf(r.etag, sizeof(r.etag), "\"v1\"");
	state_compare_head(&none, &r);
	CHECK(r.changed == CHANGED_UNKNOWN);
	CHECK_STR(r.hash, "");
	/* The ETag decides when both have one. */
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_NO);
	CHECK(r.state_row == 7);
	(void)snprintf(r.etag, sizeof(r.etag), "\"v2\"");
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_YES);
	/* Else Last-Modified. */
	r.etag[0] = '\0';
	(void)snprintf(r.last_modified, sizeof(r.last_modified),
	    "Tue, 01 Dec 2026 10:00:00 GMT");
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_YES);
	(void)snprintf(r.last_modified, sizeof(r.last_modified), "%s",
	    had.last_modified);
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_NO);
	/* Nothing to compare: unknown. */
	r.last_modified[0] = '\0';
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_UNKNOWN);
	/* A 304 is unchanged; a failure neither. */
	r.status = 304;
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_NO);
	r.status = 500;
	r.kind = KIND_HTTP;
	state_compare_head(&had, &r);
	CHECK(r.changed == CHANGED_UNKNOWN);
	result_free(&r);
}

int
main(void)
{
	RUN(hash_of_pieces_is_hash_of_whole);
	RUN(key_is_id_text_else_method_and_url);
	RUN(compare_decides_hash_and_changed);
	RUN(compare_head_uses_the_validators);
	return unit_done("tests/unit/test_state.c");
}
