// SPDX-License-Identifier: GPL-3.0-or-later
//
// The in-process UI tests: a real PassportWindow over the real PassportFlow,
// connected to a passportd of the test's own (loopback, a fresh SQLite file
// and Maildir). A test brings the flow to a step the way a user gets there
// (tests/support/pd-flow-steps.h), then looks at that step's page and acts
// through its widgets, found by their stable names.
#pragma once

#include <adwaita.h>

#include "passport-window.h"
#include "pd-flow-steps.h"

G_BEGIN_DECLS

typedef struct
{
  PdServer       *server;
  PassportFlow   *flow;
  PassportWindow *window;
} UiFixture;

/* gtk_test_init, libadwaita, the translations of $PASSPORT_LOCALEDIR and
 * the application the windows belong to. */
void         ui_init            (int         *argc,
                                 char      ***argv);
/* Runs the tests; frees what ui_init() made. */
int          ui_run             (void);

/* passportd started, the flow made and the window shown (first run: the
 * server page). */
void         ui_fixture_set_up  (UiFixture     *f,
                                 gconstpointer  data);
void         ui_fixture_tear_down (UiFixture   *f,
                                 gconstpointer  data);
#define UI_TEST_ADD(path, func) \
  g_test_add ((path), UiFixture, NULL, ui_fixture_set_up, (func), ui_fixture_tear_down)

/* The app started anew: a new window over @flow (taken) replaces the
 * fixture's window and flow. */
void         ui_restart         (UiFixture    *f,
                                 PassportFlow *flow);

/* Replaces the fixture's passportd, before ui_connect(), by one started
 * with these NULL-terminated extra arguments (a shorter resend delay, say). */
void         ui_use_server      (UiFixture   *f,
                                 const char  *first_arg,
                                 ...) G_GNUC_NULL_TERMINATED;


/* A server that never answers: a loopback socket that listens (the kernel
 * takes the connections) and never reads. Its address in @url; closing the
 * socket refuses the connections. */
GSocket     *ui_silent_server   (char       **url);

/* After the window was closed: a new one over the same flow. */
void         ui_reopen          (UiFixture    *f);

/* Connects the flow to the fixture's server: the sign-in choices. */
void         ui_connect         (UiFixture   *f);

/* Lets idles, bindings and the pages' strength checks run. */
void         ui_pump            (void);
/* The text on the window's clipboard ("" when none), read as a paste
 * would; g_free it. */
char        *ui_clipboard_text  (UiFixture   *f);
/* Runs until @page is the one shown (and the flow not busy), or fails. */
void         ui_wait_for_page   (UiFixture   *f,
                                 const char  *page,
                                 guint        seconds);
const char  *ui_page_name       (UiFixture   *f);
/* Runs until the flow is done with what was asked and holds the error
 * PASSPORT_ERROR @code, or fails. */
void         ui_wait_for_error  (UiFixture   *f,
                                 int          code);
/* Runs until @page is the one shown, busy or not (a wait that runs: the
 * progress page, the browser page), or fails. */
void         ui_wait_shown      (UiFixture   *f,
                                 const char  *page,
                                 guint        seconds);

GtkWidget   *ui_find            (GtkWidget   *root,
                                 const char  *name);
/* The widget named @name on @page; fails the test when there is none. */
GtkWidget   *ui_get             (UiFixture   *f,
                                 const char  *page,
                                 const char  *name);
gboolean     ui_enabled         (UiFixture   *f,
                                 const char  *page,
                                 const char  *name);
/* Clicks an enabled button (asserts it is enabled). */
void         ui_click           (UiFixture   *f,
                                 const char  *page,
                                 const char  *name);
void         ui_type            (UiFixture   *f,
                                 const char  *page,
                                 const char  *name,
                                 const char  *text);
const char  *ui_text            (UiFixture   *f,
                                 const char  *page,
                                 const char  *name);
/* A label's text when it is shown, else NULL. */
const char  *ui_label           (UiFixture   *f,
                                 const char  *page,
                                 const char  *name);
/* Whether a mapped label under @widget reads @text (a toast, say). */
gboolean     ui_shows_text      (GtkWidget   *widget,
                                 const char  *text);
/* Whether the keyboard focus is in @name of @page. */
gboolean     ui_focus_is_in     (UiFixture   *f,
                                 const char  *page,
                                 const char  *name);
/* The open (visible) window named @name, or NULL. */
GtkWindow   *ui_find_window     (const char *name);
/* Runs until a window named @name is open, or fails; returns it. */
GtkWindow   *ui_wait_for_window (const char *name,
                                 guint       seconds);
/* The open message dialog named @name; fails when none is. */
AdwMessageDialog *ui_find_dialog (const char *name);

/* With $PASSPORT_SCREENSHOT_DIR: the window (or @widget) as shot-<name>.png. */
void         ui_shot            (UiFixture   *f,
                                 const char  *name);
void         ui_shot_widget     (GtkWidget   *widget,
                                 const char  *name);

/* A form that creates a password (the bind form, Change Password): a
 * short one is refused with a hint, the repeat must match, and a strong,
 * repeated @good one enables @button. */
void         ui_check_new_password_form (UiFixture  *f,
                                 const char  *page,
                                 const char  *password,
                                 const char  *repeat,
                                 const char  *strength,
                                 const char  *hints,
                                 const char  *repeat_error,
                                 const char  *button,
                                 const char  *good);

/* A new person on the agreement step: browser sign-in as @email. */
void         ui_to_terms        (UiFixture   *f,
                                 const char  *email);
/* ... and past it, on the e-mail form. */
void         ui_to_bind         (UiFixture   *f,
                                 const char  *email);
/* An account with a confirmed @email and @password exists on the server. */
void         ui_make_account    (UiFixture   *f,
                                 const char  *email,
                                 const char  *password);

G_END_DECLS
