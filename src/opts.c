/* opts.c: one option table drives getopt_long, --help and validation. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "opts.h"
#include "util.h"

#ifndef COFETCH_VERSION
#define COFETCH_VERSION "0.0.0"
#endif

enum {
	O_PER_HOST = 256, O_PER_HOST_RATE, O_CONNECT_TIMEOUT, O_RETRIES,
	O_RETRY_ON, O_RETRY_DELAY, O_RETRY_MAX_DELAY, O_ORDERED, O_NO_FOLLOW,
	O_MAX_REDIRS, O_HTTP11, O_HTTP2, O_HTTP2_PRIOR, O_NO_COMPRESS,
	O_MAX_SIZE, O_HEADERS, O_SAVE, O_RESUME, O_SHARD, O_PROGRESS,
	O_NO_PROGRESS, O_STATS
};

struct opt_def {
	const char	*name;		/* long name */
	int		 val;		/* short letter or O_* */
	int		 has_arg;	/* no_argument, required_, optional_ */
	const char	*arg;		/* argument name in --help */
	const char	*help;		/* NULL: listed with the previous one */
};

/* The order here is the order of --help. */
static const struct opt_def opt_defs[] = {
	{ "input", 'i', required_argument, "FILE",
	  "read requests from FILE, one per line (- = stdin); repeatable" },
	{ "output", 'o', required_argument, "FILE",
	  "write records to FILE instead of stdout" },
	{ "concurrency", 'c', required_argument, "N",
	  "at most N requests in flight (default 50)" },
	{ "per-host", O_PER_HOST, required_argument, "N",
	  "at most N requests in flight per host:port (default 0: no limit)" },
	{ "rate", 'r', required_argument, "R",
	  "start at most R requests per second: 20, 20/s, 300/m, 1000/h" },
	{ "per-host-rate", O_PER_HOST_RATE, required_argument, "R",
	  "the same, per host:port" },
	{ "timeout", 't', required_argument, "SEC",
	  "limit for one attempt, connect to last byte (default 30; 0: none)" },
	{ "connect-timeout", O_CONNECT_TIMEOUT, required_argument, "SEC",
	  "limit for DNS + TCP + TLS (default 10)" },
	{ "retries", O_RETRIES, required_argument, "N",
	  "extra attempts after a retryable failure (default 2)" },
	{ "retry-on", O_RETRY_ON, required_argument, "LIST",
	  "retryable error kinds and statuses\n"
	  "(default connect,timeout,recv,429,500,502,503,504)" },
	{ "retry-delay", O_RETRY_DELAY, required_argument, "SEC",
	  "base of exponential backoff with full jitter (default 0.5)" },
	{ "retry-max-delay", O_RETRY_MAX_DELAY, required_argument, "SEC",
	  "cap on one backoff and on Retry-After (default 30)" },
	{ "ordered", O_ORDERED, no_argument, NULL,
	  "emit records in input order (default: as they complete)" },
	{ "method", 'X', required_argument, "M",
	  "request method (default GET, or POST with -d)" },
	{ "header", 'H', required_argument, "'Name: value'",
	  "extra request header; repeatable" },
	{ "data", 'd', required_argument, "DATA",
	  "request body; @FILE reads it from FILE; implies POST" },
	{ "user-agent", 'A', required_argument, "UA",
	  "User-Agent (default cofetch/" COFETCH_VERSION ")" },
	{ "no-follow", O_NO_FOLLOW, no_argument, NULL,
	  "do not follow redirects" },
	{ "max-redirs", O_MAX_REDIRS, required_argument, "N",
	  "most redirects to follow (default 10)" },
	{ "insecure", 'k', no_argument, NULL,
	  "skip TLS certificate verification" },
	{ "proxy", 'x', required_argument, "URL",
	  "proxy (default: http_proxy, https_proxy, no_proxy)" },
	{ "http1.1", O_HTTP11, no_argument, NULL,
	  "use HTTP/1.1 only" },
	{ "http2", O_HTTP2, no_argument, NULL,
	  "use HTTP/2 (h2 via ALPN on https, h2c upgrade on http)" },
	{ "http2-prior-knowledge", O_HTTP2_PRIOR, no_argument, NULL,
	  "use HTTP/2 without upgrade (h2c on http)" },
	{ "no-compress", O_NO_COMPRESS, no_argument, NULL,
	  "do not send Accept-Encoding nor decode bodies" },
	{ "max-size", O_MAX_SIZE, required_argument, "SIZE",
	  "abort a body larger than SIZE, K/M/G suffixes (default 64M)" },
	{ "body", 'b', optional_argument, "[=MODE]",
	  "include the body: auto (default), text, base64, json, none" },
	{ "headers", O_HEADERS, no_argument, NULL,
	  "include response headers" },
	{ "save", O_SAVE, required_argument, "DIR",
	  "write each body to DIR/INDEX" },
	{ "resume", O_RESUME, no_argument, NULL,
	  "with -o FILE: skip requests FILE has an ok record for, append" },
	{ "shard", O_SHARD, required_argument, "K/N",
	  "process only indexes i with i % N == K-1 (default 1/1)" },
	{ "processes", 'P', required_argument, "N",
	  "run N processes, each a shard of the requests (by host with\n"
	  "--per-host or --per-host-rate), records merged (default 1)" },
	{ "progress", O_PROGRESS, no_argument, NULL,
	  "live progress line on stderr (default: when a terminal)" },
	{ "no-progress", O_NO_PROGRESS, no_argument, NULL,
	  "no progress line" },
	{ "stats", O_STATS, no_argument, NULL,
	  "print a JSON summary on stderr at the end" },
	{ "quiet", 'q', no_argument, NULL,
	  "no warnings on stderr" },
	{ "verbose", 'v', no_argument, NULL,
	  "more on stderr (each finished request)" },
	{ "help", 'h', no_argument, NULL,
	  "show this help and exit" },
	{ "version", 'V', no_argument, NULL,
	  "show the version and exit" },
};
#define NOPTS	(sizeof(opt_defs) / sizeof(opt_defs[0]))

