/*
 * lmdbfault: LMDB reads that fail on demand, for the tests of claimd's
 * request handling and of the store. A test executable links
 * lmdbfault.c with -Wl,--wrap=mdb_get,--wrap=mdb_cursor_get,
 * --wrap=mdb_cursor_open: the read that brings lmdb_read_countdown from
 * 1 to 0 fails with lmdb_read_fault; each of the three counts one. -1:
 * no read fails.
 */
#ifndef CLAIMD_LMDBFAULT_H
#define CLAIMD_LMDBFAULT_H

extern int lmdb_read_countdown, lmdb_read_fault;

#endif
