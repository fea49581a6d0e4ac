// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>
#include <stdarg.h>

#include "passport-error.h"
#include "passport-provider.h"
#include "passport-page.h"

typedef struct
{
  PassportFlow *flow;
  GSignalGroup *flow_signals;
  GBindingGroup *flow_bindings;
  char *account_id;   /* whose fields the page may hold */
  guint focus_id;
} PassportPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PassportPage, passport_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

PassportFlow *
passport_page_get_flow (PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);

  g_return_val_if_fail (PASSPORT_IS_PAGE (self), NULL);
  return priv->flow;
}

/* The first empty field that can take the cursor, depth first. */
static GtkWidget *
first_empty_field (GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_is_sensitive (widget))
    return NULL;
  if (GTK_IS_EDITABLE (widget) && gtk_widget_get_focusable (widget) &&
      *gtk_editable_get_text (GTK_EDITABLE (widget)) == '\0')
    return widget;
  /* An entry row is one field: its delegate is the editable. */
  if (GTK_IS_EDITABLE (widget) && gtk_editable_get_delegate (GTK_EDITABLE (widget)) != NULL)
    return *gtk_editable_get_text (GTK_EDITABLE (widget)) == '\0' ? widget : NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = first_empty_field (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
focus_first_field (gpointer data)
{
  PassportPage *self = data;
  PassportPagePrivate *priv = passport_page_get_instance_private (self);
  GtkWidget *field;

  priv->focus_id = 0;
  if (PASSPORT_PAGE_GET_CLASS (self)->focus_first_field &&
      gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      (field = first_empty_field (GTK_WIDGET (self))) != NULL)
    gtk_widget_grab_focus (field);
  return G_SOURCE_REMOVE;
}

/* Shown: the cursor goes to the first empty field (once the page and its
 * children are mapped), so a keyboard user types where they mean to. */
static void
page_mapped_cb (PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);

  if (priv->focus_id == 0)
    priv->focus_id = g_idle_add (focus_first_field, self);
}

static void
account_changed_cb (PassportFlow *flow,
                    GParamSpec   *pspec,
                    PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);
  PassportAccount *account = passport_flow_get_account (flow);
  const char *id = account != NULL ? passport_account_get_id (account) : NULL;

  if (g_strcmp0 (id, priv->account_id) == 0)
    return;
  g_free (priv->account_id);
  priv->account_id = g_strdup (id);
  if (PASSPORT_PAGE_GET_CLASS (self)->forget != NULL)
    PASSPORT_PAGE_GET_CLASS (self)->forget (self);
}

void
passport_page_set_flow (PassportPage *self,
                        PassportFlow *flow)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);
  PassportAccount *account;

  g_return_if_fail (PASSPORT_IS_PAGE (self));
  g_return_if_fail (flow == NULL || PASSPORT_IS_FLOW (flow));

  if (!g_set_object (&priv->flow, flow))
    return;

  account = flow != NULL ? passport_flow_get_account (flow) : NULL;
  g_free (priv->account_id);
  priv->account_id = account != NULL ? g_strdup (passport_account_get_id (account)) : NULL;
  g_signal_group_set_target (priv->flow_signals, flow);
  g_binding_group_set_source (priv->flow_bindings, flow);

  /* The page refreshes itself on this. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOW]);
}

GSignalGroup *
passport_page_get_flow_signals (PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);

  g_return_val_if_fail (PASSPORT_IS_PAGE (self), NULL);
  return priv->flow_signals;
}

GBindingGroup *
passport_page_get_flow_bindings (PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);

  g_return_val_if_fail (PASSPORT_IS_PAGE (self), NULL);
  return priv->flow_bindings;
}

const GError *
passport_page_get_error (PassportPage *self,
                         ...)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);
  const GError *error;
  const GError *found = NULL;
  va_list args;
  int code;

  g_return_val_if_fail (PASSPORT_IS_PAGE (self), NULL);

  if (priv->flow == NULL)
    return NULL;
  error = passport_flow_get_error (priv->flow);
  if (error == NULL || error->domain != PASSPORT_ERROR)
    return NULL;

  va_start (args, self);
  while ((code = va_arg (args, int)) != -1)
    {
      if (error->code == code)
        {
          found = error;
          break;
        }
    }
  va_end (args);

  return found;
}

static GQuark
inline_errors_quark (void)
{
  return g_quark_from_static_string ("passport-page-inline-errors");
}

void
passport_page_class_set_inline_errors (PassportPageClass *klass,
                                       ...)
{
  GArray *codes = g_array_new (FALSE, FALSE, sizeof (int));
  va_list args;
  int code;

  va_start (args, klass);
  while ((code = va_arg (args, int)) != -1)
    g_array_append_val (codes, code);
  va_end (args);

  /* Lives as long as the type (forever). */
  g_type_set_qdata (G_TYPE_FROM_CLASS (klass), inline_errors_quark (), codes);
}

