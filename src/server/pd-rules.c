// SPDX-License-Identifier: GPL-3.0-or-later
//
// The contract's rules for e-mail addresses and passwords: pure checks, no
// HTTP and no database, so every handler can use them.
#include "config.h"

#include <string.h>

#include "pd.h"

gboolean
pd_email_valid (const char *email)
{
  const char *at;
  const char *domain;

  if (email == NULL || strlen (email) > 254 || !g_utf8_validate (email, -1, NULL))
    return FALSE;

  for (const char *p = email; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == ';')
      return FALSE;

  at = strchr (email, '@');
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL)
    return FALSE;

  domain = at + 1;
  if (*domain == '\0' || *domain == '.' || g_str_has_suffix (domain, ".") ||
      strchr (domain, '.') == NULL || strstr (domain, "..") != NULL)
    return FALSE;

  return TRUE;
}

static const char *common_passwords[] = {
  "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "12345678",
  "123456789", "1234567890", "87654321", "11111111", "00000000", "12341234", "123123123",
  "qwertyui", "qwerty12", "qwerty123", "qwertyuiop", "1q2w3e4r", "1q2w3e4r5t", "zaq12wsx",
  "iloveyou", "sunshine", "football", "baseball", "princess", "superman", "trustno1",
  "letmein1", "welcome1", "admin123", "abc12345", "abcd1234", "dragon12", "monkey12",
  "starwars", "whatever", "computer", "internet", "michael1", "jennifer", "passport",
  "йцукенгш", "пароль12", "пароль123", "qwerty1234", "asdfghjk", "asdf1234",
};

static gboolean
contains_folded (const char *haystack_folded,
                 const char *needle)
{
  g_autofree char *folded = g_utf8_casefold (needle, -1);

  return g_utf8_strlen (folded, -1) >= 3 && strstr (haystack_folded, folded) != NULL;
}

GStrv
pd_password_weak_reasons (const char *password,
                          const char *email,
                          const char *name)
{
  g_autoptr(GStrvBuilder) reasons = g_strv_builder_new ();
  g_autofree char *folded = g_utf8_casefold (password, -1);
  glong length = g_utf8_strlen (password, -1);
  gboolean any = FALSE;

  if (length < PD_MIN_PASSWORD)
    {
      g_strv_builder_add (reasons, "too_short");
      any = TRUE;
    }
  if (length > PD_MAX_PASSWORD)
    {
      g_strv_builder_add (reasons, "too_long");
      any = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (common_passwords); i++)
    {
      if (g_str_equal (folded, common_passwords[i]))
        {
          g_strv_builder_add (reasons, "too_common");
          any = TRUE;
          break;
        }
    }
  if (email != NULL)
    {
      g_autofree char *local = g_strndup (email, strcspn (email, "@"));
      if (contains_folded (folded, local))
        {
          g_strv_builder_add (reasons, "contains_email");
          any = TRUE;
        }
    }
  if (name != NULL)
    {
      g_auto(GStrv) words = g_regex_split_simple ("[\\s\\p{P}]+", name, 0, 0);
      for (guint i = 0; words[i] != NULL; i++)
        {
          if (contains_folded (folded, words[i]))
            {
              g_strv_builder_add (reasons, "contains_name");
              any = TRUE;
              break;
            }
        }
    }

  return any ? g_strv_builder_end (reasons) : NULL;
}
