/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#ifdef HAVE_PWQUALITY
#include <pwquality.h>
#else
#include <math.h>
#endif
#include <string.h>

#include "passport-password-quality.h"
#include "passport-secure.h"

/* The reference server's policy (docs/passportd.md). */
#define MIN_LENGTH 8
#define MAX_LENGTH 128
#define MIN_WORD   3

struct _PassportPasswordQuality
{
  GObject parent_instance;

#ifdef HAVE_PWQUALITY
  pwquality_settings_t *settings;
#endif
  GMutex lock;   /* the checks of several threads share the settings */
};

G_DEFINE_FINAL_TYPE (PassportPasswordQuality, passport_password_quality, G_TYPE_OBJECT)

static void
passport_password_quality_finalize (GObject *object)
{
  PassportPasswordQuality *self = PASSPORT_PASSWORD_QUALITY (object);

#ifdef HAVE_PWQUALITY
  g_clear_pointer (&self->settings, pwquality_free_settings);
#endif
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (passport_password_quality_parent_class)->finalize (object);
}

static void
passport_password_quality_class_init (PassportPasswordQualityClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = passport_password_quality_finalize;
}

static void
passport_password_quality_init (PassportPasswordQuality *self)
{
  g_mutex_init (&self->lock);
#ifdef HAVE_PWQUALITY
  /* Default settings, not the local /etc/security/pwquality.conf: the
   * password is for the server's account, not for this machine. */
  self->settings = pwquality_default_settings ();
  if (self->settings != NULL)
    pwquality_set_int_value (self->settings, PWQ_SETTING_MIN_LENGTH, MIN_LENGTH);
#endif
}

PassportPasswordQuality *
passport_password_quality_new (void)
{
  return g_object_new (PASSPORT_TYPE_PASSWORD_QUALITY, NULL);
}

#ifdef HAVE_PWQUALITY
/* @folded with the usual stand-ins for letters put back ("p@ssw0rd" →
 * "password"); @one: what "1" stands for ('i' or 'l'). */
static char *
unleet (const char *folded,
        char        one)
{
  char *plain = g_strdup (folded);

  for (char *p = plain; *p != '\0'; p++)
    switch (*p)
      {
      case '@': case '4': *p = 'a'; break;
      case '0': *p = 'o'; break;
      case '1': *p = one; break;
      case '!': *p = 'i'; break;
      case '3': *p = 'e'; break;
      case '$': case '5': *p = 's'; break;
      case '7': case '+': *p = 't'; break;
      default: break;
      }
  return plain;
}
#endif

static void
add_reason (GPtrArray  *reasons,
            const char *reason)
{
  for (guint i = 0; i < reasons->len; i++)
    if (g_str_equal (g_ptr_array_index (reasons, i), reason))
      return;
  g_ptr_array_add (reasons, g_strdup (reason));
}

static gboolean
contains_casefold (const char *haystack_folded,
                   const char *needle)
{
  g_autofree char *folded = NULL;

  if (needle == NULL || g_utf8_strlen (needle, -1) < MIN_WORD)
    return FALSE;
  folded = g_utf8_casefold (needle, -1);
  return strstr (haystack_folded, folded) != NULL;
}

