// SPDX-License-Identifier: GPL-3.0-or-later
//
// Device authorization (contract section 11, RFC 8628, feature `device`):
// the endpoint that starts a request, its grant at the token endpoint, and
// the verification page /device, where the user types the code, signs in
// (the stand-in social page, or e-mail and password, then the second step
// when on) and approves or denies. A request and a page's progress are
// rows (device_requests, device_flows), so they survive a restart; the
// password is checked in a worker thread.
#include "config.h"

#include <string.h>

#include <openssl/rand.h>

#include "pd.h"

#define USER_CODE_ALPHABET "BCDFGHJKLMNPQRSTVWXZ"
#define USER_CODE_ALPHABET_LEN 20
#define CSRF_COOKIE "pd_device_csrf"
#define CSRF_LEN 43  /* pd_random_token (32) */

/* The clients that may use device authorization; another known client
 * gets unauthorized_client. */
static const char *const device_clients[] = { "passport-desktop", NULL };

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

/* Codes ------------------------------------------------------------------- */

char *
pd_user_code_normalize (const char *input)
{
  g_autoptr(GString) out = g_string_sized_new (PD_USER_CODE_LEN);

  if (input == NULL)
    return NULL;
  for (const char *p = input; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (*p == '-' || *p == ' ')
        continue;
      if (strchr (USER_CODE_ALPHABET, c) == NULL || out->len >= PD_USER_CODE_LEN)
        return NULL;
      g_string_append_c (out, c);
    }
  if (out->len != PD_USER_CODE_LEN)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
pd_user_code_draw (void)
{
  GString *out = g_string_sized_new (PD_USER_CODE_LEN);

  while (out->len < PD_USER_CODE_LEN)
    {
      guchar bytes[16];

      if (RAND_bytes (bytes, sizeof bytes) != 1)
        g_error ("the system random number generator failed");
      /* 240 = 12 × 20: rejecting the rest keeps every letter equally likely */
      for (guint i = 0; i < sizeof bytes && out->len < PD_USER_CODE_LEN; i++)
        if (bytes[i] < 240)
          g_string_append_c (out, USER_CODE_ALPHABET[bytes[i] % USER_CODE_ALPHABET_LEN]);
    }
  return g_string_free (out, FALSE);
}

/* "BCDFGHJK" → "BCDF-GHJK" */
static char *
user_code_display (const char *code)
{
  return g_strdup_printf ("%.4s-%s", code, code + 4);
}

/* Whether a live request (unexpired, not used up) has @code. */
static gboolean
user_code_live (Pd         *pd,
                const char *code)
{
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT 1 FROM device_requests WHERE user_code = ? AND expires_at >= ?",
                   "si", code, pd_now ());

  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* Space-separated, each of scopes_supported, openid among them. */
static gboolean
scope_valid (const char *scope)
{
  static const char *const supported[] = { "openid", "profile", "email", "passport", NULL };
  g_auto(GStrv) items = g_strsplit (scope, " ", -1);
  gboolean openid = FALSE;

  for (guint i = 0; items[i] != NULL; i++)
    {
      if (*items[i] == '\0')
        continue;
      if (!g_strv_contains (supported, items[i]))
        return FALSE;
      openid = openid || g_str_equal (items[i], "openid");
    }
  return openid;
}

/* POST {device_authorization_endpoint} ------------------------------------ */

void
pd_handle_device_authorization (Pd                *pd,
                                SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(JsonObject) o = json_object_new ();
  g_autofree char *limit_key = NULL;
  g_autofree char *device_code = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *user_code = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *uri_complete = NULL;
  g_autofree char *device_name = NULL;
  g_autofree char *scope = NULL;
  const char *client_id, *ip;
  gint64 now = pd_now (), wait;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      pd_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request", "Use POST", NULL);
      return;
    }
  form = pd_request_form (msg);
  if (form == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "The body must be application/x-www-form-urlencoded", NULL);
      return;
    }

  client_id = g_hash_table_lookup (form, "client_id");
  if (client_id == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "client_id is required", NULL);
      return;
    }
  if (!pd_client_known (client_id))
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Unknown client_id", NULL);
      return;
    }
  if (!g_strv_contains (device_clients, client_id))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "unauthorized_client",
                        "This client may not use device authorization", NULL);
      return;
    }
  if (g_hash_table_lookup (form, "scope") == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "scope is required", NULL);
      return;
    }
  scope = g_strstrip (g_strdup (g_hash_table_lookup (form, "scope")));
  if (!scope_valid (scope))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_scope",
                        "scope must be openid and any of profile, email, passport", NULL);
      return;
    }

  /* only requests that are made count, as for password reset */
  ip = soup_server_message_get_remote_host (msg);
  limit_key = g_strconcat ("device-request:", ip != NULL ? ip : "", NULL);
  wait = pd_rate_wait (pd, limit_key, PD_DEVICE_IP_MAX, PD_DEVICE_IP_WINDOW);
  if (wait > 0)
    {
      pd_respond_too_many (msg, wait, TRUE);
      return;
    }
  pd_rate_count (pd, limit_key);

  device_code = pd_random_token (32);
  code_hash = pd_sha256_hex (device_code);
  do
    {
      g_free (user_code);
      user_code = pd_user_code_draw ();
    }
  while (user_code_live (pd, user_code));
  /* kept as the session list will show it */
  device_name = pd_device_name_normalize (g_hash_table_lookup (form, "device_name"));

  pd_db_exec (pd, "INSERT INTO device_requests (code_hash, user_code, client_id, scope, device_name,"
                  " created_at, expires_at, poll_interval) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              "sssssiii", code_hash, user_code, client_id, scope, device_name, now,
              now + PD_DEVICE_TTL, (gint64) PD_DEVICE_INTERVAL);

  shown = user_code_display (user_code);
  uri = g_strconcat (pd->public_url, "/device", NULL);
  uri_complete = g_strconcat (uri, "?user_code=", user_code, NULL);
  json_object_set_string_member (o, "device_code", device_code);
  json_object_set_string_member (o, "user_code", shown);
  json_object_set_string_member (o, "verification_uri", uri);
  json_object_set_string_member (o, "verification_uri_complete", uri_complete);
  json_object_set_int_member (o, "expires_in", PD_DEVICE_TTL);
  json_object_set_int_member (o, "interval", PD_DEVICE_INTERVAL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  pd_respond_object (msg, SOUP_STATUS_OK, o);
  explicit_bzero (device_code, strlen (device_code));
  g_info ("device authorization requested");
}

