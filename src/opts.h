/* opts.h: the command line, parsed once into a read-only struct opts. */
#ifndef COFETCH_OPTS_H
#define COFETCH_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "retry.h"

enum body_mode {
	BODY_NONE = 0,
	BODY_AUTO,
	BODY_TEXT,
	BODY_BASE64,
	BODY_JSON
};

enum http_version {
	HTTPV_DEFAULT = 0,	/* h2 via ALPN on https, else 1.1 */
	HTTPV_1_1,
	HTTPV_2,
	HTTPV_2_PRIOR
};

/* Filled by opts_parse(); strings point into argv or are malloced and
 * freed by opts_free(). */
struct opts {
	char		**urls;		/* URL arguments (point into argv) */
	size_t		  nurls;
	const char	**inputs;	/* malloced array; -i FILEs, "-" =
					 * stdin */
	size_t		  ninputs;
	const char	 *output;	/* -o FILE, or NULL: stdout */
	long		  concurrency;
	long		  per_host;	/* 0: no limit */
	double		  rate;		/* starts per second, 0: unlimited */
	double		  per_host_rate;
	double		  timeout;
	double		  connect_timeout;
	long		  retries;
	struct retry_policy retry_on;
	double		  retry_delay;
	double		  retry_max_delay;
	int		  ordered;
	const char	 *method;	/* -X, or NULL */
	char		**headers;	/* malloced array of "Name: value"
					 * (point into argv), NULL-ended */
	size_t		  nheaders;
	char		 *data;		/* -d, malloced (read from @FILE),
					 * or NULL */
	size_t		  data_len;
	const char	 *user_agent;
	int		  follow;
	long		  max_redirs;
	int		  insecure;
	const char	 *proxy;
	enum http_version http;
	int		  compress;
	int64_t		  max_size;	/* bytes */
	enum body_mode	  body;
	int		  headers_out;	/* --headers */
	const char	 *save_dir;
	int		  resume;
	uint64_t	  shard_k;	/* 1-based */
	uint64_t	  shard_n;
	long		  processes;	/* -P: 1, or children to fork */
	int		  progress;	/* -1: when stderr is a terminal */
	int		  stats;
	int		  verbosity;	/* -1 quiet, 0, 1 verbose */
};

/* Parse argv into o. On a usage error prints "cofetch: ..." and a hint to
 * stderr and returns 2; for --help/--version prints to stdout and returns
 * 0 with *exit_now set; else returns 0. */
int	opts_parse(struct opts *o, int argc, char **argv, int *exit_now);
void	opts_free(struct opts *o);

/* Parsers for option values, exposed for the tests. Each returns 0, or
 * -1 and writes what is accepted into err. */
int	opts_parse_rate(const char *s, double *per_second,
	    char *err, size_t errlen);
int	opts_parse_size(const char *s, int64_t *bytes, char *err, size_t errlen);
int	opts_parse_seconds(const char *s, double *sec, char *err, size_t errlen);

#endif
