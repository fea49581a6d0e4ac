/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Wipes @len bytes at @data so that the compiler cannot leave it out as a
 * dead store (explicit_bzero; SecureZeroMemory on Windows, memset_s on
 * macOS). */
void passport_secure_zero (void  *data,
                           gsize  len);

#if defined(G_OS_WIN32) || defined(__APPLE__)
/* Windows and macOS have no explicit_bzero(); the core's callers keep its
 * name. */
#define explicit_bzero(data, len) passport_secure_zero ((data), (len))
#endif

/* Wipes a NUL-terminated secret (token, password, serialized session)
 * before freeing it, so it does not linger in freed heap memory. NULL is
 * fine. */
void passport_secure_free (char *secret);

/* Frees *@secret with passport_secure_free() and sets it to NULL. */
void passport_secure_clear (char **secret);

/* Wipes and frees each string of a NULL-ended array, then the array (for
 * recovery codes). NULL is fine. */
void passport_secure_strfreev (char **secrets);

/* @secret in groups of four separated by spaces ("abcd efgh ijkl mnop"),
 * easier to read and to type into a phone; no copy of it is left in freed
 * memory. Free with passport_secure_free(). */
char *passport_secure_group_in_fours (const char *secret);

/* A string type for g_autoptr: `g_autoptr (PassportSecret) pw = …;` wipes
 * the string when it goes out of scope. */
typedef char PassportSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PassportSecret, passport_secure_free)

G_END_DECLS
