// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow against passportd: every step of architecture.md driven
// through the flow's methods, the browser played by a scripted HTTP client
// (tests/support/scripted-browser.py), the mail read from the Maildir.
// Keyring tests run under tests/support/run-isolated.sh (a private D-Bus
// session with gnome-keyring) and use the real libsecret store.
#include "config.h"

#include <string.h>

#include "passport-core.h"
#include "passport-flow.h"
#include "passport-memory-store.h"
#include "passport-secure.h"
#include "passport-secret-store.h"
#include "pd-test-server.h"
#include "pd-watchdog.h"

/* The tests wait for events, never for time: an action's own result, or a
 * property the flow moves by itself (the long poll). Each wait fails the
 * test after its deadline. */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

#define RUN_UNTIL(cond, seconds) \
  G_STMT_START { \
    gboolean timed_out_ = FALSE; \
    guint timeout_id_ = g_timeout_add_seconds ((seconds), set_flag, &timed_out_); \
    while (!(cond) && !timed_out_) \
      g_main_context_iteration (NULL, TRUE); \
    if (!(cond)) \
      g_error ("%s:%d: no %s within %u s", __FILE__, __LINE__, #cond, (guint) (seconds)); \
    if (!timed_out_) \
      g_source_remove (timeout_id_); \
  } G_STMT_END

typedef gboolean (*FinishFunc) (PassportFlow *, GAsyncResult *, GError **);

/* The last action a test started, until its outcome is read. */
static struct
{
  const char *name;
  FinishFunc finish;
  GAsyncResult *result;
} pending;

static void
keep_pending (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_assert_null (pending.result);
  pending.result = g_object_ref (result);
}

/* Any GAsyncReadyCallback: the result into the GAsyncResult * at @user_data,
 * for a test to await with RUN_UNTIL and then finish. */
static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
start_pending (const char *name,
               FinishFunc  finish)
{
  if (pending.finish != NULL)
    g_error ("%s started before the outcome of %s was read", name, pending.name);
  pending.name = name;
  pending.finish = finish;
}

/* Starts a flow action; the next wait reads its outcome. */
#define START(flow, action, ...) \
  G_STMT_START { \
    start_pending (#action, passport_flow_##action##_finish); \
    passport_flow_##action##_async ((flow), ##__VA_ARGS__, NULL, keep_pending, NULL); \
  } G_STMT_END

/* The outcome of the action started last (TRUE when there is none). */
static gboolean
pending_outcome (PassportFlow *flow,
                 guint         seconds,
                 GError      **error)
{
  gboolean ok;

  if (pending.finish == NULL)
    return TRUE;
  RUN_UNTIL (pending.result != NULL, seconds);
  ok = pending.finish (flow, pending.result, error);
  g_clear_object (&pending.result);
  pending.finish = NULL;
  pending.name = NULL;
  return ok;
}

/* The last action succeeded; then runs until the flow is in @state (and
 * not busy): the state an action leads to, or one the long poll brings. */
static void
wait_for_state (PassportFlow      *flow,
                PassportFlowState  state,
                guint              seconds)
{
  g_autoptr(GError) error = NULL;
  const char *name = pending.name;

  if (!pending_outcome (flow, seconds, &error))
    g_error ("%s failed in %s: %s (%s %d)", name, passport_flow_state_to_string (passport_flow_get_state (flow)),
             error->message, g_quark_to_string (error->domain), error->code);
  RUN_UNTIL (passport_flow_get_state (flow) == state && !passport_flow_get_busy (flow), seconds);
}

/* The last action failed with @code, and the flow shows that error. */
static void
wait_for_error (PassportFlow      *flow,
                PassportErrorCode  code,
                guint              seconds)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pending_outcome (flow, seconds, &error));
  g_assert_error (error, PASSPORT_ERROR, (int) code);
  g_assert_false (passport_flow_get_busy (flow));
  g_assert_error ((GError *) passport_flow_get_error (flow), PASSPORT_ERROR, (int) code);
}

/* The last action did not fit: refused, and nothing moved. */
static void
wait_for_error_refused (PassportFlow *flow)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pending_outcome (flow, 5, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE);
  g_assert_false (passport_flow_get_busy (flow));
}

/* The last action (a bind) ended in the conflict: its answer, not a failure. */
static void
wait_for_conflict (PassportFlow *flow,
                   guint         seconds)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pending_outcome (flow, seconds, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_EMAIL_CONFLICT);
  g_assert_null (passport_flow_get_error (flow));
  g_assert_false (passport_flow_get_busy (flow));
}

static void
wait_for_step (PassportFlow         *flow,
               PassportConflictStep  step,
               guint                 seconds)
{
  g_autoptr(GError) error = NULL;
  const char *name = pending.name;

  if (!pending_outcome (flow, seconds, &error))
    g_error ("%s failed at conflict step %d: %s", name, passport_flow_get_conflict_step (flow), error->message);
  RUN_UNTIL (passport_flow_get_conflict_step (flow) == step && !passport_flow_get_busy (flow), seconds);
}

/* The "browser-deadline" property, as a page's countdown reads it. */
static gint64
browser_deadline (PassportFlow *flow)
{
  gint64 deadline = -1;

  g_object_get (flow, "browser-deadline", &deadline, NULL);
  return deadline;
}

/* Who the scripted browser signs in as. */
static void
browser_as (const char *email,
            const char *name,
            gboolean    verified,
            const char *action)
{
  g_setenv ("PASSPORT_TEST_EMAIL", email, TRUE);
  g_setenv ("PASSPORT_TEST_NAME", name, TRUE);
  g_setenv ("PASSPORT_TEST_VERIFIED", verified ? "1" : "0", TRUE);
  g_setenv ("PASSPORT_TEST_ACTION", action, TRUE);
}

static PassportFlow *
new_flow (PassportCredentialStore *store,
          PdServer                *server)
{
  PassportFlow *flow = passport_flow_new (store);
  g_autofree char *browser = g_strdup_printf ("/usr/bin/python3 %s", g_getenv ("SCRIPTED_BROWSER"));

  passport_flow_set_browser_command (flow, browser);
  passport_flow_set_browser_timeout (flow, 30);
  START (flow, set_server_url, server->url);
  return flow;
}

static PassportFlow *
new_memory_flow (PdServer *server)
{
  g_autoptr(PassportMemoryStore) store = passport_memory_store_new ();

  return new_flow (PASSPORT_CREDENTIAL_STORE (store), server);
}

static gpointer
open_link_thread (gpointer data)
{
  PdServer *server = ((gpointer *) data)[0];
  const char *address = ((gpointer *) data)[1];
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) response = pd_confirm_newest (client, address);

  return GUINT_TO_POINTER (response->status);
}

/* Opens the newest link mailed to @address, as the user's browser would,
 * while the flow's long poll keeps running on this thread. */
static void
open_mailed_link (PdServer   *server,
                  const char *address)
{
  gpointer data[2] = { server, (gpointer) address };
  /* passportd is another process: joining does not stall anything the
   * link needs; the flow's answer is handled by the loop afterwards. */
  GThread *thread = g_thread_new ("open-link", open_link_thread, data);

  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (thread)), ==, 200);
}

