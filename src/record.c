/* record.c: a request's outcome (struct result, filled by the transfer and
 * the task) and its encoding as one JSON line (SPEC "Output records").
 *
 * The record is written by hand straight into the output buffer: this
 * runs once per request, so it builds no tree and allocates nothing
 * beyond the buffer's growth. The JSON text helpers are json.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "json.h"
#include "msg.h"
#include "record.h"
#include "redact.h"

#define ADD_LIT(out, s)	buf_add((out), (s), sizeof(s) - 1)

void
result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->headers);
	buf_init(&r->body);
}

void
result_free(struct result *r)
{
	free(r->final_url);
	free(r->content_type);
	free(r->file);
	buf_free(&r->headers);
	buf_free(&r->body);
	result_init(r);
}

void
result_invalid(struct result *res, const struct request *req)
{
	result_init(res);
	res->kind = req->invalid;
	(void)snprintf(res->message, sizeof(res->message), "%s",
	    req->message);
}

void
result_reset(struct result *r)
{
	struct buf	headers = r->headers, body = r->body;
	long		attempts = r->attempts;
	double		elapsed = r->elapsed;

	free(r->final_url);
	free(r->content_type);
	free(r->file);
	memset(r, 0, sizeof(*r));
	r->headers = headers;
	r->body = body;
	/* An attempt with a big body does not keep its memory. */
	buf_shrink(&r->headers, 64 * 1024);
	buf_shrink(&r->body, 64 * 1024);
	r->attempts = attempts;
	r->elapsed = elapsed;
}

