// SPDX-License-Identifier: GPL-3.0-or-later
//
// passportctl: the flow from a terminal, for people and for scripts (QA
// teams prepare accounts with it before a UI test). Same core, same keyring
// item as the app.
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "passport-core.h"
#include "passport-flow.h"
#include "passport-memory-store.h"
#include "passport-secret-store.h"
#include "passport-secure.h"

enum
{
  EXIT_OK = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_NEEDS_ACTION = 3,
  EXIT_KEYRING = 4,
};

static char *opt_server;
static char *opt_provider;
static char *opt_email;
static char *opt_otp;
static char *opt_recovery_code;
static gboolean opt_no_browser;
static gboolean opt_json;
static gboolean opt_no_keyring;
static char *opt_client_id;
static char *opt_redirect_port;

static const GOptionEntry entries[] = {
  { "server", 's', 0, G_OPTION_ARG_STRING, &opt_server, N_("Passport server address (or $PASSPORT_SERVER)"), N_("URL") },
  { "provider", 'p', 0, G_OPTION_ARG_STRING, &opt_provider, N_("Sign in with this social network"), N_("ID") },
  { "email", 'e', 0, G_OPTION_ARG_STRING, &opt_email, N_("Sign in with this e-mail and a password"), N_("ADDRESS") },
  { "otp", 0, 0, G_OPTION_ARG_STRING, &opt_otp, N_("With --email: the code from the authenticator app, when the account asks for one"), N_("CODE") },
  { "recovery-code", 0, 0, G_OPTION_ARG_STRING, &opt_recovery_code, N_("With --email: a recovery code instead of the app's code"), N_("CODE") },
  { "no-browser", 0, 0, G_OPTION_ARG_NONE, &opt_no_browser, N_("Print the sign-in address instead of opening a browser"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON for scripts"), NULL },
  { "no-keyring", 0, 0, G_OPTION_ARG_NONE, &opt_no_keyring, N_("Do not use the system keyring (nothing is remembered)"), NULL },
  { "client-id", 0, 0, G_OPTION_ARG_STRING, &opt_client_id, N_("The OAuth client id the server registered for Passport (or $PASSPORT_CLIENT_ID; default passport-desktop)"), N_("ID") },
  { "redirect-port", 0, 0, G_OPTION_ARG_STRING, &opt_redirect_port, N_("Receive the browser sign-in on this port or the first free one of this range (or $PASSPORT_REDIRECT_PORT; default any free port)"), N_("PORT[-LAST]") },
  { NULL }
};

/* An action's result, kept for its _finish. */
static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Runs the loop until the action that was given @slot has finished. */
static GAsyncResult *
await_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Reports how an action ended when the flow does not carry it (a refused
 * action); a conflict is told by the status that follows. */
static void
report_outcome (PassportFlow *flow,
                gboolean      ok,
                const GError *error)
{
  if (ok || g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS))
    return;
  if (passport_flow_get_error (flow) == NULL && passport_error_describe (error) != NULL)
    g_printerr (_("Error: %s\n"), passport_error_describe (error));
}

/* Any command may have refreshed the session: the rotated refresh token
 * must reach the keyring before the process ends. */
static int
flush_and_exit (PassportFlow *flow,
                int           code)
{
  g_autoptr(GAsyncResult) flushed = NULL;

  passport_flow_flush_async (flow, NULL, keep_result, &flushed);
  passport_flow_flush_finish (flow, await_result (&flushed), NULL);
  return code;
}

static void
browser_url_cb (PassportFlow *flow,
                GParamSpec   *pspec,
                gpointer      data)
{
  const char *url = passport_flow_get_browser_url (flow);

  if (url == NULL)
    return;
  /* The address first, before any browser is tried (as gh auth login
   * does): over SSH or in a container it is the only way in. */
  g_printerr (_("Open this address in a browser to sign in:\n%s\n"), url);
  if (!opt_no_browser)
    g_printerr (_("Opening your browser. Waiting for the sign-in to finish…\n"));
}

static void
browser_launch_error_cb (PassportFlow *flow,
                         GParamSpec   *pspec,
                         gpointer      data)
{
  if (passport_flow_get_browser_launch_error (flow) == NULL)
    return;
  g_printerr (_("No web browser could be opened. Open the address above in a browser yourself, "
                "on this machine or another one; this waits for the sign-in to finish "
                "(Ctrl+C stops it).\n"));
}

/* A password from stdin when it is not a terminal, else a prompt without echo. */
static char *
read_password (const char *prompt)
{
  g_autoptr(GString) line = g_string_new (NULL);
  struct termios old, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  int c;

  if (tty)
    {
      g_printerr ("%s", prompt);
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      g_printerr ("\n");
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  {
    char *password = g_strndup (line->str, line->len);
    explicit_bzero (line->str, line->len);
    return password;
  }
}

/* A recovery code has letters; the app's code only digits (and spaces). */
static gboolean
looks_like_recovery_code (const char *code)
{
  for (const char *p = code; *p != '\0'; p++)
    if (g_ascii_isalpha (*p))
      return TRUE;
  return FALSE;
}

/* The second step of a password sign-in (contract 8.3): the code from
 * --otp or --recovery-code, else read like the password, again after a
 * wrong one while there are lines to read. */
static gboolean
submit_code (PassportFlow  *flow,
             GError       **error)
{
  gboolean from_option = opt_otp != NULL || opt_recovery_code != NULL;

  for (;;)
    {
      g_autoptr(PassportSecret) code = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      gboolean is_recovery;
      gboolean ok;

      g_clear_error (error);
      if (from_option)
        {
          code = g_strdup (opt_otp != NULL ? opt_otp : opt_recovery_code);
          is_recovery = opt_recovery_code != NULL;
        }
      else
        {
          code = read_password (_("Code from the authenticator app (or a recovery code): "));
          if (*code == '\0')
            {
              g_propagate_error (error, passport_error_new_for_user (
                PASSPORT_ERROR_MFA_REQUIRED,
                _("This account asks for a code after the password: type it, "
                  "or give --otp CODE or --recovery-code CODE.")));
              return FALSE;
            }
          is_recovery = looks_like_recovery_code (code);
        }
      passport_flow_submit_code_async (flow, code, is_recovery, NULL, keep_result, &result);
      ok = passport_flow_submit_code_finish (flow, await_result (&result), error);
      if (ok || from_option || passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_NEEDS_CODE)
        return ok;
      g_printerr ("%s\n", passport_error_describe (*error));
    }
}

static const char *
next_step (PassportFlowState state)
{
  switch (state)
    {
    case PASSPORT_FLOW_STATE_SIGNED_OUT:
      return _("Sign in with “passportctl sign-in --provider ID” or “--email ADDRESS”.");
    case PASSPORT_FLOW_STATE_NEEDS_TERMS:
      return _("Accept the user agreement with “passportctl accept-terms” (read it with “passportctl terms”).");
    case PASSPORT_FLOW_STATE_NEEDS_EMAIL:
      return _("Bind an e-mail and create a password with “passportctl bind-email ADDRESS”.");
    case PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION:
      return _("Open the link in the mail to confirm the address; “passportctl resend” sends it again.");
    case PASSPORT_FLOW_STATE_EMAIL_CONFLICT:
      return _("A user with this e-mail already exists: choose another address, or free it in the Passport app.");
    case PASSPORT_FLOW_STATE_NEEDS_SERVER:
      return _("Give the server with --server URL or $PASSPORT_SERVER.");
    case PASSPORT_FLOW_STATE_CONNECTING:
    case PASSPORT_FLOW_STATE_AWAITING_BROWSER:
    case PASSPORT_FLOW_STATE_SIGNING_IN:
    case PASSPORT_FLOW_STATE_SIGNED_IN:
    default:
      return NULL;
    }
}

static int
exit_code_for (PassportFlow *flow)
{
  const GError *error = passport_flow_get_error (flow);
  PassportFlowState state = passport_flow_get_state (flow);

  if (passport_flow_get_keyring_unavailable (flow))
    return EXIT_KEYRING;
  if (error != NULL)
    return EXIT_ERROR;
  return state == PASSPORT_FLOW_STATE_SIGNED_IN ? EXIT_OK : EXIT_NEEDS_ACTION;
}

/* Why the session will not outlive this process, or NULL when it will
 * (or there is none): for scripts, which cannot read the warning. */
static const char *
not_remembered_reason (PassportFlow *flow)
{
  PassportSession *session = passport_flow_get_session (flow);

  if (!passport_flow_get_remember (flow))
    return "no_keyring";
  if (session != NULL && !passport_session_get_can_refresh (session))
    return "no_refresh_token";
  return NULL;
}

static void
print_status (PassportFlow *flow,
              gboolean      expect_signed_in)
{
  PassportAccount *account = passport_flow_get_account (flow);
  PassportServer *server = passport_flow_get_server (flow);
  const GError *error = passport_flow_get_error (flow);
  PassportFlowState state = passport_flow_get_state (flow);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "server");
      json_builder_add_string_value (b, server ? passport_server_get_base_url (server) : NULL);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, passport_flow_state_to_string (state));
      json_builder_set_member_name (b, "remembered");
      json_builder_add_boolean_value (b, not_remembered_reason (flow) == NULL);
      json_builder_set_member_name (b, "not_remembered_reason");
      json_builder_add_string_value (b, not_remembered_reason (flow));
      json_builder_set_member_name (b, "account");
      if (account != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, passport_account_get_id (account));
          json_builder_set_member_name (b, "display_name");
          json_builder_add_string_value (b, passport_account_get_display_name (account));
          json_builder_set_member_name (b, "email");
          json_builder_add_string_value (b, passport_account_get_email (account));
          json_builder_set_member_name (b, "email_verified");
          json_builder_add_boolean_value (b, passport_account_get_email_verified (account));
          json_builder_set_member_name (b, "pending_email");
          json_builder_add_string_value (b, passport_account_get_pending_email (account));
          json_builder_set_member_name (b, "has_password");
          json_builder_add_boolean_value (b, passport_account_get_has_password (account));
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "error");
      if (error != NULL && error->domain == PASSPORT_ERROR)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, passport_error_code_to_string (error->code));
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, passport_error_describe (error));
          json_builder_end_object (b);
        }
      else if (error != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, passport_error_describe (error));
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);

      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
      return;
    }

  if (error != NULL)
    g_printerr (_("Error: %s\n"), passport_error_describe (error));
  if (passport_flow_get_keyring_unavailable (flow))
    g_printerr (_("The system keyring is not available, so the session cannot be remembered. "
                  "Unlock or start the keyring, or use --no-keyring.\n"));
  if (g_strcmp0 (not_remembered_reason (flow), "no_refresh_token") == 0)
    g_printerr (_("Warning: %s\n"), passport_error_code_describe (PASSPORT_ERROR_NO_REFRESH_TOKEN));

  g_print (_("Server:  %s\n"), server ? passport_server_get_base_url (server) : _("none"));
  g_print (_("State:   %s\n"), passport_flow_state_to_string (state));
  if (account != NULL)
    {
      g_print (_("Account: %s (%s)\n"), passport_account_get_display_name (account),
               passport_account_get_id (account));
      if (passport_account_get_email (account) != NULL)
        g_print (_("E-mail:  %s\n"), passport_account_get_email (account));
      if (passport_account_get_pending_email (account) != NULL)
        g_print (_("Waiting for confirmation of %s\n"), passport_account_get_pending_email (account));
    }
  if (next_step (state) != NULL && (expect_signed_in || error == NULL))
    g_print ("%s\n", next_step (state));
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  char **token = user_data;
  g_autoptr(GError) error = NULL;

  *token = passport_session_get_access_token_finish (PASSPORT_SESSION (source), result, &error);
  if (*token == NULL)
    {
      g_printerr (_("Error: %s\n"), error->message);
      *token = g_strdup ("");
    }
}

