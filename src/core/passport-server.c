/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-provider.h"
#include "passport-server-private.h"
#include "passport-util-private.h"

struct _PassportServer
{
  GObject parent_instance;

  SoupSession *session;
  GCancellable *cancellable;

  char *base_url;
  char *issuer;
  char *name;
  char *authorization_endpoint;
  char *token_endpoint;
  char *revocation_endpoint;
  char *device_authorization_endpoint;
  char *userinfo_endpoint;
  char *api_endpoint;
  gboolean sends_iss;
  char **features;            /* passport_features; never NULL */
  GListStore *providers;

  char *scope;
  gboolean asks_offline_access;
  char *client_id;
  char *device_name;
  guint16 first_port;
  guint16 last_port;
};

G_DEFINE_FINAL_TYPE (PassportServer, passport_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_ISSUER,
  PROP_AUTHORIZATION_ENDPOINT,
  PROP_TOKEN_ENDPOINT,
  PROP_REVOCATION_ENDPOINT,
  PROP_USERINFO_ENDPOINT,
  PROP_API_ENDPOINT,
  PROP_PROVIDERS,
  PROP_FEATURES,
  PROP_CLIENT_ID,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
passport_server_dispose (GObject *object)
{
  PassportServer *self = PASSPORT_SERVER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    soup_session_abort (self->session);

  G_OBJECT_CLASS (passport_server_parent_class)->dispose (object);
}

static void
passport_server_finalize (GObject *object)
{
  PassportServer *self = PASSPORT_SERVER (object);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->providers);
  g_free (self->base_url);
  g_free (self->issuer);
  g_free (self->name);
  g_free (self->authorization_endpoint);
  g_free (self->token_endpoint);
  g_free (self->revocation_endpoint);
  g_free (self->device_authorization_endpoint);
  g_free (self->userinfo_endpoint);
  g_free (self->api_endpoint);
  g_strfreev (self->features);
  g_free (self->scope);
  g_free (self->client_id);
  g_free (self->device_name);

  G_OBJECT_CLASS (passport_server_parent_class)->finalize (object);
}

