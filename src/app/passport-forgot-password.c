// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "passport-countdown.h"
#include "passport-error.h"
#include "passport-forgot-password.h"

struct _PassportForgotPassword
{
  GObject            parent_instance;

  GtkWidget         *button;      /* the page's; the page holds us */
  GtkLabel          *note;
  PassportFlow      *flow;
  GSignalGroup      *flow_signals;
  PassportCountdown *countdown;   /* the server's wait for this request */

  char              *email;
  char              *sent_to;     /* the address a link was last asked for */
  gint64             wait_deadline; /* the flow's retry-after our 429 set */
  gboolean           in_request;
  gboolean           owns_error;  /* the flow's error is our answer */
  gboolean           can_request;
};

G_DEFINE_FINAL_TYPE (PassportForgotPassword, passport_forgot_password, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FLOW,
  PROP_EMAIL,
  PROP_CAN_REQUEST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Syntax only, as the server checks it: something@something, no spaces. */
static gboolean
is_address (const char *text)
{
  const char *at = text ? strchr (text, '@') : NULL;

  return at != NULL && at != text && at[1] != '\0' && strchr (at + 1, '@') == NULL &&
         strpbrk (text, " \t\r\n") == NULL;
}

gboolean
passport_forgot_password_waiting (PassportForgotPassword *self)
{
  g_return_val_if_fail (PASSPORT_IS_FORGOT_PASSWORD (self), FALSE);

  return self->flow != NULL && self->wait_deadline != 0 &&
         passport_flow_get_retry_after (self->flow) == self->wait_deadline &&
         passport_countdown_get_seconds_left (self->countdown) > 0;
}

gboolean
passport_forgot_password_owns_error (PassportForgotPassword *self,
                                     const GError           *error)
{
  g_return_val_if_fail (PASSPORT_IS_FORGOT_PASSWORD (self), FALSE);

  return error != NULL && self->owns_error && self->flow != NULL &&
         error == passport_flow_get_error (self->flow) &&
         passport_error_get_severity (error) == PASSPORT_ERROR_SEVERITY_INLINE;
}

gboolean
passport_forgot_password_get_can_request (PassportForgotPassword *self)
{
  g_return_val_if_fail (PASSPORT_IS_FORGOT_PASSWORD (self), FALSE);

  return self->can_request;
}

static void
update (PassportForgotPassword *self)
{
  PassportServer *server = self->flow ? passport_flow_get_server (self->flow) : NULL;
  gboolean offered = server != NULL && passport_server_has_feature (server, "password_reset");
  g_autofree char *email = g_strstrip (g_strdup (self->email ? self->email : ""));
  gboolean address = is_address (email);
  gboolean waiting = passport_forgot_password_waiting (self);
  const GError *error = self->flow ? passport_flow_get_error (self->flow) : NULL;
  gboolean can;
  g_autofree char *note = NULL;

  can = offered && address && !waiting &&
        g_action_group_get_action_enabled (passport_flow_get_actions (self->flow), "request-password-reset");

  if (!offered)
    ;
  else if (waiting)
    {
      g_autofree char *wait = passport_countdown_format (self->countdown, PASSPORT_COUNTDOWN_WORDS);

      /* Translators: %s is a wait, e.g. "45 seconds" */
      note = g_strdup_printf (_("You can ask for another link in %s."), wait);
    }
  else if (passport_forgot_password_owns_error (self, error) &&
           passport_error_get_severity (error) == PASSPORT_ERROR_SEVERITY_INLINE &&
           !g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS))
    note = g_strdup (passport_error_describe (error));
  else if (self->sent_to != NULL && g_str_equal (self->sent_to, email))
    /* Contract section 7: the same words whether or not an account uses it. */
    /* Translators: %s is an e-mail address */
    note = g_strdup_printf (_("If an account uses %s, we have sent it a link. Open it, choose a new "
                              "password, then sign in here with it."), email);
  else if (!address)
    note = g_strdup (_("Forgot your password? Type your e-mail address, and we will send a link to choose a new one."));

  gtk_widget_set_visible (self->button, offered);
  gtk_label_set_label (self->note, note ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note), note != NULL);

  if (self->can_request != can)
    {
      self->can_request = can;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REQUEST]);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
error_changed (PassportForgotPassword *self)
{
  /* The flow's error is ours only when it came while our request ran; the
   * next action (which clears it first) takes that back. */
  self->owns_error = self->in_request && passport_flow_get_error (self->flow) != NULL;
  update (self);
}

static void
reset_sent (PassportForgotPassword *self,
            const char             *email)
{
  g_free (self->sent_to);
  self->sent_to = g_strdup (email);
  update (self);
}