/* "Forgot password?" (contract section 7): the server's answer is the same
 * whether or not an account uses the address, and so is ours. */
static int
reset_password (PassportFlow *flow,
                const char   *email)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PassportServer *server = passport_flow_get_server (flow);
  g_autofree char *message = NULL;
  gboolean ok;

  if (passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_SIGNED_OUT)
    error = passport_error_new_for_user (PASSPORT_ERROR_ACTION_UNAVAILABLE,
                                         _("Already signed in; sign out first."));
  else if (!passport_server_has_feature (server, "password_reset"))
    error = passport_error_new_for_user (PASSPORT_ERROR_NOT_SUPPORTED,
                                         _("This server does not offer password reset."));
  if (error == NULL)
    {
      passport_flow_request_password_reset_async (flow, email, NULL, keep_result, &result);
      passport_flow_request_password_reset_finish (flow, await_result (&result), &error);
    }
  ok = error == NULL;

  if (ok)
    /* Translators: %s is an e-mail address */
    message = g_strdup_printf (_("If an account uses %s, we have sent it a link. Open it, choose a new "
                                 "password, then sign in here with it."), email);
  else if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS) &&
           passport_error_get_retry_after (error) > 0)
    {
      guint seconds = passport_error_get_retry_after (error);

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Too many requests. Ask for another link in %u second.",
                                              "Too many requests. Ask for another link in %u seconds.",
                                              seconds),
                                 seconds);
    }
  else
    message = g_strdup (passport_error_describe (error));

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "email");
      json_builder_add_string_value (b, email);
      json_builder_set_member_name (b, "requested");
      json_builder_add_boolean_value (b, ok);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_set_member_name (b, "error");
      if (!ok)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, error->domain == PASSPORT_ERROR
                                              ? passport_error_code_to_string (error->code) : NULL);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, message);
          json_builder_set_member_name (b, "retry_after");
          json_builder_add_int_value (b, error->domain == PASSPORT_ERROR
                                           ? passport_error_get_retry_after (error) : 0);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
    }
  else if (ok)
    g_print ("%s\n", message);
  else
    g_printerr (_("Error: %s\n"), message);

  return flush_and_exit (flow, ok ? EXIT_OK : EXIT_ERROR);
}

