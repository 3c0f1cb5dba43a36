/* state_compare.c: the pure parts of the --state store (see state.h):
 * the key of a request, and a record's "hash" and "changed" from what
 * the store held. */
#include <string.h>

#include "state.h"

void
state_key(struct buf *out, const struct request *req, const struct opts *o)
{
	buf_reset(out);
	if (req->id != NULL) {
		/* The id's JSON text as the line wrote it (minified), the
		 * same text the record echoes. */
		buf_add(out, req->id, req->id_len);
		return;
	}
	buf_adds(out, request_method(req, o));
	buf_addc(out, ' ');
	buf_adds(out, req->url != NULL ? req->url : "");
}

void
state_compare(const struct state_prev *prev, struct result *r,
    const unsigned char *digest)
{
	r->hash[0] = '\0';
	r->changed = CHANGED_UNKNOWN;
	r->state_row = prev->row;
	if (r->kind != KIND_NONE)
		return;
	if (r->status == 304) {
		if (prev->found) {
			hash_text(r->hash, prev->hash);
			r->changed = CHANGED_NO;
		}
		return;
	}
	if (digest == NULL)
		return;
	hash_text(r->hash, digest);
	if (prev->found)
		r->changed = memcmp(prev->hash, digest, HASH_LEN) == 0 ?
		    CHANGED_NO : CHANGED_YES;
}

/* Which validator both have, compared: 1 when they differ, 0 when equal,
 * -1 when there is none to compare (RFC 9110 8.8: the ETag is the
 * stronger, Last-Modified the fallback). */
static int
state_validators_differ(const struct state_prev *prev,
    const struct result *r)
{
	if (prev->etag[0] != '\0' && r->etag[0] != '\0')
		return strcmp(prev->etag, r->etag) != 0;
	if (prev->last_modified[0] != '\0' && r->last_modified[0] != '\0')
		return strcmp(prev->last_modified, r->last_modified) != 0;
	return -1;
}

void
state_compare_head(const struct state_prev *prev, struct result *r)
{
	int d;

	r->hash[0] = '\0';
	r->changed = CHANGED_UNKNOWN;
	r->state_row = prev->row;
	if (r->kind != KIND_NONE || prev->row == 0)
		return;
	if (r->status == 304) {
		r->changed = CHANGED_NO;
		return;
	}
	d = state_validators_differ(prev, r);
	if (d >= 0)
		r->changed = d ? CHANGED_YES : CHANGED_NO;
}
