// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow, continued: its actions as a GActionGroup (GIO, so the core
// stays GTK-free), for a window to insert as "flow" and its pages to name
// in their templates ("flow.accept-terms"), and for passportctl. What is
// enabled is decided here, once, from the flow's own state: the pages stop
// restating the flow's guards. Actions that carry a password are not here:
// a GVariant's copy of a secret cannot be wiped, so those stay calls.
#include "config.h"

#include "passport-flow-private.h"

typedef void (*Activate) (PassportFlow *self, GVariant *parameter);

static void
activate_set_server_url (PassportFlow *self, GVariant *parameter)
{
  passport_flow_set_server_url_async (self, g_variant_get_string (parameter, NULL), NULL, NULL, NULL);
}

static void
activate_change_server (PassportFlow *self, GVariant *parameter)
{
  passport_flow_change_server (self);
}

static void
activate_sign_in_provider (PassportFlow *self, GVariant *parameter)
{
  const char *id = g_variant_get_string (parameter, NULL);

  /* "" on a plain OpenID provider, which has one sign-in page. */
  passport_flow_sign_in_with_provider_async (self, *id != '\0' ? id : NULL, NULL, NULL, NULL);
}

static void
activate_reopen_browser (PassportFlow *self, GVariant *parameter)
{
  passport_flow_reopen_browser (self);
}

static void
activate_sign_in_device (PassportFlow *self, GVariant *parameter)
{
  passport_flow_sign_in_with_device_async (self, NULL, NULL, NULL);
}

static void
activate_cancel (PassportFlow *self, GVariant *parameter)
{
  passport_flow_cancel (self);
}

static void
activate_retry (PassportFlow *self, GVariant *parameter)
{
  passport_flow_retry_async (self, NULL, NULL, NULL);
}

static void
activate_accept_terms (PassportFlow *self, GVariant *parameter)
{
  passport_flow_accept_terms_async (self, NULL, NULL, NULL);
}

static void
activate_sign_out (PassportFlow *self, GVariant *parameter)
{
  passport_flow_sign_out_async (self, NULL, NULL, NULL);
}

static void
activate_resend_confirmation (PassportFlow *self, GVariant *parameter)
{
  passport_flow_resend_confirmation_async (self, NULL, NULL, NULL);
}

static void
activate_cancel_pending_email (PassportFlow *self, GVariant *parameter)
{
  passport_flow_cancel_pending_email_async (self, NULL, NULL, NULL);
}

static void
activate_conflict_use_other_email (PassportFlow *self, GVariant *parameter)
{
  passport_flow_conflict_use_other_email (self);
}

static void
activate_conflict_start_freeing (PassportFlow *self, GVariant *parameter)
{
  passport_flow_conflict_start_freeing (self);
}

static void
activate_conflict_sign_in_provider (PassportFlow *self, GVariant *parameter)
{
  passport_flow_conflict_sign_in_with_provider_async (self, g_variant_get_string (parameter, NULL),
                                                      NULL, NULL, NULL);
}

static void
activate_conflict_resend (PassportFlow *self, GVariant *parameter)
{
  passport_flow_conflict_resend_async (self, NULL, NULL, NULL);
}

static void
activate_request_password_reset (PassportFlow *self, GVariant *parameter)
{
  passport_flow_request_password_reset_async (self, g_variant_get_string (parameter, NULL), NULL, NULL, NULL);
}

static void
activate_continue_without_keyring (PassportFlow *self, GVariant *parameter)
{
  passport_flow_continue_without_keyring (self);
}

static const struct
{
  const char *name;
  const char *parameter_type;
  Activate activate;
} entries[] = {
  { "set-server-url", "s", activate_set_server_url },
  { "change-server", NULL, activate_change_server },
  { "sign-in-provider", "s", activate_sign_in_provider },
  { "reopen-browser", NULL, activate_reopen_browser },
  { "sign-in-device", NULL, activate_sign_in_device },
  { "cancel", NULL, activate_cancel },
  { "retry", NULL, activate_retry },
  { "accept-terms", NULL, activate_accept_terms },
  { "decline-terms", NULL, activate_sign_out },
  { "resend-confirmation", NULL, activate_resend_confirmation },
  { "cancel-pending-email", NULL, activate_cancel_pending_email },
  { "conflict-use-other-email", NULL, activate_conflict_use_other_email },
  { "conflict-start-freeing", NULL, activate_conflict_start_freeing },
  { "conflict-sign-in-provider", "s", activate_conflict_sign_in_provider },
  { "conflict-resend", NULL, activate_conflict_resend },
  { "sign-out", NULL, activate_sign_out },
  { "continue-without-keyring", NULL, activate_continue_without_keyring },
  { "request-password-reset", "s", activate_request_password_reset },
};