static void
passport_server_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PassportServer *self = PASSPORT_SERVER (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_ISSUER:
      g_value_set_string (value, self->issuer);
      break;
    case PROP_AUTHORIZATION_ENDPOINT:
      g_value_set_string (value, self->authorization_endpoint);
      break;
    case PROP_TOKEN_ENDPOINT:
      g_value_set_string (value, self->token_endpoint);
      break;
    case PROP_REVOCATION_ENDPOINT:
      g_value_set_string (value, self->revocation_endpoint);
      break;
    case PROP_USERINFO_ENDPOINT:
      g_value_set_string (value, self->userinfo_endpoint);
      break;
    case PROP_API_ENDPOINT:
      g_value_set_string (value, self->api_endpoint);
      break;
    case PROP_PROVIDERS:
      g_value_set_object (value, self->providers);
      break;
    case PROP_FEATURES:
      g_value_set_boxed (value, self->features);
      break;
    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_server_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PassportServer *self = PASSPORT_SERVER (object);

  switch (prop_id)
    {
    case PROP_CLIENT_ID:
      passport_server_set_client_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_server_class_init (PassportServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = passport_server_dispose;
  object_class->finalize = passport_server_finalize;
  object_class->get_property = passport_server_get_property;
  object_class->set_property = passport_server_set_property;

  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, flags);
  properties[PROP_ISSUER] = g_param_spec_string ("issuer", NULL, NULL, NULL, flags);
  properties[PROP_AUTHORIZATION_ENDPOINT] =
    g_param_spec_string ("authorization-endpoint", NULL, NULL, NULL, flags);
  properties[PROP_TOKEN_ENDPOINT] = g_param_spec_string ("token-endpoint", NULL, NULL, NULL, flags);
  properties[PROP_REVOCATION_ENDPOINT] =
    g_param_spec_string ("revocation-endpoint", NULL, NULL, NULL, flags);
  properties[PROP_USERINFO_ENDPOINT] =
    g_param_spec_string ("userinfo-endpoint", NULL, NULL, NULL, flags);
  properties[PROP_API_ENDPOINT] = g_param_spec_string ("api-endpoint", NULL, NULL, NULL, flags);
  properties[PROP_PROVIDERS] =
    g_param_spec_object ("providers", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_FEATURES] = g_param_spec_boxed ("features", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_CLIENT_ID] =
    g_param_spec_string ("client-id", NULL, NULL, PASSPORT_CLIENT_ID,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_server_init (PassportServer *self)
{
  self->session = passport_http_session_new ();
  self->cancellable = g_cancellable_new ();
  self->providers = g_list_store_new (PASSPORT_TYPE_PROVIDER);
  self->features = g_new0 (char *, 1);
  self->client_id = g_strdup (PASSPORT_CLIENT_ID);

  /* The process-wide defaults (passportctl and the app set them from their
   * options and settings); a caller may still set them per server. */
  passport_server_set_client_id (self, g_getenv ("PASSPORT_CLIENT_ID"));
  passport_server_set_device_name (self, NULL);
  if (g_getenv ("PASSPORT_REDIRECT_PORT") != NULL &&
      *g_getenv ("PASSPORT_REDIRECT_PORT") != '\0')
    {
      g_autoptr(GError) error = NULL;

      if (!passport_redirect_ports_parse (g_getenv ("PASSPORT_REDIRECT_PORT"),
                                          &self->first_port, &self->last_port, &error))
        g_warning ("PASSPORT_REDIRECT_PORT: %s", error->message);
    }
}

/* URLs */

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
passport_server_url_is_secure (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;
  return g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         host_is_loopback (g_uri_get_host (uri));
}

/* The host of an address typed without a scheme: before the path, and
 * before the port unless it is a bracketed IPv6 address. */
static gboolean
typed_host_is_loopback (const char *text)
{
  g_autofree char *host = g_strndup (text, strcspn (text, "/"));
  char *colon;

  if (host[0] == '[')
    {
      char *end = strchr (host, ']');

      if (end == NULL)
        return FALSE;
      *end = '\0';
      return host_is_loopback (host + 1);
    }
  colon = strrchr (host, ':');
  if (colon != NULL)
    *colon = '\0';
  return host_is_loopback (host);
}

static char *
normalize (const char  *url,
           gboolean     add_scheme,
           GError     **error)
{
  g_autofree char *text = g_strstrip (g_strdup (url));
  g_autofree char *with_scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  gsize len;
  int port;

  /* "host", "host:port", "host/path": no scheme typed ("localhost:8765"
   * is not the scheme "localhost"). A server on this machine speaks plain
   * http; any other, https. */
  if (add_scheme && strstr (text, "://") == NULL)
    with_scheme = g_strconcat (typed_host_is_loopback (text) ? "http://" : "https://", text, NULL);
  else
    with_scheme = g_steal_pointer (&text);

  uri = g_uri_parse (with_scheme,
                     G_URI_FLAGS_SCHEME_NORMALIZE | G_URI_FLAGS_ENCODED_PATH |
                     G_URI_FLAGS_HAS_PASSWORD, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL ||
      (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER,
                           _("This is not a valid server address."));
      return NULL;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  if (g_str_equal (scheme, "http") && !host_is_loopback (host))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_INSECURE_URL,
                           passport_error_code_describe (PASSPORT_ERROR_INSECURE_URL));
      return NULL;
    }

  path = g_strdup (g_uri_get_path (uri));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';

  port = g_uri_get_port (uri);
  if ((g_str_equal (scheme, "https") && port == 443) || (g_str_equal (scheme, "http") && port == 80))
    port = -1;

  return g_uri_join (G_URI_FLAGS_ENCODED_PATH, scheme, NULL, host, port, path, NULL, NULL);
}

char *
passport_server_normalize_url (const char  *url,
                               GError     **error)
{
  g_return_val_if_fail (url != NULL, NULL);

  return normalize (url, TRUE, error);
}

/* Parsers */

static gboolean
endpoint (JsonObject  *doc,
          const char  *name,
          gboolean     required,
          char       **out,
          GError     **error)
{
  g_autofree char *value = NULL;

  if (required ? !passport_json_require_string (doc, name, &value, error)
               : !passport_json_optional_string (doc, name, &value, error))
    return FALSE;

  if (value != NULL && !passport_server_url_is_secure (value))
    {
      /* An endpoint over plain http to a real host would send tokens in
       * the clear, whatever the discovery URL was. */
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_INSECURE_URL,
                           passport_error_code_describe (PASSPORT_ERROR_INSECURE_URL));
      return FALSE;
    }

  *out = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
strv_has (char       **strv,
          const char  *value)
{
  return strv == NULL || g_strv_contains ((const char * const *) strv, value);
}

PassportServer *
passport_server_new_from_discovery (const char  *base_url,
                                    JsonNode    *document,
                                    GError     **error)
{
  g_autoptr(PassportServer) self = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *normal_issuer = NULL;
  g_auto(GStrv) response_types = NULL;
  g_auto(GStrv) challenge_methods = NULL;
  g_auto(GStrv) grant_types = NULL;
  g_auto(GStrv) scopes = NULL;
  g_auto(GStrv) features = NULL;
  JsonObject *doc;

  doc = passport_json_node_get_object (document, error);
  if (doc == NULL)
    return NULL;

  self = g_object_new (PASSPORT_TYPE_SERVER, NULL);
  self->base_url = g_strdup (base_url);

  if (!passport_json_require_string (doc, "issuer", &issuer, error) ||
      !endpoint (doc, "authorization_endpoint", TRUE, &self->authorization_endpoint, error) ||
      !endpoint (doc, "token_endpoint", TRUE, &self->token_endpoint, error) ||
      !endpoint (doc, "revocation_endpoint", FALSE, &self->revocation_endpoint, error) ||
      !endpoint (doc, "device_authorization_endpoint", FALSE, &self->device_authorization_endpoint,
                 error) ||
      !endpoint (doc, "userinfo_endpoint", FALSE, &self->userinfo_endpoint, error) ||
      !endpoint (doc, "passport_api_endpoint", FALSE, &self->api_endpoint, error) ||
      !passport_json_optional_strv (doc, "response_types_supported", &response_types, error) ||
      !passport_json_optional_strv (doc, "grant_types_supported", &grant_types, error) ||
      !passport_json_optional_strv (doc, "code_challenge_methods_supported",
                                    &challenge_methods, error) ||
      !passport_json_optional_strv (doc, "scopes_supported", &scopes, error) ||
      !passport_json_optional_strv (doc, "passport_features", &features, error) ||
      !passport_json_optional_boolean (doc, "authorization_response_iss_parameter_supported",
                                       FALSE, &self->sends_iss, error))
    return NULL;

  /* The issuer must be the address the user gave (OpenID Connect
   * Discovery §4.3): otherwise a server could speak for another. */
  normal_issuer = normalize (issuer, FALSE, NULL);
  if (normal_issuer == NULL || !g_str_equal (normal_issuer, base_url))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_ISSUER_MISMATCH,
                           passport_error_code_describe (PASSPORT_ERROR_ISSUER_MISMATCH));
      return NULL;
    }
  /* Tokens carry the issuer exactly as published. */
  self->issuer = g_steal_pointer (&issuer);
  /* Discovery names no server: the host of its issuer is what a user
   * recognises. */
  {
    g_autoptr(GUri) uri = g_uri_parse (self->issuer, G_URI_FLAGS_NONE, NULL);

    self->name = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri)
                                                                        : self->base_url);
  }

  if (!strv_has (response_types, "code") || !strv_has (challenge_methods, "S256") ||
      !strv_has (grant_types, "authorization_code"))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER,
                           _("This server does not support the secure sign-in Passport uses."));
      return NULL;
    }

  /* A missing field means none (contract section 1); the account API's
   * features mean nothing without the account API. Unknown values are
   * kept and never asked about. */
  if (features != NULL && self->api_endpoint != NULL)
    {
      g_strfreev (self->features);
      self->features = g_steal_pointer (&features);
    }

  /* Only what the server offers: a strict provider refuses a scope it
   * does not know (invalid_scope). Without offline_access a plain
   * provider issues no refresh token, and the session cannot be kept. */
  self->asks_offline_access = scopes != NULL &&
                              g_strv_contains ((const char * const *) scopes, "offline_access");
  self->scope = g_strconcat ("openid profile email",
                             self->asks_offline_access ? " offline_access" : "",
                             self->api_endpoint != NULL ? " passport" : "",
                             NULL);

  return g_steal_pointer (&self);
}

