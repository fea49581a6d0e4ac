// SPDX-License-Identifier: GPL-3.0-or-later
//
// Bind an e-mail and create a password. The strength bar and hints come from
// libpwquality (through PassportStrength, off the main loop) with the server's words;
// the server's own errors are shown on the field they concern, and nothing
// typed is cleared when one comes back.
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "passport-bind-page.h"
#include "passport-error.h"
#include "passport-identity.h"
#include "passport-secure.h"
#include "passport-signed-in-label.h"
#include "passport-strength.h"

struct _PassportBindPage
{
  PassportPage             parent_instance;

  AdwEntryRow             *email_row;
  AdwPasswordEntryRow     *password_row;
  AdwPasswordEntryRow     *repeat_row;
  GtkLabel                *email_error;
  GtkLabel                *email_note;
  GtkLevelBar             *strength_bar;
  GtkLabel                *password_hints;
  GtkLabel                *repeat_error;
  GtkSpinner              *spinner;


  /* What the fields held when the flow's error came: the error is about
   * those values and goes when they change (a hash, not a second copy of
   * the password). */
  char *error_email;
  char *error_password_hash;

  PassportStrength *strength;   /* checked off the main loop */
};

G_DEFINE_FINAL_TYPE (PassportBindPage, passport_bind_page, PASSPORT_TYPE_PAGE)

static void
show_message (GtkLabel   *label,
              GtkWidget  *row,
              const char *message)
{
  gtk_label_set_label (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL && *message != '\0');
  if (row == NULL)
    return;
  if (message != NULL && *message != '\0')
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

static gboolean
looks_like_email (const char *text)
{
  const char *at;

  if (passport_page_is_blank (text))
    return FALSE;
  at = strchr (text, '@');
  return at != NULL && at != text && at[1] != '\0' && strchr (at + 1, '@') == NULL;
}

static char *
hash_text (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* The flow's error while it still concerns what the fields hold. */
static const GError *
current_error (PassportBindPage *self)
{
  const GError *error = passport_page_get_inline_error (PASSPORT_PAGE (self));
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  g_autofree char *password_hash = NULL;

  if (error == NULL)
    return NULL;
  if (error->code == PASSPORT_ERROR_WEAK_PASSWORD)
    {
      password_hash = hash_text (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
      return g_strcmp0 (password_hash, self->error_password_hash) == 0 ? error : NULL;
    }
  return g_strcmp0 (email, self->error_email) == 0 ? error : NULL;
}

static void update (PassportBindPage *self);

/* The social identity whose network confirmed its address, if any
 * (borrowed: the account's list holds it). */
static PassportIdentity *
verified_identity (PassportBindPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportAccount *account = flow ? passport_flow_get_account (flow) : NULL;
  GListModel *identities = account ? passport_account_get_identities (account) : NULL;

  for (guint i = 0; identities != NULL && i < g_list_model_get_n_items (identities); i++)
    {
      g_autoptr(PassportIdentity) identity = g_list_model_get_item (identities, i);

      if (passport_identity_get_email_verified (identity) && passport_identity_get_email (identity) != NULL)
        return identity;
    }
  return NULL;
}

gboolean
passport_bind_page_get_checking (PassportBindPage *self)
{
  g_return_val_if_fail (PASSPORT_IS_BIND_PAGE (self), FALSE);

  return passport_strength_get_checking (self->strength);
}

static void
on_error (PassportBindPage *self)
{
  g_free (self->error_email);
  self->error_email = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
  g_free (self->error_password_hash);
  self->error_password_hash = hash_text (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  update (self);
}

static void
update (PassportBindPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportAccount *account = flow ? passport_flow_get_account (flow) : NULL;
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->repeat_row));
  const GError *error = current_error (self);
  g_autofree char *hint_text = NULL;
  gboolean busy = flow != NULL && passport_flow_get_busy (flow);
  gboolean mismatch;
  gboolean checked = TRUE;
  guint score = 0;

  /* Strength and hints as the user types, checked in a worker thread; the
   * last verdict stays on screen until the next one comes. */
  if (*password != '\0')
    {
      checked = passport_strength_update (self->strength, password, email,
                                         account ? passport_account_get_display_name (account) : NULL);
      score = passport_strength_get_score (self->strength);
    }
  gtk_level_bar_set_value (self->strength_bar, score);

  hint_text = passport_strength_describe (self->strength, error, *password != '\0');
  if (hint_text == NULL && error != NULL && error->code == PASSPORT_ERROR_WEAK_PASSWORD)
    hint_text = g_strdup (passport_error_describe (error));
  show_message (self->password_hints, GTK_WIDGET (self->password_row),
                error != NULL && error->code == PASSPORT_ERROR_WEAK_PASSWORD ? hint_text : NULL);
  if (error == NULL || error->code != PASSPORT_ERROR_WEAK_PASSWORD)
    {
      /* Local hints are advice, not an error: no red row. */
      gtk_label_set_label (self->password_hints, hint_text ? hint_text : "");
      gtk_widget_set_visible (GTK_WIDGET (self->password_hints), hint_text != NULL);
    }

  /* Once the user has gone on to the password, an address that is not one
   * is said, so a greyed-out Save is never left unexplained. */
  if (error != NULL && error->code != PASSPORT_ERROR_WEAK_PASSWORD)
    show_message (self->email_error, GTK_WIDGET (self->email_row), passport_error_describe (error));
  else
    show_message (self->email_error, GTK_WIDGET (self->email_row),
                  *email != '\0' && *password != '\0' && !looks_like_email (email)
                    ? passport_error_code_describe (PASSPORT_ERROR_INVALID_EMAIL) : NULL);

  /* The address the network confirmed needs no mail: say so while the
   * field holds it (finding 16). */
  {
    PassportIdentity *identity = verified_identity (self);
    const char *verified = identity ? passport_identity_get_email (identity) : NULL;
    g_autofree char *note = NULL;

    if (verified != NULL && g_ascii_strcasecmp (email, verified) == 0)
      /* Translators: %s is a social network, e.g. "VK" */
      note = g_strdup_printf (_("%s has confirmed this address: no confirmation mail is needed."),
                              passport_signed_in_label_provider_name (flow ? passport_flow_get_server (flow) : NULL,
                                                                      passport_identity_get_provider (identity)));
    gtk_label_set_label (self->email_note, note ? note : "");
    gtk_widget_set_visible (GTK_WIDGET (self->email_note), note != NULL);
  }

  mismatch = *repeat != '\0' && g_strcmp0 (password, repeat) != 0;
  show_message (self->repeat_error, GTK_WIDGET (self->repeat_row),
                mismatch ? _("The passwords do not match.") : NULL);

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bind.save",
                                 flow != NULL && !busy &&
                                 passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_EMAIL &&
                                 looks_like_email (email) && checked && score > 0 &&
                                 g_strcmp0 (password, repeat) == 0);
}

static void
on_flow_state (PassportBindPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  const char *kept;

  /* A first visit: the address the social network confirmed is offered,
   * so the user need not retype it to skip the mail (finding 16). Not
   * after "use another e-mail": that one may be the taken address. */
  if (flow != NULL && passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_EMAIL &&
      passport_flow_get_conflict_email (flow) == NULL &&
      *gtk_editable_get_text (GTK_EDITABLE (self->email_row)) == '\0')
    {
      PassportIdentity *identity = verified_identity (self);

      if (identity != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->email_row), passport_identity_get_email (identity));
    }

  /* After "use another e-mail" the flow still holds the password typed
   * before: put it back rather than asking again. */
  if (flow != NULL && passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_EMAIL &&
      (kept = passport_flow_get_pending_password (flow)) != NULL &&
      *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) == '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), kept);
      gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), kept);
    }
  update (self);
}

