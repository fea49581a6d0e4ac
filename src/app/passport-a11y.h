// SPDX-License-Identifier: GPL-3.0-or-later
//
// Accessible names that libadwaita 1.2 gets wrong, set right.
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Names every button under @root whose label has a mnemonic by the text
 * it shows. AdwMessageDialog (libadwaita 1.2) exposes its response buttons
 * as "_Sign Out Sign Out": a screen reader reads the underscore and the
 * name twice (finding 22). */
void passport_a11y_name_mnemonic_buttons (GtkWidget *root);

/* Gives @button the accessible name @name instead of the text it shows. A
 * button made with a label is labelled by that label (GTK 4.8), and the
 * labelled-by relation wins over the label property: it is removed. Call
 * again after gtk_button_set_label(). */
void passport_a11y_name_button (GtkWidget  *button,
                                const char *name);

G_END_DECLS