/* The device_code grant ------------------------------------------------------ */

void
pd_grant_device (Pd                *pd,
                 SoupServerMessage *msg,
                 const char        *client_id,
                 GHashTable        *form)
{
  const char *device_code = g_hash_table_lookup (form, "device_code");
  g_autofree char *hash = NULL;
  g_autofree char *stored_client = NULL, *scope = NULL, *device_name = NULL;
  g_autofree char *status = NULL, *account_id = NULL, *family = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  gint64 now = pd_now (), expires_at, interval, last_poll;
  gboolean polled;

  /* a client without device authorization has no device_code: any it
   * sends is unknown or another client's, invalid_grant */
  if (device_code == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "device_code is required", NULL);
      return;
    }

  hash = pd_sha256_hex (device_code);
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT client_id, scope, device_name, expires_at, poll_interval, last_poll_at,"
                         " status, account_id FROM device_requests WHERE code_hash = ?", "s", hash);

    if (sqlite3_step (stmt) != SQLITE_ROW)
      {
        pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The device_code is not valid", NULL);
        return;
      }
    stored_client = pd_db_column_text (stmt, 0);
    scope = pd_db_column_text (stmt, 1);
    device_name = pd_db_column_text (stmt, 2);
    expires_at = sqlite3_column_int64 (stmt, 3);
    interval = sqlite3_column_int64 (stmt, 4);
    polled = sqlite3_column_type (stmt, 5) != SQLITE_NULL;
    last_poll = sqlite3_column_int64 (stmt, 5);
    status = pd_db_column_text (stmt, 6);
    account_id = pd_db_column_text (stmt, 7);
  }

  if (!g_str_equal (stored_client, client_id))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                        "The device_code was issued to another client", NULL);
      return;
    }
  if (expires_at < now)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "expired_token", "The device_code has expired", NULL);
      return;
    }

  if (g_str_equal (status, "denied"))
    {
      /* a denial uses the device_code up, as tokens do */
      pd_db_exec (pd, "DELETE FROM device_requests WHERE code_hash = ?", "s", hash);
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "access_denied", "The user denied the request", NULL);
      return;
    }
  if (g_str_equal (status, "approved") && account_id != NULL)
    {
      pd_db_begin (pd);
      pd_db_exec (pd, "DELETE FROM device_requests WHERE code_hash = ?", "s", hash);
      tokens = pd_issue_tokens (pd, account_id, client_id, scope, NULL, NULL, &family);
      pd_session_started (pd, msg, family, "device", device_name);
      pd_db_commit (pd);
      g_info ("device authorization redeemed");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Pragma", "no-cache");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
      pd_respond_object (msg, SOUP_STATUS_OK, tokens);
      return;
    }

  /* RFC 8628 §3.5: sooner than the interval after the previous poll (of
   * any answer) slows down, for good; the first poll is never too soon */
  if (polled && now - last_poll < interval)
    {
      pd_db_exec (pd, "UPDATE device_requests SET poll_interval = poll_interval + ?, last_poll_at = ?"
                      " WHERE code_hash = ?", "iis", (gint64) PD_DEVICE_SLOW_DOWN, now, hash);
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "slow_down", "Poll less often", NULL);
      return;
    }
  pd_db_exec (pd, "UPDATE device_requests SET last_poll_at = ? WHERE code_hash = ?", "is", now, hash);
  pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "authorization_pending",
                    "The user has not answered yet", NULL);
}