static void
sign_in_social (PassportFlow *flow,
                const char   *email,
                gboolean      verified)
{
  browser_as (email, "Ivan Petrov", verified, "continue");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  START (flow, sign_in_with_provider, "google");
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  wait_for_state (flow, PASSPORT_FLOW_STATE_NEEDS_TERMS, 30);
  g_assert_nonnull (passport_flow_get_terms (flow));
  g_assert_nonnull (passport_terms_get_text (passport_flow_get_terms (flow)));
  START (flow, accept_terms);
  wait_for_state (flow, PASSPORT_FLOW_STATE_NEEDS_EMAIL, 20);
}

static void
test_story (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("ivan");
  PassportAccount *account;

  sign_in_social (flow, "ivan.social@example.net", FALSE);
  account = passport_flow_get_account (flow);
  g_assert_nonnull (account);
  g_assert_null (passport_account_get_email (account));

  /* A weak password is refused and nothing typed is lost. */
  START (flow, bind_email, email, "short");
  wait_for_error (flow, PASSPORT_ERROR_WEAK_PASSWORD, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  g_assert_cmpstr (passport_flow_get_pending_password (flow), ==, "short");

  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 20);
  g_assert_cmpstr (passport_account_get_pending_email (account), ==, email);
  g_assert_cmpint (passport_flow_get_retry_after (flow), >, g_get_monotonic_time ());
  {
    g_autofree char *mail = pd_maildir_newest_to (server, email);
    g_assert_nonnull (mail);
  }

  /* The flow moves on by itself when the link is opened (long poll). */
  open_mailed_link (server, email);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_cmpstr (passport_account_get_email (account), ==, email);
  g_assert_true (passport_account_get_has_password (account));
  /* The mail's resend wait went with the mail: nothing after it (the
   * password sign-in) reads it as a wait of its own. */
  g_assert_cmpint (passport_flow_get_retry_after (flow), ==, 0);

  START (flow, change_password, "a long and good password", "an even better password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_null (passport_flow_get_error (flow));

  START (flow, sign_out);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_null (passport_flow_get_account (flow));

  /* From then on: e-mail and password. A wrong one is refused first. */
  START (flow, sign_in_with_password, email, "not the password");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_GRANT, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  /* Said as what it is here, without "or the sign-in has expired" (finding 13). */
  g_assert_cmpstr (passport_error_describe (passport_flow_get_error (flow)), ==,
                   "The e-mail or password is wrong.");
  START (flow, sign_in_with_password, email, "an even better password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, email);
}

static void
test_verified (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("verified");

  sign_in_social (flow, email, TRUE);
  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_cmpuint (pd_maildir_count (server), ==, 0);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, email);
}

static void
test_conflict_free_address (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *taken = pd_unique_email ("taken");
  g_autofree char *elsewhere = pd_unique_email ("elsewhere");
  g_autoptr(JsonObject) holder = pd_account_with_password (server, "vk", taken, "Anna Keeper",
                                                           "first account's secret");
  g_autoptr(PdClient) client = pd_client_new (server);

  sign_in_social (flow, "newcomer@example.net", FALSE);
  START (flow, bind_email, taken, "newcomer's good password");
  wait_for_conflict (flow, 20);
  g_assert_cmpstr (passport_flow_get_conflict_email (flow), ==, taken);
  g_assert_cmpint (passport_flow_get_conflict_step (flow), ==, PASSPORT_CONFLICT_STEP_NONE);

  passport_flow_conflict_start_freeing (flow);
  g_assert_cmpint (passport_flow_get_conflict_step (flow), ==, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);

  /* A wrong password for the other account: told, and asked again. */
  START (flow, conflict_sign_in_with_password, "wrong password");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_GRANT, 20);
  g_assert_cmpstr (passport_error_describe (passport_flow_get_error (flow)), ==,
                   "The password of the account that uses this e-mail is wrong.");
  g_assert_cmpint (passport_flow_get_conflict_step (flow), ==, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);

  START (flow, conflict_sign_in_with_password, "first account's secret");
  wait_for_step (flow, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL, 20);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_other_account (flow)), ==, taken);

  START (flow, conflict_set_other_email, elsewhere, NULL);
  wait_for_step (flow, PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION, 20);
  /* The other account's mail can be sent again after the server's delay,
   * counted down like ours (finding 17). */
  g_assert_cmpint (passport_flow_get_retry_after (flow), >, g_get_monotonic_time ());

  /* The holder confirms the new address: ours is freed and bound, with the
   * password typed at the start. */
  open_mailed_link (server, elsewhere);
  wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 30);
  g_assert_cmpstr (passport_account_get_pending_email (passport_flow_get_account (flow)), ==, taken);
  g_assert_null (passport_flow_get_other_account (flow));

  open_mailed_link (server, taken);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, taken);

  /* Both accounts sign in with their addresses now. */
  {
    g_autoptr(PdResponse) mine = pd_token_password (client, taken, "newcomer's good password");
    g_autoptr(PdResponse) theirs = pd_token_password (client, elsewhere, "first account's secret");
    pd_assert_response (mine, 200, NULL);
    pd_assert_response (theirs, 200, NULL);
  }
}

/* Freeing through the other account's social network: its password is
 * still needed for the change of address, and asked for at that step. */
static void
test_conflict_free_by_social (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *taken = pd_unique_email ("taken");
  g_autofree char *elsewhere = pd_unique_email ("elsewhere");
  g_autoptr(JsonObject) holder = pd_account_with_password (server, "vk", taken, "Anna Keeper",
                                                           "first account's secret");

  sign_in_social (flow, "newcomer@example.net", FALSE);
  START (flow, bind_email, taken, "newcomer's good password");
  wait_for_conflict (flow, 20);
  passport_flow_conflict_start_freeing (flow);

  browser_as (taken, "Anna Keeper", TRUE, "continue");
  g_assert_cmpint (browser_deadline (flow), ==, 0);
  START (flow, conflict_sign_in_with_provider, "vk");
  /* The other account's browser sign-in has its deadline too. */
  g_assert_cmpint (browser_deadline (flow), >, g_get_monotonic_time ());
  wait_for_step (flow, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL, 30);
  g_assert_cmpint (browser_deadline (flow), ==, 0);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_other_account (flow)), ==, taken);
  g_assert_true (passport_flow_get_other_needs_password (flow));

  START (flow, conflict_set_other_email, elsewhere, NULL);
  wait_for_error (flow, PASSPORT_ERROR_PASSWORD_REQUIRED, 10);
  START (flow, conflict_set_other_email, elsewhere, "wrong password");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_PASSWORD, 20);
  g_assert_cmpint (passport_flow_get_conflict_step (flow), ==, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL);
  START (flow, conflict_set_other_email, elsewhere, "first account's secret");
  wait_for_step (flow, PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION, 20);

  open_mailed_link (server, elsewhere);
  wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 30);
  open_mailed_link (server, taken);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, taken);
}

static void
test_conflict_other_address (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *taken = pd_unique_email ("taken");
  g_autofree char *mine = pd_unique_email ("mine");
  g_autoptr(JsonObject) holder = pd_account_with_password (server, "vk", taken, "Anna Keeper",
                                                           "first account's secret");

  sign_in_social (flow, "someone@example.net", FALSE);
  START (flow, bind_email, taken, "my good password");
  wait_for_conflict (flow, 20);
  passport_flow_conflict_use_other_email (flow);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  /* The password typed before is kept for the form. */
  g_assert_cmpstr (passport_flow_get_pending_password (flow), ==, "my good password");
  START (flow, bind_email, mine, passport_flow_get_pending_password (flow));
  wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 20);
}

