/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-account.h"
#include "passport-error.h"
#include "passport-identity.h"
#include "passport-json-private.h"
#include "passport-util-private.h"

struct _PassportAccount
{
  GObject parent_instance;

  char *id;
  char *display_name;
  char *email;
  gboolean email_verified;
  char *pending_email;
  GDateTime *pending_sent_at;
  GDateTime *pending_resend_after;
  GDateTime *pending_expires_at;
  gboolean has_password;
  gboolean terms_accepted;
  char *terms_version;
  GListStore *identities;
  gboolean otp_enabled;
  gint64 recovery_codes_left;
  char *link_id;                  /* identity_link (contract 10), NULL when none */
  char *link_provider;
  char *link_status;
  char *link_error;
  GDateTime *link_expires_at;
  gint64 revision;
};

G_DEFINE_FINAL_TYPE (PassportAccount, passport_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_EMAIL,
  PROP_EMAIL_VERIFIED,
  PROP_PENDING_EMAIL,
  PROP_PENDING_SENT_AT,
  PROP_PENDING_RESEND_AFTER,
  PROP_PENDING_EXPIRES_AT,
  PROP_HAS_PASSWORD,
  PROP_TERMS_ACCEPTED,
  PROP_TERMS_VERSION,
  PROP_IDENTITIES,
  PROP_OTP_ENABLED,
  PROP_RECOVERY_CODES_LEFT,
  PROP_IDENTITY_LINK_ID,
  PROP_IDENTITY_LINK_STATUS,
  PROP_REVISION,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
passport_account_finalize (GObject *object)
{
  PassportAccount *self = PASSPORT_ACCOUNT (object);

  g_free (self->id);
  g_free (self->display_name);
  g_free (self->email);
  g_free (self->pending_email);
  g_clear_pointer (&self->pending_sent_at, g_date_time_unref);
  g_clear_pointer (&self->pending_resend_after, g_date_time_unref);
  g_clear_pointer (&self->pending_expires_at, g_date_time_unref);
  g_free (self->terms_version);
  g_clear_object (&self->identities);
  g_free (self->link_id);
  g_free (self->link_provider);
  g_free (self->link_status);
  g_free (self->link_error);
  g_clear_pointer (&self->link_expires_at, g_date_time_unref);

  G_OBJECT_CLASS (passport_account_parent_class)->finalize (object);
}

static void
passport_account_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PassportAccount *self = PASSPORT_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, passport_account_get_display_name (self));
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_EMAIL_VERIFIED:
      g_value_set_boolean (value, self->email_verified);
      break;
    case PROP_PENDING_EMAIL:
      g_value_set_string (value, self->pending_email);
      break;
    case PROP_PENDING_SENT_AT:
      g_value_set_boxed (value, self->pending_sent_at);
      break;
    case PROP_PENDING_RESEND_AFTER:
      g_value_set_boxed (value, self->pending_resend_after);
      break;
    case PROP_PENDING_EXPIRES_AT:
      g_value_set_boxed (value, self->pending_expires_at);
      break;
    case PROP_HAS_PASSWORD:
      g_value_set_boolean (value, self->has_password);
      break;
    case PROP_TERMS_ACCEPTED:
      g_value_set_boolean (value, self->terms_accepted);
      break;
    case PROP_TERMS_VERSION:
      g_value_set_string (value, self->terms_version);
      break;
    case PROP_IDENTITIES:
      g_value_set_object (value, self->identities);
      break;
    case PROP_OTP_ENABLED:
      g_value_set_boolean (value, self->otp_enabled);
      break;
    case PROP_RECOVERY_CODES_LEFT:
      g_value_set_int (value, (int) self->recovery_codes_left);
      break;
    case PROP_IDENTITY_LINK_ID:
      g_value_set_string (value, self->link_id);
      break;
    case PROP_IDENTITY_LINK_STATUS:
      g_value_set_string (value, self->link_status);
      break;
    case PROP_REVISION:
      g_value_set_int64 (value, self->revision);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_account_class_init (PassportAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = passport_account_finalize;
  object_class->get_property = passport_account_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL_VERIFIED] =
    g_param_spec_boolean ("email-verified", NULL, NULL, FALSE, flags);
  properties[PROP_PENDING_EMAIL] = g_param_spec_string ("pending-email", NULL, NULL, NULL, flags);
  properties[PROP_PENDING_SENT_AT] =
    g_param_spec_boxed ("pending-sent-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_PENDING_RESEND_AFTER] =
    g_param_spec_boxed ("pending-resend-after", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_PENDING_EXPIRES_AT] =
    g_param_spec_boxed ("pending-expires-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_HAS_PASSWORD] = g_param_spec_boolean ("has-password", NULL, NULL, FALSE, flags);
  properties[PROP_TERMS_ACCEPTED] =
    g_param_spec_boolean ("terms-accepted", NULL, NULL, FALSE, flags);
  properties[PROP_TERMS_VERSION] = g_param_spec_string ("terms-version", NULL, NULL, NULL, flags);
  properties[PROP_IDENTITIES] =
    g_param_spec_object ("identities", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_OTP_ENABLED] = g_param_spec_boolean ("otp-enabled", NULL, NULL, FALSE, flags);
  properties[PROP_RECOVERY_CODES_LEFT] =
    g_param_spec_int ("recovery-codes-left", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_IDENTITY_LINK_ID] =
    g_param_spec_string ("identity-link-id", NULL, NULL, NULL, flags);
  properties[PROP_IDENTITY_LINK_STATUS] =
    g_param_spec_string ("identity-link-status", NULL, NULL, NULL, flags);
  properties[PROP_REVISION] =
    g_param_spec_int64 ("revision", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_account_init (PassportAccount *self)
{
  self->identities = g_list_store_new (PASSPORT_TYPE_IDENTITY);
}

static gboolean
parse_identities (PassportAccount  *self,
                  JsonArray        *array,
                  GError          **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autoptr(PassportIdentity) identity = NULL;
      g_autofree char *provider = NULL;
      g_autofree char *email = NULL;
      g_autoptr(GDateTime) linked_at = NULL;
      gboolean verified = FALSE;
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "Field “identities” holds something other than objects");
          return FALSE;
        }
      object = json_node_get_object (item);
      if (!passport_json_require_string (object, "provider", &provider, error) ||
          !passport_json_optional_string (object, "email", &email, error) ||
          !passport_json_optional_boolean (object, "email_verified", FALSE, &verified, error) ||
          !passport_json_optional_datetime (object, "linked_at", &linked_at, error))
        return FALSE;

      identity = passport_identity_new (provider, email, verified, linked_at);
      g_list_store_append (self->identities, identity);
    }

  return TRUE;
}