/* The verification page ----------------------------------------------------- */

/* A page's progress through one request, from the right user code on. */
typedef struct
{
  PdLang lang;
  char *id;
  char *csrf;
  char *code_hash;
  char *provider;     /* the stand-in page chosen, until signed in */
  char *account_id;   /* signed in (the second step may still be due) */
  gboolean signed_in; /* and the second step passed, when on */
  char *client_id;
  char *device_name;
  gint64 created_at;
} DeviceFlow;

static void
device_flow_free (DeviceFlow *f)
{
  g_free (f->id);
  g_free (f->csrf);
  g_free (f->code_hash);
  g_free (f->provider);
  g_free (f->account_id);
  g_free (f->client_id);
  g_free (f->device_name);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeviceFlow, device_flow_free)

static void
hidden_fields (GString    *b,
               const char *flow_id,
               const char *csrf)
{
  if (flow_id != NULL)
    {
      g_string_append (b, "<input type=\"hidden\" name=\"flow\" value=\"");
      pd_html_escape (b, flow_id);
      g_string_append (b, "\">\n");
    }
  g_string_append (b, "<input type=\"hidden\" name=\"csrf\" value=\"");
  pd_html_escape (b, csrf);
  g_string_append (b, "\">\n");
}

static void
append_error (GString    *b,
              PdLang      lang,
              const char *id,
              PdText      text)
{
  g_string_append_printf (b, "<p class=\"error\" id=\"%s\" role=\"alert\">", id);
  pd_html_escape (b, pd_text (lang, text));
  g_string_append (b, "</p>\n");
}

static void
append_button (GString    *b,
               PdLang      lang,
               const char *id,
               const char *name,
               const char *value,
               PdText      text,
               gboolean    novalidate)
{
  g_string_append_printf (b, "<button id=\"%s\" name=\"%s\" value=\"", id, name);
  pd_html_escape (b, value);
  g_string_append_printf (b, "\" type=\"submit\"%s>", novalidate ? " formnovalidate" : "");
  pd_html_escape (b, pd_text (lang, text));
  g_string_append (b, "</button>\n");
}

static void
respond_page (SoupServerMessage *msg,
              PdLang             lang,
              guint              status,
              PdText             title,
              GString           *body,
              gint64             retry_after)
{
  g_autofree char *page = pd_html_page (lang, pd_text (lang, title), body->str);

  if (retry_after > 0)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", value);
    }
  pd_respond_html (msg, status, page);
}

static void
respond_message (SoupServerMessage *msg,
                 PdLang             lang,
                 guint              status,
                 PdText             title,
                 PdText             text,
                 const char        *id)
{
  g_autoptr(GString) b = g_string_new (NULL);

  g_string_append_printf (b, "<p id=\"%s\"%s>", id, status >= 400 ? " class=\"error\"" : "");
  pd_html_escape (b, pd_text (lang, text));
  g_string_append (b, "</p>");
  respond_page (msg, lang, status, title, b, 0);
}

/* The first step: the user code, pre-filled from ?user_code= (typed
 * again or confirmed by the user: it never approves by itself). */
static void
render_code_form (SoupServerMessage *msg,
                  PdLang             lang,
                  const char        *csrf,
                  const char        *value,
                  PdText             error,
                  guint              status,
                  gint64             retry_after)
{
  g_autoptr(GString) b = g_string_new ("<p>");

  pd_html_escape (b, pd_text (lang, PD_T_DEVICE_CODE_INTRO));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"device\">\n");
  hidden_fields (b, NULL, csrf);
  g_string_append (b, "<label for=\"user_code\">");
  pd_html_escape (b, pd_text (lang, PD_T_OTP_CODE));
  g_string_append (b, "</label>\n<input id=\"user_code\" name=\"user_code\" type=\"text\" autocomplete=\"off\""
                      " autocapitalize=\"characters\" spellcheck=\"false\" required autofocus value=\"");
  pd_html_escape (b, value != NULL ? value : "");
  g_string_append (b, "\">\n");
  if (status != SOUP_STATUS_OK)
    append_error (b, lang, "code-error", error);
  append_button (b, lang, "continue", "action", "code", PD_T_CONTINUE, FALSE);
  g_string_append (b, "</form>");
  respond_page (msg, lang, status, PD_T_DEVICE_TITLE, b, retry_after);
}

