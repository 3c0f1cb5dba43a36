/* test_resume.c: --resume remembers each record's url and checks the
 * input against it; resume_check() refuses what is not records. */
#include <sys/mman.h>

#include <stdlib.h>
#include <unistd.h>

#include "resume.h"
#include "unit.h"

static void
note(struct resume *r, const char *line)
{
	resume_note(r, line, strlen(line));
}

TEST(urls_are_checked_by_index)
{
	struct resume r;

	memset(&r, 0, sizeof(r));
	note(&r, "{\"index\":1,\"url\":\"http://b/\",\"ok\":true}");
	note(&r, "{\"index\":0,\"url\":\"http://a/\",\"ok\":false}");
	note(&r, "{\"index\":0,\"url\":\"http://a/\",\"ok\":true}");
	CHECK(resume_has(&r, 0) && resume_has(&r, 1));
	CHECK(resume_url_matches(&r, 0, "http://a/"));
	CHECK(resume_url_matches(&r, 1, "http://b/"));
	CHECK(!resume_url_matches(&r, 0, "http://b/"));
	CHECK(!resume_url_matches(&r, 1, "http://a/"));
	CHECK(resume_url_matches(&r, 2, "http://anything/"));	/* none */
	resume_free(&r);
}

TEST(an_index_is_read_from_its_digits_not_through_a_double)
{
	struct resume r;

	memset(&r, 0, sizeof(r));
	/* Each of these was index 1 (or 2^53) to a double. */
	note(&r, "{\"index\":1.0000000000000001,\"url\":\"u\",\"ok\":true}");
	note(&r, "{\"index\":1e0,\"url\":\"u\",\"ok\":true}");
	note(&r, "{\"index\":1.0,\"url\":\"u\",\"ok\":true}");
	note(&r, "{\"index\":01,\"url\":\"u\",\"ok\":true}");
	note(&r, "{\"index\":-0,\"url\":\"u\",\"ok\":true}");
	note(&r, "{\"index\":18446744073709551616,\"url\":\"u\","
	    "\"ok\":true}");
	CHECK(!resume_has(&r, 0) && !resume_has(&r, 1));
	CHECK(r.nok == 0);
	/* Whole indexes of every size are kept exactly. */
	note(&r, "{\"index\":9007199254740993,\"url\":\"u\",\"ok\":true}");
	note(&r, "{\"index\":18446744073709551615,\"url\":\"u\","
	    "\"ok\":true}");
	note(&r, "{\"index\":0,\"url\":\"u\",\"ok\":true}");
	CHECK(resume_has(&r, 9007199254740993ULL));
	CHECK(!resume_has(&r, 9007199254740992ULL));
	CHECK(resume_has(&r, UINT64_MAX) && resume_has(&r, 0));
	CHECK(r.nok == 3);
	resume_free(&r);
}

static int
check_text(const char *text)
{
	char err[256];
	int fd = memfd_create("resume", 0), rc;

	if (fd < 0)
		return -2;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	rc = resume_check(fd, "f", err, sizeof(err));
	(void)close(fd);
	return rc;
}

TEST(only_records_are_appended_to)
{
	CHECK(check_text("") == 0);
	CHECK(check_text("{\"index\":0,\"url\":\"x\"}\n") == 0);
	CHECK(check_text("{\"index\":12") == 0);
	CHECK(check_text("http://a/\n") == -1);
	CHECK(check_text("{\"url\": \"http://a/\"}\n") == -1);
	CHECK(check_text("{\"index\": 0}\n") == -1);
	CHECK(check_text("\n") == -1);
}

int
main(void)
{
	RUN(urls_are_checked_by_index);
	RUN(only_records_are_appended_to);
	RUN(an_index_is_read_from_its_digits_not_through_a_double);
	return unit_done("test_resume");
}