/* Another person, or none: nothing typed here is kept for them. */
static void
forget (PassportPage *page)
{
  PassportBindPage *self = PASSPORT_BIND_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->email_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), "");
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PassportBindPage *self = PASSPORT_BIND_PAGE (widget);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  g_autofree char *email = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
  /* A copy: nothing may change the field while the flow reads it. */
  char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));

  if (flow != NULL)
    passport_flow_bind_email_async (flow, g_strstrip (email), password, NULL, NULL, NULL);
  passport_secure_free (password);
}

static void
on_entry_activated (PassportBindPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "bind.save", NULL);
}

static void
passport_bind_page_dispose (GObject *object)
{
  PassportBindPage *self = PASSPORT_BIND_PAGE (object);

  g_clear_object (&self->strength);
  g_clear_pointer (&self->error_email, g_free);
  g_clear_pointer (&self->error_password_hash, g_free);

  G_OBJECT_CLASS (passport_bind_page_parent_class)->dispose (object);
}

static void
passport_bind_page_class_init (PassportBindPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PassportPageClass *page_class = PASSPORT_PAGE_CLASS (klass);

  object_class->dispose = passport_bind_page_dispose;
  page_class->forget = forget;
  passport_page_class_set_inline_errors (page_class,
                                         PASSPORT_ERROR_INVALID_EMAIL,
                                         PASSPORT_ERROR_EMAIL_ALREADY_BOUND,
                                         PASSPORT_ERROR_WEAK_PASSWORD,
                                         -1);

  g_type_ensure (PASSPORT_TYPE_SIGNED_IN_LABEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-bind-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, repeat_row);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, email_error);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, email_note);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, password_hints);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, repeat_error);
  gtk_widget_class_bind_template_child (widget_class, PassportBindPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "bind.save", NULL, save_activated);
}

static void
passport_bind_page_init (PassportBindPage *self)
{
  GSignalGroup *signals;

  self->strength = passport_strength_new ();
  g_signal_connect_object (self->strength, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (on_flow_state), self);
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (on_error), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_flow_state), NULL);
}
