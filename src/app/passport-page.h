// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportPage: what every page of the window shares. A page shows one step
// of a PassportFlow; it watches the flow through passport_page_watch() so
// its handlers go away when the flow is replaced or the page is disposed.
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

  /* Called after the flow changed (@flow may be NULL); the page connects
   * its handlers with passport_page_watch() and refreshes itself. */
  void (*flow_changed) (PassportPage *self,
                        PassportFlow *flow);

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

/* Connects @callback (called with the page as its only user data, swapped:
 * callback (page, …)) to @signal of the current flow; disconnected when the
 * flow changes or the page goes away. */
void          passport_page_watch     (PassportPage *self,
                                       const char   *signal,
                                       GCallback     callback);

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