/* The sign-in: e-mail and password, or a social network. */
static void
render_sign_in (SoupServerMessage *msg,
                Pd                *pd,
                DeviceFlow        *f,
                const char        *email,
                PdText             error,
                guint              status,
                gint64             retry_after)
{
  g_autoptr(GString) b = g_string_new ("<p>");

  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_SIGN_IN_INTRO));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"device\">\n");
  hidden_fields (b, f->id, f->csrf);
  g_string_append (b, "<label for=\"email\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_EMAIL));
  g_string_append (b, "</label>\n<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\""
                      " required autofocus value=\"");
  pd_html_escape (b, email != NULL ? email : "");
  g_string_append (b, "\">\n<label for=\"password\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_PASSWORD));
  g_string_append (b, "</label>\n<input id=\"password\" name=\"password\" type=\"password\""
                      " autocomplete=\"current-password\" required>\n");
  if (status != SOUP_STATUS_OK)
    append_error (b, f->lang, "sign-in-error", error);
  append_button (b, f->lang, "sign-in", "action", "password", PD_T_DEVICE_SIGN_IN, FALSE);
  g_string_append (b, "</form>\n<p>");
  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_OR_NETWORK));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"device\">\n");
  hidden_fields (b, f->id, f->csrf);
  g_string_append (b, "<input type=\"hidden\" name=\"action\" value=\"provider\">\n");
  for (guint i = 0; i < pd->providers->len; i++)
    {
      const PdProvider *p = g_ptr_array_index (pd->providers, i);

      g_string_append (b, "<button name=\"provider\" type=\"submit\" value=\"");
      pd_html_escape (b, p->id);
      g_string_append (b, "\" id=\"provider-");
      pd_html_escape (b, p->id);
      g_string_append (b, "\">");
      pd_html_escape (b, p->name);
      g_string_append (b, "</button>\n");
    }
  g_string_append (b, "</form>");
  respond_page (msg, f->lang, status, PD_T_DEVICE_TITLE, b, retry_after);
}

/* The stand-in social page, as /oauth/authorize shows it, posting here. */
static void
render_social (SoupServerMessage *msg,
               const PdProvider  *provider,
               DeviceFlow        *f,
               const char        *email,
               const char        *name,
               gboolean           verified,
               gboolean           email_error)
{
  g_autoptr(GString) b = g_string_new ("<p>");
  g_autofree char *title = pd_text_fill (f->lang, PD_T_SIGN_IN_WITH, provider->name, NULL);
  g_autofree char *page = NULL;

  pd_html_escape (b, pd_text (f->lang, PD_T_SOCIAL_INTRO));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"device\">\n");
  hidden_fields (b, f->id, f->csrf);
  g_string_append (b, "<label for=\"email\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_EMAIL));
  g_string_append (b, "</label>\n<input id=\"email\" name=\"email\" type=\"email\" required autofocus value=\"");
  pd_html_escape (b, email != NULL ? email : "");
  g_string_append (b, "\">\n");
  if (email_error)
    append_error (b, f->lang, "email-error", PD_T_EMAIL_INVALID);
  g_string_append (b, "<label for=\"name\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_NAME));
  g_string_append (b, "</label>\n<input id=\"name\" name=\"name\" type=\"text\" value=\"");
  pd_html_escape (b, name != NULL ? name : "");
  g_string_append_printf (b, "\">\n<label><input id=\"verified\" name=\"verified\" type=\"checkbox\""
                             " value=\"1\"%s> ", verified ? " checked" : "");
  pd_html_escape (b, pd_text (f->lang, PD_T_VERIFIED));
  g_string_append (b, "</label>\n");
  append_button (b, f->lang, "continue", "action", "continue", PD_T_CONTINUE, FALSE);
  append_button (b, f->lang, "cancel", "action", "cancel", PD_T_CANCEL, TRUE);
  g_string_append (b, "</form>");

  page = pd_html_page (f->lang, title, b->str);
  pd_respond_html (msg, email_error ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK, page);
}

/* The second step: a TOTP or a recovery code. */
static void
render_second_step (SoupServerMessage *msg,
                    DeviceFlow        *f,
                    PdText             error,
                    guint              status,
                    gint64             retry_after)
{
  g_autoptr(GString) b = g_string_new ("<p>");

  pd_html_escape (b, pd_text (f->lang, PD_T_OTP_INTRO));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"device\">\n");
  hidden_fields (b, f->id, f->csrf);
  g_string_append (b, "<label for=\"code\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_OTP_CODE));
  g_string_append (b, "</label>\n<input id=\"code\" name=\"code\" type=\"text\" autocomplete=\"one-time-code\""
                      " spellcheck=\"false\" required autofocus>\n");
  if (status != SOUP_STATUS_OK)
    append_error (b, f->lang, "code-error", error);
  append_button (b, f->lang, "continue", "action", "continue", PD_T_CONTINUE, FALSE);
  append_button (b, f->lang, "cancel", "action", "cancel", PD_T_CANCEL, TRUE);
  g_string_append (b, "</form>");
  respond_page (msg, f->lang, status, PD_T_OTP_TITLE, b, retry_after);
}

/* What is asked for, by whom, and Approve or Deny. */
static void
render_confirm (SoupServerMessage *msg,
                Pd                *pd,
                DeviceFlow        *f)
{
  g_autoptr(GString) b = g_string_new ("<p id=\"client\">");
  g_autofree char *intro = pd_text_fill (f->lang, PD_T_DEVICE_CONFIRM_INTRO,
                                         pd_client_name (f->client_id), NULL);
  g_autofree char *when = pd_text_date (f->lang, f->created_at);
  g_autofree char *account = NULL;
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT COALESCE(email, display_name) FROM accounts WHERE id = ?", "s", f->account_id);

  if (sqlite3_step (stmt) == SQLITE_ROW)
    account = pd_db_column_text (stmt, 0);

  pd_html_escape (b, intro);
  g_string_append (b, "</p>\n<dl>\n<dt>");
  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_NAME));
  g_string_append (b, "</dt><dd id=\"device-name\">");
  pd_html_escape (b, f->device_name != NULL && *f->device_name != '\0' ?
                     f->device_name : pd_text (f->lang, PD_T_DEVICE_UNNAMED));
  g_string_append (b, "</dd>\n<dt>");
  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_REQUESTED));
  g_string_append (b, "</dt><dd id=\"requested\">");
  pd_html_escape (b, when);
  g_string_append (b, "</dd>\n<dt>");
  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_ACCOUNT));
  g_string_append (b, "</dt><dd id=\"account\">");
  pd_html_escape (b, account != NULL ? account : "");
  g_string_append (b, "</dd>\n</dl>\n<p id=\"warning\"><strong>");
  pd_html_escape (b, pd_text (f->lang, PD_T_DEVICE_WARNING));
  g_string_append (b, "</strong></p>\n<form method=\"post\" action=\"device\">\n");
  hidden_fields (b, f->id, f->csrf);
  append_button (b, f->lang, "approve", "action", "approve", PD_T_DEVICE_APPROVE, FALSE);
  append_button (b, f->lang, "deny", "action", "deny", PD_T_DEVICE_DENY, FALSE);
  g_string_append (b, "</form>");
  respond_page (msg, f->lang, SOUP_STATUS_OK, PD_T_DEVICE_TITLE, b, 0);
}

