/* floor.c: the floor for cofetch's dependency (issue 12): the least a
 * client on libcurl multi + libev must do to fetch a URL list, and nothing
 * more. One libev loop driving curl_multi_socket_action through
 * CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION; -c easy handles made
 * once and reused for every transfer (only CURLOPT_URL changes); bodies
 * discarded; no records, no retries, no per-host logic.
 * CURLMOPT_MAXCONNECTS is 2 x -c, the least cofetch sets (one host).
 *
 * Built by tests/bench/run only (cc -O2 floor.c -lcurl -lev), never by make.
 *
 *     floor [-c N] -i LIST
 *
 * LIST: one URL per line (read whole into memory before the loop starts).
 * Prints "floor: N requests, M ok (2xx)" to stderr.
 * Exit: 0 every request got a 2xx, 1 some did not, 2 usage or setup error.
 */

#include <curl/curl.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct ev_loop *loop;
static CURLM *multi;
static ev_timer timeout_w;

static char **urls;		/* owned: the list's lines */
static size_t n_urls, next_url, n_done, n_ok;

/* One watcher per socket libcurl asks us to watch; owned by libcurl's
 * socket assignment (freed on CURL_POLL_REMOVE). */
struct sock {
	ev_io io;
	curl_socket_t fd;
};

static void fatal(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	exit(2);
}

static void start_next(CURL *easy)
{
	if (next_url >= n_urls) {
		curl_easy_cleanup(easy);
		return;
	}
	curl_easy_setopt(easy, CURLOPT_URL, urls[next_url++]);
	if (curl_multi_add_handle(multi, easy) != CURLM_OK)
		fatal("curl_multi_add_handle");
}

static void drain_done(void)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left))) {
		CURL *easy;
		long code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		easy = m->easy_handle;
		n_done++;
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
		if (m->data.result == CURLE_OK && code >= 200 && code < 300)
			n_ok++;
		curl_multi_remove_handle(multi, easy);
		start_next(easy);
	}
	if (n_done == n_urls)
		ev_break(loop, EVBREAK_ALL);
}

static void on_io(struct ev_loop *l, ev_io *w, int revents)
{
	struct sock *s = (struct sock *)w;
	int running, ev = 0;

	(void)l;
	if (revents & EV_READ)
		ev |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		ev |= CURL_CSELECT_OUT;
	curl_multi_socket_action(multi, s->fd, ev, &running);
	drain_done();
}

static void on_timeout(struct ev_loop *l, ev_timer *w, int revents)
{
	int running;

	(void)l;
	(void)w;
	(void)revents;
	curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain_done();
}

static int sock_cb(CURL *e, curl_socket_t fd, int what, void *userp,
    void *sockp)
{
	struct sock *s = sockp;
	int evs;

	(void)e;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			ev_io_stop(loop, &s->io);
			free(s);
			curl_multi_assign(multi, fd, NULL);
		}
		return 0;
	}
	evs = (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (!s) {
		s = malloc(sizeof(*s));
		if (!s)
			fatal("out of memory");
		s->fd = fd;
		ev_io_init(&s->io, on_io, fd, evs);
		curl_multi_assign(multi, fd, s);
	} else {
		ev_io_stop(loop, &s->io);
		ev_io_set(&s->io, fd, evs);
	}
	ev_io_start(loop, &s->io);
	return 0;
}

static int timer_cb(CURLM *m, long ms, void *userp)
{
	(void)m;
	(void)userp;
	ev_timer_stop(loop, &timeout_w);
	if (ms >= 0) {
		ev_timer_set(&timeout_w, ms / 1000.0, 0.0);
		ev_timer_start(loop, &timeout_w);
	}
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *userp)
{
	(void)p;
	(void)userp;
	return size * n;
}

static void read_list(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	if (!f)
		fatal("cannot open the list");
	while ((len = getline(&line, &cap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (n_urls == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			urls = realloc(urls, alloc * sizeof(*urls));
			if (!urls)
				fatal("out of memory");
		}
		urls[n_urls] = strdup(line);
		if (!urls[n_urls++])
			fatal("out of memory");
	}
	free(line);
	fclose(f);
}

int main(int argc, char **argv)
{
	long conc = 50;
	const char *list = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "c:i:")) != -1) {
		if (opt == 'c')
			conc = atol(optarg);
		else if (opt == 'i')
			list = optarg;
		else
			fatal("usage: floor [-c N] -i LIST");
	}
	if (!list || conc < 1)
		fatal("usage: floor [-c N] -i LIST");
	read_list(list);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatal("curl_global_init");
	loop = EV_DEFAULT;
	multi = curl_multi_init();
	if (!multi)
		fatal("curl_multi_init");
	ev_init(&timeout_w, on_timeout);
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 2 * conc);
	for (long i = 0; i < conc && (size_t)i < n_urls; i++) {
		CURL *easy = curl_easy_init();

		if (!easy)
			fatal("curl_easy_init");
		curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(easy, CURLOPT_TIMEOUT, 30L);
		start_next(easy);
	}
	ev_run(loop, 0);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	fprintf(stderr, "floor: %zu requests, %zu ok (2xx)\n", n_done, n_ok);
	for (size_t i = 0; i < n_urls; i++)
		free(urls[i]);
	free(urls);
	return n_ok == n_urls ? 0 : 1;
}