/* Print text in the help's right column, wrapped at 80 columns; an
 * explicit newline in text starts a new line too. */
static void
help_wrap(const char *text, int first_col)
{
	const int col = 31, width = 79 - col;
	const char *p = text, *brk;
	int n, pad = col - first_col;

	while (*p != '\0') {
		n = (int)strcspn(p, "\n");
		if (n > width) {
			for (brk = p + width; brk > p && *brk != ' '; brk--)
				;
			n = brk > p ? (int)(brk - p) : width;
		}
		printf("%*s%.*s\n", pad > 1 ? pad : 1, "", n, p);
		pad = col;
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
}

static void
opts_help(void)
{
	const struct opt_def *d;
	char left[64];
	const char *sep;
	size_t i;
	int n;

	printf("Usage: cofetch [OPTIONS] [URL ...]\n"
	    "       cofetch [OPTIONS] -i FILE [-i FILE ...]\n"
	    "       producer | cofetch [OPTIONS]\n\n"
	    "Fetch URLs concurrently; write one JSON record per request "
	    "(JSON Lines).\n"
	    "An input line is a URL, or a JSON object with \"url\" and "
	    "optionally\n\"method\", \"headers\", \"body\" and "
	    "\"id\".\n\nOptions:\n");
	for (i = 0; i < NOPTS; i++) {
		d = &opt_defs[i];
		sep = d->arg && d->has_arg == required_argument ? " " : "";
		if (d->val < 256)
			n = snprintf(left, sizeof(left), "  -%c, --%s%s%s",
			    d->val, d->name, sep, d->arg ? d->arg : "");
		else
			n = snprintf(left, sizeof(left), "      --%s%s%s",
			    d->name, sep, d->arg ? d->arg : "");
		fputs(left, stdout);
		if (n > 29) {
			putchar('\n');
			n = 0;
		}
		help_wrap(d->help, n);
	}
	printf("\nExit status: 0 all ok, 1 some request failed, 2 usage "
	    "error, 3 output not\nwritable, 70 out of memory, 141 the "
	    "reader went away, 128+N after signal N.\n"
	    "See cofetch(1) for the record format.\n");
}

static int
usage_error(const char *opt, const char *value, const char *accepted)
{
	if (value != NULL)
		fprintf(stderr, "cofetch: %s: '%s' is not valid: %s\n",
		    opt, value, accepted);
	else
		fprintf(stderr, "cofetch: %s\n", accepted);
	fprintf(stderr, "Try 'cofetch --help'.\n");
	return 2;
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* Digits only, as every count here is: no space, sign or "0x". */
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Digits only: no sign, no space, no overflow. */
static int
parse_u64(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s) ||
		    v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
parse_shard(const char *s, uint64_t *k, uint64_t *n)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL || parse_u64(s, slash, k) < 0 ||
	    parse_u64(slash + 1, slash + 1 + strlen(slash + 1), n) < 0 ||
	    *k < 1 || *k > *n)
		return -1;
	return 0;
}