#ifdef HAVE_PWQUALITY
/* libpwquality's score, and its verdicts as server-style reasons. */
static int
library_check (PassportPasswordQuality *self,
               const char              *password,
               const char              *folded,
               glong                    length,
               GPtrArray               *reasons)
{
  int score = 0;

  g_mutex_lock (&self->lock);
  if (self->settings != NULL && length > 0)
    {
      void *auxerror = NULL;

      score = pwquality_check (self->settings, password, NULL, NULL, &auxerror);
      if (score == PWQ_ERROR_CRACKLIB_CHECK)
        {
          char buf[PWQ_MAX_ERROR_MESSAGE_LEN];

          /* A missing cracklib dictionary is not a weak password: check
           * without the dictionary from now on (the server keeps its list).
           * Only cracklib's own words for that count: a dictionary *word*
           * ("it is based on a dictionary word") is a weak password. */
          pwquality_strerror (buf, sizeof buf, score, auxerror);
          auxerror = NULL;
          if (strstr (buf, "error loading dictionary") != NULL)
            {
              g_debug ("cracklib dictionary unusable (%s); checking without it", buf);
              pwquality_set_int_value (self->settings, PWQ_SETTING_DICT_CHECK, 0);
              score = pwquality_check (self->settings, password, NULL, NULL, &auxerror);
            }
          else
            auxerror = NULL;
        }
      if (score < 0)
        {
          char buf[PWQ_MAX_ERROR_MESSAGE_LEN];

          /* pwquality_strerror() releases whatever auxerror holds. */
          pwquality_strerror (buf, sizeof buf, score, auxerror);
          switch (score)
            {
            case PWQ_ERROR_MIN_LENGTH:
              add_reason (reasons, "too_short");
              break;
            case PWQ_ERROR_USER_CHECK:
            case PWQ_ERROR_GECOS_CHECK:
              add_reason (reasons, "contains_name");
              break;
            case PWQ_ERROR_MEM_ALLOC:
            case PWQ_ERROR_FATAL_FAILURE:
              /* No verdict from the library; the length rules still apply. */
              break;
            default:
              /* Dictionary words, palindromes, repeats, too few character
               * classes: all "easy to guess", like the server's list. */
              add_reason (reasons, "too_common");
              break;
            }
          score = 0;
        }
    }
  /* "p@ssw0rd" is "password" to anyone guessing: the dictionary word
   * spelt with digits and signs is checked too, as the server's list of
   * common passwords does (finding 3). */
  if (self->settings != NULL && score > 0)
    {
      for (const char *ones = "il"; *ones != '\0'; ones++)
        {
          g_autofree char *plain = unleet (folded, *ones);
          void *auxerror = NULL;
          int verdict;

          if (g_str_equal (plain, folded))
            break;
          verdict = pwquality_check (self->settings, plain, NULL, NULL, &auxerror);
          if (verdict < 0)
            {
              char buf[PWQ_MAX_ERROR_MESSAGE_LEN];

              /* pwquality_strerror() releases whatever auxerror holds. */
              pwquality_strerror (buf, sizeof buf, verdict, auxerror);
            }
          if (verdict == PWQ_ERROR_CRACKLIB_CHECK)
            {
              add_reason (reasons, "too_common");
              break;
            }
        }
    }
  g_mutex_unlock (&self->lock);
  return score;
}
#else
/* Without libpwquality (Windows): a score from the length and the kinds
 * of characters (about the bits of a random password of that shape), and
 * only the most obvious guesses (one character repeated, a straight run
 * such as "12345678") called too_common; the server keeps its list of
 * common passwords and decides. */
static int
library_check (PassportPasswordQuality *self,
               const char              *password,
               const char              *folded,
               glong                    length,
               GPtrArray               *reasons)
{
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, other = FALSE;
  gboolean repeated = TRUE, run = TRUE;
  guint pool = 0;
  double bits;

  if (length == 0)
    return 0;
  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_islower (c))
        lower = TRUE;
      else if (g_unichar_isupper (c))
        upper = TRUE;
      else if (g_unichar_isdigit (c))
        digit = TRUE;
      else
        other = TRUE;
      if (p != password)
        {
          gunichar before = g_utf8_get_char (g_utf8_prev_char (p));

          repeated = repeated && c == before;
          run = run && (c == before + 1 || c + 1 == before);
        }
    }
  if (repeated || run)
    {
      add_reason (reasons, "too_common");
      return 0;
    }
  pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0);
  bits = (double) length * log2 ((double) pool);
  return (int) MIN (100.0, bits);
}
#endif

