/* hash.h: the content hash of a response: SHA-256 of the decoded body,
 * computed as the bytes arrive (OpenSSL's libcrypto, EVP API), written
 * as "sha256:<64 hex digits>". */
#ifndef COFETCH_HASH_H
#define COFETCH_HASH_H

#include <stddef.h>

#define HASH_LEN	32			/* SHA-256 digest bytes */
#define HASH_TEXT_LEN	(7 + 2 * HASH_LEN + 1)	/* "sha256:" hex NUL */

/* One running digest. Zeroed = off: hash_update() is then a no-op. */
struct hash {
	void	*ctx;		/* owned EVP_MD_CTX *, made by hash_begin(),
				 * freed by hash_free() */
};

/* Once, before any hash_begin(): -1 when libcrypto has no SHA-256. */
int	hash_setup(void);
void	hash_cleanup(void);
/* Start (or restart, for a new attempt) the digest of a body. */
void	hash_begin(struct hash *h);
void	hash_update(struct hash *h, const void *p, size_t n);
/* Finish the digest into out[HASH_LEN]; -1 when none was begun. */
int	hash_end(struct hash *h, unsigned char *out);
void	hash_free(struct hash *h);	/* accepts a zeroed one */

/* "sha256:<hex>" of d[HASH_LEN] into out[HASH_TEXT_LEN]. */
void	hash_text(char *out, const unsigned char *d);
/* The reverse: 0, or -1 when s is not "sha256:" and 64 hex digits. */
int	hash_parse(const char *s, unsigned char *d);

#endif
