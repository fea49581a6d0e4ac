/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-identity.h"

struct _PassportIdentity
{
  GObject parent_instance;
  char *provider;
  char *email;
  gboolean email_verified;
  GDateTime *linked_at;
};

G_DEFINE_FINAL_TYPE (PassportIdentity, passport_identity, G_TYPE_OBJECT)

enum { PROP_0, PROP_PROVIDER, PROP_EMAIL, PROP_EMAIL_VERIFIED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
passport_identity_finalize (GObject *object)
{
  PassportIdentity *self = PASSPORT_IDENTITY (object);

  g_free (self->provider);
  g_free (self->email);
  g_clear_pointer (&self->linked_at, g_date_time_unref);
  G_OBJECT_CLASS (passport_identity_parent_class)->finalize (object);
}

static void
passport_identity_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PassportIdentity *self = PASSPORT_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_string (value, self->provider);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_EMAIL_VERIFIED:
      g_value_set_boolean (value, self->email_verified);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_identity_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PassportIdentity *self = PASSPORT_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      self->provider = g_value_dup_string (value);
      break;
    case PROP_EMAIL:
      self->email = g_value_dup_string (value);
      break;
    case PROP_EMAIL_VERIFIED:
      self->email_verified = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_identity_class_init (PassportIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = passport_identity_finalize;
  object_class->get_property = passport_identity_get_property;
  object_class->set_property = passport_identity_set_property;

  properties[PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMAIL_VERIFIED] =
    g_param_spec_boolean ("email-verified", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_identity_init (PassportIdentity *self)
{
}

PassportIdentity *
passport_identity_new (const char *provider,
                       const char *email,
                       gboolean    email_verified,
                       GDateTime  *linked_at)
{
  PassportIdentity *self;

  g_return_val_if_fail (provider != NULL, NULL);

  self = g_object_new (PASSPORT_TYPE_IDENTITY,
                       "provider", provider,
                       "email", email,
                       "email-verified", email_verified,
                       NULL);
  self->linked_at = linked_at != NULL ? g_date_time_ref (linked_at) : NULL;
  return self;
}

GDateTime *
passport_identity_get_linked_at (PassportIdentity *self)
{
  g_return_val_if_fail (PASSPORT_IS_IDENTITY (self), NULL);
  return self->linked_at;
}

const char *
passport_identity_get_provider (PassportIdentity *self)
{
  g_return_val_if_fail (PASSPORT_IS_IDENTITY (self), NULL);
  return self->provider;
}

const char *
passport_identity_get_email (PassportIdentity *self)
{
  g_return_val_if_fail (PASSPORT_IS_IDENTITY (self), NULL);
  return self->email;
}

gboolean
passport_identity_get_email_verified (PassportIdentity *self)
{
  g_return_val_if_fail (PASSPORT_IS_IDENTITY (self), FALSE);
  return self->email_verified;
}

gboolean
passport_identity_equal (PassportIdentity *a,
                         PassportIdentity *b)
{
  g_return_val_if_fail (PASSPORT_IS_IDENTITY (a), FALSE);
  g_return_val_if_fail (PASSPORT_IS_IDENTITY (b), FALSE);

  return g_strcmp0 (a->provider, b->provider) == 0 &&
         g_strcmp0 (a->email, b->email) == 0 &&
         !a->email_verified == !b->email_verified &&
         (a->linked_at == NULL ? b->linked_at == NULL
                               : b->linked_at != NULL && g_date_time_equal (a->linked_at, b->linked_at));
}
