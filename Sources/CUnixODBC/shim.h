// unixODBC 2.3 (Debian unixodbc-dev): the ODBC 3 API, plus helpers for what Swift cannot import
// (function-like macros, integers passed as SQLPOINTER).
#ifndef CUNIXODBC_SHIM_H
#define CUNIXODBC_SHIM_H
#include <sql.h>
#include <sqlext.h>

/// SQL_SUCCEEDED as a function.
static inline int codbc_succeeded(SQLRETURN rc) { return SQL_SUCCEEDED(rc); }

/// Sets an integer-valued environment attribute (SQL_ATTR_ODBC_VERSION).
static inline SQLRETURN codbc_set_env_int(SQLHENV env, SQLINTEGER attr, SQLULEN value) {
    return SQLSetEnvAttr(env, attr, (SQLPOINTER)value, 0);
}

/// Sets an integer-valued connection attribute (SQL_ATTR_LOGIN_TIMEOUT, SQL_ATTR_AUTOCOMMIT).
static inline SQLRETURN codbc_set_connect_int(SQLHDBC dbc, SQLINTEGER attr, SQLULEN value) {
    return SQLSetConnectAttr(dbc, attr, (SQLPOINTER)value, 0);
}

/// Sets an integer-valued statement attribute (SQL_ATTR_QUERY_TIMEOUT).
static inline SQLRETURN codbc_set_stmt_int(SQLHSTMT stmt, SQLINTEGER attr, SQLULEN value) {
    return SQLSetStmtAttr(stmt, attr, (SQLPOINTER)value, 0);
}
#endif