static void
requested_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PassportForgotPassword) self = user_data;
  g_autoptr(GError) error = NULL;
  PassportFlow *flow = PASSPORT_FLOW (source);

  self->in_request = FALSE;
  /* A link that went is told by the flow's signal (Retry too). */
  if (passport_flow_request_password_reset_finish (flow, result, &error))
    ;
  else if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS) && flow == self->flow)
    {
      self->wait_deadline = passport_flow_get_retry_after (flow);
      passport_countdown_set_deadline (self->countdown, self->wait_deadline);
    }
  update (self);
}

void
passport_forgot_password_request (PassportForgotPassword *self)
{
  g_autofree char *email = NULL;

  g_return_if_fail (PASSPORT_IS_FORGOT_PASSWORD (self));

  if (!self->can_request)
    return;
  email = g_strstrip (g_strdup (self->email));
  g_clear_pointer (&self->sent_to, g_free);
  self->in_request = TRUE;
  passport_flow_request_password_reset_async (self->flow, email, NULL, requested_cb, g_object_ref (self));
}

void
passport_forgot_password_set_flow (PassportForgotPassword *self,
                                   PassportFlow           *flow)
{
  g_return_if_fail (PASSPORT_IS_FORGOT_PASSWORD (self));

  if (!g_set_object (&self->flow, flow))
    return;
  g_signal_group_set_target (self->flow_signals, flow);
  g_clear_pointer (&self->sent_to, g_free);
  self->wait_deadline = 0;
  self->owns_error = FALSE;
  passport_countdown_set_deadline (self->countdown, 0);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOW]);
}

void
passport_forgot_password_set_email (PassportForgotPassword *self,
                                    const char             *email)
{
  g_return_if_fail (PASSPORT_IS_FORGOT_PASSWORD (self));

  if (g_strcmp0 (self->email, email) == 0)
    return;
  g_free (self->email);
  self->email = g_strdup (email);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);
}

PassportForgotPassword *
passport_forgot_password_new (GtkWidget *page,
                              GtkWidget *button,
                              GtkLabel  *note)
{
  PassportForgotPassword *self;

  g_return_val_if_fail (GTK_IS_WIDGET (page), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (button), NULL);
  g_return_val_if_fail (GTK_IS_LABEL (note), NULL);

  self = g_object_new (PASSPORT_TYPE_FORGOT_PASSWORD, NULL);
  self->button = button;
  self->note = note;
  self->countdown = passport_countdown_new (page);
  g_signal_connect_swapped (self->countdown, "notify::seconds-left", G_CALLBACK (update), self);
  update (self);
  return self;
}

static void
passport_forgot_password_dispose (GObject *object)
{
  PassportForgotPassword *self = PASSPORT_FORGOT_PASSWORD (object);

  if (self->countdown != NULL)
    g_signal_handlers_disconnect_by_data (self->countdown, self);
  g_clear_object (&self->countdown);
  g_clear_object (&self->flow_signals);
  g_clear_object (&self->flow);

  G_OBJECT_CLASS (passport_forgot_password_parent_class)->dispose (object);
}

static void
passport_forgot_password_finalize (GObject *object)
{
  PassportForgotPassword *self = PASSPORT_FORGOT_PASSWORD (object);

  g_free (self->email);
  g_free (self->sent_to);

  G_OBJECT_CLASS (passport_forgot_password_parent_class)->finalize (object);
}

static void
passport_forgot_password_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  PassportForgotPassword *self = PASSPORT_FORGOT_PASSWORD (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_CAN_REQUEST:
      g_value_set_boolean (value, self->can_request);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_forgot_password_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  PassportForgotPassword *self = PASSPORT_FORGOT_PASSWORD (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      passport_forgot_password_set_flow (self, g_value_get_object (value));
      break;
    case PROP_EMAIL:
      passport_forgot_password_set_email (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_forgot_password_class_init (PassportForgotPasswordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_forgot_password_dispose;
  object_class->finalize = passport_forgot_password_finalize;
  object_class->get_property = passport_forgot_password_get_property;
  object_class->set_property = passport_forgot_password_set_property;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_REQUEST] =
    g_param_spec_boolean ("can-request", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* What the page shows of its own may change with this (see owns_error). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
passport_forgot_password_init (PassportForgotPassword *self)
{
  self->flow_signals = g_signal_group_new (PASSPORT_TYPE_FLOW);
  g_signal_group_connect_swapped (self->flow_signals, "notify::error", G_CALLBACK (error_changed), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::conflict-step", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::server", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::retry-after", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "password-reset-sent", G_CALLBACK (reset_sent), self);
}
