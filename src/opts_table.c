/* opts_table.c: every option, one row each: its names, the type of its
 * value, the field it sets and its --help line. The order here is the
 * order of --help. To add an option: add a field to struct opts, a row
 * here, its entry in the man page's OPTIONS and the completions. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "opts_int.h"

#ifndef COFETCH_VERSION
#define COFETCH_VERSION "0.0.0"
#endif

#define F(field)	offsetof(struct opts, field)
#define FLAG(n, l, field, v, h) \
	{ n, l, OT_FLAG, 0, F(field), v, 0, NULL, NULL, h }
#define CMDFLAG(n, l, field, h) \
	{ n, l, OT_FLAG, OF_CMDLINE, F(field), 1, 0, NULL, NULL, h }
#define STR(n, l, field, check, a, h) \
	{ n, l, OT_STRING, 0, F(field), 0, 0, check, a, h }
#define COUNT(n, l, field, lo, hi, h) \
	{ n, l, OT_COUNT, 0, F(field), lo, hi, NULL, "N", h }
#define SECS(n, l, field, h) \
	{ n, l, OT_SECONDS, 0, F(field), 0, 0, NULL, "SEC", h }
#define RATE(n, l, field, h) \
	{ n, l, OT_RATE, 0, F(field), 0, 0, NULL, "R", h }
#define SIZE(n, l, field, h) \
	{ n, l, OT_SIZE, 0, F(field), 0, 0, NULL, "SIZE", h }
#define FUNC(n, l, fl, fn, a, h) \
	{ n, l, OT_FUNC, fl, 0, 0, 0, fn, a, h }

const struct opt_def opt_defs[] = {
	FUNC("input", 'i', 0, opt_input, "FILE",
	    "read requests from FILE, one per line (- = stdin); repeatable"),
	STR("output", 'o', output, NULL, "FILE",
	    "write records to FILE instead of stdout"),
	FUNC("config", 0, OF_CMDLINE, opt_nop, "FILE",
	    "read options from FILE, one long option per line (default "
	    "$XDG_CONFIG_HOME/cofetch/config when present)"),
	FUNC("no-config", 0, OF_CMDLINE | OF_NOVAL, opt_nop, NULL,
	    "do not read the default config file"),
	COUNT("concurrency", 'c', concurrency, 1, 100000,
	    "at most N requests in flight (default 50)"),
	COUNT("per-host", 0, per_host, 0, 100000,
	    "at most N requests in flight per host:port (default 0: no "
	    "limit)"),
	COUNT("queue", 0, queue, 0, 1000000,
	    "read ahead up to N requests into the per-host queues, so a busy "
	    "host holds no slot another host could use (default 4 x -c)"),
	FLAG("adaptive", 0, adaptive, 1,
	    "adapt each host's concurrency between 1 and --per-host (or -c): "
	    "up while fast and ok, halved on 429/503/timeouts or slow "
	    "replies"),
	FLAG("robots", 0, robots, 1,
	    "fetch each host's robots.txt once and obey it: disallowed URLs "
	    "get kind robots, Crawl-delay spaces that host's starts"),
	RATE("rate", 'r', rate,
	    "start at most R requests per second: 20, 20/s, 300/m, 1000/h"),
	RATE("per-host-rate", 0, per_host_rate, "the same, per host:port"),
	SECS("timeout", 't', timeout,
	    "limit for one attempt, connect to last byte (default 30; 0: "
	    "none)"),
	SECS("connect-timeout", 0, connect_timeout,
	    "limit for DNS + TCP + TLS (default 10)"),
	COUNT("retries", 0, retries, 0, 100,
	    "extra attempts after a retryable failure (default 2)"),
	FUNC("retry-on", 0, 0, opt_retry_on, "LIST",
	    "retryable error kinds and statuses\n"
	    "(default connect,timeout,recv,429,500,502,503,504)"),
	SECS("retry-delay", 0, retry_delay,
	    "base of exponential backoff with full jitter (default 0.5)"),
	SECS("retry-max-delay", 0, retry_max_delay,
	    "cap on one backoff and on Retry-After (default 30)"),
	SECS("retry-max-time", 0, retry_max_time,
	    "no retry starts later than SEC after the first attempt "
	    "(default 0: no limit)"),
	FLAG("retry-unsafe", 0, retry_unsafe, 1,
	    "also retry POST and other non-idempotent requests, when not "
	    "sent (dns, connect, tls) or on a listed status"),
	FLAG("ordered", 0, ordered, 1,
	    "emit records in input order (default: as they complete)"),
	STR("method", 'X', method, opt_check_method, "M",
	    "request method (default GET, or POST with -d)"),
	FUNC("head", 'I', OF_NOVAL, opt_head, NULL,
	    "the same as -X HEAD: headers only"),
	FUNC("header", 'H', 0, opt_header, "'Name: value'",
	    "extra request header; 'Name;' sends it empty, 'Name:' removes "
	    "a default one, @FILE reads header lines from FILE; repeatable"),
	FUNC("data", 'd', 0, opt_data, "DATA",
	    "request body; @FILE reads it from FILE without CR and LF; "
	    "implies POST"),
	FUNC("data-binary", 0, 0, opt_data, "DATA",
	    "the same, but @FILE is sent as is"),
	STR("user-agent", 'A', user_agent, opt_check_line, "UA",
	    "User-Agent (default cofetch/" COFETCH_VERSION ")"),
	FUNC("user", 'u', 0, opt_user, "USER:PASSWORD",
	    "Basic authentication (no password: an empty one; never "
	    "prompts)"),
	FLAG("digest", 0, digest, 1,
	    "use Digest authentication for -u"),
	FLAG("netrc", 0, netrc, 1,
	    "read credentials from ~/.netrc"),
	FUNC("netrc-file", 0, 0, opt_netrc_file, "FILE",
	    "read credentials from FILE"),
	FLAG("no-follow", 0, follow, 0,
	    "do not follow redirects"),
	COUNT("max-redirs", 0, max_redirs, 0, 1000,
	    "most redirects to follow (default 10)"),
	FLAG("insecure", 'k', insecure, 1,
	    "skip TLS certificate verification"),
	STR("cacert", 0, cacert, opt_check_file, "FILE",
	    "trust the CA certificates in FILE (PEM; default: "
	    "CURL_CA_BUNDLE, SSL_CERT_FILE, then the system's)"),
	STR("capath", 0, capath, opt_check_dir, "DIR",
	    "trust the CA certificates in DIR (default: SSL_CERT_DIR)"),
	FUNC("cert", 0, 0, opt_cert, "FILE[:PASS]",
	    "client certificate (PEM), PASS for its key"),
	STR("key", 0, key, opt_check_file, "FILE",
	    "private key for --cert, when not in its FILE"),
	FUNC("proxy", 'x', 0, opt_proxy, "URL",
	    "proxy (default: http_proxy, https_proxy, no_proxy)"),
	FUNC("resolve", 0, 0, opt_list, "HOST:PORT:ADDR",
	    "connect to ADDR for HOST:PORT; repeatable"),
	FUNC("connect-to", 0, 0, opt_list, "H1:P1:H2:P2",
	    "connect to H2:P2 for requests to H1:P1; repeatable"),
	FLAG("ipv4", '4', ipv, 4,
	    "resolve names to IPv4 addresses only"),
	FLAG("ipv6", '6', ipv, 6,
	    "resolve names to IPv6 addresses only"),
	FUNC("cookie", 0, 0, opt_cookie, "DATA|FILE",
	    "send NAME=VALUE cookies, or load cookies from FILE; either way "
	    "cookies set by responses are sent by later requests"),
	STR("cookie-jar", 0, cookie_jar, NULL, "FILE",
	    "write every cookie to FILE at the end"),
	FLAG("http1.1", 0, http, HTTPV_1_1,
	    "use HTTP/1.1 only"),
	FLAG("http2", 0, http, HTTPV_2,
	    "use HTTP/2 (h2 via ALPN on https, h2c upgrade on http)"),
	FLAG("http2-prior-knowledge", 0, http, HTTPV_2_PRIOR,
	    "use HTTP/2 without upgrade (h2c on http)"),
	FLAG("no-compress", 0, compress, 0,
	    "do not send Accept-Encoding nor decode bodies"),
	SIZE("max-size", 0, max_size,
	    "abort a body larger than SIZE, K/M/G suffixes (default 64M)"),
	FUNC("body", 'b', OF_OPTVAL, opt_body, "[MODE]",
	    "include the body: auto (default), text, base64, json, none"),
	FLAG("headers", 0, headers_out, 1,
	    "include response headers"),
	STR("save", 0, save_dir, NULL, "DIR",
	    "write each body to DIR/INDEX"),
	STR("save-as", 0, save_as, NULL, "TEMPLATE",
	    "name saved files {index} {id} {host} {path} {ext} {hash} "
	    "under DIR"),
	FLAG("resume", 0, resume, 1,
	    "with -o FILE: skip requests FILE has an ok record for, append"),
	FUNC("shard", 0, 0, opt_shard, "K/N",
	    "process only indexes i with i % N == K-1 (default 1/1)"),
	COUNT("processes", 'P', processes, 1, 1024,
	    "run N processes, each a shard of the requests (by host with "
	    "--per-host or --per-host-rate), records merged (default 1)"),
	FLAG("progress", 0, progress, 1,
	    "live progress line on stderr (default: when a terminal)"),
	FLAG("no-progress", 0, progress, 0,
	    "no progress line"),
	FLAG("stats", 0, stats, 1,
	    "print a JSON summary on stderr at the end"),
	STR("state", 0, state_file, NULL, "FILE",
	    "keep validators and content hashes in FILE (SQLite) between "
	    "runs: conditional requests, \"hash\" and \"changed\""),
	FLAG("hash", 0, hash, 1,
	    "add \"hash\" (sha256 of the body) to records"),
	FLAG("only-changed", 0, only_changed, 1,
	    "with --state: write records only for changed content and "
	    "failures"),
	STR("metrics", 0, metrics_file, NULL, "FILE",
	    "write Prometheus metrics of the run to FILE at the end"),
	FLAG("metrics-per-host", 0, metrics_per_host, 1,
	    "with --metrics: add per-host series"),
	FLAG("quiet", 'q', verbosity, -1,
	    "no warnings on stderr"),
	FLAG("verbose", 'v', verbosity, 1,
	    "more on stderr (each finished request)"),
	CMDFLAG("help", 'h', help,
	    "show this help and exit"),
	CMDFLAG("version", 'V', version,
	    "show the version and exit"),
};
const size_t opt_ndefs = sizeof(opt_defs) / sizeof(opt_defs[0]);

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

void
opts_help(const struct opts *o)
{
	static const char *const state[] = {
		[CONFIG_NONE] = "no HOME nor XDG_CONFIG_HOME: none",
		[CONFIG_ABSENT] = "not present",
		[CONFIG_READ] = "read",
		[CONFIG_SKIPPED] = "skipped (--no-config)"
	};
	const struct opt_def *d;
	char left[64];
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
	for (i = 0; i < opt_ndefs; i++) {
		d = &opt_defs[i];
		if (d->letter != 0)
			n = snprintf(left, sizeof(left), "  -%c, --%s%s%s",
			    d->letter, d->name, d->arg ? " " : "",
			    d->arg ? d->arg : "");
		else
			n = snprintf(left, sizeof(left), "      --%s%s%s",
			    d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		fputs(left, stdout);
		if (n > 29) {
			putchar('\n');
			n = 0;
		}
		help_wrap(d->help, n);
	}
	printf("\nValues: N is digits only; SEC is like 2 or 0.25; R is such "
	    "a number, optionally\n/s, /m or /h; SIZE is digits with an "
	    "optional K, M or G.\n");
	printf("\nConfig file: %s (%s)\n",
	    o->config_path ? o->config_path : "-", state[o->config_state]);
	printf("\nExit status: 0 all ok, 1 some request failed, 2 usage "
	    "error, 3 output not\nwritable, 70 out of memory, 141 the "
	    "reader went away, 128+N after signal N.\n"
	    "See cofetch(1) for the record format.\n");
}
