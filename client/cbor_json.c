/*
 * cbor_json.c: claimd's replies as JSON, for those claim shows as they
 * are (stats, parties, topics). JSON belongs to the command's edge:
 * libclaim hands out what it read, typed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One item; key is the map key it is the value of ("" for none). */
static json_t *
item_to_json(struct proto_cbor_rd *rd, const char *key)
{
	const uint8_t *p;
	const char *s;
	uint64_t u;
	size_t n;
	bool bv;

	switch (proto_cbor_rd_peek(rd)) {
	case PROTO_CBOR_UINT:
		proto_cbor_rd_uint(rd, &u);
		return json_integer((json_int_t)u);
	case PROTO_CBOR_TEXT:
		proto_cbor_rd_text(rd, &s, &n);
		return json_stringn(s, n);
	case PROTO_CBOR_BYTES: {
		char *buf;
		json_t *j;

		proto_cbor_rd_bytes(rd, &p, &n);
		if ((buf = malloc(2 * n + proto_base64_len(n) + 1)) == NULL)
			return NULL;
		/* Proofs in base64 (docs/protocol.md), other bytes hex. */
		if (strcmp(key, "proof") == 0)
			proto_base64(p, n, buf);
		else
			proto_hex(p, n, buf);
		j = json_string(buf);
		free(buf);
		return j;
	}
	case PROTO_CBOR_ARRAY: {
		json_t *a = json_array();

		proto_cbor_rd_array(rd, &n);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, item_to_json(rd, key));
		return a;
	}
	case PROTO_CBOR_MAP: {
		json_t *o = json_object();

		proto_cbor_rd_map(rd, &n);
		for (size_t i = 0; i < n; i++) {
			size_t klen;
			char k[64];

			if (proto_cbor_rd_text(rd, &s, &klen) != 0) {
				json_decref(o);
				return NULL;
			}
			snprintf(k, sizeof(k), "%.*s", (int)klen, s);
			json_object_set_new(o, k, item_to_json(rd, k));
		}
		return o;
	}
	case PROTO_CBOR_SIMPLE:
		if (proto_cbor_rd_bool(rd, &bv) == 0)
			return json_boolean(bv);
		proto_cbor_rd_skip(rd);
		return json_null();
	default:
		proto_cbor_rd_skip(rd);
		return json_null();
	}
}

json_t *
cli_cbor_to_json(const uint8_t *p, size_t n)
{
	struct proto_cbor_rd rd;

	proto_cbor_rd_init(&rd, p, n);
	return item_to_json(&rd, "");
}
