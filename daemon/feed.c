/*
 * feed.c: the events the writer publishes, and the count of subscribers.
 *
 * Every event carries its log index; a subscriber that sees a gap (the
 * PUB socket drops messages for a subscriber whose queue is full) fetches
 * the missing range over the request socket. Heartbeats carry the log
 * size so that a quiet feed still shows what was missed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "claimd.h"

void
feed_topic(const struct job *j, char *out, size_t cap)
{
	if (j->payload.kind == PROTO_KIND_CLAIM)
		snprintf(out, cap, "%s%s/", PROTO_FEED_CLAIM,
		    j->payload.claim.party);
	else
		snprintf(out, cap, "%s", PROTO_FEED_REGISTRY);
}

int
feed_event(struct proto_buf *b, const struct job *j)
{
	const struct proto_payload *p = &j->payload;
	struct proto_feed_event ev;
	struct proto_rows_wr topics;
	int rc = PROTO_OK;

	memset(&ev, 0, sizeof(ev));
	ev.index = j->res.index;
	memcpy(ev.hash, j->res.hash, PROTO_HASH_LEN);
	snprintf(ev.kind, sizeof(ev.kind), "%s", proto_kind_name(p->kind));
	ev.time = p->time;
	ev.record = (struct proto_bytes){j->bytes, j->len};
	snprintf(ev.party, sizeof(ev.party), "%s",
	    p->kind == PROTO_KIND_CLAIM ? p->claim.party : p->reg.party);
	if (p->kind != PROTO_KIND_CLAIM)
		return proto_msg_encode(&proto_feed_registry_def, &ev, b);
	memcpy(ev.claim, j->res.claim, PROTO_HASH_LEN);
	ev.version = p->claim.version;
	snprintf(ev.status, sizeof(ev.status), "%s",
	    proto_status_name(p->claim.status));
	proto_rows_wr_init(&topics, &proto_row_slug_def);
	for (size_t i = 0; i < p->claim.ntopics && rc == PROTO_OK; i++) {
		struct proto_row_slug t;

		snprintf(t.topic, sizeof(t.topic), "%s", p->claim.topics[i]);
		rc = proto_rows_put(&topics, &t);
	}
	ev.topics = proto_rows_wr_get(&topics);
	if (rc == PROTO_OK)
		rc = proto_msg_encode(&proto_feed_claim_def, &ev, b);
	proto_rows_wr_release(&topics);
	return rc;
}

int
feed_heartbeat(struct proto_buf *b, uint64_t size)
{
	struct proto_feed_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.size = size;
	ev.time = (uint64_t)time(NULL);
	return proto_msg_encode(&proto_feed_heartbeat_def, &ev, b);
}

/*
 * Counts the feed's peers from the PUB socket's monitor events. Runs in
 * its own thread until the context is shut down.
 */
void *
feed_monitor_main(void *arg)
{
	struct daemon *d = arg;
	void *mon = zmq_socket(d->zctx, ZMQ_PAIR);
	int linger = 0;

	pthread_setname_np(pthread_self(), "claimd-monitor");
	if (mon == NULL)
		return NULL;
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(mon, "inproc://feed-monitor") != 0) {
		zmq_close(mon);
		return NULL;
	}
	for (;;) {
		uint8_t ev[6];
		char ep[256];
		uint16_t event;

		if (zmq_recv(mon, ev, sizeof(ev), 0) < 0)
			break;
		if (zmq_recv(mon, ep, sizeof(ep), 0) < 0)
			break;
		memcpy(&event, ev, sizeof(event)); /* native byte order */
		if (event == ZMQ_EVENT_ACCEPTED)
			d->subscribers++;
		else if (event == ZMQ_EVENT_DISCONNECTED && d->subscribers > 0)
			d->subscribers--;
	}
	zmq_close(mon);
	return NULL;
}

void
feed_endpoint_for(const char *server, const char *feed, char *out, size_t cap)
{
	const char *host = strstr(feed, "://"), *colon = strrchr(server, ':');

	/* tcp://0.0.0.0:7412 means "every address": the server's host. */
	if (host != NULL &&
	    (strncmp(host + 3, "0.0.0.0:", 8) == 0 ||
		strncmp(host + 3, "*:", 2) == 0) &&
	    colon != NULL && strncmp(server, "tcp://", 6) == 0)
		snprintf(out, cap, "%.*s%s", (int)(colon - server), server,
		    strrchr(feed, ':'));
	else
		snprintf(out, cap, "%s", feed);
}
