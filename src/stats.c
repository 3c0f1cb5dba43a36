/* stats.c: what --stats reports, gathered from every record, written at
 * the end as one JSON object and, on a terminal, one human line. The live
 * progress line (progress.c) shows the same counts. */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "stats.h"
#include "stats_host.h"

void
stats_init(struct stats *st)
{
	memset(st, 0, sizeof(*st));
	hist_init(&st->latency);
	st->start = now_mono();
}

void
stats_note(struct stats *st, const struct result *res)
{
	int k = (int)res->kind;

	st->requests++;
	if (k < 0 || k >= KIND_COUNT)
		k = KIND_INTERNAL;
	if (k == KIND_NONE)
		st->ok++;
	else {
		st->failed++;
		st->kinds[k]++;
	}
	if (res->status == 0)
		st->status[0]++;
	else if (res->status >= 100 && res->status <= 599)
		st->status[res->status / 100]++;
	else
		st->status[6]++;
	if (res->attempts > 0) {
		st->retries += (uint64_t)(res->attempts - 1);
		hist_add(&st->latency, res->elapsed);
	}
	if (res->size > 0)
		st->bytes += (uint64_t)res->size;
}

void
stats_add(struct stats *sum, const struct stats *st)
{
	size_t i;

	sum->requests += st->requests;
	sum->ok += st->ok;
	sum->failed += st->failed;
	for (i = 0; i < KIND_COUNT; i++)
		sum->kinds[i] += st->kinds[i];
	for (i = 0; i < 7; i++)
		sum->status[i] += st->status[i];
	sum->retries += st->retries;
	sum->bytes += st->bytes;
	if (st->latency.n == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		sum->latency.counts[i] += st->latency.counts[i];
	if (sum->latency.n == 0 || st->latency.min < sum->latency.min)
		sum->latency.min = st->latency.min;
	if (sum->latency.n == 0 || st->latency.max > sum->latency.max)
		sum->latency.max = st->latency.max;
	sum->latency.n += st->latency.n;
}

/* The up to n most frequent error kinds into top[], most first (ties in
 * kind order); returns how many. */
static int
stats_top_kinds(const struct stats *st, int *top, int n)
{
	int taken[KIND_COUNT] = { 0 }, i, k, best, got = 0;

	for (i = 0; i < n; i++) {
		best = -1;
		for (k = 1; k < KIND_COUNT; k++)
			if (st->kinds[k] > 0 && !taken[k] &&
			    (best < 0 || st->kinds[k] > st->kinds[best]))
				best = k;
		if (best < 0)
			break;
		taken[best] = 1;
		top[got++] = best;
	}
	return got;
}

void
stats_add_kinds(struct buf *out, const struct stats *st, int max)
{
	int top[KIND_COUNT], n, i, k, kinds = 0;
	uint64_t named = 0;

	for (k = 1; k < KIND_COUNT; k++)
		kinds += st->kinds[k] > 0;
	if (kinds == 0)
		return;
	/* "other" stands for two kinds or more, never hides one. */
	if (max > KIND_COUNT || kinds <= max + 1)
		max = kinds;
	n = stats_top_kinds(st, top, max);
	buf_adds(out, " (");
	for (i = 0; i < n; i++) {
		buf_addf(out, "%s%s %llu", i ? ", " : "", kind_name(top[i]),
		    (unsigned long long)st->kinds[top[i]]);
		named += st->kinds[top[i]];
	}
	if (named < st->failed)
		buf_addf(out, ", other %llu",
		    (unsigned long long)(st->failed - named));
	buf_addc(out, ')');
}

static void
json_seconds(struct buf *out, double sec)
{
	buf_addf(out, "%.6f", sec >= 0 && sec < 1e15 ? sec : 0.0);
}

void
stats_json(struct buf *out, const struct stats *st,
    double wall)
{
	static const char *const classes[] = {
		"none", "1xx", "2xx", "3xx", "4xx", "5xx"
	};
	static const double pcts[] = { 50, 90, 99 };
	const struct hist *h = &st->latency;
	int i, k, first;

	buf_addf(out, "{\"requests\":%llu,\"ok\":%llu,\"failed\":%llu,"
	    "\"status\":{", (unsigned long long)st->requests,
	    (unsigned long long)st->ok, (unsigned long long)st->failed);
	for (i = 1; i <= 5; i++)
		buf_addf(out, "\"%s\":%llu,", classes[i],
		    (unsigned long long)st->status[i]);
	buf_addf(out, "\"none\":%llu", (unsigned long long)st->status[0]);
	if (st->status[6] > 0)
		buf_addf(out, ",\"other\":%llu",
		    (unsigned long long)st->status[6]);
	buf_adds(out, "},\"errors\":{");
	first = 1;
	for (k = 1; k < KIND_COUNT; k++) {
		if (st->kinds[k] == 0)
			continue;
		buf_addf(out, "%s\"%s\":%llu", first ? "" : ",", kind_name(k),
		    (unsigned long long)st->kinds[k]);
		first = 0;
	}
	buf_addf(out, "},\"retries\":%llu,\"bytes\":%llu,\"wall\":",
	    (unsigned long long)st->retries, (unsigned long long)st->bytes);
	json_seconds(out, wall);
	buf_addf(out, ",\"rps\":%.3f", wall > 0 ?
	    (double)st->requests / wall : 0.0);
	stats_host_json(out);
	buf_adds(out, ",\"latency\":{\"min\":");
	if (h->n == 0) {
		buf_adds(out, "null,\"p50\":null,\"p90\":null,\"p99\":null,"
		    "\"max\":null}}\n");
		return;
	}
	json_seconds(out, h->min);
	for (i = 0; i < 3; i++) {
		buf_addf(out, ",\"p%.0f\":", pcts[i]);
		json_seconds(out, hist_percentile(h, pcts[i]));
	}
	buf_adds(out, ",\"max\":");
	json_seconds(out, h->max);
	buf_adds(out, "}}\n");
}

/* "850us", "12.3ms", "1.20s", "3m05s", "2h07m". */
static void
fmt_duration(char *s, size_t size, double sec)
{
	long long t;

	if (sec < 0.001)
		(void)snprintf(s, size, "%.0fus", sec * 1e6);
	else if (sec < 0.01)
		(void)snprintf(s, size, "%.2fms", sec * 1e3);
	else if (sec < 0.1)
		(void)snprintf(s, size, "%.1fms", sec * 1e3);
	else if (sec < 1)
		(void)snprintf(s, size, "%.0fms", sec * 1e3);
	else if (sec < 60)
		(void)snprintf(s, size, "%.2fs", sec);
	else if (sec < 3600) {
		t = (long long)(sec + 0.5);
		(void)snprintf(s, size, "%lldm%02llds", t / 60, t % 60);
	} else if (sec < 1e9) {
		t = (long long)(sec / 60 + 0.5);
		(void)snprintf(s, size, "%lldh%02lldm", t / 60, t % 60);
	} else
		(void)snprintf(s, size, "forever");
}

void
stats_fmt_rate(char *s, size_t size, double r)
{
	if (!(r >= 0) || r > 1e12)
		r = 0;
	if (r < 10)
		(void)snprintf(s, size, "%.2f/s", r);
	else if (r < 100)
		(void)snprintf(s, size, "%.1f/s", r);
	else
		(void)snprintf(s, size, "%.0f/s", r);
}

static void
fmt_bytes(char *s, size_t size, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
	    "PiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		(void)snprintf(s, size, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	(void)snprintf(s, size, "%.1f %s", v, units[u]);
}

void
stats_human(struct buf *out, const struct stats *st,
    double wall)
{
	const struct hist *h = &st->latency;
	char a[32], b[32], c[32], d[32];

	fmt_duration(a, sizeof(a), wall);
	stats_fmt_rate(b, sizeof(b), wall > 0 ?
	    (double)st->requests / wall : 0);
	buf_addf(out, "cofetch: %llu request%s in %s (%s): %llu ok, "
	    "%llu failed", (unsigned long long)st->requests,
	    st->requests == 1 ? "" : "s", a, b, (unsigned long long)st->ok,
	    (unsigned long long)st->failed);
	stats_add_kinds(out, st, KIND_COUNT);
	if (st->retries > 0)
		buf_addf(out, ", %llu retr%s", (unsigned long long)st->retries,
		    st->retries == 1 ? "y" : "ies");
	fmt_bytes(a, sizeof(a), st->bytes);
	buf_addf(out, "; %s", a);
	if (h->n > 0) {
		fmt_duration(a, sizeof(a), hist_percentile(h, 50));
		fmt_duration(b, sizeof(b), hist_percentile(h, 90));
		fmt_duration(c, sizeof(c), hist_percentile(h, 99));
		fmt_duration(d, sizeof(d), h->max);
		buf_addf(out, "; latency p50 %s, p90 %s, p99 %s, max %s",
		    a, b, c, d);
	}
	buf_addc(out, '\n');
}

void
stats_print(const struct stats *st, int human)
{
	struct buf	out;
	double		wall = now_mono() - st->start;

	buf_init(&out);
	stats_json(&out, st, wall);
	if (human)
		stats_human(&out, st, wall);
	msg_write(out.data, out.len);
	buf_free(&out);
}