static int
usage (GOptionContext *context,
       const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  if (message != NULL)
    g_printerr ("passportctl: %s\n\n", message);
  g_printerr ("%s", help);
  return EXIT_USAGE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportCredentialStore) store = NULL;
  g_autoptr(PassportFlow) flow = NULL;
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok = TRUE;
  const char *command;
  const char *server;
  guint16 first_port, last_port;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGUMENT] — Passport sign-in from the command line"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _(
    "Commands:\n"
    "  status                      the session and the account (the default)\n"
    "  sign-in --provider ID       sign in with a social network in the browser\n"
    "  sign-in --email ADDRESS     sign in with e-mail and password (password from\n"
    "                              standard input, or asked for without echo); an\n"
    "                              account with two-step sign-in then asks for the\n"
    "                              code the same way (or --otp / --recovery-code)\n"
    "  terms                       print the user agreement\n"
    "  accept-terms                accept the user agreement\n"
    "  bind-email ADDRESS          bind an e-mail and create the password (as above)\n"
    "  resend                      send the confirmation mail again\n"
    "  reset-password ADDRESS      forgot the password: mail a link to choose a new\n"
    "                              one (or --email ADDRESS)\n"
    "  sign-out                    revoke the session and forget it\n"
    "  token                       print a valid access token\n"
    "\n"
    "The session is kept in the system keyring, like the app's. $PASSPORT_BROWSER\n"
    "names the browser command to use.\n"
    "\n"
    "Exit status: 0 signed in (or done), 1 error, 2 wrong usage, 3 something is\n"
    "left to do (not signed in, agreement, e-mail, confirmation), 4 no keyring."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (context, error->message);

  command = argc > 1 ? argv[1] : "status";
  server = opt_server != NULL ? opt_server : g_getenv ("PASSPORT_SERVER");
  if (server == NULL)
    return usage (context, _("No server: give --server URL or set $PASSPORT_SERVER."));

  if (!g_strv_contains ((const char *[]) { "status", "sign-in", "terms", "accept-terms", "bind-email",
                                           "resend", "sign-out", "token", "reset-password", NULL }, command))
    return usage (context, _("Unknown command."));
  if (g_str_equal (command, "bind-email") && argc < 3)
    return usage (context, _("bind-email needs the address."));
  if (g_str_equal (command, "reset-password") && argc < 3 && opt_email == NULL)
    return usage (context, _("reset-password needs the address."));
  if (g_str_equal (command, "sign-in") && opt_provider == NULL && opt_email == NULL)
    return usage (context, _("sign-in needs --provider ID or --email ADDRESS."));
  if (opt_otp != NULL && opt_recovery_code != NULL)
    return usage (context, _("Give --otp or --recovery-code, not both."));
  if (opt_redirect_port != NULL &&
      !passport_redirect_ports_parse (opt_redirect_port, &first_port, &last_port, &error))
    return usage (context, error->message);

  /* The servers the flow discovers take these as their defaults. */
  if (opt_client_id != NULL)
    g_setenv ("PASSPORT_CLIENT_ID", opt_client_id, TRUE);
  if (opt_redirect_port != NULL)
    g_setenv ("PASSPORT_REDIRECT_PORT", opt_redirect_port, TRUE);

  store = opt_no_keyring ? PASSPORT_CREDENTIAL_STORE (passport_memory_store_new ())
                         : PASSPORT_CREDENTIAL_STORE (passport_secret_store_new ());
  flow = passport_flow_new (store);
  if (opt_no_browser)
    passport_flow_set_browser_command (flow, "true");
  g_signal_connect (flow, "notify::browser-url", G_CALLBACK (browser_url_cb), NULL);
  g_signal_connect (flow, "notify::browser-launch-error", G_CALLBACK (browser_launch_error_cb), NULL);

  passport_flow_set_server_url_async (flow, server, NULL, keep_result, &connected);
  passport_flow_set_server_url_finish (flow, await_result (&connected), NULL);
  if (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_SERVER)
    {
      print_status (flow, FALSE);
      return flush_and_exit (flow, EXIT_ERROR);
    }

  if (g_str_equal (command, "reset-password"))
    return reset_password (flow, argc >= 3 ? argv[2] : opt_email);
  else if (g_str_equal (command, "sign-in"))
    {
      if (passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_SIGNED_OUT)
        {
          g_printerr (_("Already signed in; sign out first.\n"));
          print_status (flow, FALSE);
          return flush_and_exit (flow, EXIT_ERROR);
        }
      if (opt_email != NULL)
        {
          g_autoptr(PassportSecret) password = read_password (_("Password: "));
          passport_flow_sign_in_with_password_async (flow, opt_email, password, NULL, keep_result, &result);
          ok = passport_flow_sign_in_with_password_finish (flow, await_result (&result), &error);
          if (!ok && g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_MFA_REQUIRED))
            ok = submit_code (flow, &error);
        }
      else
        {
          passport_flow_sign_in_with_provider_async (flow, opt_provider, NULL, keep_result, &result);
          ok = passport_flow_sign_in_with_provider_finish (flow, await_result (&result), &error);
        }
      report_outcome (flow, ok, error);
    }
  else if (g_str_equal (command, "terms"))
    {
      PassportTerms *terms;

      /* Connecting to an account that must accept the agreement loads
       * its text before it finishes. */
      terms = passport_flow_get_terms (flow);
      if (terms == NULL)
        {
          g_printerr (_("There is no agreement waiting to be accepted.\n"));
          return flush_and_exit (flow, EXIT_OK);
        }
      g_print ("%s\n", passport_terms_get_text (terms));
      return flush_and_exit (flow, EXIT_OK);
    }
  else if (g_str_equal (command, "accept-terms"))
    {
      passport_flow_accept_terms_async (flow, NULL, keep_result, &result);
      ok = passport_flow_accept_terms_finish (flow, await_result (&result), &error);
      report_outcome (flow, ok, error);
    }
  else if (g_str_equal (command, "bind-email"))
    {
      g_autoptr(PassportSecret) password = read_password (_("New password: "));
      passport_flow_bind_email_async (flow, argv[2], password, NULL, keep_result, &result);
      ok = passport_flow_bind_email_finish (flow, await_result (&result), &error);
      report_outcome (flow, ok, error);
    }
  else if (g_str_equal (command, "resend"))
    {
      passport_flow_resend_confirmation_async (flow, NULL, keep_result, &result);
      ok = passport_flow_resend_confirmation_finish (flow, await_result (&result), &error);
      report_outcome (flow, ok, error);
    }
  else if (g_str_equal (command, "sign-out"))
    {
      passport_flow_sign_out_async (flow, NULL, keep_result, &result);
      ok = passport_flow_sign_out_finish (flow, await_result (&result), &error);
      report_outcome (flow, ok, error);
      if (ok && !opt_json)
        g_print (_("Signed out.\n"));
      return flush_and_exit (flow, ok ? EXIT_OK : EXIT_ERROR);
    }
  else if (g_str_equal (command, "token"))
    {
      PassportSession *session = passport_flow_get_session (flow);
      g_autoptr(PassportSecret) token = NULL;

      if (session == NULL)
        {
          print_status (flow, TRUE);
          return flush_and_exit (flow, EXIT_NEEDS_ACTION);
        }
      passport_session_get_access_token_async (session, NULL, token_cb, &token);
      while (token == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (*token == '\0')
        return flush_and_exit (flow, EXIT_ERROR);
      g_print ("%s\n", token);
      return flush_and_exit (flow, EXIT_OK);
    }

  print_status (flow, TRUE);
  if (!ok && !g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS) &&
      passport_flow_get_error (flow) == NULL)
    return flush_and_exit (flow, EXIT_ERROR);
  return flush_and_exit (flow, exit_code_for (flow));
}