guint
passport_password_quality_check (PassportPasswordQuality   *self,
                                 const char                *password,
                                 const char                *email,
                                 const char                *display_name,
                                 char                    ***out_reasons)
{
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *folded = NULL;
  glong length;
  int score = 0;

  g_return_val_if_fail (PASSPORT_IS_PASSWORD_QUALITY (self), 0);

  if (password == NULL)
    password = "";
  length = g_utf8_strlen (password, -1);
  folded = g_utf8_casefold (password, -1);

  if (length < MIN_LENGTH)
    add_reason (reasons, "too_short");
  if (length > MAX_LENGTH)
    add_reason (reasons, "too_long");

  if (email != NULL)
    {
      g_autofree char *local = g_strdup (email);
      char *at = strchr (local, '@');

      if (at != NULL)
        *at = '\0';
      if (contains_casefold (folded, local))
        add_reason (reasons, "contains_email");
    }

  if (display_name != NULL)
    {
      g_auto (GStrv) words = g_strsplit_set (display_name, " \t.,-_", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (contains_casefold (folded, words[i]))
          {
            add_reason (reasons, "contains_name");
            break;
          }
    }

  score = library_check (self, password, folded, length, reasons);

  if (reasons->len > 0)
    score = 0;

  if (out_reasons != NULL)
    {
      g_ptr_array_add (reasons, NULL);
      *out_reasons = (char **) g_ptr_array_steal (reasons, NULL);
    }

  return (guint) CLAMP (score, 0, 100);
}

typedef struct
{
  char *password;
  char *email;
  char *display_name;
  guint score;
  char **reasons;
} Check;

static void
check_free (Check *check)
{
  passport_secure_free (check->password);
  g_free (check->email);
  g_free (check->display_name);
  g_strfreev (check->reasons);
  g_free (check);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Check *check = task_data;

  check->score = passport_password_quality_check (source_object, check->password, check->email,
                                                  check->display_name, &check->reasons);
  g_task_return_boolean (task, TRUE);
}

void
passport_password_quality_check_async (PassportPasswordQuality *self,
                                       const char              *password,
                                       const char              *email,
                                       const char              *display_name,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  Check *check;

  g_return_if_fail (PASSPORT_IS_PASSWORD_QUALITY (self));

  check = g_new0 (Check, 1);
  check->password = g_strdup (password ? password : "");
  check->email = g_strdup (email);
  check->display_name = g_strdup (display_name);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_password_quality_check_async);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  g_task_run_in_thread (task, check_thread);
}

guint
passport_password_quality_check_finish (PassportPasswordQuality  *self,
                                        GAsyncResult             *result,
                                        char                   ***reasons,
                                        GError                  **error)
{
  Check *check;

  g_return_val_if_fail (g_task_is_valid (result, self), G_MAXUINT);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return G_MAXUINT;
  check = g_task_get_task_data (G_TASK (result));
  if (reasons != NULL)
    *reasons = g_steal_pointer (&check->reasons);
  return check->score;
}

char *
passport_password_quality_describe_reason (const char *reason,
                                           guint       min_length)
{
  if (min_length == 0)
    min_length = MIN_LENGTH;

  if (g_strcmp0 (reason, "too_short") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Use at least %u character.",
                                         "Use at least %u characters.", min_length),
                            min_length);
  if (g_strcmp0 (reason, "too_long") == 0)
    return g_strdup_printf (_("Use at most %u characters."), MAX_LENGTH);
  if (g_strcmp0 (reason, "too_common") == 0)
    return g_strdup (_("This password is too easy to guess. Try a few unrelated words."));
  if (g_strcmp0 (reason, "contains_email") == 0)
    return g_strdup (_("Do not use your e-mail address in the password."));
  if (g_strcmp0 (reason, "contains_name") == 0)
    return g_strdup (_("Do not use your name in the password."));
  return g_strdup (_("Choose a stronger password."));
}

char **
passport_password_quality_describe_reasons (const char * const *reasons,
                                            guint               min_length)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    {
      g_autofree char *hint = passport_password_quality_describe_reason (reasons[i], min_length);
      g_strv_builder_add (builder, hint);
    }
  return g_strv_builder_end (builder);
}
