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
	size_t start, n = 0;
	int rc;

	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "index")) ||
	    (rc = proto_cbor_put_uint(b, j->res.index)) ||
	    (rc = proto_cbor_put_str(b, "hash")) ||
	    (rc = proto_cbor_put_bytes(b, j->res.hash, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "kind")) ||
	    (rc = proto_cbor_put_str(b, proto_kind_name(p->kind))) ||
	    (rc = proto_cbor_put_str(b, "time")) ||
	    (rc = proto_cbor_put_uint(b, p->time)) ||
	    (rc = proto_cbor_put_str(b, "record")) ||
	    (rc = proto_cbor_put_bytes(b, j->bytes, j->len)))
		return rc;
	n = 5;
	if ((rc = proto_cbor_put_str(b, "party")) ||
	    (rc = proto_cbor_put_str(b,
		 p->kind == PROTO_KIND_CLAIM ? p->claim.party : p->reg.party)))
		return rc;
	n++;
	if (p->kind == PROTO_KIND_CLAIM) {
		if ((rc = proto_cbor_put_str(b, "claim")) ||
		    (rc = proto_cbor_put_bytes(
			 b, j->res.claim, PROTO_HASH_LEN)) ||
		    (rc = proto_cbor_put_str(b, "version")) ||
		    (rc = proto_cbor_put_uint(b, p->claim.version)) ||
		    (rc = proto_cbor_put_str(b, "status")) ||
		    (rc = proto_cbor_put_str(
			 b, proto_status_name(p->claim.status))) ||
		    (rc = proto_cbor_put_str(b, "topics")) ||
		    (rc = proto_cbor_put_array(b, p->claim.ntopics)))
			return rc;
		for (size_t i = 0; i < p->claim.ntopics; i++)
			if ((rc = proto_cbor_put_str(b, p->claim.topics[i])))
				return rc;
		n += 4;
	}
	return proto_cbor_map_end(b, start, n);
}

int
feed_heartbeat(struct proto_buf *b, uint64_t size)
{
	size_t start;
	int rc;

	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "size")) ||
	    (rc = proto_cbor_put_uint(b, size)) ||
	    (rc = proto_cbor_put_str(b, "time")) ||
	    (rc = proto_cbor_put_uint(b, (uint64_t)time(NULL))))
		return rc;
	return proto_cbor_map_end(b, start, 2);
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
