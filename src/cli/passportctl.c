// SPDX-License-Identifier: GPL-3.0-or-later
//
// passportctl: the flow from a terminal, for people and for scripts (QA
// teams prepare accounts with it before a UI test). Same core, same keyring
// item as the app.
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#ifdef G_OS_UNIX
#include <termios.h>
#include <glib-unix.h>
#else
#include <windows.h>
#endif
#include <glib/gi18n.h>
#include <qrencode.h>

#include "passport-account-watch.h"
#include "passport-browser-launcher.h"
#include "passport-core.h"
#include "passport-disconnect.h"
#include "passport-flow.h"
#include "passport-memory-store.h"
#include "passport-system-store.h"
#include "passport-secure.h"

#ifdef G_OS_WIN32
/* Windows has no signals to watch from a main loop. Ctrl+C and Ctrl+Break
 * (as SIGINT) and the console closing (as SIGTERM) arrive in a thread of
 * their own (SetConsoleCtrlHandler), which marks that "signal" pending and
 * wakes the main context; a source per g_unix_signal_add() call site
 * dispatches it there, so the callers stay as on Unix. */
#define g_unix_signal_add console_signal_add

typedef struct
{
  GSource source;
  int     signum;
} ConsoleSignalSource;

static gint console_signals_pending[2]; /* SIGINT, SIGTERM */

static gint *
console_signal_flag (GSource *source)
{
  return &console_signals_pending[((ConsoleSignalSource *) source)->signum == SIGINT ? 0 : 1];
}

static gboolean
console_signal_check (GSource *source)
{
  return g_atomic_int_get (console_signal_flag (source)) != 0;
}

static gboolean
console_signal_prepare (GSource *source,
                        gint    *timeout)
{
  *timeout = -1;
  return console_signal_check (source);
}

static gboolean
console_signal_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  g_atomic_int_set (console_signal_flag (source), 0);
  return callback != NULL ? callback (user_data) : G_SOURCE_REMOVE;
}

static GSourceFuncs console_signal_funcs = {
  console_signal_prepare, console_signal_check, console_signal_dispatch, NULL, NULL, NULL,
};

static BOOL WINAPI
console_ctrl_cb (DWORD type)
{
  gboolean interrupt = type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT;

  g_atomic_int_set (&console_signals_pending[interrupt ? 0 : 1], 1);
  g_main_context_wakeup (NULL);
  return TRUE;
}

/* GLib on Windows has started a thread before main() (GIO reads the
 * registered applications in one), and g_log_writer_default_set_use_stderr()
 * refuses once there is a thread: the default writer, with what it would
 * print on standard output sent to standard error. */
static GLogWriterOutput
log_to_stderr (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  const char *domain = NULL;
  g_autofree char *line = NULL;

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE))
    return g_log_writer_default (log_level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (log_level, domain))
    return G_LOG_WRITER_HANDLED;
  line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static guint
console_signal_add (int         signum,
                    GSourceFunc handler,
                    gpointer    user_data)
{
  static gsize installed = 0;
  g_autoptr(GSource) source = g_source_new (&console_signal_funcs, sizeof (ConsoleSignalSource));

  if (g_once_init_enter (&installed))
    {
      SetConsoleCtrlHandler (console_ctrl_cb, TRUE);
      g_once_init_leave (&installed, 1);
    }
  ((ConsoleSignalSource *) source)->signum = signum;
  g_source_set_callback (source, handler, user_data, NULL);
  return g_source_attach (source, NULL);
}
#endif

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
static gboolean opt_sign_in_again;
static gboolean opt_otp_stdin;
static gboolean opt_no_browser;
static gboolean opt_json;
static gboolean opt_no_keyring;
static char *opt_client_id;
static char *opt_redirect_port;
static char *opt_device_name;
static gboolean opt_yes;
static gboolean opt_device;
static gboolean opt_qr;
static char *opt_account;
/* The keyring's state, looked at before the command runs. */
static PassportKeyringHealth keyring_health = PASSPORT_KEYRING_AVAILABLE;

