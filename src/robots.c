/* robots.c: robots.txt (RFC 9309): lines, groups, the group for one
 * product token, and longest-match Allow/Disallow with '*' and '$'. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robots.h"
#include "util.h"

void
robots_init(struct robots *r)
{
	memset(r, 0, sizeof(*r));
}

void
robots_free(struct robots *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->rules[i].pattern);
	free(r->rules);
	robots_init(r);
}

void
robots_token(const char *ua, char *out, size_t len)
{
	size_t n = 0;

	while (*ua == ' ' || *ua == '\t')
		ua++;
	for (; n + 1 < len && (isalpha((unsigned char)*ua) || *ua == '-' ||
	    *ua == '_'); ua++)
		out[n++] = (char)tolower((unsigned char)*ua);
	if (n == 0 && len >= 2)
		out[n++] = '*';
	if (len > 0)
		out[n] = '\0';
}

/* Percent-encodings with upper-case hex, and bytes that are no printable
 * ASCII percent-encoded, so that a rule and a URL path written either way
 * compare equal (RFC 9309 2.2.2). Returns a malloced string. */
static char *
robots_norm(const char *s, size_t len, size_t *outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(len * 3 + 1);
	unsigned char c;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < len &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			out[n++] = '%';
			out[n++] = (char)toupper((unsigned char)s[i + 1]);
			out[n++] = (char)toupper((unsigned char)s[i + 2]);
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f) {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

static void
robots_add(struct robots *r, int allow, const char *v, size_t len)
{
	struct robots_rule *rule;

	if (len == 0)	/* "Disallow:" with no path disallows nothing */
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->rules = xrealloc(r->rules, r->cap * sizeof(*r->rules));
	}
	rule = &r->rules[r->n++];
	rule->pattern = robots_norm(v, len, &rule->len);
	rule->allow = allow;
	r->bytes += sizeof(*rule) + rule->len + 1;
}

/* One line split into a key and a value, both trimmed; the comment
 * dropped. 0, or -1 when it is no "key: value" line. */
static int
robots_line(const char *p, size_t len, const char **k, size_t *klen,
    const char **v, size_t *vlen)
{
	const char *hash = memchr(p, '#', len), *colon;

	if (hash != NULL)
		len = (size_t)(hash - p);
	if ((colon = memchr(p, ':', len)) == NULL)
		return -1;
	*k = p;
	*klen = (size_t)(colon - p);
	*v = colon + 1;
	*vlen = len - *klen - 1;
	while (*klen > 0 && isspace((unsigned char)(*k)[0]))
		(*k)++, (*klen)--;
	while (*klen > 0 && isspace((unsigned char)(*k)[*klen - 1]))
		(*klen)--;
	while (*vlen > 0 && isspace((unsigned char)(*v)[0]))
		(*v)++, (*vlen)--;
	while (*vlen > 0 && isspace((unsigned char)(*v)[*vlen - 1]))
		(*vlen)--;
	return 0;
}

static int
robots_key(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && strncasecmp(k, name, klen) == 0;
}

/* Does the User-agent value v name agent ("*" names only "*")? */
static int
robots_names(const char *v, size_t vlen, const char *agent)
{
	char tok[64], val[64];
	size_t n = vlen < sizeof(val) - 1 ? vlen : sizeof(val) - 1;

	memcpy(val, v, n);
	val[n] = '\0';
	if (strcmp(agent, "*") == 0)
		return strcmp(val, "*") == 0;
	robots_token(val, tok, sizeof(tok));
	return strcmp(tok, agent) == 0;
}

/* One pass over the text: the rules of the groups naming agent. Returns
 * whether any group named it. */
static int
robots_pass(struct robots *r, const char *text, size_t len,
    const char *agent)
{
	const char *p = text, *end = text + len, *eol, *k, *v;
	size_t klen, vlen;
	int in_agents = 0, mine = 0, found = 0;

	for (; p < end; p = eol + 1) {
		for (eol = p; eol < end && *eol != '\n' && *eol != '\r';
		    eol++)
			;
		if (robots_line(p, (size_t)(eol - p), &k, &klen, &v,
		    &vlen) < 0)
			continue;
		if (robots_key(k, klen, "user-agent")) {
			/* Agent lines in a row open one group. */
			if (!in_agents)
				mine = 0;
			in_agents = 1;
			if (robots_names(v, vlen, agent))
				mine = found = 1;
			continue;
		}
		if (robots_key(k, klen, "sitemap"))
			continue;	/* belongs to no group */
		in_agents = 0;
		if (!mine)
			continue;
		if (robots_key(k, klen, "allow"))
			robots_add(r, 1, v, vlen);
		else if (robots_key(k, klen, "disallow"))
			robots_add(r, 0, v, vlen);
		else if (robots_key(k, klen, "crawl-delay")) {
			double d;

			/* Seconds as DIGITS[.DIGITS]: a sign, an exponent,
			 * hex, "inf" or "nan" leave the line unread. */
			if (decimal_parse(v, v + vlen, &d) == 0 && d > 0)
				r->crawl_delay = d < ROBOTS_MAX_DELAY ? d :
				    ROBOTS_MAX_DELAY;
		}
	}
	return found;
}

void
robots_parse(struct robots *r, const char *text, size_t len,
    const char *agent)
{
	robots_free(r);
	if (len > ROBOTS_MAX_BYTES)
		len = ROBOTS_MAX_BYTES;
	if (strcmp(agent, "*") != 0 && robots_pass(r, text, len, agent))
		return;
	robots_free(r);
	(void)robots_pass(r, text, len, "*");
}

/* Does pattern p (with '*' for any run of bytes and a final '$' for the
 * end) match a prefix of s? Greedy with one backtrack point, linear in
 * practice. */
static int
robots_match(const char *p, size_t plen, const char *s)
{
	const char *pe = p + plen, *star = NULL, *mark = NULL;

	for (;;) {
		if (p == pe)
			return 1;
		if (*p == '$' && p + 1 == pe && *s == '\0')
			return 1;
		if (*p == '*') {
			star = ++p;
			mark = s;
			continue;
		}
		if (*s != '\0' && *p == *s) {
			p++, s++;
			continue;
		}
		if (star == NULL || *mark == '\0')
			return 0;
		p = star;
		s = ++mark;
	}
}

int
robots_allowed(const struct robots *r, const char *path,
    const struct robots_rule **rule)
{
	const struct robots_rule *best = NULL, *x;
	size_t i, n;
	char *s;

	if (rule != NULL)
		*rule = NULL;
	if (strcmp(path, "/robots.txt") == 0)
		return 1;
	s = robots_norm(path, strlen(path), &n);
	for (i = 0; i < r->n; i++) {
		x = &r->rules[i];
		if (best != NULL && (x->len < best->len ||
		    (x->len == best->len && (best->allow || !x->allow))))
			continue;
		if (robots_match(x->pattern, x->len, s))
			best = x;
	}
	free(s);
	if (rule != NULL)
		*rule = best;
	return best == NULL || best->allow;
}
