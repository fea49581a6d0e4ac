// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportPage: what every page of the window shares. A page shows one step
// of a PassportFlow; it connects its handlers to the flow's signals once, in
// its init, through the page's GSignalGroup, binds the flow's properties it
// only mirrors through its GBindingGroup, and refreshes itself on
// notify::flow. Both follow the page's flow and go with the page.
#pragma once

#include <adwaita.h>

#include "passport-flow.h"
#include "passport-provider.h"
#include "passport-server.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_PAGE (passport_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (PassportPage, passport_page, PASSPORT, PAGE, AdwBin)

struct _PassportPageClass
{
  AdwBinClass parent_class;

  /* Called when the person at the keyboard may have changed: the flow's
   * account became another one, or none (sign-out, a session that ended).
   * The page empties every field it has, so nothing typed by one person is
   * shown to the next. */
  void (*forget)       (PassportPage *self);

  /* TRUE (the default): once shown, the cursor goes to the first empty
   * field. FALSE for a page whose fields are not what it is for (the
   * account page's Change Password form). */
  gboolean focus_first_field;
};

/* The flow shown, or NULL. Owned by @self. */
PassportFlow *passport_page_get_flow  (PassportPage *self);
void          passport_page_set_flow  (PassportPage *self,
                                       PassportFlow *flow);

/* The flow's signals: a page connects its handlers to them once, in its
 * init (g_signal_group_connect_swapped (…, page)); they are connected to
 * the page's flow whenever it has one. Owned by @self. */
GSignalGroup  *passport_page_get_flow_signals  (PassportPage *self);

/* Bindings from properties of the page's flow (g_binding_group_bind), for
 * what a page only mirrors. Owned by @self. */
GBindingGroup *passport_page_get_flow_bindings (PassportPage *self);

/* Declares which PASSPORT_ERROR codes (a list ending with -1) a page shows
 * itself, beside the field they concern; the window shows the others. */
void          passport_page_class_set_inline_errors (PassportPageClass *klass,
                                                     ...);

/* Whether @self shows @error itself (see above). */
gboolean      passport_page_shows_error (PassportPage *self,
                                         const GError *error);

/* The flow's error when the page shows it itself, else NULL. */
const GError *passport_page_get_inline_error (PassportPage *self);

/* The flow's error when it is one of @codes (a list ending with -1), so the
 * page can show it beside the field it concerns; NULL otherwise. */
const GError *passport_page_get_error (PassportPage *self,
                                       ...);

/* Whether @text is NULL, empty or only white space. */
gboolean      passport_page_is_blank (const char *text);

/* Gives the libadwaita buttons that have no accessible name one (the
 * password reveal buttons under @root). */
void          passport_page_label_unnamed_buttons (GtkWidget *root);

G_END_DECLS
