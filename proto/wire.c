/*
 * wire.c: the request and reply header of the claim/claimd protocol.
 */
#include "proto.h"

void
proto_wire_header_put(
    uint8_t out[PROTO_WIRE_HEADER_LEN], const struct proto_wire_header *h)
{
	out[0] = h->version;
	out[1] = h->op;
	out[2] = (uint8_t)(h->status >> 8);
	out[3] = (uint8_t)h->status;
	out[4] = (uint8_t)(h->id >> 24);
	out[5] = (uint8_t)(h->id >> 16);
	out[6] = (uint8_t)(h->id >> 8);
	out[7] = (uint8_t)h->id;
}

int
proto_wire_header_get(const uint8_t *p, size_t n, struct proto_wire_header *h)
{
	if (n != PROTO_WIRE_HEADER_LEN || p[0] != PROTO_WIRE_VERSION)
		return PROTO_EPROTOCOL;
	h->version = p[0];
	h->op = p[1];
	h->status = (uint16_t)(p[2] << 8 | p[3]);
	h->id = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	    (uint32_t)p[6] << 8 | p[7];
	return PROTO_OK;
}

const char *
proto_op_name(int op)
{
	const struct proto_opdef *o = proto_opdef(op);

	/* The names are the op table's (msg.c). */
	return o != NULL ? o->name : "unknown";
}