/* What a page shows for @error. */
static const char *
shown_text (const GError *error)
{
  return passport_error_describe (error);
}

static void
record_busy_fell (PassportFlow *flow,
                  GParamSpec   *pspec,
                  gboolean     *error_when_idle)
{
  if (!passport_flow_get_busy (flow))
    *error_when_idle = passport_flow_get_error (flow) != NULL;
}

/* A failed password change must never look finished and fine: the moment
 * the flow stops being busy, the failure is already there. */
static void
test_change_password_wrong (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("changer");
  gboolean error_when_idle = FALSE;
  gulong id;

  sign_in_social (flow, email, TRUE);
  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);

  id = g_signal_connect (flow, "notify::busy", G_CALLBACK (record_busy_fell), &error_when_idle);
  START (flow, change_password, "not the current password", "an even better password");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_PASSWORD, 20);
  g_signal_handler_disconnect (flow, id);
  g_assert_true (error_when_idle);
}

/* Signing in to this same account while freeing an address gets its own
 * words, not "a user with this e-mail already exists". */
static void
test_conflict_same_account (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *taken = pd_unique_email ("taken");
  g_autoptr(JsonObject) holder = pd_account_with_password (server, "vk", taken, "Anna Keeper",
                                                           "first account's secret");
  const GError *error;

  sign_in_social (flow, "myself@example.net", FALSE);
  START (flow, bind_email, taken, "newcomer's good password");
  wait_for_conflict (flow, 20);
  passport_flow_conflict_start_freeing (flow);

  /* The browser signs in as this account's own social identity again. */
  browser_as ("myself@example.net", "Ivan Petrov", FALSE, "continue");
  START (flow, conflict_sign_in_with_provider, "google");
  wait_for_error (flow, PASSPORT_ERROR_SAME_ACCOUNT, 30);
  error = passport_flow_get_error (flow);
  g_assert_cmpstr (shown_text (error), ==,
                   "That is this same account. Sign in to the account that uses this e-mail.");
  g_assert_cmpint (passport_flow_get_conflict_step (flow), ==, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
}

/* No password at hand is not a wrong password. */
static void
test_change_email_password_required (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("bound");
  g_autofree char *next = pd_unique_email ("next");

  sign_in_social (flow, email, TRUE);
  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_null (passport_flow_get_pending_password (flow));

  START (flow, change_email, next, NULL);
  wait_for_error (flow, PASSPORT_ERROR_PASSWORD_REQUIRED, 10);
  g_assert_cmpstr (shown_text (passport_flow_get_error (flow)), !=, "The current password is wrong.");
}

/* A signed-in user whose server is down at start-up is not sent back to
 * the first run: the flow stays with that server, says it cannot be
 * reached, and carries on by itself when it is back (finding 9). */
static void
test_server_down_at_start (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdServer) again = NULL;
  g_autoptr(PassportMemoryStore) store = passport_memory_store_new ();
  g_autoptr(PassportFlow) flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);
  g_autofree char *email = pd_unique_email ("restart");
  g_autoptr(GError) error = NULL;

  sign_in_social (flow, email, TRUE);
  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_clear_object (&flow);
  pd_server_stop (server);

  flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);
  g_assert_false (pending_outcome (flow, 30, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_CONNECTING);
  g_assert_error ((GError *) passport_flow_get_error (flow), PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE);

  again = pd_server_restart (server);
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_IN, 30);
  g_assert_null (passport_flow_get_error (flow));
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, email);
}

/* The server goes away while the app waits for the mailed link: said at
 * once, and taken back by itself when the server answers again; the link
 * opened then still moves the app on (finding 8). */
static void
test_server_lost_while_waiting (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdServer) again = NULL;
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("waiting");

  sign_in_social (flow, "waiting.social@example.net", FALSE);
  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 20);

  pd_server_stop (server);
  RUN_UNTIL (passport_flow_get_error (flow) != NULL, 20);
  g_assert_error ((GError *) passport_flow_get_error (flow), PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION);

  again = pd_server_restart (server);
  RUN_UNTIL (passport_flow_get_error (flow) == NULL, 30);
  open_mailed_link (server, email);
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_IN, 30);
}

static gboolean
action_enabled (PassportFlow *flow,
                const char   *name)
{
  return g_action_group_get_action_enabled (passport_flow_get_actions (flow), name);
}

static void
count_enabled_changes (GActionGroup *group,
                       const char   *name,
                       gboolean      enabled,
                       guint        *changes)
{
  (*changes)++;
}

/* The flow's actions as a GActionGroup: what is enabled follows the state
 * (decided once, in the flow), and activating one does the step. */
static void
test_actions (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  GActionGroup *actions = passport_flow_get_actions (flow);
  guint changes = 0;

  g_assert_true (g_action_group_has_action (actions, "accept-terms"));
  g_assert_false (g_action_group_has_action (actions, "bind-email"));   /* it carries a password */
  g_signal_connect (actions, "action-enabled-changed", G_CALLBACK (count_enabled_changes), &changes);

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_true (action_enabled (flow, "sign-in-provider"));
  g_assert_true (action_enabled (flow, "change-server"));
  g_assert_false (action_enabled (flow, "accept-terms"));
  g_assert_false (action_enabled (flow, "resend-confirmation"));
  g_assert_false (action_enabled (flow, "continue-without-keyring"));

  browser_as ("actions@example.net", "Act Ions", FALSE, "continue");
  g_action_group_activate_action (actions, "sign-in-provider", g_variant_new_string ("google"));
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  g_assert_true (action_enabled (flow, "cancel"));
  g_assert_false (action_enabled (flow, "change-server"));
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_TERMS && !passport_flow_get_busy (flow), 30);
  g_assert_true (action_enabled (flow, "accept-terms"));
  g_assert_true (action_enabled (flow, "decline-terms"));
  g_assert_false (action_enabled (flow, "sign-in-provider"));

  g_action_group_activate_action (actions, "accept-terms", NULL);
  g_assert_false (action_enabled (flow, "accept-terms"));   /* busy */
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_EMAIL && !passport_flow_get_busy (flow), 20);
  g_assert_false (action_enabled (flow, "accept-terms"));
  g_assert_true (action_enabled (flow, "sign-out"));
  g_assert_cmpuint (changes, >, 0);

  g_action_group_activate_action (actions, "sign-out", NULL);
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_OUT && !passport_flow_get_busy (flow), 20);
  g_assert_true (action_enabled (flow, "sign-in-provider"));
}

