// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-a11y.h"

/* "_Save" → "Save", "a__b" → "a_b": the text a mnemonic label shows. */
static char *
strip_mnemonic (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] != '_')
            continue;
          p++;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

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
      else if (GTK_IS_CHECK_BUTTON (child) && gtk_check_button_get_use_underline (GTK_CHECK_BUTTON (child)) &&
               gtk_check_button_get_label (GTK_CHECK_BUTTON (child)) != NULL)
        {
          /* A check box with a mnemonic is named by its label's text with
           * the underscore ("Use a _recovery code instead"). */
          g_autofree char *shown = strip_mnemonic (gtk_check_button_get_label (GTK_CHECK_BUTTON (child)));

          gtk_accessible_reset_relation (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
          gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, shown, -1);
        }
      passport_a11y_name_mnemonic_buttons (child);
    }
}

void
passport_a11y_name_button (GtkWidget  *button,
                           const char *name)
{
  g_return_if_fail (GTK_IS_BUTTON (button));

  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}
