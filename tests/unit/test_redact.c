/* test_redact.c: passwords in URLs become "***" (redact.c). */
#include <stdlib.h>

#include "redact.h"
#include "unit.h"

static int
masks(const char *url, const char *want)
{
	char *got = redact_url(url);
	int ok = want == NULL ? got == NULL :
	    got != NULL && strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "redact_url(%s) = %s, want %s\n", url,
		    got ? got : "NULL", want ? want : "NULL");
	free(got);
	return ok;
}

TEST(password_masked)
{
	CHECK(masks("http://u:secret@h/p", "http://u:***@h/p"));
	CHECK(masks("https://u:s@x:y@h:8080/?q=a@b",
	    "https://u:***@h:8080/?q=a@b"));
	CHECK(masks("http://u:@h/", "http://u:***@h/"));
	CHECK(masks("HTTP://u:p@h", "HTTP://u:***@h"));
}

TEST(nothing_to_mask)
{
	CHECK(masks("http://h/p", NULL));
	CHECK(masks("http://user@h/p", NULL));
	CHECK(masks("http://h/p?u:p@x", NULL));
	CHECK(masks("http://h/#a:b@c", NULL));
	CHECK(masks("not a url", NULL));
	CHECK(masks(NULL, NULL));
}

int
main(void)
{
	RUN(password_masked);
	RUN(nothing_to_mask);
	return unit_done("test_redact");
}
