/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Everything public in libpassport-core. */
#include "passport-error.h"
#include "passport-provider.h"
#include "passport-terms.h"
#include "passport-identity.h"
#include "passport-app-password.h"
#include "passport-account.h"
#include "passport-pkce.h"
#include "passport-server.h"
#include "passport-loopback.h"
#include "passport-session.h"
#include "passport-session-info.h"
#include "passport-browser-sign-in.h"
#include "passport-device-sign-in.h"
#include "passport-client.h"
