/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-known-account.h"

struct _PassportKnownAccount
{
  GObject parent_instance;

  char *server_url;
  char *account_id;
  char *email;
  char *name;
  PassportKnownAccountState state;
  gboolean active;
};

G_DEFINE_FINAL_TYPE (PassportKnownAccount, passport_known_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_ACCOUNT_ID,
  PROP_EMAIL,
  PROP_NAME,
  PROP_TITLE,
  PROP_STATE,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
passport_known_account_finalize (GObject *object)
{
  PassportKnownAccount *self = PASSPORT_KNOWN_ACCOUNT (object);

  g_free (self->server_url);
  g_free (self->account_id);
  g_free (self->email);
  g_free (self->name);

  G_OBJECT_CLASS (passport_known_account_parent_class)->finalize (object);
}

static void
passport_known_account_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PassportKnownAccount *self = PASSPORT_KNOWN_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_ACCOUNT_ID: g_value_set_string (value, self->account_id); break;
    case PROP_EMAIL: g_value_set_string (value, self->email); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_TITLE: g_value_set_string (value, passport_known_account_get_title (self)); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_ACTIVE: g_value_set_boolean (value, self->active); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_known_account_class_init (PassportKnownAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = passport_known_account_finalize;
  object_class->get_property = passport_known_account_get_property;

  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties[PROP_ACCOUNT_ID] = g_param_spec_string ("account-id", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, PASSPORT_KNOWN_ACCOUNT_UNKNOWN,
                                             0, flags);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_known_account_init (PassportKnownAccount *self)
{
}

static char *
dup_or_null (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

PassportKnownAccount *
passport_known_account_new (const char                *server_url,
                            const char                *account_id,
                            const char                *email,
                            const char                *name,
                            PassportKnownAccountState  state,
                            gboolean                   active)
{
  PassportKnownAccount *self;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  self = g_object_new (PASSPORT_TYPE_KNOWN_ACCOUNT, NULL);
  self->server_url = g_strdup (server_url);
  self->account_id = g_strdup (account_id);
  self->email = dup_or_null (email);
  self->name = dup_or_null (name);
  self->state = state;
  self->active = active;
  return self;
}

const char *
passport_known_account_get_server_url (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), NULL);
  return self->server_url;
}

const char *
passport_known_account_get_account_id (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), NULL);
  return self->account_id;
}

const char *
passport_known_account_get_email (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), NULL);
  return self->email;
}

const char *
passport_known_account_get_name (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), NULL);
  return self->name;
}

const char *
passport_known_account_get_title (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), NULL);
  if (self->email != NULL)
    return self->email;
  if (self->name != NULL)
    return self->name;
  return self->account_id;
}

PassportKnownAccountState
passport_known_account_get_state (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), PASSPORT_KNOWN_ACCOUNT_UNKNOWN);
  return self->state;
}

gboolean
passport_known_account_get_active (PassportKnownAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), FALSE);
  return self->active;
}

gboolean
passport_known_account_matches (PassportKnownAccount *self,
                                const char           *query)
{
  g_return_val_if_fail (PASSPORT_IS_KNOWN_ACCOUNT (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);

  return g_str_equal (self->account_id, query) ||
         (self->email != NULL && g_ascii_strcasecmp (self->email, query) == 0);
}