static const GOptionEntry entries[] = {
  { "server", 's', 0, G_OPTION_ARG_STRING, &opt_server, N_("Passport server address (or $PASSPORT_SERVER; default the active account’s)"), N_("URL") },
  { "account", 'a', 0, G_OPTION_ARG_STRING, &opt_account, N_("Work on this remembered account (its e-mail or id) instead of the active one (or $PASSPORT_ACCOUNT)"), N_("ACCOUNT") },
  { "provider", 'p', 0, G_OPTION_ARG_STRING, &opt_provider, N_("Sign in with this social network"), N_("ID") },
  { "email", 'e', 0, G_OPTION_ARG_STRING, &opt_email, N_("Sign in with this e-mail and a password"), N_("ADDRESS") },
  { "device", 0, 0, G_OPTION_ARG_NONE, &opt_device, N_("Sign in by approving a code on another device, such as a phone"), NULL },
  { "qr", 0, 0, G_OPTION_ARG_NONE, &opt_qr, N_("With sign-in --device: draw the QR code even when standard output is not a terminal"), NULL },
  { "otp", 0, 0, G_OPTION_ARG_STRING, &opt_otp, N_("The code from the authenticator app: for sign-in --email when the account asks for one, or as the proof for otp and app-passwords"), N_("CODE") },
  { "recovery-code", 0, 0, G_OPTION_ARG_STRING, &opt_recovery_code, N_("A recovery code instead of the app's code (sign-in --email, or as the proof)"), N_("CODE") },
  { "otp-stdin", 0, 0, G_OPTION_ARG_NONE, &opt_otp_stdin, N_("Read the authenticator app's code (or a recovery code) from standard input: the line after the password for sign-in --email, or the proof instead of the password"), NULL },
  { "sign-in-again", 0, 0, G_OPTION_ARG_NONE, &opt_sign_in_again, N_("As the proof of an account without a password: sign in again in the browser first (with --provider ID, that network)"), NULL },
  { "no-browser", 0, 0, G_OPTION_ARG_NONE, &opt_no_browser, N_("Print the sign-in address instead of opening a browser"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON for scripts"), NULL },
  { "no-keyring", 0, 0, G_OPTION_ARG_NONE, &opt_no_keyring, N_("Do not use the system keyring (nothing is remembered)"), NULL },
  { "client-id", 0, 0, G_OPTION_ARG_STRING, &opt_client_id, N_("The OAuth client id the server registered for Passport (or $PASSPORT_CLIENT_ID; default passport-desktop)"), N_("ID") },
  { "redirect-port", 0, 0, G_OPTION_ARG_STRING, &opt_redirect_port, N_("Receive the browser sign-in on this port or the first free one of this range (or $PASSPORT_REDIRECT_PORT; default any free port)"), N_("PORT[-LAST]") },
  { "device-name", 0, 0, G_OPTION_ARG_STRING, &opt_device_name, N_("The name of this device in the account’s list of sessions, sent when signing in (or $PASSPORT_DEVICE_NAME; default “host (system)”)"), N_("NAME") },
  { "yes", 0, 0, G_OPTION_ARG_NONE, &opt_yes, N_("Confirm delete-account: the account is deleted for good"), NULL },
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
  if (passport_flow_get_accounts (flow) != NULL)
    {
      PassportAccounts *accounts = passport_flow_get_accounts (flow);
      g_autoptr(GAsyncResult) written = NULL;
      g_autoptr(GError) error = NULL;

      passport_accounts_flush_async (accounts, NULL, keep_result, &written);
      if (!passport_accounts_flush_finish (accounts, await_result (&written), &error))
        g_printerr (_("Error: %s\n"), error->message);
    }
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
#ifdef G_OS_WIN32
  HANDLE input = GetStdHandle (STD_INPUT_HANDLE);
  DWORD old = 0;
  gboolean tty = isatty (STDIN_FILENO) && GetConsoleMode (input, &old);
#else
  struct termios old, quiet;
  gboolean tty = isatty (STDIN_FILENO);
#endif
  int c;

  if (tty)
    {
      g_printerr ("%s", prompt);
#ifdef G_OS_WIN32
      SetConsoleMode (input, old & ~(DWORD) ENABLE_ECHO_INPUT);
#else
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
#endif
    }
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (tty)
    {
#ifdef G_OS_WIN32
      SetConsoleMode (input, old);
#else
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
#endif
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

/* A code of two-step sign-in, read like the password (standard input, or
 * a prompt without echo). */
static char *
read_code (void)
{
  return read_password (_("Code from the authenticator app (or a recovery code): "));
}

/* The second step of a password sign-in (contract 8.3): the code from
 * --otp or --recovery-code, else read like the password, again after a
 * wrong one while there are lines to read (once with --otp-stdin). */
static gboolean
submit_code (PassportFlow  *flow,
             GError       **error)
{
  gboolean from_option = opt_otp != NULL || opt_recovery_code != NULL;
  /* --otp-stdin: one line, as an option gives one code */
  gboolean once = from_option || opt_otp_stdin;

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
          code = read_code ();
          if (*code == '\0')
            {
              g_propagate_error (error, passport_error_new_for_user (
                PASSPORT_ERROR_MFA_REQUIRED,
                opt_otp_stdin ? _("This account asks for a code after the password, and standard "
                                  "input had none on the line after it.")
                              : _("This account asks for a code after the password: type it, "
                                  "or give --otp CODE or --recovery-code CODE.")));
              return FALSE;
            }
          is_recovery = looks_like_recovery_code (code);
        }
      passport_flow_submit_code_async (flow, code, is_recovery, NULL, keep_result, &result);
      ok = passport_flow_submit_code_finish (flow, await_result (&result), error);
      if (ok || once || passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_NEEDS_CODE)
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
      return _("Sign in with “passportctl sign-in --provider ID”, “--email ADDRESS” or “--device”.");
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

/* Two-step sign-in in status; with 2 or fewer recovery codes left a new
 * set is suggested (contract 8.3). */
static void
print_otp_status (PassportAccount *account)
{
  guint left = passport_account_get_recovery_codes_left (account);

  if (!passport_account_get_otp_enabled (account))
    {
      g_print ("%s\n", _("Two-step: off"));
      return;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "Two-step: on, %u recovery code left\n",
                        "Two-step: on, %u recovery codes left\n", left), left);
  if (left <= 2)
    g_print ("%s\n", _("Few recovery codes are left: make a new set with “passportctl otp recovery-codes”."));
}

static const char *
keyring_health_text (PassportKeyringHealth health)
{
  switch (health)
    {
    case PASSPORT_KEYRING_AVAILABLE: return _("available");
    case PASSPORT_KEYRING_LOCKED: return _("locked");
    case PASSPORT_KEYRING_MISSING: return _("missing");
    case PASSPORT_KEYRING_SANDBOXED: return _("through the sandbox’s Secret portal");
    case PASSPORT_KEYRING_NO_BACKEND:
    default: return _("none: nothing is remembered");
    }
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
      json_builder_set_member_name (b, "keyring");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, passport_keyring_health_to_string (keyring_health));
      json_builder_set_member_name (b, "advice");
      json_builder_add_string_value (b, passport_keyring_health_describe (keyring_health));
      json_builder_end_object (b);
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
          json_builder_set_member_name (b, "otp");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "enabled");
          json_builder_add_boolean_value (b, passport_account_get_otp_enabled (account));
          json_builder_set_member_name (b, "recovery_codes_left");
          json_builder_add_int_value (b, passport_account_get_recovery_codes_left (account));
          json_builder_end_object (b);
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
  g_print (_("Keyring: %s\n"), keyring_health_text (keyring_health));
  if (keyring_health == PASSPORT_KEYRING_LOCKED || keyring_health == PASSPORT_KEYRING_MISSING)
    g_printerr ("%s\n", passport_keyring_health_describe (keyring_health));
  if (account != NULL)
    {
      g_print (_("Account: %s (%s)\n"), passport_account_get_display_name (account),
               passport_account_get_id (account));
      if (passport_account_get_email (account) != NULL)
        g_print (_("E-mail:  %s\n"), passport_account_get_email (account));
      if (passport_account_get_pending_email (account) != NULL)
        g_print (_("Waiting for confirmation of %s\n"), passport_account_get_pending_email (account));
      if (server != NULL && passport_server_has_feature (server, "otp"))
        print_otp_status (account);
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

/* Two-step sign-in and app passwords (contract 8.2, 8.4) ------------------ */

/* To standard output; the text may hold a secret, so it is wiped. */
static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(PassportSecret) text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* RFC 3339 in UTC, as the contract writes times. */
static char *
format_utc (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return NULL;
  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* For people: the local date and time. */
static char *
format_local (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* What the user sends to show it is them (contract section 4): --otp,
 * --recovery-code or a code from standard input (--otp-stdin), else the
 * account's password like sign-in reads it;
 * nothing for an account without a password (a fresh sign-in is its
 * proof) or when no password was typed (the server then says what it
 * takes). */
static PassportProofKind
read_proof (PassportFlow  *flow,
            char         **proof)
{
  PassportAccount *account = passport_flow_get_account (flow);

  *proof = NULL;
  if (opt_otp != NULL)
    {
      *proof = g_strdup (opt_otp);
      return PASSPORT_PROOF_OTP;
    }
  if (opt_recovery_code != NULL)
    {
      *proof = g_strdup (opt_recovery_code);
      return PASSPORT_PROOF_RECOVERY_CODE;
    }
  if (opt_otp_stdin)
    {
      *proof = read_code ();
      return looks_like_recovery_code (*proof) ? PASSPORT_PROOF_RECOVERY_CODE : PASSPORT_PROOF_OTP;
    }
  if (account != NULL && !passport_account_get_has_password (account))
    return PASSPORT_PROOF_NONE;
  *proof = read_password (_("Password: "));
  if (**proof == '\0')
    {
      passport_secure_clear (proof);
      return PASSPORT_PROOF_NONE;
    }
  return PASSPORT_PROOF_PASSWORD;
}

/* reauth_required: the ways the server takes, as passportctl gives them.
 * Only sign_in means the session's sign-in is too old (auth_time, 5
 * minutes) for an account without a password. */
static char *
describe_reauth (const GError *error)
{
  const char * const *accepted = passport_error_get_accepted (error);
  gboolean password, otp, recovery, sign_in;
  GString *text;

  if (accepted == NULL)
    return g_strdup (passport_error_describe (error));
  password = g_strv_contains (accepted, "password");
  otp = g_strv_contains (accepted, "otp");
  recovery = g_strv_contains (accepted, "recovery_code");
  sign_in = g_strv_contains (accepted, "sign_in");
  if (!password && !otp && !recovery)
    return g_strdup (_("This needs a recent sign-in. Run the same command again with "
                       "--sign-in-again: it signs you in again in the browser first."));

  text = g_string_new (_("Confirm it is you. The server takes one of:"));
  if (password)
    g_string_append_printf (text, "\n  %s",
                            _("the account’s password, on standard input or typed when asked"));
  if (otp)
    g_string_append_printf (text, "\n  %s", _("--otp CODE: the code from the authenticator app"));
  if (recovery)
    g_string_append_printf (text, "\n  %s", _("--recovery-code CODE: one of the recovery codes"));
  if (sign_in)
    g_string_append_printf (text, "\n  %s", _("--sign-in-again: a new sign-in in the browser"));
  return g_string_free (text, FALSE);
}

/* The sentence for an error of these commands: what to do next, in
 * passportctl's words where the general one does not say it. */
static char *
describe_account_error (const GError *error,
                        const char   *command)
{
  if (error->domain == PASSPORT_ERROR)
    switch (error->code)
      {
      case PASSPORT_ERROR_REAUTH_REQUIRED:
        return describe_reauth (error);
      case PASSPORT_ERROR_OTP_ALREADY_ENABLED:
        return g_strdup (_("Two-step sign-in is already on. To set it up again, turn it off "
                           "first with “passportctl otp disable”."));
      case PASSPORT_ERROR_OTP_NOT_ENABLED:
        return g_strdup (_("Two-step sign-in is off. Turn it on with “passportctl otp setup”."));
      case PASSPORT_ERROR_NO_OTP_SETUP:
        return g_strdup (_("No set-up is waiting for its code, or it lapsed. Start again with "
                           "“passportctl otp setup”."));
      case PASSPORT_ERROR_NOT_FOUND:
        if (g_strcmp0 (command, "identities") == 0)
          return g_strdup (_("No network of that id is linked to this account. "
                             "“passportctl identities list” shows those that are."));
        if (g_strcmp0 (command, "sessions") == 0)
          return g_strdup (_("This account has no session with that id (or it has already ended). "
                             "“passportctl sessions list” shows them."));
        return g_strdup (_("This account has no app password with that id. "
                           "“passportctl app-passwords list” shows them."));
      case PASSPORT_ERROR_ALREADY_LINKED:
        return g_strdup (_("A network of this kind is already linked to the account. To link "
                           "another account of it, first unlink it with “passportctl identities "
                           "unlink PROVIDER”."));
      case PASSPORT_ERROR_UNKNOWN_PROVIDER:
        return g_strdup (_("This server does not offer that network. “passportctl identities list” "
                           "names those it does."));
      case PASSPORT_ERROR_LAST_SIGN_IN_METHOD:
        return g_strdup (_("This network is the only way to sign in to the account, which has no "
                           "password yet, so it stays linked. Bind an e-mail and create a password "
                           "first (“passportctl bind-email ADDRESS”), then unlink it."));
      case PASSPORT_ERROR_NO_EMAIL:
        return g_strdup (_("An app password signs in with the account’s e-mail, and this account "
                           "has none yet: bind one with “passportctl bind-email ADDRESS”."));
      default:
        break;
      }
  return g_strdup (passport_error_describe (error));
}

/* Prints @error (JSON with --json) and gives the exit status: 3 when a
 * proof or a fresh sign-in is still needed, else 1. */
static int
report_account_error (PassportFlow *flow,
                      const char   *command,
                      const GError *error)
{
  g_autofree char *message = describe_account_error (error, command);
  gboolean reauth = g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_REAUTH_REQUIRED);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      const char * const *accepted = passport_error_get_accepted (error);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, error->domain == PASSPORT_ERROR
                                          ? passport_error_code_to_string (error->code) : NULL);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      if (reauth)
        {
          json_builder_set_member_name (b, "accepted");
          json_builder_begin_array (b);
          for (guint i = 0; accepted != NULL && accepted[i] != NULL; i++)
            json_builder_add_string_value (b, accepted[i]);
          json_builder_end_array (b);
        }
      if (error->domain == PASSPORT_ERROR && passport_error_get_retry_after (error) > 0)
        {
          json_builder_set_member_name (b, "retry_after");
          json_builder_add_int_value (b, passport_error_get_retry_after (error));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      print_json (b);
    }
  else if (message != NULL)
    g_printerr (_("Error: %s\n"), message);

  return flush_and_exit (flow, reauth ? EXIT_NEEDS_ACTION : EXIT_ERROR);
}

/* Recovery codes go to standard output only, once. */
static void
print_recovery_codes (char **codes)
{
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "recovery_codes");
      json_builder_begin_array (b);
      for (guint i = 0; codes[i] != NULL; i++)
        json_builder_add_string_value (b, codes[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
      return;
    }
  for (guint i = 0; codes[i] != NULL; i++)
    printf ("%s\n", codes[i]);
  g_print ("\n%s\n", _("Keep these recovery codes somewhere safe, apart from this computer: each one "
                       "signs in once instead of a code from the app, and they are not shown again."));
}

/* An app password in fours, as the contract shows it (input ignores the
 * spaces). */
static void
print_grouped (const char *password)
{
  size_t length = strlen (password);

  for (size_t i = 0; i < length; i += 4)
    printf ("%s%.4s", i > 0 ? " " : "", password + i);
  printf ("\n");
}

static void
add_app_password_members (JsonBuilder         *b,
                          PassportAppPassword *item)
{
  g_autofree char *created = format_utc (passport_app_password_get_created_at (item));
  g_autofree char *last_used = format_utc (passport_app_password_get_last_used_at (item));

  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, passport_app_password_get_id (item));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, passport_app_password_get_name (item));
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "last_used_at");
  json_builder_add_string_value (b, last_used);
}

