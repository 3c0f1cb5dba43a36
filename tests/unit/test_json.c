/* test_json.c: the JSON text module: strings from any bytes, UTF-8
 * validity, base64, and the strict minifier with its member positions. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "util.h"
#include "unit.h"

/* json_add_string(s) as a C string. */
static const char *
jstr(const char *s, size_t n)
{
	static struct buf	b;

	if (s == NULL) {
		buf_free(&b);
		return NULL;
	}
	buf_reset(&b);
	json_add_string(&b, s, n);
	return b.data;
}

TEST(json_strings_escape_quotes_backslashes_and_controls)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*want;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "\"\\/", 3, "\"\\\"\\\\/\"" },
		{ "\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"" },
		{ "\0", 1, "\"\\u0000\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		/* Unicode table 3-8: one U+FFFD per maximal subpart. */
		{ "a\xf1\x80\x80\xe1\x80\xc2" "b\x80" "c\x80\xbf" "d", 13,
		    "\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd"
		    "c\xef\xbf\xbd\xef\xbf\xbd" "d\"" },
		/* Overlongs and surrogates: each byte replaced. */
		{ "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xe0\x80\xaf", 3,
		    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xed\xa0\x80", 3,
		    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xf4\x90\x80\x80", 4, "\"\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd\"" },
		/* Truncated at the end. */
		{ "x\xf0\x9f\x98", 4, "\"x\xef\xbf\xbd\"" },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(jstr(cases[i].in, cases[i].n), cases[i].want);
		if (strcmp(jstr(cases[i].in, cases[i].n), cases[i].want))
			fprintf(stderr, "  case %zu\n", i);
	}
	(void)jstr(NULL, 0);
}

/* A small deterministic generator for the random tests. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

TEST(json_strings_of_arbitrary_bytes_are_valid_json)
{
	struct buf	 b, in;
	cJSON		*j;
	size_t		 len;
	int		 i, k;

	buf_init(&b);
	buf_init(&in);
	for (i = 0; i < 2000; i++) {
		buf_reset(&in);
		len = rng() % (i < 1900 ? 40 : 20000);
		for (k = 0; k < (int)len; k++) {
			/* Mostly ASCII text, some high and control bytes. */
			uint32_t r = rng();
			buf_addc(&in, (char)(r % 4 ? 0x20 + (r >> 8) % 0x60 :
			    (r >> 8) & 0xff));
		}
		buf_reset(&b);
		json_add_string(&b, in.data, in.len);
		CHECK(utf8_valid(b.data, b.len));
		j = cJSON_ParseWithLength(b.data, b.len);
		CHECK(cJSON_IsString(j));
		/* Valid UTF-8 without NUL survives the round trip. */
		if (j != NULL && utf8_valid(in.data, in.len) &&
		    memchr(in.data, '\0', in.len) == NULL)
			CHECK(strcmp(j->valuestring, in.data) == 0);
		cJSON_Delete(j);
	}
	buf_free(&b);
	buf_free(&in);
}

TEST(utf8_validity)
{
	static const struct {
		const char	*s;
		size_t		 n;
		int		 valid;
	} cases[] = {
		{ "", 0, 1 },
		{ "ascii only, longer than eight bytes", 35, 1 },
		{ "a\0b", 3, 1 },
		{ "\xc2\x80\xdf\xbf", 4, 1 },
		{ "\xe0\xa0\x80\xef\xbf\xbf", 6, 1 },
		{ "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8, 1 },
		{ "\xed\x9f\xbf\xee\x80\x80", 6, 1 },
		{ "\x80", 1, 0 },
		{ "\xc0\x80", 2, 0 },		/* overlong NUL */
		{ "\xc1\xbf", 2, 0 },
		{ "\xe0\x9f\xbf", 3, 0 },	/* overlong */
		{ "\xed\xa0\x80", 3, 0 },	/* surrogate */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },	/* overlong */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* above U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 },
		{ "\xc3", 1, 0 },		/* truncated */
		{ "12345678\xe2\x82", 10, 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(utf8_valid(cases[i].s, cases[i].n) == cases[i].valid);
		if (utf8_valid(cases[i].s, cases[i].n) != cases[i].valid)
			fprintf(stderr, "  case %zu\n", i);
	}
}

