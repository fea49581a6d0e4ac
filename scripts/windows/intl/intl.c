/* SPDX-License-Identifier: GPL-3.0-or-later */
/* See libintl.h: gettext without catalogues. */
#include <stddef.h>

#include "libintl.h"

/* What textdomain() and friends report back; callers only compare or
 * ignore these, and never free them. */
static char current_domain[128] = "messages";

char *
gettext (const char *msgid)
{
  return (char *) msgid;
}

char *
dgettext (const char *domainname, const char *msgid)
{
  return (char *) msgid;
}

char *
dcgettext (const char *domainname, const char *msgid, int category)
{
  return (char *) msgid;
}

char *
ngettext (const char *msgid, const char *msgid_plural, unsigned long n)
{
  return (char *) (n == 1 ? msgid : msgid_plural);
}

char *
dngettext (const char *domainname, const char *msgid,
           const char *msgid_plural, unsigned long n)
{
  return ngettext (msgid, msgid_plural, n);
}

char *
dcngettext (const char *domainname, const char *msgid,
            const char *msgid_plural, unsigned long n, int category)
{
  return ngettext (msgid, msgid_plural, n);
}

char *
textdomain (const char *domainname)
{
  size_t i;

  if (domainname == NULL)
    return current_domain;
  for (i = 0; domainname[i] != '\0' && i + 1 < sizeof current_domain; i++)
    current_domain[i] = domainname[i];
  current_domain[i] = '\0';
  return current_domain;
}

char *
bindtextdomain (const char *domainname, const char *dirname)
{
  return (char *) dirname;
}

char *
bind_textdomain_codeset (const char *domainname, const char *codeset)
{
  return (char *) codeset;
}
