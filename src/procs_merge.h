/* procs_merge.h: -P: the records of N children merged into one stream.
 * As completed, every whole line goes out as soon as it has arrived; with
 * --ordered, each child's records arrive in index order and a k-way merge
 * sends out the smallest head once no child still running can send a
 * smaller one.
 * Pure: bytes in, lines out through a callback; no I/O. */
#ifndef COFETCH_PROCS_MERGE_H
#define COFETCH_PROCS_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* Called with one or more whole records ("...\n"), in output order. */
typedef void (*merge_out_fn)(const char *lines, size_t len, void *arg);

/* Called for each record of stream i as it goes out. */
typedef void (*merge_seen_fn)(size_t i, uint64_t index, void *arg);

struct merge;

/* A merge of n streams; ordered: by index. seen may be NULL. Freed by
 * merge_free(). */
struct merge	*merge_new(size_t n, int ordered, merge_out_fn out,
		    merge_seen_fn seen, void *arg);
void		 merge_free(struct merge *m);		/* accepts NULL */
/* --ordered with index shards: stream i sends only indexes
 * first + step * i + k * stride (k = 0, 1, ...), so a stream that has
 * sent index x can send nothing below x + stride, and a head can go out
 * before every running stream has one (a child waiting for input holds
 * nothing up). Without it, the merge waits for a head from every running
 * stream (host shards: any child may own the next index). */
void		 merge_set_shards(struct merge *m, uint64_t stride,
		    uint64_t first, uint64_t step);
/* Bytes read from stream i. Whatever may go out now goes out. */
void		 merge_add(struct merge *m, size_t i, const char *p, size_t n);
/* Stream i has ended. A cut last line (a child that died mid-write) is
 * dropped, and the whole lines tail[0..n) (or none) are added in its
 * place. Returns how many bytes were dropped. */
size_t		 merge_end(struct merge *m, size_t i, const char *tail,
		    size_t n);
/* Bytes held for stream i: with --ordered, the reader stops reading a
 * stream once it holds MERGE_HOLD and a head (it cannot hold the merge
 * up, as its head is already known). */
#define MERGE_HOLD	(4 * 1024 * 1024)
int		 merge_full(const struct merge *m, size_t i);
/* The index of record line[0..n): its first member; UINT64_MAX if none. */
uint64_t	 merge_line_index(const char *line, size_t n);

#endif