static void
test_browser_cancel_and_errors (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autoptr(PassportFlow) nowhere = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  guint16 port;

  /* Cancel at the social network. */
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  browser_as ("x@example.com", "X", FALSE, "cancel");
  START (flow, sign_in_with_provider, "vk");
  wait_for_error (flow, PASSPORT_ERROR_ACCESS_DENIED, 30);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);

  /* The browser never comes back; the user cancels in the app. */
  browser_as ("x@example.com", "X", FALSE, "ignore");
  START (flow, sign_in_with_provider, "vk");
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  RUN_UNTIL (passport_flow_get_browser_url (flow) != NULL, 10);
  g_assert_true (g_str_has_prefix (passport_flow_get_browser_url (flow), server->url));
  /* The deadline of the wait is the flow's, from its browser timeout (30 s
   * in new_flow), for the page's countdown; gone once the wait ends. */
  g_assert_cmpint (browser_deadline (flow), >, g_get_monotonic_time () + 20 * G_USEC_PER_SEC);
  g_assert_cmpint (browser_deadline (flow), <=, g_get_monotonic_time () + 30 * G_USEC_PER_SEC);
  passport_flow_cancel (flow);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_null (passport_flow_get_error (flow));
  g_assert_cmpint (browser_deadline (flow), ==, 0);
  {
    g_autoptr(GError) error = NULL;

    /* The sign-in's caller learns that it was cancelled. */
    g_assert_false (pending_outcome (flow, 5, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  /* No browser can be opened: said at once, while the sign-in goes on
   * waiting for the link to be opened by hand. */
  passport_flow_set_browser_command (flow, "/nonexistent/browser");
  START (flow, sign_in_with_provider, "vk");
  RUN_UNTIL (passport_flow_get_browser_launch_error (flow) != NULL, 10);
  g_assert_error ((GError *) passport_flow_get_browser_launch_error (flow), PASSPORT_ERROR,
                  PASSPORT_ERROR_BROWSER_LAUNCH);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  g_assert_nonnull (passport_flow_get_browser_url (flow));
  passport_flow_cancel (flow);
  g_assert_null (passport_flow_get_browser_launch_error (flow));
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pending_outcome (flow, 5, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  /* An action that does not fit the state is refused, and changes nothing. */
  START (flow, accept_terms);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pending_outcome (flow, 5, &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE);
    g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
    g_assert_null (passport_flow_get_error (flow));
  }

  /* A server that is not there: NEEDS_SERVER with an error and Retry. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  {
    g_autoptr(PassportMemoryStore) store = passport_memory_store_new ();
    g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);

    nowhere = passport_flow_new (PASSPORT_CREDENTIAL_STORE (store));
    START (nowhere, set_server_url, url);
    wait_for_error (nowhere, PASSPORT_ERROR_UNREACHABLE, 20);
    g_assert_cmpint (passport_flow_get_state (nowhere), ==, PASSPORT_FLOW_STATE_NEEDS_SERVER);
  }
}

/* Under run-isolated.sh: the real keyring. */
static void
test_keyring_restore (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autofree char *email = pd_unique_email ("restore");
  g_autofree char *account_id = NULL;

  if (g_getenv ("PASSPORT_ISOLATED_INNER") == NULL)
    {
      g_test_fail_printf ("run this test under tests/support/run-isolated.sh");
      return;
    }

  {
    g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
    g_autoptr(PassportFlow) flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);

    sign_in_social (flow, "restore.social@example.net", FALSE);
    g_assert_false (passport_flow_get_keyring_unavailable (flow));
    START (flow, bind_email, email, "a long and good password");
    wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 20);
    account_id = g_strdup (passport_account_get_id (passport_flow_get_account (flow)));

    /* What the keyring holds: the refresh token, never the password. */
    {
      g_autoptr(GHashTable) any = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GError) error = NULL;
      g_autofree char *secret = secret_password_lookupv_sync (passport_secret_store_get_schema (), any,
                                                              NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (secret);
      g_assert_nonnull (strstr (secret, "refresh"));
      g_assert_null (strstr (secret, "a long and good password"));
    }
  }

  /* A restart: the step comes back from the keyring and GET /me. */
  {
    g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
    g_autoptr(PassportFlow) flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);

    wait_for_state (flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 20);
    g_assert_cmpstr (passport_account_get_id (passport_flow_get_account (flow)), ==, account_id);
    open_mailed_link (server, email);
    wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
    START (flow, sign_out);
    wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  }

  /* Signed out: nothing left to restore. */
  {
    g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
    g_autoptr(PassportFlow) flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);

    wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
    g_assert_null (passport_flow_get_account (flow));
  }
}


static void
keep_token (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  char **token = user_data;
  g_autoptr(GError) error = NULL;

  *token = passport_session_get_access_token_finish (PASSPORT_SESSION (source), result, &error);
  if (*token == NULL)
    *token = g_strdup_printf ("error: %s", error->message);
}

/* An access token from the flow's session, the way the app gets one. */
static char *
flow_access_token (PassportFlow *flow)
{
  char *token = NULL;

  g_assert_nonnull (passport_flow_get_session (flow));
  passport_session_get_access_token_async (passport_flow_get_session (flow), NULL, keep_token, &token);
  RUN_UNTIL (token != NULL, 20);
  g_assert_false (g_str_has_prefix (token, "error: "));
  return token;
}

/* passportctl against the same keyring item; returns its standard output. */
static char *
run_passportctl (PdServer   *server,
                 const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "PASSPORT_SERVER", server->url, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PASSPORTCTL"), command, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("passportctl %s failed (%d): %s%s", command, g_subprocess_get_exit_status (process), out, err);
  return g_steal_pointer (&out);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* The loop runs (the flow may work) while an access token ages. */
static void
let_time_pass (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, quit_loop, loop);
  g_main_loop_run (loop);
}

/* The app and passportctl share one keyring item. Each refresh rotates the
 * refresh token and retires the old one; a retired one presented again
 * revokes the whole family (contract section 3). Across many access-token
 * expiries, with each process refreshing in turn, both stay signed in. */
static void
test_keyring_shared_item (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--access-token-ttl", "2", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
  g_autoptr(PassportFlow) flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);
  g_autofree char *email = pd_unique_email ("shared");

  if (g_getenv ("PASSPORTCTL") == NULL)
    {
      g_test_fail_printf ("PASSPORTCTL must name the passportctl to run");
      return;
    }

  sign_in_social (flow, email, TRUE);
  START (flow, bind_email, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);

  for (guint round = 0; round < 5; round++)
    {
      g_autofree char *ctl_token = NULL;
      g_autofree char *status = NULL;
      g_autofree char *app_token = NULL;

      /* The access token of the last round has aged past its half-life. */
      let_time_pass (1200);
      ctl_token = g_strstrip (run_passportctl (server, "token"));
      g_clear_pointer (&ctl_token, g_free);
      status = run_passportctl (server, "status");
      g_assert_nonnull (strstr (status, "signed-in"));

      let_time_pass (1200);
      app_token = flow_access_token (flow);
      {
        g_autoptr(PdResponse) me = pd_get_me (client, app_token);
        g_assert_cmpuint (me->status, ==, 200);
      }
      g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_IN);
      g_assert_null (passport_flow_get_error (flow));
    }

  /* Both refresh at the same moment: one waits for the other's lock and
   * takes what it stored. */
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autofree char *err = NULL;
      g_autoptr(GSubprocess) ctl = NULL;
      g_autofree char *app_token = NULL;

      let_time_pass (1200);
      g_subprocess_launcher_setenv (launcher, "PASSPORT_SERVER", server->url, TRUE);
      ctl = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PASSPORTCTL"), "token", NULL);
      g_assert_no_error (error);
      app_token = flow_access_token (flow);
      g_subprocess_communicate_utf8 (ctl, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_exit_status (ctl) != 0)
        g_error ("passportctl token beside the app failed (%d): %s", g_subprocess_get_exit_status (ctl), err);
      {
        g_autoptr(PdResponse) me = pd_get_me (client, app_token);
        g_assert_cmpuint (me->status, ==, 200);
      }
    }
  {
    g_autofree char *status = run_passportctl (server, "status");
    g_assert_nonnull (strstr (status, "signed-in"));
  }

  /* Signed out elsewhere: the app learns it on its next call, and says so. */
  g_free (run_passportctl (server, "sign-out"));
  START (flow, change_password, "a long and good password", "another good password");
  wait_for_error (flow, PASSPORT_ERROR_SESSION_EXPIRED, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_null (passport_flow_get_account (flow));
}

