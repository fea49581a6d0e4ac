// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-a11y.h"

void
passport_a11y_name_mnemonic_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *label = GTK_IS_BUTTON (child) ? gtk_button_get_child (GTK_BUTTON (child)) : NULL;

      if (GTK_IS_LABEL (label) && gtk_label_get_use_underline (GTK_LABEL (label)))
        {
          /* GTK 4.8 names a widget by its labelled-by widgets and its label
           * property together: the dialog sets both. One name, the text as
           * shown, without the mnemonic's underscore. */
          gtk_accessible_reset_relation (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
          gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          gtk_label_get_text (GTK_LABEL (label)), -1);
        }
      passport_a11y_name_mnemonic_buttons (child);
    }
}
