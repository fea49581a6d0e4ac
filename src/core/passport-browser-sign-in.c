/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-browser-launcher.h"
#include "passport-browser-sign-in.h"
#include "passport-server-private.h"
#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-loopback.h"
#include "passport-pkce.h"
#include "passport-secure.h"
#include "passport-session-private.h"
#include "passport-token-endpoint-private.h"
#include "passport-util-private.h"

#define DEFAULT_TIMEOUT_SECONDS 600

struct _PassportBrowserSignIn
{
  GObject parent_instance;

  PassportServer *server;
  char *provider_id;
  char *login_hint;
  char *url;
  guint timeout_seconds;
  gint max_age;             /* -1: not asked */
  gint64 started_at;        /* real time, seconds */
  GError *launch_error;

  PassportBrowserLauncher launcher;
  gpointer launcher_data;
  GDestroyNotify launcher_destroy;
  char *command;
  /* Only the outcome of the latest launch is the launch-error. */
  guint launch_serial;

  gboolean started;
  PassportLoopback *loopback;
  char *verifier;
  char *state;
  char *nonce;
  GCancellable *cancellable;
  GSource *timeout_source;
  gboolean timed_out;
};

G_DEFINE_FINAL_TYPE (PassportBrowserSignIn, passport_browser_sign_in, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER,
  PROP_PROVIDER_ID,
  PROP_LOGIN_HINT,
  PROP_URL,
  PROP_TIMEOUT_SECONDS,
  PROP_LAUNCH_ERROR,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
passport_browser_sign_in_dispose (GObject *object)
{
  PassportBrowserSignIn *self = PASSPORT_BROWSER_SIGN_IN (object);

  g_cancellable_cancel (self->cancellable);
  passport_clear_source (&self->timeout_source);
  if (self->loopback != NULL)
    passport_loopback_close (self->loopback);
  g_clear_object (&self->loopback);
  if (self->launcher_destroy != NULL)
    g_clear_pointer (&self->launcher_data, self->launcher_destroy);
  self->launcher = NULL;

  G_OBJECT_CLASS (passport_browser_sign_in_parent_class)->dispose (object);
}

static void
passport_browser_sign_in_finalize (GObject *object)
{
  PassportBrowserSignIn *self = PASSPORT_BROWSER_SIGN_IN (object);

  g_clear_object (&self->server);
  g_clear_object (&self->cancellable);
  g_free (self->provider_id);
  g_free (self->login_hint);
  g_free (self->url);
  g_free (self->command);
  g_clear_error (&self->launch_error);
  passport_secure_clear (&self->verifier);
  passport_secure_clear (&self->state);
  passport_secure_clear (&self->nonce);

  G_OBJECT_CLASS (passport_browser_sign_in_parent_class)->finalize (object);
}

static void
passport_browser_sign_in_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  PassportBrowserSignIn *self = PASSPORT_BROWSER_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_PROVIDER_ID:
      g_value_set_string (value, self->provider_id);
      break;
    case PROP_LOGIN_HINT:
      g_value_set_string (value, self->login_hint);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_TIMEOUT_SECONDS:
      g_value_set_uint (value, self->timeout_seconds);
      break;
    case PROP_LAUNCH_ERROR:
      g_value_set_boxed (value, self->launch_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_browser_sign_in_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  PassportBrowserSignIn *self = PASSPORT_BROWSER_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      self->server = g_value_dup_object (value);
      break;
    case PROP_PROVIDER_ID:
      self->provider_id = g_value_dup_string (value);
      break;
    case PROP_LOGIN_HINT:
      self->login_hint = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT_SECONDS:
      passport_browser_sign_in_set_timeout_seconds (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_browser_sign_in_class_init (PassportBrowserSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_browser_sign_in_dispose;
  object_class->finalize = passport_browser_sign_in_finalize;
  object_class->get_property = passport_browser_sign_in_get_property;
  object_class->set_property = passport_browser_sign_in_set_property;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER_ID] =
    g_param_spec_string ("provider-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOGIN_HINT] =
    g_param_spec_string ("login-hint", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TIMEOUT_SECONDS] =
    g_param_spec_uint ("timeout-seconds", NULL, NULL, 1, G_MAXUINT, DEFAULT_TIMEOUT_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LAUNCH_ERROR] =
    g_param_spec_boxed ("launch-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_browser_sign_in_init (PassportBrowserSignIn *self)
{
  self->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
  self->max_age = -1;
  self->cancellable = g_cancellable_new ();
}

PassportBrowserSignIn *
passport_browser_sign_in_new (PassportServer *server,
                              const char     *provider_id,
                              const char     *login_hint)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (server), NULL);

  return g_object_new (PASSPORT_TYPE_BROWSER_SIGN_IN,
                       "server", server,
                       "provider-id", provider_id,
                       "login-hint", login_hint,
                       NULL);
}

void
passport_browser_sign_in_set_launcher (PassportBrowserSignIn   *self,
                                       PassportBrowserLauncher  launcher,
                                       gpointer                 user_data,
                                       GDestroyNotify           destroy)
{
  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self));

  if (self->launcher_destroy != NULL)
    g_clear_pointer (&self->launcher_data, self->launcher_destroy);
  self->launcher = launcher;
  self->launcher_data = user_data;
  self->launcher_destroy = destroy;
}

void
passport_browser_sign_in_set_command (PassportBrowserSignIn *self,
                                      const char            *command)
{
  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self));

  passport_browser_sign_in_set_launcher (self, NULL, NULL, NULL);
  g_free (self->command);
  self->command = g_strdup (command);
}

