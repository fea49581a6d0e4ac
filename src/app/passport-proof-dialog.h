/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "passport-core.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_PROOF_DIALOG (passport_proof_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PassportProofDialog, passport_proof_dialog, PASSPORT, PROOF_DIALOG, AdwWindow)

/* "Confirm it is you" before a sensitive call (contract section 4, proof):
 * the account's password, or with two-step sign-in on a code from the
 * authenticator app or a recovery code; for an account with neither, no
 * field (a recent sign-in is the proof). The dialog does not call the
 * server: it emits ::submit (guint PassportProofKind, const char *proof,
 * NULL for NONE) and stays open, busy, until the caller says how the call
 * ended — passport_proof_dialog_fail() keeps it open with the reason
 * beside the field, or the caller closes it. Escape or the close button
 * cancel (::cancelled then the window goes).
 *
 * Named for AT-SPI: proof-dialog, proof-password, proof-code,
 * proof-use-code, proof-use-recovery-code, proof-error, proof-submit. */
PassportProofDialog *passport_proof_dialog_new  (GtkWindow       *parent,
                                                 PassportAccount *account,
                                                 const char      *title,
                                                 const char      *body,
                                                 const char      *submit_label);

/* The button in red: the call destroys something (deleting the account,
 * turning two-step sign-in off). */
void                 passport_proof_dialog_set_destructive (PassportProofDialog *self,
                                                            gboolean             destructive);

void                 passport_proof_dialog_set_busy (PassportProofDialog *self,
                                                     gboolean             busy);

/* Shows why the call failed and lets the user try again. A wrong code is
 * cleared (it cannot be right twice); a wrong password is kept selected. */
void                 passport_proof_dialog_fail     (PassportProofDialog *self,
                                                     const GError        *error);

G_END_DECLS
