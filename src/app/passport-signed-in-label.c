// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>

#include "passport-identity.h"
#include "passport-signed-in-label.h"

struct _PassportSignedInLabel
{
  AdwBin        parent_instance;

  GtkLabel     *label;
  PassportFlow *flow;
  GSignalGroup *flow_signals;
  GSignalGroup *account_signals;
};

G_DEFINE_FINAL_TYPE (PassportSignedInLabel, passport_signed_in_label, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FLOW,
  PROP_XALIGN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
passport_signed_in_label_provider_name (PassportServer *server,
                                        const char     *provider_id)
{
  GListModel *providers = server != NULL ? passport_server_get_providers (server) : NULL;

  if (provider_id == NULL)
    return NULL;
  for (guint i = 0; providers != NULL && i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PassportProvider) provider = g_list_model_get_item (providers, i);

      if (g_strcmp0 (passport_provider_get_id (provider), provider_id) == 0)
        return passport_provider_get_name (provider);
    }
  return provider_id;
}

static void
update (PassportSignedInLabel *self)
{
  PassportAccount *account = self->flow != NULL ? passport_flow_get_account (self->flow) : NULL;
  GListModel *identities = account != NULL ? passport_account_get_identities (account) : NULL;
  g_autoptr(PassportIdentity) identity = NULL;
  const char *name = account != NULL ? passport_account_get_display_name (account) : NULL;
  const char *network;
  g_autofree char *text = NULL;

  if (identities != NULL && g_list_model_get_n_items (identities) > 0)
    identity = g_list_model_get_item (identities, 0);
  network = identity != NULL
              ? passport_signed_in_label_provider_name (passport_flow_get_server (self->flow),
                                                        passport_identity_get_provider (identity))
              : NULL;
  if (name != NULL && *name != '\0' && network != NULL)
    /* Translators: "Signed in as Bob Example with VK." */
    text = g_strdup_printf (_("Signed in as %1$s with %2$s."), name, network);
  gtk_label_set_label (self->label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self), text != NULL);
}

static void
account_changed (PassportSignedInLabel *self)
{
  g_signal_group_set_target (self->account_signals,
                             self->flow != NULL ? passport_flow_get_account (self->flow) : NULL);
  update (self);
}

PassportFlow *
passport_signed_in_label_get_flow (PassportSignedInLabel *self)
{
  g_return_val_if_fail (PASSPORT_IS_SIGNED_IN_LABEL (self), NULL);

  return self->flow;
}

void
passport_signed_in_label_set_flow (PassportSignedInLabel *self,
                                   PassportFlow          *flow)
{
  g_return_if_fail (PASSPORT_IS_SIGNED_IN_LABEL (self));

  if (!g_set_object (&self->flow, flow))
    return;
  g_signal_group_set_target (self->flow_signals, flow);
  account_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOW]);
}

static void
passport_signed_in_label_dispose (GObject *object)
{
  PassportSignedInLabel *self = PASSPORT_SIGNED_IN_LABEL (object);

  g_clear_object (&self->flow_signals);
  g_clear_object (&self->account_signals);
  g_clear_object (&self->flow);

  G_OBJECT_CLASS (passport_signed_in_label_parent_class)->dispose (object);
}

static void
passport_signed_in_label_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  PassportSignedInLabel *self = PASSPORT_SIGNED_IN_LABEL (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    case PROP_XALIGN:
      g_value_set_float (value, gtk_label_get_xalign (self->label));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_signed_in_label_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  PassportSignedInLabel *self = PASSPORT_SIGNED_IN_LABEL (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      passport_signed_in_label_set_flow (self, g_value_get_object (value));
      break;
    case PROP_XALIGN:
      gtk_label_set_xalign (self->label, g_value_get_float (value));
      gtk_label_set_justify (self->label, g_value_get_float (value) < 0.5 ? GTK_JUSTIFY_LEFT : GTK_JUSTIFY_CENTER);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_signed_in_label_class_init (PassportSignedInLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_signed_in_label_dispose;
  object_class->get_property = passport_signed_in_label_get_property;
  object_class->set_property = passport_signed_in_label_set_property;

  /**
   * PassportSignedInLabel:flow:
   *
   * The flow whose account is described.
   */
  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PassportSignedInLabel:xalign:
   *
   * The text's alignment, as GtkLabel:xalign (0.5, centred, by default).
   */
  properties[PROP_XALIGN] =
    g_param_spec_float ("xalign", NULL, NULL, 0.0, 1.0, 0.5,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_signed_in_label_init (PassportSignedInLabel *self)
{
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->label), "signed-in-as");
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_wrap_mode (self->label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_justify (self->label, GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "dim-label");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->label));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  self->flow_signals = g_signal_group_new (PASSPORT_TYPE_FLOW);
  g_signal_group_connect_swapped (self->flow_signals, "notify::account", G_CALLBACK (account_changed), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::server", G_CALLBACK (update), self);
  self->account_signals = g_signal_group_new (PASSPORT_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify", G_CALLBACK (update), self);
}
