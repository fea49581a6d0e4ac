// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-spinner.h"

#define FOLLOWS_MAP_KEY "passport-spinner-follows-map"

static void
sync_spinning (GtkSpinner *spinner)
{
  gboolean mapped = gtk_widget_get_mapped (GTK_WIDGET (spinner));

  if (gtk_spinner_get_spinning (spinner) != mapped)
    gtk_spinner_set_spinning (spinner, mapped);
}

/* GTK 4.8 keeps GtkSpinner:spinning as the :checked state, which starts the
 * animation, and notifies before it changes the state; so a spinning set by
 * other code while unmapped is undone here, once the state has changed. */
static void
state_flags_changed_cb (GtkSpinner    *spinner,
                        GtkStateFlags  previous,
                        gpointer       user_data)
{
  sync_spinning (spinner);
}

static void
follow_map (GtkSpinner *spinner)
{
  if (g_object_get_data (G_OBJECT (spinner), FOLLOWS_MAP_KEY) != NULL)
    return;
  g_object_set_data (G_OBJECT (spinner), FOLLOWS_MAP_KEY, GINT_TO_POINTER (TRUE));

  /* "map" and "unmap" are run-first: the mapped state is already the new
   * one when these handlers run. */
  g_signal_connect (spinner, "map", G_CALLBACK (sync_spinning), NULL);
  g_signal_connect (spinner, "unmap", G_CALLBACK (sync_spinning), NULL);
  g_signal_connect (spinner, "state-flags-changed", G_CALLBACK (state_flags_changed_cb), NULL);
  sync_spinning (spinner);
}

void
passport_spinners_spin_while_mapped (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (GTK_IS_SPINNER (widget))
    follow_map (GTK_SPINNER (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    passport_spinners_spin_while_mapped (child);
}