/* @text padded with spaces to @width characters (not bytes). */
static void
print_cell (const char *text,
            glong       width)
{
  printf ("%s%*s", text, (int) MAX (0, width - g_utf8_strlen (text, -1)), "");
}

/* @cells, row after row of @columns (the headers first), in columns
 * two spaces apart; the last column is not padded. */
static void
print_table (GPtrArray *cells,
             guint      columns)
{
  g_autofree glong *widths = g_new0 (glong, columns);

  for (guint i = 0; i < cells->len; i++)
    widths[i % columns] = MAX (widths[i % columns], g_utf8_strlen (cells->pdata[i], -1));
  for (guint i = 0; i < cells->len; i++)
    {
      if (i % columns == columns - 1)
        printf ("%s\n", (char *) cells->pdata[i]);
      else
        {
          print_cell (cells->pdata[i], widths[i % columns]);
          printf ("  ");
        }
    }
}

static void
print_app_passwords (GListModel *list)
{
  guint n = g_list_model_get_n_items (list);
  const char *headers[] = { _("ID"), _("NAME"), _("CREATED"), _("LAST USED") };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "app_passwords");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PassportAppPassword) item = g_list_model_get_item (list, i);

          json_builder_begin_object (b);
          add_app_password_members (b, item);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
      return;
    }

  if (n == 0)
    {
      g_print ("%s\n", _("This account has no app passwords."));
      return;
    }

  for (guint c = 0; c < 4; c++)
    g_ptr_array_add (cells, g_strdup (headers[c]));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PassportAppPassword) item = g_list_model_get_item (list, i);
      GDateTime *last_used = passport_app_password_get_last_used_at (item);

      g_ptr_array_add (cells, g_strdup (passport_app_password_get_id (item)));
      g_ptr_array_add (cells, g_strdup (passport_app_password_get_name (item)));
      g_ptr_array_add (cells, format_local (passport_app_password_get_created_at (item)));
      g_ptr_array_add (cells, last_used != NULL ? format_local (last_used) : g_strdup (_("never")));
    }
  print_table (cells, G_N_ELEMENTS (headers));
}

/* Sessions (contract 9) --------------------------------------------------- */

/* How a session began, in words; a method a newer server names is shown
 * as it says it. */
static const char *
describe_method (const char *method)
{
  if (g_str_equal (method, "browser"))
    return C_("session method", "browser");
  if (g_str_equal (method, "password"))
    return C_("session method", "password");
  if (g_str_equal (method, "app_password"))
    return C_("session method", "app password");
  if (g_str_equal (method, "device"))
    return C_("session method", "code on another device");
  return method;
}

static void
print_sessions (GListModel *list)
{
  guint n = g_list_model_get_n_items (list);
  const char *headers[] = { _("ID"), _("DEVICE"), _("METHOD"), _("LAST USED"), _("IP") };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sessions");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PassportSessionInfo) item = g_list_model_get_item (list, i);
          g_autofree char *created = format_utc (passport_session_info_get_created_at (item));
          g_autofree char *last_used = format_utc (passport_session_info_get_last_used_at (item));

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, passport_session_info_get_id (item));
          json_builder_set_member_name (b, "client_id");
          json_builder_add_string_value (b, passport_session_info_get_client_id (item));
          json_builder_set_member_name (b, "client_name");
          json_builder_add_string_value (b, passport_session_info_get_client_name (item));
          json_builder_set_member_name (b, "device_name");
          json_builder_add_string_value (b, passport_session_info_get_device_name (item));
          json_builder_set_member_name (b, "method");
          json_builder_add_string_value (b, passport_session_info_get_method (item));
          json_builder_set_member_name (b, "created_at");
          json_builder_add_string_value (b, created);
          json_builder_set_member_name (b, "last_used_at");
          json_builder_add_string_value (b, last_used);
          json_builder_set_member_name (b, "ip");
          json_builder_add_string_value (b, passport_session_info_get_ip (item));
          json_builder_set_member_name (b, "current");
          json_builder_add_boolean_value (b, passport_session_info_get_current (item));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
      return;
    }

  if (n == 0)
    {
      g_print ("%s\n", _("This account is signed in nowhere."));
      return;
    }

  /* The ids are marked in a margin of their own: "* " for this device. */
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    g_ptr_array_add (cells, g_strconcat (c == 0 ? "  " : "", headers[c], NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PassportSessionInfo) item = g_list_model_get_item (list, i);
      const char *device = passport_session_info_get_device_name (item);
      const char *ip = passport_session_info_get_ip (item);

      g_ptr_array_add (cells, g_strconcat (passport_session_info_get_current (item) ? "* " : "  ",
                                           passport_session_info_get_id (item), NULL));
      g_ptr_array_add (cells, g_strdup (device != NULL ? device : _("unknown device")));
      g_ptr_array_add (cells, g_strdup (describe_method (passport_session_info_get_method (item))));
      g_ptr_array_add (cells, format_local (passport_session_info_get_last_used_at (item)));
      g_ptr_array_add (cells, g_strdup (ip != NULL ? ip : "-"));
    }
  print_table (cells, G_N_ELEMENTS (headers));
  g_print ("\n%s\n", _("* this device"));
}

/* Sign-in with another device (contract 11) ------------------------------- */

#define QR_QUIET_ZONE 4

/* Whether the module at (@x, @y) of @qr, counted from the outer corner of
 * its quiet zone, is light. */
static gboolean
qr_light (const QRcode *qr,
          int           x,
          int           y)
{
  x -= QR_QUIET_ZONE;
  y -= QR_QUIET_ZONE;
  if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
    return TRUE;
  return (qr->data[y * qr->width + x] & 1) == 0;
}

/* @text as a QR code of half blocks, two modules a character row. The
 * glyphs draw the light modules (as `qrencode -t UTF8` does), so that a
 * terminal's usual light text on dark shows it dark on light; @colour sets
 * those colours, whatever the terminal's theme. */
static void
print_qr_code (const char *text,
               gboolean    colour)
{
  /* By (top light, bottom light). */
  static const char * const glyphs[2][2] = { { " ", "▄" }, { "▀", "█" } };
  QRcode *qr = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  int size;

  if (qr == NULL)
    {
      g_debug ("no QR code could be made of the link");
      return;
    }
  size = qr->width + 2 * QR_QUIET_ZONE;
  for (int y = 0; y < size; y += 2)
    {
      g_autoptr(GString) row = g_string_new (colour ? "\033[97;40m" : "");

      for (int x = 0; x < size; x++)
        g_string_append (row, glyphs[qr_light (qr, x, y)][qr_light (qr, x, y + 1)]);
      g_print ("%s%s\n", row->str, colour ? "\033[0m" : "");
    }
  QRcode_free (qr);
}

/* The server has answered: the code, the link and how long the code works,
 * for people, or one JSON line a script can hand on at once. The device
 * code stays in the core. */
static void
device_code_cb (PassportDeviceSignIn *device,
                GParamSpec           *pspec,
                gpointer              data)
{
  const char *user_code = passport_device_sign_in_get_user_code (device);
  const char *link = passport_device_sign_in_get_verification_uri (device);
  const char *complete = passport_device_sign_in_get_verification_uri_complete (device);
  gint64 left = passport_device_sign_in_get_deadline (device) - g_get_monotonic_time ();
  guint seconds = left > 0 ? (guint) ((left + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC) : 0;
  gboolean terminal = isatty (STDOUT_FILENO);

  if (user_code == NULL)
    return;

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "user_code");
      json_builder_add_string_value (b, user_code);
      json_builder_set_member_name (b, "verification_uri");
      json_builder_add_string_value (b, link);
      json_builder_set_member_name (b, "verification_uri_complete");
      json_builder_add_string_value (b, complete);
      json_builder_set_member_name (b, "expires_in");
      json_builder_add_int_value (b, seconds);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      /* One line, out now: the final status follows when it is over. */
      g_print ("%s\n", text);
      return;
    }

  /* Translators: the first %s is a link, the second a code such as BCDF-GHJK */
  g_print (_("To sign in, open this link on a phone or another computer and enter the code:\n"
             "\n"
             "  Link: %s\n"
             "  Code: %s\n"
             "\n"), link, user_code);
  if (seconds >= 60)
    {
      guint minutes = (seconds + 30) / 60;
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) until = g_date_time_add_seconds (now, seconds);
      g_autofree char *at = g_date_time_format (until, "%H:%M");

      /* Translators: %u is a number of minutes, %s a local time such as 18:05 */
      g_print (g_dngettext (GETTEXT_PACKAGE, "The code works for %u minute, until %s.\n",
                            "The code works for %u minutes, until %s.\n", minutes),
               minutes, at);
    }
  else
    g_print (g_dngettext (GETTEXT_PACKAGE, "The code works for %u more second.\n",
                          "The code works for %u more seconds.\n", seconds),
             seconds);

  /* Half blocks need UTF-8; a file or a pipe gets them only when asked. */
  if ((terminal || opt_qr) && g_get_charset (NULL))
    {
      g_print ("%s\n\n", _("Or scan this QR code with the phone: it opens the link with the code filled in."));
      print_qr_code (complete != NULL ? complete : link, terminal && g_getenv ("NO_COLOR") == NULL);
      g_print ("\n");
    }
  g_printerr (_("Waiting for the sign-in to be approved on the other device (Ctrl+C cancels)…\n"));
}

static void
device_sign_in_cb (PassportFlow *flow,
                   GParamSpec   *pspec,
                   gpointer      data)
{
  PassportDeviceSignIn *device = passport_flow_get_device_sign_in (flow);

  if (device != NULL)
    g_signal_connect (device, "notify::user-code", G_CALLBACK (device_code_cb), NULL);
}