void
passport_browser_sign_in_set_timeout_seconds (PassportBrowserSignIn *self,
                                              guint                  seconds)
{
  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout_seconds == seconds)
    return;
  self->timeout_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_SECONDS]);
}

guint
passport_browser_sign_in_get_timeout_seconds (PassportBrowserSignIn *self)
{
  g_return_val_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self), 0);
  return self->timeout_seconds;
}

static void
set_launch_error (PassportBrowserSignIn *self,
                  const GError          *error)
{
  if (self->launch_error == NULL && error == NULL)
    return;
  g_clear_error (&self->launch_error);
  /* Whatever the launcher said, the sign-in says it one way. */
  if (error != NULL && error->domain == PASSPORT_ERROR)
    self->launch_error = g_error_copy (error);
  else if (error != NULL)
    self->launch_error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH,
                                              passport_error_code_describe (PASSPORT_ERROR_BROWSER_LAUNCH));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAUNCH_ERROR]);
}

typedef struct
{
  /* Weak: a sign-in that goes away cancels its launch rather than wait for it. */
  GWeakRef self;
  guint serial;
} Launch;

static void
launch_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Launch *launch = data;
  g_autoptr(PassportBrowserSignIn) self = g_weak_ref_get (&launch->self);
  g_autoptr(GError) error = NULL;
  guint serial = launch->serial;

  g_weak_ref_clear (&launch->self);
  g_free (launch);

  /* Both kinds of launch are a GTask without a source object. */
  if (!g_task_propagate_boolean (G_TASK (result), &error) && error == NULL)
    error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH,
                                 passport_error_code_describe (PASSPORT_ERROR_BROWSER_LAUNCH));
  if (self == NULL || serial != self->launch_serial ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_launch_error (self, error);
}

void
passport_browser_sign_in_open_browser (PassportBrowserSignIn *self)
{
  Launch *launch;

  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self));

  if (self->url == NULL)
    return;

  launch = g_new0 (Launch, 1);
  g_weak_ref_init (&launch->self, self);
  launch->serial = ++self->launch_serial;

  if (self->launcher != NULL)
    {
      /* A launcher of the caller's (tests) is quick and runs here; its
       * outcome still arrives from the main loop, like a real launch's. */
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, launch_cb, launch);
      g_autoptr(GError) error = NULL;

      if (self->launcher (self->url, self->launcher_data, &error))
        g_task_return_boolean (task, TRUE);
      else if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, FALSE);
      return;
    }
  passport_browser_launch_async (self->command, self->url, self->cancellable, launch_cb, launch);
}

static char *
build_url (PassportBrowserSignIn *self,
           const char            *redirect_uri,
           const char            *challenge)
{
  const char *endpoint = passport_server_get_authorization_endpoint (self->server);
  g_autofree char *max_age = self->max_age >= 0 ? g_strdup_printf ("%d", self->max_age) : NULL;
  GString *url = g_string_new (endpoint);
  const char *params[] = {
    "response_type", "code",
    "client_id", passport_server_get_client_id (self->server),
    "redirect_uri", redirect_uri,
    "scope", passport_server_get_scope (self->server),
    /* OpenID Connect Core §11: offline_access is granted only with
     * consent asked for; a provider drops it otherwise. */
    "prompt", passport_server_get_asks_offline_access (self->server) ? "consent" : NULL,
    "state", self->state,
    "nonce", self->nonce,
    "code_challenge", challenge,
    "code_challenge_method", "S256",
    /* The social networks are the account API's; a plain provider has
     * its own sign-in page and no use for the parameter. */
    "provider", passport_server_has_account_api (self->server) ? self->provider_id : NULL,
    "login_hint", self->login_hint,
    "max_age", max_age,
  };
  gboolean first = strchr (endpoint, '?') == NULL;

  for (guint i = 0; i < G_N_ELEMENTS (params); i += 2)
    {
      if (params[i + 1] == NULL)
        continue;
      g_string_append_c (url, first ? '?' : '&');
      first = FALSE;
      g_string_append (url, params[i]);
      g_string_append_c (url, '=');
      g_string_append_uri_escaped (url, params[i + 1], NULL, FALSE);
    }

  return g_string_free (url, FALSE);
}

/* How far the server's clock may be behind ours for a sign-in to count as
 * fresh (OpenID Connect leaves the allowance to the client). */
