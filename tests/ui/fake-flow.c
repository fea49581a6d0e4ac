// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <stdarg.h>

#include "fake-flow.h"
#include "passport-enums.h"

struct _PassportFlow
{
  GObject              parent_instance;

  PassportFlowState    state;
  PassportConflictStep conflict_step;
  gboolean             busy;
  GError              *error;
  PassportServer      *server;
  PassportAccount     *account;
  PassportTerms       *terms;
  char                *conflict_email;
  PassportAccount     *other_account;
  char                *browser_url;
  char                *browser_provider;
  gint64               browser_deadline;  /* never set: 0 */
  gint64               retry_after;
  gboolean             remember;
  gboolean             keyring_unavailable;
  char                *pending_password;
  GPtrArray           *calls;
};

G_DEFINE_FINAL_TYPE (PassportFlow, passport_flow, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_CONFLICT_STEP,
  PROP_BUSY,
  PROP_ERROR,
  PROP_SERVER,
  PROP_ACCOUNT,
  PROP_TERMS,
  PROP_CONFLICT_EMAIL,
  PROP_OTHER_ACCOUNT,
  PROP_BROWSER_URL,
  PROP_BROWSER_PROVIDER,
  PROP_BROWSER_DEADLINE,
  PROP_RETRY_AFTER,
  PROP_REMEMBER,
  PROP_KEYRING_UNAVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
passport_flow_state_to_string (PassportFlowState state)
{
  GEnumValue *value = g_enum_get_value (g_type_class_ref (PASSPORT_TYPE_FLOW_STATE), state);

  return value ? value->value_nick : "unknown";
}

/* set_str () is GLib 2.76. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
record (PassportFlow *self,
        const char   *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
record (PassportFlow *self,
        const char   *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (self->calls, g_strdup_vprintf (format, args));
  va_end (args);
}

GPtrArray *
fake_flow_get_calls (PassportFlow *flow)
{
  return flow->calls;
}

const char *
fake_flow_get_last_call (PassportFlow *flow)
{
  return flow->calls->len ? g_ptr_array_index (flow->calls, flow->calls->len - 1) : NULL;
}

PassportFlow *
passport_flow_new (PassportCredentialStore *store)
{
  return g_object_new (PASSPORT_TYPE_FLOW, NULL);
}

PassportFlowState
passport_flow_get_state (PassportFlow *self)
{
  return self->state;
}

PassportConflictStep
passport_flow_get_conflict_step (PassportFlow *self)
{
  return self->conflict_step;
}

gboolean
passport_flow_get_busy (PassportFlow *self)
{
  return self->busy;
}

const GError *
passport_flow_get_error (PassportFlow *self)
{
  return self->error;
}

PassportServer *
passport_flow_get_server (PassportFlow *self)
{
  return self->server;
}

const char *
passport_flow_get_server_url (PassportFlow *self)
{
  return self->server != NULL ? passport_server_get_base_url (self->server) : NULL;
}

PassportAccount *
passport_flow_get_account (PassportFlow *self)
{
  return self->account;
}

PassportTerms *
passport_flow_get_terms (PassportFlow *self)
{
  return self->terms;
}

const char *
passport_flow_get_conflict_email (PassportFlow *self)
{
  return self->conflict_email;
}

PassportAccount *
passport_flow_get_other_account (PassportFlow *self)
{
  return self->other_account;
}

const char *
passport_flow_get_browser_url (PassportFlow *self)
{
  return self->browser_url;
}

const char *
passport_flow_get_browser_provider (PassportFlow *self)
{
  return self->browser_provider;
}

const GError *
passport_flow_get_browser_launch_error (PassportFlow *self)
{
  return NULL;
}

gint64
passport_flow_get_browser_deadline (PassportFlow *self)
{
  return self->browser_deadline;
}

gint64
passport_flow_get_retry_after (PassportFlow *self)
{
  return self->retry_after;
}

gboolean
passport_flow_get_remember (PassportFlow *self)
{
  return self->remember;
}

gboolean
passport_flow_get_keyring_unavailable (PassportFlow *self)
{
  return self->keyring_unavailable;
}

void
fake_flow_set_state (PassportFlow *self, PassportFlowState value)
{
  if (self->state == value)
    return;
  self->state = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
fake_flow_set_conflict_step (PassportFlow *self, PassportConflictStep value)
{
  if (self->conflict_step == value)
    return;
  self->conflict_step = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICT_STEP]);
}

void
fake_flow_set_busy (PassportFlow *self, gboolean value)
{
  value = !!value;
  if (self->busy == value)
    return;
  self->busy = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
fake_flow_set_error (PassportFlow *self, const GError *value)
{
  g_clear_error (&self->error);
  if (value != NULL)
    self->error = g_error_copy (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

void
fake_flow_set_server (PassportFlow *self, PassportServer *value)
{
  if (!g_set_object (&self->server, value))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

void
fake_flow_set_account (PassportFlow *self, PassportAccount *value)
{
  if (!g_set_object (&self->account, value))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

void
fake_flow_set_terms (PassportFlow *self, PassportTerms *value)
{
  if (!g_set_object (&self->terms, value))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TERMS]);
}

void
fake_flow_set_conflict_email (PassportFlow *self, const char *value)
{
  if (!set_str (&self->conflict_email, value))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICT_EMAIL]);
}

void
fake_flow_set_retry_after (PassportFlow *self, gint64 value)
{
  if (self->retry_after == value)
    return;
  self->retry_after = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_AFTER]);
}

void
fake_flow_set_keyring_unavailable (PassportFlow *self, gboolean value)
{
  value = !!value;
  if (self->keyring_unavailable == value)
    return;
  self->keyring_unavailable = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYRING_UNAVAILABLE]);
}

void
fake_flow_set_browser (PassportFlow *self, const char *url, const char *provider)
{
  if (set_str (&self->browser_url, url))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BROWSER_URL]);
  if (set_str (&self->browser_provider, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BROWSER_PROVIDER]);
}

void
fake_flow_set_pending_password (PassportFlow *self, const char *password)
{
  set_str (&self->pending_password, password);
}

const char *
passport_flow_get_pending_password (PassportFlow *self)
{
  return self->pending_password;
}

void passport_flow_set_browser_command (PassportFlow *self, const char *command) { record (self, "set_browser_command"); }
void passport_flow_set_browser_timeout (PassportFlow *self, guint seconds) { record (self, "set_browser_timeout(%u)", seconds); }
/* Every action is recorded and finishes at once with success: the fake
 * never fails (the real flow's failures are tested in tests/flow). */
static void
finish_now (PassportFlow        *self,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             tag)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_return_boolean (task, TRUE);
}