static gboolean
cancel_flow_on_signal (gpointer data)
{
  passport_flow_cancel (data);
  return G_SOURCE_CONTINUE;
}

/* Waits for the other device's answer; Ctrl+C cancels through the flow,
 * which drops the request and goes back to signed out. */
static gboolean
sign_in_with_device (PassportFlow  *flow,
                     GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gulong notify = g_signal_connect (flow, "notify::device-sign-in", G_CALLBACK (device_sign_in_cb), NULL);
  guint sigint = g_unix_signal_add (SIGINT, cancel_flow_on_signal, flow);
  guint sigterm = g_unix_signal_add (SIGTERM, cancel_flow_on_signal, flow);
  gboolean ok;

  passport_flow_sign_in_with_device_async (flow, NULL, keep_result, &result);
  ok = passport_flow_sign_in_with_device_finish (flow, await_result (&result), error);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handler_disconnect (flow, notify);
  if (!ok && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr (_("Sign-in cancelled.\n"));
  return ok;
}

/* A sign-in in the browser, the first one (sign-in --provider) or again
 * as a proof (--sign-in-again): browser_url_cb prints the address before
 * the flow opens the browser, and Ctrl+C cancels through the flow, so a
 * session refreshed meanwhile still reaches the keyring. */
static gboolean
sign_in_in_browser (PassportFlow  *flow,
                    const char    *provider,
                    gboolean       again,
                    GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint sigint = g_unix_signal_add (SIGINT, cancel_flow_on_signal, flow);
  guint sigterm = g_unix_signal_add (SIGTERM, cancel_flow_on_signal, flow);
  gboolean ok;

  if (again)
    {
      passport_flow_sign_in_again_async (flow, provider, NULL, keep_result, &result);
      ok = passport_flow_sign_in_again_finish (flow, await_result (&result), error);
    }
  else
    {
      passport_flow_sign_in_with_provider_async (flow, provider, NULL, keep_result, &result);
      ok = passport_flow_sign_in_with_provider_finish (flow, await_result (&result), error);
    }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (!ok && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr (_("Sign-in cancelled.\n"));
  return ok;
}

/* Whether the command sends a proof (contract 4): the ones marked * in
 * --help. */
static gboolean
sends_proof (const char *command,
             const char *subcommand)
{
  if (g_str_equal (command, "delete-account"))
    return TRUE;
  if (subcommand == NULL)
    return FALSE;
  if (g_str_equal (command, "otp"))
    return g_strv_contains ((const char *[]) { "setup", "recovery-codes", "disable", NULL },
                            subcommand);
  if (g_str_equal (command, "app-passwords"))
    return g_str_equal (subcommand, "create");
  if (g_str_equal (command, "identities"))
    return g_str_equal (subcommand, "link");
  return FALSE;
}

/* The proof for a call: with --sign-in-again a new sign-in in the browser
 * (max_age=0), after which the call needs none; else read_proof(). The
 * flow's client changes with the session: take it again after this. */
static gboolean
prove (PassportFlow       *flow,
       PassportProofKind  *kind,
       char              **proof,
       GError            **error)
{
  *kind = PASSPORT_PROOF_NONE;
  *proof = NULL;
  if (opt_sign_in_again)
    return sign_in_in_browser (flow, opt_provider, TRUE, error);
  *kind = read_proof (flow, proof);
  return TRUE;
}

static gboolean
cancel_on_signal (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_CONTINUE;
}

/* The server's feature (contract section 1) a command needs, and what
 * passportctl says when the server does not list it. */
static const char *
command_feature (const char  *command,
                 const char **unsupported)
{
  if (g_str_equal (command, "otp"))
    {
      *unsupported = _("This server does not offer two-step sign-in.");
      return "otp";
    }
  if (g_str_equal (command, "app-passwords"))
    {
      *unsupported = _("This server does not offer app passwords.");
      return "app_passwords";
    }
  if (g_str_equal (command, "sessions"))
    {
      *unsupported = _("This server does not offer the list of sessions.");
      return "sessions";
    }
  *unsupported = _("This server does not offer account deletion.");
  return "delete_account";
}

/* After this session was ended on the server (its own id revoked, the
 * account deleted): signed out here too, as sign-out does, so the keyring
 * item goes and nothing is left to restore. */
static void
sign_out_here (PassportFlow *flow)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  passport_flow_sign_out_async (flow, NULL, keep_result, &result);
  if (!passport_flow_sign_out_finish (flow, await_result (&result), &error))
    g_debug ("signing out after the session ended: %s", error->message);
}

/* passportctl otp …, app-passwords …, sessions … and delete-account: calls
 * of the session's account API client, which the flow hands out once
 * signed in. */
static int
account_command (PassportFlow *flow,
                 const char   *command,
                 const char   *subcommand,
                 const char   *argument)
{
  PassportServer *server = passport_flow_get_server (flow);
  PassportClient *client = passport_flow_get_client (flow);
  gboolean otp = g_str_equal (command, "otp");
  gboolean sessions = g_str_equal (command, "sessions");
  gboolean delete_account = g_str_equal (command, "delete-account");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSecret) proof = NULL;
  PassportProofKind proof_kind = PASSPORT_PROOF_NONE;
  const char *unsupported_message;
  gboolean ended_here = FALSE;
  guint sigint, sigterm;

  if (!passport_server_has_feature (server, command_feature (command, &unsupported_message)))
    {
      g_autoptr(GError) unsupported = passport_error_new_for_user (PASSPORT_ERROR_NOT_SUPPORTED,
                                                                   unsupported_message);
      return report_account_error (flow, command, unsupported);
    }
  if (client == NULL)
    {
      print_status (flow, TRUE);
      return flush_and_exit (flow, exit_code_for (flow) == EXIT_OK ? EXIT_NEEDS_ACTION
                                                                   : exit_code_for (flow));
    }

  if (sends_proof (command, subcommand))
    {
      if (!prove (flow, &proof_kind, &proof, &error))
        return report_account_error (flow, command, error);
      client = passport_flow_get_client (flow);
    }

  /* Ctrl+C stops the call; the keyring still gets a refreshed session.
   * Not while reading the password: the terminal's echo is off then. */
  sigint = g_unix_signal_add (SIGINT, cancel_on_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, cancel_on_signal, cancellable);

  if (otp && g_str_equal (subcommand, "setup"))
    {
      g_autoptr(PassportOtpSetup) setup = NULL;

      passport_client_otp_setup_async (client, proof_kind, proof, cancellable, keep_result, &result);
      setup = passport_client_otp_setup_finish (client, await_result (&result), &error);
      if (setup != NULL)
        {
          g_autofree char *expires_utc = format_utc (setup->expires_at);

          if (opt_json)
            {
              g_autoptr(JsonBuilder) b = json_builder_new ();

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "secret");
              json_builder_add_string_value (b, setup->secret);
              json_builder_set_member_name (b, "otpauth_uri");
              json_builder_add_string_value (b, setup->otpauth_uri);
              json_builder_set_member_name (b, "expires_at");
              json_builder_add_string_value (b, expires_utc);
              json_builder_end_object (b);
              print_json (b);
            }
          else
            {
              g_autofree char *expires = format_local (setup->expires_at);

              /* The secret is printed with printf, never through a log
               * handler or standard error. */
              printf ("%s %s\n", _("Secret:"), setup->secret);
              printf ("%s %s\n", _("URI:"), setup->otpauth_uri);
              g_print ("\n");
              /* Translators: %s is a local date and time */
              g_print (_("Add the secret (or the URI, e.g. as a QR code) to your authenticator app, "
                         "then turn two-step sign-in on with “passportctl otp confirm CODE”, giving "
                         "the app’s code, before %s.\n"), expires);
            }
        }
    }
  else if (otp && g_str_equal (subcommand, "confirm"))
    {
      g_auto(GStrv) codes = NULL;

      passport_client_otp_confirm_async (client, argument, cancellable, keep_result, &result);
      codes = passport_client_otp_confirm_finish (client, await_result (&result), &error);
      if (codes != NULL)
        {
          if (!opt_json)
            g_print ("%s\n\n", _("Two-step sign-in is on. Your recovery codes:"));
          print_recovery_codes (codes);
          passport_secure_strfreev (g_steal_pointer (&codes));
        }
    }
  else if (otp && g_str_equal (subcommand, "recovery-codes"))
    {
      g_auto(GStrv) codes = NULL;

      passport_client_new_recovery_codes_async (client, proof_kind, proof, cancellable,
                                                keep_result, &result);
      codes = passport_client_new_recovery_codes_finish (client, await_result (&result), &error);
      if (codes != NULL)
        {
          if (!opt_json)
            g_print ("%s\n\n", _("A new set of recovery codes; the old ones no longer work:"));
          print_recovery_codes (codes);
          passport_secure_strfreev (g_steal_pointer (&codes));
        }
    }
  else if (otp && g_str_equal (subcommand, "disable"))
    {
      g_autoptr(PassportAccount) account = NULL;

      passport_client_otp_disable_async (client, proof_kind, proof, cancellable, keep_result, &result);
      account = passport_client_otp_disable_finish (client, await_result (&result), &error);
      if (account != NULL && opt_json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "otp");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "enabled");
          json_builder_add_boolean_value (b, passport_account_get_otp_enabled (account));
          json_builder_set_member_name (b, "recovery_codes_left");
          json_builder_add_int_value (b, passport_account_get_recovery_codes_left (account));
          json_builder_end_object (b);
          json_builder_end_object (b);
          print_json (b);
        }
      else if (account != NULL)
        g_print ("%s\n", _("Two-step sign-in is off: signing in with the password needs no code now."));
    }
  else if (sessions && g_str_equal (subcommand, "list"))
    {
      g_autoptr(GListModel) list = NULL;

      passport_client_list_sessions_async (client, cancellable, keep_result, &result);
      list = passport_client_list_sessions_finish (client, await_result (&result), &error);
      if (list != NULL)
        print_sessions (list);
    }
  else if (sessions && g_str_equal (subcommand, "revoke"))
    {
      g_autoptr(GListModel) list = NULL;
      gboolean current = FALSE;

      /* Whether it is this device's own session, which makes it a
       * sign-out here. */
      passport_client_list_sessions_async (client, cancellable, keep_result, &result);
      list = passport_client_list_sessions_finish (client, await_result (&result), &error);
      g_clear_object (&result);
      for (guint i = 0; list != NULL && i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr(PassportSessionInfo) item = g_list_model_get_item (list, i);

          if (g_str_equal (passport_session_info_get_id (item), argument))
            current = passport_session_info_get_current (item);
        }
      if (list != NULL)
        {
          passport_client_revoke_session_async (client, argument, cancellable, keep_result, &result);
          ended_here = passport_client_revoke_session_finish (client, await_result (&result), &error) &&
                       current;
        }
      if (error == NULL && opt_json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "revoked");
          json_builder_add_string_value (b, argument);
          json_builder_set_member_name (b, "current");
          json_builder_add_boolean_value (b, current);
          json_builder_end_object (b);
          print_json (b);
        }
      else if (error == NULL && current)
        /* Translators: %s is a session's id */
        g_print (_("Session %s signed out. It was this device’s own session, so you are signed out "
                   "here too.\n"), argument);
      else if (error == NULL)
        /* Translators: %s is a session's id */
        g_print (_("Session %s signed out.\n"), argument);
    }
  else if (sessions && g_str_equal (subcommand, "revoke-others"))
    {
      guint revoked = 0;

      passport_client_revoke_other_sessions_async (client, cancellable, keep_result, &result);
      if (passport_client_revoke_other_sessions_finish (client, await_result (&result), &revoked, &error))
        {
          if (opt_json)
            {
              g_autoptr(JsonBuilder) b = json_builder_new ();

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "revoked");
              json_builder_add_int_value (b, revoked);
              json_builder_end_object (b);
              print_json (b);
            }
          else
            g_print (g_dngettext (GETTEXT_PACKAGE, "Signed out on %u other device.\n",
                                  "Signed out on %u other devices.\n", revoked),
                     revoked);
        }
    }
  else if (delete_account)
    {
      PassportAccount *account = passport_flow_get_account (flow);
      g_autofree char *id = g_strdup (account != NULL ? passport_account_get_id (account) : NULL);

      passport_client_delete_account_async (client, proof_kind, proof, cancellable, keep_result, &result);
      ended_here = passport_client_delete_account_finish (client, await_result (&result), &error);
      if (ended_here && opt_json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "deleted");
          json_builder_add_string_value (b, id);
          json_builder_end_object (b);
          print_json (b);
        }
      else if (ended_here)
        g_print ("%s\n", _("The account is deleted, for good, and you are signed out here."));
    }
  else if (g_str_equal (subcommand, "list"))
    {
      g_autoptr(GListModel) list = NULL;

      passport_client_list_app_passwords_async (client, cancellable, keep_result, &result);
      list = passport_client_list_app_passwords_finish (client, await_result (&result), &error);
      if (list != NULL)
        print_app_passwords (list);
    }
  else if (g_str_equal (subcommand, "create"))
    {
      g_autoptr(PassportAppPassword) item = NULL;
      g_autoptr(PassportSecret) password = NULL;

      passport_client_create_app_password_async (client, argument, proof_kind, proof, cancellable,
                                                 keep_result, &result);
      item = passport_client_create_app_password_finish (client, await_result (&result), &password,
                                                         &error);
      if (item != NULL && opt_json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          add_app_password_members (b, item);
          json_builder_set_member_name (b, "password");
          json_builder_add_string_value (b, password);
          json_builder_end_object (b);
          print_json (b);
        }
      else if (item != NULL)
        {
          print_grouped (password);
          g_print ("\n");
          /* Translators: %s is the name the user gave the app password */
          g_print (_("Use this instead of your password in “%s”, with your e-mail as the user name; "
                     "it skips the code of two-step sign-in. It is not shown again: "
                     "“passportctl app-passwords revoke %s” stops it.\n"),
                   passport_app_password_get_name (item), passport_app_password_get_id (item));
        }
    }
  else if (g_str_equal (subcommand, "revoke"))
    {
      passport_client_revoke_app_password_async (client, argument, cancellable, keep_result, &result);
      if (passport_client_revoke_app_password_finish (client, await_result (&result), &error))
        {
          if (opt_json)
            {
              g_autoptr(JsonBuilder) b = json_builder_new ();

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "revoked");
              json_builder_add_string_value (b, argument);
              json_builder_end_object (b);
              print_json (b);
            }
          else
            /* Translators: %s is an app password's id */
            g_print (_("App password %s revoked; the sessions it started have ended.\n"), argument);
        }
    }

  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (ended_here)
    sign_out_here (flow);
  if (error != NULL)
    return report_account_error (flow, command, error);
  return flush_and_exit (flow, EXIT_OK);
}

