/* opts_int.h: the option table shared by opts.c (parsing), opts_set.c
 * (the options that need code) and opts_table.c (rows and --help). */
#ifndef COFETCH_OPTS_INT_H
#define COFETCH_OPTS_INT_H

#include <stddef.h>

#include "opts.h"

/* What a row's value is, and so how it is parsed (optval.h) and stored
 * at its field. */
enum opt_type {
	OT_FLAG,	/* no value; int field = set */
	OT_STRING,	/* const char * field = the value (check: fn) */
	OT_COUNT,	/* long field, min..max */
	OT_SECONDS,	/* double field */
	OT_RATE,	/* double field, per second */
	OT_SIZE,	/* int64_t field */
	OT_FUNC		/* fn does it all */
};

enum {
	OF_OPTVAL = 1,		/* value optional: --name=V, -nV, or the next
				 * argument when it is one of the words */
	OF_NOVAL = 2,		/* OT_FUNC with no value */
	OF_CMDLINE = 4		/* not allowed in a config file */
};

struct opt_def;
/* Applies arg (NULL for a row without value) to o; 0, or -1 with what is
 * accepted in err. For OT_STRING it only checks arg. */
typedef int (*opt_fn)(struct opts *o, const struct opt_def *d,
    const char *arg, char *err, size_t errlen);

struct opt_def {
	const char	*name;		/* long name */
	int		 letter;	/* short letter, or 0 */
	enum opt_type	 type;
	int		 flags;		/* OF_* */
	size_t		 off;		/* offsetof(struct opts, field) */
	long		 min, max;	/* OT_COUNT range; OT_FLAG: sets min */
	opt_fn		 fn;
	const char	*arg;		/* value's name in --help */
	const char	*help;
};

extern const struct opt_def	opt_defs[];
extern const size_t		opt_ndefs;

/* --help, with where the config file was looked for. */
void	opts_help(const struct opts *o);

/* The rows' functions (opts_set.c). */
int	opt_input(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_header(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_data(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_body(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_shard(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_retry_on(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_user(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_netrc_file(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_cert(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_list(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_cookie(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_head(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_check_method(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_check_line(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_proxy(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_check_file(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_check_dir(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);
int	opt_nop(struct opts *, const struct opt_def *, const char *,
	    char *, size_t);

/* Keep s (malloced) until opts_free(); returns s. */
char	*opts_own(struct opts *o, char *s);

/* Options that need a partner (--only-changed needs --state, ...), and
 * what one implies; -1 after a usage message. */
int	opts_check_pairs(struct opts *o);	/* opts_check.c */
/* Whether path names this process's stdin (opts_set.c). */
int	opts_path_is_stdin(const char *path);

#endif