/* The page's own CSRF cookie, under the public URL's path. */
static void
set_csrf_cookie (Pd                *pd,
                 SoupServerMessage *msg,
                 const char        *csrf)
{
  g_autoptr(GUri) uri = g_uri_parse (pd->public_url, G_URI_FLAGS_NONE, NULL);
  const char *base = uri != NULL ? g_uri_get_path (uri) : "";
  g_autofree char *cookie = NULL;

  cookie = g_strdup_printf (CSRF_COOKIE "=%s; Path=%s/device; HttpOnly; SameSite=Strict",
                            csrf, g_str_has_suffix (base, "/") ? "" : base);
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", cookie);
}

static char *
ip_key (SoupServerMessage *msg)
{
  const char *ip = soup_server_message_get_remote_host (msg);

  return g_strconcat ("device-code:", ip != NULL ? ip : "", NULL);
}

static void
page_get (Pd                *pd,
          SoupServerMessage *msg,
          GHashTable        *query)
{
  PdLang lang = pd_request_lang (msg);
  g_autofree char *cookie = pd_cookie (msg, CSRF_COOKIE);
  g_autofree char *key = ip_key (msg);
  g_autofree char *csrf = NULL;
  g_autofree char *code = NULL;
  g_autofree char *shown = NULL;
  const char *typed = query != NULL ? g_hash_table_lookup (query, "user_code") : NULL;
  gint64 wait;

  /* a second tab of the page keeps the first one's cookie working */
  if (cookie != NULL && strlen (cookie) == CSRF_LEN &&
      strspn (cookie, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == CSRF_LEN)
    csrf = g_steal_pointer (&cookie);
  else
    csrf = pd_random_token (32);
  set_csrf_cookie (pd, msg, csrf);

  code = pd_user_code_normalize (typed);
  shown = code != NULL ? user_code_display (code) : g_strdup (typed);
  wait = pd_rate_wait (pd, key, PD_DEVICE_WRONG_CODES_MAX, PD_DEVICE_WRONG_CODES_WINDOW);
  if (wait > 0)
    render_code_form (msg, lang, csrf, shown, PD_T_DEVICE_CODE_TOO_MANY, PD_STATUS_TOO_MANY_REQUESTS, wait);
  else
    render_code_form (msg, lang, csrf, shown, PD_T_DEVICE_CODE_WRONG, SOUP_STATUS_OK, 0);
}

/* The request of a user code typed on the page, or a wrong code counted. */
static void
post_code (Pd                *pd,
           SoupServerMessage *msg,
           PdLang             lang,
           const char        *csrf,
           GHashTable        *form)
{
  const char *typed = g_hash_table_lookup (form, "user_code");
  g_autofree char *key = ip_key (msg);
  g_autofree char *code = pd_user_code_normalize (typed);
  g_autoptr(DeviceFlow) f = NULL;
  gint64 wait = pd_rate_wait (pd, key, PD_DEVICE_WRONG_CODES_MAX, PD_DEVICE_WRONG_CODES_WINDOW);

  if (wait > 0)
    {
      render_code_form (msg, lang, csrf, typed, PD_T_DEVICE_CODE_TOO_MANY, PD_STATUS_TOO_MANY_REQUESTS, wait);
      return;
    }

  f = g_new0 (DeviceFlow, 1);
  f->lang = lang;
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT code_hash, client_id, device_name, created_at FROM device_requests"
                         " WHERE user_code = ? AND expires_at >= ? AND status = 'pending'",
                     "si", code != NULL ? code : "", pd_now ());

    if (code == NULL || sqlite3_step (stmt) != SQLITE_ROW)
      {
        pd_rate_count (pd, key);
        render_code_form (msg, lang, csrf, typed, PD_T_DEVICE_CODE_WRONG, SOUP_STATUS_BAD_REQUEST, 0);
        return;
      }
    f->code_hash = pd_db_column_text (stmt, 0);
    f->client_id = pd_db_column_text (stmt, 1);
    f->device_name = pd_db_column_text (stmt, 2);
    f->created_at = sqlite3_column_int64 (stmt, 3);
  }

  {
    g_autofree char *csrf_hash = pd_sha256_hex (csrf);

    f->id = pd_random_token (16);
    f->csrf = g_strdup (csrf);
    pd_db_exec (pd, "INSERT INTO device_flows (id, csrf_hash, code_hash) VALUES (?, ?, ?)",
                "sss", f->id, csrf_hash, f->code_hash);
  }
  render_sign_in (msg, pd, f, NULL, PD_T_DEVICE_WRONG_PASSWORD, SOUP_STATUS_OK, 0);
}