/* Linked sign-in methods (contract 10) ------------------------------------ */

/* A network's name as the server gives it ("Google"), else its id. */
static const char *
network_name (PassportFlow *flow,
              const char   *provider)
{
  PassportServer *server = passport_flow_get_server (flow);
  PassportProvider *found = server != NULL ? passport_server_find_provider (server, provider) : NULL;

  return found != NULL ? passport_provider_get_name (found) : provider;
}

/* Whether @account signs in with @provider. */
static gboolean
has_identity (PassportAccount *account,
              const char      *provider)
{
  GListModel *list = passport_account_get_identities (account);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(PassportIdentity) identity = g_list_model_get_item (list, i);

      if (g_str_equal (passport_identity_get_provider (identity), provider))
        return TRUE;
    }
  return FALSE;
}

/* The networks linked to the account, and for people those the server
 * offers besides, which "identities link" takes. The core does not keep
 * linked_at, so it is not shown. */
static void
print_identities (PassportFlow    *flow,
                  PassportAccount *account)
{
  GListModel *list = passport_account_get_identities (account);
  GListModel *offered = passport_server_get_providers (passport_flow_get_server (flow));
  guint n = g_list_model_get_n_items (list);
  const char *headers[] = { _("PROVIDER"), _("NETWORK"), _("E-MAIL"), _("LINKED") };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) others = g_string_new (NULL);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "identities");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PassportIdentity) identity = g_list_model_get_item (list, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "provider");
          json_builder_add_string_value (b, passport_identity_get_provider (identity));
          json_builder_set_member_name (b, "email");
          json_builder_add_string_value (b, passport_identity_get_email (identity));
          json_builder_set_member_name (b, "email_verified");
          json_builder_add_boolean_value (b, passport_identity_get_email_verified (identity));
          json_builder_set_member_name (b, "linked_at");
          {
            g_autofree char *linked = format_utc (passport_identity_get_linked_at (identity));

            json_builder_add_string_value (b, linked);
          }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
      return;
    }

  if (n == 0)
    g_print ("%s\n", _("No social network is linked to this account."));
  else
    {
      for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
        g_ptr_array_add (cells, g_strdup (headers[c]));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PassportIdentity) identity = g_list_model_get_item (list, i);
          const char *provider = passport_identity_get_provider (identity);
          const char *email = passport_identity_get_email (identity);

          g_ptr_array_add (cells, g_strdup (provider));
          g_ptr_array_add (cells, g_strdup (network_name (flow, provider)));
          g_ptr_array_add (cells, g_strdup (email != NULL ? email : "-"));
          g_ptr_array_add (cells, passport_identity_get_linked_at (identity) != NULL
                                    ? format_local (passport_identity_get_linked_at (identity))
                                    : g_strdup ("-"));
        }
      print_table (cells, G_N_ELEMENTS (headers));
    }

  for (guint i = 0; i < g_list_model_get_n_items (offered); i++)
    {
      g_autoptr(PassportProvider) provider = g_list_model_get_item (offered, i);

      if (!has_identity (account, passport_provider_get_id (provider)))
        g_string_append_printf (others, "%s%s", others->len > 0 ? ", " : "",
                                passport_provider_get_id (provider));
    }
  if (others->len > 0)
    /* Translators: %s is a list of network ids such as "vk, github" */
    g_print (_("Can be linked too (“passportctl identities link PROVIDER”): %s\n"), others->str);
}

/* The wait for a link's outcome (the account's identity_link with the
 * attempt's id): the long poll, the link's 10 minutes and Ctrl+C race. */
typedef struct
{
  PassportAccount *account;
  const char      *id;
  /* linked, failed, cancelled (contract 10), or lapsed, replaced (a newer
   * attempt voided this one), pending (Ctrl+C), error (the watch failed). */
  const char      *status;
  GError          *error;
  gboolean         launching;
} LinkWait;

static void
link_changed_cb (PassportAccountWatch *watch,
                 LinkWait             *wait)
{
  const char *id = passport_account_get_identity_link_id (wait->account);
  const char *status = passport_account_get_identity_link_status (wait->account);

  if (wait->status != NULL || id == NULL)
    return;
  if (!g_str_equal (id, wait->id))
    wait->status = "replaced";
  else if (g_strcmp0 (status, "linked") == 0)
    wait->status = "linked";
  else if (g_strcmp0 (status, "cancelled") == 0)
    wait->status = "cancelled";
  else if (g_strcmp0 (status, "failed") == 0)
    {
      const char *code = passport_account_get_identity_link_error (wait->account);

      wait->status = "failed";
      wait->error = g_error_new_literal (PASSPORT_ERROR, passport_error_code_from_string (code),
                                         passport_error_code_describe (passport_error_code_from_string (code)));
    }
}

/* The session ended meanwhile (or the account is gone). */
static void
link_watch_failed_cb (PassportAccountWatch *watch,
                      const GError         *error,
                      LinkWait             *wait)
{
  if (wait->status != NULL)
    return;
  wait->status = "error";
  wait->error = g_error_copy (error);
}

/* The watch keeps trying with backoff; the user hears why it is quiet. */
static void
link_trouble_cb (PassportAccountWatch *watch,
                 const GError         *error,
                 LinkWait             *wait)
{
  if (error != NULL)
    g_printerr (_("Warning: %s\n"), passport_error_describe (error));
}

