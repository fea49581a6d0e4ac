// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportForgotPassword: what "Forgot password?" does on a page that asks
// for a password (the sign-in form, the conflict's other-account sign-in),
// contract section 7. The page keeps the button and a note label in its
// template; this object decides whether the button is shown (the server
// lists password_reset) and enabled (the flow can ask, the e-mail is an
// address, the server's wait for this request is over), sends the request,
// and says on the note what happened: the link was sent, the wait in
// words, or why the button is off. It waits for nothing after the answer.
#pragma once

#include <gtk/gtk.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_FORGOT_PASSWORD (passport_forgot_password_get_type ())
G_DECLARE_FINAL_TYPE (PassportForgotPassword, passport_forgot_password, PASSPORT, FORGOT_PASSWORD, GObject)

/* @button and @note belong to @page's template (held weakly, as the page
 * holds this object); @page's mapping decides whether the wait ticks.
 * Properties:
 *   flow         PassportFlow*: read-write (bind the page's "flow")
 *   email        char*: read-write, the address a link would go to
 *   can-request  gboolean: read-only; the page enables its action by it
 * The button is shown and hidden here; the "changed" signal says that the
 * page's own messages may change (see owns_error and waiting). */
PassportForgotPassword *passport_forgot_password_new         (GtkWidget *page,
                                                              GtkWidget *button,
                                                              GtkLabel  *note);

void         passport_forgot_password_set_flow     (PassportForgotPassword *self,
                                                    PassportFlow           *flow);
void         passport_forgot_password_set_email    (PassportForgotPassword *self,
                                                    const char             *email);
gboolean     passport_forgot_password_get_can_request (PassportForgotPassword *self);

/* Sends the request for "email" (the page's action calls this). */
void         passport_forgot_password_request      (PassportForgotPassword *self);

/* Whether @error (the flow's) is the answer to this request, which the
 * note shows: the page leaves it out of its own error label. */
gboolean     passport_forgot_password_owns_error   (PassportForgotPassword *self,
                                                    const GError           *error);
/* Whether the flow's "retry-after" is this request's wait (not a sign-in's
 * throttle): the page does not read it as its own. */
gboolean     passport_forgot_password_waiting      (PassportForgotPassword *self);

G_END_DECLS
