/* savename.c: render --save-as templates into safe relative paths. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "savename.h"

static const struct {
	const char	*type;
	const char	*ext;
} savename_exts[] = {
	{ "text/html", "html" }, { "application/xhtml+xml", "html" },
	{ "text/plain", "txt" }, { "text/css", "css" }, { "text/csv", "csv" },
	{ "text/javascript", "js" }, { "application/javascript", "js" },
	{ "application/json", "json" }, { "application/xml", "xml" },
	{ "text/xml", "xml" }, { "application/pdf", "pdf" },
	{ "image/png", "png" }, { "image/jpeg", "jpg" }, { "image/gif", "gif" },
	{ "image/webp", "webp" }, { "image/svg+xml", "svg" },
	{ "application/zip", "zip" }, { "application/gzip", "gz" },
	{ "application/octet-stream", "bin" },
};

const char *
savename_ext(const char *ct)
{
	size_t i, n;

	if (ct == NULL)
		return "bin";
	n = strcspn(ct, "; \t");
	for (i = 0; i < sizeof(savename_exts) / sizeof(savename_exts[0]); i++)
		if (strlen(savename_exts[i].type) == n &&
		    strncasecmp(ct, savename_exts[i].type, n) == 0)
			return savename_exts[i].ext;
	return "bin";
}

/* Append s (n bytes) as one path component's worth of text: bytes other
 * than letters, digits and "-_.~+=,%@" become "_"; at most SAVENAME_PART
 * bytes. */
static void
savename_add(char *out, size_t *len, size_t cap, const char *s, size_t n)
{
	size_t i, start = *len;
	unsigned char c;

	for (i = 0; i < n && *len < cap && *len - start < SAVENAME_PART;
	    i++) {
		c = (unsigned char)s[i];
		if (c == '.' && (*len == 0 || out[*len - 1] == '/'))
			out[(*len)++] = '_';	/* never a hidden name */
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~+=,%@", c) != NULL)
			out[(*len)++] = (char)c;
		else
			out[(*len)++] = '_';
	}
}

/* Append the URL's path, segment by segment: empty, "." and ".."
 * segments are dropped; "index" when nothing is left. */
static void
savename_add_path(char *out, size_t *len, size_t cap, const char *url)
{
	const char *p = strstr(url, "://"), *end, *seg;
	size_t n, before = *len;

	p = p != NULL ? p + 3 : url;
	p += strcspn(p, "/?#");
	end = p + strcspn(p, "?#");
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		seg = p;
		while (p < end && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			continue;
		if (*len > before && *len < cap)
			out[(*len)++] = '/';
		savename_add(out, len, cap, seg, n);
	}
	if (*len == before)
		savename_add(out, len, cap, "index", 5);
}

/* Every component non-empty, not starting with ".", bounded. */
static int
savename_valid(const char *s, char *err, size_t errlen)
{
	const char *c = s;
	size_t n;

	if (*s == '\0' || strlen(s) > SAVENAME_MAX) {
		(void)snprintf(err, errlen, "empty or longer than %d bytes",
		    SAVENAME_MAX);
		return -1;
	}
	for (;;) {
		n = strcspn(c, "/");
		if (n == 0 || c[0] == '.' || n > 255) {
			(void)snprintf(err, errlen, "a name component is "
			    "empty, starts with '.' or is too long");
			return -1;
		}
		if (c[n] == '\0')
			return 0;
		c += n + 1;
	}
}

int
savename_render(const char *tmpl, const struct savename_in *in, char *out,
    size_t outlen, char *err, size_t errlen)
{
	char num[32];
	const char *p = tmpl, *close;
	size_t len = 0, cap = outlen - 1, k;
	unsigned char c;

	while (*p != '\0' && len < cap) {
		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			c = (unsigned char)*p++;
			out[len++] = c < 0x20 || c == 0x7f ? '_' : (char)c;
			continue;
		}
		k = (size_t)(close - p - 1);
		(void)snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)in->index);
		if (k == 5 && strncmp(p + 1, "index", 5) == 0)
			savename_add(out, &len, cap, num, strlen(num));
		else if (k == 2 && strncmp(p + 1, "id", 2) == 0)
			savename_add(out, &len, cap, in->id ? in->id : num,
			    strlen(in->id ? in->id : num));
		else if (k == 4 && strncmp(p + 1, "host", 4) == 0)
			savename_add(out, &len, cap, in->host,
			    strlen(in->host));
		else if (k == 4 && strncmp(p + 1, "path", 4) == 0)
			savename_add_path(out, &len, cap, in->url);
		else if (k == 3 && strncmp(p + 1, "ext", 3) == 0) {
			const char *e = savename_ext(in->content_type);

			savename_add(out, &len, cap, e, strlen(e));
		} else if (k == 4 && strncmp(p + 1, "hash", 4) == 0 &&
		    in->hash != NULL && in->hash[0] != '\0')
			savename_add(out, &len, cap, in->hash,
			    strlen(in->hash));
		else {
			(void)snprintf(err, errlen, "unknown placeholder "
			    "'%.*s' (known: {index} {id} {host} {path} "
			    "{ext} {hash})", (int)(k + 2 < 40 ? k + 2 : 40), p);
			return -1;
		}
		p = close + 1;
	}
	out[len] = '\0';
	if (*p != '\0') {
		(void)snprintf(err, errlen, "longer than %d bytes",
		    SAVENAME_MAX);
		return -1;
	}
	return savename_valid(out, err, errlen);
}

int
savename_check(const char *tmpl, char *err, size_t errlen)
{
	struct savename_in in = { 0, "id", "host_80", "http://h/p", NULL,
	    "0123" };
	char out[SAVENAME_MAX + 1];

	if (tmpl[0] == '/') {
		(void)snprintf(err, errlen, "an absolute path; names are "
		    "relative to the --save DIR");
		return -1;
	}
	return savename_render(tmpl, &in, out, sizeof(out), err, errlen);
}