static gboolean
link_lapsed_cb (gpointer data)
{
  LinkWait *wait = data;

  if (wait->status == NULL)
    wait->status = "lapsed";
  return G_SOURCE_REMOVE;
}

static gboolean
link_stop_cb (gpointer data)
{
  LinkWait *wait = data;

  if (wait->status == NULL)
    wait->status = "pending";
  return G_SOURCE_CONTINUE;
}

static void
link_launched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  LinkWait *wait = data;
  g_autoptr(GError) error = NULL;

  wait->launching = FALSE;
  if (!passport_browser_launch_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr (_("No web browser could be opened. Open the link above in a browser yourself, on "
                  "this machine or another one; this waits for the outcome (Ctrl+C stops it).\n"));
}

/* The link for people (and its id for scripts, one JSON line at once):
 * standard output, since the user must open it; it holds a one-time
 * ticket, so never standard error or the log. */
static void
print_link (PassportFlow *flow,
            const char   *provider,
            const char   *id,
            const char   *url)
{
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(PassportSecret) text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "provider");
      json_builder_add_string_value (b, provider);
      json_builder_set_member_name (b, "link_url");
      json_builder_add_string_value (b, url);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  else
    {
      /* Translators: %s is a social network, e.g. "Google" */
      printf (_("To link %s, open this link in a browser and sign in there with that network "
                "(it works once, for 10 minutes):\n"), network_name (flow, provider));
      printf ("\n  %s\n\n", url);
    }
  fflush (stdout);
}

/* How the wait ended, in one sentence. */
static char *
describe_link_outcome (PassportFlow   *flow,
                       const char     *provider,
                       const LinkWait *wait)
{
  if (g_str_equal (wait->status, "linked"))
    /* Translators: %s is a social network, e.g. "Google" */
    return g_strdup_printf (_("%s is now linked to your account."), network_name (flow, provider));
  if (g_str_equal (wait->status, "cancelled"))
    return g_strdup (_("Linking was cancelled in the browser."));
  if (g_str_equal (wait->status, "lapsed"))
    return g_strdup (_("The link has lapsed. Try again."));
  if (g_str_equal (wait->status, "replaced"))
    return g_strdup (_("Another link was started for this account since, so this one no longer works."));
  if (g_str_equal (wait->status, "pending"))
    return g_strdup (_("Stopped waiting. The link still works until it lapses; "
                       "“passportctl identities list” shows whether the network was linked."));
  return g_strdup (passport_error_describe (wait->error));
}

/* identities link PROVIDER: the proof, the link (printed, then opened),
 * and the outcome through the long poll of GET /me. */
static int
link_identity (PassportFlow *flow,
               const char   *provider)
{
  PassportClient *client;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSecret) proof = NULL;
  g_autoptr(PassportSecret) url = NULL;
  g_autoptr(PassportAccountWatch) watch = NULL;
  g_autofree char *id = NULL;
  g_autofree char *message = NULL;
  LinkWait wait = { passport_flow_get_account (flow), NULL, NULL, NULL, FALSE };
  PassportProofKind proof_kind;
  guint sigint, sigterm, lapse, seconds = 0;

  if (!prove (flow, &proof_kind, &proof, &error))
    return report_account_error (flow, "identities", error);
  client = passport_flow_get_client (flow);
  /* Ctrl+C stops the call, then the wait; not while reading the
   * password, since the terminal's echo is off then. */
  sigint = g_unix_signal_add (SIGINT, cancel_on_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, cancel_on_signal, cancellable);
  passport_client_link_identity_async (client, provider, proof_kind, proof, cancellable, keep_result, &result);
  url = passport_client_link_identity_finish (client, await_result (&result), &id, &seconds, &error);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (url == NULL)
    return report_account_error (flow, "identities", error);

  wait.id = id;
  print_link (flow, provider, id, url);
  if (!opt_json)
    g_printerr ("%s\n", opt_no_browser ? _("Waiting for the outcome (Ctrl+C stops)…")
                                       : _("Opening your browser. Waiting for the outcome (Ctrl+C stops)…"));

  /* Followed from before the browser opens: the POST has moved the
   * revision, so the first answer comes at once and says pending. */
  watch = passport_account_watch_new (client, wait.account);
  g_signal_connect (watch, "changed", G_CALLBACK (link_changed_cb), &wait);
  g_signal_connect (watch, "failed", G_CALLBACK (link_watch_failed_cb), &wait);
  g_signal_connect (watch, "trouble", G_CALLBACK (link_trouble_cb), &wait);
  passport_account_watch_start (watch);
  lapse = g_timeout_add (seconds * 1000, link_lapsed_cb, &wait);
  sigint = g_unix_signal_add (SIGINT, link_stop_cb, &wait);
  sigterm = g_unix_signal_add (SIGTERM, link_stop_cb, &wait);
  if (!opt_no_browser)
    {
      wait.launching = TRUE;
      passport_browser_launch_async (passport_flow_get_browser_command (flow), url, cancellable,
                                     link_launched_cb, &wait);
    }

  while (wait.status == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (lapse);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (watch, &wait);
  passport_account_watch_stop (watch);
  /* The launch callback holds &wait: it must have run before returning. */
  g_cancellable_cancel (cancellable);
  while (wait.launching)
    g_main_context_iteration (NULL, TRUE);

  message = describe_link_outcome (flow, provider, &wait);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "provider");
      json_builder_add_string_value (b, provider);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, wait.status);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_set_member_name (b, "error");
      if (wait.error != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, wait.error->domain == PASSPORT_ERROR
                                              ? passport_error_code_to_string (wait.error->code) : NULL);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, message);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      print_json (b);
    }
  else if (g_str_equal (wait.status, "linked"))
    g_print ("%s\n", message);
  else if (wait.error != NULL)
    g_printerr (_("Error: %s\n"), message);
  else
    g_printerr ("%s\n", message);

  g_clear_error (&wait.error);
  return flush_and_exit (flow, g_str_equal (wait.status, "linked") ? EXIT_OK : EXIT_ERROR);
}

/* passportctl identities list | link PROVIDER | unlink PROVIDER. */
static int
identities_command (PassportFlow *flow,
                    const char   *subcommand,
                    const char   *provider)
{
  PassportClient *client = passport_flow_get_client (flow);
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account = NULL;
  guint sigint, sigterm;

  if (!passport_server_has_feature (passport_flow_get_server (flow), "identities"))
    {
      g_autoptr(GError) unsupported = passport_error_new_for_user (
        PASSPORT_ERROR_NOT_SUPPORTED, _("This server does not offer linked sign-in methods."));

      return report_account_error (flow, "identities", unsupported);
    }
  if (client == NULL || passport_flow_get_account (flow) == NULL)
    {
      print_status (flow, TRUE);
      return flush_and_exit (flow, exit_code_for (flow) == EXIT_OK ? EXIT_NEEDS_ACTION
                                                                   : exit_code_for (flow));
    }

  if (g_str_equal (subcommand, "list"))
    {
      print_identities (flow, passport_flow_get_account (flow));
      return flush_and_exit (flow, EXIT_OK);
    }
  if (g_str_equal (subcommand, "link"))
    return link_identity (flow, provider);

  cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, cancel_on_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, cancel_on_signal, cancellable);
  passport_client_unlink_identity_async (client, provider, cancellable, keep_result, &result);
  account = passport_client_unlink_identity_finish (client, await_result (&result), &error);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (account == NULL)
    return report_account_error (flow, "identities", error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "unlinked");
      json_builder_add_string_value (b, provider);
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      /* Translators: %s is a social network, e.g. "Google" */
      g_print (_("%s is unlinked."), network_name (flow, provider));
      g_print ("\n");
    }
  return flush_and_exit (flow, EXIT_OK);
}

/* Accounts ------------------------------------------------------------------ */

static const char *
known_state_id (PassportKnownAccountState state)
{
  switch (state)
    {
    case PASSPORT_KNOWN_ACCOUNT_SIGNED_IN: return "signed-in";
    case PASSPORT_KNOWN_ACCOUNT_NEEDS_SIGN_IN: return "needs-sign-in";
    case PASSPORT_KNOWN_ACCOUNT_UNKNOWN:
    default: return "unknown";
    }
}

static const char *
known_state_text (PassportKnownAccountState state)
{
  switch (state)
    {
    case PASSPORT_KNOWN_ACCOUNT_SIGNED_IN: return _("signed in");
    case PASSPORT_KNOWN_ACCOUNT_NEEDS_SIGN_IN: return _("signed out: sign in again");
    case PASSPORT_KNOWN_ACCOUNT_UNKNOWN:
    default: return _("unknown: the keyring cannot be read");
    }
}

static void
print_accounts (PassportAccounts *accounts)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (accounts));

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PassportKnownAccount) known = g_list_model_get_item (G_LIST_MODEL (accounts), i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "server");
          json_builder_add_string_value (b, passport_known_account_get_server_url (known));
          json_builder_set_member_name (b, "account_id");
          json_builder_add_string_value (b, passport_known_account_get_account_id (known));
          json_builder_set_member_name (b, "email");
          json_builder_add_string_value (b, passport_known_account_get_email (known));
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, passport_known_account_get_name (known));
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, known_state_id (passport_known_account_get_state (known)));
          json_builder_set_member_name (b, "active");
          json_builder_add_boolean_value (b, passport_known_account_get_active (known));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      print_json (b);
      return;
    }

  if (n == 0)
    {
      g_print (_("No accounts yet: “passportctl --server URL sign-in …” adds one.\n"));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PassportKnownAccount) known = g_list_model_get_item (G_LIST_MODEL (accounts), i);

      /* Translators: one account per line: the active one is marked with *;
       * then the e-mail, the server and the state */
      g_print (_("%s %s on %s (%s)\n"), passport_known_account_get_active (known) ? "*" : " ",
               passport_known_account_get_title (known), passport_known_account_get_server_url (known),
               known_state_text (passport_known_account_get_state (known)));
    }
}

