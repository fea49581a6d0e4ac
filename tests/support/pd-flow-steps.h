// SPDX-License-Identifier: GPL-3.0-or-later
//
// The real PassportFlow brought to a step against passportd, the way a user
// gets there: connect, the browser sign-in (tests/support/scripted-browser.py
// plays the browser), the agreement, an e-mail, a password sign-in. For the
// UI tests, which then look at the page of that step and act through it.
// Each wait runs the main loop until its event and fails the test after its
// deadline; none waits for time.
#pragma once

#include "passport-flow.h"
#include "pd-test-server.h"

G_BEGIN_DECLS

/* Runs the default main context until @cond holds; fails the test (at the
 * caller's line) when it does not within @seconds. */
#define PD_RUN_UNTIL(cond, seconds) \
  G_STMT_START { \
    gint64 pd_deadline_ = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC; \
    while (!(cond) && pd_run_once (pd_deadline_)) \
      ; \
    if (!(cond)) \
      g_error ("%s:%d: no %s within %u s", __FILE__, __LINE__, #cond, (guint) (seconds)); \
  } G_STMT_END

/* One iteration of the default main context, waking by @deadline at the
 * latest; FALSE once the deadline has passed. */
gboolean      pd_run_once               (gint64             deadline);

/* A flow with an in-memory credential store whose browser is the scripted
 * one ($SCRIPTED_BROWSER) with a 60 s deadline. Not connected yet. */
PassportFlow *pd_flow_new               (void);
/* The same, remembering the session in @store. */
PassportFlow *pd_flow_new_with_store    (PassportCredentialStore *store);

/* Who the scripted browser signs in as, and what it does there:
 * "continue", "cancel" or "ignore" (never comes back). */
void          pd_browser_as             (const char        *email,
                                         const char        *name,
                                         gboolean           verified,
                                         const char        *action);

/* Runs the main loop until @flow is in @state and not busy. */
void          pd_flow_wait_state        (PassportFlow      *flow,
                                         PassportFlowState  state,
                                         guint              seconds);

/* Each runs the action to its end and asserts it succeeded and left the
 * flow in the state named. */
/* → SIGNED_OUT */
void          pd_flow_connect           (PassportFlow      *flow,
                                         PdServer          *server);
/* A new person's browser sign-in on "google" → NEEDS_TERMS */
void          pd_flow_social_sign_in    (PassportFlow      *flow,
                                         const char        *email,
                                         const char        *name,
                                         gboolean           verified);
/* → NEEDS_EMAIL */
void          pd_flow_accept_terms      (PassportFlow      *flow);
/* → AWAITING_CONFIRMATION (or SIGNED_IN for the address the network verified) */
void          pd_flow_bind_email        (PassportFlow      *flow,
                                         const char        *email,
                                         const char        *password);
/* → EMAIL_CONFLICT: @email is held by another account */
void          pd_flow_bind_taken_email  (PassportFlow      *flow,
                                         const char        *email,
                                         const char        *password);
/* → SIGNED_IN */
void          pd_flow_sign_in_with_password (PassportFlow  *flow,
                                         const char        *email,
                                         const char        *password);
/* → SIGNED_OUT */
void          pd_flow_sign_out          (PassportFlow      *flow);

/* Starts the browser sign-in on "google" with the browser told to
 * @action; returns at once (AWAITING_BROWSER). The action's result is
 * dropped: what the test looks at is the page. */
void          pd_flow_start_social_sign_in (PassportFlow   *flow,
                                         const char        *email,
                                         const char        *action);

/* Opens the newest confirmation link mailed to @address, as the user's
 * browser would (from a thread, so the flow's long poll keeps running);
 * asserts the page answered 200. The flow sees it on the next iterations. */
void          pd_open_mailed_link       (PdServer          *server,
                                         const char        *address);

G_END_DECLS
