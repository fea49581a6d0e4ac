/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A libintl stand-in for the Windows cross-build (scripts/windows/build.sh):
 * the gettext API with no catalogues, so every message is shown as written
 * (English). GLib and Passport need the functions to exist; translations on
 * Windows are left for a real gettext build (MSYS2 ships one).
 */
#pragma once

#include <locale.h>

/* Windows' C library has no LC_MESSAGES category; gettext's libintl.h
 * defines one for its callers (GLib's gkeyfile.c asks for it). */
#ifndef LC_MESSAGES
#define LC_MESSAGES 1729
#endif

#ifdef __cplusplus
extern "C" {
#endif

char *gettext (const char *msgid);
char *dgettext (const char *domainname, const char *msgid);
char *dcgettext (const char *domainname, const char *msgid, int category);
char *ngettext (const char *msgid, const char *msgid_plural, unsigned long n);
char *dngettext (const char *domainname, const char *msgid,
                 const char *msgid_plural, unsigned long n);
char *dcngettext (const char *domainname, const char *msgid,
                  const char *msgid_plural, unsigned long n, int category);
char *textdomain (const char *domainname);
char *bindtextdomain (const char *domainname, const char *dirname);
char *bind_textdomain_codeset (const char *domainname, const char *codeset);

#ifdef __cplusplus
}
#endif
