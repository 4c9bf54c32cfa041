/*
 * wire.c: the request and reply header of the claim/claimd protocol.
 */
#include "proto.h"

static const char *const op_names[] = {
    [PROTO_OP_SUBMIT] = "submit",
    [PROTO_OP_GET] = "get",
    [PROTO_OP_HISTORY] = "history",
    [PROTO_OP_LIST] = "list",
    [PROTO_OP_RANGE] = "range",
    [PROTO_OP_STATS] = "stats",
    [PROTO_OP_PARTIES] = "parties",
    [PROTO_OP_CHECKPOINT] = "checkpoint",
    [PROTO_OP_INCLUSION] = "inclusion",
    [PROTO_OP_CONSISTENCY] = "consistency",
    [PROTO_OP_TOPICS] = "topics",
};

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
	if (op < 1 || op > PROTO_OP_MAX || op_names[op] == NULL)
		return "unknown";
	return op_names[op];
}
