/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "passport-core.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_OTP_DIALOG (passport_otp_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PassportOtpDialog, passport_otp_dialog, PASSPORT, OTP_DIALOG, AdwWindow)

/* Two-step sign-in's set-up after the proof (contract 8.2): the QR code of
 * the otpauth:// URI and the key as text, a field for the first code, then
 * the recovery codes, shown once, with Copy and Save. Or only the recovery
 * codes (a new set). The dialog calls POST /me/otp/confirm itself through
 * @client, with its own GCancellable, cancelled when it closes.
 *
 * Named for AT-SPI: otp-dialog, otp-qr, otp-secret, otp-copy-secret,
 * otp-confirm-code, otp-confirm-error, otp-confirm, otp-lapses,
 * otp-recovery-codes, otp-codes-copy, otp-codes-save, otp-codes-done. */
PassportOtpDialog *passport_otp_dialog_new_for_setup (GtkWindow        *parent,
                                                      PassportClient   *client,
                                                      PassportOtpSetup *setup);
/* @codes: copied; the caller wipes its own. */
PassportOtpDialog *passport_otp_dialog_new_for_codes (GtkWindow          *parent,
                                                      const char * const *codes);

/* The QR code of @text (the otpauth:// URI) as a texture, black modules on
 * white with the 4-module quiet zone, each module @scale pixels; NULL when
 * @text does not fit a QR code. */
GdkTexture        *passport_qr_texture_new           (const char *text,
                                                      guint       scale);

G_END_DECLS