static void
flow_save (Pd         *pd,
           DeviceFlow *f)
{
  pd_db_exec (pd, "UPDATE device_flows SET provider = ?, account_id = ?, signed_in = ? WHERE id = ?",
              "ssis", f->provider, f->account_id, (gint64) f->signed_in, f->id);
}

/* Signed in: the second step when the account has it on, else the question. */
static void
flow_signed_in (Pd                *pd,
                SoupServerMessage *msg,
                DeviceFlow        *f,
                const char        *account_id)
{
  g_clear_pointer (&f->provider, g_free);
  g_free (f->account_id);
  f->account_id = g_strdup (account_id);
  f->signed_in = !pd_otp_enabled (pd, account_id);
  flow_save (pd, f);
  if (f->signed_in)
    render_confirm (msg, pd, f);
  else
    render_second_step (msg, f, PD_T_OTP_WRONG, SOUP_STATUS_OK, 0);
}

/* E-mail and password: the account's own password only (no app password,
 * section 8.4), checked in a worker thread; unknown addresses against the
 * dummy hash. Counted as the password grant counts (per address given). */
typedef struct
{
  Pd *pd;
  SoupServerMessage *msg;
  DeviceFlow *flow;
  char *email;
  char *password;
  char *hash;
  char *account_id;
  gboolean ok;
} PasswordCheck;

static void
password_check_free (PasswordCheck *c)
{
  g_object_unref (c->msg);
  device_flow_free (c->flow);
  g_free (c->email);
  wipe (c->password);
  g_free (c->hash);
  g_free (c->account_id);
  g_free (c);
}

static void
password_check_thread (GTask        *task,
                       gpointer      source,
                       gpointer      data,
                       GCancellable *cancellable)
{
  PasswordCheck *c = data;

  c->ok = pd_password_verify (c->hash, c->password) && c->account_id != NULL;
  g_task_return_boolean (task, TRUE);
}

static char *
grant_key (const char *email)
{
  return g_strconcat ("grant:", email, NULL);
}

static void
password_checked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PasswordCheck *c = g_task_get_task_data (G_TASK (result));
  g_autofree char *key = grant_key (c->email);

  if (c->ok)
    {
      /* with the second step due, only its success clears the count */
      if (!pd_otp_enabled (c->pd, c->account_id))
        pd_throttle_clear (c->pd, key);
      flow_signed_in (c->pd, c->msg, c->flow, c->account_id);
    }
  else
    {
      pd_throttle_fail (c->pd, key);
      render_sign_in (c->msg, c->pd, c->flow, c->email, PD_T_DEVICE_WRONG_PASSWORD,
                      SOUP_STATUS_BAD_REQUEST, 0);
    }
  pd_message_release (c->msg);
}