static int
parse_double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return -1;
	/* Reject hex floats, "inf", "nan" and leading spaces. */
	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return -1;
	*out = v;
	return 0;
}

int
opts_parse_seconds(const char *s, double *sec, char *err, size_t errlen)
{
	double v;

	if (parse_double(s, &v) < 0 || v < 0 || v > 1e6) {
		(void)snprintf(err, errlen, "expected seconds, a number from "
		    "0 to 1000000 (fractions allowed, e.g. 2.5)");
		return -1;
	}
	*sec = v;
	return 0;
}

int
opts_parse_rate(const char *s, double *per_second, char *err, size_t errlen)
{
	char num[64];
	const char *slash = strchr(s, '/');
	double v, unit = 1;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= sizeof(num))
		goto fail;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_double(num, &v) < 0 || v <= 0)
		goto fail;
	if (slash != NULL) {
		if (strcmp(slash + 1, "s") == 0)
			unit = 1;
		else if (strcmp(slash + 1, "m") == 0)
			unit = 60;
		else if (strcmp(slash + 1, "h") == 0)
			unit = 3600;
		else
			goto fail;
	}
	*per_second = v / unit;
	if (*per_second > 1e6)
		goto fail;
	return 0;
fail:
	(void)snprintf(err, errlen, "expected a positive rate such as 20, "
	    "20/s, 300/m or 1000/h");
	return -1;
}

int
opts_parse_size(const char *s, int64_t *bytes, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;
	int64_t mult = 1;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto fail;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		goto fail;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1024;
		break;
	case 'm': case 'M':
		mult = 1024 * 1024;
		break;
	case 'g': case 'G':
		mult = 1024LL * 1024 * 1024;
		break;
	default:
		goto fail;
	}
	if (*end != '\0' && end[1] != '\0')
		goto fail;
	if (v == 0 || v > (unsigned long long)(INT64_MAX / mult))
		goto fail;
	*bytes = (int64_t)v * mult;
	return 0;
fail:
	(void)snprintf(err, errlen, "expected a positive size in bytes with "
	    "an optional K, M or G suffix, e.g. 512K or 64M");
	return -1;
}

static int
is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
}

static int
read_data_file(const char *path, char **out, size_t *len)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf_init(&b);
	buf_reserve(&b, 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (fd != 0)
				(void)close(fd);
			buf_free(&b);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (fd != 0)
		(void)close(fd);
	*out = b.data;
	*len = b.len;
	return 0;
}

static void
opts_defaults(struct opts *o)
{
	char err[128];

	memset(o, 0, sizeof(*o));
	o->concurrency = 50;
	o->timeout = 30;
	o->connect_timeout = 10;
	o->retries = 2;
	(void)retry_policy_parse(&o->retry_on,
	    "connect,timeout,recv,429,500,502,503,504", err, sizeof(err));
	o->retry_delay = 0.5;
	o->retry_max_delay = 30;
	o->user_agent = "cofetch/" COFETCH_VERSION;
	o->follow = 1;
	o->max_redirs = 10;
	o->compress = 1;
	o->max_size = 64LL * 1024 * 1024;
	o->shard_k = o->shard_n = 1;
	o->processes = 1;
	o->progress = -1;
}

