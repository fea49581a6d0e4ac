// SPDX-License-Identifier: GPL-3.0-or-later
//
// The server's own texts. They are chosen per request (Accept-Language) or
// per account (mail), not by the process locale, so they are a table here
// rather than gettext catalogues.
#include "config.h"

#include <string.h>

#include "pd.h"

static const char *texts[PD_N_TEXTS][2] = {
  [PD_T_TERMS_TEXT] = {
    "Passport user agreement (version 2025-01)\n\n"
    "1. Passport keeps your account: your name, the social networks you sign in with, "
    "your e-mail address and a hash of your password.\n"
    "2. We use your e-mail address to let you sign in and to send you messages about your "
    "account. We do not sell it or show it to other users.\n"
    "3. Keep your password secret. You are responsible for what is done with your account.\n"
    "4. You can change your e-mail address and password at any time.\n"
    "5. This is the reference server of the Passport project, for demonstration and tests.",
    "Пользовательское соглашение Passport (версия 2025-01)\n\n"
    "1. Passport хранит вашу учётную запись: имя, социальные сети, через которые вы входите, "
    "адрес электронной почты и хеш пароля.\n"
    "2. Адрес электронной почты нужен для входа и для писем о вашей учётной записи. "
    "Мы не продаём его и не показываем другим пользователям.\n"
    "3. Храните пароль в тайне. Вы отвечаете за действия, совершённые с вашей учётной записью.\n"
    "4. Адрес электронной почты и пароль можно сменить в любое время.\n"
    "5. Это эталонный сервер проекта Passport, для демонстрации и тестов.",
  },
  [PD_T_TERMS_TITLE] = { "User agreement", "Пользовательское соглашение" },
  [PD_T_SIGN_IN_WITH] = { "Sign in with %s", "Вход через %s" },
  [PD_T_SOCIAL_INTRO] = {
    "This page stands in for the social network's sign-in. Choose whom to sign in as.",
    "Эта страница заменяет вход в социальную сеть. Укажите, кем войти.",
  },
  [PD_T_EMAIL] = { "E-mail", "Электронная почта" },
  [PD_T_NAME] = { "Name", "Имя" },
  [PD_T_VERIFIED] = {
    "This network has verified the e-mail address",
    "Эта сеть подтвердила адрес электронной почты",
  },
  [PD_T_CONTINUE] = { "Continue", "Продолжить" },
  [PD_T_CANCEL] = { "Cancel", "Отмена" },
  [PD_T_CHOOSE_PROVIDER] = { "Choose how to sign in:", "Выберите способ входа:" },
  [PD_T_CHOOSE_TITLE] = { "Sign in", "Вход" },
  [PD_T_BAD_REQUEST_TITLE] = { "Sign-in cannot continue", "Вход невозможен" },
  [PD_T_BAD_CLIENT] = {
    "The application that sent you here is not known to this server.",
    "Приложение, которое направило вас сюда, неизвестно этому серверу.",
  },
  [PD_T_BAD_REDIRECT] = {
    "The application asked to return to an address this server does not allow.",
    "Приложение попросило вернуться по адресу, который этот сервер не разрешает.",
  },
  [PD_T_FLOW_EXPIRED] = {
    "This sign-in has expired or was already used. Start again from the application.",
    "Срок этого входа истёк, или он уже использован. Начните заново в приложении.",
  },
  [PD_T_CSRF] = {
    "This form was not sent from this browser session. Start again from the application.",
    "Форма отправлена не из этого сеанса браузера. Начните заново в приложении.",
  },
  [PD_T_EMAIL_INVALID] = {
    "Enter a valid e-mail address.",
    "Введите правильный адрес электронной почты.",
  },
  [PD_T_CONFIRM_OK_TITLE] = { "Address confirmed", "Адрес подтверждён" },
  [PD_T_CONFIRM_OK] = {
    "The address %s is confirmed. Passport goes on by itself: you can close this page and return to the app. "
    "From now on you can sign in with this address and your password.",
    "Адрес %s подтверждён. Passport продолжит сам: эту страницу можно закрыть и вернуться в приложение. "
    "Теперь с этим адресом и паролем можно входить.",
  },
  [PD_T_CONFIRM_FAIL_TITLE] = { "Address not confirmed", "Адрес не подтверждён" },
  [PD_T_CONFIRM_EXPIRED] = {
    "This link has expired. Ask Passport to send a new one.",
    "Срок действия ссылки истёк. Попросите Passport прислать новую.",
  },
  [PD_T_CONFIRM_USED] = {
    "This link was already used or replaced by a newer one. If the address is not confirmed yet, use the newest mail.",
    "Эта ссылка уже использована или заменена новой. Если адрес ещё не подтверждён, откройте самое новое письмо.",
  },
  [PD_T_CONFIRM_TAKEN] = {
    "Another account has bound this address in the meantime. Choose another address in Passport.",
    "Тем временем этот адрес привязала другая учётная запись. Выберите в Passport другой адрес.",
  },
  [PD_T_CONFIRM_INVALID] = {
    "This link is not valid. Check that you opened the whole link from the mail.",
    "Ссылка недействительна. Проверьте, что открыли её из письма целиком.",
  },
  [PD_T_MAIL_SUBJECT] = { "Confirm your e-mail address", "Подтвердите адрес электронной почты" },
  [PD_T_MAIL_BODY] = {
    "Hello,\n\nsomeone, probably you, asked to use this address for a Passport account.\n"
    "Open this link to confirm it:\n\n%s\n\n"
    "The link works once and expires on %s.\n"
    "If it was not you, ignore this mail: nothing changes without the link.\n",
    "Здравствуйте!\n\nКто-то, вероятно вы, указал этот адрес для учётной записи Passport.\n"
    "Чтобы подтвердить его, откройте ссылку:\n\n%s\n\n"
    "Ссылка действует один раз, до %s.\n"
    "Если это были не вы, не обращайте внимания на письмо: без ссылки ничего не изменится.\n",
  },
  [PD_T_OUTBOX_TITLE] = { "Outbox (development)", "Исходящие (для разработки)" },
  [PD_T_OUTBOX_EMPTY] = { "No mail has been sent yet.", "Писем пока не отправлено." },
  /* password reset: the contract's texts (section 7), word for word */
  [PD_T_RESET_MAIL_SUBJECT] = { "Reset your Passport password", "Сброс пароля Passport" },
  [PD_T_RESET_MAIL_BODY] = {
    "Someone (we hope you) asked to reset the password of the Passport account %s.\n"
    "To choose a new password, open this link within an hour:\n\n%s\n\n"
    "It works once, and only the newest link works.\n"
    "If it was not you, ignore this mail: your password stays as it is.\n",
    "Кто-то (надеемся, вы) попросил сбросить пароль учётной записи Passport %s.\n"
    "Чтобы задать новый пароль, откройте ссылку в течение часа:\n\n%s\n\n"
    "Она работает один раз, и действует только самая новая ссылка.\n"
    "Если это были не вы, не обращайте внимания на письмо: пароль останется прежним.\n",
  },
  [PD_T_RESET_TITLE] = { "Choose a new password", "Выберите новый пароль" },
  [PD_T_RESET_NEW_PASSWORD] = { "New password", "Новый пароль" },
  [PD_T_RESET_AGAIN] = { "Repeat the password", "Повторите пароль" },
  [PD_T_RESET_SAVE] = { "Save", "Сохранить" },
  [PD_T_RESET_CHANGED_TITLE] = { "Password changed", "Пароль изменён" },
  [PD_T_RESET_CHANGED] = {
    "Your password has been changed and all devices have been signed out. "
    "Return to the app and sign in with the new password.",
    "Пароль изменён, на всех устройствах выполнен выход. "
    "Вернитесь в приложение и войдите с новым паролем.",
  },
  [PD_T_RESET_DEAD_TITLE] = { "Link no longer works", "Ссылка больше не действует" },
  [PD_T_RESET_DEAD] = {
    "This link no longer works: a link works for an hour, once, and only the newest one. "
    "Ask for a new link in the app.",
    "Ссылка больше не действует: она работает час, один раз, и только самая новая. "
    "Запросите новую ссылку в приложении.",
  },
  [PD_T_WEAK_TOO_SHORT] = { "At least %s characters.", "Не короче %s символов." },
  [PD_T_WEAK_TOO_LONG] = { "Too long.", "Слишком длинный." },
  [PD_T_WEAK_TOO_COMMON] = { "This password is too common.", "Этот пароль слишком распространён." },
  [PD_T_WEAK_CONTAINS_EMAIL] = { "Must not contain your e-mail address.", "Не должен содержать ваш адрес e-mail." },
  [PD_T_WEAK_CONTAINS_NAME] = { "Must not contain your name.", "Не должен содержать ваше имя." },
  [PD_T_PASSWORD_MISMATCH] = { "The passwords do not match.", "Пароли не совпадают." },
  [PD_T_OTP_TITLE] = { "Two-step sign-in", "Двухэтапный вход" },
  [PD_T_OTP_INTRO] = {
    "This account has two-step sign-in. Enter the code from your authenticator app, or one of your recovery codes.",
    "Для этой учётной записи включён двухэтапный вход. Введите код из приложения-аутентификатора "
    "или один из кодов восстановления.",
  },
  [PD_T_OTP_CODE] = { "Code", "Код" },
  [PD_T_OTP_WRONG] = {
    "The code is not correct. Check it and try again.",
    "Код неверен. Проверьте его и попробуйте ещё раз.",
  },
  [PD_T_OTP_TOO_MANY] = {
    "Too many wrong codes or passwords. Try again later.",
    "Слишком много неверных кодов или паролей. Повторите попытку позже.",
  },
  [PD_T_DEVICE_TITLE] = { "Sign in on a device", "Вход на устройстве" },
  [PD_T_DEVICE_CODE_INTRO] = {
    "Enter the code that your device shows.",
    "Введите код, который показывает ваше устройство.",
  },
  [PD_T_DEVICE_CODE_WRONG] = {
    "This code is not valid or has expired. Check it and try again.",
    "Этот код неверен или устарел. Проверьте его и попробуйте ещё раз.",
  },
  [PD_T_DEVICE_CODE_TOO_MANY] = {
    "Too many wrong codes. Try again later.",
    "Слишком много неверных кодов. Повторите попытку позже.",
  },
  [PD_T_DEVICE_SIGN_IN_INTRO] = {
    "Sign in to the account that the device should use.",
    "Войдите в учётную запись, которой будет пользоваться устройство.",
  },
  [PD_T_DEVICE_PASSWORD] = { "Password", "Пароль" },
  [PD_T_DEVICE_SIGN_IN] = { "Sign in", "Войти" },
  [PD_T_DEVICE_OR_NETWORK] = { "Or sign in with a social network:", "Или войдите через социальную сеть:" },
  [PD_T_DEVICE_WRONG_PASSWORD] = {
    "The e-mail or password is not correct.",
    "Неверный адрес электронной почты или пароль.",
  },
  [PD_T_DEVICE_CONFIRM_INTRO] = {
    "%s asks to sign in to your account on a device.",
    "%s просит войти в вашу учётную запись на устройстве.",
  },
  [PD_T_DEVICE_NAME] = { "Device", "Устройство" },
  [PD_T_DEVICE_UNNAMED] = { "(no name given)", "(имя не указано)" },
  [PD_T_DEVICE_REQUESTED] = { "Requested", "Запрошено" },
  [PD_T_DEVICE_ACCOUNT] = { "Account", "Учётная запись" },
  [PD_T_DEVICE_WARNING] = {
    "Approve only if you started this yourself just now.",
    "Разрешайте, только если вы сами только что начали этот вход.",
  },
  [PD_T_DEVICE_APPROVE] = { "Approve", "Разрешить" },
  [PD_T_DEVICE_DENY] = { "Deny", "Запретить" },
  [PD_T_DEVICE_APPROVED] = {
    "Done: the device is signed in. You can close this page.",
    "Готово: устройство вошло в учётную запись. Эту страницу можно закрыть.",
  },
  [PD_T_DEVICE_DENIED] = {
    "Denied: the device will not be signed in. You can close this page.",
    "Вход запрещён: устройство не войдёт в учётную запись. Эту страницу можно закрыть.",
  },
  [PD_T_DEVICE_EXPIRED] = {
    "This request has expired or was already answered. Start again on the device.",
    "Срок этого запроса истёк, или на него уже ответили. Начните заново на устройстве.",
  },
  [PD_T_LINK_TITLE] = { "Link a sign-in method", "Привязка способа входа" },
  [PD_T_LINK_DONE] = {
    "%s is now linked to your account. You can return to the app.",
    "Вход через %s теперь привязан к вашей учётной записи. Можно вернуться в приложение.",
  },
  [PD_T_LINK_IN_USE] = {
    "This %s account already signs in to another Passport account. To link it here, "
    "unlink it from that account first, then try again.",
    "Этот аккаунт %s уже используется для входа в другую учётную запись Passport. Чтобы привязать "
    "его здесь, сначала отвяжите его от той учётной записи и попробуйте снова.",
  },
  [PD_T_LINK_ALREADY] = {
    "Your account already has a linked %s account. To link another one, unlink it in the app first.",
    "К вашей учётной записи уже привязан аккаунт %s. Чтобы привязать другой, сначала отвяжите его "
    "в приложении.",
  },
  [PD_T_LINK_CANCELLED] = {
    "Linking %s was cancelled: nothing has changed. You can return to the app.",
    "Привязка %s отменена, ничего не изменилось. Можно вернуться в приложение.",
  },
  [PD_T_LINK_DEAD] = {
    "This link no longer works: a link works once, for 10 minutes, and only the newest one. "
    "Start again in the app.",
    "Ссылка больше не действует: она работает один раз, 10 минут, и только самая новая. "
    "Начните заново в приложении.",
  },
};