static void
post_password (Pd                *pd,
               SoupServerMessage *msg,
               DeviceFlow        *f,
               GHashTable        *form)
{
  const char *email_in = g_hash_table_lookup (form, "email");
  const char *password = g_hash_table_lookup (form, "password");
  g_autofree char *email = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GTask) task = NULL;
  PasswordCheck *c;
  gint64 wait;

  email = g_utf8_strdown (email_in != NULL ? email_in : "", -1);
  g_strstrip (email);
  key = grant_key (email);
  wait = pd_throttle_check (pd, key);
  if (wait > 0)
    {
      render_sign_in (msg, pd, f, email, PD_T_OTP_TOO_MANY, PD_STATUS_TOO_MANY_REQUESTS, wait);
      return;
    }

  c = g_new0 (PasswordCheck, 1);
  c->pd = pd;
  c->msg = g_object_ref (msg);
  c->flow = f;
  c->email = g_steal_pointer (&email);
  c->password = g_strdup (password != NULL ? password : "");
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT id, password_hash FROM accounts WHERE email = ?", "s", c->email);

    if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
      {
        c->account_id = pd_db_column_text (stmt, 0);
        c->hash = pd_db_column_text (stmt, 1);
      }
    else
      c->hash = g_strdup (pd->dummy_hash);   /* the same work: timing does not tell */
  }

  task = g_task_new (NULL, NULL, password_checked, NULL);
  g_task_set_task_data (task, c, (GDestroyNotify) password_check_free);
  pd_message_hold (msg);
  g_task_run_in_thread (task, password_check_thread);
}

static void
second_step_checked (Pd                *pd,
                     SoupServerMessage *msg,
                     const char        *account_id,
                     PdCodeResult       result,
                     gint64             retry_after,
                     gpointer           data)
{
  DeviceFlow *f = data;

  if (result == PD_CODE_OK)
    {
      /* as the otp grant: the password grant's count of the address too */
      g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT email FROM accounts WHERE id = ?", "s", account_id);

      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          g_autofree char *key = grant_key ((const char *) sqlite3_column_text (stmt, 0));
          pd_throttle_clear (pd, key);
        }
      f->signed_in = TRUE;
      flow_save (pd, f);
      render_confirm (msg, pd, f);
    }
  else if (result == PD_CODE_THROTTLED)
    render_second_step (msg, f, PD_T_OTP_TOO_MANY, PD_STATUS_TOO_MANY_REQUESTS, MAX (retry_after, 1));
  else
    render_second_step (msg, f, PD_T_OTP_WRONG, SOUP_STATUS_BAD_REQUEST, 0);
}

/* The flow of the form's flow and csrf, or NULL after answering. */
static DeviceFlow *
flow_load (Pd                *pd,
           SoupServerMessage *msg,
           PdLang             lang,
           const char        *flow_id,
           const char        *csrf)
{
  g_autoptr(DeviceFlow) f = g_new0 (DeviceFlow, 1);
  g_autofree char *csrf_hash = NULL;
  g_autofree char *stored_hash = NULL;
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT f.csrf_hash, f.code_hash, f.provider, f.account_id, f.signed_in,"
                       " r.client_id, r.device_name, r.created_at FROM device_flows f"
                       " JOIN device_requests r ON r.code_hash = f.code_hash"
                       " WHERE f.id = ? AND r.expires_at >= ? AND r.status = 'pending'",
                   "si", flow_id, pd_now ());

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_message (msg, lang, SOUP_STATUS_GONE, PD_T_DEVICE_TITLE, PD_T_DEVICE_EXPIRED, "expired");
      return NULL;
    }
  stored_hash = pd_db_column_text (stmt, 0);
  csrf_hash = pd_sha256_hex (csrf);
  if (!pd_constant_equal (csrf_hash, stored_hash))
    {
      respond_message (msg, lang, SOUP_STATUS_FORBIDDEN, PD_T_BAD_REQUEST_TITLE, PD_T_CSRF, "csrf");
      return NULL;
    }
  f->lang = lang;
  f->id = g_strdup (flow_id);
  f->csrf = g_strdup (csrf);
  f->code_hash = pd_db_column_text (stmt, 1);
  f->provider = pd_db_column_text (stmt, 2);
  f->account_id = pd_db_column_text (stmt, 3);
  f->signed_in = sqlite3_column_int (stmt, 4) != 0;
  f->client_id = pd_db_column_text (stmt, 5);
  f->device_name = pd_db_column_text (stmt, 6);
  f->created_at = sqlite3_column_int64 (stmt, 7);
  return g_steal_pointer (&f);
}

/* Approve or Deny: the request is answered, the page's flow is done. */
static void
post_answer (Pd                *pd,
             SoupServerMessage *msg,
             DeviceFlow        *f,
             gboolean           approve)
{
  pd_db_exec (pd, "UPDATE device_requests SET status = ?, account_id = ? WHERE code_hash = ? AND status = 'pending'",
              "sss", approve ? "approved" : "denied", approve ? f->account_id : NULL, f->code_hash);
  if (sqlite3_changes (pd->db) != 1)
    {
      respond_message (msg, f->lang, SOUP_STATUS_GONE, PD_T_DEVICE_TITLE, PD_T_DEVICE_EXPIRED, "expired");
      return;
    }
  pd_db_exec (pd, "DELETE FROM device_flows WHERE code_hash = ?", "s", f->code_hash);
  g_info ("device authorization %s", approve ? "approved" : "denied");
  if (approve)
    respond_message (msg, f->lang, SOUP_STATUS_OK, PD_T_DEVICE_TITLE, PD_T_DEVICE_APPROVED, "approved");
  else
    respond_message (msg, f->lang, SOUP_STATUS_OK, PD_T_DEVICE_TITLE, PD_T_DEVICE_DENIED, "denied");
}

