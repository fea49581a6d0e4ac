// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-error.h"
#include "passport-memory-store.h"
#include "pd-flow-steps.h"

static gboolean
wake (gpointer data)
{
  /* Gone once it ran: nothing left for pd_run_once() to remove. */
  *(guint *) data = 0;
  return G_SOURCE_REMOVE;
}

gboolean
pd_run_once (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();
  guint wake_id;

  if (left <= 0)
    return FALSE;
  /* Something to wake the loop by the deadline, if nothing else does. */
  wake_id = g_timeout_add ((guint) MIN (left / 1000 + 1, 1000), wake, &wake_id);
  g_main_context_iteration (NULL, TRUE);
  g_clear_handle_id (&wake_id, g_source_remove);
  return TRUE;
}

PassportFlow *
pd_flow_new (void)
{
  g_autoptr(PassportCredentialStore) store = PASSPORT_CREDENTIAL_STORE (passport_memory_store_new ());

  return pd_flow_new_with_store (store);
}

PassportFlow *
pd_flow_new_with_store (PassportCredentialStore *store)
{
  PassportFlow *flow = passport_flow_new (store);
  const char *script = g_getenv ("SCRIPTED_BROWSER");
  g_autofree char *browser = NULL;

  if (script == NULL)
    g_error ("SCRIPTED_BROWSER is not set (tests/support/scripted-browser.py)");
  browser = g_strdup_printf ("/usr/bin/python3 %s", script);
  passport_flow_set_browser_command (flow, browser);
  passport_flow_set_browser_timeout (flow, 60);
  return flow;
}

void
pd_browser_as (const char *email,
               const char *name,
               gboolean    verified,
               const char *action)
{
  g_setenv ("PASSPORT_TEST_EMAIL", email, TRUE);
  g_setenv ("PASSPORT_TEST_NAME", name, TRUE);
  g_setenv ("PASSPORT_TEST_VERIFIED", verified ? "1" : "0", TRUE);
  g_setenv ("PASSPORT_TEST_ACTION", action, TRUE);
}

void
pd_flow_wait_state (PassportFlow      *flow,
                    PassportFlowState  state,
                    guint              seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!(passport_flow_get_state (flow) == state && !passport_flow_get_busy (flow)) &&
         pd_run_once (deadline))
    ;
  if (passport_flow_get_state (flow) != state || passport_flow_get_busy (flow))
    {
      const GError *error = passport_flow_get_error (flow);

      g_error ("the flow is in %s%s, not %s, after %u s (error: %s)",
               passport_flow_state_to_string (passport_flow_get_state (flow)),
               passport_flow_get_busy (flow) ? " (busy)" : "",
               passport_flow_state_to_string (state), seconds,
               error != NULL ? error->message : "none");
    }
}

typedef gboolean (*FinishFunc) (PassportFlow *, GAsyncResult *, GError **);

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Waits for the result in @slot and returns the action's outcome. */
static gboolean
finish (PassportFlow   *flow,
        GAsyncResult  **slot,
        FinishFunc      finish_func,
        const char     *name,
        GError        **error)
{
  gboolean ok;

  PD_RUN_UNTIL (*slot != NULL, 60);
  ok = finish_func (flow, *slot, error);
  g_clear_object (slot);
  return ok;
}

static void
assert_done (PassportFlow   *flow,
             GAsyncResult  **slot,
             FinishFunc      finish_func,
             const char     *name,
             PassportFlowState state)
{
  g_autoptr(GError) error = NULL;

  if (!finish (flow, slot, finish_func, name, &error))
    g_error ("%s failed: %s", name, error->message);
  pd_flow_wait_state (flow, state, 30);
}

void
pd_flow_connect (PassportFlow *flow,
                 PdServer     *server)
{
  GAsyncResult *result = NULL;

  passport_flow_set_server_url_async (flow, server->url, NULL, keep_result, &result);
  assert_done (flow, &result, passport_flow_set_server_url_finish, "set_server_url",
               PASSPORT_FLOW_STATE_SIGNED_OUT);
}

void
pd_flow_social_sign_in (PassportFlow *flow,
                        const char   *email,
                        const char   *name,
                        gboolean      verified)
{
  GAsyncResult *result = NULL;

  pd_browser_as (email, name, verified, "continue");
  passport_flow_sign_in_with_provider_async (flow, "google", NULL, keep_result, &result);
  assert_done (flow, &result, passport_flow_sign_in_with_provider_finish, "sign_in_with_provider",
               PASSPORT_FLOW_STATE_NEEDS_TERMS);
}

void
pd_flow_start_social_sign_in (PassportFlow *flow,
                              const char   *email,
                              const char   *action)
{
  pd_browser_as (email, "Ivan Petrov", FALSE, action);
  passport_flow_sign_in_with_provider_async (flow, "google", NULL, NULL, NULL);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
}

void
pd_flow_accept_terms (PassportFlow *flow)
{
  GAsyncResult *result = NULL;

  passport_flow_accept_terms_async (flow, NULL, keep_result, &result);
  assert_done (flow, &result, passport_flow_accept_terms_finish, "accept_terms",
               PASSPORT_FLOW_STATE_NEEDS_EMAIL);
}

void
pd_flow_bind_email (PassportFlow *flow,
                    const char   *email,
                    const char   *password)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  passport_flow_bind_email_async (flow, email, password, NULL, keep_result, &result);
  if (!finish (flow, &result, passport_flow_bind_email_finish, "bind_email", &error))
    g_error ("bind_email failed: %s", error->message);
  PD_RUN_UNTIL (!passport_flow_get_busy (flow) &&
                (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION ||
                 passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_IN), 30);
}

void
pd_flow_bind_taken_email (PassportFlow *flow,
                          const char   *email,
                          const char   *password)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  passport_flow_bind_email_async (flow, email, password, NULL, keep_result, &result);
  /* The conflict is the bind's answer, not a failure the flow shows. */
  g_assert_false (finish (flow, &result, passport_flow_bind_email_finish, "bind_email", &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS);
  pd_flow_wait_state (flow, PASSPORT_FLOW_STATE_EMAIL_CONFLICT, 30);
}

void
pd_flow_sign_in_with_password (PassportFlow *flow,
                               const char   *email,
                               const char   *password)
{
  GAsyncResult *result = NULL;

  passport_flow_sign_in_with_password_async (flow, email, password, NULL, keep_result, &result);
  assert_done (flow, &result, passport_flow_sign_in_with_password_finish, "sign_in_with_password",
               PASSPORT_FLOW_STATE_SIGNED_IN);
}

void
pd_flow_sign_out (PassportFlow *flow)
{
  GAsyncResult *result = NULL;

  passport_flow_sign_out_async (flow, NULL, keep_result, &result);
  assert_done (flow, &result, passport_flow_sign_out_finish, "sign_out", PASSPORT_FLOW_STATE_SIGNED_OUT);
}

typedef struct
{
  PdServer   *server;
  const char *address;
} MailedLink;

static gpointer
open_link_thread (gpointer data)
{
  MailedLink *link = data;
  g_autoptr(PdClient) client = pd_client_new (link->server);
  g_autoptr(PdResponse) response = pd_confirm_newest (client, link->address);

  return GUINT_TO_POINTER (response->status);
}

void
pd_open_mailed_link (PdServer   *server,
                     const char *address)
{
  MailedLink link = { server, address };
  /* passportd is another process: joining stalls nothing the link needs. */
  GThread *thread = g_thread_new ("open-link", open_link_thread, &link);

  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (thread)), ==, 200);
}
