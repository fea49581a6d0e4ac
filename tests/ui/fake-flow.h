// SPDX-License-Identifier: GPL-3.0-or-later
//
// A PassportFlow for the in-process UI tests: the state and every property
// are set by the test, and the action methods only record that they were
// called. It implements the whole of passport-flow.h, so a test links it
// instead of the real flow (the core is a static library, so the real
// passport-flow.o is never pulled in).
#pragma once

#include "passport-flow.h"

G_BEGIN_DECLS

void        fake_flow_set_state           (PassportFlow *flow, PassportFlowState state);
void        fake_flow_set_conflict_step   (PassportFlow *flow, PassportConflictStep step);
void        fake_flow_set_busy            (PassportFlow *flow, gboolean busy);
/* Takes a copy of @error (NULL clears). */
void        fake_flow_set_error           (PassportFlow *flow, const GError *error);
void        fake_flow_set_server          (PassportFlow *flow, PassportServer *server);
void        fake_flow_set_account         (PassportFlow *flow, PassportAccount *account);
void        fake_flow_set_terms           (PassportFlow *flow, PassportTerms *terms);
void        fake_flow_set_conflict_email  (PassportFlow *flow, const char *email);
void        fake_flow_set_browser         (PassportFlow *flow, const char *url, const char *provider);
void        fake_flow_set_retry_after     (PassportFlow *flow, gint64 deadline);
void        fake_flow_set_keyring_unavailable (PassportFlow *flow, gboolean unavailable);
void        fake_flow_set_pending_password (PassportFlow *flow, const char *password);

/* The calls made so far, "method(arg,arg)" each, oldest first; owned by
 * the flow. */
GPtrArray  *fake_flow_get_calls           (PassportFlow *flow);
/* The last call, or NULL. */
const char *fake_flow_get_last_call       (PassportFlow *flow);

G_END_DECLS
