/* opts.c: the command line and the config file, read through one option
 * table (opts_table.c) by one parser: exact long names, a suggestion for
 * a near miss, every value checked before anything starts. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "exitcode.h"
#include "msg.h"
#include "optval.h"
#include "opts_int.h"
#include "util.h"

#ifndef COFETCH_VERSION
#define COFETCH_VERSION "0.0.0"
#endif
#ifndef COFETCH_MALLOC		/* the allocator linked in (Makefile) */
#define COFETCH_MALLOC "libc"
#endif

static const struct opt_def *
find_long(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < opt_ndefs; i++)
		if (strlen(opt_defs[i].name) == n &&
		    strncmp(opt_defs[i].name, name, n) == 0)
			return &opt_defs[i];
	return NULL;
}

static const struct opt_def *
find_short(int c)
{
	size_t i;

	for (i = 0; i < opt_ndefs; i++)
		if (opt_defs[i].letter == c)
			return &opt_defs[i];
	return NULL;
}

/* "unknown option '--NAME'", with the nearest long name when one is close
 * (an edit distance of at most 2, 1 for a NAME under 5 letters), or the
 * only name NAME begins. */
static void
unknown_long(const char *where, const char *name, size_t n)
{
	char buf[64];
	const char *best = NULL;
	size_t i;
	int d, cap = n < 5 ? 1 : 2, bestd = cap + 1, prefixed = 0;

	(void)snprintf(buf, sizeof(buf), "%.*s", (int)n, name);
	for (i = 0; i < opt_ndefs; i++) {
		d = optval_distance(buf, opt_defs[i].name, cap);
		if (d < bestd) {
			bestd = d;
			best = opt_defs[i].name;
		}
	}
	for (i = 0; best == NULL && n > 0 && i < opt_ndefs; i++)
		if (strncmp(opt_defs[i].name, name, n) == 0)
			prefixed++;
	for (i = 0; best == NULL && prefixed == 1 && i < opt_ndefs; i++)
		if (strncmp(opt_defs[i].name, name, n) == 0)
			best = opt_defs[i].name;
	if (best != NULL)
		usagef("%sunknown option '--%.*s'; did you mean '--%s'?",
		    where, (int)n, name, best);
	else
		usagef("%sunknown option '--%.*s'", where, (int)n, name);
}

static int
takes_value(const struct opt_def *d)
{
	return d->type != OT_FLAG && !(d->flags & OF_NOVAL);
}

/* Apply d's value arg (NULL: none) to o; where prefixes messages
 * ("FILE:LINE: " in a config file). */
static int
apply(struct opts *o, const struct opt_def *d, const char *arg,
    const char *where)
{
	char err[512];
	void *field = (char *)o + d->off;
	int rc = 0;

	err[0] = '\0';
	switch (d->type) {
	case OT_FLAG:
		*(int *)field = (int)d->min;
		break;
	case OT_STRING:
		rc = d->fn != NULL ? d->fn(o, d, arg, err, sizeof(err)) : 0;
		if (rc == 0)
			*(const char **)field = arg;
		break;
	case OT_COUNT:
		rc = optval_count(arg, d->min, d->max, (long *)field, err,
		    sizeof(err));
		break;
	case OT_SECONDS:
		rc = optval_seconds(arg, (double *)field, err, sizeof(err));
		break;
	case OT_RATE:
		rc = optval_rate(arg, (double *)field, err, sizeof(err));
		break;
	case OT_SIZE:
		rc = optval_size(arg, (int64_t *)field, err, sizeof(err));
		break;
	case OT_FUNC:
		rc = d->fn(o, d, arg, err, sizeof(err));
		break;
	}
	if (rc < 0) {
		if (arg != NULL)
			usagef("%s--%s: '%s' is not valid: %s", where, d->name,
			    arg, err);
		else
			usagef("%s--%s: %s", where, d->name, err);
		return -1;
	}
	return 0;
}

/* One pass over argv. Pass 0 only finds --config and --no-config (and
 * says nothing: pass 1 reports every error); pass 1 applies the rest and
 * collects the URL arguments. */