PassportAccount *
passport_account_new_from_json (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(PassportAccount) self = g_object_new (PASSPORT_TYPE_ACCOUNT, NULL);
  JsonObject *object;
  JsonObject *pending = NULL;
  JsonObject *terms = NULL;
  JsonObject *otp = NULL;
  JsonObject *link = NULL;
  JsonArray *identities = NULL;

  object = passport_json_node_get_object (node, error);
  if (object == NULL)
    return NULL;

  if (!passport_json_require_string (object, "id", &self->id, error) ||
      !passport_json_optional_string (object, "display_name", &self->display_name, error) ||
      !passport_json_nullable_string (object, "email", &self->email, error) ||
      !passport_json_require_boolean (object, "email_verified", &self->email_verified, error) ||
      !passport_json_nullable_object (object, "pending_email", &pending, error) ||
      !passport_json_require_boolean (object, "has_password", &self->has_password, error) ||
      !passport_json_require_object (object, "terms", &terms, error) ||
      !passport_json_require_boolean (terms, "accepted", &self->terms_accepted, error) ||
      !passport_json_optional_string (terms, "version", &self->terms_version, error) ||
      !passport_json_require_array (object, "identities", &identities, error) ||
      !passport_json_require_int (object, "revision", &self->revision, error))
    return NULL;

  if (*self->id == '\0' || self->revision < 0)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Field “id” or “revision” is out of range");
      return NULL;
    }

  if (pending != NULL &&
      (!passport_json_require_string (pending, "address", &self->pending_email, error) ||
       !passport_json_require_datetime (pending, "sent_at", &self->pending_sent_at, error) ||
       !passport_json_require_datetime (pending, "resend_after", &self->pending_resend_after, error) ||
       !passport_json_require_datetime (pending, "expires_at", &self->pending_expires_at, error)))
    return NULL;

  if (!parse_identities (self, identities, error))
    return NULL;

  /* Only a server that offers two-step sign-in sends it (contract 8). */
  if ((json_object_has_member (object, "otp") &&
       !passport_json_nullable_object (object, "otp", &otp, error)) ||
      (otp != NULL &&
       (!passport_json_require_boolean (otp, "enabled", &self->otp_enabled, error) ||
        !passport_json_optional_int (otp, "recovery_codes_left", 0, &self->recovery_codes_left,
                                     error))))
    return NULL;
  /* The latest attempt to link a network (contract 10), with that feature. */
  if ((json_object_has_member (object, "identity_link") &&
       !passport_json_nullable_object (object, "identity_link", &link, error)) ||
      (link != NULL &&
       (!passport_json_require_string (link, "id", &self->link_id, error) ||
        !passport_json_require_string (link, "provider", &self->link_provider, error) ||
        !passport_json_require_string (link, "status", &self->link_status, error) ||
        !passport_json_optional_string (link, "error", &self->link_error, error) ||
        !passport_json_require_datetime (link, "expires_at", &self->link_expires_at, error))))
    return NULL;

  if (self->recovery_codes_left < 0 || self->recovery_codes_left > G_MAXINT)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Field “recovery_codes_left” is out of range");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* email_verified as OpenID Connect Core §5.1 has it (a boolean), or as
 * providers in the wild send it (AWS Cognito: the strings "true" and
 * "false"). Anything else is not a claim we can read: the address counts
 * as unverified, which only costs a confirmation mail, rather than
 * failing a sign-in over an advisory claim. */