#define FAKE_FINISH(name) \
  gboolean passport_flow_##name##_finish (PassportFlow *self, GAsyncResult *result, GError **error) \
  { return g_task_propagate_boolean (G_TASK (result), error); }

#define FAKE_ASYNC_TAIL GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data
#define FAKE_DONE(name) finish_now (self, callback, user_data, passport_flow_##name##_async)

void passport_flow_set_server_url_async (PassportFlow *self, const char *url, FAKE_ASYNC_TAIL) { record (self, "set_server_url(%s)", url); FAKE_DONE (set_server_url); }
FAKE_FINISH (set_server_url)
void passport_flow_change_server (PassportFlow *self) { record (self, "change_server()"); }
void passport_flow_sign_in_with_provider_async (PassportFlow *self, const char *id, FAKE_ASYNC_TAIL) { record (self, "sign_in_with_provider(%s)", id); FAKE_DONE (sign_in_with_provider); }
FAKE_FINISH (sign_in_with_provider)
void passport_flow_sign_in_with_password_async (PassportFlow *self, const char *email, const char *password, FAKE_ASYNC_TAIL) { record (self, "sign_in_with_password(%s,%s)", email, password); FAKE_DONE (sign_in_with_password); }
FAKE_FINISH (sign_in_with_password)
void passport_flow_reopen_browser (PassportFlow *self) { record (self, "reopen_browser()"); }
void passport_flow_cancel (PassportFlow *self) { record (self, "cancel()"); }
void passport_flow_retry_async (PassportFlow *self, FAKE_ASYNC_TAIL) { record (self, "retry()"); FAKE_DONE (retry); }
FAKE_FINISH (retry)
void passport_flow_accept_terms_async (PassportFlow *self, FAKE_ASYNC_TAIL) { record (self, "accept_terms()"); FAKE_DONE (accept_terms); }
FAKE_FINISH (accept_terms)
void passport_flow_bind_email_async (PassportFlow *self, const char *email, const char *password, FAKE_ASYNC_TAIL) { record (self, "bind_email(%s,%s)", email, password); FAKE_DONE (bind_email); }
FAKE_FINISH (bind_email)
void passport_flow_resend_confirmation_async (PassportFlow *self, FAKE_ASYNC_TAIL) { record (self, "resend_confirmation()"); FAKE_DONE (resend_confirmation); }
FAKE_FINISH (resend_confirmation)
void passport_flow_cancel_pending_email_async (PassportFlow *self, FAKE_ASYNC_TAIL) { record (self, "cancel_pending_email()"); FAKE_DONE (cancel_pending_email); }
FAKE_FINISH (cancel_pending_email)
void passport_flow_change_email_async (PassportFlow *self, const char *email, const char *password, FAKE_ASYNC_TAIL) { record (self, "change_email(%s,%s)", email, password ? password : "(null)"); FAKE_DONE (change_email); }
FAKE_FINISH (change_email)
void passport_flow_conflict_use_other_email (PassportFlow *self) { record (self, "conflict_use_other_email()"); }
void passport_flow_conflict_start_freeing (PassportFlow *self) { record (self, "conflict_start_freeing()"); }
void passport_flow_conflict_sign_in_with_password_async (PassportFlow *self, const char *password, FAKE_ASYNC_TAIL) { record (self, "conflict_sign_in_with_password(%s)", password); FAKE_DONE (conflict_sign_in_with_password); }
FAKE_FINISH (conflict_sign_in_with_password)
void passport_flow_conflict_sign_in_with_provider_async (PassportFlow *self, const char *id, FAKE_ASYNC_TAIL) { record (self, "conflict_sign_in_with_provider(%s)", id); FAKE_DONE (conflict_sign_in_with_provider); }
FAKE_FINISH (conflict_sign_in_with_provider)
void passport_flow_conflict_set_other_email_async (PassportFlow *self, const char *email, const char *password, FAKE_ASYNC_TAIL) { record (self, "conflict_set_other_email(%s)", email); FAKE_DONE (conflict_set_other_email); }
FAKE_FINISH (conflict_set_other_email)
gboolean passport_flow_get_other_needs_password (PassportFlow *self) { return FALSE; }
void passport_flow_conflict_resend_async (PassportFlow *self, FAKE_ASYNC_TAIL) { record (self, "conflict_resend()"); FAKE_DONE (conflict_resend); }
FAKE_FINISH (conflict_resend)
void passport_flow_change_password_async (PassportFlow *self, const char *current, const char *new_password, FAKE_ASYNC_TAIL) { record (self, "change_password(%s,%s)", current, new_password); FAKE_DONE (change_password); }
FAKE_FINISH (change_password)
void passport_flow_sign_out_async (PassportFlow *self, FAKE_ASYNC_TAIL) { record (self, "sign_out()"); FAKE_DONE (sign_out); }
FAKE_FINISH (sign_out)
void passport_flow_continue_without_keyring (PassportFlow *self) { record (self, "continue_without_keyring()"); }