/* Under run-isolated.sh with PASSPORT_NO_KEYRING_DAEMON=1. */
static void
test_keyring_missing (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
  g_autoptr(PassportFlow) flow = NULL;

  if (g_getenv ("PASSPORT_NO_KEYRING_DAEMON") == NULL)
    {
      g_test_fail_printf ("run this test under run-isolated.sh with PASSPORT_NO_KEYRING_DAEMON=1");
      return;
    }

  flow = new_flow (PASSPORT_CREDENTIAL_STORE (store), server);
  browser_as ("nokeyring@example.net", "No Keyring", FALSE, "continue");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 30);
  g_assert_true (passport_flow_get_remember (flow));

  /* The session works, but cannot be stored: the flag asks the user. */
  START (flow, sign_in_with_provider, "google");
  RUN_UNTIL (passport_flow_get_keyring_unavailable (flow), 30);
  /* Only the flag: the sign-in itself did not fail. */
  g_assert_null (passport_flow_get_error (flow));

  /* The user agrees to go on without remembering. */
  passport_flow_continue_without_keyring (flow);
  g_assert_false (passport_flow_get_keyring_unavailable (flow));
  g_assert_false (passport_flow_get_remember (flow));
  g_assert_null (passport_flow_get_error (flow));
  wait_for_state (flow, PASSPORT_FLOW_STATE_NEEDS_TERMS, 30);
  g_assert_false (passport_flow_get_keyring_unavailable (flow));
}

/* Forgot password (contract section 7) -------------------------------------- */

/* passportd without the password reset (--features turns features off). */
#define PD_WITHOUT_PASSWORD_RESET "--features=-password_reset"

/* passportd mails a reset link after it has answered (contract section 7):
 * waits until @server's Maildir holds @count mails, then that it holds no
 * more. */
static void
wait_for_mails (PdServer *server,
                guint     count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (pd_maildir_count (server) < count && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_cmpuint (pd_maildir_count (server), ==, count);
}

/* The reset link of the newest mail to @address (the line holding
 * /password/new?token=), or NULL. */
static char *
reset_link (PdServer   *server,
            const char *address)
{
  g_autofree char *mail = pd_maildir_newest_to (server, address);
  g_autofree char *body = mail ? pd_mail_body (mail) : NULL;
  g_auto(GStrv) lines = body ? g_regex_split_simple ("\r?\n", body, 0, 0) : NULL;

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    if (strstr (lines[i], "/password/new?token=") != NULL)
      return g_strstrip (g_strdup (lines[i]));
  return NULL;
}

/* Opens @link and saves @password in its form, as the user's browser would. */
static void
choose_new_password (PdServer   *server,
                     const char *link,
                     const char *password)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) page = pd_client_get (client, link, NULL);
  g_autofree char *token = pd_url_param (link, "token");
  g_autofree char *action = g_strndup (link, strcspn (link, "?"));
  g_autoptr(PdResponse) saved = NULL;

  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (token);
  saved = pd_client_post_form (client, action, NULL, "token", token, "password", password,
                               "password_again", password, NULL);
  g_assert_cmpuint (saved->status, ==, 200);
}

static void
test_password_reset (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("forgetful");
  g_autofree char *unknown = pd_unique_email ("nobody");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Forgetful",
                                                           "a long and good password");
  g_autofree char *link = NULL;
  guint mails;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_true (passport_server_has_feature (passport_flow_get_server (flow), "password_reset"));
  g_assert_true (g_action_group_get_action_enabled (passport_flow_get_actions (flow), "request-password-reset"));

  /* An unknown address gets the same answer as a bound one, and no mail;
   * the bound one gets a mail with the link; the state stays. */
  mails = pd_maildir_count (server);
  START (flow, request_password_reset, unknown);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_null (passport_flow_get_error (flow));
  START (flow, request_password_reset, email);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_null (passport_flow_get_error (flow));
  wait_for_mails (server, mails + 1);
  g_assert_null (pd_maildir_newest_to (server, unknown));
  link = reset_link (server, email);
  g_assert_nonnull (link);
  g_assert_true (g_str_has_prefix (link, server->url));

  /* Not an address at all. */
  START (flow, request_password_reset, "not an address");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_EMAIL, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);

  /* Once a minute per address: the wait comes as the flow's retry-after. */
  START (flow, request_password_reset, email);
  wait_for_error (flow, PASSPORT_ERROR_TOO_MANY_REQUESTS, 20);
  g_assert_cmpint (passport_flow_get_retry_after (flow), >, g_get_monotonic_time ());
  g_assert_cmpint (passport_flow_get_retry_after (flow), <=, g_get_monotonic_time () + 61 * G_USEC_PER_SEC);
  g_assert_cmpuint (passport_error_get_retry_after (passport_flow_get_error (flow)), >, 0);

  /* The whole reset: the link's form, then the new password signs in. */
  choose_new_password (server, link, "a brand new password");
  START (flow, sign_in_with_password, email, "a long and good password");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_GRANT, 20);
  START (flow, sign_in_with_password, email, "a brand new password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);

  /* Signed in, there is no password to forget. */
  START (flow, request_password_reset, email);
  wait_for_error_refused (flow);
}

static void
record_reset_sent (PassportFlow  *flow,
                   const char    *email,
                   char         **sent_to)
{
  g_free (*sent_to);
  *sent_to = g_strdup (email);
}

/* The server was down: Retry (the window's, after a blocking error) asks
 * again for the same address, and "password-reset-sent" says that it went,
 * whoever started it. */
static void
test_password_reset_retry (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdServer) again = NULL;
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("forgetful");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Forgetful",
                                                           "a long and good password");
  g_autofree char *sent_to = NULL;
  guint mails;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_signal_connect (flow, "password-reset-sent", G_CALLBACK (record_reset_sent), &sent_to);
  pd_server_stop (server);
  START (flow, request_password_reset, email);
  wait_for_error (flow, PASSPORT_ERROR_UNREACHABLE, 20);
  g_assert_null (sent_to);
  g_assert_true (g_action_group_get_action_enabled (passport_flow_get_actions (flow), "retry"));

  again = pd_server_restart (server);
  mails = pd_maildir_count (again);
  START (flow, retry);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_cmpstr (sent_to, ==, email);
  wait_for_mails (again, mails + 1);
  g_assert_nonnull (reset_link (again, email));
}

/* A server that does not list password_reset: the action is refused and
 * nothing is sent. */
