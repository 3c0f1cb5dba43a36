/* hash.c: SHA-256 of response bodies through OpenSSL's EVP API. The
 * digest algorithm is fetched once (hash_setup), not per body: in
 * OpenSSL 3 an implicit fetch on every EVP_DigestInit_ex() costs a
 * lookup in the provider store. */
#include <string.h>

#include <openssl/evp.h>

#include "hash.h"

#define HASH_SPARE	64

static EVP_MD	*hash_md;	/* owned: fetched SHA-256 */
static EVP_MD_CTX *spare[HASH_SPARE];	/* owned: contexts of finished
					 * transfers, for the next ones */
static int	 nspare;

int
hash_setup(void)
{
	if (hash_md == NULL)
		hash_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return hash_md != NULL ? 0 : -1;
}

void
hash_cleanup(void)
{
	EVP_MD_free(hash_md);
	hash_md = NULL;
	while (nspare > 0)
		EVP_MD_CTX_free(spare[--nspare]);
}

void
hash_begin(struct hash *h)
{
	if (h->ctx == NULL)
		h->ctx = nspare > 0 ? spare[--nspare] : EVP_MD_CTX_new();
	if (h->ctx != NULL && EVP_DigestInit_ex2(h->ctx, hash_md,
	    NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		h->ctx = NULL;
	}
}

void
hash_update(struct hash *h, const void *p, size_t n)
{
	if (h->ctx != NULL && n > 0)
		(void)EVP_DigestUpdate(h->ctx, p, n);
}

int
hash_end(struct hash *h, unsigned char *out)
{
	unsigned int n = 0;

	if (h->ctx == NULL || EVP_DigestFinal_ex(h->ctx, out, &n) != 1 ||
	    n != HASH_LEN)
		return -1;
	return 0;
}

void
hash_free(struct hash *h)
{
	/* A context per request would be a malloc and a free each. */
	if (h->ctx != NULL && nspare < HASH_SPARE && hash_md != NULL)
		spare[nspare++] = h->ctx;
	else
		EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void
hash_text(char *out, const unsigned char *d)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < HASH_LEN; i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[8 + 2 * i] = hex[d[i] & 15];
	}
	out[HASH_TEXT_LEN - 1] = '\0';
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
hash_parse(const char *s, unsigned char *d)
{
	size_t i;
	int hi, lo;

	if (strncmp(s, "sha256:", 7) != 0 ||
	    strlen(s) != HASH_TEXT_LEN - 1)
		return -1;
	for (i = 0; i < HASH_LEN; i++) {
		hi = hex_val(s[7 + 2 * i]);
		lo = hex_val(s[8 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -1;
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