static gboolean
userinfo_email_verified (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (node), "true") == 0;
  return FALSE;
}

PassportAccount *
passport_account_new_from_userinfo (JsonNode  *node,
                                    GError   **error)
{
  g_autoptr(PassportAccount) self = g_object_new (PASSPORT_TYPE_ACCOUNT, NULL);
  JsonObject *object;

  object = passport_json_node_get_object (node, error);
  if (object == NULL)
    return NULL;

  if (!passport_json_require_string (object, "sub", &self->id, error) ||
      !passport_json_optional_string (object, "name", &self->display_name, error) ||
      !passport_json_optional_string (object, "email", &self->email, error))
    return NULL;

  if (*self->id == '\0')
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Field “sub” is empty");
      return NULL;
    }
  self->email_verified = userinfo_email_verified (json_object_get_member (object, "email_verified"));

  /* A plain OpenID provider has no agreement of ours to accept. */
  self->terms_accepted = TRUE;

  return g_steal_pointer (&self);
}

static void
update_str (PassportAccount  *self,
            char            **field,
            const char       *value,
            guint             prop)
{
  if (passport_set_str (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_bool (PassportAccount *self,
             gboolean        *field,
             gboolean         value,
             guint            prop)
{
  if (!*field != !value)
    {
      *field = !!value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

static void
update_time (PassportAccount  *self,
             GDateTime       **field,
             GDateTime        *value,
             guint             prop)
{
  if (*field == value || (*field != NULL && value != NULL && g_date_time_equal (*field, value)))
    return;

  g_clear_pointer (field, g_date_time_unref);
  *field = value ? g_date_time_ref (value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gboolean
identities_equal (GListModel *a,
                  GListModel *b)
{
  guint n = g_list_model_get_n_items (a);

  if (n != g_list_model_get_n_items (b))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PassportIdentity) x = g_list_model_get_item (a, i);
      g_autoptr(PassportIdentity) y = g_list_model_get_item (b, i);

      if (!passport_identity_equal (x, y))
        return FALSE;
    }

  return TRUE;
}

void
passport_account_update (PassportAccount *self,
                         PassportAccount *from)
{
  g_return_if_fail (PASSPORT_IS_ACCOUNT (self));
  g_return_if_fail (PASSPORT_IS_ACCOUNT (from));

  if (self == from)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  /* display-name falls back to the e-mail and the id: it changes with them. */
  if (g_strcmp0 (passport_account_get_display_name (self), passport_account_get_display_name (from)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  passport_set_str (&self->display_name, from->display_name);
  update_str (self, &self->id, from->id, PROP_ID);
  update_str (self, &self->email, from->email, PROP_EMAIL);
  update_bool (self, &self->email_verified, from->email_verified, PROP_EMAIL_VERIFIED);
  update_str (self, &self->pending_email, from->pending_email, PROP_PENDING_EMAIL);
  update_time (self, &self->pending_sent_at, from->pending_sent_at, PROP_PENDING_SENT_AT);
  update_time (self, &self->pending_resend_after, from->pending_resend_after,
               PROP_PENDING_RESEND_AFTER);
  update_time (self, &self->pending_expires_at, from->pending_expires_at,
               PROP_PENDING_EXPIRES_AT);
  update_bool (self, &self->has_password, from->has_password, PROP_HAS_PASSWORD);
  update_bool (self, &self->terms_accepted, from->terms_accepted, PROP_TERMS_ACCEPTED);
  update_str (self, &self->terms_version, from->terms_version, PROP_TERMS_VERSION);
  update_bool (self, &self->otp_enabled, from->otp_enabled, PROP_OTP_ENABLED);
  passport_set_str (&self->link_provider, from->link_provider);
  passport_set_str (&self->link_error, from->link_error);
  update_time (self, &self->link_expires_at, from->link_expires_at, PROP_IDENTITY_LINK_ID);
  update_str (self, &self->link_id, from->link_id, PROP_IDENTITY_LINK_ID);
  update_str (self, &self->link_status, from->link_status, PROP_IDENTITY_LINK_STATUS);
  if (self->recovery_codes_left != from->recovery_codes_left)
    {
      self->recovery_codes_left = from->recovery_codes_left;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOVERY_CODES_LEFT]);
    }

  /* The list object stays the same so views bound to it keep working. */
  if (!identities_equal (G_LIST_MODEL (self->identities), G_LIST_MODEL (from->identities)))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (from->identities));
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (from->identities), i));
      g_list_store_splice (self->identities, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->identities)),
                           items->pdata, items->len);
    }

  if (self->revision != from->revision)
    {
      self->revision = from->revision;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
passport_account_get_id (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->id;
}

const char *
passport_account_get_display_name (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);

  /* A provider need not send a name; the e-mail, then the id, still say
   * who is signed in. */
  if (self->display_name != NULL && *self->display_name != '\0')
    return self->display_name;
  if (self->email != NULL && *self->email != '\0')
    return self->email;
  return self->id;
}

