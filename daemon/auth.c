/*
 * auth.c: CurveZMQ on both sockets, and the ZAP handler that admits only
 * the client keys on the allowlist.
 *
 * A CURVE server with no ZAP handler accepts every client key (libzmq
 * does so silently; docs/operations.md, CurveZMQ), so the handler is
 * bound on inproc://zeromq.zap.01
 * before any CURVE socket binds, and every CURVE socket names a ZAP
 * domain. The allowlist is read again on SIGHUP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "claim.h"
#include "claimd.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN   "claimd"
#define ALLOW_MAX    65536

struct auth {
	char *allow_path;
	char public_z85[PROTO_Z85_KEY_LEN + 1];
	char *secret_z85; /* sodium_malloc'd */
	void *zap;        /* REP, owned by the thread once it runs */
	pthread_t thread;
	pthread_mutex_t mu;
	uint8_t (*keys)[32];
	size_t nkeys;
	_Atomic uint64_t admitted, refused;
};

/* True when ep names an endpoint claimd can listen on: tcp://HOST:PORT
 * (HOST an address, a name, an interface or *; PORT a number or *) or
 * ipc://PATH, with no control character. Whether HOST exists is left to
 * zmq_bind. */
bool
endpoint_is_valid(const char *ep)
{
	const char *rest, *colon, *p;

	for (p = ep; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	if (strncmp(ep, "ipc://", 6) == 0)
		return ep[6] != '\0';
	if (strncmp(ep, "tcp://", 6) != 0)
		return false;
	rest = ep + 6;
	if ((colon = strrchr(rest, ':')) == NULL || colon == rest ||
	    colon[1] == '\0')
		return false;
	if (strcmp(colon + 1, "*") == 0)
		return true;
	for (p = colon + 1; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return strlen(colon + 1) <= 5 && atol(colon + 1) <= 65535;
}

/* True when ep can only be reached from this machine: ipc:// and
 * inproc://, or tcp:// on an address literal in 127.0.0.0/8 or ::1, on
 * "localhost" or on the loopback interface "lo". A host name that merely
 * starts with "127." is not loopback. */
bool
endpoint_is_loopback(const char *ep)
{
	char host[256];
	const char *rest, *colon;
	size_t n;
	struct in_addr a4;
	struct in6_addr a6;

	if (strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
		return true;
	if (strncmp(ep, "tcp://", 6) != 0)
		return false;
	rest = ep + 6;
	if (strchr(rest, ';') != NULL || (colon = strrchr(rest, ':')) == NULL)
		return false;
	n = (size_t)(colon - rest);
	if (*rest == '[') {
		if (n < 2 || rest[n - 1] != ']')
			return false;
		rest++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, rest, n);
	host[n] = '\0';
	if (strcmp(host, "localhost") == 0 || strcmp(host, "lo") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/* Reads the allowlist: one Z85 public key a line; lines starting with
 * '#' are comments. */
static int
load_allow(
    const char *path, uint8_t (**out)[32], size_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	uint8_t(*keys)[32] = NULL;
	char line[512];
	size_t count = 0, lineno = 0;

	*out = NULL;
	*n = 0;
	if (f == NULL)
		return proto_fail(err, errlen, PROTO_EIO, "cannot open %s: %s",
		    path, strerror(errno));
	if ((keys = calloc(ALLOW_MAX, sizeof(*keys))) == NULL) {
		fclose(f);
		return PROTO_ENOMEM;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t");
		size_t len = strcspn(s, " \t\r\n");

		/* Z85 has '#' of its own: a comment is a whole line. */
		lineno++;
		if (len == 0 || s[0] == '#')
			continue;
		s[len] = '\0';
		if (!proto_z85_key_valid(s, len) ||
		    zmq_z85_decode(keys[count], s) == NULL) {
			fclose(f);
			free(keys);
			return proto_fail(err, errlen, PROTO_EKEY,
			    "%s:%zu: not a CurveZMQ public key (40 Z85 "
			    "characters)",
			    path, lineno);
		}
		if (++count == ALLOW_MAX)
			break;
	}
	fclose(f);
	*out = keys;
	*n = count;
	return PROTO_OK;
}

static bool
allowed(struct auth *a, const uint8_t *key)
{
	bool ok = false;

	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < a->nkeys && !ok; i++)
		ok = sodium_memcmp(a->keys[i], key, 32) == 0;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

/* Receives one frame into buf (cut at cap); -1 at ETERM. */
static int
frame(void *s, char *buf, size_t cap, size_t *len, bool *more)
{
	zmq_msg_t m;
	int rc;

	zmq_msg_init(&m);
	if ((rc = zmq_msg_recv(&m, s, 0)) < 0) {
		zmq_msg_close(&m);
		return -1;
	}
	*len = zmq_msg_size(&m) < cap ? zmq_msg_size(&m) : cap;
	memcpy(buf, zmq_msg_data(&m), *len);
	*more = zmq_msg_more(&m);
	zmq_msg_close(&m);
	return 0;
}

/* ZAP (ZeroMQ RFC 27): one request in, one reply out, until shutdown. */
static void *
zap_main(void *arg)
{
	struct auth *a = arg;

	for (;;) {
		char f[7][256], z85[41];
		size_t len[7] = {0};
		bool more = true, ok;
		int n = 0;

		/* version, id, domain, address, identity, mechanism, key */
		while (more) {
			size_t l;
			char scratch[256];

			if (frame(a->zap, n < 7 ? f[n] : scratch, 255, &l,
				&more) != 0)
				return NULL;
			if (n < 7)
				len[n] = l;
			n++;
		}
		for (int i = 0; i < 7; i++)
			f[i][len[i] < 255 ? len[i] : 255] = '\0';
		ok = n >= 7 && strcmp(f[0], "1.0") == 0 &&
		    strcmp(f[5], "CURVE") == 0 && len[6] == 32 &&
		    allowed(a, (uint8_t *)f[6]);
		if (ok) {
			a->admitted++;
		} else {
			a->refused++;
			if (n >= 7 && len[6] == 32 &&
			    zmq_z85_encode(z85, (uint8_t *)f[6], 32) != NULL)
				log_warnx(
				    "refused CURVE key %s from %s: not on "
				    "the allowlist",
				    z85, f[3]);
			else
				log_warnx("refused a client from %s: %s",
				    n >= 4 ? f[3] : "?",
				    n >= 6 ? f[5] : "no mechanism");
		}
		if (zmq_send(a->zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
		    zmq_send(a->zap, f[1], len[1], ZMQ_SNDMORE) < 0 ||
		    zmq_send(a->zap, ok ? "200" : "400", 3, ZMQ_SNDMORE) < 0 ||
		    zmq_send(a->zap, ok ? "OK" : "key not allowed", ok ? 2 : 15,
			ZMQ_SNDMORE) < 0 ||
		    zmq_send(a->zap, "", 0, ZMQ_SNDMORE) < 0 ||
		    zmq_send(a->zap, "", 0, 0) < 0)
			return NULL;
	}
}

/* Reads a key pair file (claim keygen --curve) into pub and secret
 * (Z85; secret in sodium_malloc'd memory of the caller's); exits on
 * failure, naming the file. */
static void
key_file_read(const char *path, char pub[PROTO_Z85_KEY_LEN + 1],
    char secret[PROTO_Z85_KEY_LEN + 1])
{
	char err[256], *text;
	FILE *f;
	size_t n;

	if ((text = sodium_malloc(4096)) == NULL)
		fatalx("out of memory");
	if ((f = fopen(path, "r")) == NULL)
		fatal("cannot open CurveZMQ key %s", path);
	n = fread(text, 1, 4095, f);
	fclose(f);
	if (proto_curve_key_parse(text, n, pub, secret, err, sizeof(err)) !=
	    PROTO_OK)
		fatalx("%s: %s", path, err);
	sodium_free(text);
}

struct auth *
auth_new(void *zctx, const char *key_path, const char *allow_path)
{
	char err[256];
	struct auth *a;
	int linger = 0;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->secret_z85 = sodium_malloc(PROTO_Z85_KEY_LEN + 1)) == NULL)
		fatalx("out of memory");
	pthread_mutex_init(&a->mu, NULL);
	key_file_read(key_path, a->public_z85, a->secret_z85);
	if ((a->allow_path = strdup(allow_path)) == NULL)
		fatalx("out of memory");
	if (load_allow(allow_path, &a->keys, &a->nkeys, err, sizeof(err)) !=
	    PROTO_OK)
		fatalx("%s", err);
	/* The handler first: a CURVE socket bound without it admits all. */
	if ((a->zap = zmq_socket(zctx, ZMQ_REP)) == NULL ||
	    zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_bind(a->zap, ZAP_ENDPOINT) != 0)
		fatalx("cannot start the ZAP handler: %s", zmq_strerror(errno));
	if (pthread_create(&a->thread, NULL, zap_main, a) != 0)
		fatalx("cannot start the ZAP thread");
	log_info("CurveZMQ on: server key %s, %zu client keys allowed",
	    a->public_z85, a->nkeys);
	return a;
}

struct claim_curve *
curve_client_new(const char *key_path, const char *server_key)
{
	struct claim_curve *c = sodium_malloc(sizeof(*c));

	if (c == NULL)
		fatalx("out of memory");
	key_file_read(key_path, c->public_key, c->secret);
	snprintf(c->server, sizeof(c->server), "%s", server_key);
	return c;
}

void
curve_client_secure(const struct claim_curve *c, void *sock)
{
	if (zmq_setsockopt(
		sock, ZMQ_CURVE_SERVERKEY, c->server, PROTO_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->public_key,
		PROTO_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(
		sock, ZMQ_CURVE_SECRETKEY, c->secret, PROTO_Z85_KEY_LEN) != 0)
		fatalx("cannot set up CurveZMQ: %s", zmq_strerror(errno));
}

void
auth_secure(struct auth *a, void *sock)
{
	int one = 1;

	if (zmq_setsockopt(
		sock, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->secret_z85,
		PROTO_Z85_KEY_LEN) != 0)
		fatalx("cannot set up CurveZMQ: %s", zmq_strerror(errno));
}

void
auth_reload(struct auth *a)
{
	uint8_t(*keys)[32], (*old)[32];
	char err[256];
	size_t n;

	if (load_allow(a->allow_path, &keys, &n, err, sizeof(err)) !=
	    PROTO_OK) {
		log_warnx("allowlist not reloaded, the old one stays: %s", err);
		return;
	}
	pthread_mutex_lock(&a->mu);
	old = a->keys;
	a->keys = keys;
	a->nkeys = n;
	pthread_mutex_unlock(&a->mu);
	free(old);
	log_info("allowlist reloaded: %zu client keys", n);
}

const char *
auth_public(const struct auth *a)
{
	return a->public_z85;
}

/* After zmq_ctx_shutdown(): the thread sees ETERM and ends. */
void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	pthread_join(a->thread, NULL);
	zmq_close(a->zap);
	sodium_free(a->secret_z85);
	free(a->keys);
	free(a->allow_path);
	pthread_mutex_destroy(&a->mu);
	free(a);
}