TEST(base64_matches_rfc4648_vectors)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		buf_adds(&b, "<");
		base64_add(&b, (const unsigned char *)cases[i].in,
		    strlen(cases[i].in));
		CHECK_STR(b.data + 1, cases[i].want);
		CHECK(b.len == 1 + strlen(cases[i].want));
	}
	buf_reset(&b);
	base64_add(&b, (const unsigned char *)"\xff\xfe\x00\xfb\xef", 5);
	CHECK_STR(b.data, "//4A++8=");
	buf_free(&b);
}

/* The minified text of s, or NULL when json_minify() rejects it; checks
 * that a rejection leaves the buffer as it was. */
static const char *
minify(const char *s)
{
	static struct buf	b;

	if (s == NULL) {
		buf_free(&b);
		return NULL;
	}
	buf_reset(&b);
	buf_adds(&b, "keep");
	if (json_minify(&b, s, strlen(s)) == -1) {
		CHECK(b.len == 4 && strcmp(b.data, "keep") == 0);
		return NULL;
	}
	CHECK(strncmp(b.data, "keep", 4) == 0);
	return b.data + 4;
}

TEST(json_minify_accepts_rfc8259_documents)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "0", "0" },
		{ "-0", "-0" },
		{ " 1.0e+10 ", "1.0e+10" },
		{ "-12.5E-3", "-12.5E-3" },
		{ "123456789012345678901234567890",
		    "123456789012345678901234567890" },
		{ "true", "true" },
		{ "false", "false" },
		{ "\tnull\r\n", "null" },
		{ "\"\"", "\"\"" },
		{ "\"a b\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
		    "\"a b\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"" },
		{ "\"\xc3\xa9\xf0\x9f\x98\x80\x7f\"",
		    "\"\xc3\xa9\xf0\x9f\x98\x80\x7f\"" },
		{ "[]", "[]" },
		{ "{}", "{}" },
		{ "[ ]", "[]" },
		{ "{ }", "{}" },
		{ " [ 1 , [ ] , { } , \"x\" ] ", "[1,[],{},\"x\"]" },
		{ "{ \"a\" : { \"b\" : [ null ] } , \"\" : 0 }",
		    "{\"a\":{\"b\":[null]},\"\":0}" },
		/* Duplicate keys are valid JSON; kept as they are. */
		{ "{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}" },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(minify(cases[i].in), cases[i].want);
		if (minify(cases[i].in) == NULL ||
		    strcmp(minify(cases[i].in), cases[i].want) != 0)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].in);
	}
}

TEST(json_minify_rejects_what_is_not_one_json_document)
{
	static const char *const cases[] = {
		"", " ", "x", "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]",
		"{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{1:1}",
		"{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1}", "{\"a\":1]",
		"01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "1.5.3",
		"NaN", "Infinity", "-Infinity", "tru", "nul", "True", "nulll",
		"'a'", "\"abc", "\"a\\\"", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "\"\\U0041\"",
		"\"\t\"", "\"\n\"", "\"\x01\"",		/* raw controls */
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		/* Lone surrogate escapes: see json_string(). */
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"\\ud800x\"", "\"\\uDBFF\\uDBFF\"",
		"{} x", "[] []", "1 2", "\"a\" \"b\"", "null,",
		"\xef\xbb\xbf{}",			/* BOM */
		"\x0b[]", "\f[]", "[]\f",		/* not JSON space */
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(minify(cases[i]) == NULL);
		if (minify(cases[i]) != NULL)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i]);
	}
	/* A NUL byte anywhere. */
	{
		struct buf b;

		buf_init(&b);
		CHECK(json_minify(&b, "[1]\0", 4) == -1);
		CHECK(json_minify(&b, "\"\0\"", 3) == -1);
		CHECK(b.len == 0);
		CHECK(json_minify(&b, "[1]", 3) == 0);
		CHECK_STR(b.data, "[1]");
		buf_free(&b);
	}
}

/* depth levels of "[" then "]", or of {"a": ... } when obj. */
static char *
nested(int depth, int obj)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	for (i = 0; i < depth; i++)
		buf_adds(&b, obj ? "{\"a\":" : "[");
	buf_adds(&b, "1");
	for (i = 0; i < depth; i++)
		buf_adds(&b, obj ? "}" : "]");
	return b.data;
}

