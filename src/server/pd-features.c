// SPDX-License-Identifier: GPL-3.0-or-later
//
// The optional features of the contract (sections 7–12) and --features,
// which turns them off one by one, so that a client can be tried against a
// server that lacks one. A feature that is off is not listed in discovery's
// passport_features and answers its endpoints 404 not_found.
#include "config.h"

#include <string.h>

#include "pd.h"

/* The contract's names, in its order. A new feature adds its row. */
static const struct
{
  PdFeature feature;
  const char *name;
} features[] = {
  { PD_FEATURE_PASSWORD_RESET, "password_reset" },
  { PD_FEATURE_OTP, "otp" },
  { PD_FEATURE_APP_PASSWORDS, "app_passwords" },
  { PD_FEATURE_SESSIONS, "sessions" },
  { PD_FEATURE_IDENTITIES, "identities" },
  { PD_FEATURE_DEVICE, "device" },
  { PD_FEATURE_DELETE_ACCOUNT, "delete_account" },
};

/* Names of the contract this passportd does not implement yet: turning
 * one off is nothing to do, and asking for one only warns, so that a
 * client's tests may name a feature before the server has it. */
static const char *const missing[] = {
  NULL,
};

static gboolean
feature_by_name (const char *name,
                 guint      *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    if (g_str_equal (features[i].name, name))
      {
        *out = features[i].feature;
        return TRUE;
      }
  return FALSE;
}

gboolean
pd_features_parse (const char  *spec,
                   guint       *out,
                   GError     **error)
{
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);
  guint on = 0, off = 0;
  gboolean listed = FALSE, removals = FALSE;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      gboolean remove = item[0] == '-';
      guint feature;

      if (*item == '\0')
        continue;
      removals = removals || remove;
      if (g_strv_contains ((const char * const *) missing, remove ? item + 1 : item))
        {
          if (!remove)
            g_printerr ("passportd: --features: %s is not implemented here; not offered\n", item);
          listed = listed || !remove;
          continue;
        }
      if (!feature_by_name (remove ? item + 1 : item, &feature))
        {
          g_autoptr(GString) known = g_string_new (NULL);

          for (guint k = 0; k < G_N_ELEMENTS (features); k++)
            g_string_append_printf (known, "%s%s", k > 0 ? ", " : "", features[k].name);
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--features: unknown feature %s (known: %s)", item, known->str);
          return FALSE;
        }
      if (remove)
        off |= feature;
      else
        {
          on |= feature;
          listed = TRUE;
        }
    }

  /* names given: those; only removals (or nothing at all, "" = none) */
  if (listed)
    *out = on & ~off;
  else if (removals)
    *out = PD_FEATURES_ALL & ~off;
  else
    *out = 0;
  return TRUE;
}

JsonArray *
pd_features_json (Pd *pd)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    if (pd_feature_on (pd, features[i].feature))
      json_array_add_string_element (array, features[i].name);
  return array;
}
