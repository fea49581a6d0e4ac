#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes docs/automation.md, the contract between the app and UI automation:
# every page's stable widget name and every control's role and accessible
# name in English and Russian. Read from the templates (src/app/*.ui), the
# Russian catalog (po/ru.po) and, for what the C code creates, a short table
# below whose every entry is checked against its C source.
#
#   automation-doc.py [--source DIR] --output FILE   write the document
#   automation-doc.py [--source DIR] --check         the `automation-doc` test
#
# --check fails when docs/automation.md is not what this script writes now
# (with a diff), when a Russian translation is missing, and when
# tests/ui/story.py or a tests/ui/test-*.c uses a name the document does
# not list. Standard library only.
import argparse
import ast
import difflib
import os
import re
import sys
import xml.etree.ElementTree as ET

DOC = "docs/automation.md"

# The AT-SPI role (as Atspi.Accessible.get_role_name() says it) of each
# class, as GTK 4.8.3 and libadwaita 1.2.2 expose it (seen in a dump of the
# story's walk(); a password row is a "text" too, a spinner a "filler"). A
# class that is not here stops the script: add it, with the role the app
# shows (Accerciser, or such a dump).
ROLES = {
    "GtkButton": "push button",
    "GtkToggleButton": "toggle button",
    "GtkMenuButton": "push button",
    "GtkCheckButton": "check box",
    "GtkLinkButton": "link",
    "GtkSwitch": "switch",
    "AdwEntryRow": "text",
    "AdwPasswordEntryRow": "text",
    "GtkEntry": "text",
    "GtkPasswordEntry": "password text",
    "GtkTextView": "text",
    "GtkLabel": "label",
    "GtkSpinner": "filler",
    "GtkLevelBar": "level bar",
    "GtkListBox": "list",
    "AdwActionRow": "list item",
    "GtkImage": "image",
    "GtkPicture": "image",
    "GtkBox": "panel",
    "AdwStatusPage": "panel",
    "AdwMessageDialog": "dialog",
}
# Controls a user acts on: each must have an accessible name.
INTERACTIVE = {"GtkButton", "GtkToggleButton", "GtkMenuButton", "GtkCheckButton", "GtkLinkButton",
               "GtkSwitch", "AdwEntryRow", "AdwPasswordEntryRow", "GtkEntry", "GtkPasswordEntry"}
# Whose text the app sets: no accessible name in the template.
RUNTIME_TEXT = {"GtkLabel", "AdwActionRow"}
# Whose title is their accessible name.
TITLED = {"AdwEntryRow", "AdwPasswordEntryRow", "AdwActionRow"}
# Containers whose own texts are shown as labels.
TEXT_PROPERTIES = {"AdwStatusPage": ("title", "description"), "AdwPreferencesGroup": ("title", "description")}
# The role of every page: PassportPage is a generic widget.
PAGE_ROLE = "filler"
RUNTIME = "(set at run time)"