GPtrArray *
passport_server_parse_providers (JsonNode  *node,
                                 GError   **error)
{
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *object;
  JsonArray *array;

  object = passport_json_node_get_object (node, error);
  if (object == NULL || !passport_json_require_array (object, "providers", &array, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *id = NULL;
      g_autofree char *name = NULL;
      g_autofree char *icon_url = NULL;
      JsonObject *entry;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "Field “providers” holds something other than objects");
          return NULL;
        }
      entry = json_node_get_object (item);
      if (!passport_json_require_string (entry, "id", &id, error) ||
          !passport_json_require_string (entry, "name", &name, error) ||
          !passport_json_optional_string (entry, "icon_url", &icon_url, error))
        return NULL;
      if (*id == '\0')
        {
          g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "Field “id” is empty");
          return NULL;
        }

      g_ptr_array_add (providers, passport_provider_new (id, name, icon_url));
    }

  return g_steal_pointer (&providers);
}

PassportTerms *
passport_server_parse_terms (JsonNode  *node,
                             GError   **error)
{
  g_autofree char *version = NULL;
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  object = passport_json_node_get_object (node, error);
  if (object == NULL ||
      !passport_json_require_string (object, "version", &version, error) ||
      !passport_json_optional_string (object, "url", &url, error) ||
      !passport_json_require_string (object, "text", &text, error))
    return NULL;

  return passport_terms_new (version, url, text);
}

