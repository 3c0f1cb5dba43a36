/* test_robots.c: robots.txt groups, longest match, wildcards, delays. */
#include <string.h>

#include "../../src/robots.h"
#include "../../src/robots_cache.h"
#include "unit.h"

static struct robots r;

static void
parse(const char *text, const char *agent)
{
	robots_parse(&r, text, strlen(text), agent);
}

TEST(test_token)
{
	char t[32];

	robots_token("cofetch/1.2 (+https://x)", t, sizeof(t));
	CHECK_STR(t, "cofetch");
	robots_token("My-Bot_2", t, sizeof(t));
	CHECK_STR(t, "my-bot_");
	robots_token("/1.0", t, sizeof(t));
	CHECK_STR(t, "*");
}

TEST(test_group_for_agent)
{
	parse("User-agent: *\nDisallow: /\n\n"
	    "User-agent: CoFetch\nDisallow: /private\n", "cofetch");
	CHECK(robots_allowed(&r, "/", NULL));
	CHECK(!robots_allowed(&r, "/private/x", NULL));
	parse("User-agent: *\nDisallow: /\n\n"
	    "User-agent: other\nAllow: /\n", "cofetch");
	CHECK(!robots_allowed(&r, "/a", NULL));
	/* The agent's own group replaces "*". */
	parse("User-agent: cofetch/9\nAllow: /\n"
	    "User-agent: *\nDisallow: /\n", "cofetch");
	CHECK(robots_allowed(&r, "/a", NULL));
}

TEST(test_groups_combined)
{
	/* Agent lines in a row share a group; groups naming us combine. */
	parse("User-agent: a\nUser-agent: cofetch\nDisallow: /x\n"
	    "User-agent: b\nDisallow: /y\n"
	    "user-agent: COFETCH\ndisallow: /z # why\n", "cofetch");
	CHECK(!robots_allowed(&r, "/x1", NULL));
	CHECK(robots_allowed(&r, "/y1", NULL));
	CHECK(!robots_allowed(&r, "/z", NULL));
}

TEST(test_longest_match)
{
	const struct robots_rule *rule;

	parse("User-agent: *\nDisallow: /a\nAllow: /a/b\n"
	    "Disallow: /a/b/c\n", "cofetch");
	CHECK(!robots_allowed(&r, "/a/x", &rule));
	CHECK(rule != NULL && strcmp(rule->pattern, "/a") == 0);
	CHECK(robots_allowed(&r, "/a/b/x", NULL));
	CHECK(!robots_allowed(&r, "/a/b/c", NULL));
	/* On a tie Allow wins. */
	parse("User-agent: *\nDisallow: /p\nAllow: /p\n", "cofetch");
	CHECK(robots_allowed(&r, "/p", NULL));
	/* Empty Disallow disallows nothing. */
	parse("User-agent: *\nDisallow:\n", "cofetch");
	CHECK(robots_allowed(&r, "/p", NULL));
	CHECK(r.n == 0);
}

TEST(test_wildcards)
{
	parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /s*q=\n"
	    "Allow: /s*q=ok\n", "cofetch");
	CHECK(!robots_allowed(&r, "/docs/a.pdf", NULL));
	CHECK(robots_allowed(&r, "/docs/a.pdf?x", NULL));
	CHECK(!robots_allowed(&r, "/search?q=x", NULL));
	CHECK(robots_allowed(&r, "/search?q=ok", NULL));
	CHECK(robots_allowed(&r, "/other", NULL));
	parse("User-agent: *\nDisallow: /$\n", "cofetch");
	CHECK(!robots_allowed(&r, "/", NULL));
	CHECK(robots_allowed(&r, "/a", NULL));
}

TEST(test_robots_txt_allowed)
{
	parse("User-agent: *\nDisallow: /\n", "cofetch");
	CHECK(robots_allowed(&r, "/robots.txt", NULL));
	CHECK(!robots_allowed(&r, "/robots.txt?x", NULL));
}

