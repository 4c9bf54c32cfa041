/*
 * lmdbfault.c: LMDB reads that fail on demand (lmdbfault.h).
 */
#include <stdbool.h>

#include <lmdb.h>

#include "lmdbfault.h"

int lmdb_read_countdown = -1, lmdb_read_fault;

int __real_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int __wrap_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int __real_mdb_cursor_get(
    MDB_cursor *cur, MDB_val *key, MDB_val *data, MDB_cursor_op op);
int __wrap_mdb_cursor_get(
    MDB_cursor *cur, MDB_val *key, MDB_val *data, MDB_cursor_op op);
int __real_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur);
int __wrap_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur);

static bool
read_fails(void)
{
	return lmdb_read_countdown > 0 && --lmdb_read_countdown == 0;
}

int
__wrap_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data)
{
	return read_fails() ? lmdb_read_fault
			    : __real_mdb_get(txn, dbi, key, data);
}

int
__wrap_mdb_cursor_get(
    MDB_cursor *cur, MDB_val *key, MDB_val *data, MDB_cursor_op op)
{
	return read_fails() ? lmdb_read_fault
			    : __real_mdb_cursor_get(cur, key, data, op);
}

int
__wrap_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur)
{
	return read_fails() ? lmdb_read_fault
			    : __real_mdb_cursor_open(txn, dbi, cur);
}