const char *
pd_text (PdLang lang,
         PdText text)
{
  g_return_val_if_fail (text < PD_N_TEXTS, "");
  return texts[text][lang == PD_LANG_RU ? 1 : 0];
}

char *
pd_text_fill (PdLang      lang,
              PdText      text,
              const char *first,
              const char *second)
{
  const char *args[] = { first, second };
  const char *p = pd_text (lang, text);
  GString *out = g_string_new (NULL);
  guint n = 0;

  /* Substitutes "%s" in order, without handing a table string to printf. */
  for (const char *hole; (hole = strstr (p, "%s")) != NULL; p = hole + 2)
    {
      g_string_append_len (out, p, hole - p);
      if (n < G_N_ELEMENTS (args) && args[n] != NULL)
        g_string_append (out, args[n]);
      n++;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

char *
pd_text_date (PdLang lang,
              gint64 unix_seconds)
{
  static const char *const months[2][12] = {
    { "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
      "November", "December" },
    /* the genitive: "27 ноября" */
    { "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
      "ноября", "декабря" },
  };
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  /* As a reader writes it, the same in any locale: "27 November 2026, 10:43 UTC". */
  return g_strdup_printf ("%d %s %d, %02d:%02d UTC", g_date_time_get_day_of_month (time),
                          months[lang == PD_LANG_RU ? 1 : 0][g_date_time_get_month (time) - 1],
                          g_date_time_get_year (time), g_date_time_get_hour (time),
                          g_date_time_get_minute (time));
}
