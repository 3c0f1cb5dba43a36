/* decode.c: Content-Encoding decoding with zlib, libbrotlidec and libzstd.
 *
 * libcurl 7.88 decodes bodies too, but does not check that a coding's
 * stream ended (a gzip body cut short is delivered as a shorter body)
 * and reports junk after the end as a write failure. So libcurl passes
 * the body through as it came and each coding here is a stage fed the
 * previous stage's output: the last coding applied is undone first. A
 * stage knows when its stream ended; bytes after that end are an error
 * (except a further gzip member or zstd frame, which the formats allow),
 * and decode_end() fails unless every stage ended.
 *
 * Output leaves in pieces of at most DECODE_CHUNK bytes, so the sink can
 * stop a decoding bomb at --max-size before it is inflated further. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include "decode.h"
#include "util.h"

#define DECODE_MAX	4	/* codings in one Content-Encoding */
#define DECODE_CHUNK	16384	/* one stage's output piece */
#define ZSTD_WLOG_MAX	23	/* 8 MiB window, RFC 9659's limit for
				 * HTTP */

enum coding { C_GZIP, C_DEFLATE, C_BR, C_ZSTD };

struct stage {
	enum coding		 c;
	int			 started;	/* decoder allocated */
	int			 ended;		/* its stream ended */
	int			 raw;		/* deflate without the zlib
						 * header (as curl accepts) */
	z_stream		 z;		/* gzip, deflate */
	BrotliDecoderState	*br;		/* owned */
	ZSTD_DStream		*zs;		/* owned */
};

struct decode {
	int		 n;		/* stages in use */
	int		 fed;		/* a byte was received */
	const char	*bad;		/* a coding we cannot undo: why */
	struct stage	 st[DECODE_MAX];	/* in the order applied */
};

/* One output piece per stage; only one body is decoded at a time (the
 * loop is single-threaded and a stage hands its piece on before it
 * makes the next). */
static char	decode_buf[DECODE_MAX][DECODE_CHUNK];

const char *
decode_accept(void)
{
	return "deflate, gzip, br, zstd";
}

static int
coding_parse(const char *s, size_t n, enum coding *c)
{
	if ((n == 4 && strncasecmp(s, "gzip", 4) == 0) ||
	    (n == 6 && strncasecmp(s, "x-gzip", 6) == 0))
		*c = C_GZIP;
	else if (n == 7 && strncasecmp(s, "deflate", 7) == 0)
		*c = C_DEFLATE;
	else if (n == 2 && strncasecmp(s, "br", 2) == 0)
		*c = C_BR;
	else if (n == 4 && strncasecmp(s, "zstd", 4) == 0)
		*c = C_ZSTD;
	else
		return -1;
	return 0;
}

int
decode_add(struct decode **dp, const char *v, size_t n, const char **why)
{
	struct decode *d = *dp;
	size_t i = 0, j, k;
	enum coding c;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (j = i; j < n && v[j] != ','; j++)
			;
		for (k = j; k > i && (v[k - 1] == ' ' || v[k - 1] == '\t' ||
		    v[k - 1] == '\r' || v[k - 1] == '\n'); k--)
			;
		if (k == i || (k - i == 8 && strncasecmp(v + i, "identity",
		    8) == 0)) {
			i = j;
			continue;
		}
		if (d == NULL)
			d = *dp = xcalloc(1, sizeof(*d));
		if (d->fed)	/* a trailer: the body is under way */
			return 0;
		if (d->bad != NULL)
			;
		else if (coding_parse(v + i, k - i, &c) < 0)
			d->bad = "unsupported Content-Encoding";
		else if (d->n == DECODE_MAX)
			d->bad = "too many Content-Encoding codings";
		else
			d->st[d->n++].c = c;
		i = j;
	}
	*why = d != NULL ? d->bad : NULL;
	return d != NULL && d->bad != NULL ? -1 : 0;
}