TEST(test_percent)
{
	parse("User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /\xc3\xa4\n",
	    "cofetch");
	CHECK(!robots_allowed(&r, "/caf\xc3\xa9/x", NULL));
	CHECK(!robots_allowed(&r, "/caf%C3%A9", NULL));
	CHECK(!robots_allowed(&r, "/%c3%a4", NULL));
	CHECK(robots_allowed(&r, "/cafe", NULL));
}

TEST(test_crawl_delay)
{
	parse("User-agent: *\nCrawl-delay: 2.5\n", "cofetch");
	CHECK_NEAR(r.crawl_delay, 2.5, 1e-9);
	parse("User-agent: cofetch\nCrawl-delay: 1\n"
	    "User-agent: *\nCrawl-delay: 9\n", "cofetch");
	CHECK_NEAR(r.crawl_delay, 1, 1e-9);
	parse("User-agent: *\nCrawl-delay: soon\n", "cofetch");
	CHECK(r.crawl_delay == 0);
	parse("User-agent: *\nCrawl-delay: 1000000000\n", "cofetch");
	CHECK_NEAR(r.crawl_delay, ROBOTS_MAX_DELAY, 1e-9);
	parse("User-agent: *\nCrawl-delay: .5\n", "cofetch");
	CHECK_NEAR(r.crawl_delay, 0.5, 1e-9);
	/* Seconds are DIGITS[.DIGITS], as on the command line: strtod's
	 * other syntaxes leave the line unread. */
	{
		static const char *const bad[] = { "-1", "1e9", "1e2", "0x10",
		    "+5", "inf", "nan", "5.", "5 s", "1,5", "" };
		size_t i;
		char text[64];

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			(void)snprintf(text, sizeof(text),
			    "User-agent: *\nCrawl-delay: %s\n", bad[i]);
			parse(text, "cofetch");
			CHECK(r.crawl_delay == 0);
		}
	}
}

TEST(test_odd_text)
{
	/* CR line ends, no final newline, junk lines, rules before any
	 * agent, NUL bytes. */
	static const char t[] = "Disallow: /early\rjunk\r\n"
	    "User-agent: *\rDisallow: /x\0y\rSitemap: http://s/\r"
	    "Disallow: /z";

	robots_parse(&r, t, sizeof(t) - 1, "cofetch");
	CHECK(robots_allowed(&r, "/early", NULL));
	CHECK(!robots_allowed(&r, "/z", NULL));
	parse("", "cofetch");
	CHECK(robots_allowed(&r, "/", NULL));
}

TEST(test_cache_lru)
{
	struct robots_entry *e, *first, *pinned;
	char key[64];
	int i;

	robots_cache_setup("cofetch/1.0");
	first = robots_cache_get("http://h0:80");
	CHECK(first->state == ROBOTS_NEW);
	robots_cache_set(first, "User-agent: cofetch\nDisallow: /x\n", 33);
	CHECK(first->state == ROBOTS_READY);
	CHECK(!robots_allowed(&first->rules, "/x", NULL));
	robots_cache_put(first);
	pinned = robots_cache_get("http://pinned:80");
	/* Met again: the same entry, still known. */
	e = robots_cache_get("http://h0:80");
	CHECK(e == first && e->state == ROBOTS_READY);
	robots_cache_put(e);
	for (i = 1; i <= ROBOTS_CACHE_MAX + 10; i++) {
		(void)snprintf(key, sizeof(key), "http://h%d:80", i);
		e = robots_cache_get(key);
		robots_cache_set(e, NULL, 0);
		robots_cache_put(e);
	}
	/* The least recently used went; a pinned one stays. */
	e = robots_cache_get("http://h0:80");
	CHECK(e->state == ROBOTS_NEW);
	robots_cache_put(e);
	CHECK(pinned->state == ROBOTS_NEW && pinned->refs == 1);
	robots_cache_put(pinned);
	robots_cache_free_all();
}

int
main(void)
{
	RUN(test_token);
	RUN(test_group_for_agent);
	RUN(test_groups_combined);
	RUN(test_longest_match);
	RUN(test_wildcards);
	RUN(test_robots_txt_allowed);
	RUN(test_percent);
	RUN(test_crawl_delay);
	RUN(test_odd_text);
	RUN(test_cache_lru);
	robots_free(&r);
	return unit_done("test_robots");
}
