// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-error.h"
#include "passport-password-quality.h"
#include "passport-stall-probe.h"
#include "passport-strength.h"

struct _PassportStrength
{
  GObject parent_instance;

  PassportPasswordQuality *quality;
  guint score;
  char **reasons;
  char *checked_hash;
  char *checking_hash;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (PassportStrength, passport_strength, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
inputs_hash (const char *password,
             const char *email,
             const char *name)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) password, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) (email ? email : ""), -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) (name ? name : ""), -1);
  return g_strdup (g_checksum_get_string (checksum));
}

static void
checked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportStrength) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) reasons = NULL;
  guint score = passport_password_quality_check_finish (PASSPORT_PASSWORD_QUALITY (source), result,
                                                        &reasons, &error);

  if (score == G_MAXUINT)
    return;
  self->score = score;
  g_strfreev (self->reasons);
  self->reasons = g_steal_pointer (&reasons);
  g_free (self->checked_hash);
  self->checked_hash = g_steal_pointer (&self->checking_hash);
  g_clear_object (&self->cancellable);
  passport_stall_probe_enter ("password strength: showing the verdict");
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  passport_stall_probe_leave ();
}

gboolean
passport_strength_update (PassportStrength *self,
                          const char       *password,
                          const char       *email,
                          const char       *name)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (PASSPORT_IS_STRENGTH (self), FALSE);

  hash = inputs_hash (password ? password : "", email, name);
  if (g_strcmp0 (hash, self->checked_hash) == 0)
    return TRUE;
  if (g_strcmp0 (hash, self->checking_hash) == 0)
    return FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_free (self->checking_hash);
  self->checking_hash = g_steal_pointer (&hash);
  passport_password_quality_check_async (self->quality, password, email, name, self->cancellable,
                                         checked_cb, g_object_ref (self));
  return FALSE;
}

guint passport_strength_get_score (PassportStrength *self) { return self->score; }
gboolean passport_strength_get_checking (PassportStrength *self) { return self->cancellable != NULL; }

char *
passport_strength_describe (PassportStrength *self,
                            const GError     *error,
                            gboolean          typed)
{
  g_auto(GStrv) hints = NULL;

  g_return_val_if_fail (PASSPORT_IS_STRENGTH (self), NULL);

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_WEAK_PASSWORD) &&
      passport_error_get_reasons (error) != NULL)
    hints = passport_password_quality_describe_reasons (passport_error_get_reasons (error),
                                                        passport_error_get_min_length (error));
  else if (typed && self->reasons != NULL && self->reasons[0] != NULL)
    hints = passport_password_quality_describe_reasons ((const char * const *) self->reasons, 0);
  return hints != NULL ? g_strjoinv ("\n", hints) : NULL;
}

void
passport_strength_reset (PassportStrength *self)
{
  g_return_if_fail (PASSPORT_IS_STRENGTH (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->checking_hash, g_free);
  g_clear_pointer (&self->checked_hash, g_free);
  g_clear_pointer (&self->reasons, g_strfreev);
  self->score = 0;
}

PassportStrength *
passport_strength_new (void)
{
  return g_object_new (PASSPORT_TYPE_STRENGTH, NULL);
}

static void
passport_strength_dispose (GObject *object)
{
  PassportStrength *self = PASSPORT_STRENGTH (object);

  passport_strength_reset (self);
  g_clear_object (&self->quality);

  G_OBJECT_CLASS (passport_strength_parent_class)->dispose (object);
}

static void
passport_strength_class_init (PassportStrengthClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = passport_strength_dispose;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
passport_strength_init (PassportStrength *self)
{
  self->quality = passport_password_quality_new ();
}
