/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The browser sign-in's loopback listener, fed one raw HTTP request (what
 * any local program or web page may send to its port) while it waits for a
 * sign-in whose state is "st4te" and whose issuer is
 * https://passport.example. Every input gets a fresh listener. */
#include "config.h"

#include "passport-core.h"
#include "passport-loopback-private.h"
#include "passport-secure.h"

#include "fuzz-serve.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  char *code = passport_loopback_wait_finish (PASSPORT_LOOPBACK (source), result, &error);

  /* Exactly one of a code and an error. */
  g_assert ((code == NULL) != (error == NULL));
  passport_secure_free (code);
  *done = TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (&error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) answer = NULL;
  gboolean done = FALSE;

  if (loopback == NULL)
    g_error ("passport_loopback_new: %s", error->message);

  passport_loopback_wait_async (loopback, "st4te", "https://passport.example", cancellable,
                                wait_cb, &done);
  answer = fuzz_serve (passport_loopback_get_server (loopback), data, size);

  /* What is still waiting ends now, as when the user cancels. */
  g_cancellable_cancel (cancellable);
  fuzz_drain ();
  g_assert (done);
  return 0;
}