/* Discovery */

typedef struct
{
  char *base_url;
  PassportServer *server;
} Discovery;

static void
discovery_free (Discovery *discovery)
{
  g_free (discovery->base_url);
  g_clear_object (&discovery->server);
  g_free (discovery);
}

static void
discover_providers_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  GError *error = NULL;

  if (!passport_server_reload_providers_finish (PASSPORT_SERVER (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&discovery->server), g_object_unref);
}

static void
discover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;
  GCancellable *cancellable;

  if (!passport_http_send_finish (result, &status, &json, &error))
    {
      /* A page that is not there means this is no sign-in server; a
       * server that is down or throttling says so in its own code. */
      if (status != 0 && !SOUP_STATUS_IS_SUCCESSFUL (status) && status < 500 &&
          status != 429)
        g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER,
                                 "%s", passport_error_code_describe (PASSPORT_ERROR_NOT_A_PASSPORT_SERVER));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (json == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "%s", passport_error_code_describe (PASSPORT_ERROR_BAD_RESPONSE));
      return;
    }

  discovery->server = passport_server_new_from_discovery (discovery->base_url, json, &error);
  if (discovery->server == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (discovery->server->api_endpoint == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&discovery->server), g_object_unref);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  passport_server_reload_providers_async (discovery->server, cancellable,
                                          discover_providers_cb, g_steal_pointer (&task));
}