/* Signs the account out here (its session revoked, its keyring item
 * deleted) and forgets it; the other accounts stay. */
static int
remove_account (PassportAccounts     *accounts,
                PassportKnownAccount *known)
{
  g_autoptr(GAsyncResult) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = g_strdup (passport_known_account_get_server_url (known));
  g_autofree char *title = g_strdup (passport_known_account_get_title (known));

  passport_disconnect_account_async (accounts, server, passport_known_account_get_account_id (known),
                                      TRUE, NULL, keep_result, &removed);
  if (!passport_disconnect_account_finish (await_result (&removed), &error))
    {
      g_printerr (_("Error: %s\n"), passport_error_describe (error));
      return EXIT_ERROR;
    }
  if (!opt_json)
    /* Translators: %s is the account's e-mail, %s the server */
    g_print (_("Removed %s on %s.\n"), title, server);
  return EXIT_OK;
}

/* passportctl accounts list | switch ACCOUNT | remove ACCOUNT. */
static int
accounts_command (PassportAccounts        *accounts,
                  const char              *subcommand,
                  const char              *query,
                  const char              *server)
{
  g_autoptr(GAsyncResult) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  PassportKnownAccount *known;

  if (g_str_equal (subcommand, "list"))
    {
      print_accounts (accounts);
      return EXIT_OK;
    }

  if (server != NULL && (normalized = passport_server_normalize_url (server, &error)) == NULL)
    {
      g_printerr (_("Error: %s\n"), passport_error_describe (error));
      return EXIT_USAGE;
    }
  known = passport_accounts_find (accounts, normalized, query, &error);
  if (known == NULL)
    {
      g_printerr (_("Error: %s\n"), error->message);
      g_printerr (_("See “passportctl accounts list”.\n"));
      return EXIT_ERROR;
    }
  if (g_str_equal (subcommand, "remove"))
    return remove_account (accounts, known);

  passport_accounts_set_active (accounts, passport_known_account_get_server_url (known),
                                passport_known_account_get_account_id (known));
  passport_accounts_flush_async (accounts, NULL, keep_result, &written);
  if (!passport_accounts_flush_finish (accounts, await_result (&written), &error))
    {
      g_printerr (_("Error: %s\n"), error->message);
      return EXIT_ERROR;
    }
  known = passport_accounts_get_active (accounts);
  if (!opt_json)
    /* Translators: %s is the account's e-mail, %s the server */
    g_print (_("Now using %s on %s.\n"), passport_known_account_get_title (known),
             passport_known_account_get_server_url (known));
  return EXIT_OK;
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
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportCredentialStore) store = NULL;
  g_autoptr(PassportFlow) flow = NULL;
  g_autoptr(PassportAccounts) accounts = NULL;
  PassportKnownAccount *target = NULL;
  const char *account_query;
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok = TRUE;
  const char *command;
  const char *server;
  guint16 first_port, last_port;

  setlocale (LC_ALL, "");
  /* Standard output is for what scripts read (JSON, a token, codes): the
   * log, G_MESSAGES_DEBUG's too, goes to standard error. */
#ifdef G_OS_WIN32
  g_log_set_writer_func (log_to_stderr, NULL, NULL);
#else
  g_log_writer_default_set_use_stderr (TRUE);