static int
parse_argv(struct opts *o, int argc, char **argv, int pass,
    const char **config, int *no_config)
{
	const struct opt_def *d;
	const char *a, *eq, *val;
	size_t n;
	int i, j, ended = 0, cfg;

	for (i = 1; i < argc && !o->help && !o->version; i++) {
		a = argv[i];
		if (ended || a[0] != '-' || a[1] == '\0') {
			if (pass == 1)
				o->urls[o->nurls++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			ended = 1;
			continue;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if ((d = find_long(a + 2, n)) == NULL) {
				if (pass == 0)
					continue;
				unknown_long("", a + 2, n);
				return -1;
			}
			if (!takes_value(d) && eq != NULL) {
				if (pass == 0)
					continue;
				usagef("option '--%s' takes no value", d->name);
				return -1;
			}
			if (!takes_value(d))
				val = NULL;
			else if (eq != NULL)
				val = eq + 1;
			else if (d->flags & OF_OPTVAL)
				val = i + 1 < argc &&
				    optval_is_body_mode(argv[i + 1]) ?
				    argv[++i] : NULL;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				if (pass == 0)
					continue;
				usagef("option '%s' needs a value (%s)", a,
				    d->arg);
				return -1;
			}
		} else {
			/* A cluster of short options: -kv, -c5, -c 5. */
			d = NULL;
			val = NULL;
			for (j = 1; a[j] != '\0'; j++) {
				if ((d = find_short(a[j])) == NULL) {
					if (pass == 0)
						break;
					usagef("unknown option '-%c'", a[j]);
					return -1;
				}
				if (!takes_value(d)) {
					if (a[j + 1] == '\0')
						break;	/* applied below */
					if (pass == 1 &&
					    apply(o, d, NULL, "") < 0)
						return -1;
					continue;
				}
				if (a[j + 1] != '\0')
					val = a + j + 1;
				else if (d->flags & OF_OPTVAL)
					val = NULL;
				else if (i + 1 < argc)
					val = argv[++i];
				else if (pass == 0)
					d = NULL;
				else {
					usagef("option '-%c' needs a value "
					    "(%s)", a[j], d->arg);
					return -1;
				}
				break;
			}
			if (d == NULL)
				continue;
		}
		cfg = strcmp(d->name, "config") == 0 ||
		    strcmp(d->name, "no-config") == 0;
		if (pass == 0 && cfg) {
			if (d->name[0] == 'n')
				*no_config = 1;
			else
				*config = val;
		} else if (pass == 1 && !cfg && apply(o, d, val, "") < 0)
			return -1;
	}
	return 0;
}

/* One line of the config file: "[--]name", "[--]name VALUE" or
 * "[--]name = VALUE"; a VALUE in double quotes loses them. */
static int
config_line(struct opts *o, char *line, const char *where)
{
	const struct opt_def *d;
	char *name = line, *val, *end;
	size_t n;

	if (strncmp(name, "--", 2) == 0)
		name += 2;
	else if (name[0] == '-') {
		usagef("%s'%.*s': a config file takes long options only "
		    "(such as 'concurrency 8')", where,
		    (int)strcspn(name, " \t="), name);
		return -1;
	}
	n = strcspn(name, " \t=");
	val = name + n;
	val += strspn(val, " \t");
	if (*val == '=')
		val += 1 + strspn(val + 1, " \t");
	if (*val != '\0') {
		name[n] = '\0';
		end = val + strlen(val);
		if (end - val >= 2 && val[0] == '"' && end[-1] == '"') {
			end[-1] = '\0';
			val++;
		}
	} else
		val = NULL;
	if ((d = find_long(name, n)) == NULL) {
		unknown_long(where, name, n);
		return -1;
	}
	if (d->flags & OF_CMDLINE) {
		usagef("%s--%s is for the command line only", where, d->name);
		return -1;
	}
	if (!takes_value(d) && val != NULL) {
		usagef("%soption '--%s' takes no value", where, d->name);
		return -1;
	}
	if (takes_value(d) && val == NULL && !(d->flags & OF_OPTVAL)) {
		usagef("%soption '--%s' needs a value (%s)", where, d->name,
		    d->arg);
		return -1;
	}
	return apply(o, d, val, where);
}

