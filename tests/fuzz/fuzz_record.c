/* fuzz_record.c: libFuzzer target for record_encode() with arbitrary
 * response data, and for the JSON helpers of json.h on arbitrary bytes.
 *
 * Input: 8 bytes of fields, then the url, the raw header text and the body,
 * separated by "\n@@\n" (the body is everything after the second one; a
 * missing part is empty):
 *   byte 0	flags: bits 0-1 status (none, 200, bytes 2-3, 404), bit 2
 *		final_url, content_type and remote_ip from the url bytes,
 *		bit 3 a saved file, bit 4 an id (the body minified if it is
 *		strict JSON, else the header text as a JSON string: what the
 *		parser hands over), bit 5 times from bytes 0-7 as a double,
 *		bit 6 a negative size, bit 7 the request is an invalid line
 *		(its error replaces the result's, as result_invalid() does)
 *   byte 1	error kind (low 4 bits; bit 0 also: an invalid line is
 *		invalid_url, a valid one has a method and a body),
 *		http_version (high 3 bits)
 *   bytes 2-3	status when bits 0-1 say so (little endian)
 *   bytes 4-7	size, redirects, attempts
 * The error message is the url bytes too.
 *
 * Checked, for each --body mode (--headers on but with text; --save with
 * --body=none, and with every mode when bit 3 is set): the record is one
 * line of valid UTF-8 JSON with the SPEC keys (fuzz_check.c); status, ok
 * and error say what the result holds; "headers" is what a plain reading
 * of the raw header text gives (brief point 4); "body" and "body_encoding"
 * follow brief points 2 and 3, a JSON body being embedded minified byte
 * for byte. On the raw
 * parts: utf8_valid() agrees with a reference decoder, json_add_string()
 * gives a JSON string that decodes to the input (when it is UTF-8),
 * base64_add() decodes back, and json_minify() accepts exactly the strict
 * JSON documents at most 256 deep, giving their minified text, no longer
 * than the input, that cJSON parses. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "kind.h"
#include "opts.h"
#include "record.h"
#include "redact.h"
#include "request.h"
#include "util.h"
#include "fuzz_check.h"

#define SEP		"\n@@\n"
#define SEPLEN		4
#define MINIFY_DEPTH	256	/* json_strict.c: json_minify() */
#define REF_FIELDS_MAX	1024	/* header fields checked one by one */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct part {
	const char	*s;
	size_t		 n;
};

/* One header field as the reference reads it. */
struct field {
	const char	*name;
	size_t		 namelen;
	struct buf	 value;		/* lines trimmed, joined with ' ' */
	int		 head;		/* first field of its name */
};

static int
clean(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && ref_utf8_valid(s, n);
}

/* True when the C string decoded (from cJSON) is raw[0..n), which is
 * valid UTF-8: cJSON's strings end at a decoded NUL. */