static void
test_password_reset_not_offered (void)
{
  g_autoptr(PdServer) server = pd_server_start (PD_WITHOUT_PASSWORD_RESET, NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("forgetful");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Forgetful",
                                                           "a long and good password");
  guint mails;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_false (passport_server_has_feature (passport_flow_get_server (flow), "password_reset"));
  g_assert_false (g_strv_contains (passport_server_get_features (passport_flow_get_server (flow)), "password_reset"));
  g_assert_false (g_action_group_get_action_enabled (passport_flow_get_actions (flow), "request-password-reset"));

  mails = pd_maildir_count (server);
  START (flow, request_password_reset, email);
  wait_for_error_refused (flow);
  g_usleep (200 * 1000);
  g_assert_cmpuint (pd_maildir_count (server), ==, mails);
}

/* In the conflict, the other account's sign-in step has it too, for the
 * conflict's address; not the step before. */
static void
test_password_reset_conflict (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *taken = pd_unique_email ("taken");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "vk", taken, "Olga Smirnova",
                                                           "the other account's password");
  guint mails;

  sign_in_social (flow, "ivan.again@example.net", FALSE);
  START (flow, bind_email, taken, "a long and good password");
  wait_for_conflict (flow, 20);

  START (flow, request_password_reset, taken);
  wait_for_error_refused (flow);

  passport_flow_conflict_start_freeing (flow);
  g_assert_cmpint (passport_flow_get_conflict_step (flow), ==, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
  mails = pd_maildir_count (server);
  START (flow, request_password_reset, taken);
  wait_for_step (flow, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN, 20);
  wait_for_mails (server, mails + 1);
  g_assert_nonnull (reset_link (server, taken));
}

/* Two-step sign-in (contract 8.3) ------------------------------------------- */

#define OTP_PASSWORD "a long and good password"

typedef struct
{
  char *secret;
  char *recovery[10];
} OtpAccount;

/* Two-step sign-in turned on for the account of @access_token, as another
 * device would (pd_enable_otp()). */
static void
enable_otp (PdServer    *server,
            const char  *access_token,
            OtpAccount  *out)
{
  g_auto(GStrv) codes = NULL;

  out->secret = pd_enable_otp (server, access_token, OTP_PASSWORD, &codes);
  for (guint i = 0; i < 10; i++)
    out->recovery[i] = g_strdup (codes[i]);
}

static void
otp_account_clear (OtpAccount *account)
{
  g_free (account->secret);
  for (guint i = 0; i < 10; i++)
    g_free (account->recovery[i]);
}

/* The code of the server's next step (the last accepted one is used up). */
static char *
next_code (PdServer         *server,
           const OtpAccount *account)
{
  g_autoptr(PdClient) client = pd_client_new (server);

  return pd_totp_code (account->secret, pd_server_align_step (server, client));
}

/* The last action (a password sign-in) stopped at the second step: its
 * answer, not a failure; the step's deadline set for a countdown. */
static void
wait_for_code_step (PassportFlow *flow,
                    guint         seconds)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline = -1;

  g_assert_false (pending_outcome (flow, seconds, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_MFA_REQUIRED);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_CODE);
  g_assert_cmpstr (passport_flow_state_to_string (PASSPORT_FLOW_STATE_NEEDS_CODE), ==, "needs-code");
  g_assert_null (passport_flow_get_error (flow));
  g_assert_false (passport_flow_get_busy (flow));
  g_object_get (flow, "mfa-deadline", &deadline, NULL);
  g_assert_cmpint (deadline, ==, passport_flow_get_mfa_deadline (flow));
  g_assert_cmpint (deadline, >, g_get_monotonic_time () + 290 * G_USEC_PER_SEC);
  g_assert_cmpint (deadline, <=, g_get_monotonic_time () + 300 * G_USEC_PER_SEC);
}

static void
test_two_step (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("twostep");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Twostep",
                                                           OTP_PASSWORD);
  OtpAccount account = { 0 };
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;

  enable_otp (server, json_object_get_string_member (tokens, "access_token"), &account);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);

  /* A wrong password is still just that. */
  START (flow, sign_in_with_password, email, "not the password");
  wait_for_error (flow, PASSPORT_ERROR_INVALID_GRANT, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);

  /* The right one: the code step. No code fits before it. */
  START (flow, submit_code, "123456", FALSE);
  wait_for_error_refused (flow);
  START (flow, sign_in_with_password, email, OTP_PASSWORD);
  wait_for_code_step (flow, 20);

  /* A wrong code: said, and the step stays. */
  code = next_code (server, &account);
  wrong = g_strdup_printf ("%06u", (guint) ((g_ascii_strtoull (code, NULL, 10) + 1) % 1000000));
  START (flow, submit_code, wrong, FALSE);
  wait_for_error (flow, PASSPORT_ERROR_INVALID_GRANT, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_CODE);
  g_assert_cmpstr (passport_error_describe (passport_flow_get_error (flow)), ==,
                   "That code is wrong or was already used. Try again.");
  g_assert_cmpint (passport_flow_get_mfa_deadline (flow), >, g_get_monotonic_time ());

  /* The right code signs in; the step's deadline goes with it. */
  START (flow, submit_code, code, FALSE);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  g_assert_null (passport_flow_get_error (flow));
  g_assert_cmpint (passport_flow_get_mfa_deadline (flow), ==, 0);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, email);

  /* A recovery code, typed in lower case. */
  START (flow, sign_out);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  START (flow, sign_in_with_password, email, OTP_PASSWORD);
  wait_for_code_step (flow, 20);
  {
    g_autofree char *lower = g_ascii_strdown (account.recovery[0], -1);

    START (flow, submit_code, lower, TRUE);
    wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  }

  /* Cancel leaves the step for the password. */
  START (flow, sign_out);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  START (flow, sign_in_with_password, email, OTP_PASSWORD);
  wait_for_code_step (flow, 20);
  g_assert_true (g_action_group_get_action_enabled (passport_flow_get_actions (flow), "cancel"));
  g_action_group_activate_action (passport_flow_get_actions (flow), "cancel", NULL);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_cmpint (passport_flow_get_mfa_deadline (flow), ==, 0);

  /* The step's five minutes pass: back to the password, with why. */
  START (flow, sign_in_with_password, email, OTP_PASSWORD);
  wait_for_code_step (flow, 20);
  pd_server_advance_clock (server, 301);
  g_clear_pointer (&code, g_free);
  code = next_code (server, &account);
  START (flow, submit_code, code, FALSE);
  wait_for_error (flow, PASSPORT_ERROR_EXPIRED_TOKEN, 20);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_cmpint (passport_flow_get_mfa_deadline (flow), ==, 0);
  g_assert_cmpstr (passport_error_describe (passport_flow_get_error (flow)), ==,
                   "The time to enter the code has run out. Sign in again with your password.");
  START (flow, submit_code, code, FALSE);
  wait_for_error_refused (flow);

  /* Wrong codes count with wrong passwords: past the limit, 429 with the
   * wait in "retry-after", and the step stays for after the wait. */
  START (flow, sign_in_with_password, email, OTP_PASSWORD);
  wait_for_code_step (flow, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;

      START (flow, submit_code, wrong, FALSE);
      g_assert_false (pending_outcome (flow, 20, &error));
      g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_CODE);
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS))
        break;
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT);
    }
  g_assert_error ((GError *) passport_flow_get_error (flow), PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
  g_assert_cmpint (passport_flow_get_retry_after (flow), >, g_get_monotonic_time ());
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_CODE);
  g_assert_cmpint (passport_flow_get_mfa_deadline (flow), >, g_get_monotonic_time ());

  otp_account_clear (&account);
}

