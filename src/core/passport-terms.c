/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-terms.h"

struct _PassportTerms
{
  GObject parent_instance;
  char *version;
  char *url;
  char *text;
};

G_DEFINE_FINAL_TYPE (PassportTerms, passport_terms, G_TYPE_OBJECT)

enum { PROP_0, PROP_VERSION, PROP_URL, PROP_TEXT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
passport_terms_finalize (GObject *object)
{
  PassportTerms *self = PASSPORT_TERMS (object);

  g_free (self->version);
  g_free (self->url);
  g_free (self->text);
  G_OBJECT_CLASS (passport_terms_parent_class)->finalize (object);
}

static void
passport_terms_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PassportTerms *self = PASSPORT_TERMS (object);

  switch (prop_id)
    {
    case PROP_VERSION:
      g_value_set_string (value, self->version);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_terms_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PassportTerms *self = PASSPORT_TERMS (object);

  switch (prop_id)
    {
    case PROP_VERSION:
      self->version = g_value_dup_string (value);
      break;
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_terms_class_init (PassportTermsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = passport_terms_finalize;
  object_class->get_property = passport_terms_get_property;
  object_class->set_property = passport_terms_set_property;

  properties[PROP_VERSION] =
    g_param_spec_string ("version", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_terms_init (PassportTerms *self)
{
}

PassportTerms *
passport_terms_new (const char *version,
                       const char *url,
                       const char *text)
{
  g_return_val_if_fail (version != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (PASSPORT_TYPE_TERMS,
                       "version", version,
                       "url", url,
                       "text", text,
                       NULL);
}

const char *
passport_terms_get_version (PassportTerms *self)
{
  g_return_val_if_fail (PASSPORT_IS_TERMS (self), NULL);
  return self->version;
}

const char *
passport_terms_get_url (PassportTerms *self)
{
  g_return_val_if_fail (PASSPORT_IS_TERMS (self), NULL);
  return self->url;
}

const char *
passport_terms_get_text (PassportTerms *self)
{
  g_return_val_if_fail (PASSPORT_IS_TERMS (self), NULL);
  return self->text;
}