static void
activated_cb (GSimpleAction *action,
              GVariant      *parameter,
              PassportFlow  *self)
{
  const char *name = g_action_get_name (G_ACTION (action));

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (g_str_equal (entries[i].name, name))
      {
        entries[i].activate (self, parameter);
        return;
      }
}

static void
set_enabled (PassportFlow *self,
             const char   *name,
             gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The one place that decides what may be done now. */
void
_passport_flow_update_actions (PassportFlow *self)
{
  PassportFlowState state = self->state;
  PassportConflictStep step = passport_flow_get_conflict_step (self);
  gboolean idle = !self->action_busy;
  gboolean waited = self->retry_after <= g_get_monotonic_time ();
  gboolean server_choice = state == PASSPORT_FLOW_STATE_NEEDS_SERVER ||
                           state == PASSPORT_FLOW_STATE_SIGNED_OUT ||
                           state == PASSPORT_FLOW_STATE_CONNECTING;

  if (self->actions == NULL)
    return;

  set_enabled (self, "set-server-url", server_choice);
  set_enabled (self, "change-server", server_choice);
  set_enabled (self, "sign-in-provider",
               (state == PASSPORT_FLOW_STATE_SIGNED_OUT && idle) || state == PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  set_enabled (self, "reopen-browser", self->browser != NULL);
  /* Only where the server offers it (contract 11). */
  set_enabled (self, "sign-in-device",
               self->server != NULL && passport_server_has_feature (self->server, "device") &&
               passport_server_get_device_authorization_endpoint (self->server) != NULL &&
               ((state == PASSPORT_FLOW_STATE_SIGNED_OUT && idle) ||
                state == PASSPORT_FLOW_STATE_AWAITING_BROWSER));
  set_enabled (self, "cancel",
               !idle || state == PASSPORT_FLOW_STATE_CONNECTING || state == PASSPORT_FLOW_STATE_AWAITING_BROWSER ||
               state == PASSPORT_FLOW_STATE_AWAITING_DEVICE ||
               state == PASSPORT_FLOW_STATE_SIGNING_IN || state == PASSPORT_FLOW_STATE_NEEDS_CODE ||
               (step != PASSPORT_CONFLICT_STEP_NONE && step != PASSPORT_CONFLICT_STEP_FREED));
  set_enabled (self, "retry", idle && self->retry != NULL && self->error != NULL);
  set_enabled (self, "accept-terms", idle && state == PASSPORT_FLOW_STATE_NEEDS_TERMS && self->client != NULL);
  set_enabled (self, "decline-terms", idle && state == PASSPORT_FLOW_STATE_NEEDS_TERMS);
  set_enabled (self, "resend-confirmation", idle && waited && state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION);
  set_enabled (self, "cancel-pending-email", idle && state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION);
  set_enabled (self, "conflict-use-other-email", idle && self->conflict != NULL && step == PASSPORT_CONFLICT_STEP_NONE);
  set_enabled (self, "conflict-start-freeing", idle && self->conflict != NULL && step == PASSPORT_CONFLICT_STEP_NONE);
  set_enabled (self, "conflict-sign-in-provider", idle && step == PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
  set_enabled (self, "conflict-resend",
               idle && waited && step == PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION);
  set_enabled (self, "sign-out", self->server != NULL && state != PASSPORT_FLOW_STATE_CONNECTING);
  set_enabled (self, "continue-without-keyring", self->keyring_unavailable);
  set_enabled (self, "request-password-reset", idle && _passport_flow_can_reset_password (self));
}

GActionGroup *
passport_flow_get_actions (PassportFlow *self)
{
  g_return_val_if_fail (PASSPORT_IS_FLOW (self), NULL);

  if (self->actions == NULL)
    {
      self->actions = g_simple_action_group_new ();
      for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
        {
          g_autoptr(GSimpleAction) action =
            g_simple_action_new (entries[i].name,
                                 entries[i].parameter_type ? G_VARIANT_TYPE (entries[i].parameter_type) : NULL);

          g_signal_connect_object (action, "activate", G_CALLBACK (activated_cb), self, 0);
          g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
        }
      _passport_flow_update_actions (self);
    }
  return G_ACTION_GROUP (self->actions);
}