/* Sign-in with another device (contract 11) through the core's
 * PassportDeviceSignIn: the code and the link, a few polls while nothing
 * is decided, then the other device approves (a new session of that
 * account, named by this device's name), denies, or lets the code lapse. */

static PassportDeviceSignIn *
device_started (PassportServer *server,
                GAsyncResult  **result)
{
  PassportDeviceSignIn *device = passport_device_sign_in_new (server);

  passport_device_sign_in_start_async (device, NULL, keep_result, result);
  RUN_UNTIL (passport_device_sign_in_get_user_code (device) != NULL || *result != NULL, 20);
  g_assert_null (*result);
  return device;
}

static void
test_device_sign_in (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("device");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Device",
                                                           OTP_PASSWORD);
  PassportServer *passport_server;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  passport_server = passport_flow_get_server (flow);
  passport_server_set_device_name (passport_server, "qa-box (Test OS 2)");

  /* Approved: a session of the account, named by this device. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(PassportDeviceSignIn) device = device_started (passport_server, &result);
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportSession) session = NULL;
    g_autoptr(PassportClient) client = NULL;
    g_autoptr(GListModel) sessions = NULL;
    g_autoptr(PassportSessionInfo) current = NULL;
    g_autoptr(GAsyncResult) listed = NULL;
    const char *code = passport_device_sign_in_get_user_code (device);

    g_assert_true (g_regex_match_simple ("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$",
                                         code, 0, 0));
    g_assert_true (g_str_has_prefix (passport_device_sign_in_get_verification_uri (device), "http://127.0.0.1:"));
    g_assert_nonnull (passport_device_sign_in_get_verification_uri_complete (device));
    g_assert_cmpuint (passport_device_sign_in_get_interval (device), ==, 5);
    g_assert_cmpint (passport_device_sign_in_get_deadline (device), >, g_get_monotonic_time () + 590 * G_USEC_PER_SEC);
    g_assert_cmpuint (pd_device_decide (server, code, email, OTP_PASSWORD, TRUE), ==, 200);
    RUN_UNTIL (result != NULL, 20);
    session = passport_device_sign_in_start_finish (device, result, &error);
    g_assert_no_error (error);
    g_assert_nonnull (session);

    client = passport_client_new (session);
    passport_client_list_sessions_async (client, NULL, keep_result, &listed);
    RUN_UNTIL (listed != NULL, 20);
    sessions = passport_client_list_sessions_finish (client, listed, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
      {
        g_autoptr(PassportSessionInfo) item = g_list_model_get_item (sessions, i);

        if (passport_session_info_get_current (item))
          current = g_object_ref (item);
      }
    g_assert_nonnull (current);
    g_assert_cmpstr (passport_session_info_get_method (current), ==, "device");
    g_assert_cmpstr (passport_session_info_get_device_name (current), ==, "qa-box (Test OS 2)");
  }

  /* Denied there: said as that. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(PassportDeviceSignIn) device = device_started (passport_server, &result);
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (pd_device_decide (server, passport_device_sign_in_get_user_code (device), email,
                                        OTP_PASSWORD, FALSE), ==, 200);
    RUN_UNTIL (result != NULL, 20);
    g_assert_null (passport_device_sign_in_start_finish (device, result, &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_ACCESS_DENIED);
    g_assert_cmpstr (passport_error_describe (error), ==, "The sign-in was denied on the other device.");
  }

  /* Never decided: the code lapses (the server's clock moved past it). */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(PassportDeviceSignIn) device = device_started (passport_server, &result);
    g_autoptr(GError) error = NULL;

    pd_server_advance_clock (server, 601);
    RUN_UNTIL (result != NULL, 20);
    g_assert_null (passport_device_sign_in_start_finish (device, result, &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_EXPIRED_TOKEN);
    g_assert_cmpstr (passport_error_describe (error), ==, "The code has expired. Ask for a new one.");
  }

  /* Cancelled while waiting: stops at once. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(PassportDeviceSignIn) device = passport_device_sign_in_new (passport_server);
    g_autoptr(GError) error = NULL;

    passport_device_sign_in_start_async (device, cancellable, keep_result, &result);
    RUN_UNTIL (passport_device_sign_in_get_user_code (device) != NULL, 20);
    g_cancellable_cancel (cancellable);
    RUN_UNTIL (result != NULL, 2);
    g_assert_null (passport_device_sign_in_start_finish (device, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

/* The same through the flow, as the app and passportctl run it: the code
 * shown while AWAITING_DEVICE, then signed in; and cancelled. */
static void
test_device_sign_in_flow (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("device");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Device",
                                                           OTP_PASSWORD);
  GActionGroup *actions = passport_flow_get_actions (flow);
  PassportDeviceSignIn *device;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_true (g_action_group_get_action_enabled (actions, "sign-in-device"));

  /* Cancelled: back where it was. */
  START (flow, sign_in_with_device);
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_AWAITING_DEVICE &&
             passport_device_sign_in_get_user_code (passport_flow_get_device_sign_in (flow)) != NULL, 20);
  g_assert_true (g_action_group_get_action_enabled (actions, "cancel"));
  passport_flow_cancel (flow);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_null (passport_flow_get_device_sign_in (flow));
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pending_outcome (flow, 5, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  /* Approved on the other device: signed in. */
  START (flow, sign_in_with_device);
  RUN_UNTIL (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_AWAITING_DEVICE &&
             passport_device_sign_in_get_user_code (passport_flow_get_device_sign_in (flow)) != NULL, 20);
  device = passport_flow_get_device_sign_in (flow);
  g_assert_cmpuint (pd_device_decide (server, passport_device_sign_in_get_user_code (device), email,
                                      OTP_PASSWORD, TRUE), ==, 200);
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 30);
  g_assert_null (passport_flow_get_device_sign_in (flow));
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (flow)), ==, email);
  g_assert_false (g_action_group_get_action_enabled (actions, "sign-in-device"));
}

/* A server without it says so before anything is sent. */
static void
test_device_sign_in_not_offered (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--features=-device", NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PassportDeviceSignIn) device = NULL;
  g_autoptr(GError) error = NULL;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  g_assert_false (g_action_group_get_action_enabled (passport_flow_get_actions (flow), "sign-in-device"));
  device = passport_device_sign_in_new (passport_flow_get_server (flow));
  passport_device_sign_in_start_async (device, NULL, keep_result, &result);
  RUN_UNTIL (result != NULL, 5);
  g_assert_null (passport_device_sign_in_start_finish (device, result, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (passport_error_describe (error), ==,
                   "This server does not offer sign-in with another device.");
}

/* A link's wait (contract 10): until the answer's expires_at, but a server
 * clock far off neither stretches it past the ticket's 10 minutes nor ends
 * it at once. */
static guint
link_wait_seconds (PdServer *server)
{
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autofree char *email = pd_unique_email ("linker");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "vk", email, "Ada Linker",
                                                           "a long and good password");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PassportSecret) url = NULL;
  PassportClient *client;
  guint seconds = 0;

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  START (flow, sign_in_with_password, email, "a long and good password");
  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_IN, 20);
  client = passport_flow_get_client (flow);
  passport_client_link_identity_async (client, "google", PASSPORT_PROOF_PASSWORD, "a long and good password",
                                       NULL, keep_result, &result);
  RUN_UNTIL (result != NULL, 20);
  url = passport_client_link_identity_finish (client, result, &id, &seconds, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_assert_nonnull (id);
  return seconds;
}

