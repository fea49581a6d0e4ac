// SPDX-License-Identifier: GPL-3.0-or-later
//
// Spinners that sleep when nobody sees them. A GtkSpinner with
// GtkSpinner:spinning set animates through CSS, and its animation keeps the
// window's frame clock at 60 Hz whether or not the spinner is on screen: a
// spinner on a page of a GtkStack that is not shown woke the idle app about
// 770 times a second.
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Makes every GtkSpinner in @widget's tree spin exactly while it is mapped
 * (on the page that is shown), now and from then on; call it once the tree
 * is built, e.g. after gtk_widget_init_template(). A spinner that shows
 * progress is shown while the work runs and hidden when it ends; setting
 * GtkSpinner:spinning directly has no lasting effect on these spinners. */
void passport_spinners_spin_while_mapped (GtkWidget *widget);

G_END_DECLS