static int
same_text(const char *decoded, const char *raw, size_t n)
{
	const char	*nul = memchr(raw, '\0', n);

	if (nul != NULL)
		n = (size_t)(nul - raw);
	return strlen(decoded) == n && memcmp(decoded, raw, n) == 0;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
name_eq(const struct field *a, const struct field *b)
{
	size_t	i;

	if (a->namelen != b->namelen)
		return 0;
	for (i = 0; i < a->namelen; i++)
		if (lower((unsigned char)a->name[i]) !=
		    lower((unsigned char)b->name[i]))
			return 0;
	return 1;
}

static int
hws(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Add the trimmed line a[0..n) to a field's value. */
static void
value_add(struct buf *v, const char *a, size_t n)
{
	while (n > 0 && hws(a[0])) {
		a++;
		n--;
	}
	while (n > 0 && hws(a[n - 1]))
		n--;
	if (n == 0)
		return;
	if (v->len > 0)
		buf_addc(v, ' ');
	buf_add(v, a, n);
}

/* The fields of the last response in raw[0..n): its block starts after the
 * last line that begins with "HTTP/" (a status line); "Name: value"
 * lines, lines starting with a space or tab continuing the field above.
 * Returns how many (at most max), -1 when there are more. */
static long
ref_headers(const char *raw, size_t n, struct field *f, size_t max,
    const char **block, size_t *blocklen)
{
	const char	*p = raw, *end = raw + n, *le, *colon, *b;
	size_t		 nf = 0, i, j;
	int		 folding = 0;

	for (i = 1; i < n; i++) {
		if (raw[i - 1] == '\n' && n - i >= 5 &&
		    memcmp(raw + i, "HTTP/", 5) == 0)
			p = raw + i;
	}
	*block = p;
	*blocklen = (size_t)(end - p);
	for (; p < end; p = le < end ? le + 1 : end) {
		le = memchr(p, '\n', (size_t)(end - p));
		if (le == NULL)
			le = end;
		if (le > p && (*p == ' ' || *p == '\t')) {
			if (folding)
				value_add(&f[nf - 1].value, p,
				    (size_t)(le - p));
			continue;
		}
		folding = 0;
		if (le - p >= 5 && memcmp(p, "HTTP/", 5) == 0)
			continue;
		if ((colon = memchr(p, ':', (size_t)(le - p))) == NULL)
			continue;
		for (b = colon; b > p && hws(b[-1]); b--)
			;
		if (b == p)
			continue;
		if (nf == max) {
			for (j = 0; j < nf; j++)
				buf_free(&f[j].value);
			return -1;
		}
		f[nf].name = p;
		f[nf].namelen = (size_t)(b - p);
		buf_init(&f[nf].value);
		value_add(&f[nf].value, colon + 1, (size_t)(le - colon - 1));
		f[nf].head = 1;
		for (j = 0; j < nf; j++)
			if (f[j].head && name_eq(&f[j], &f[nf]))
				f[nf].head = 0;
		nf++;
		folding = 1;
	}
	return (long)nf;
}

static void
check_headers(const cJSON *h, const struct buf *raw)
{
	static struct field	 f[REF_FIELDS_MAX];
	const cJSON		*it, *v;
	const char		*block;
	size_t			 blocklen, i, j, k, count;
	long			 nf;
	int			 exact;

	FUZZ_CHECK(cJSON_IsObject(h), "headers is not an object");
	nf = ref_headers(raw->data, raw->len, f, REF_FIELDS_MAX, &block,
	    &blocklen);
	if (nf < 0)
		return;
	for (i = 0; i < (size_t)nf; i++)
		if (f[i].value.data == NULL)
			buf_adds(&f[i].value, "");
	exact = clean(block, blocklen);
	it = h->child;
	for (i = 0; i < (size_t)nf; i++) {
		if (!f[i].head)
			continue;
		if (it == NULL) {
			fuzz_show("headers", raw->data, raw->len);
			FUZZ_CHECK(0, "header \"%.*s\" is missing",
			    (int)f[i].namelen, f[i].name);
		}
		if (exact) {
			FUZZ_CHECK(strlen(it->string) == f[i].namelen,
			    "header \"%s\" is not \"%.*s\"", it->string,
			    (int)f[i].namelen, f[i].name);
			for (k = 0; k < f[i].namelen; k++)
				FUZZ_CHECK((unsigned char)it->string[k] ==
				    lower((unsigned char)f[i].name[k]),
				    "header \"%s\" is not \"%.*s\" in lower "
				    "case", it->string, (int)f[i].namelen,
				    f[i].name);
		}
		for (count = 0, j = i; j < (size_t)nf; j++)
			if (name_eq(&f[i], &f[j]))
				count++;
		if (count == 1) {
			FUZZ_CHECK(cJSON_IsString(it), "header \"%s\" has one "
			    "value, not a string", it->string);
			if (exact)
				FUZZ_CHECK(strcmp(it->valuestring,
				    f[i].value.data) == 0, "header \"%s\" is "
				    "\"%s\", not \"%s\"", it->string,
				    it->valuestring, f[i].value.data);
		} else {
			FUZZ_CHECK(cJSON_IsArray(it) &&
			    (size_t)cJSON_GetArraySize(it) == count,
			    "header \"%s\" given %zu times is not an array of "
			    "%zu", it->string, count, count);
			v = it->child;
			for (j = i; j < (size_t)nf; j++) {
				if (!name_eq(&f[i], &f[j]))
					continue;
				FUZZ_CHECK(cJSON_IsString(v), "header \"%s\" "
				    "has a value that is not a string",
				    it->string);
				if (exact)
					FUZZ_CHECK(strcmp(v->valuestring,
					    f[j].value.data) == 0, "header "
					    "\"%s\" has \"%s\", not \"%s\"",
					    it->string, v->valuestring,
					    f[j].value.data);
				v = v->next;
			}
		}
		it = it->next;
	}
	if (it != NULL) {
		fuzz_show("headers", raw->data, raw->len);
		FUZZ_CHECK(0, "header \"%s\" is made up", it->string);
	}
	for (i = 0; i < (size_t)nf; i++)
		buf_free(&f[i].value);
}

static void
check_base64(const char *enc, const char *raw, size_t n)
{
	struct buf	dec;

	buf_init(&dec);
	buf_reserve(&dec, 0);	/* data never NULL */
	FUZZ_CHECK(ref_base64_decode(enc, strlen(enc), &dec) == 0,
	    "not canonical base64");
	FUZZ_CHECK(dec.len == n && memcmp(dec.data, raw, n) == 0,
	    "base64 does not decode to the bytes");
	buf_free(&dec);
}

/* "body" and "body_encoding" of a response (brief points 2 and 3). */
static void
check_body(const cJSON *rec, const struct buf *line, const struct buf *raw,
    enum body_mode mode)
{
	const cJSON	*b = cJSON_GetObjectItemCaseSensitive(rec, "body");
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(rec,
			    "body_encoding");
	const char	*want;
	struct buf	 min, embed;
	cJSON		*j;
	char		*x, *y;

	FUZZ_CHECK(cJSON_IsString(e), "body_encoding is not a string");
	if (raw->len == 0) {
		FUZZ_CHECK(cJSON_IsString(b) && b->valuestring[0] == '\0' &&
		    strcmp(e->valuestring, "text") == 0,
		    "an empty body is not \"\" as text");
		return;
	}
	buf_init(&min);
	buf_reserve(&min, 0);	/* data never NULL */
	if (mode == BODY_TEXT)
		want = "text";
	else if (mode == BODY_BASE64)
		want = "base64";
	else if (ref_json(raw->data, raw->len, MINIFY_DEPTH, &min) == 0)
		want = "json";
	else if (ref_utf8_valid(raw->data, raw->len))
		want = "text";
	else
		want = "base64";
	if (strcmp(e->valuestring, want) != 0) {
		fuzz_show("body", raw->data, raw->len);
		FUZZ_CHECK(0, "body_encoding is %s, not %s (--body mode %d)",
		    e->valuestring, want, (int)mode);
	}
	if (strcmp(want, "base64") == 0) {
		FUZZ_CHECK(cJSON_IsString(b), "a base64 body is not a string");
		check_base64(b->valuestring, raw->data, raw->len);
	} else if (strcmp(want, "text") == 0) {
		FUZZ_CHECK(cJSON_IsString(b), "a text body is not a string");
		if (ref_utf8_valid(raw->data, raw->len) &&
		    !same_text(b->valuestring, raw->data, raw->len)) {
			fuzz_show("body", raw->data, raw->len);
			FUZZ_CHECK(0, "a UTF-8 text body is not as sent");
		}
	} else {
		/* Embedded minified, byte for byte. */
		buf_init(&embed);
		buf_reserve(&embed, 0);	/* data never NULL */
		buf_adds(&embed, ",\"body\":");
		buf_add(&embed, min.data, min.len);
		buf_adds(&embed, ",\"body_encoding\":\"json\"");
		if (memmem(line->data, line->len, embed.data, embed.len) ==
		    NULL) {
			fuzz_show("body", raw->data, raw->len);
			fuzz_show("record", line->data, line->len);
			FUZZ_CHECK(0, "the JSON body is not embedded minified");
		}
		buf_free(&embed);
		j = cJSON_ParseWithLength(raw->data, raw->len);
		FUZZ_CHECK(j != NULL, "cJSON cannot parse a strict JSON body");
		x = cJSON_PrintUnformatted(j);
		y = cJSON_PrintUnformatted(b);
		FUZZ_CHECK(x != NULL && y != NULL && strcmp(x, y) == 0,
		    "the JSON body is not the body sent");
		cJSON_free(x);
		cJSON_free(y);
		cJSON_Delete(j);
	}
	buf_free(&min);
}

static void
check_number(const cJSON *rec, const char *key, int64_t v)
{
	const cJSON	*it = cJSON_GetObjectItemCaseSensitive(rec, key);

	FUZZ_CHECK(cJSON_IsNumber(it), "%s is not a number", key);
	if (v > -(INT64_C(1) << 53) && v < (INT64_C(1) << 53))
		FUZZ_CHECK(it->valuedouble == (double)v,
		    "%s is %.17g, not %lld", key, it->valuedouble,
		    (long long)v);
}

static void
check_encode(const struct request *req, const struct result *res,
    enum body_mode mode, int save)
{
	struct opts	 o;
	struct buf	 out;
	cJSON		*rec, *it, *err;
	const char	*msg;
	int		 ok, responded = res->status > 0;
	char		*a;
	double		 d;

	memset(&o, 0, sizeof o);
	o.body = mode;
	o.headers_out = mode != BODY_TEXT;
	o.save_dir = save ? "saved" : NULL;
	buf_init(&out);
	record_encode(&out, req, res, &o);
	rec = check_record(out.data, out.len, req->id != NULL, o.headers_out,
	    mode != BODY_NONE, save);

	if (req->id != NULL) {
		/* The id's text, byte for byte, right after the index. */
		a = strstr(out.data, ",\"id\":");
		FUZZ_CHECK(a != NULL && strncmp(a + 6, req->id, req->id_len) ==
		    0, "record id is not the request's text");
	}
	it = cJSON_GetObjectItemCaseSensitive(rec, "url");
	FUZZ_CHECK(cJSON_IsString(it), "url is not a string");
	if (req->url != NULL && ref_utf8_valid(req->url, strlen(req->url))) {
		/* The URL as written, but a password shown as "***". */
		char *masked = redact_url(req->url);

		FUZZ_CHECK(strcmp(it->valuestring,
		    masked ? masked : req->url) == 0,
		    "record url is not the request's");
		free(masked);
	}

	ok = res->kind == KIND_NONE;
	FUZZ_CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "ok")) ==
	    ok, "ok is not %d", ok);
	it = cJSON_GetObjectItemCaseSensitive(rec, "status");
	if (responded)
		check_number(rec, "status", res->status);
	else
		FUZZ_CHECK(cJSON_IsNull(it), "status %ld is not null",
		    res->status);
	check_number(rec, "size", res->size);
	check_number(rec, "redirects", res->redirects);
	check_number(rec, "attempts", res->attempts);
	it = cJSON_GetObjectItemCaseSensitive(rec, "elapsed");
	d = res->elapsed;
	if (isfinite(d) && d >= 0 && d < 1e9)
		FUZZ_CHECK(cJSON_IsNumber(it) &&
		    fabs(it->valuedouble - d) <= 0.6e-6 + d * 1e-15,
		    "elapsed %.9f is %.9f", d, it->valuedouble);

	err = cJSON_GetObjectItemCaseSensitive(rec, "error");
	if (!ok) {
		it = cJSON_GetObjectItemCaseSensitive(err, "kind");
		FUZZ_CHECK(cJSON_IsString(it) && kind_parse(it->valuestring) ==
		    (int)res->kind, "error kind is wrong");
		msg = res->message;
		if (msg[0] == '\0')
			msg = kind_name(res->kind);
		it = cJSON_GetObjectItemCaseSensitive(err, "message");
		FUZZ_CHECK(cJSON_IsString(it), "error message not a string");
		if (ref_utf8_valid(msg, strlen(msg)))
			FUZZ_CHECK(strcmp(it->valuestring, msg) == 0,
			    "error message is \"%s\", not \"%s\"",
			    it->valuestring, msg);
	}

	if (o.headers_out) {
		it = cJSON_GetObjectItemCaseSensitive(rec, "headers");
		if (responded)
			check_headers(it, &res->headers);
		else
			FUZZ_CHECK(cJSON_IsNull(it),
			    "headers with no response");
	}
	if (mode != BODY_NONE) {
		if (responded)
			check_body(rec, &out, &res->body, mode);
		else
			FUZZ_CHECK(cJSON_IsNull(
			    cJSON_GetObjectItemCaseSensitive(rec, "body")) &&
			    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rec,
			    "body_encoding")), "body with no response");
	}
	if (save) {
		it = cJSON_GetObjectItemCaseSensitive(rec, "file");
		if (res->file == NULL)
			FUZZ_CHECK(cJSON_IsNull(it), "file from nowhere");
		else
			FUZZ_CHECK(cJSON_IsString(it) &&
			    (strcmp(it->valuestring, res->file) == 0 ||
			    !ref_utf8_valid(res->file, strlen(res->file))),
			    "file is not the result's");
	}
	cJSON_Delete(rec);
	buf_free(&out);
}