/* Two-step set-up with no proof (an account without a password): the
 * error, or NULL when the server took it. */
static GError *
otp_setup_without_proof (PassportClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  PassportOtpSetup *setup;

  passport_client_otp_setup_async (client, PASSPORT_PROOF_NONE, NULL, NULL, keep_result, &result);
  RUN_UNTIL (result != NULL, 20);
  setup = passport_client_otp_setup_finish (client, result, &error);
  g_assert_true ((setup == NULL) == (error != NULL));
  g_clear_pointer (&setup, passport_otp_setup_free);
  return error;
}

static void
assert_reauth_sign_in (GError *error)
{
  const char * const *accepted;

  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_REAUTH_REQUIRED);
  accepted = passport_error_get_accepted (error);
  g_assert_nonnull (accepted);
  g_assert_cmpuint (g_strv_length ((char **) accepted), ==, 1);
  g_assert_cmpstr (accepted[0], ==, "sign_in");
  g_error_free (error);
}

/* Contract 4: an account without a password proves it is its owner by a
 * sign-in at most 5 minutes old; the flow signs in again in the browser
 * (max_age=0), keeps its state and account, replaces the session and
 * revokes the old one. Another account in the browser changes nothing. */
static void
test_sign_in_again (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);
  g_autoptr(PassportClient) old_client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) me = NULL;
  g_autofree char *account_id = NULL;
  PassportClient *client;

  sign_in_social (flow, "again@example.net", FALSE);
  account_id = g_strdup (passport_flow_get_account_id (flow));
  old_client = g_object_ref (passport_flow_get_client (flow));

  /* Five minutes on, the sign-in is too old to stand for a proof. */
  pd_server_advance_clock (server, 301);
  assert_reauth_sign_in (otp_setup_without_proof (old_client));

  browser_as ("again@example.net", "Ivan Again", FALSE, "continue");
  START (flow, sign_in_again, NULL);
  g_assert_nonnull (passport_flow_get_browser_url (flow));
  g_assert_nonnull (strstr (passport_flow_get_browser_url (flow), "max_age=0"));
  g_assert_nonnull (strstr (passport_flow_get_browser_url (flow), "provider=google"));
  wait_for_state (flow, PASSPORT_FLOW_STATE_NEEDS_EMAIL, 30);
  g_assert_cmpstr (passport_flow_get_account_id (flow), ==, account_id);
  g_assert_null (passport_flow_get_browser_url (flow));
  client = passport_flow_get_client (flow);
  g_assert_true (client != old_client);

  /* The fresh sign-in is the proof. */
  g_assert_no_error (otp_setup_without_proof (client));
  /* The old session is revoked. */
  passport_client_get_me_async (old_client, 0, -1, NULL, keep_result, &result);
  RUN_UNTIL (result != NULL, 20);
  me = passport_client_get_me_finish (old_client, result, &error);
  g_assert_null (me);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED) ||
                 g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_TOKEN));

  /* Another account in the browser: refused, and ours stays as it was. */
  pd_server_advance_clock (server, 301);
  browser_as ("someone.else@example.net", "Someone Else", FALSE, "continue");
  START (flow, sign_in_again, NULL);
  wait_for_error (flow, PASSPORT_ERROR_OTHER_ACCOUNT, 30);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  g_assert_cmpstr (passport_flow_get_account_id (flow), ==, account_id);
  g_assert_true (passport_flow_get_client (flow) == client);
  assert_reauth_sign_in (otp_setup_without_proof (client));

  /* Given up in the browser: the state stays, the flow says why. */
  browser_as ("again@example.net", "Ivan Again", FALSE, "cancel");
  START (flow, sign_in_again, NULL);
  wait_for_error (flow, PASSPORT_ERROR_ACCESS_DENIED, 30);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  g_assert_true (passport_flow_get_client (flow) == client);
}

/* Signing in again needs a session of a server with the account API. */
static void
test_sign_in_again_refused (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PassportFlow) flow = new_memory_flow (server);

  wait_for_state (flow, PASSPORT_FLOW_STATE_SIGNED_OUT, 20);
  START (flow, sign_in_again, "google");
  wait_for_error_refused (flow);
  g_assert_cmpint (passport_flow_get_state (flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
}

static void
test_link_wait (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  guint seconds = link_wait_seconds (server);

  g_assert_cmpuint (seconds, >=, 590);
  g_assert_cmpuint (seconds, <=, 600);
  /* The server's clock a day ahead: its expires_at is a day away. */
  pd_server_advance_clock (server, 24 * 3600);
  g_assert_cmpuint (link_wait_seconds (server), ==, 600);
}

/* Each case has a minute (three under the sanitizers); past it the watchdog
 * prints every thread's stack and aborts, so a hang says where it hung. */
static void
add_watched (const char *path,
             GTestFunc   func)
{
  pd_test_add_func_watched (path, func, 60);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("PASSPORT_NO_KEYRING_DAEMON") != NULL)
    add_watched ("/flow/keyring/missing", test_keyring_missing);
  else if (g_getenv ("PASSPORT_ISOLATED_INNER") != NULL)
    {
      add_watched ("/flow/keyring/restore", test_keyring_restore);
      add_watched ("/flow/keyring/shared-item", test_keyring_shared_item);
    }
  else
    {
      add_watched ("/flow/story", test_story);
      add_watched ("/flow/verified", test_verified);
      add_watched ("/flow/conflict/free-address", test_conflict_free_address);
      add_watched ("/flow/conflict/other-address", test_conflict_other_address);
      add_watched ("/flow/conflict/free-by-social", test_conflict_free_by_social);
      add_watched ("/flow/browser-cancel-and-errors", test_browser_cancel_and_errors);
      add_watched ("/flow/actions", test_actions);
      add_watched ("/flow/server-down-at-start", test_server_down_at_start);
      add_watched ("/flow/server-lost-while-waiting", test_server_lost_while_waiting);
      add_watched ("/flow/truth/change-password-wrong", test_change_password_wrong);
      add_watched ("/flow/truth/conflict-same-account", test_conflict_same_account);
      add_watched ("/flow/truth/change-email-password-required", test_change_email_password_required);
      add_watched ("/flow/password-reset", test_password_reset);
      add_watched ("/flow/password-reset/not-offered", test_password_reset_not_offered);
      add_watched ("/flow/password-reset/conflict", test_password_reset_conflict);
      add_watched ("/flow/password-reset/retry", test_password_reset_retry);
      add_watched ("/flow/two-step", test_two_step);
      add_watched ("/flow/device-sign-in", test_device_sign_in);
      add_watched ("/flow/device-sign-in/not-offered", test_device_sign_in_not_offered);
      add_watched ("/flow/device-sign-in/flow", test_device_sign_in_flow);
      add_watched ("/flow/link-wait", test_link_wait);
      add_watched ("/flow/sign-in-again", test_sign_in_again);
      add_watched ("/flow/sign-in-again/refused", test_sign_in_again_refused);
    }

  return g_test_run ();
}
