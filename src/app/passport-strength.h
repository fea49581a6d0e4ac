// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_STRENGTH (passport_strength_get_type ())
G_DECLARE_FINAL_TYPE (PassportStrength, passport_strength, PASSPORT, STRENGTH, GObject)

/* The strength of a password being typed, for a form: checked off the
 * main loop (PassportPasswordQuality in a worker thread), one check at a
 * time for what the fields hold now. Signal "changed" when a verdict
 * comes. A verdict is kept as a hash of what it was about, never a copy
 * of the password. */
PassportStrength *passport_strength_new          (void);

/* Asks for a verdict on @password (for @email and @name, both nullable).
 * TRUE when the last verdict is about exactly these; else a check starts
 * (or runs already) and "changed" follows. */
gboolean          passport_strength_update       (PassportStrength *self,
                                                  const char       *password,
                                                  const char       *email,
                                                  const char       *name);
/* The last verdict's score, 0-100. */
guint             passport_strength_get_score    (PassportStrength *self);
/* The hints to show under the password, one a line, or NULL: the
 * server's reasons when @error is its weak_password with reasons, else the
 * last verdict's reasons when @typed (a password is in the field). */
char             *passport_strength_describe     (PassportStrength *self,
                                                  const GError     *error,
                                                  gboolean          typed);
/* TRUE while a check runs (tests wait for it). */
gboolean          passport_strength_get_checking (PassportStrength *self);
/* Forgets the verdict and stops a running check (a form emptied). */
void              passport_strength_reset        (PassportStrength *self);

G_END_DECLS
