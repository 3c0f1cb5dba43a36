/* resume.h: --resume: which indexes an earlier run's output already holds
 * an ok record for. */
#ifndef COFETCH_RESUME_H
#define COFETCH_RESUME_H

#include <stddef.h>
#include <stdint.h>

/* Ok indexes below RESUME_BITMAP_MAX live in a bitmap (16 MiB at most);
 * larger ones, which only a huge or damaged file holds, in a sorted array,
 * so a stray index can never make us allocate its size in bits. */
#define RESUME_BITMAP_MAX	((uint64_t)1 << 27)

struct resume {
	uint8_t		*bits;		/* malloced bitmap of ok indexes */
	uint64_t	 nbits;
	uint64_t	*big;		/* malloced, sorted, distinct:
					 * indexes >= RESUME_BITMAP_MAX */
	size_t		 nbig, capbig;
	uint64_t	 nok;		/* ok records found */
	struct resume_url {
		uint64_t index;
		uint64_t hash;		/* FNV-1a of the record's url */
	}		*urls;		/* malloced: one per record */
	size_t		 nurls, capurls;
	int		 sorted;	/* urls sorted by index */
};

/* Read the records in fd (opened read-write on the output file). Keeps
 * only whole lines: a last line cut by a crash (no final newline) is
 * truncated away so that appended records start on a line of their own.
 * Returns 0, or -1 with a message in err. */
int	resume_load(struct resume *r, int fd, const char *name, char *err,
	    size_t errlen);
int	resume_has(const struct resume *r, uint64_t index);
/* Before resume_load(): fd must be a regular file, empty or starting with
 * a cofetch record. Returns 0, or -1 with a message in err (a usage
 * error: the wrong file was named). */
int	resume_check(int fd, const char *name, char *err, size_t errlen);
/* Is url (as a record writes it: password masked) what the records say
 * of index? True when no record has that index. */
int	resume_url_matches(struct resume *r, uint64_t index, const char *url);
struct request;
/* The same for an input line: when req is not what file holds for its
 * index, say so on stderr and return 0. */
int	resume_same(struct resume *r, const struct request *req,
	    const char *file);
/* Pure, for the tests: note line[0..n) (one record, no newline). */
void	resume_note(struct resume *r, const char *line, size_t n);
void	resume_free(struct resume *r);

#endif