gboolean
passport_page_shows_error (PassportPage *self,
                           const GError *error)
{
  GArray *codes;

  g_return_val_if_fail (PASSPORT_IS_PAGE (self), FALSE);

  if (error == NULL || error->domain != PASSPORT_ERROR)
    return FALSE;
  codes = g_type_get_qdata (G_OBJECT_TYPE (self), inline_errors_quark ());
  if (codes == NULL)
    return FALSE;
  for (guint i = 0; i < codes->len; i++)
    if (g_array_index (codes, int, i) == error->code)
      return TRUE;
  return FALSE;
}

const GError *
passport_page_get_inline_error (PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);
  const GError *error;

  g_return_val_if_fail (PASSPORT_IS_PAGE (self), NULL);

  if (priv->flow == NULL)
    return NULL;
  error = passport_flow_get_error (priv->flow);
  return passport_page_shows_error (self, error) ? error : NULL;
}

void
passport_page_label_unnamed_buttons (GtkWidget *root)
{
  /* The reveal button of AdwPasswordEntryRow (libadwaita 1.2) has no
   * accessible name of its own; screen readers would call it "GtkImage". */
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child) || GTK_IS_BUTTON (child))
        {
          GtkWidget *row = gtk_widget_get_ancestor (child, ADW_TYPE_PASSWORD_ENTRY_ROW);

          if (row != NULL && gtk_actionable_get_action_name (GTK_ACTIONABLE (child)) == NULL &&
              gtk_button_get_label (GTK_BUTTON (child)) == NULL)
            gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                            GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show password"),
                                            -1);
        }
      passport_page_label_unnamed_buttons (child);
    }
}

gboolean
passport_page_is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static void
passport_page_dispose (GObject *object)
{
  PassportPage *self = PASSPORT_PAGE (object);
  PassportPagePrivate *priv = passport_page_get_instance_private (self);

  if (priv->flow_signals != NULL)
    g_signal_group_set_target (priv->flow_signals, NULL);
  if (priv->flow_bindings != NULL)
    g_binding_group_set_source (priv->flow_bindings, NULL);
  g_clear_object (&priv->flow_signals);
  g_clear_object (&priv->flow_bindings);
  g_clear_object (&priv->flow);
  g_clear_pointer (&priv->account_id, g_free);
  g_clear_handle_id (&priv->focus_id, g_source_remove);

  G_OBJECT_CLASS (passport_page_parent_class)->dispose (object);
}

static void
passport_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PassportPage *self = PASSPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, passport_page_get_flow (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PassportPage *self = PASSPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      passport_page_set_flow (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_page_class_init (PassportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_page_dispose;
  object_class->get_property = passport_page_get_property;
  object_class->set_property = passport_page_set_property;
  klass->focus_first_field = TRUE;

  /**
   * PassportPage:flow:
   *
   * The sign-in flow this page shows a step of.
   */
  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_page_init (PassportPage *self)
{
  PassportPagePrivate *priv = passport_page_get_instance_private (self);

  priv->flow_signals = g_signal_group_new (PASSPORT_TYPE_FLOW);
  priv->flow_bindings = g_binding_group_new ();
  g_signal_group_connect (priv->flow_signals, "notify::account", G_CALLBACK (account_changed_cb), self);
  g_signal_connect (self, "map", G_CALLBACK (page_mapped_cb), NULL);
}
