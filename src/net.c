/* net.c: libev <-> libcurl. libcurl tells us which sockets to watch and
 * when to time out (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); we
 * tell it what happened (curl_multi_socket_action) and collect finished
 * transfers (curl_multi_info_read). */
#include <stdlib.h>

#include <ev.h>

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
static net_done_fn	 net_done;

static void
net_harvest(void)
{
	CURLMsg *msg;
	int left;
	void *priv;
	CURL *easy;
	CURLcode result;

	while ((msg = curl_multi_info_read(net_mh, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		priv = NULL;
		(void)curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		/* Removing invalidates msg; everything needed is copied. */
		(void)curl_multi_remove_handle(net_mh, easy);
		net_dns_detach(easy);
		net_done(priv, result);
	}
}

static void
net_action(curl_socket_t fd, int ev_mask)
{
	int running;
	CURLMcode mresult;

	mresult = curl_multi_socket_action(net_mh, fd, ev_mask, &running);
	(void)mresult;
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
			(void)curl_multi_assign(net_mh, fd, NULL);
			free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->fd = fd;
		s->io.data = s;
		ev_init(&s->io, net_io_cb);
		(void)curl_multi_assign(net_mh, fd, s);
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
net_init(struct ev_loop *loop, net_done_fn done, long max_host_conns)
{
	net_loop = loop;
	net_done = done;
	net_mh = curl_multi_init();
	if (net_mh == NULL)
		return -1;
	ev_timer_init(&net_timer, net_timer_cb, 0., 0.);
	net_dns_init(loop);
	(void)curl_multi_setopt(net_mh, CURLMOPT_SOCKETFUNCTION, net_socket_cb);
	(void)curl_multi_setopt(net_mh, CURLMOPT_TIMERFUNCTION,
	    net_timer_set_cb);
	/* Our semaphores decide what is in flight; libcurl must never queue
	 * a transfer behind a connection limit of its own. The cache keeps
	 * one idle connection per transfer slot. */
	(void)curl_multi_setopt(net_mh, CURLMOPT_MAXCONNECTS, max_host_conns);
	(void)curl_multi_setopt(net_mh, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
	return 0;
}

CURLM *
net_multi(void)
{
	return net_mh;
}

int
net_add(CURL *easy)
{
	CURLMcode mresult;

	net_dns_attach(easy);
	mresult = curl_multi_add_handle(net_mh, easy);
	if (mresult != CURLM_OK)
		net_dns_detach(easy);
	return mresult == CURLM_OK ? 0 : -1;
}

void
net_remove(CURL *easy)
{
	(void)curl_multi_remove_handle(net_mh, easy);
	net_dns_detach(easy);
}

void
net_cleanup(void)
{
	if (net_loop == NULL)
		return;
	ev_timer_stop(net_loop, &net_timer);
	if (net_mh != NULL)
		(void)curl_multi_cleanup(net_mh);
	net_mh = NULL;
	net_dns_cleanup();
}