static void
add_u64(struct buf *out, uint64_t v)
{
	char	tmp[20], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void
add_i64(struct buf *out, int64_t v)
{
	if (v < 0) {
		buf_addc(out, '-');
		add_u64(out, 0 - (uint64_t)v);
	} else
		add_u64(out, (uint64_t)v);
}

/* Seconds as "%.6f". Durations are never negative or non-finite; should
 * a clock step make one so, print 0 rather than invalid JSON. */
static void
add_seconds(struct buf *out, double x)
{
	uint64_t	us;
	char		frac[6];
	int		i;

	if (!isfinite(x) || x < 0)
		x = 0;
	if (x >= 1e12) {
		buf_addf(out, "%.6f", x);
		return;
	}
	us = (uint64_t)(x * 1e6 + 0.5);
	add_u64(out, us / 1000000);
	us %= 1000000;
	for (i = 5; i >= 0; i--) {
		frac[i] = (char)('0' + us % 10);
		us /= 10;
	}
	buf_addc(out, '.');
	buf_add(out, frac, sizeof(frac));
}

static void
add_string_or_null(struct buf *out, const char *s)
{
	if (s == NULL)
		ADD_LIT(out, "null");
	else
		json_add_string(out, s, strlen(s));
}

/* One field of the response headers: name and value point into the raw
 * header text; the value runs to vend and may span obs-fold lines. */
struct hdr {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	const char	*vend;
	uint32_t	 hash;
	int		 next;		/* next field of this name, or -1 */
	int		 last;		/* first of a name: its last field */
	int		 count;		/* first of a name: how many */
	int		 first;		/* the first field of its name */
};

#define HDR_STACK	64	/* fields handled without allocating */

static int
hdr_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
hdr_name_eq(const struct hdr *a, const struct hdr *b)
{
	size_t	i;
	char	x, y;

	if (a->namelen != b->namelen)
		return 0;
	for (i = 0; i < a->namelen; i++) {
		x = a->name[i];
		y = b->name[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

/* The value as one JSON string: each line trimmed, obs-fold lines joined
 * with one space. */
static void
hdr_add_value(struct buf *out, const struct hdr *h)
{
	const char	*p = h->value, *le, *a, *b;
	int		 any = 0;

	buf_addc(out, '"');
	while (p < h->vend) {
		le = memchr(p, '\n', (size_t)(h->vend - p));
		if (le == NULL)
			le = h->vend;
		a = p;
		b = le;
		while (a < b && hdr_ws(*a))
			a++;
		while (b > a && hdr_ws(b[-1]))
			b--;
		if (a < b) {
			if (any)
				buf_addc(out, ' ');
			json_add_text(out, a, (size_t)(b - a), JSON_ESCAPE);
			any = 1;
		}
		if (le == h->vend)
			break;
		p = le + 1;
	}
	buf_addc(out, '"');
}

/* The raw header lines as a JSON object (cofetch(1), OUTPUT FORMAT,
 * "headers"). Only the block after the last status line counts, should
 * the buffer hold more than one response. */
static void
headers_add(struct buf *out, const struct buf *raw)
{
	struct hdr	 hstack[HDR_STACK], *h = hstack, *f;
	int		 tstack[HDR_STACK * 2], *table = tstack;
	const char	*p, *end, *le, *colon, *a, *b;
	size_t		 nlines = 1, nslots, i, slot;
	int		 nh = 0, j, k, folding = 0, any = 0;

	p = raw->data;
	end = p + raw->len;
	if (raw->len == 0) {
		ADD_LIT(out, "{}");
		return;
	}
	for (le = p; (le = memchr(le, '\n', (size_t)(end - le))) != NULL;
	    le++) {
		nlines++;
		if (end - (le + 1) >= 5 && memcmp(le + 1, "HTTP/", 5) == 0) {
			p = le + 1;
			nlines = 1;
		}
	}
	for (nslots = 2; nslots < nlines * 2; nslots *= 2)
		;
	if (nlines > HDR_STACK) {
		h = xmalloc(nlines * sizeof(*h));
		table = xmalloc(nslots * sizeof(*table));
	}
	for (i = 0; i < nslots; i++)
		table[i] = -1;

	for (; p < end; p = le + (le < end)) {
		if ((le = memchr(p, '\n', (size_t)(end - p))) == NULL)
			le = end;
		if (p < le && (*p == ' ' || *p == '\t')) {
			if (folding)
				h[nh - 1].vend = le;	/* obs-fold */
			continue;
		}
		folding = 0;
		colon = memchr(p, ':', (size_t)(le - p));
		if (colon == NULL ||
		    (le - p >= 5 && memcmp(p, "HTTP/", 5) == 0))
			continue;	/* status line, blank or malformed */
		a = p;
		b = colon;
		while (b > a && hdr_ws(b[-1]))
			b--;
		if (a == b)
			continue;
		f = &h[nh];
		f->name = a;
		f->namelen = (size_t)(b - a);
		f->value = colon + 1;
		f->vend = le;
		f->next = -1;
		f->last = nh;
		f->count = 1;
		f->first = 1;
		f->hash = 2166136261u;	/* FNV-1a of the lower-cased name */
		for (; a < b; a++)
			f->hash = (f->hash ^ (unsigned char)((*a >= 'A' &&
			    *a <= 'Z') ? *a + ('a' - 'A') : *a)) * 16777619u;
		for (slot = f->hash & (nslots - 1); (j = table[slot]) != -1;
		    slot = (slot + 1) & (nslots - 1)) {
			if (h[j].hash == f->hash && hdr_name_eq(&h[j], f))
				break;
		}
		if (j == -1)
			table[slot] = nh;
		else {
			f->first = 0;
			h[h[j].last].next = nh;
			h[j].last = nh;
			h[j].count++;
		}
		nh++;
		folding = 1;
	}

	buf_addc(out, '{');
	for (j = 0; j < nh; j++) {
		if (!h[j].first)
			continue;
		if (any)
			buf_addc(out, ',');
		any = 1;
		buf_addc(out, '"');
		json_add_text(out, h[j].name, h[j].namelen,
		    JSON_ESCAPE | JSON_LOWER);
		ADD_LIT(out, "\":");
		if (h[j].count == 1) {
			hdr_add_value(out, &h[j]);
			continue;
		}
		buf_addc(out, '[');
		for (k = j; k != -1; k = h[k].next) {
			if (k != j)
				buf_addc(out, ',');
			hdr_add_value(out, &h[k]);
		}
		buf_addc(out, ']');
	}
	buf_addc(out, '}');

	if (h != hstack) {
		free(h);
		free(table);
	}
}

/* "body" and "body_encoding" of a response (cofetch(1), OUTPUT FORMAT,
 * "body"). */
static void
body_add(struct buf *out, const struct buf *body, enum body_mode mode,
    const char *content_type)
{
	const char	*enc;
	char		 cs[48];
	int		 declared = charset_of(content_type, cs, sizeof(cs)) == 0;

	ADD_LIT(out, ",\"body\":");
	if (body->len == 0) {
		ADD_LIT(out, "\"\",\"body_encoding\":\"text\"");
		return;
	}
	switch (mode) {
	case BODY_TEXT:
		/* In the charset the response declares, as UTF-8. */
		if (!declared || charset_add_json(out, cs, body->data,
		    body->len) < 0)
			json_add_string(out, body->data, body->len);
		enc = "text";
		break;
	case BODY_BASE64:
		buf_addc(out, '"');
		base64_add(out, (const unsigned char *)body->data, body->len);
		buf_addc(out, '"');
		enc = "base64";
		break;
	default:	/* BODY_AUTO, and BODY_JSON falls back to it */
		if (json_minify(out, body->data, body->len) == 0)
			enc = "json";
		else if (declared && charset_add_json(out, cs, body->data,
		    body->len) == 0)
			enc = "text";
		else if (utf8_valid(body->data, body->len)) {
			json_add_string(out, body->data, body->len);
			enc = "text";
		} else {
			buf_addc(out, '"');
			base64_add(out, (const unsigned char *)body->data,
			    body->len);
			buf_addc(out, '"');
			enc = "base64";
		}
		break;
	}
	ADD_LIT(out, ",\"body_encoding\":\"");
	buf_adds(out, enc);
	buf_addc(out, '"');
}

void
record_encode(struct buf *out, const struct request *req,
    const struct result *res, const struct opts *o)
{
	enum kind	 kind = res->kind;
	const char	*message = res->message, *url = req->url;
	char		*masked_url, *masked_final;
	int		 responded = res->status > 0;

	if (message[0] == '\0')
		message = kind_name(kind);
	if (url == NULL)
		url = "";
	/* A password in the URL is not written (man page, AUTHENTICATION). */
	masked_url = redact_url(url);
	masked_final = redact_url(res->final_url);
	if (masked_url != NULL)
		url = masked_url;

	buf_reserve(out, 512 + strlen(url));
	ADD_LIT(out, "{\"index\":");
	add_u64(out, req->index);
	if (req->id != NULL) {
		/* Its text as the line wrote it, minified and checked
		 * strictly by the parser: numbers keep every digit. */
		ADD_LIT(out, ",\"id\":");
		buf_add(out, req->id, req->id_len);
	}
	ADD_LIT(out, ",\"url\":");
	json_add_string(out, url, strlen(url));
	ADD_LIT(out, ",\"method\":");
	add_string_or_null(out, request_method(req, o));
	if (kind == KIND_NONE)
		ADD_LIT(out, ",\"ok\":true,\"status\":");
	else
		ADD_LIT(out, ",\"ok\":false,\"status\":");
	if (responded)
		add_i64(out, res->status);
	else
		ADD_LIT(out, "null");
	ADD_LIT(out, ",\"http_version\":");
	add_string_or_null(out, res->http_version);
	ADD_LIT(out, ",\"final_url\":");
	add_string_or_null(out, masked_final ? masked_final :
	    res->final_url);
	free(masked_url);
	free(masked_final);
	ADD_LIT(out, ",\"redirects\":");
	add_i64(out, res->redirects);
	ADD_LIT(out, ",\"attempts\":");
	add_i64(out, res->attempts);
	ADD_LIT(out, ",\"size\":");
	add_i64(out, res->size);
	ADD_LIT(out, ",\"content_type\":");
	add_string_or_null(out, res->content_type);
	ADD_LIT(out, ",\"remote_ip\":");
	add_string_or_null(out, res->remote_ip[0] != '\0' ?
	    res->remote_ip : NULL);
	ADD_LIT(out, ",\"time\":{\"dns\":");
	add_seconds(out, res->t_dns);
	ADD_LIT(out, ",\"connect\":");
	add_seconds(out, res->t_connect);
	ADD_LIT(out, ",\"tls\":");
	add_seconds(out, res->t_tls);
	ADD_LIT(out, ",\"ttfb\":");
	add_seconds(out, res->t_ttfb);
	ADD_LIT(out, ",\"total\":");
	add_seconds(out, res->t_total);
	ADD_LIT(out, ",\"wait\":");
	add_seconds(out, res->t_wait);
	ADD_LIT(out, "},\"elapsed\":");
	add_seconds(out, res->elapsed);
	if (kind == KIND_NONE)
		ADD_LIT(out, ",\"error\":null");
	else {
		ADD_LIT(out, ",\"error\":{\"kind\":\"");
		buf_adds(out, kind_name(kind));
		ADD_LIT(out, "\",\"message\":");
		json_add_string(out, message, strlen(message));
		buf_addc(out, '}');
	}
	if (o->headers_out) {
		ADD_LIT(out, ",\"headers\":");
		if (responded)
			headers_add(out, &res->headers);
		else
			ADD_LIT(out, "null");
	}
	if (o->body != BODY_NONE) {
		if (responded)
			body_add(out, &res->body, o->body, res->content_type);
		else
			ADD_LIT(out, ",\"body\":null,\"body_encoding\":null");
	}
	if (o->save_dir != NULL) {
		ADD_LIT(out, ",\"file\":");
		add_string_or_null(out, res->file);
	}
	if (o->hash) {
		ADD_LIT(out, ",\"hash\":");
		add_string_or_null(out, res->hash[0] != '\0' ? res->hash :
		    NULL);
	}
	if (o->state_file != NULL) {
		ADD_LIT(out, ",\"changed\":");
		if (res->changed == CHANGED_UNKNOWN)
			ADD_LIT(out, "null");
		else if (res->changed == CHANGED_YES)
			ADD_LIT(out, "true");
		else
			ADD_LIT(out, "false");
	}
	ADD_LIT(out, "}\n");
}

void
record_say(const struct request *req, const struct result *res)
{
	char *masked = redact_url(req->url);

	infof("#%llu %s %ld %s%s%.3fs", (unsigned long long)req->index,
	    masked ? masked : req->url, res->status,
	    res->kind != KIND_NONE ? kind_name(res->kind) : "",
	    res->kind != KIND_NONE ? " " : "", res->elapsed);
	free(masked);
}