void
passport_server_discover_async (const char          *base_url,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  Discovery *discovery;
  GError *error = NULL;

  g_return_if_fail (base_url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_server_discover_async);

  discovery = g_new0 (Discovery, 1);
  g_task_set_task_data (task, discovery, (GDestroyNotify) discovery_free);

  discovery->base_url = passport_server_normalize_url (base_url, &error);
  if (discovery->base_url == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  url = g_strconcat (discovery->base_url, "/.well-known/openid-configuration", NULL);
  msg = passport_http_new_json_request (SOUP_METHOD_GET, url, NULL, &error);
  if (msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* A short-lived session for the discovery itself; the server object
   * gets its own. */
  session = passport_http_session_new ();
  passport_http_send_async (session, msg, 0, NULL, cancellable, discover_cb,
                            g_steal_pointer (&task));
}

PassportServer *
passport_server_discover_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Providers */

static void
providers_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportServer *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  GError *error = NULL;

  if (!passport_http_send_finish (result, NULL, &json, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  providers = passport_server_parse_providers (json, &error);
  if (providers == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_list_store_splice (self->providers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->providers)),
                       providers->pdata, providers->len);
  g_task_return_boolean (task, TRUE);
}

static void
get_api (PassportServer      *self,
         const char          *path,
         gpointer             source_tag,
         GAsyncReadyCallback  cb,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (self->api_endpoint == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED,
                               "%s", passport_error_code_describe (PASSPORT_ERROR_NOT_SUPPORTED));
      return;
    }

  url = g_strconcat (self->api_endpoint, path, NULL);
  msg = passport_http_new_json_request (SOUP_METHOD_GET, url, NULL, &error);
  if (msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  passport_http_send_async (self->session, msg, 0, self->cancellable, cancellable, cb,
                            g_steal_pointer (&task));
}

void
passport_server_reload_providers_async (PassportServer      *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_SERVER (self));

  get_api (self, "/providers", passport_server_reload_providers_async, providers_cb,
           cancellable, callback, user_data);
}

gboolean
passport_server_reload_providers_finish (PassportServer  *self,
                                         GAsyncResult    *result,
                                         GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Terms */

static void
terms_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) json = NULL;
  PassportTerms *terms;
  GError *error = NULL;

  if (!passport_http_send_finish (result, NULL, &json, &error) ||
      (terms = passport_server_parse_terms (json, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, terms, g_object_unref);
}

void
passport_server_get_terms_async (PassportServer      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_SERVER (self));

  get_api (self, "/terms", passport_server_get_terms_async, terms_cb,
           cancellable, callback, user_data);
}

PassportTerms *
passport_server_get_terms_finish (PassportServer  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Password reset (contract section 7) */

static void
password_reset_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* 202 {}: nothing to read in it, and nothing follows to wait for. */
  if (!passport_http_send_finish (result, NULL, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
passport_server_request_password_reset_async (PassportServer      *self,
                                              const char          *email,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GString) body = g_string_new ("{\"email\":");
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;

  g_return_if_fail (PASSPORT_IS_SERVER (self));
  g_return_if_fail (email != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_server_request_password_reset_async);

  if (!passport_server_has_feature (self, "password_reset"))
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED,
                               "%s", passport_error_code_describe (PASSPORT_ERROR_NOT_SUPPORTED));
      return;
    }

  passport_http_append_json_string (body, email);
  g_string_append_c (body, '}');
  bytes = g_bytes_new (body->str, body->len);
  url = g_strconcat (self->api_endpoint, "/password/reset", NULL);
  msg = passport_http_new_json_request (SOUP_METHOD_POST, url, bytes, &error);
  if (msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  passport_http_send_async (self->session, msg, 0, self->cancellable, cancellable, password_reset_cb,
                            g_steal_pointer (&task));
}

gboolean
passport_server_request_password_reset_finish (PassportServer  *self,
                                               GAsyncResult    *result,
                                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Getters */

SoupSession *
passport_server_get_session (PassportServer *self)
{
  return self->session;
}

GCancellable *
passport_server_get_cancellable (PassportServer *self)
{
  return self->cancellable;
}

const char *
passport_server_get_base_url (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->base_url;
}

const char *
passport_server_get_issuer (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->issuer;
}

const char *
passport_server_get_authorization_endpoint (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->authorization_endpoint;
}

const char *
passport_server_get_token_endpoint (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->token_endpoint;
}

const char *
passport_server_get_device_authorization_endpoint (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->device_authorization_endpoint;
}

const char *
passport_server_get_revocation_endpoint (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->revocation_endpoint;
}

const char *
passport_server_get_userinfo_endpoint (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->userinfo_endpoint;
}

const char *
passport_server_get_api_endpoint (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->api_endpoint;
}

const char *
passport_server_get_name (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->name;
}

gboolean
passport_server_has_account_api (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), FALSE);
  return self->api_endpoint != NULL;
}

const char * const *
passport_server_get_features (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return (const char * const *) self->features;
}

gboolean
passport_server_has_feature (PassportServer *self,
                             const char     *feature)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), FALSE);
  g_return_val_if_fail (feature != NULL, FALSE);
  return g_strv_contains ((const char * const *) self->features, feature);
}