# What the C code makes or names itself. Each entry is checked: `needle`
# must occur in `source`, and every msgid must be a _("…") there, so a
# change in the C source stops this script until this table follows it.
# `page`/`step` say where it shows ("window": on any page), `after` below
# which widget; an entry whose `name` is a template's widget gives that
# widget its run-time names.
FROM_C = [
    dict(page="window", name="—", role="push button", msgids=["Show password"],
         source="src/app/passport-page.c", needle="passport_page_label_unnamed_buttons",
         note="the eye button inside every password entry"),
    dict(page="window", name="—", role="push button", msgids=["Dismiss"],
         source="src/app/passport-window.c", needle="name_toast_buttons",
         note="closes a toast (a short message at the bottom)"),
    dict(page="window", name="keyring-dialog", role="dialog", msgids=["Continue Without Remembering?"],
         source="src/app/passport-window.c", needle='"keyring-dialog"',
         note="heading; asks when the system keyring is not available"),
    dict(page="window", name="—", role="push button", mnemonic=True,
         msgids=["_Sign Out", "_Continue Without Remembering"],
         source="src/app/passport-window.c", needle="adw_message_dialog_add_responses",
         note="the responses of `keyring-dialog`; see *Dialogs*"),
    dict(page="window", name="accounts-dialog", role="frame", msgids=["Accounts"],
         source="src/app/passport-accounts-dialog.c", needle='"accounts-dialog"',
         note="opened by `accounts-button` (the app only): every account remembered on this device"),
    dict(page="window", name="accounts-list", role="list", msgids=["Accounts on this device"],
         source="src/app/passport-accounts-dialog.c", needle='"accounts-list"',
         note="in `accounts-dialog`: one `account-row` per account, the active one first marked"),
    dict(page="window", name="account-row", role="list item", msgids=["%s, active", "%s · %s"],
         source="src/app/passport-accounts-dialog.c", needle='"account-row"',
         note="in `accounts-list`: named by the account's e-mail (else its name), \", active\" for the "
              "active one; described by its name (when it has an e-mail), server and state (Signed in / "
              "Signed out: sign in again); "
              "activating it opens that account (action `accounts.switch` with server and id)"),
    dict(page="window", name="—", role="push button", msgids=["Disconnect %s", "Remove %s"],
         source="src/app/passport-accounts-dialog.c", needle='"accounts.disconnect"',
         note="in each `account-row`: Disconnect (signed in accounts only; signs out here, keeps it) and "
              "Remove (asks in `remove-account-dialog`, then signs out here and forgets it)"),
    dict(page="window", name="add-account-button", role="push button", mnemonic=True,
         msgids=["_Add Account…"],
         source="src/app/passport-accounts-dialog.c", needle='"add-account-button"',
         note="in `accounts-dialog`: the sign-in page of the same server; the other accounts stay"),
    dict(page="window", name="remove-account-dialog", role="dialog", msgids=["Remove %s?"],
         source="src/app/passport-accounts-dialog.c", needle='"remove-account-dialog"',
         note="heading; asks before Remove"),
    dict(page="window", name="—", role="push button", mnemonic=True, msgids=["_Cancel", "_Remove"],
         source="src/app/passport-accounts-dialog.c", needle='"remove", _("_Remove")',
         note="the responses of `remove-account-dialog`; see *Dialogs*"),
    dict(page="sign-in-page", name="provider-<id>", role="push button", msgids=["Sign in with %s"],
         source="src/app/passport-provider-button.c", needle='"provider-%s"',
         note="one per social network of the server: `%s` is its name (Google), `<id>` its id (google); "
              "the name's first letter is the mnemonic (Alt+G)"),
    dict(page="sign-in-page", name="server-sign-in-button", role="push button", msgids=["Sign in with %s"],
         source="src/app/passport-sign-in-page.c", needle="server_label",
         note="only on a plain OpenID provider (no passport API), instead of the networks and of e-mail "
              "and password: `%s` is the host of its issuer (127.0.0.1)"),
    dict(page="terms-page", name="signed-in-as", role="label", msgids=["Signed in as %1$s with %2$s."],
         source="src/app/passport-signed-in-label.c", needle='"signed-in-as"',
         note="who is signed in and with which network: `%1$s` is the name, `%2$s` the network"),
    dict(page="bind-page", name="signed-in-as", role="label", msgids=["Signed in as %1$s with %2$s."],
         source="src/app/passport-signed-in-label.c", needle='"signed-in-as"',
         note="as on `terms-page`"),
    dict(page="password-page", name="password-back-button", role="push button", msgids=["Back", "Cancel"],
         source="src/app/passport-password-page.c", needle="back_label",
         note="reads Cancel while a sign-in runs, and then stops it"),
    dict(page="password-page", name="forgot-password-note", role="label",
         msgids=["If an account uses %s, we have sent it a link. Open it, choose a new password, "
                 "then sign in here with it.",
                 "You can ask for another link in %s.",
                 "Forgot your password? Type your e-mail address, and we will send a link to choose a new one."],
         source="src/app/passport-forgot-password.c", needle="sent_to",
         note="what Forgot Password? did (`%s`: the address), or the wait before another link (`%s`: "
              "45 seconds), or why the button is off; Forgot Password? and this note are shown only "
              "when the server lists `password_reset`"),
    dict(page="browser-page", name="—", role="label",
         msgids=["No web browser could be opened. Open this link in a browser yourself, "
                 "or copy it to another device, then come back here."],
         source="src/app/passport-browser-page.c", needle="launch_error",
         note="when no browser could be started; `browser-link` then shows the link"),
    dict(page="conflict-page", step="other-sign-in", name="provider-<id>", role="push button",
         msgids=["Sign in with %s"], source="src/app/passport-provider-button.c", needle='"provider-%s"',
         note="the social networks of the other account"),
    dict(page="conflict-page", step="other-sign-in", name="forgot-password-note", role="label",
         msgids=["If an account uses %s, we have sent it a link. Open it, choose a new password, "
                 "then sign in here with it.",
                 "You can ask for another link in %s."],
         source="src/app/passport-forgot-password.c", needle="sent_to",
         note="as on `password-page`, for the address that is taken"),
    dict(page="account-page", name="email-verified", role="image", msgids=["Confirmed", "Not confirmed"],
         source="src/app/passport-account-page.c", needle="verified_icon",
         note="whether the e-mail is confirmed"),
    dict(page="account-page", name="—", role="list item", msgids=["E-mail and password"],
         source="src/app/passport-account-page.c", needle="methods_list", after="sign-in-methods",
         note="a row of `sign-in-methods`: this one, or a social network's name (Google)"),
    dict(page="account-page", name="password-error", role="label", msgids=["The current password is wrong."],
         source="src/core/passport-error.c", needle="PASSPORT_ERROR",
         note="a failed change of password, e.g. this message (all are in src/core/passport-error.c)"),
    dict(page="account-page", name="sign-out-dialog", role="dialog", msgids=["Sign Out?"],
         source="src/app/passport-account-page.c", needle='"sign-out-dialog"',
         note="heading; asks before signing out"),
    dict(page="account-page", name="—", role="push button", mnemonic=True, msgids=["_Cancel", "_Sign Out"],
         source="src/app/passport-account-page.c", needle="adw_message_dialog_add_responses",
         note="the responses of `sign-out-dialog`; see *Dialogs*"),
    # Linked sign-in methods (contract 10), built in C beside the template's list.
    dict(page="account-page", name="method-unlink", role="push button", msgids=["Unlink %s"],
         source="src/app/passport-account-page.c", needle='"method-unlink"',
         note="in each network's row of `sign-in-methods` when the server lists `identities` (shows Unlink; "
              "`%s`: the network); asks in `unlink-network-dialog`; action `account.unlink` with the id"),
    dict(page="account-page", name="unlink-network-dialog", role="dialog", msgids=["Unlink %s?"],
         source="src/app/passport-account-page.c", needle='"unlink-network-dialog"',
         note="heading (`%s`: the network); responses Cancel and Unlink"),
    dict(page="account-page", name="link-network-dialog", role="dialog", msgids=["Link a Network"],
         source="src/app/passport-account-page.c", needle='"link-network-dialog"',
         note="after `link-network-button`: one response per network not linked yet (its name), and "
              "Cancel; then the proof dialog, then the browser"),
    # Devices (contract 9): a group built in C, shown only signed in to a
    # server that lists sessions.
    dict(page="account-page", name="sessions-group", role="filler", msgids=["Devices"],
         source="src/app/passport-sessions-group.c", needle='"sessions-group"',
         note="the Devices group (its title): where the account is signed in; shown only when signed in "
              "to a server that lists `sessions`"),
    dict(page="account-page", name="sessions-list", role="list", msgids=["Devices"],
         source="src/app/passport-sessions-group.c", needle='"sessions-list"',
         note="this device first, then the others, most recently used first"),
    dict(page="account-page", name="session-row-current", role="list item", msgids=["This device"],
         source="src/app/passport-sessions-group.c", needle='"session-row-current"',
         note="this device: the title is the device name the app sent (host and system); the subtitle "
              "starts with This device, then the address and how it signed in"),
    dict(page="account-page", name="session-row", role="list item", msgids=["Last used %s", "Unknown device"],
         source="src/app/passport-sessions-group.c", needle='"session-row"',
         note="another device: its name (or Unknown device), when it was last used (`%s`: 26 Nov 2026, "
              "14:05), its address and how it signed in"),
    dict(page="account-page", name="session-sign-out", role="push button", msgids=["Sign out %s"],
         source="src/app/passport-sessions-group.c", needle='"session-sign-out"',
         note="in each `session-row` (shows Sign Out; `%s`: the device's name); asks in "
              "`session-sign-out-dialog`; action `sessions.sign-out` with the session's id"),
    dict(page="account-page", name="sessions-sign-out-others", role="push button",
         msgids=["Sign Out on All Other Devices"],
         source="src/app/passport-sessions-group.c", needle='"sessions-sign-out-others"',
         note="shows Sign Out on All Other Devices… (Alt+V), off when there is none; asks in "
              "`sessions-sign-out-others-dialog`"),
    dict(page="account-page", name="session-sign-out-dialog", role="dialog", msgids=["Sign Out “%s”?"],
         source="src/app/passport-sessions-group.c", needle="Sign Out “%s”?",
         note="heading (`%s`: the device's name); responses Cancel and Sign Out"),
    dict(page="account-page", name="sessions-sign-out-others-dialog", role="dialog",
         msgids=["Sign Out on All Other Devices?"],
         source="src/app/passport-sessions-group.c", needle="Sign Out on All Other Devices?",
         note="heading; responses Cancel and Sign Out"),
    dict(page="account-page", name="sessions-message", role="label", msgids=["Signed out on that device."],
         source="src/app/passport-sessions-group.c", needle='"sessions-message"',
         note="the outcome of a sign-out (or Signed out on 2 other devices., a plural form), or why it failed"),
    # Two-step sign-in (contract 8.2): a group built in C, shown only signed in
    # to a server that lists otp; its dialogs are windows of their own.
    dict(page="account-page", name="otp-group", role="filler", msgids=["Two-Step Sign-In"],
         source="src/app/passport-otp-group.c", needle='"otp-group"',
         note="the Two-Step Sign-In group (its title); shown only when signed in to a server that lists `otp`"),
    dict(page="account-page", name="otp-status", role="list item",
         msgids=["Two-step sign-in", "Off"],
         source="src/app/passport-otp-group.c", needle='"otp-status"',
         note="the title and whether it is on: Off, or On · 9 recovery codes left (a plural form: "
              "Включён · осталось 9 резервных кодов)"),
    dict(page="account-page", name="otp-turn-on", role="push button", msgids=["Turn on two-step sign-in"],
         source="src/app/passport-otp-group.c", needle='"otp-turn-on"',
         note="shows Turn On… (Alt+O) when it is off; asks the proof in `proof-dialog`, then opens `otp-dialog`"),
    dict(page="account-page", name="otp-turn-off", role="push button", msgids=["Turn off two-step sign-in"],
         source="src/app/passport-otp-group.c", needle='"otp-turn-off"',
         note="shows Turn Off… (Alt+F) when it is on; asks the proof in `proof-dialog` (button Turn Off)"),
    dict(page="account-page", name="otp-codes-low", role="list item",
         msgids=["No recovery codes left"],
         source="src/app/passport-otp-group.c", needle='"otp-codes-low"',
         note="a warning row when two or fewer recovery codes are left: this, or Only 2 recovery codes left "
              "(a plural form); its button `otp-codes-low-new`"),
    dict(page="account-page", name="otp-new-codes", role="push button", msgids=["Get new recovery codes"],
         source="src/app/passport-otp-group.c", needle='"otp-new-codes"',
         note="in the Recovery codes row (shows New Codes…), and `otp-codes-low-new` in the warning row: asks "
              "the proof, then shows the new codes in `otp-dialog`"),
    dict(page="account-page", name="proof-dialog", role="frame",
         msgids=["Turn On Two-Step Sign-In", "New Recovery Codes", "Turn Off Two-Step Sign-In?"],
         source="src/app/passport-otp-group.c", needle="passport_proof_dialog_new",
         note="the titles of the proof dialog (“confirm it is you”) for two-step sign-in"),
    dict(page="account-page", name="proof-submit", role="push button", mnemonic=True,
         msgids=["_Continue", "_Get New Codes", "_Turn Off"],
         source="src/app/passport-otp-group.c", needle="passport_proof_dialog_new",
         note="in `proof-dialog`: sends the proof (off until a field is filled); busy while the server checks"),
    dict(page="account-page", name="—", role="push button", mnemonic=True, msgids=["_Delete Account"],
         source="src/app/passport-account-page.c", needle='_("_Delete Account")',
         note="`proof-submit` of `delete-account-dialog` (the proof dialog of Delete Account, destructive): "
              "deletes the account once the server accepts the proof; then the sign-in page"),
    dict(page="account-page", name="proof-password", role="password text", msgids=["Password"],
         source="src/app/passport-proof-dialog.c", needle='"proof-password"',
         note="in `proof-dialog`: the account's password"),
    dict(page="account-page", name="proof-code", role="text",
         msgids=["Code from your authenticator app", "Recovery code"],
         source="src/app/passport-proof-dialog.c", needle='"proof-code"',
         note="in `proof-dialog`, with two-step sign-in on, after `proof-use-code`; named Recovery code with "
              "`proof-use-recovery-code` ticked"),
    dict(page="account-page", name="proof-use-code", role="push button", mnemonic=True,
         msgids=["Use a _Code Instead", "Use Your _Password Instead"],
         source="src/app/passport-proof-dialog.c", needle='"proof-use-code"',
         note="in `proof-dialog`: switches between the password and a code (only when both can be the proof)"),
    dict(page="account-page", name="proof-use-recovery-code", role="check box", mnemonic=True,
         msgids=["Use a _recovery code instead"],
         source="src/app/passport-proof-dialog.c", needle='"proof-use-recovery-code"',
         note="in `proof-dialog`, with a code: a recovery code instead of the authenticator's"),
    dict(page="account-page", name="proof-error", role="label", msgids=["The password is wrong."],
         source="src/app/passport-proof-dialog.c", needle='"proof-error"',
         note="why the proof was refused, e.g. this (others are in src/core/passport-error.c); the dialog stays"),
    dict(page="account-page", name="otp-dialog", role="frame",
         msgids=["Turn On Two-Step Sign-In", "Recovery Codes"],
         source="src/app/passport-otp-dialog.c", needle='"otp-dialog"',
         note="the set-up after the proof: its title, then Recovery Codes once confirmed (or for a new set)"),
    dict(page="account-page", name="otp-qr", role="image", msgids=["QR code for the authenticator app"],
         source="src/app/passport-otp-dialog.c", needle='"otp-qr"',
         note="in `otp-dialog`: the QR code of the `otpauth://` URI"),
    dict(page="account-page", name="otp-secret", role="label", msgids=["Key for the authenticator app"],
         source="src/app/passport-otp-dialog.c", needle='"otp-secret"',
         note="in `otp-dialog`: its text is the key (base32) in groups of four, selectable; `otp-copy-secret` "
              "(Copy Key) copies it without the spaces"),
    dict(page="account-page", name="otp-confirm-code", role="text", msgids=["Code from your authenticator app"],
         source="src/app/passport-otp-dialog.c", needle='"otp-confirm-code"',
         note="in `otp-dialog`: the first code; six digits, spaces ignored"),
    dict(page="account-page", name="otp-confirm", role="push button", mnemonic=True, msgids=["_Turn On"],
         source="src/app/passport-otp-dialog.c", needle='"otp-confirm"',
         note="in `otp-dialog`: off until six digits are typed; a wrong code is said in `otp-confirm-error`"),
    dict(page="account-page", name="otp-lapses", role="label", msgids=["Enter a code within %s."],
         source="src/app/passport-otp-dialog.c", needle='"otp-lapses"',
         note="in `otp-dialog`: the time left before the set-up lapses (`%s`: 9 minutes)"),
    dict(page="account-page", name="otp-recovery-codes", role="label", msgids=["Recovery codes"],
         source="src/app/passport-otp-dialog.c", needle='"otp-recovery-codes"',
         note="in `otp-dialog`: its text is the ten codes, one per line (XXXX-XXXX-XXXX), shown once"),
    dict(page="account-page", name="otp-codes-copy", role="push button",
         msgids=["Copy the recovery codes", "Recovery codes copied"],
         source="src/app/passport-otp-dialog.c", needle='"otp-codes-copy"', note="in `otp-dialog` (shows Copy)"),
    dict(page="account-page", name="otp-codes-save", role="push button", msgids=["Save the recovery codes to a file"],
         source="src/app/passport-otp-dialog.c", needle='"otp-codes-save"',
         note="in `otp-dialog` (shows Save…): the file chooser, then a file only the user can read; "
              "`otp-codes-saved` says where"),
    dict(page="account-page", name="otp-codes-done", role="push button", mnemonic=True, msgids=["_Done"],
         source="src/app/passport-otp-dialog.c", needle='"otp-codes-done"',
         note="closes `otp-dialog` (Escape too); the codes are wiped"),
    # App Passwords (contract 8.4): a group built in C, shown only signed in
    # to a server that lists app_passwords.
    dict(page="account-page", name="app-passwords-group", role="filler", msgids=["App Passwords"],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-group"',
         note="the App Passwords group (its title, a label); shown only when signed in to a server that "
              "lists `app_passwords`"),
    dict(page="account-page", name="—", role="label",
         msgids=["For programs that cannot ask for the code of two-step sign-in, such as a mail client: "
                 "each gets a password of its own, which you can revoke alone."],
         source="src/app/passport-app-passwords-group.c", needle="adw_preferences_group_set_description",
         note="description of the group"),
    dict(page="account-page", name="app-passwords-list", role="list", msgids=["App passwords"],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-list"',
         note="newest first; its rows are below, `app-password-create` last"),
    dict(page="account-page", name="app-passwords-loading", role="list item", msgids=["Loading app passwords…"],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-loading"',
         note="a row with a spinner (that name) while the list loads, after 0.4 s"),
    dict(page="account-page", name="app-passwords-error", role="list item", msgids=[],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-error"',
         note="why the list could not be loaded (all texts are in src/core/passport-error.c)"),
    dict(page="account-page", name="app-passwords-retry", role="push button", msgids=["Retry"],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-retry"',
         note="in `app-passwords-error`; loads the list again; action `app-passwords.reload`"),
    dict(page="account-page", name="app-passwords-empty", role="list item", msgids=["No app passwords"],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-empty"', note=""),
    dict(page="account-page", name="app-password-row", role="list item",
         msgids=["Created %1$s · Last used %2$s", "Created %s · Last used never"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-row"',
         note="one per app password: the title is its name (its accessible name), the subtitle one of these "
              "(`%s`: dates such as 26 Nov 2026)"),
    dict(page="account-page", name="app-password-revoke", role="push button", msgids=["Revoke %s"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-revoke"',
         note="in each `app-password-row` (shows Revoke): `%s` is its name; asks in "
              "`app-password-revoke-dialog`; action `app-passwords.revoke` with the id"),
    dict(page="account-page", name="app-password-create", role="push button", msgids=["Create App Password"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-create"',
         note="the last row of `app-passwords-list`, shows Create App Password… (Alt+A); asks the name in "
              "`app-password-name-dialog`; action `app-passwords.create`"),
    dict(page="account-page", name="app-passwords-message", role="label", msgids=[],
         source="src/app/passport-app-passwords-group.c", needle='"app-passwords-message"',
         note="why a revoke failed, e.g. It no longer exists. The list has been updated."),
    dict(page="account-page", name="app-password-name-dialog", role="dialog", msgids=["New App Password"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-name-dialog"',
         note="heading; asks the name of a new app password"),
    dict(page="account-page", name="app-password-name", role="text", msgids=["Name"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-name"',
         note="in `app-password-name-dialog`: 1–64 characters; Enter goes on when it is one"),
    dict(page="account-page", name="app-password-name-hint", role="label", msgids=["Use at most 64 characters."],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-name-hint"', note="shown when the name is longer"),
    dict(page="account-page", name="—", role="push button", mnemonic=True, msgids=["_Cancel", "_Next"],
         source="src/app/passport-app-passwords-group.c", needle='"create", _("_Next")',
         note="the responses of `app-password-name-dialog` (Next is off until the name is good); see *Dialogs*"),
    dict(page="account-page", name="proof-dialog", role="frame", mnemonic=True,
         msgids=["Create App Password", "To create the app password “%s”, confirm that it is you.", "Cr_eate"],
         source="src/app/passport-app-passwords-group.c", needle="passport_proof_dialog_new",
         note="after Next: the title, body (`%s`: the name) and button of the proof dialog (`proof-password`, "
              "`proof-submit`, `proof-error`); a wrong password keeps it open with the reason"),
    dict(page="account-page", name="app-password-created-dialog", role="dialog", msgids=["App Password Created"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-created-dialog"',
         note="heading; the new password, shown once"),
    dict(page="account-page", name="—", role="label",
         msgids=["Enter this password in “%1$s” with %2$s as the user name. It will not be shown again."],
         source="src/app/passport-app-passwords-group.c", needle="adw_message_dialog_format_body",
         note="body of `app-password-created-dialog`: `%1$s` the name, `%2$s` the account's e-mail"),
    dict(page="account-page", name="app-password-value", role="label", msgids=["App password"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-value"',
         note="the password as 16 letters in fours (abcd efgh ijkl mnop), selectable"),
    dict(page="account-page", name="app-password-copy", role="push button", msgids=["Copy", "Copied"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-copy"',
         note="copies the password (without the spaces) and then reads Copied"),
    dict(page="account-page", name="—", role="push button", mnemonic=True, msgids=["_Done"],
         source="src/app/passport-app-passwords-group.c", needle='"done", _("_Done")',
         note="the response of `app-password-created-dialog` (Escape too): the password is wiped"),
    dict(page="account-page", name="app-password-revoke-dialog", role="dialog", msgids=["Revoke “%s”?"],
         source="src/app/passport-app-passwords-group.c", needle='"app-password-revoke-dialog"',
         note="heading (`%s`: the name); the body says Programs using it are signed out."),
    dict(page="account-page", name="—", role="push button", mnemonic=True, msgids=["_Cancel", "_Revoke"],
         source="src/app/passport-app-passwords-group.c", needle='"revoke", _("_Revoke")',
         note="the responses of `app-password-revoke-dialog`; see *Dialogs*"),
]

# What each environment variable the app reads (g_getenv in src/app and
# src/core) does; one the app reads but this table lacks stops the script.
ENVIRONMENT = {
    "PASSPORT_BROWSER": "The command that opens the sign-in page, run as `COMMAND URL` instead of the "
                        "default browser (the story uses `tests/ui/browser.py`, headless Chromium). A command "
                        "that cannot run shows the link on `browser-page`.",
    "PASSPORT_LOCALEDIR": "Where the translations are, e.g. `build/po` to run from a build directory.",
    "PASSPORT_HTTP_TIMEOUT": "Seconds before a request to the server gives up (1–3600).",
    "PASSPORT_CLIENT_ID": "The client id, for an OpenID provider that registered one.",
    "PASSPORT_REDIRECT_PORT": "A fixed loopback port (`8065`) or range (`8065-8070`) for the browser's "
                              "redirect, for providers that accept only an exact redirect URI.",
    "PASSPORT_DEVICE_NAME": "The name of this device sent with every sign-in and shown in the account's "
                            "Devices (default: the host name and the system, e.g. `ivan-laptop (Debian "
                            "GNU/Linux 12 (bookworm))`).",
    "FLATPAK_ID": "Set by Flatpak inside its sandbox: the refresh lock that the app and its passportctl "
                  "share is kept under `$XDG_RUNTIME_DIR/app/$FLATPAK_ID/passport`, the only part of the "
                  "runtime directory their sandboxes share.",
    "SECRET_BACKEND": "libsecret's own: `file` keeps sessions in libsecret's encrypted file (as inside "
                      "Flatpak, where the Secret portal unlocks it), `service` the Secret Service; unset, "
                      "libsecret decides by the sandbox. The keyring's state shown before signing in follows "
                      "it.",
    "PASSPORT_TEST_SAVE_PATH": "UI tests only: the file Save… of the recovery codes writes to, instead of "
                               "asking with the system's file chooser, which a test cannot drive.",
    "PASSPORT_BENCHMARK": "Benchmarks only, never for a UI test: a path (with a `/`) gets a report of the "
                          "main loop's stalls at exit; any other value prints the time to the first frame "
                          "and the peak memory, then quits.",
}

INTRO = """\
This is the contract between Passport and UI automation (AT-SPI tools such
as dogtail, Accerciser or `tests/ui/story.py`). It lists every page and
every control the user can reach, with its stable widget name, its role and
its accessible name in English and Russian.

- **Widget names** (`server-url`, `connect-button`, …) are stable and the
  same in every language. They are GTK widget names (`gtk_widget_get_name`):
  in-process tests and the GTK Inspector find widgets by them
  (`tests/ui/test-*.c`). GTK 4.8 does not publish them on the
  accessibility bus.
- **Roles and accessible names** are what AT-SPI tools see: find a control
  by its role and its accessible name in the app's language, as
  `tests/ui/story.py` does. A page is a `filler` whose accessible name is the
  page's name below; only the page shown is on the bus.
- **Translated**: accessible names and every text the app shows. Not
  translated: widget names, roles, action names, the server's own texts
  (social network names, the user agreement) and what the user typed.
- Mnemonic underscores are not part of an accessible name (`_Connect` reads
  `Connect`). `(set at run time)` marks a label whose text the app sets
  (an error, an address); `—` marks a control without a widget name.
  Hidden widgets (an error not shown) are not on the bus at all.

Generated by `tests/ui/automation-doc.py` from `src/app/*.ui`, `po/ru.po`
and the C sources it names; do not edit by hand. The `automation-doc` test
(`meson test automation-doc`) fails when this file is out of date, when a
name has no Russian translation, or when the story uses a name not listed
here. To update it:

```sh
python3 tests/ui/automation-doc.py --output docs/automation.md
```
"""

STARTING = """\
## Starting the app for automation

```sh
LANGUAGE=ru PASSPORT_LOCALEDIR=build/po \\
PASSPORT_BROWSER="/usr/bin/python3 tests/ui/browser.py" \\
    build/src/app/passport --server http://127.0.0.1:8765
```

- The accessibility bus must be up (`at-spi-bus-launcher` in the session
  bus) and `GTK_A11Y` unset; GTK 4 publishes its widgets under X11 (Xvfb).
  The application appears on the bus as `passport` with the process id of
  the app.
- The language follows `LANGUAGE` (`ru`, or empty for English), also under
  `LC_ALL=C.UTF-8`.
- One instance per session: a second start hands its `--server` to the
  running window and ends with status 0.
- Private state for a test: `XDG_DATA_HOME`, `XDG_CONFIG_HOME`,
  `XDG_CACHE_HOME` in a temporary directory, `GSETTINGS_BACKEND=keyfile`
  (the last server is remembered there), and a private keyring
  (`gnome-keyring-daemon --unlock` in a `dbus-run-session`).
- `tests/ui/run-story.sh` does all of this against `passportd` on an
  ephemeral loopback port; `passportctl` prepares accounts beforehand.

Command-line options (`passport --help`):

| option | what it does |
|---|---|
{options}

Environment variables the app reads:

| variable | what it does |
|---|---|
{environment}
"""

DIALOGS = """\
### Dialogs

`sign-out-dialog` and `keyring-dialog` are separate windows (role `dialog`)
of the application, not children of the page. libadwaita 1.2 holds each
response twice (a row and a column of buttons, one of them hidden); the app
names each button once, by the text it shows. Find the response as a
`push button` inside the dialog with the name listed, and press every such
button: the hidden one does nothing.
"""


class Text:
    """A translatable (or not) string of a template."""

    def __init__(self, msgid, context=None, translatable=True, mnemonic=False):
        self.msgid, self.context, self.translatable, self.mnemonic = msgid, context, translatable, mnemonic


def strip_mnemonic(text):
    return re.sub(r"_(.)", r"\1", text)


def unquote_c(literal):
    """The value of a C or PO string literal's inside."""
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), literal)


def read_po(path):
    """{(msgctxt, msgid): msgstr} of the translated, not fuzzy messages."""
    catalog = {}
    entry, field, fuzzy = {}, None, False

    def flush():
        if entry.get("msgid") and entry.get("msgstr") and not fuzzy:
            catalog[(entry.get("msgctxt"), entry["msgid"])] = entry["msgstr"]

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                flush()
                entry, field, fuzzy = {}, None, False
            elif line.startswith("#,"):
                fuzzy = "fuzzy" in line
            elif line.startswith("#"):
                continue  # comments and obsolete (#~) messages
            elif line.startswith('"'):
                entry[field] += unquote_c(line[1:-1])
            else:
                keyword, _, rest = line.partition(" ")
                field = "msgstr" if keyword.startswith("msgstr") else keyword
                entry[field] = unquote_c(rest.strip()[1:-1])
    flush()
    return catalog


def c_msgids(text):
    """The msgids of every _("…") and N_("…") in C source @text, with
    adjacent literals joined."""
    ids = set()
    for m in re.finditer(r'\bN?_\s*\(((?:\s*"(?:[^"\\]|\\.)*")+)\s*\)', text):
        ids.add("".join(unquote_c(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
    return ids


class Row:
    def __init__(self, name, role, texts, note="", step=None, runtime=True):
        self.name, self.role, self.texts, self.note, self.step = name, role, texts, note, step
        self.runtime = runtime  # without texts: set at run time, or none at all


class Generator:
    def __init__(self, root):
        self.root = root
        self.ru = read_po(os.path.join(root, "po", "ru.po"))
        self.errors = []
        self.templates = {}  # class -> template element
        for name in sorted(os.listdir(os.path.join(root, "src", "app"))):
            if name.endswith(".ui"):
                tree = ET.parse(os.path.join(root, "src", "app", name))
                template = tree.getroot().find("template")
                if template is not None:
                    self.templates[template.get("class")] = (name, template, tree.getroot())

    def read(self, path):
        with open(os.path.join(self.root, path), encoding="utf-8") as f:
            return f.read()

    # --- the templates -------------------------------------------------------
    @staticmethod
    def prop(element, name):
        for p in element.findall("property"):
            if p.get("name") == name:
                return p
        return None

    def text(self, element, name, mnemonic=False):
        p = self.prop(element, name)
        if p is None or p.text is None or p.find("object") is not None:
            return None
        return Text(p.text, p.get("context"), p.get("translatable") in ("yes", "true", "1"), mnemonic)

    def accessible_label(self, element):
        a11y = element.find("accessibility")
        if a11y is None:
            return None
        for p in a11y.findall("property"):
            if p.get("name") == "label":
                return Text(p.text, p.get("context"), p.get("translatable") in ("yes", "true", "1"))
        return None

    def underlined(self, element):
        p = self.prop(element, "use-underline")
        return p is not None and p.text in ("true", "yes", "1")

    def child_objects(self, element):
        """The objects directly inside @element (as <child> or as a
        property's value)."""
        for holder in element:
            if holder.tag in ("child", "property"):
                yield from holder.findall("object")

    def accessible_name(self, obj):
        cls = obj.get("class")
        label = self.accessible_label(obj)
        if label is not None:
            return label
        if cls in TITLED:
            return self.text(obj, "title")
        if cls in ("GtkButton", "GtkToggleButton", "GtkCheckButton", "GtkLinkButton", "GtkLabel", "GtkMenuButton"):
            own = self.text(obj, "label", self.underlined(obj))
            if own is not None:
                return own
            for child in self.child_objects(obj):
                if child.get("class") == "GtkLabel":
                    return self.text(child, "label", self.underlined(child))
        return None

    def rows(self, obj, where, step=None, in_control=False, skip=None):
        """The rows of @obj and what it holds (but @skip), in the
        template's order."""
        cls = obj.get("class")
        out = []
        if obj is skip:
            return out
        if cls == "GtkStackPage":
            step = self.text(obj, "name").msgid
        name_p = self.prop(obj, "name")
        widget_name = name_p.text if name_p is not None and cls != "GtkStackPage" else None
        presentation = (self.prop(obj, "accessible-role") is not None and
                        self.prop(obj, "accessible-role").text == "presentation")
        label = self.accessible_label(obj)
        if cls in TEXT_PROPERTIES and not in_control:
            for prop in TEXT_PROPERTIES[cls]:
                t = self.text(obj, prop)
                if t is not None and t.translatable:
                    out.append(Row("—", "label", [t], "%s of the %s" % (prop, "page" if cls == "AdwStatusPage"
                                                                        else "group"), step))
        elif cls in self.templates or cls == "GtkStackPage" or presentation:
            pass
        elif widget_name or label is not None or cls in INTERACTIVE or (
                cls == "GtkLabel" and not in_control and self.text(obj, "label") is not None):
            role = ROLES.get(cls)
            if role is None:
                self.errors.append("%s: no role known for %s (add it to ROLES)" % (where, cls))
                role = "?"
            acc = self.accessible_name(obj)
            texts = [acc] if acc is not None else []
            note = ""
            action = self.prop(obj, "action-name")
            if action is not None:
                note = "action `%s`" % action.text
            if not texts and cls in INTERACTIVE and not self.c_names(where, widget_name):
                self.errors.append("%s: %s %s has no accessible name (give it one in the .ui, or list "
                                   "the C code that names it in FROM_C)" % (where, cls, widget_name or ""))
            out.append(Row(widget_name or "—", role, texts, note, step, cls in RUNTIME_TEXT))
        inside = in_control or cls in INTERACTIVE
        for child in self.child_objects(obj):
            out.extend(self.rows(child, where, step, inside, skip))
        return out

    def c_names(self, page, widget_name):
        return [e for e in FROM_C if e["page"] == page and e["name"] == widget_name and widget_name]

    def page(self, stack_name, child):
        """The page row and the rows of the stack child @child."""
        cls = child.get("class")
        if cls in self.templates:
            filename, element, _ = self.templates[cls]
            own = self.prop(element, "name")
            if own is None or own.text != stack_name:
                self.errors.append("%s: the template's widget name is not %s" % (filename, stack_name))
        else:
            element = child
            own = self.prop(element, "name")
            if own is None or own.text != stack_name:
                self.errors.append("passport-window.ui: the page %s has no widget name %s" % (stack_name, stack_name))
        label = self.accessible_label(element)
        if label is None and cls == "AdwStatusPage":
            # Not a PassportPage: a panel named by its title.
            head = Row(stack_name, ROLES[cls], [self.text(element, "title")],
                       "the page (not a `%s`: named by its title)" % PAGE_ROLE)
        else:
            head = Row(stack_name, PAGE_ROLE, [label] if label is not None else [], "the page", runtime=False)
        rows = []
        for obj in self.child_objects(element):
            rows.extend(self.rows(obj, stack_name))
        if cls not in self.templates:
            # An inline page: its own texts too (the status page's title).
            rows = self.rows(element, stack_name)
        return head, self.merge_c(stack_name, rows)

    def merge_c(self, where, rows):
        """@rows with the names the C code sets: on a template's widget, its
        run-time names; otherwise new rows after the step they belong to."""
        for entry in FROM_C:
            if entry["page"] != where:
                continue
            texts = [Text(m, mnemonic=entry.get("mnemonic", False)) for m in entry["msgids"]]
            target = [r for r in rows if r.name == entry["name"] and entry["name"] != "—"]
            if target:
                target[0].texts = texts
                target[0].note = "; ".join(n for n in (target[0].note, entry["note"]) if n)
                continue
            row = Row(entry["name"], entry["role"], texts, entry["note"], entry.get("step"))
            if entry.get("after"):
                last = [i for i, r in enumerate(rows) if r.name == entry["after"]]
                if not last:
                    self.errors.append("%s: no %s to put %s after" % (where, entry["after"], entry["msgids"][0]))
            else:
                last = [i for i, r in enumerate(rows) if r.step == row.step]
            rows.insert(max(last, default=len(rows) - 1) + 1, row)
        return rows

    def check_c_table(self):
        for entry in FROM_C:
            source = self.read(entry["source"])
            if entry["needle"] not in source:
                self.errors.append("%s: no %s (FROM_C in this script)" % (entry["source"], entry["needle"]))
            known = c_msgids(source)
            for msgid in entry["msgids"]:
                if msgid not in known:
                    self.errors.append('%s: no _("%s") (FROM_C in this script)' % (entry["source"], msgid))

    def window(self):
        """The stack's pages in order, and the window's own rows."""
        _, template, ui = self.templates["PassportWindow"]
        pages = []
        stack = None
        for obj in template.iter("object"):
            if obj.get("class") == "GtkStack" and obj.get("id") == "stack":
                stack = obj
        for child in stack.findall("child"):
            page = child.find("object")
            stack_name = self.text(page, "name").msgid
            pages.append((stack_name,) + self.page(stack_name, page.find("property/object")))
        # The window outside the stack: header bar, error bar.
        rows = []
        for obj in self.child_objects(template):
            rows.extend(self.rows(obj, "window", skip=stack))
        # The main menu's items.
        for item in ui.iter("item"):
            attrs = {a.get("name"): a for a in item.findall("attribute")}
            label = attrs["label"]
            rows.append(Row("—", "menu item", [Text(label.text, label.get("context"), True, True)],
                            "in the main menu; action `%s`" % attrs["action"].text))
        return pages, self.merge_c("window", rows)

    # --- shortcuts, options, environment ---------------------------------------
    def shortcuts(self):
        window_c = self.read("src/app/passport-window.c")
        app_c = self.read("src/app/passport-application.c")
        key_action = {}
        for m in re.finditer(r'add_binding_action \(\s*widget_class,\s*GDK_KEY_(\w+),\s*(\w+),\s*"([\w.-]+)"',
                             window_c):
            key, mask, action = m.groups()
            accel = ("<Control>" if "CONTROL" in mask else "") + ("<Shift>" if "SHIFT" in mask else "") + key
            key_action[accel] = action
        arrays = {m.group(1): re.findall(r'"([^"]+)"', m.group(2))
                  for m in re.finditer(r'const char \*(\w+)\[\] = \{([^}]*)\}', app_c)}
        for m in re.finditer(r'set_accels_for_action \([^,]+,\s*"([\w.-]+)",\s*(\w+)\)', app_c):
            for accel in arrays.get(m.group(2), []):
                key_action[accel] = m.group(1)
        shown = ET.parse(os.path.join(self.root, "src/app/passport-shortcuts-window.ui")).getroot()
        rows = []
        listed = set()
        for sc in shown.iter("object"):
            if sc.get("class") != "GtkShortcutsShortcut":
                continue
            title = self.text(sc, "title")
            accel_p, action_p = self.prop(sc, "accelerator"), self.prop(sc, "action-name")
            if accel_p is not None:
                accels = [accel_p.text]
                action = key_action.get(accel_p.text, "GTK: the window's primary menu" if accel_p.text == "F10"
                                        else None)
            else:
                accels = [a for a, act in key_action.items() if act == action_p.text]
                action = action_p.text
            if not accels or action is None:
                self.errors.append("passport-shortcuts-window.ui: %s has no key or action in the C code"
                                   % title.msgid)
            listed.update(accels)
            rows.append((accels, action, title))
        for accel, action in key_action.items():
            if accel not in listed:
                self.errors.append("%s (%s) is not in passport-shortcuts-window.ui" % (accel, action))
        return rows

    @staticmethod
    def human_key(accel):
        m = re.match(r"((?:<\w+>)*)(\w+)$", accel)
        mods = re.findall(r"<(\w+)>", m.group(1))
        key = {"question": "?", "Escape": "Escape"}.get(m.group(2), m.group(2))
        key = key.upper() if len(key) == 1 else key
        return "+".join([{"Control": "Ctrl"}.get(x, x) for x in mods] + [key])

    def options(self):
        app_c = self.read("src/app/passport-application.c")
        out = []
        for m in re.finditer(r'\{\s*"([\w-]+)",\s*\'(\w)\',[^,]+,\s*G_OPTION_ARG_(\w+),[^,]+,\s*'
                             r'N_\("([^"]*)"\),\s*N_\("([^"]*)"\)', app_c):
            long_name, short, _, description, arg = m.groups()
            out.append("| `--%s %s`, `-%s %s` | %s |" % (long_name, arg, short, arg, description))
        if not out:
            self.errors.append("src/app/passport-application.c: no GOptionEntry found")
        return out

    def environment(self):
        found = []
        for part in ("src/app", "src/core"):
            for name in sorted(os.listdir(os.path.join(self.root, part))):
                if name.endswith(".c"):
                    for var in re.findall(r'g_getenv \("(\w+)"\)', self.read(os.path.join(part, name))):
                        if var not in found:
                            found.append(var)
        for var in found:
            if var not in ENVIRONMENT:
                self.errors.append("the app reads %s: describe it in ENVIRONMENT" % var)
        for var in ENVIRONMENT:
            if var not in found:
                self.errors.append("ENVIRONMENT describes %s, which the app no longer reads" % var)
        return ["| `%s` | %s |" % (var, ENVIRONMENT[var]) for var in ENVIRONMENT if var in found]

    # --- writing -----------------------------------------------------------------
    def english(self, t):
        return strip_mnemonic(t.msgid) if t.mnemonic else t.msgid

    def russian(self, t, where):
        if not t.translatable:
            return t.msgid
        ru = self.ru.get((t.context, t.msgid))
        if ru is None:
            self.errors.append("%s: no Russian translation of %r%s in po/ru.po" % (
                where, t.msgid, " (context %s)" % t.context if t.context else ""))
            return "**MISSING**"
        return strip_mnemonic(ru) if t.mnemonic else ru

    @staticmethod
    def cell(text):
        return text.replace("|", "\\|").replace("\n", " ")

    def table(self, rows, where):
        out = ["| widget name | role | English | Russian | notes |", "|---|---|---|---|---|"]
        step = None
        for r in rows:
            if r.step != step:
                step = r.step
                out.append("| **%s** | | | | |" % ("step `%s`" % step if step else "every step"))
            if r.texts:
                en = " / ".join(self.english(t) for t in r.texts)
                ru = " / ".join(self.russian(t, where) for t in r.texts)
            else:
                en = ru = RUNTIME if r.runtime else "(none)"
            name = "`%s`" % r.name if r.name != "—" else "—"
            out.append("| %s | %s | %s | %s | %s |" % (name, r.role, self.cell(en), self.cell(ru), self.cell(r.note)))
        return out

    def generate(self):
        self.check_c_table()
        pages, window_rows = self.window()
        self.pages = pages
        self.names = {"window": {r.name for r in window_rows}}
        self.names.update((stack_name, {r.name for r in [head] + rows}) for stack_name, head, rows in pages)
        self.model = []  # (page, role, english, russian) of every listed name
        lines = ["# UI automation contract", ""]
        lines += INTRO.splitlines() + [""]
        lines += STARTING.format(options="\n".join(self.options()),
                                 environment="\n".join(self.environment())).splitlines() + [""]
        lines += ["## Keyboard shortcuts", "",
                  "As listed in the shortcuts window (Ctrl+?); Enter submits the form of a page.", "",
                  "| keys | action | English | Russian |", "|---|---|---|---|"]
        for accels, action, title in self.shortcuts():
            lines.append("| %s | %s | %s | %s |" % (", ".join(self.human_key(a) for a in accels),
                                                   "`%s`" % action if action and "." in action else action,
                                                   title.msgid, self.russian(title, "shortcuts")))
        lines += ["", "## The window", "",
                  "Around every page: the header bar, the error bar (a connection problem, with Retry), "
                  "toasts, and the dialogs.", ""]
        lines += self.table(window_rows, "window")
        self.collect("window", window_rows)
        lines += [""] + DIALOGS.splitlines() + ["", "## Pages", "",
                                                "In the order of the window's stack (`passport-window.ui`). "
                                                "`progress-page` shows while connecting and signing in.", ""]
        for number, (stack_name, head, rows) in enumerate(pages, 1):
            title = self.english(head.texts[0]) if head.texts else stack_name
            lines += ["### %d. `%s` — %s" % (number, stack_name, title), ""]
            lines += self.table([head] + rows, stack_name) + [""]
            self.collect(stack_name, [head] + rows)
        return "\n".join(lines).rstrip("\n") + "\n"

    def collect(self, where, rows):
        for r in rows:
            for t in r.texts:
                self.model.append(dict(page=where, name=r.name, role=r.role, en=self.english(t),
                                       ru=self.russian(t, where) if t.translatable else t.msgid))

    # --- the checks of the test ------------------------------------------------
    def check_story(self):
        """Every name of the AT-SPI stories' NAMES (tests/ui/*story*.py:
        story.py's table and what others add to it) is listed, in its
        language; every key a story uses has one, with the role it asks for."""
        stories = sorted(n for n in os.listdir(os.path.join(self.root, "tests/ui"))
                         if re.fullmatch(r"[\w-]*story\.py", n))
        trees = {n: ast.parse(self.read("tests/ui/" + n), n) for n in stories}
        names = {}
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "NAMES" for t in node.targets):
                    for lang, table in ast.literal_eval(node.value).items():
                        names.setdefault(lang, {}).update(table)
                elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "update"
                      and isinstance(node.func.value, ast.Subscript)
                      and getattr(node.func.value.value, "id", None) == "NAMES"):
                    lang = ast.literal_eval(node.func.value.slice)
                    names.setdefault(lang, {}).update(ast.literal_eval(node.args[0]))
        if "en" not in names:
            self.errors.append("story.py: no NAMES table")
            return
        pages = {m["page"] for m in self.model}
        for lang, table in names.items():
            if lang not in ("en", "ru"):
                self.errors.append("NAMES[%r]: only English and Russian are listed" % lang)
                continue
            for key, name in table.items():
                if not any(m[lang] == name for m in self.model):
                    self.errors.append("NAMES[%r][%r] = %r is not in %s" % (lang, key, name, DOC))
                elif lang != "en" and key in names["en"] and not any(
                        m["en"] == names["en"][key] and m["ru"] == name for m in self.model):
                    self.errors.append("NAMES[%r][%r] = %r is not the Russian of %r in %s" % (
                        lang, key, name, names["en"][key], DOC))
        roles = {"click": {"push button"}, "type": {"text", "password text"},
                 "text_of": {"text", "password text"}, "page": {PAGE_ROLE}}
        for story, tree in trees.items():
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and getattr(node.func.value, "id", None) == "self"):
                    continue
                method, args = node.func.attr, node.args
                key = None
                if method in roles and args and isinstance(args[0], ast.Constant):
                    key, wanted = args[0].value, roles[method]
                elif method in ("find", "exists", "showing") and len(args) >= 2:
                    role = args[0].value if isinstance(args[0], ast.Constant) else None
                    wanted = {role} if role else None
                    inner = args[1].left if isinstance(args[1], ast.BinOp) else args[1]  # name % host
                    if isinstance(inner, ast.Constant):
                        self.errors.append("%s:%d: finds %r by a literal; add it to NAMES" % (
                            story, node.lineno, inner.value))
                        continue
                    if (isinstance(inner, ast.Call) and getattr(inner.func, "attr", None) == "name"
                            and inner.args and isinstance(inner.args[0], ast.Constant)):
                        key = inner.args[0].value
                if key is None:
                    continue
                if key not in names["en"]:
                    self.errors.append("%s:%d: %r is not in NAMES" % (story, node.lineno, key))
                    continue
                if method == "page" and key not in pages:
                    self.errors.append("%s:%d: %r is not a page of %s" % (story, node.lineno, key, DOC))
                if wanted and not any(m["en"] == names["en"][key] and m["role"] in wanted for m in self.model):
                    self.errors.append("%s:%d: no %s named %r in %s" % (
                        story, node.lineno, " or ".join(sorted(wanted)), names["en"][key], DOC))

    def check_test_pages(self):
        """Every (page, widget name) the in-process UI tests (tests/ui/*.c)
        look up is listed."""
        found = set()
        for n in sorted(os.listdir(os.path.join(self.root, "tests/ui"))):
            if n.endswith(".c"):
                found.update((n,) + m for m in re.findall(r'\(f, "([a-z-]+-page)", "([a-z0-9-]+)"',
                                                          self.read("tests/ui/" + n)))
        for source, page, name in sorted(found):
            listed = self.names.get(page, set())
            if not any(re.fullmatch(re.sub(r"<\w+>", "[a-z0-9_-]+", re.escape(n).replace("\\<", "<")
                                           .replace("\\>", ">")), name) for n in listed):
                self.errors.append("%s: %s on %s is not in %s" % (source, name, page, DOC))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--output")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args()

    gen = Generator(args.source)
    text = gen.generate()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        for e in dict.fromkeys(gen.errors):
            print("automation-doc: %s" % e, file=sys.stderr)
        return 1 if gen.errors else 0

    gen.check_story()
    gen.check_test_pages()
    failed = False
    try:
        with open(os.path.join(args.source, DOC), encoding="utf-8") as f:
            current = f.read()
    except FileNotFoundError:
        current = ""
    if current != text:
        failed = True
        print("%s is out of date; run: python3 tests/ui/automation-doc.py --output %s" % (DOC, DOC))
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                   DOC, DOC + " (generated)"))
    for e in dict.fromkeys(gen.errors):
        print("automation-doc: %s" % e)
        failed = True
    if not failed:
        print("%s is up to date: %d pages, %d names" % (DOC, len(gen.pages), len(gen.model)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