static int
stage_start(struct stage *s, const char **why)
{
	int rc = Z_OK;

	s->started = 1;
	switch (s->c) {
	case C_GZIP:
		rc = inflateInit2(&s->z, 16 + MAX_WBITS);
		break;
	case C_DEFLATE:
		rc = inflateInit2(&s->z, s->raw ? -MAX_WBITS : MAX_WBITS);
		break;
	case C_BR:
		s->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
		rc = s->br != NULL ? Z_OK : Z_MEM_ERROR;
		break;
	case C_ZSTD:
		s->zs = ZSTD_createDStream();
		if (s->zs == NULL || ZSTD_isError(ZSTD_DCtx_setParameter(s->zs,
		    ZSTD_d_windowLogMax, ZSTD_WLOG_MAX)))
			rc = Z_MEM_ERROR;
		break;
	}
	if (rc != Z_OK) {
		*why = "cannot start a decoder";
		return -1;
	}
	return 0;
}

static void
stage_stop(struct stage *s)
{
	if (!s->started)
		return;
	if (s->c == C_GZIP || s->c == C_DEFLATE)
		(void)inflateEnd(&s->z);
	if (s->br != NULL)
		BrotliDecoderDestroyInstance(s->br);
	if (s->zs != NULL)
		(void)ZSTD_freeDStream(s->zs);
	s->br = NULL;
	s->zs = NULL;
	s->started = 0;
}

static int stage_push(struct decode *d, int i, const unsigned char *p,
    size_t n, decode_out_fn out, void *arg, const char **why);

/* Hand a stage's output to the next stage in decoding order. */
static int
stage_emit(struct decode *d, int i, size_t n, decode_out_fn out, void *arg,
    const char **why)
{
	if (n == 0)
		return 0;
	if (i == 0) {
		*why = NULL;
		return out(arg, decode_buf[0], n);
	}
	return stage_push(d, i - 1, (unsigned char *)decode_buf[i], n, out,
	    arg, why);
}

static int
stage_zlib(struct decode *d, int i, const unsigned char *p, size_t n,
    decode_out_fn out, void *arg, const char **why)
{
	struct stage *s = &d->st[i];
	size_t made;
	int rc;

	s->z.next_in = (unsigned char *)p;
	s->z.avail_in = (uInt)n;
	while (s->z.avail_in > 0) {
		if (s->ended) {
			/* RFC 1952 allows further gzip members. */
			if (s->c != C_GZIP || s->z.next_in[0] != 0x1f)
				goto trailing;
			if (inflateReset(&s->z) != Z_OK)
				goto corrupt;
			s->ended = 0;
		}
		do {
			s->z.next_out = (unsigned char *)decode_buf[i];
			s->z.avail_out = DECODE_CHUNK;
			rc = inflate(&s->z, Z_NO_FLUSH);
			if (rc == Z_DATA_ERROR && s->c == C_DEFLATE &&
			    !s->raw && s->z.total_out == 0 &&
			    s->z.total_in + s->z.avail_in <= n) {
				/* No zlib header: raw deflate, which some
				 * servers send (curl accepts it too). */
				stage_stop(s);
				s->raw = 1;
				if (stage_start(s, why) < 0)
					return -1;
				return stage_zlib(d, i, p, n, out, arg, why);
			}
			if (rc != Z_OK && rc != Z_STREAM_END &&
			    rc != Z_BUF_ERROR)
				goto corrupt;
			made = DECODE_CHUNK - s->z.avail_out;
			if (stage_emit(d, i, made, out, arg, why) < 0)
				return -1;
			if (rc == Z_STREAM_END)
				s->ended = 1;
		} while (!s->ended && s->z.avail_out == 0);
		/* Output room left, input left, no end: no progress. */
		if (!s->ended && s->z.avail_in > 0)
			goto corrupt;
	}
	return 0;
trailing:
	*why = s->c == C_GZIP ? "data after the end of the gzip body" :
	    "data after the end of the deflate body";
	return -1;
corrupt:
	*why = s->c == C_GZIP ? "corrupt gzip body" : "corrupt deflate body";
	return -1;
}

