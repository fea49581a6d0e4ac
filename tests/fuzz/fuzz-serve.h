/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Hands @server one connection whose peer sent exactly @data (then EOF) and
 * runs the thread-default main context until the server has closed it or
 * has nothing left to do (then disconnecting the server ends it).
 * Returns what the server wrote back (never NULL). No socket is involved:
 * the connection is a pair of memory streams. */
GBytes *fuzz_serve (SoupServer   *server,
                    const guint8 *data,
                    gsize         size);

/* Runs whatever is due on the thread-default main context, without waiting. */
void    fuzz_drain (void);

G_END_DECLS