#define AUTH_TIME_SKEW_SECONDS 300

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportBrowserSignIn *self = g_task_get_source_object (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  char *code;
  GCancellable *cancellable;

  passport_clear_source (&self->timeout_source);

  code = passport_loopback_wait_finish (PASSPORT_LOOPBACK (source), result, &error);
  if (code == NULL)
    {
      if (self->timed_out && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_TIMEOUT, "%s",
                                 passport_error_code_describe (PASSPORT_ERROR_BROWSER_TIMEOUT));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  msg = passport_http_new_form_post (passport_server_get_token_endpoint (self->server), &error,
                                     "grant_type", "authorization_code",
                                     "code", code,
                                     "redirect_uri", passport_loopback_get_redirect_uri (self->loopback),
                                     "code_verifier", self->verifier,
                                     "client_id", passport_server_get_client_id (self->server),
                                     /* NULL (a plain OpenID provider): the pair is left out */
                                     "device_name", passport_server_get_device_name_to_send (self->server),
                                     NULL);
  passport_secure_free (code);
  if (msg == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  /* Our task goes through: the session is made of the answer and returned
   * on it. With max_age asked, the id_token must show a sign-in that recent. */
  passport_token_request_async (self->server, msg, self->nonce,
                                self->max_age >= 0 ? self->started_at - self->max_age - AUTH_TIME_SKEW_SECONDS : 0,
                                cancellable, passport_session_complete_token_request, g_steal_pointer (&task));
}

static gboolean
timeout_cb (gpointer data)
{
  PassportBrowserSignIn *self = data;

  passport_clear_source (&self->timeout_source);
  self->timed_out = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

typedef struct
{
  GCancellable *cancellable;
  gulong handler;
} CancelLink;

static void
cancel_link_free (CancelLink *link)
{
  g_cancellable_disconnect (link->cancellable, link->handler);
  g_object_unref (link->cancellable);
  g_free (link);
}

void
passport_browser_sign_in_start_async (PassportBrowserSignIn *self,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *challenge = NULL;
  GError *error = NULL;
  const char *iss;
  guint16 first_port, last_port;

  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_browser_sign_in_start_async);

  if (self->started)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "This sign-in has already started");
      return;
    }
  self->started = TRUE;
  self->started_at = g_get_real_time () / G_USEC_PER_SEC;

  passport_server_get_redirect_ports (self->server, &first_port, &last_port);
  self->loopback = passport_loopback_new_for_ports (first_port, last_port, &error);
  if (self->loopback == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->verifier = passport_pkce_new_verifier ();
  self->state = passport_random_token (32);
  self->nonce = passport_random_token (32);
  challenge = passport_pkce_challenge_s256 (self->verifier);

  self->url = build_url (self, passport_loopback_get_redirect_uri (self->loopback), challenge);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);

  if (cancellable != NULL)
    {
      CancelLink *link = g_new0 (CancelLink, 1);

      link->cancellable = g_object_ref (cancellable);
      link->handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                             g_object_ref (self->cancellable), g_object_unref);
      /* Disconnected when the task goes. */
      g_task_set_task_data (task, link, (GDestroyNotify) cancel_link_free);
    }

  /* RFC 9207: a server that announces `iss` must send it, and it must be
   * this server: that is what stops a mix-up between servers. */
  iss = passport_server_get_sends_iss (self->server) ? passport_server_get_issuer (self->server)
                                                      : NULL;
  passport_loopback_wait_async (self->loopback, self->state, iss, self->cancellable, wait_cb,
                                g_object_ref (task));
  self->timeout_source = passport_source_attach (g_timeout_source_new_seconds (self->timeout_seconds),
                                                 timeout_cb, self, NULL);

  /* A browser that does not open is no failure: the URL can be copied
   * (the launch-error says why). */
  passport_browser_sign_in_open_browser (self);
}

void
passport_browser_sign_in_set_max_age (PassportBrowserSignIn *self,
                                      gint                   max_age)
{
  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self));
  g_return_if_fail (!self->started);

  self->max_age = MAX (max_age, -1);
}

PassportSession *
passport_browser_sign_in_start_finish (PassportBrowserSignIn  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
passport_browser_sign_in_get_url (PassportBrowserSignIn *self)
{
  g_return_val_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self), NULL);
  return self->url;
}

const char *
passport_browser_sign_in_get_provider_id (PassportBrowserSignIn *self)
{
  g_return_val_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self), NULL);
  return self->provider_id;
}

const char *
passport_browser_sign_in_get_login_hint (PassportBrowserSignIn *self)
{
  g_return_val_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self), NULL);
  return self->login_hint;
}

PassportServer *
passport_browser_sign_in_get_server (PassportBrowserSignIn *self)
{
  g_return_val_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self), NULL);
  return self->server;
}

const GError *
passport_browser_sign_in_get_launch_error (PassportBrowserSignIn *self)
{
  g_return_val_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (self), NULL);
  return self->launch_error;
}
