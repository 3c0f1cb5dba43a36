/* metrics.c: the run's counters for --metrics and their exposition.
 * Counting is a few additions per record; the per-host table (only with
 * --metrics-per-host) grows with the number of distinct hosts, which is
 * why it is opt-in. */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "util.h"

#define NCLASS	7	/* none, 1xx .. 5xx, other */
static const char *const class_names[NCLASS] = {
	"none", "1xx", "2xx", "3xx", "4xx", "5xx", "other"
};
/* Upper bounds of the latency buckets, seconds; +Inf follows. */
static const double bounds[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
};
#define NBOUNDS	(sizeof(bounds) / sizeof(bounds[0]))

struct mhost {
	char		*name;		/* malloced "host:port" */
	uint64_t	 cls[NCLASS];
	uint64_t	 failed;
	uint64_t	 bytes;
};

static const struct opts *mo;
static double		 t_start, t_start_mono;
static uint64_t		 by_class[NCLASS];
static uint64_t		 by_kind[KIND_COUNT];
static uint64_t		 retries, bytes, n_changed, n_unchanged;
static uint64_t		 lat[NBOUNDS + 1], lat_n;
static double		 lat_sum;
static struct mhost	*hosts;		/* malloced open-addressing table */
static size_t		 nhosts, hosts_cap;

void
metrics_start(const struct opts *o)
{
	mo = o;
	t_start = now_wall();
	t_start_mono = now_mono();
}

static int
metrics_class(long status)
{
	if (status <= 0)
		return 0;
	if (status >= 100 && status < 600)
		return (int)(status / 100);
	return NCLASS - 1;
}

static unsigned
str_hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The slot of name in the table: its entry, or the empty one where it
 * goes. */
static struct mhost *
metrics_slot(const char *name)
{
	size_t i = str_hash(name) & (hosts_cap - 1);

	while (hosts[i].name != NULL && strcmp(hosts[i].name, name) != 0)
		i = (i + 1) & (hosts_cap - 1);
	return &hosts[i];
}

/* The entry of name, made when missing; the table stays at most half
 * full. */
static struct mhost *
metrics_host(const char *name)
{
	struct mhost *old = hosts, *h;
	size_t i, cap = hosts_cap;

	if ((nhosts + 1) * 2 > hosts_cap) {
		hosts_cap = cap ? cap * 2 : 64;
		hosts = xcalloc(hosts_cap, sizeof(*hosts));
		for (i = 0; i < cap; i++)
			if (old[i].name != NULL)
				*metrics_slot(old[i].name) = old[i];
		free(old);
	}
	h = metrics_slot(name);
	if (h->name == NULL) {
		h->name = xstrdup(name);
		nhosts++;
	}
	return h;
}

void
metrics_note(const struct request *req, const struct result *res)
{
	struct mhost *h;
	enum kind k = res->kind != KIND_NONE ? res->kind : req->invalid;
	int c = metrics_class(res->status);
	size_t i;

	by_class[c]++;
	if ((int)k > 0 && (int)k < KIND_COUNT)
		by_kind[k]++;
	if (res->attempts > 1)
		retries += (uint64_t)(res->attempts - 1);
	bytes += (uint64_t)res->size;
	if (res->changed == CHANGED_YES)
		n_changed++;
	else if (res->changed == CHANGED_NO)
		n_unchanged++;
	if (res->attempts > 0) {
		for (i = 0; i < NBOUNDS && res->elapsed > bounds[i]; i++)
			;
		lat[i]++;
		lat_n++;
		lat_sum += res->elapsed;
	}
	if (mo->metrics_per_host && req->host[0] != '\0') {
		h = metrics_host(req->host);
		h->cls[c]++;
		h->failed += k != KIND_NONE;
		h->bytes += (uint64_t)res->size;
	}
}

