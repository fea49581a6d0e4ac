// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportSignedInLabel: "Signed in as Bob Example with VK." for the steps
// after a social sign-in (the agreement, the e-mail form), so the user sees
// whose account they are completing (finding 16). Empty and hidden when the
// flow has no account with a social identity.
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_SIGNED_IN_LABEL (passport_signed_in_label_get_type ())
G_DECLARE_FINAL_TYPE (PassportSignedInLabel, passport_signed_in_label, PASSPORT, SIGNED_IN_LABEL, AdwBin)

/* Properties:
 *   flow    PassportFlow*: whose account is described
 *   xalign  gfloat: the text's alignment (0.5 by default) */
PassportFlow *passport_signed_in_label_get_flow (PassportSignedInLabel *self);
void          passport_signed_in_label_set_flow (PassportSignedInLabel *self,
                                                 PassportFlow          *flow);

/* The name the server gives @provider_id ("VK"), else the id itself. */
const char   *passport_signed_in_label_provider_name (PassportServer *server,
                                                      const char     *provider_id);

G_END_DECLS