const char *
passport_account_get_email (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->email;
}

gboolean
passport_account_get_email_verified (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), FALSE);
  return self->email_verified;
}

const char *
passport_account_get_pending_email (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->pending_email;
}

GDateTime *
passport_account_get_pending_sent_at (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->pending_sent_at;
}

GDateTime *
passport_account_get_pending_resend_after (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->pending_resend_after;
}

GDateTime *
passport_account_get_pending_expires_at (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->pending_expires_at;
}

gboolean
passport_account_get_has_password (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), FALSE);
  return self->has_password;
}

gboolean
passport_account_get_terms_accepted (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), FALSE);
  return self->terms_accepted;
}

const char *
passport_account_get_terms_version (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->terms_version;
}

GListModel *
passport_account_get_identities (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return G_LIST_MODEL (self->identities);
}

gboolean
passport_account_get_otp_enabled (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), FALSE);
  return self->otp_enabled;
}

guint
passport_account_get_recovery_codes_left (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), 0);
  return (guint) self->recovery_codes_left;
}

const char *
passport_account_get_identity_link_id (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->link_id;
}

const char *
passport_account_get_identity_link_provider (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->link_provider;
}

const char *
passport_account_get_identity_link_status (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->link_status;
}

const char *
passport_account_get_identity_link_error (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->link_error;
}

GDateTime *
passport_account_get_identity_link_expires_at (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), NULL);
  return self->link_expires_at;
}

gint64
passport_account_get_revision (PassportAccount *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (self), 0);
  return self->revision;
}