gboolean
passport_server_get_sends_iss (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), FALSE);
  return self->sends_iss;
}

const char *
passport_server_get_scope (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->scope;
}

gboolean
passport_server_get_asks_offline_access (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), FALSE);
  return self->asks_offline_access;
}

char *
passport_device_name_default (void)
{
  g_autofree char *system = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  const char *host = g_get_host_name ();

  if (system == NULL || *system == '\0')
    return g_strdup (host);
  return g_strdup_printf ("%s (%s)", host, system);
}

const char *
passport_server_get_device_name (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->device_name;
}

void
passport_server_set_device_name (PassportServer *self,
                                 const char     *device_name)
{
  g_return_if_fail (PASSPORT_IS_SERVER (self));

  if (device_name == NULL || *device_name == '\0')
    device_name = g_getenv ("PASSPORT_DEVICE_NAME");
  g_free (self->device_name);
  self->device_name = device_name != NULL && *device_name != '\0'
                        ? g_utf8_make_valid (device_name, -1)
                        : passport_device_name_default ();
}

/* What a sign-in sends as `device_name`: only a passport server takes it. */
const char *
passport_server_get_device_name_to_send (PassportServer *self)
{
  return passport_server_has_account_api (self) ? self->device_name : NULL;
}

const char *
passport_server_get_client_id (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return self->client_id;
}

void
passport_server_set_client_id (PassportServer *self,
                               const char     *client_id)
{
  g_return_if_fail (PASSPORT_IS_SERVER (self));

  if (client_id == NULL || *client_id == '\0')
    client_id = PASSPORT_CLIENT_ID;
  if (passport_set_str (&self->client_id, client_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_ID]);
}

void
passport_server_set_redirect_ports (PassportServer *self,
                                    guint16         first,
                                    guint16         last)
{
  g_return_if_fail (PASSPORT_IS_SERVER (self));
  g_return_if_fail (first <= last);

  self->first_port = first;
  self->last_port = last;
}

void
passport_server_get_redirect_ports (PassportServer *self,
                                    guint16        *first,
                                    guint16        *last)
{
  g_return_if_fail (PASSPORT_IS_SERVER (self));

  *first = self->first_port;
  *last = self->last_port;
}