/* Read the config file at path; a missing default file is no error. */
static int
config_load(struct opts *o, const char *path, int is_default)
{
	char where[512], *line, *next, *end;
	FILE *f;
	struct buf b;
	char chunk[4096];
	size_t n;
	int lineno = 0;

	o->config_path = path;
	if ((f = fopen(path, "re")) == NULL) {
		if (is_default && errno == ENOENT) {
			o->config_state = CONFIG_ABSENT;
			return 0;
		}
		usagef("--config: cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	buf_addc(&b, '\0');
	if (ferror(f)) {
		usagef("--config: cannot read %s: %s", path, strerror(errno));
		(void)fclose(f);
		buf_free(&b);
		return -1;
	}
	(void)fclose(f);
	o->config_text = b.data;	/* the options point into it */
	o->config_state = CONFIG_READ;
	for (line = b.data; line != NULL; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		end = line + strlen(line);
		while (end > line && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		(void)snprintf(where, sizeof(where), "%s:%d: ", path, lineno);
		if (config_line(o, line, where) < 0)
			return -1;
	}
	return 0;
}

/* $XDG_CONFIG_HOME/cofetch/config, else ~/.config/cofetch/config. */
static const char *
config_default(struct opts *o)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	size_t n;
	char *p;

	if (xdg != NULL && xdg[0] != '\0') {
		n = strlen(xdg) + sizeof("/cofetch/config");
		p = xmalloc(n);
		(void)snprintf(p, n, "%s/cofetch/config", xdg);
	} else if (home != NULL && home[0] != '\0') {
		n = strlen(home) + sizeof("/.config/cofetch/config");
		p = xmalloc(n);
		(void)snprintf(p, n, "%s/.config/cofetch/config", home);
	} else
		return NULL;
	return opts_own(o, p);
}

static void
opts_defaults(struct opts *o)
{
	char err[128];

	memset(o, 0, sizeof(*o));
	o->concurrency = 50;
	o->queue = -1;			/* 4 x -c, once -c is known */
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

/* What holds for the options together, and what comes from the
 * environment. */
static int
opts_finish(struct opts *o)
{
	struct stat st;
	const char *env;
	size_t i;

	if (o->resume && o->output == NULL) {
		usagef("--resume needs -o FILE: it appends to the records "
		    "FILE already holds");
		return -1;
	}
	if (o->queue < 0)
		o->queue = o->concurrency * 4;
	if (opts_check_pairs(o) < 0)
		return -1;
	if (o->output != NULL && strcmp(o->output, "-") == 0)
		o->output = NULL;
	o->retry_on.unsafe = o->retry_unsafe;
	/* The CA variables, read as curl reads them. */
	if (o->cacert == NULL && (env = getenv("CURL_CA_BUNDLE")) != NULL &&
	    env[0] != '\0')
		o->cacert = env;
	if (o->cacert == NULL && (env = getenv("SSL_CERT_FILE")) != NULL &&
	    env[0] != '\0')
		o->cacert = env;
	if (o->capath == NULL && (env = getenv("SSL_CERT_DIR")) != NULL &&
	    env[0] != '\0')
		o->capath = env;
	/* Read at the first TLS connection, on the loop: a FIFO would
	 * stop the run there (--cacert itself is checked as it is set). */
	if (o->cacert != NULL && stat(o->cacert, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		usagef("the CA file '%s' (CURL_CA_BUNDLE or SSL_CERT_FILE) "
		    "is not valid: expected a regular file, not a FIFO, pipe "
		    "or socket (it is read while requests run)", o->cacert);
		return -1;
	}
	msg_set_quiet(o->verbosity < 0);
	/* `cofetch urls.txt`, -i forgotten: fetched as http://urls.txt. */
	for (i = 0; i < o->nurls; i++)
		if (strstr(o->urls[i], "://") == NULL &&
		    stat(o->urls[i], &st) == 0 && S_ISREG(st.st_mode))
			warnf("'%s' is a file here, fetched as a URL; did you "
			    "mean -i %s?", o->urls[i], o->urls[i]);
	return 0;
}

int
opts_parse(struct opts *o, int argc, char **argv, int *exit_now)
{
	const char *config = NULL;
	int no_config = 0;

	opts_defaults(o);
	*exit_now = 0;
	o->urls = xcalloc((size_t)argc + 1, sizeof(*o->urls));
	(void)parse_argv(o, argc, argv, 0, &config, &no_config);
	if (config != NULL) {
		if (config_load(o, config, 0) < 0)
			return EXIT_USAGE;
	} else if (no_config) {
		o->config_path = config_default(o);
		o->config_state = CONFIG_SKIPPED;
	} else if ((config = config_default(o)) != NULL) {
		if (config_load(o, config, 1) < 0)
			return EXIT_USAGE;
	}
	if (parse_argv(o, argc, argv, 1, NULL, NULL) < 0)
		return EXIT_USAGE;
	if (o->help) {
		opts_help(o);
		*exit_now = 1;
		return EXIT_ALL_OK;
	}
	if (o->version) {
		printf("cofetch %s\n%s\nmalloc: %s\n", COFETCH_VERSION,
		    curl_version(), COFETCH_MALLOC);
		*exit_now = 1;
		return EXIT_ALL_OK;
	}
	return opts_finish(o) < 0 ? EXIT_USAGE : EXIT_ALL_OK;
}

void
opts_free(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	free(o->owned);
	free(o->urls);
	free(o->inputs);
	free(o->headers);
	free(o->resolve);
	free(o->connect_to);
	free(o->data);
	free(o->stdin_readers);
	free(o->config_text);
	memset(o, 0, sizeof(*o));
}