/* The helpers of record.h on one part. */
static void
check_helpers(const struct part *p)
{
	struct buf	 out, dec, ref;
	cJSON		*j;
	size_t		 i;
	int		 rc, refrc, v;

	v = utf8_valid(p->s, p->n);
	if (v != ref_utf8_valid(p->s, p->n)) {
		fuzz_show("bytes", p->s, p->n);
		FUZZ_CHECK(0, "utf8_valid() says %d", v);
	}

	/* json_add_string(): a JSON string of the bytes. */
	buf_init(&out);
	buf_adds(&out, "ab");
	json_add_string(&out, p->s, p->n);
	FUZZ_CHECK(memcmp(out.data, "ab", 2) == 0 &&
	    out.data[out.len] == '\0', "json_add_string() broke the buffer");
	if (out.len < 4 || out.data[2] != '"' || out.data[out.len - 1] != '"' ||
	    ref_json(out.data + 2, out.len - 2, 0, NULL) != 0 ||
	    memchr(out.data, '\n', out.len) != NULL) {
		fuzz_show("bytes", p->s, p->n);
		fuzz_show("json_add_string", out.data + 2, out.len - 2);
		FUZZ_CHECK(0, "json_add_string() gives no JSON string");
	}
	j = cJSON_ParseWithLength(out.data + 2, out.len - 2);
	FUZZ_CHECK(cJSON_IsString(j), "cJSON does not read a string from "
	    "json_add_string()");
	cJSON_Delete(j);
	buf_init(&dec);
	buf_reserve(&dec, 0);	/* data never NULL */
	ref_json_unescape(out.data + 3, out.len - 4, &dec);
	if (v && (dec.len != p->n || memcmp(dec.data, p->s, p->n) != 0)) {
		fuzz_show("bytes", p->s, p->n);
		fuzz_show("json_add_string", out.data + 2, out.len - 2);
		FUZZ_CHECK(0, "json_add_string() changed valid UTF-8");
	}
	FUZZ_CHECK(v || dec.len != p->n || memcmp(dec.data, p->s, p->n) != 0,
	    "invalid UTF-8 came through json_add_string()");
	buf_free(&dec);
	buf_free(&out);

	/* base64_add(): padded, and decodes back. */
	buf_init(&out);
	buf_addc(&out, '=');
	base64_add(&out, (const unsigned char *)p->s, p->n);
	FUZZ_CHECK(out.data[0] == '=' && out.len == 1 + (p->n + 2) / 3 * 4 &&
	    out.data[out.len] == '\0', "base64_add() length or buffer");
	check_base64(out.data + 1, p->s, p->n);
	buf_free(&out);

	/* json_minify(): exactly the strict documents, minified. */
	buf_init(&out);
	buf_init(&ref);
	buf_reserve(&ref, 0);	/* data never NULL */
	buf_adds(&out, "keep");
	rc = json_minify(&out, p->s, p->n);
	refrc = ref_json(p->s, p->n, MINIFY_DEPTH, &ref);
	if (rc != refrc) {
		fuzz_show("bytes", p->s, p->n);
		FUZZ_CHECK(0, "json_minify() returns %d, the reference %d", rc,
		    refrc);
	}
	FUZZ_CHECK(out.len >= 4 && memcmp(out.data, "keep", 4) == 0 &&
	    out.data[out.len] == '\0', "json_minify() broke the buffer");
	if (rc == 0) {
		if (out.len - 4 != ref.len ||
		    memcmp(out.data + 4, ref.data, ref.len) != 0) {
			fuzz_show("bytes", p->s, p->n);
			fuzz_show("json_minify", out.data + 4, out.len - 4);
			fuzz_show("reference", ref.data, ref.len);
			FUZZ_CHECK(0, "json_minify() output is not minified");
		}
		FUZZ_CHECK(out.len - 4 <= p->n, "json_minify() made it longer");
		j = cJSON_ParseWithLength(out.data + 4, out.len - 4);
		FUZZ_CHECK(j != NULL,
		    "cJSON cannot parse json_minify() output");
		cJSON_Delete(j);
		for (i = 4; i < out.len; i++)
			FUZZ_CHECK(out.data[i] != '\n', "newline in minified");
	} else
		FUZZ_CHECK(out.len == 4, "a failed json_minify() left output");
	buf_free(&ref);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = {
		NULL, "1.0", "1.1", "2", "3", NULL, NULL, NULL
	};
	struct request	 req;
	struct result	 res;
	struct part	 url, hdr, body;
	struct buf	 idb;
	unsigned char	 f[8] = { 0 };
	const char	*s, *e, *sep;
	char		*urlz;
	int		 mode;
	double		 d;
	int64_t		 v;

	memcpy(f, data, size < 8 ? size : 8);
	s = (const char *)data + (size < 8 ? size : 8);
	e = (const char *)data + size;
	url.s = s;
	if ((sep = memmem(s, (size_t)(e - s), SEP, SEPLEN)) == NULL)
		sep = e;
	url.n = (size_t)(sep - s);
	s = sep < e ? sep + SEPLEN : e;
	hdr.s = s;
	if ((sep = memmem(s, (size_t)(e - s), SEP, SEPLEN)) == NULL)
		sep = e;
	hdr.n = (size_t)(sep - s);
	body.s = sep < e ? sep + SEPLEN : e;
	body.n = (size_t)(e - body.s);

	check_helpers(&url);
	check_helpers(&hdr);
	check_helpers(&body);

	urlz = xstrndup(url.s, url.n);
	request_init(&req);
	req.index = (uint64_t)f[4] << 56 | (uint64_t)f[5] << 8 | f[6];
	req.url = xstrdup(urlz);
	if (f[0] & 0x80) {
		req.invalid = (f[1] & 1) ? KIND_INVALID_URL :
		    KIND_INVALID_INPUT;
		(void)snprintf(req.message, sizeof req.message, "%s", urlz);
	}
	if (f[0] & 0x10) {
		/* What the parser hands over: strict JSON, minified. */
		buf_init(&idb);
		if (json_minify(&idb, body.s, body.n) < 0)
			json_add_string(&idb, hdr.s, hdr.n);
		req.id_len = idb.len;
		req.id = idb.data;	/* the request owns it now */
	}
	if ((f[1] & 1) && !(f[0] & 0x80)) {
		req.method = xstrdup("PUT");
		req.body = xstrdup("b");
		req.body_len = 1;
	}

	result_init(&res);
	res.kind = (enum kind)((f[1] & 0x1f) % KIND_COUNT); /* every kind */
	(void)snprintf(res.message, sizeof res.message, "%s", urlz);
	if (req.invalid != KIND_NONE)
		result_invalid(&res, &req);
	switch (f[0] & 3) {
	case 0:
		res.status = 0;
		break;
	case 1:
		res.status = 200;
		break;
	case 2:
		res.status = (long)(f[2] | f[3] << 8);
		break;
	default:
		res.status = 404;
		break;
	}
	res.http_version = versions[f[1] >> 5];
	if (f[0] & 0x04) {
		res.final_url = xstrdup(urlz);
		res.content_type = xstrdup(urlz);
		(void)snprintf(res.remote_ip, sizeof res.remote_ip, "%s", urlz);
	}
	if (f[0] & 0x08)
		res.file = xstrdup(urlz);
	v = (int64_t)((uint64_t)f[4] << 24 | (uint64_t)f[5] << 16 |
	    (uint64_t)f[6] << 8 | f[7]);
	res.size = (f[0] & 0x40) ? -v * 65536 - 1 : v;
	res.redirects = f[5];
	res.attempts = f[6];
	if (f[0] & 0x20) {
		memcpy(&d, f, sizeof d);
		res.t_dns = d;
		res.t_connect = -d;
		res.t_tls = d * 1e6;
		res.t_ttfb = d / 1e6;
		res.t_total = d * d;
		res.elapsed = d;
	} else {
		res.t_dns = f[2] / 1000.0;
		res.t_total = v / 1e6;
		res.elapsed = v / 1e3;
	}
	buf_add(&res.headers, hdr.s, hdr.n);
	buf_add(&res.body, body.s, body.n);

	for (mode = BODY_NONE; mode <= BODY_JSON; mode++)
		check_encode(&req, &res, (enum body_mode)mode,
		    mode == BODY_NONE || (f[0] & 0x08));

	result_free(&res);
	request_free(&req);
	free(urlz);
	return 0;
}
