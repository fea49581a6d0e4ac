/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "passport-loopback.h"

G_BEGIN_DECLS

/* The listener's server, so that a test can hand it a connection of its
 * own (soup_server_accept_iostream()). Owned by @self. */
SoupServer *passport_loopback_get_server (PassportLoopback *self);

G_END_DECLS