static void
passport_flow_finalize (GObject *object)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  g_clear_error (&self->error);
  g_clear_object (&self->server);
  g_clear_object (&self->account);
  g_clear_object (&self->terms);
  g_clear_object (&self->other_account);
  g_clear_pointer (&self->conflict_email, g_free);
  g_clear_pointer (&self->browser_url, g_free);
  g_clear_pointer (&self->browser_provider, g_free);
  g_clear_pointer (&self->pending_password, g_free);
  g_clear_pointer (&self->calls, g_ptr_array_unref);

  G_OBJECT_CLASS (passport_flow_parent_class)->finalize (object);
}

static void
passport_flow_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CONFLICT_STEP:
      g_value_set_enum (value, self->conflict_step);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_TERMS:
      g_value_set_object (value, self->terms);
      break;
    case PROP_CONFLICT_EMAIL:
      g_value_set_string (value, self->conflict_email);
      break;
    case PROP_OTHER_ACCOUNT:
      g_value_set_object (value, self->other_account);
      break;
    case PROP_BROWSER_URL:
      g_value_set_string (value, self->browser_url);
      break;
    case PROP_BROWSER_PROVIDER:
      g_value_set_string (value, self->browser_provider);
      break;
    case PROP_BROWSER_DEADLINE:
      g_value_set_int64 (value, self->browser_deadline);
      break;
    case PROP_RETRY_AFTER:
      g_value_set_int64 (value, self->retry_after);
      break;
    case PROP_REMEMBER:
      g_value_set_boolean (value, self->remember);
      break;
    case PROP_KEYRING_UNAVAILABLE:
      g_value_set_boolean (value, self->keyring_unavailable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_flow_class_init (PassportFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = passport_flow_finalize;
  object_class->get_property = passport_flow_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, PASSPORT_TYPE_FLOW_STATE, 0, flags);
  properties[PROP_CONFLICT_STEP] = g_param_spec_enum ("conflict-step", NULL, NULL, PASSPORT_TYPE_CONFLICT_STEP, 0, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER, flags);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_TERMS] = g_param_spec_object ("terms", NULL, NULL, PASSPORT_TYPE_TERMS, flags);
  properties[PROP_CONFLICT_EMAIL] = g_param_spec_string ("conflict-email", NULL, NULL, NULL, flags);
  properties[PROP_OTHER_ACCOUNT] = g_param_spec_object ("other-account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_BROWSER_URL] = g_param_spec_string ("browser-url", NULL, NULL, NULL, flags);
  properties[PROP_BROWSER_PROVIDER] = g_param_spec_string ("browser-provider", NULL, NULL, NULL, flags);
  properties[PROP_BROWSER_DEADLINE] = g_param_spec_int64 ("browser-deadline", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_RETRY_AFTER] = g_param_spec_int64 ("retry-after", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_REMEMBER] = g_param_spec_boolean ("remember", NULL, NULL, FALSE, flags);
  properties[PROP_KEYRING_UNAVAILABLE] = g_param_spec_boolean ("keyring-unavailable", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_flow_init (PassportFlow *self)
{
  self->remember = TRUE;
  self->calls = g_ptr_array_new_with_free_func (g_free);
}
