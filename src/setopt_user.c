/* setopt_user.c: the options curl users reach for, as curl_easy_setopt()
 * calls: credentials, TLS trust, name and address overrides, and the
 * run's one cookie store (man page, AUTHENTICATION and OPTIONS). */
#include <stdlib.h>
#include <string.h>

#include "setopt_user.h"
#include "util.h"

static CURLSH			*cookie_share;	/* owned: the run's cookies,
						 * or NULL without --cookie
						 * and --cookie-jar */
static struct curl_slist	*resolve_list;	/* owned: --resolve */
static struct curl_slist	*connect_to_list; /* owned: --connect-to */
static char			*user_name;	/* owned: -u split at the */
static const char		*user_pass;	/* first ':' (into it) */
static const char		*ca_file;	/* --cacert, NULL if the */
static const char		*ca_path;	/* built-in one; --capath
						 * likewise */


/* One share of cookies for every transfer of the run (one thread: no
 * lock callbacks), filled from --cookie FILE. */
static void
setopt_cookies_setup(const struct opts *o)
{
	CURL *e;

	cookie_share = curl_share_init();
	if (cookie_share == NULL)
		return;
	(void)curl_share_setopt(cookie_share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_COOKIE);
	if (o->cookie_file == NULL || o->cookie_file[0] == '\0')
		return;
	if ((e = curl_easy_init()) == NULL)
		return;
	(void)curl_easy_setopt(e, CURLOPT_SHARE, cookie_share);
	(void)curl_easy_setopt(e, CURLOPT_COOKIEFILE, o->cookie_file);
	(void)curl_easy_setopt(e, CURLOPT_COOKIELIST, "RELOAD");
	curl_easy_cleanup(e);
}

/* Write the run's cookies to --cookie-jar, then drop the share (every
 * transfer handle is gone by now). */
static void
setopt_cookies_cleanup(const struct opts *o)
{
	CURL *e;

	if (cookie_share == NULL)
		return;
	if (o->cookie_jar != NULL && (e = curl_easy_init()) != NULL) {
		(void)curl_easy_setopt(e, CURLOPT_SHARE, cookie_share);
		(void)curl_easy_setopt(e, CURLOPT_COOKIEJAR, o->cookie_jar);
		(void)curl_easy_setopt(e, CURLOPT_COOKIELIST, "FLUSH");
		(void)curl_easy_setopt(e, CURLOPT_COOKIEJAR, NULL);
		curl_easy_cleanup(e);
	}
	(void)curl_share_cleanup(cookie_share);
	cookie_share = NULL;
}

/* -u, --resolve, --connect-to and the cookie share, made once. */
void
setopt_user_setup(const struct opts *o)
{
	const curl_version_info_data *vi;
	char *colon;
	size_t i;

	if (o->user != NULL) {
		user_name = xstrdup(o->user);
		colon = strchr(user_name, ':');
		if (colon != NULL)
			*colon = '\0';
		/* No password: an empty one, never a prompt. */
		user_pass = colon != NULL ? colon + 1 : "";
	}
	/* CURL_CA_BUNDLE, SSL_CERT_FILE and SSL_CERT_DIR often name the
	 * bundle libcurl was built with: setting it again on every handle
	 * would copy it for nothing. */
	vi = curl_version_info(CURLVERSION_NOW);
	ca_file = o->cacert;
	if (ca_file != NULL && vi->cainfo != NULL &&
	    strcmp(ca_file, vi->cainfo) == 0)
		ca_file = NULL;
	ca_path = o->capath;
	if (ca_path != NULL && vi->capath != NULL &&
	    strcmp(ca_path, vi->capath) == 0)
		ca_path = NULL;
	for (i = 0; i < o->nresolve; i++)
		resolve_list = curl_slist_append(resolve_list, o->resolve[i]);
	for (i = 0; i < o->nconnect_to; i++)
		connect_to_list = curl_slist_append(connect_to_list,
		    o->connect_to[i]);
	if (o->cookie != NULL || o->cookie_file != NULL ||
	    o->cookie_jar != NULL)
		setopt_cookies_setup(o);
}

/* The curl user's options (man page, AUTHENTICATION and OPTIONS): auth,
 * TLS trust, name overrides, cookies. libcurl keeps credentials to the
 * host they were given for: CURLOPT_UNRESTRICTED_AUTH stays off. */
void
setopt_user_apply(CURL *e, const struct opts *o)
{
	if (user_name != NULL) {
		(void)curl_easy_setopt(e, CURLOPT_USERNAME, user_name);
		(void)curl_easy_setopt(e, CURLOPT_PASSWORD, user_pass);
		(void)curl_easy_setopt(e, CURLOPT_HTTPAUTH, o->digest ?
		    CURLAUTH_DIGEST : CURLAUTH_BASIC);
	}
	if (o->netrc) {
		/* As curl's --netrc: the file, not the URL, has them. */
		(void)curl_easy_setopt(e, CURLOPT_NETRC,
		    (long)CURL_NETRC_REQUIRED);
		if (o->netrc_file != NULL)
			(void)curl_easy_setopt(e, CURLOPT_NETRC_FILE,
			    o->netrc_file);
	}
	if (ca_file != NULL)
		(void)curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
	if (ca_path != NULL)
		(void)curl_easy_setopt(e, CURLOPT_CAPATH, ca_path);
	if (o->cert != NULL)
		(void)curl_easy_setopt(e, CURLOPT_SSLCERT, o->cert);
	if (o->cert_pass != NULL)
		(void)curl_easy_setopt(e, CURLOPT_KEYPASSWD, o->cert_pass);
	if (o->key != NULL)
		(void)curl_easy_setopt(e, CURLOPT_SSLKEY, o->key);
	if (resolve_list != NULL)
		(void)curl_easy_setopt(e, CURLOPT_RESOLVE, resolve_list);
	if (connect_to_list != NULL)
		(void)curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_list);
	if (o->ipv != 0)
		(void)curl_easy_setopt(e, CURLOPT_IPRESOLVE, o->ipv == 4 ?
		    CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6);
	if (cookie_share != NULL) {
		/* The share holds the cookies; an empty COOKIEFILE turns
		 * the handle's cookie engine on without reading a file
		 * (--cookie FILE was read into the share once). */
		(void)curl_easy_setopt(e, CURLOPT_SHARE, cookie_share);
		(void)curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
	}
	if (o->cookie != NULL)
		(void)curl_easy_setopt(e, CURLOPT_COOKIE, o->cookie);
}

void
setopt_user_cleanup(const struct opts *o)
{
	setopt_cookies_cleanup(o);
	curl_slist_free_all(resolve_list);
	curl_slist_free_all(connect_to_list);
	resolve_list = connect_to_list = NULL;
	free(user_name);
	user_name = NULL;
}

int
setopt_user_has_share(void)
{
	return cookie_share != NULL;
}
