/* stats_host.c: the top hosts of a run by requests, Space-Saving style
 * (Metwally et al. 2005): STATS_HOSTS_KEEP counters; a host not in the
 * table replaces the one with the fewest requests and starts from that
 * count, noted as its possible error. A host with more than 1/KEEP of
 * the records is always in the table; what is shown is the count minus
 * that error, which is exact for a host that was never displaced. The
 * look-up is a scan of a fixed table: its cost does not grow with the
 * number of hosts in the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "stats_host.h"

struct sh_entry {
	unsigned	 hash;		/* 0: unused */
	char		 key[272];
	unsigned long long requests, failed, pauses;
	unsigned long long err;		/* requests counted before it
					 * came in: not its own */
	long		 limit;
	long		 last_pauses;	/* the host's count at the last
					 * note */
};

static struct sh_entry	sh[STATS_HOSTS_KEEP];

static unsigned
sh_hash(const char *s)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h | 1;			/* never 0 */
}

static struct sh_entry *
sh_find(const char *key)
{
	unsigned hash = sh_hash(key);
	struct sh_entry *min = &sh[0];
	size_t i;

	for (i = 0; i < STATS_HOSTS_KEEP; i++)
		if (sh[i].hash == hash && strcmp(sh[i].key, key) == 0)
			return &sh[i];
	for (i = 1; i < STATS_HOSTS_KEEP && min->requests > 0; i++)
		if (sh[i].requests < min->requests)
			min = &sh[i];
	/* Not counted: the least counted place (an unused one counts 0)
	 * goes to this host, with that count. */
	min->hash = hash;
	(void)snprintf(min->key, sizeof(min->key), "%s", key);
	min->err = min->requests;
	min->failed = min->pauses = 0;
	min->last_pauses = 0;
	return min;
}

void
stats_host_note(const char *key, int failed, long limit, long pauses)
{
	struct sh_entry *e;

	if (key[0] == '\0')
		return;
	e = sh_find(key);
	e->requests++;
	e->failed += failed != 0;
	e->limit = limit;
	/* The host may have been forgotten and made again since. */
	e->pauses += (unsigned long long)(pauses >= e->last_pauses ?
	    pauses - e->last_pauses : pauses);
	e->last_pauses = pauses;
}

static int
sh_cmp(const void *a, const void *b)
{
	const struct sh_entry *x = *(const struct sh_entry *const *)a;
	const struct sh_entry *y = *(const struct sh_entry *const *)b;

	if (x->requests - x->err != y->requests - y->err)
		return x->requests - x->err > y->requests - y->err ? -1 : 1;
	return strcmp(x->key, y->key);
}

void
stats_host_json(struct buf *out)
{
	const struct sh_entry *top[STATS_HOSTS_KEEP];
	size_t i, n = 0;

	for (i = 0; i < STATS_HOSTS_KEEP; i++)
		if (sh[i].hash != 0 && sh[i].requests > 0)
			top[n++] = &sh[i];
	qsort(top, n, sizeof(top[0]), sh_cmp);
	buf_adds(out, ",\"hosts\":[");
	for (i = 0; i < n && i < STATS_HOSTS_SHOW; i++) {
		buf_adds(out, i ? ",{\"host\":" : "{\"host\":");
		json_add_string(out, top[i]->key, strlen(top[i]->key));
		buf_addf(out, ",\"requests\":%llu,\"failed\":%llu,"
		    "\"concurrency\":%ld,\"pauses\":%llu}",
		    top[i]->requests - top[i]->err,
		    top[i]->failed, top[i]->limit, top[i]->pauses);
	}
	buf_addc(out, ']');
}

void
stats_host_reset(void)
{
	memset(sh, 0, sizeof(sh));
}