int
opts_parse(struct opts *o, int argc, char **argv, int *exit_now)
{
	struct option longopts[NOPTS + 1];
	char shortopts[NOPTS * 3 + 3], err[512], optname[64];
	const struct opt_def *d;
	const char *arg;
	size_t i, sp = 0;
	int c, idx, stdin_used, data_stdin = 0;
	long l;

	opts_defaults(o);
	*exit_now = 0;
	/* A leading ':' makes getopt tell a missing value (':') from an
	 * unknown option ('?'). */
	shortopts[sp++] = ':';
	for (i = 0; i < NOPTS; i++) {
		d = &opt_defs[i];
		longopts[i].name = d->name;
		longopts[i].has_arg = d->has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = d->val;
		if (d->val < 256) {
			shortopts[sp++] = (char)d->val;
			if (d->has_arg == required_argument)
				shortopts[sp++] = ':';
			else if (d->has_arg == optional_argument) {
				shortopts[sp++] = ':';
				shortopts[sp++] = ':';
			}
		}
	}
	shortopts[sp] = '\0';
	memset(&longopts[NOPTS], 0, sizeof(longopts[NOPTS]));

	opterr = 0;
	optind = 1;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, shortopts, longopts, &idx);
		if (c == -1)
			break;
		arg = optarg;
		/* The option as the user wrote it, for messages. */
		for (i = 0; i < NOPTS; i++)
			if (opt_defs[i].val == c)
				break;
		if (i < NOPTS)
			(void)snprintf(optname, sizeof(optname), "--%s",
			    opt_defs[i].name);
		switch (c) {
		case 'i':
			o->inputs = xrealloc(o->inputs,
			    (o->ninputs + 1) * sizeof(*o->inputs));
			o->inputs[o->ninputs++] = arg;
			break;
		case 'o':
			o->output = arg;
			break;
		case 'c':
			if (parse_long(arg, 1, 100000, &o->concurrency) < 0)
				return usage_error(optname, arg,
				    "expected an integer from 1 to 100000");
			break;
		case O_PER_HOST:
			if (parse_long(arg, 0, 100000, &o->per_host) < 0)
				return usage_error(optname, arg, "expected an "
				    "integer from 0 (no limit) to 100000");
			break;
		case 'r':
		case O_PER_HOST_RATE:
			if (opts_parse_rate(arg, c == 'r' ? &o->rate :
			    &o->per_host_rate, err, sizeof(err)) < 0)
				return usage_error(optname, arg, err);
			break;
		case 't':
		case O_CONNECT_TIMEOUT:
		case O_RETRY_DELAY:
		case O_RETRY_MAX_DELAY:
			if (opts_parse_seconds(arg, c == 't' ? &o->timeout :
			    c == O_CONNECT_TIMEOUT ? &o->connect_timeout :
			    c == O_RETRY_DELAY ? &o->retry_delay :
			    &o->retry_max_delay, err, sizeof(err)) < 0)
				return usage_error(optname, arg, err);
			break;
		case O_RETRIES:
			if (parse_long(arg, 0, 100, &o->retries) < 0)
				return usage_error(optname, arg,
				    "expected an integer from 0 to 100");
			break;
		case O_RETRY_ON:
			if (retry_policy_parse(&o->retry_on, arg, err,
			    sizeof(err)) < 0)
				return usage_error(optname, arg, err);
			break;
		case O_ORDERED:
			o->ordered = 1;
			break;
		case 'X':
			if (!is_token(arg, strlen(arg)) || strlen(arg) > 32)
				return usage_error(optname, arg, "expected an "
				    "HTTP method such as GET, POST or DELETE");
			o->method = arg;
			break;
		case 'H': {
			const char *colon = strchr(arg, ':');

			if (colon == NULL || !is_token(arg,
			    (size_t)(colon - arg)) || strpbrk(arg, "\r\n"))
				return usage_error(optname, arg, "expected "
				    "'Name: value' with a token name and no "
				    "CR or LF");
			o->headers = xrealloc(o->headers,
			    (o->nheaders + 2) * sizeof(*o->headers));
			o->headers[o->nheaders++] = (char *)arg;
			o->headers[o->nheaders] = NULL;
			break;
		}
		case 'd':
			free(o->data);
			o->data = NULL;
			data_stdin = strcmp(arg, "@-") == 0;
			if (arg[0] == '@') {
				if (read_data_file(arg + 1, &o->data,
				    &o->data_len) < 0) {
					(void)snprintf(err, sizeof(err),
					    "cannot read %s: %s", arg + 1,
					    strerror(errno));
					return usage_error(optname, arg, err);
				}
			} else {
				o->data = xstrdup(arg);
				o->data_len = strlen(arg);
			}
			break;
		case 'A':
			if (strpbrk(arg, "\r\n") != NULL)
				return usage_error(optname, arg,
				    "expected text without CR or LF");
			o->user_agent = arg;
			break;
		case O_NO_FOLLOW:
			o->follow = 0;
			break;
		case O_MAX_REDIRS:
			if (parse_long(arg, 0, 1000, &o->max_redirs) < 0)
				return usage_error(optname, arg,
				    "expected an integer from 0 to 1000");
			break;
		case 'k':
			o->insecure = 1;
			break;
		case 'x':
			o->proxy = arg;
			break;
		case O_HTTP11:
			o->http = HTTPV_1_1;
			break;
		case O_HTTP2:
			o->http = HTTPV_2;
			break;
		case O_HTTP2_PRIOR:
			o->http = HTTPV_2_PRIOR;
			break;
		case O_NO_COMPRESS:
			o->compress = 0;
			break;
		case O_MAX_SIZE:
			if (opts_parse_size(arg, &o->max_size, err,
			    sizeof(err)) < 0)
				return usage_error(optname, arg, err);
			break;
		case 'b':
			if (arg == NULL || strcmp(arg, "auto") == 0)
				o->body = BODY_AUTO;
			else if (strcmp(arg, "text") == 0)
				o->body = BODY_TEXT;
			else if (strcmp(arg, "base64") == 0)
				o->body = BODY_BASE64;
			else if (strcmp(arg, "json") == 0)
				o->body = BODY_JSON;
			else if (strcmp(arg, "none") == 0)
				o->body = BODY_NONE;
			else
				return usage_error(optname, arg, "expected "
				    "auto, text, base64, json or none "
				    "(write --body=MODE or -bMODE)");
			break;
		case O_HEADERS:
			o->headers_out = 1;
			break;
		case O_SAVE:
			o->save_dir = arg;
			break;
		case O_RESUME:
			o->resume = 1;
			break;
		case O_SHARD:
			if (parse_shard(arg, &o->shard_k, &o->shard_n) < 0)
				return usage_error(optname, arg, "expected K/N "
				    "with 1 <= K <= N, e.g. 2/8");
			break;
		case 'P':
			if (parse_long(arg, 1, 1024, &o->processes) < 0)
				return usage_error(optname, arg,
				    "expected an integer from 1 to 1024");
			break;
		case O_PROGRESS:
			o->progress = 1;
			break;
		case O_NO_PROGRESS:
			o->progress = 0;
			break;
		case O_STATS:
			o->stats = 1;
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'v':
			o->verbosity = 1;
			break;
		case 'h':
			opts_help();
			*exit_now = 1;
			return 0;
		case 'V':
			printf("cofetch %s\n%s\n", COFETCH_VERSION,
			    curl_version());
			*exit_now = 1;
			return 0;
		case ':':
			for (i = 0; i < NOPTS; i++)
				if (opt_defs[i].val == optopt)
					break;
			(void)snprintf(err, sizeof(err),
			    "option '%s' needs a value%s%s%s", argv[optind - 1],
			    i < NOPTS ? " (" : "",
			    i < NOPTS ? opt_defs[i].arg : "",
			    i < NOPTS ? ")" : "");
			return usage_error(NULL, NULL, err);
		case '?':
		default:
			if (optopt != 0 && optopt < 256)
				(void)snprintf(err, sizeof(err),
				    "unknown option '-%c'", optopt);
			else
				(void)snprintf(err, sizeof(err),
				    "unknown or ambiguous option '%s'",
				    argv[optind - 1]);
			return usage_error(NULL, NULL, err);
		}
	}
	o->urls = argv + optind;
	o->nurls = (size_t)(argc - optind);

	if (o->resume && o->output == NULL)
		return usage_error(NULL, NULL, "--resume needs -o FILE: it "
		    "appends to the records FILE already holds");
	if (o->output != NULL && strcmp(o->output, "-") == 0)
		o->output = NULL;
	stdin_used = o->nurls == 0 && o->ninputs == 0;
	for (i = 0; i < o->ninputs; i++)
		if (strcmp(o->inputs[i], "-") == 0)
			stdin_used = 1;
	l = 0;
	for (i = 0; i < o->ninputs; i++)
		if (strcmp(o->inputs[i], "-") == 0)
			l++;
	if (l > 1)
		return usage_error(NULL, NULL, "-i - (stdin) given more than "
		    "once: stdin can be read only once");
	if (stdin_used && data_stdin)
		return usage_error(NULL, NULL, "-d @- reads the body from "
		    "stdin, but stdin is also the input: give URLs or -i FILE");
	return 0;
}

void
opts_free(struct opts *o)
{
	free(o->inputs);
	free(o->headers);
	free(o->data);
	memset(o, 0, sizeof(*o));
}