static void
page_post (Pd                *pd,
           SoupServerMessage *msg)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(GHashTable) form = pd_request_form (msg);
  g_autofree char *cookie = pd_cookie (msg, CSRF_COOKIE);
  g_autoptr(DeviceFlow) f = NULL;
  const char *csrf, *flow_id, *action;

  csrf = form != NULL ? g_hash_table_lookup (form, "csrf") : NULL;
  /* double submit: the field equals the cookie (and, past the code, the
   * flow's own token) */
  if (csrf == NULL || cookie == NULL || !pd_constant_equal (csrf, cookie))
    {
      respond_message (msg, lang, SOUP_STATUS_FORBIDDEN, PD_T_BAD_REQUEST_TITLE, PD_T_CSRF, "csrf");
      return;
    }
  flow_id = g_hash_table_lookup (form, "flow");
  action = g_hash_table_lookup (form, "action");
  if (flow_id == NULL)
    {
      post_code (pd, msg, lang, csrf, form);
      return;
    }

  f = flow_load (pd, msg, lang, flow_id, csrf);
  if (f == NULL)
    return;

  if (f->signed_in)
    {
      if (g_strcmp0 (action, "approve") == 0 || g_strcmp0 (action, "deny") == 0)
        post_answer (pd, msg, f, g_str_equal (action, "approve"));
      else
        render_confirm (msg, pd, f);
    }
  else if (f->account_id != NULL)
    {
      const char *typed = g_hash_table_lookup (form, "code");

      if (g_strcmp0 (action, "cancel") == 0)
        {
          g_clear_pointer (&f->account_id, g_free);
          flow_save (pd, f);
          render_sign_in (msg, pd, f, NULL, PD_T_DEVICE_WRONG_PASSWORD, SOUP_STATUS_OK, 0);
        }
      else if (g_strcmp0 (action, "continue") != 0 || typed == NULL || *g_strstrip ((char *) typed) == '\0')
        render_second_step (msg, f, PD_T_OTP_WRONG, SOUP_STATUS_BAD_REQUEST, 0);
      else
        {
          const char *account_id = f->account_id;
          DeviceFlow *data = g_steal_pointer (&f);

          pd_otp_check_code (pd, msg, account_id, typed, second_step_checked, data,
                             (GDestroyNotify) device_flow_free);
        }
    }
  else if (f->provider != NULL)
    {
      const PdProvider *provider = pd_find_provider (pd, f->provider);
      const char *email_in = g_hash_table_lookup (form, "email");
      const char *name = g_hash_table_lookup (form, "name");
      gboolean verified = g_strcmp0 (g_hash_table_lookup (form, "verified"), "1") == 0;
      g_autofree char *email = email_in ? g_utf8_strdown (g_strstrip ((char *) email_in), -1) : NULL;

      if (g_strcmp0 (action, "cancel") == 0 || provider == NULL)
        {
          g_clear_pointer (&f->provider, g_free);
          flow_save (pd, f);
          render_sign_in (msg, pd, f, NULL, PD_T_DEVICE_WRONG_PASSWORD, SOUP_STATUS_OK, 0);
        }
      else if (g_strcmp0 (action, "continue") != 0 || !pd_email_valid (email))
        render_social (msg, provider, f, email_in, name, verified, TRUE);
      else
        {
          g_autofree char *account_id = pd_identity_sign_in (pd, provider->id, email, name, verified,
                                                             pd_lang_code (lang));
          flow_signed_in (pd, msg, f, account_id);
        }
    }
  else if (g_strcmp0 (action, "password") == 0)
    post_password (pd, msg, g_steal_pointer (&f), form);
  else if (g_strcmp0 (action, "provider") == 0 &&
           pd_find_provider (pd, g_hash_table_lookup (form, "provider")) != NULL)
    {
      const PdProvider *provider = pd_find_provider (pd, g_hash_table_lookup (form, "provider"));

      f->provider = g_strdup (provider->id);
      flow_save (pd, f);
      render_social (msg, provider, f, NULL, NULL, provider->verified_default, FALSE);
    }
  else
    render_sign_in (msg, pd, f, NULL, PD_T_DEVICE_WRONG_PASSWORD, SOUP_STATUS_OK, 0);
}

void
pd_handle_device_page (Pd                *pd,
                       SoupServerMessage *msg,
                       GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (method, "POST"))
    page_post (pd, msg);
  else
    page_get (pd, msg, query);
}