#endif
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
    "  sign-in --device            sign in by approving a code on another device\n"
    "                              (a phone): prints the code, the link and, on a\n"
    "                              terminal or with --qr, its QR code, then waits\n"
    "                              (Ctrl+C cancels); --json prints the code as one\n"
    "                              line first\n"
    "  terms                       print the user agreement\n"
    "  accept-terms                accept the user agreement\n"
    "  bind-email ADDRESS          bind an e-mail and create the password (as above)\n"
    "  resend                      send the confirmation mail again\n"
    "  reset-password ADDRESS      forgot the password: mail a link to choose a new\n"
    "                              one (or --email ADDRESS)\n"
    "  sign-out                    revoke the session and forget it\n"
    "  token                       print a valid access token\n"
    "\n"
    "Two-step sign-in and app passwords, when the server offers them (* needs\n"
    "the proof that it is you: the account's password from standard input or\n"
    "asked for without echo, or --otp CODE, or --recovery-code CODE):\n"
    "  otp setup *                 start: print the secret and the otpauth URI\n"
    "  otp confirm CODE            turn it on with the app's first code; prints\n"
    "                              the recovery codes, shown once\n"
    "  otp recovery-codes *        a new set of recovery codes (the old ones stop)\n"
    "  otp disable *               turn two-step sign-in off\n"
    "  app-passwords list          the app passwords: id, name, created, last used\n"
    "  app-passwords create NAME * a password for a program that cannot ask for\n"
    "                              a code, shown once\n"
    "  app-passwords revoke ID     stop an app password\n"
    "\n"
    "Sessions and the account, when the server offers them:\n"
    "  sessions list               where the account is signed in: id, device,\n"
    "                              how, last used, address (* this device)\n"
    "  sessions revoke ID          sign that session out (this device's own: signed\n"
    "                              out here too)\n"
    "  sessions revoke-others      sign out on every other device\n"
    "  delete-account --yes *      delete the account for good; signs out here\n"
    "\n"
    "Several accounts, on one server or several (like the app's):\n"
    "  accounts list               the remembered accounts (* the active one), each\n"
    "                              with its server and whether it is signed in\n"
    "  accounts switch ACCOUNT     make that account (its e-mail or id) the active\n"
    "                              one: the commands work on it by default\n"
    "  accounts remove ACCOUNT     sign it out here and forget it; the others stay\n"
    "sign-in adds an account and makes it the active one; --account ACCOUNT runs\n"
    "one command on another. Without --server, the active account's server.\n"
    "\n"
    "The session is kept in the system keyring, like the app's. $PASSPORT_BROWSER\n"
    "names the browser command to use. A sign-in names this device in the\n"
    "account's sessions with --device-name, $PASSPORT_DEVICE_NAME, or else\n"
    "\"host (system)\".\n"
    "\n"
    "Exit status: 0 signed in (or done), 1 error, 2 wrong usage, 3 something is\n"
    "left to do (not signed in, agreement, e-mail, confirmation; for otp,\n"
    "app-passwords and delete-account: a proof or a fresh sign-in), 4 no\n"
    "keyring. otp, app-passwords, sessions and delete-account exit 1 on a server\n"
    "that does not offer them; delete-account without --yes exits 2. sign-in\n"
    "--device exits 1 when the other device denies, the code lapses, Ctrl+C\n"
    "cancels or the server does not offer it."));

  /* Paragraphs of their own, after the exit status of the rest. */
  description = g_strconcat (g_option_context_get_description (context), "\n\n", _(
    "Linked sign-in methods, when the server offers them (* as above):\n"
    "  identities list             the social networks that sign in to the\n"
    "                              account, and those that can be linked too\n"
    "  identities link PROVIDER *  link another network: prints the link, opens\n"
    "                              it in the browser (not with --no-browser) and\n"
    "                              waits up to the link's 10 minutes for the\n"
    "                              outcome (Ctrl+C stops); exit 0 once linked, 1\n"
    "                              when it failed, was cancelled or lapsed\n"
    "  identities unlink PROVIDER  stop signing in with that network (exit 1 when\n"
    "                              it is the account's only way in)\n"
    "identities exits 1 on a server that does not offer them, 3 when not signed\n"
    "in or a proof is needed."), "\n\n", _(
    "An account without a password proves it is you by a sign-in at most 5\n"
    "minutes old. --sign-in-again gives the commands marked * that proof: they\n"
    "sign in again in the browser first, as sign-in --provider does (the\n"
    "account's first network, or --provider ID), then make the call. Exit 1\n"
    "when that sign-in fails, is cancelled or is another account's."), NULL);
  g_option_context_set_description (context, description);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (context, error->message);

  command = argc > 1 ? argv[1] : "status";
  server = opt_server != NULL ? opt_server : g_getenv ("PASSPORT_SERVER");
  account_query = opt_account != NULL ? opt_account : g_getenv ("PASSPORT_ACCOUNT");

  if (!g_strv_contains ((const char *[]) { "status", "sign-in", "terms", "accept-terms", "bind-email",
                                           "resend", "sign-out", "token", "reset-password", "otp",
                                           "app-passwords", "sessions", "delete-account", "identities",
                                           "accounts", NULL }, command))
    return usage (context, _("Unknown command."));
  if (g_str_equal (command, "accounts") &&
      (argc < 3 || !g_strv_contains ((const char *[]) { "list", "switch", "remove", NULL }, argv[2])))
    return usage (context, _("accounts needs list, switch ACCOUNT or remove ACCOUNT."));
  if (g_str_equal (command, "accounts") && !g_str_equal (argv[2], "list") && argc < 4)
    return usage (context, _("accounts switch and remove need the account’s e-mail or id "
                             "(see “passportctl accounts list”)."));
  if (g_str_equal (command, "accounts") && argc > (g_str_equal (argv[2], "list") ? 3 : 4))
    return usage (context, _("Too many arguments."));
  if ((g_str_equal (command, "accounts") || account_query != NULL) && opt_no_keyring)
    return usage (context, _("Accounts are remembered in the keyring: not with --no-keyring."));
  if (g_str_equal (command, "otp") &&
      (argc < 3 || !g_strv_contains ((const char *[]) { "setup", "confirm", "recovery-codes", "disable", NULL },
                                     argv[2])))
    return usage (context, _("otp needs setup, confirm CODE, recovery-codes or disable."));
  if (g_str_equal (command, "otp") && g_str_equal (argv[2], "confirm") && argc < 4)
    return usage (context, _("otp confirm needs the code from the authenticator app."));
  if (g_str_equal (command, "app-passwords") &&
      (argc < 3 || !g_strv_contains ((const char *[]) { "list", "create", "revoke", NULL }, argv[2])))
    return usage (context, _("app-passwords needs list, create NAME or revoke ID."));
  if (g_str_equal (command, "app-passwords") && g_str_equal (argv[2], "create") &&
      (argc < 4 || !g_utf8_validate (argv[3], -1, NULL) || g_utf8_strlen (argv[3], -1) < 1 ||
       g_utf8_strlen (argv[3], -1) > 64))
    return usage (context, _("app-passwords create needs a name of 1 to 64 characters."));
  if (g_str_equal (command, "app-passwords") && g_str_equal (argv[2], "revoke") && argc < 4)
    return usage (context, _("app-passwords revoke needs the id (see “passportctl app-passwords list”)."));
  if (g_str_equal (command, "sessions") &&
      (argc < 3 || !g_strv_contains ((const char *[]) { "list", "revoke", "revoke-others", NULL }, argv[2])))
    return usage (context, _("sessions needs list, revoke ID or revoke-others."));
  if (g_str_equal (command, "sessions") && g_str_equal (argv[2], "revoke") && argc < 4)
    return usage (context, _("sessions revoke needs the id (see “passportctl sessions list”)."));
  if ((g_str_equal (command, "otp") || g_str_equal (command, "app-passwords") ||
       g_str_equal (command, "sessions")) &&
      argc > (g_strv_contains ((const char *[]) { "confirm", "create", "revoke", NULL }, argv[2]) ? 4 : 3))
    return usage (context, _("Too many arguments (put a name with spaces in quotes)."));
  if (g_str_equal (command, "identities") &&
      (argc < 3 || !g_strv_contains ((const char *[]) { "list", "link", "unlink", NULL }, argv[2])))
    return usage (context, _("identities needs list, link PROVIDER or unlink PROVIDER."));
  if (g_str_equal (command, "identities") && !g_str_equal (argv[2], "list") && argc < 4)
    return usage (context, _("identities link and unlink need the network’s id, such as google "
                             "(see “passportctl identities list”)."));
  if (g_str_equal (command, "identities") && argc > (g_str_equal (argv[2], "list") ? 3 : 4))
    return usage (context, _("Too many arguments (put a name with spaces in quotes)."));
  if (g_str_equal (command, "delete-account") && argc > 2)
    return usage (context, _("delete-account takes no argument."));
  if (g_str_equal (command, "delete-account") && !opt_yes)
    {
      /* Only the sentence, not the whole help: it must not be missed. */
      g_printerr ("passportctl: %s\n",
                  _("delete-account deletes the account on the server for good: its e-mail, sessions, "
                    "app passwords and sign-in methods go with it, and it cannot be restored. "
                    "Add --yes to delete it."));
      return EXIT_USAGE;
    }
  if (g_str_equal (command, "bind-email") && argc < 3)
    return usage (context, _("bind-email needs the address."));
  if (g_str_equal (command, "reset-password") && argc < 3 && opt_email == NULL)
    return usage (context, _("reset-password needs the address."));
  if (g_str_equal (command, "sign-in") && opt_provider == NULL && opt_email == NULL && !opt_device)
    return usage (context, _("sign-in needs --provider ID, --email ADDRESS or --device."));
  if (g_str_equal (command, "sign-in") && opt_device && (opt_provider != NULL || opt_email != NULL))
    return usage (context, _("sign-in --device takes neither --provider nor --email."));
  if (opt_otp != NULL && opt_recovery_code != NULL)
    return usage (context, _("Give --otp or --recovery-code, not both."));
  if (opt_otp_stdin && (opt_otp != NULL || opt_recovery_code != NULL))
    return usage (context, _("--otp-stdin reads the code from standard input: give it without "
                             "--otp or --recovery-code."));
  if (opt_sign_in_again && (opt_otp != NULL || opt_recovery_code != NULL || opt_otp_stdin))
    return usage (context, _("--sign-in-again is the proof itself: give it without --otp, "
                             "--recovery-code or --otp-stdin."));
  if (opt_sign_in_again && !sends_proof (command, argc > 2 ? argv[2] : NULL))
    return usage (context, _("--sign-in-again goes only with a command that needs a proof "
                             "(marked * below)."));
  if (opt_redirect_port != NULL &&
      !passport_redirect_ports_parse (opt_redirect_port, &first_port, &last_port, &error))
    return usage (context, error->message);

  /* The servers the flow discovers take these as their defaults. */
  if (opt_client_id != NULL)
    g_setenv ("PASSPORT_CLIENT_ID", opt_client_id, TRUE);
  if (opt_redirect_port != NULL)
    g_setenv ("PASSPORT_REDIRECT_PORT", opt_redirect_port, TRUE);

  store = opt_no_keyring ? PASSPORT_CREDENTIAL_STORE (passport_memory_store_new ())
                         : passport_system_store_new ();
  /* Only status says how the keyring is (the flow checks it again for
   * itself): the other commands spare the round trip. */
  if (g_str_equal (command, "status"))
    {
      g_autoptr(GAsyncResult) checked = NULL;

      passport_credential_store_check_async (store, NULL, keep_result, &checked);
      keyring_health = passport_credential_store_check_finish (store, await_result (&checked));
    }
  if (!opt_no_keyring)
    {
      g_autoptr(GAsyncResult) loaded = NULL;

      accounts = passport_accounts_new (store, NULL);
      passport_accounts_load_async (accounts, NULL, keep_result, &loaded);
      if (!passport_accounts_load_finish (accounts, await_result (&loaded), &error))
        {
          g_printerr (_("Error: %s\n"), error->message);
          return EXIT_ERROR;
        }
    }
  if (g_str_equal (command, "accounts"))
    return accounts_command (accounts, argv[2], argc >= 4 ? argv[3] : NULL, server);

  /* Which account: the one named, else the active one (on the server
   * named, if one is), else any of the server's. sign-in adds one. */
  if (account_query != NULL)
    {
      g_autofree char *normalized = NULL;

      if (server != NULL && (normalized = passport_server_normalize_url (server, &error)) == NULL)
        return usage (context, passport_error_describe (error));
      target = passport_accounts_find (accounts, normalized, account_query, &error);
      if (target == NULL)
        {
          g_printerr (_("Error: %s\n"), error->message);
          g_printerr (_("See “passportctl accounts list”.\n"));
          return EXIT_ERROR;
        }
    }
  else if (accounts != NULL && passport_accounts_get_active (accounts) != NULL &&
           !g_str_equal (command, "sign-in"))
    {
      PassportKnownAccount *active = passport_accounts_get_active (accounts);
      g_autofree char *normalized = server != NULL ? passport_server_normalize_url (server, NULL) : NULL;

      if (server == NULL ||
          g_strcmp0 (normalized, passport_known_account_get_server_url (active)) == 0)
        target = active;
    }
  if (target != NULL)
    server = passport_known_account_get_server_url (target);
  if (server == NULL)
    return usage (context, _("No server: give --server URL or set $PASSPORT_SERVER."));

  flow = passport_flow_new (store);
  if (accounts != NULL)
    passport_flow_set_accounts (flow, accounts);
  if (opt_no_browser)
    passport_flow_set_browser_command (flow, "true");
  g_signal_connect (flow, "notify::browser-url", G_CALLBACK (browser_url_cb), NULL);
  g_signal_connect (flow, "notify::browser-launch-error", G_CALLBACK (browser_launch_error_cb), NULL);

  if (target != NULL)
    {
      passport_flow_open_account_async (flow, server, passport_known_account_get_account_id (target),
                                        NULL, keep_result, &connected);
      passport_flow_open_account_finish (flow, await_result (&connected), NULL);
    }
  else if (g_str_equal (command, "sign-in"))
    {
      /* Another account beside those remembered (the same one again
       * replaces its own). */
      passport_flow_open_account_async (flow, server, NULL, NULL, keep_result, &connected);
      passport_flow_open_account_finish (flow, await_result (&connected), NULL);
    }
  else
    {
      passport_flow_set_server_url_async (flow, server, NULL, keep_result, &connected);
      passport_flow_set_server_url_finish (flow, await_result (&connected), NULL);
    }
  if (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_SERVER)
    {
      print_status (flow, FALSE);
      return flush_and_exit (flow, EXIT_ERROR);
    }
  /* Sent with the sign-ins of this run (contract section 3). */
  if (opt_device_name != NULL)
    passport_server_set_device_name (passport_flow_get_server (flow), opt_device_name);

  if (g_str_equal (command, "reset-password"))
    return reset_password (flow, argc >= 3 ? argv[2] : opt_email);
  else if (g_str_equal (command, "identities"))
    return identities_command (flow, argv[2], argc >= 4 ? argv[3] : NULL);
  else if (g_str_equal (command, "otp") || g_str_equal (command, "app-passwords") ||
           g_str_equal (command, "sessions") || g_str_equal (command, "delete-account"))
    return account_command (flow, command, argc >= 3 ? argv[2] : NULL, argc >= 4 ? argv[3] : NULL);
  else if (g_str_equal (command, "sign-in"))
    {
      if (passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_SIGNED_OUT)
        {
          g_printerr (_("Already signed in; sign out first.\n"));
          print_status (flow, FALSE);
          return flush_and_exit (flow, EXIT_ERROR);
        }
      if (opt_device && !passport_server_has_feature (passport_flow_get_server (flow), "device"))
        {
          g_autoptr(GError) unsupported = passport_error_new_for_user (
            PASSPORT_ERROR_NOT_SUPPORTED, _("This server does not offer sign-in with another device."));

          return report_account_error (flow, "sign-in", unsupported);
        }
      if (opt_device)
        ok = sign_in_with_device (flow, &error);
      else if (opt_email != NULL)
        {
          g_autoptr(PassportSecret) password = read_password (_("Password: "));
          passport_flow_sign_in_with_password_async (flow, opt_email, password, NULL, keep_result, &result);
          ok = passport_flow_sign_in_with_password_finish (flow, await_result (&result), &error);
          if (!ok && g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_MFA_REQUIRED))
            ok = submit_code (flow, &error);
        }
      else
        ok = sign_in_in_browser (flow, opt_provider, FALSE, &error);
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