void
passport_server_apply_settings (PassportServer *self,
                                GVariant       *client_ids,
                                GVariant       *redirect_ports)
{
  const char *client_id = NULL;
  const char *ports = NULL;

  g_return_if_fail (PASSPORT_IS_SERVER (self));

  if (client_ids != NULL && g_variant_is_of_type (client_ids, G_VARIANT_TYPE ("a{ss}")) &&
      g_variant_lookup (client_ids, self->base_url, "&s", &client_id) && *client_id != '\0')
    passport_server_set_client_id (self, client_id);

  if (redirect_ports != NULL && g_variant_is_of_type (redirect_ports, G_VARIANT_TYPE ("a{ss}")) &&
      g_variant_lookup (redirect_ports, self->base_url, "&s", &ports))
    {
      g_autoptr(GError) error = NULL;
      guint16 first, last;

      if (passport_redirect_ports_parse (ports, &first, &last, &error))
        passport_server_set_redirect_ports (self, first, last);
      else
        g_debug ("redirect-ports for %s ignored: %s", self->base_url, error->message);
    }
}

#define MAX_PORT_RANGE 100

gboolean
passport_redirect_ports_parse (const char  *text,
                               guint16     *first,
                               guint16     *last,
                               GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 from = 0, to = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  parts = g_strsplit (text, "-", 3);
  if (g_strv_length (parts) < 1 || g_strv_length (parts) > 2 ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 1, G_MAXUINT16, &from, NULL) ||
      (parts[1] != NULL &&
       !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 1, G_MAXUINT16, &to, NULL)))
    {
      g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_FAILED,
                   _("“%s” is not a port (1–65535) or a range of ports such as 8065-8070."), text);
      return FALSE;
    }
  if (parts[1] == NULL)
    to = from;
  if (to < from || to - from >= MAX_PORT_RANGE)
    {
      g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_FAILED,
                   _("“%s” is not a small range of ports: give the lower port first, at most %d ports."),
                   text, MAX_PORT_RANGE);
      return FALSE;
    }

  *first = (guint16) from;
  *last = (guint16) to;
  return TRUE;
}

GListModel *
passport_server_get_providers (PassportServer *self)
{
  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);
  return G_LIST_MODEL (self->providers);
}

PassportProvider *
passport_server_find_provider (PassportServer *self,
                               const char     *id)
{
  GListModel *providers;

  g_return_val_if_fail (PASSPORT_IS_SERVER (self), NULL);

  if (id == NULL)
    return NULL;
  providers = G_LIST_MODEL (self->providers);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PassportProvider) provider = g_list_model_get_item (providers, i);

      if (g_strcmp0 (passport_provider_get_id (provider), id) == 0)
        return provider;  /* the model holds it */
    }
  return NULL;
}

#define ICON_MAX_BYTES (256 * 1024)

static void
icon_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  const char *type;

  if (bytes == NULL)
    {
      g_task_return_error (task, passport_http_map_transport_error (error));
      return;
    }
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK || type == NULL ||
      !g_str_has_prefix (type, "image/") || g_bytes_get_size (bytes) == 0 ||
      g_bytes_get_size (bytes) > ICON_MAX_BYTES)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_BAD_RESPONSE));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

void
passport_server_fetch_icon_async (PassportServer      *self,
                                  PassportProvider    *provider,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *url;
  const char *host;
  SoupMessage *msg;

  g_return_if_fail (PASSPORT_IS_SERVER (self));
  g_return_if_fail (PASSPORT_IS_PROVIDER (provider));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_server_fetch_icon_async);

  url = passport_provider_get_icon_url (provider);
  if (url == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_NOT_SUPPORTED));
      return;
    }

  /* The same rule as for the server itself: no plain http off this machine. */
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  host = uri ? g_uri_get_host (uri) : NULL;
  if (uri == NULL || host == NULL ||
      !(g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
        (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") || g_str_equal (host, "localhost")))))
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_INSECURE_URL, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_INSECURE_URL));
      return;
    }

  msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (passport_server_get_session (self), msg, G_PRIORITY_LOW,
                                    cancellable, icon_cb, g_steal_pointer (&task));
}

GBytes *
passport_server_fetch_icon_finish (PassportServer  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