static void
head(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void
label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

static void
metrics_print_hosts(FILE *fp)
{
	size_t i;
	int c;

	head(fp, "cofetch_host_requests_total", "counter",
	    "Requests finished, by host:port and HTTP status class.");
	for (i = 0; i < hosts_cap; i++)
		for (c = 0; hosts[i].name != NULL && c < NCLASS; c++) {
			if (hosts[i].cls[c] == 0)
				continue;
			fputs("cofetch_host_requests_total{host=\"", fp);
			label(fp, hosts[i].name);
			fprintf(fp, "\",class=\"%s\"} %llu\n", class_names[c],
			    (unsigned long long)hosts[i].cls[c]);
		}
	head(fp, "cofetch_host_failures_total", "counter",
	    "Requests that ended with an error, by host:port.");
	for (i = 0; i < hosts_cap; i++)
		if (hosts[i].name != NULL) {
			fputs("cofetch_host_failures_total{host=\"", fp);
			label(fp, hosts[i].name);
			fprintf(fp, "\"} %llu\n",
			    (unsigned long long)hosts[i].failed);
		}
	head(fp, "cofetch_host_response_bytes_total", "counter",
	    "Decoded response body bytes received, by host:port.");
	for (i = 0; i < hosts_cap; i++)
		if (hosts[i].name != NULL) {
			fputs("cofetch_host_response_bytes_total{host=\"", fp);
			label(fp, hosts[i].name);
			fprintf(fp, "\"} %llu\n",
			    (unsigned long long)hosts[i].bytes);
		}
}

void
metrics_print(FILE *fp, int exit_status)
{
	double t_end = now_wall(), dur = now_mono() - t_start_mono;
	uint64_t cum = 0;
	size_t i;

	head(fp, "cofetch_requests_total", "counter", "Requests finished "
	    "(one per record, also those --only-changed leaves out), by "
	    "HTTP status class (none: no response).");
	for (i = 0; i < NCLASS; i++)
		fprintf(fp, "cofetch_requests_total{class=\"%s\"} %llu\n",
		    class_names[i], (unsigned long long)by_class[i]);
	head(fp, "cofetch_request_errors_total", "counter",
	    "Requests that ended with an error, by error kind.");
	for (i = 1; i < KIND_COUNT; i++)
		fprintf(fp, "cofetch_request_errors_total{kind=\"%s\"} %llu\n",
		    kind_name((enum kind)i), (unsigned long long)by_kind[i]);
	head(fp, "cofetch_retries_total", "counter",
	    "Attempts beyond the first, over all requests.");
	fprintf(fp, "cofetch_retries_total %llu\n",
	    (unsigned long long)retries);
	head(fp, "cofetch_response_bytes_total", "counter",
	    "Decoded response body bytes received (final attempts).");
	fprintf(fp, "cofetch_response_bytes_total %llu\n",
	    (unsigned long long)bytes);
	if (mo->state_file != NULL) {
		head(fp, "cofetch_changed_total", "counter",
		    "Responses whose content changed since the state store "
		    "last saw it.");
		fprintf(fp, "cofetch_changed_total %llu\n",
		    (unsigned long long)n_changed);
		head(fp, "cofetch_unchanged_total", "counter",
		    "Responses whose content had not changed (304 or same "
		    "hash).");
		fprintf(fp, "cofetch_unchanged_total %llu\n",
		    (unsigned long long)n_unchanged);
	}
	head(fp, "cofetch_request_duration_seconds", "histogram",
	    "Seconds from a request's first attempt to its record.");
	for (i = 0; i <= NBOUNDS; i++) {
		cum += lat[i];
		if (i < NBOUNDS)
			fprintf(fp, "cofetch_request_duration_seconds_bucket"
			    "{le=\"%g\"} %llu\n", bounds[i],
			    (unsigned long long)cum);
		else
			fprintf(fp, "cofetch_request_duration_seconds_bucket"
			    "{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	}
	fprintf(fp, "cofetch_request_duration_seconds_sum %.6f\n", lat_sum);
	fprintf(fp, "cofetch_request_duration_seconds_count %llu\n",
	    (unsigned long long)lat_n);
	head(fp, "cofetch_run_start_timestamp_seconds", "gauge",
	    "When the run started, seconds since the epoch.");
	fprintf(fp, "cofetch_run_start_timestamp_seconds %.3f\n", t_start);
	head(fp, "cofetch_run_end_timestamp_seconds", "gauge",
	    "When the run ended, seconds since the epoch.");
	fprintf(fp, "cofetch_run_end_timestamp_seconds %.3f\n", t_end);
	head(fp, "cofetch_run_duration_seconds", "gauge",
	    "How long the run took.");
	fprintf(fp, "cofetch_run_duration_seconds %.6f\n", dur);
	head(fp, "cofetch_run_exit_status", "gauge",
	    "The run's exit status (0: every record ok).");
	fprintf(fp, "cofetch_run_exit_status %d\n", exit_status);
	if (mo->metrics_per_host)
		metrics_print_hosts(fp);
}

int
metrics_write(const char *path, int exit_status, char *err, size_t errlen)
{
	size_t n = strlen(path);
	char *tmp = xmalloc(n + 8);
	FILE *fp = NULL;
	int fd, made = 0, rc, e;

	/* "FILE.XXXXXX": not a *.prom name, so the textfile collector
	 * ignores it until the rename. */
	(void)snprintf(tmp, n + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
		goto fail;
	made = 1;
	if (fchmod(fd, 0644) < 0 || (fp = fdopen(fd, "w")) == NULL)
		goto fail;
	metrics_print(fp, exit_status);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fd) < 0)
		goto fail;
	rc = fclose(fp);
	fp = NULL;
	fd = -1;
	if (rc != 0 || rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	e = errno;
	if (fp != NULL)
		(void)fclose(fp);
	else if (fd >= 0)
		(void)close(fd);
	if (made)
		(void)unlink(tmp);
	(void)snprintf(err, errlen, "--metrics %s: %s", path, strerror(e));
	free(tmp);
	return -1;
}

void
metrics_free(void)
{
	size_t i;

	for (i = 0; i < hosts_cap; i++)
		free(hosts[i].name);
	free(hosts);
	hosts = NULL;
	nhosts = hosts_cap = 0;
}
