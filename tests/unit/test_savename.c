/* test_savename.c: --save-as templates render into relative paths that
 * cannot leave DIR, whatever the URL, id or content type says. */
#include <string.h>

#include "savename.h"
#include "unit.h"

static char out[SAVENAME_MAX + 1], err[200];

static const char *
render(const char *tmpl, const char *url, const char *id, const char *ct)
{
	struct savename_in in = { 7, id, "example.com:443", url, ct, "" };

	if (savename_render(tmpl, &in, out, sizeof(out), err,
	    sizeof(err)) < 0)
		return NULL;
	return out;
}

TEST(placeholders)
{
	CHECK_STR(render("{index}", "http://h/", NULL, NULL), "7");
	CHECK_STR(render("{id}", "http://h/", NULL, NULL), "7");
	CHECK_STR(render("{id}.{ext}", "http://h/", "a1", "text/html; "
	    "charset=utf-8"), "a1.html");
	CHECK_STR(render("{host}/{path}", "https://h/a/b.txt?q=1#f", NULL,
	    NULL), "example.com_443/a/b.txt");
	CHECK_STR(render("{path}", "http://h", NULL, NULL), "index");
	CHECK_STR(render("x-{index}.{ext}", "http://h/", NULL, NULL),
	    "x-7.bin");
}

TEST(hostile_paths_stay_inside)
{
	CHECK_STR(render("{path}", "http://h/../../etc/passwd", NULL, NULL),
	    "etc/passwd");
	CHECK_STR(render("{path}", "http://h//./a/.//..", NULL, NULL), "a");
	CHECK_STR(render("{path}", "http://h/.ssh/x", NULL, NULL),
	    "_ssh/x");
	CHECK_STR(render("{path}", "http://h/a%2f..%2fb", NULL, NULL),
	    "a%2f..%2fb");
	CHECK_STR(render("{id}", "http://h/", "../../x", NULL), "_._.._x");
	CHECK_STR(render("{id}", "http://h/", "a\nb\x01", NULL), "a_b_");
	CHECK_STR(render("{path}", "http://h/a b/\xc3\xa9", NULL, NULL),
	    "a_b/__");
}

TEST(lengths_are_bounded)
{
	char url[3000];

	memset(url, 'a', sizeof(url));
	memcpy(url, "http://h/", 9);
	url[sizeof(url) - 1] = '\0';
	CHECK(render("{path}", url, NULL, NULL) != NULL);
	CHECK(strlen(out) == SAVENAME_PART);
}

TEST(bad_templates)
{
	CHECK(savename_check("/etc/{index}", err, sizeof(err)) < 0);
	CHECK(savename_check("{index", err, sizeof(err)) == 0);
	CHECK(savename_check("{nope}", err, sizeof(err)) < 0);
	CHECK(savename_check("../{index}", err, sizeof(err)) < 0);
	CHECK(savename_check("a//{index}", err, sizeof(err)) < 0);
	CHECK(savename_check(".{index}", err, sizeof(err)) < 0);
	CHECK(savename_check("{host}/{index}.{ext}", err, sizeof(err)) == 0);
}

TEST(extensions)
{
	CHECK_STR(savename_ext("application/json"), "json");
	CHECK_STR(savename_ext("IMAGE/PNG"), "png");
	CHECK_STR(savename_ext("text/plain;charset=x"), "txt");
	CHECK_STR(savename_ext("application/x-unknown"), "bin");
	CHECK_STR(savename_ext(NULL), "bin");
	CHECK_STR(savename_ext("text/htmlx"), "bin");
}

int
main(void)
{
	RUN(placeholders);
	RUN(hostile_paths_stay_inside);
	RUN(lengths_are_bounded);
	RUN(bad_templates);
	RUN(extensions);
	return unit_done("test_savename");
}