TEST(json_minify_limits_nesting_to_256)
{
	static const struct {
		int	depth;
		int	ok;
	} cases[] = {
		{ 1, 1 }, { 200, 1 }, { 256, 1 }, { 257, 0 }, { 300, 0 },
		{ 100000, 0 },
	};
	size_t	 i;
	char	*s;
	int	 obj;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (obj = 0; obj <= 1; obj++) {
			s = nested(cases[i].depth, obj);
			CHECK((minify(s) != NULL) == cases[i].ok);
			if (cases[i].ok)
				CHECK_STR(minify(s), s);
			free(s);
		}
	}
	(void)minify(NULL);
}

TEST(json_minify_output_always_parses)
{
	static const char *const seeds[] = {
		"{\"a\": [1, 2.5e3, {\"b\": null}], \"c\": \"\\u00e9x\"}",
		"[true, false, \"s\\n\", -0.1, {}]",
	};
	struct buf	 in, out;
	cJSON		*j;
	size_t		 s, pos;
	int		 i, accepted = 0;

	buf_init(&in);
	buf_init(&out);
	for (i = 0; i < 20000; i++) {
		s = (size_t)i % 2;
		buf_reset(&in);
		buf_adds(&in, seeds[s]);
		/* One or two random byte changes. */
		pos = rng() % in.len;
		in.data[pos] = (char)(rng() % 3 ? " ,:[]{}\"\\0e-."[rng() %
		    14] : (char)rng());
		if (rng() % 2)
			in.data[rng() % in.len] = (char)(rng() % 128);
		buf_reset(&out);
		if (json_minify(&out, in.data, in.len) == -1) {
			CHECK(out.len == 0);
			continue;
		}
		accepted++;
		CHECK(utf8_valid(out.data, out.len));
		j = cJSON_ParseWithLength(out.data, out.len);
		CHECK(j != NULL);
		cJSON_Delete(j);
	}
	CHECK(accepted > 100);
	buf_free(&in);
	buf_free(&out);
}

TEST(json_minify_doc_says_where_each_member_lies)
{
	struct json_member	 m[4];
	struct json_doc		 doc = { .members = m, .max = 4 };
	struct buf		 b;
	const char		*s = " { \"a\" : [ 1 , { \"x\" : 2 } ] ,"
	    "\"b\":\"s\\\"\" , \"c\" : {} , \"d\":12345678901234567 ,"
	    "\"e\": null } ";

	buf_init(&b);
	buf_adds(&b, "xx");	/* offsets count from the buffer's start */
	CHECK(json_minify_doc(&b, s, strlen(s), &doc) == 0);
	CHECK(doc.n == 5 && !doc.has_nul);
	CHECK(m[0].key == 3 && m[0].key_len == 3);
	CHECK(strncmp(b.data + m[0].value, "[1,{\"x\":2}]",
	    m[0].value_len) == 0 && m[0].value_len == 11);
	CHECK(strncmp(b.data + m[1].value, "\"s\\\"\"", m[1].value_len) ==
	    0 && m[1].value_len == 5);
	CHECK(strncmp(b.data + m[2].value, "{}", m[2].value_len) == 0 &&
	    m[2].value_len == 2);
	CHECK(strncmp(b.data + m[3].key, "\"d\"", 3) == 0);
	CHECK(strncmp(b.data + m[3].value, "12345678901234567",
	    m[3].value_len) == 0 && m[3].value_len == 17);

	/* No object: no members; \\u0000 is flagged; errors say where. */
	buf_reset(&b);
	CHECK(json_minify_doc(&b, "[1]", 3, &doc) == 0 && doc.n == 0);
	CHECK(json_minify_doc(&b, "\"\\u0000\"", 8, &doc) == 0 &&
	    doc.has_nul);
	CHECK(json_minify_doc(&b, "{\"a\":01}", 9, &doc) == -1 &&
	    doc.error_at == 6 && !doc.trailing);
	CHECK(json_minify_doc(&b, "{} x", 4, &doc) == -1 && doc.trailing &&
	    doc.error_at == 3);
	buf_free(&b);
}

int
main(void)
{
	RUN(json_strings_escape_quotes_backslashes_and_controls);
	RUN(json_strings_of_arbitrary_bytes_are_valid_json);
	RUN(utf8_validity);
	RUN(base64_matches_rfc4648_vectors);
	RUN(json_minify_accepts_rfc8259_documents);
	RUN(json_minify_rejects_what_is_not_one_json_document);
	RUN(json_minify_limits_nesting_to_256);
	RUN(json_minify_output_always_parses);
	RUN(json_minify_doc_says_where_each_member_lies);
	return unit_done(__FILE__);
}
