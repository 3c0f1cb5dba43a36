/* net.c: libev <-> libcurl. libcurl tells us which sockets to watch and
 * when to time out (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); we
 * tell it what happened (curl_multi_socket_action) and collect finished
 * transfers (curl_multi_info_read). */
#include <stdio.h>
#include <stdlib.h>

#include <ev.h>

#include "msg.h"
#include "net.h"
#include "net_dns.h"
#include "util.h"

struct net_sock {
	ev_io		io;
	curl_socket_t	fd;
	int		what;		/* CURL_POLL_* being watched */
};

static struct ev_loop	*net_loop;
static CURLM		*net_mh;	/* owned, net_cleanup() */
static ev_timer		 net_timer;	/* libcurl's one timeout */
static net_finished_fn	 net_finished;	/* xfer.c's, per finished
					 * transfer */

/* A CURLMcode other than OK is a bug here or in libcurl: say so on
 * stderr (once per call site and code would be nicer; it never happens
 * in a correct run). Returns mc == CURLM_OK ? 0 : -1. */
static int
net_check(CURLMcode mc, const char *what)
{
	if (mc == CURLM_OK)
		return 0;
	errorf("%s: %s", what, curl_multi_strerror(mc));
	return -1;
}

static void
net_harvest(void)
{
	CURLMsg *msg;
	int left;
	void *priv;
	CURL *easy;
	CURLcode result;

	while ((msg = curl_multi_info_read(net_mh, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)	/* the only message */
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		priv = NULL;
		(void)curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		/* Removing invalidates msg; everything needed is copied. */
		(void)net_check(curl_multi_remove_handle(net_mh, easy),
		    "curl_multi_remove_handle");
		net_dns_detach(easy);
		net_finished(priv, result);
	}
}

static void
net_action(curl_socket_t fd, int ev_mask)
{
	int running;

	(void)net_check(curl_multi_socket_action(net_mh, fd, ev_mask,
	    &running), "curl_multi_socket_action");
	net_harvest();
}

static void
net_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct net_sock *s = w->data;
	int mask = 0;

	if (revents & EV_READ)
		mask |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		mask |= CURL_CSELECT_OUT;
	if (revents & EV_ERROR)
		mask |= CURL_CSELECT_ERR;
	net_action(s->fd, mask);
}

static void
net_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	net_action(CURL_SOCKET_TIMEOUT, 0);
}

static int
net_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *sockp)
{
	struct net_sock *s = sockp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			ev_io_stop(net_loop, &s->io);
			(void)net_check(curl_multi_assign(net_mh, fd, NULL),
		    "curl_multi_assign");
			free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->fd = fd;
		s->io.data = s;
		ev_init(&s->io, net_io_cb);
		(void)net_check(curl_multi_assign(net_mh, fd, s),
		    "curl_multi_assign");
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (s->what == what && ev_is_active(&s->io))
		return 0;
	/* Interest changes by stop, set, start. */
	ev_io_stop(net_loop, &s->io);
	ev_io_set(&s->io, fd, events);
	ev_io_start(net_loop, &s->io);
	s->what = what;
	return 0;
}

static int
net_timer_set_cb(CURLM *multi, long timeout_ms, void *userp)
{
	ev_timer_stop(net_loop, &net_timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&net_timer, timeout_ms / 1000.0, 0.);
		ev_timer_start(net_loop, &net_timer);
	}
	return 0;
}

int
net_init(struct ev_loop *loop, net_finished_fn finished, long max_conns,
    int dns_generations)
{
	net_loop = loop;
	net_finished = finished;
	net_mh = curl_multi_init();
	if (net_mh == NULL)
		return -1;
	ev_timer_init(&net_timer, net_timer_cb, 0., 0.);
	net_dns_init(loop, dns_generations);
	if (net_check(curl_multi_setopt(net_mh, CURLMOPT_SOCKETFUNCTION,
	    net_socket_cb), "CURLMOPT_SOCKETFUNCTION") < 0 ||
	    net_check(curl_multi_setopt(net_mh, CURLMOPT_TIMERFUNCTION,
	    net_timer_set_cb), "CURLMOPT_TIMERFUNCTION") < 0)
		goto fail;
	/* Our semaphores decide what is in flight; libcurl must never queue
	 * a transfer behind a connection limit of its own (no
	 * CURLMOPT_MAX_HOST_CONNECTIONS). CURLMOPT_MAXCONNECTS bounds the
	 * connection cache, connections in use included (libcurl 7.88
	 * closes the oldest idle one, a walk of the whole cache, whenever a
	 * transfer returns a connection to a cache above it): the caller
	 * gives one per transfer slot plus idle ones for the hosts with
	 * work (fdlimit_cache()). With one per slot in all, a list over a
	 * few hosts at -c 50 reconnected for one request in four. */
	(void)net_check(curl_multi_setopt(net_mh, CURLMOPT_MAXCONNECTS,
	    max_conns), "CURLMOPT_MAXCONNECTS");
	(void)net_check(curl_multi_setopt(net_mh, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX), "CURLMOPT_PIPELINING");
	return 0;
fail:
	(void)curl_multi_cleanup(net_mh);
	net_mh = NULL;
	return -1;
}

int
net_add(CURL *easy)
{
	net_dns_attach(easy);
	if (net_check(curl_multi_add_handle(net_mh, easy),
	    "curl_multi_add_handle") < 0) {
		net_dns_detach(easy);
		return -1;
	}
	return 0;
}

void
net_remove(CURL *easy)
{
	(void)net_check(curl_multi_remove_handle(net_mh, easy),
	    "curl_multi_remove_handle");
	net_dns_detach(easy);
}

void
net_cleanup(void)
{
	if (net_loop == NULL)
		return;
	ev_timer_stop(net_loop, &net_timer);
	if (net_mh != NULL)
		(void)net_check(curl_multi_cleanup(net_mh),
		    "curl_multi_cleanup");
	net_mh = NULL;
	net_dns_cleanup();
}
