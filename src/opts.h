/* opts.h: the command line, parsed once into a read-only struct opts. */
#ifndef COFETCH_OPTS_H
#define COFETCH_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "optval.h"
#include "retry.h"

enum http_version {
	HTTPV_DEFAULT = 0,	/* h2 via ALPN on https, else 1.1 */
	HTTPV_1_1,
	HTTPV_2,
	HTTPV_2_PRIOR
};

enum config_state {
	CONFIG_NONE = 0,	/* no path: neither XDG_CONFIG_HOME nor HOME */
	CONFIG_ABSENT,		/* the default file does not exist */
	CONFIG_READ,		/* read from config_path */
	CONFIG_SKIPPED		/* --no-config */
};

/* Filled by opts_parse(); strings point into argv, into the config file's
 * text (config_text) or into o->owned, and all are freed by opts_free(). */
struct opts {
	char		**urls;		/* URL arguments (point into argv) */
	size_t		  nurls;
	const char	**inputs;	/* malloced array; -i FILEs, "-" =
					 * stdin */
	size_t		  ninputs;
	const char	 *output;	/* -o FILE, or NULL: stdout */
	long		  concurrency;
	long		  per_host;	/* 0: no limit */
	long		  queue;	/* --queue: read-ahead beyond -c */
	int		  adaptive;	/* --adaptive */
	int		  robots;	/* --robots: obey robots.txt */
	double		  rate;		/* starts per second, 0: unlimited */
	double		  per_host_rate;
	double		  timeout;
	double		  connect_timeout;
	long		  retries;
	struct retry_policy retry_on;
	double		  retry_delay;
	double		  retry_max_delay;
	double		  retry_max_time;	/* 0: no limit */
	int		  retry_unsafe;	/* copied into retry_on.unsafe */
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
	const char	 *save_as;	/* --save-as TEMPLATE, or NULL */
	int		  resume;
	uint64_t	  shard_k;	/* 1-based */
	uint64_t	  shard_n;
	long		  processes;	/* -P: 1, or children to fork */
	int		  progress;	/* -1: when stderr is a terminal */
	int		  stats;
	int		  verbosity;	/* -1 quiet, 0, 1 verbose */

	/* The curl user's options (man page, AUTHENTICATION). */
	const char	 *user;		/* -u USER[:PASSWORD], a copy (argv's
					 * is blanked), or NULL */
	int		  digest;	/* --digest: Digest, not Basic */
	int		  netrc;	/* --netrc or --netrc-file */
	const char	 *netrc_file;
	const char	 *cacert;	/* --cacert, else CURL_CA_BUNDLE or
					 * SSL_CERT_FILE */
	const char	 *capath;	/* --capath, else SSL_CERT_DIR */
	const char	 *cert;		/* --cert FILE (":PASS" cut off) */
	const char	 *cert_pass;
	const char	 *key;
	char		**resolve;	/* malloced arrays of --resolve and */
	size_t		  nresolve;	/* --connect-to values */
	char		**connect_to;
	size_t		  nconnect_to;
	int		  ipv;		/* 0, 4 (-4) or 6 (-6) */
	const char	 *cookie;	/* --cookie NAME=VALUE..., or NULL */
	const char	 *cookie_file;	/* --cookie FILE (no '='), or NULL */
	const char	 *cookie_jar;	/* --cookie-jar FILE, or NULL */
	char		**stdin_readers; /* malloced array of labels of the
					 * -H @FILE and -d @FILE that read
					 * stdin ("-H @-", "-d @/dev/stdin"),
					 * in command-line order; the labels
					 * are in owned */
	size_t		  nstdin_readers;

	/* The config file (man page, FILES). */
	const char	 *config_path;	/* looked at, or NULL */
	enum config_state config_state;
	char		 *config_text;	/* owned: the file's text */
	int		  help;		/* -h given: print help, exit 0 */
	int		  version;	/* -V given */
	char		**owned;	/* malloced strings the fields above */
	size_t		  nowned;	/* may point to, freed at the end */

	/* Between runs (man page, STATE STORE and METRICS). */
	const char	 *state_file;	/* --state, or NULL */
	int		  hash;		/* --hash (implied by --state) */
	int		  only_changed;
	const char	 *metrics_file;	/* --metrics, or NULL */
	int		  metrics_per_host;
};

/* Parse argv into o. On a usage error prints "cofetch: ..." and a hint to
 * stderr and returns 2; for --help/--version prints to stdout and returns
 * 0 with *exit_now set; else returns 0. */
int	opts_parse(struct opts *o, int argc, char **argv, int *exit_now);
void	opts_free(struct opts *o);

/* Options that cannot go with -P N > 1 (a usage error, said here): one
 * --state store, one --metrics file and one --cookie-jar each have a
 * single writer, and N processes would each write their own. 0 or -1.
 * Part of the checks opts_parse() makes. */
int	opts_check_processes(const struct opts *o);

#endif
