/*
 * err.c: the project's error codes, their sentences and their names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static const struct {
	const char *name;
	const char *text;
} errs[PROTO_ERR_COUNT] = {
    [PROTO_OK] = {"ok", "success"},
    [PROTO_ENOMEM] = {"no-memory", "out of memory"},
    [PROTO_ETRUNCATED] = {"truncated", "input ends inside a CBOR item"},
    [PROTO_ETRAILING] = {"trailing", "bytes follow the CBOR item"},
    [PROTO_ENONSHORTEST] = {"non-shortest",
	"integer or length not in its shortest form"},
    [PROTO_EINDEFINITE] = {"indefinite", "indefinite-length CBOR item"},
    [PROTO_EFLOAT] = {"float", "floating-point value"},
    [PROTO_EUNSORTED] = {"unsorted", "map keys out of bytewise order"},
    [PROTO_EDUPKEY] = {"duplicate-key", "map key repeated"},
    [PROTO_EUTF8] = {"utf-8", "text is not valid UTF-8"},
    [PROTO_EDEPTH] = {"depth", "CBOR nested too deep"},
    [PROTO_EMALFORMED] = {"malformed", "not well-formed CBOR"},
    [PROTO_ETAG] = {"tag", "not a tagged COSE_Sign1 record"},
    [PROTO_EALG] = {"alg", "algorithm is not EdDSA"},
    [PROTO_EHEADER] = {"header", "COSE structure or header wrong"},
    [PROTO_ESIGNATURE] = {"signature", "signature does not verify"},
    [PROTO_ETOOBIG] = {"too-big", "record or field over its limit"},
    [PROTO_ESCHEMA] = {"schema", "payload does not match the schema"},
    [PROTO_EJSON] = {"json", "JSON input unusable"},
    [PROTO_EKEY] = {"key", "key unusable"},
    [PROTO_EINVAL] = {"invalid", "invalid argument"},
    [PROTO_ENOTFOUND] = {"not-found", "not found"},
    [PROTO_EAMBIGUOUS] = {"ambiguous", "id prefix is ambiguous"},
    [PROTO_EUNAUTHORIZED] = {"unauthorized", "signer is not authorized"},
    [PROTO_ECONFLICT] = {"conflict", "revision does not name the head"},
    [PROTO_EEXISTS] = {"exists", "already exists"},
    [PROTO_ENOPARTY] = {"no-party", "no such party"},
    [PROTO_ECHAIN] = {"chain", "version chain broken"},
    [PROTO_ESTORE] = {"store", "storage failure"},
    [PROTO_EIO] = {"io", "input/output error"},
    [PROTO_EPROTOCOL] = {"protocol", "malformed request or response"},
    [PROTO_EUNREACHABLE] = {"unreachable", "daemon unreachable"},
    [PROTO_EBUSY] = {"busy", "too many requests in flight"},
    [PROTO_EPROOF] = {"proof", "proof does not verify"},
    [PROTO_ESHUTDOWN] = {"shutdown", "daemon is shutting down"},
    [PROTO_EDAMAGED] = {"damaged", "store is damaged"},
    [PROTO_EDUPLICATE] = {"duplicate", "an identical claim exists"},
    [PROTO_ETIME] = {"time", "time out of range"},
    [PROTO_ERETRACTED] = {"retracted", "claim is retracted"},
    [PROTO_EUNCHANGED] = {"unchanged", "version changes nothing"},
    [PROTO_EREADONLY] = {"read-only", "a read-only mirror"},
};

const char *
proto_strerror(int err)
{
	if (err < 0 || err >= PROTO_ERR_COUNT || errs[err].text == NULL)
		return "unknown error";
	return errs[err].text;
}

const char *
proto_errname(int err)
{
	if (err < 0 || err >= PROTO_ERR_COUNT || errs[err].name == NULL)
		return "unknown";
	return errs[err].name;
}

int
proto_errcode(const char *name)
{
	for (int i = 0; i < PROTO_ERR_COUNT; i++)
		if (errs[i].name != NULL && strcmp(errs[i].name, name) == 0)
			return i;
	return -1;
}

int
proto_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