static int
stage_br(struct decode *d, int i, const unsigned char *p, size_t n,
    decode_out_fn out, void *arg, const char **why)
{
	struct stage *s = &d->st[i];
	BrotliDecoderResult rc;
	size_t avail_out, made;
	uint8_t *next_out;

	if (s->ended && n > 0) {
		*why = "data after the end of the br body";
		return -1;
	}
	do {
		next_out = (uint8_t *)decode_buf[i];
		avail_out = DECODE_CHUNK;
		rc = BrotliDecoderDecompressStream(s->br, &n, &p, &avail_out,
		    &next_out, NULL);
		if (rc == BROTLI_DECODER_RESULT_ERROR) {
			*why = "corrupt br body";
			return -1;
		}
		made = DECODE_CHUNK - avail_out;
		if (stage_emit(d, i, made, out, arg, why) < 0)
			return -1;
		if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
			s->ended = 1;
			if (n > 0) {
				*why = "data after the end of the br body";
				return -1;
			}
		}
	} while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT);
	return 0;
}

static int
stage_zstd(struct decode *d, int i, const unsigned char *p, size_t n,
    decode_out_fn out, void *arg, const char **why)
{
	struct stage *s = &d->st[i];
	ZSTD_inBuffer in = { p, n, 0 };
	ZSTD_outBuffer ob;
	size_t rc;

	do {
		ob.dst = decode_buf[i];
		ob.size = DECODE_CHUNK;
		ob.pos = 0;
		rc = ZSTD_decompressStream(s->zs, &ob, &in);
		if (ZSTD_isError(rc)) {
			*why = "corrupt zstd body";
			return -1;
		}
		if (stage_emit(d, i, ob.pos, out, arg, why) < 0)
			return -1;
		/* 0: a frame ended and all of it was handed on; another
		 * frame may follow (RFC 8878 allows several). */
		s->ended = rc == 0;
	} while (in.pos < in.size || ob.pos == ob.size);
	return 0;
}

static int
stage_push(struct decode *d, int i, const unsigned char *p, size_t n,
    decode_out_fn out, void *arg, const char **why)
{
	struct stage *s = &d->st[i];

	if (!s->started && stage_start(s, why) < 0)
		return -1;
	switch (s->c) {
	case C_GZIP:
	case C_DEFLATE:
		return stage_zlib(d, i, p, n, out, arg, why);
	case C_BR:
		return stage_br(d, i, p, n, out, arg, why);
	case C_ZSTD:
		return stage_zstd(d, i, p, n, out, arg, why);
	}
	return -1;
}

int
decode_write(struct decode *d, const char *p, size_t n, decode_out_fn out,
    void *arg, const char **why)
{
	if (n == 0)
		return 0;
	d->fed = 1;
	if (d->bad != NULL) {
		*why = d->bad;
		return -1;
	}
	if (d->n == 0)
		return out(arg, p, n);
	return stage_push(d, d->n - 1, (const unsigned char *)p, n, out, arg,
	    why);
}

int
decode_end(struct decode *d, const char **why)
{
	static const char *const cut[] = {
		"truncated gzip body (the stream did not end)",
		"truncated deflate body (the stream did not end)",
		"truncated br body (the stream did not end)",
		"truncated zstd body (the stream did not end)",
	};
	int i;

	if (d == NULL || !d->fed)
		return 0;
	for (i = d->n - 1; i >= 0; i--)
		if (!d->st[i].ended) {
			*why = cut[d->st[i].c];
			return -1;
		}
	return 0;
}

void
decode_free(struct decode *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		stage_stop(&d->st[i]);
	free(d);
}
