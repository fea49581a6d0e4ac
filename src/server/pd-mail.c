// SPDX-License-Identifier: GPL-3.0-or-later
//
// Mail: every message becomes an RFC 5322 file in a Maildir (tmp/ → new/),
// and goes to an SMTP relay too when one is configured. The Maildir is the
// record the tests and the demo's outbox read.
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pd.h"

gboolean
pd_maildir_prepare (const char  *maildir,
                    GError     **error)
{
  const char *subdirs[] = { "tmp", "new", "cur" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (maildir, subdirs[i], NULL);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "cannot create the Maildir %s: %s", dir, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

static char *
mail_host (Pd *pd)
{
  g_autoptr(GUri) uri = g_uri_parse (pd->public_url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri ? g_uri_get_host (uri) : NULL;

  return g_strdup (host != NULL && strchr (host, ':') == NULL ? host : "localhost");
}

static char *
encode_header_word (const char *text)
{
  g_autofree char *b64 = NULL;

  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      {
        b64 = g_base64_encode ((const guchar *) text, strlen (text));
        return g_strdup_printf ("=?UTF-8?B?%s?=", b64);
      }
  return g_strdup (text);
}

/* SMTP relay ---------------------------------------------------------------- */

typedef struct
{
  char *relay;
  char *from;
  char *to;
  char *message;
} SmtpJob;

static void
smtp_job_free (SmtpJob *job)
{
  g_free (job->relay);
  g_free (job->from);
  g_free (job->to);
  if (job->message != NULL)
    explicit_bzero (job->message, strlen (job->message));
  g_free (job->message);
  g_free (job);
}

static gboolean
smtp_expect (GDataInputStream *in,
             const char       *code,
             GError          **error)
{
  /* Multi-line replies repeat the code with '-' until the last line. */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, error);
      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the relay closed the connection");
          return FALSE;
        }
      if (strlen (line) < 4 || strncmp (line, code, 3) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the relay answered %.3s, not %s", line, code);
          return FALSE;
        }
      if (line[3] != '-')
        return TRUE;
    }
}

static gboolean
smtp_send (GOutputStream    *out,
           GDataInputStream *in,
           const char       *line,
           const char       *expect,
           GError          **error)
{
  g_autofree char *crlf = g_strconcat (line, "\r\n", NULL);

  return g_output_stream_write_all (out, crlf, strlen (crlf), NULL, NULL, error) &&
         smtp_expect (in, expect, error);
}

static gboolean
smtp_deliver (SmtpJob       *job,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *mail_from = g_strdup_printf ("MAIL FROM:<%s>", job->from);
  g_autofree char *rcpt_to = g_strdup_printf ("RCPT TO:<%s>", job->to);
  g_auto(GStrv) lines = NULL;
  GOutputStream *out;

  g_socket_client_set_timeout (client, 30);
  conn = g_socket_client_connect_to_host (client, job->relay, 25, cancellable, error);
  if (conn == NULL)
    return FALSE;

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  /* Dot-stuffing and CRLF line ends (RFC 5321 §4.5.2). */
  lines = g_strsplit (job->message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i + 1] == NULL && lines[i][0] == '\0')
        break;
      if (lines[i][0] == '.')
        g_string_append_c (body, '.');
      g_string_append (body, lines[i]);
      g_string_append (body, "\r\n");
    }
  g_string_append (body, ".");

  if (!smtp_expect (in, "220", error) ||
      !smtp_send (out, in, "EHLO passportd", "250", error) ||
      !smtp_send (out, in, mail_from, "250", error) ||
      !smtp_send (out, in, rcpt_to, "250", error) ||
      !smtp_send (out, in, "DATA", "354", error) ||
      !smtp_send (out, in, body->str, "250", error))
    return FALSE;

  smtp_send (out, in, "QUIT", "221", NULL);
  return TRUE;
}

static void
smtp_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (smtp_deliver (data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
smtp_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("the SMTP relay did not take the mail: %s", error->message);
  else
    g_info ("mail handed to the SMTP relay");
}

/* A mail to @to: into the Maildir, then to the relay when there is one.
 * @body (holding a link) is wiped by the caller. */
static gboolean
send_mail (Pd          *pd,
           const char  *account_id,
           const char  *to,
           PdText       subject_text,
           const char  *body,
           PdLang       lang,
           GError     **error)
{
  g_autofree char *host = mail_host (pd);
  g_autofree char *subject = encode_header_word (pd_text (lang, subject_text));
  g_autofree char *random = pd_random_token (12);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (pd_now ());
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S +0000");
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *from = g_strdup_printf ("no-reply@%s", host);

  /* The C locale names days and months in English, as RFC 5322 wants. */
  message = g_strdup_printf ("From: Passport <%s>\n"
                             "To: %s\n"
                             "Subject: %s\n"
                             "Date: %s\n"
                             "Message-ID: <%s@%s>\n"
                             "MIME-Version: 1.0\n"
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: 8bit\n"
                             "Content-Language: %s\n"
                             "X-Passport-Account: %s\n"
                             "\n"
                             "%s",
                             from, to, subject, date, random, host, pd_lang_code (lang),
                             account_id, body);

  name = g_strdup_printf ("%" G_GINT64_FORMAT ".P%dQ%" G_GUINT64_FORMAT ".passportd",
                          g_get_real_time () / G_USEC_PER_SEC, (int) getpid (), ++pd->mail_counter);
  tmp_path = g_build_filename (pd->maildir, "tmp", name, NULL);
  new_path = g_build_filename (pd->maildir, "new", name, NULL);

  if (!g_file_set_contents_full (tmp_path, message, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  if (g_rename (tmp_path, new_path) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot move the mail into new/: %s", g_strerror (errno));
      g_unlink (tmp_path);
      return FALSE;
    }
  g_info ("mail written to the Maildir");

  if (pd->smtp != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, smtp_done, NULL);
      SmtpJob *job = g_new0 (SmtpJob, 1);

      job->relay = g_strdup (pd->smtp);
      job->from = g_strdup (from);
      job->to = g_strdup (to);
      job->message = g_steal_pointer (&message);
      g_task_set_task_data (task, job, (GDestroyNotify) smtp_job_free);
      g_task_run_in_thread (task, smtp_thread);
    }

  if (message != NULL)
    explicit_bzero (message, strlen (message));
  return TRUE;
}

/* Confirmation mail -------------------------------------------------------- */

gboolean
pd_mail_send_confirmation (Pd          *pd,
                           const char  *account_id,
                           const char  *to,
                           const char  *link,
                           PdLang       lang,
                           GError     **error)
{
  g_autofree char *expires = pd_text_date (lang, pd_now () + pd->confirm_ttl);
  g_autofree char *body = pd_text_fill (lang, PD_T_MAIL_BODY, link, expires);
  gboolean sent = send_mail (pd, account_id, to, PD_T_MAIL_SUBJECT, body, lang, error);

  explicit_bzero (body, strlen (body));
  return sent;
}

/* Password reset mail (section 7) ------------------------------------------- */

gboolean
pd_mail_send_reset (Pd          *pd,
                    const char  *account_id,
                    const char  *to,
                    const char  *link,
                    PdLang       lang,
                    GError     **error)
{
  g_autofree char *body = pd_text_fill (lang, PD_T_RESET_MAIL_BODY, to, link);
  gboolean sent = send_mail (pd, account_id, to, PD_T_RESET_MAIL_SUBJECT, body, lang, error);

  explicit_bzero (body, strlen (body));
  return sent;
}

/* The development outbox ----------------------------------------------------- */

typedef struct
{
  gint64 mtime;
  char *path;
} OutboxEntry;

static int
outbox_entry_cmp (gconstpointer a,
                  gconstpointer b)
{
  const OutboxEntry *x = a, *y = b;

  if (x->mtime != y->mtime)
    return x->mtime > y->mtime ? -1 : 1;
  return g_strcmp0 (y->path, x->path);
}

static char *
decode_header_word (const char *value)
{
  if (g_str_has_prefix (value, "=?UTF-8?B?") && g_str_has_suffix (value, "?="))
    {
      g_autofree char *b64 = g_strndup (value + 10, strlen (value) - 12);
      gsize len;
      g_autofree guchar *raw = g_base64_decode (b64, &len);
      if (g_utf8_validate ((const char *) raw, len, NULL))
        return g_strndup ((const char *) raw, len);
    }
  return g_strdup (value);
}

void
pd_handle_outbox (Pd                *pd,
                  SoupServerMessage *msg)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (OutboxEntry));
  g_autoptr(GString) b = g_string_new (NULL);
  g_autofree char *page = NULL;
  const char *subdirs[] = { "new", "cur" };

  for (guint d = 0; d < G_N_ELEMENTS (subdirs); d++)
    {
      g_autofree char *dir_path = g_build_filename (pd->maildir, subdirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          OutboxEntry e;
          GStatBuf st;

          e.path = g_build_filename (dir_path, name, NULL);
          e.mtime = g_stat (e.path, &st) == 0 ? (gint64) st.st_mtime : 0;
          g_array_append_val (entries, e);
        }
    }
  g_array_sort (entries, outbox_entry_cmp);

  if (entries->len == 0)
    {
      g_string_append (b, "<p>");
      pd_html_escape (b, pd_text (lang, PD_T_OUTBOX_EMPTY));
      g_string_append (b, "</p>");
    }

  for (guint i = 0; i < entries->len && i < 100; i++)
    {
      OutboxEntry *e = &g_array_index (entries, OutboxEntry, i);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      gboolean in_body = FALSE;

      if (!g_file_get_contents (e->path, &text, NULL, NULL) || !g_utf8_validate (text, -1, NULL))
        continue;

      g_string_append (b, "<section class=\"mail\"><dl>");
      lines = g_strsplit (text, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        {
          const char *line = lines[j];

          if (!in_body)
            {
              if (*line == '\0')
                {
                  in_body = TRUE;
                  g_string_append (b, "</dl><p>");
                  continue;
                }
              if (g_str_has_prefix (line, "To: ") || g_str_has_prefix (line, "Subject: ") ||
                  g_str_has_prefix (line, "Date: "))
                {
                  const char *colon = strchr (line, ':');
                  g_autofree char *key = g_strndup (line, colon - line);
                  g_autofree char *value = decode_header_word (colon + 2);
                  g_string_append (b, "<dt>");
                  pd_html_escape (b, key);
                  g_string_append (b, "</dt><dd>");
                  pd_html_escape (b, value);
                  g_string_append (b, "</dd>");
                }
              continue;
            }

          if (g_str_has_prefix (line, pd->public_url))
            {
              g_string_append (b, "<a class=\"confirm-link\" href=\"");
              pd_html_escape (b, line);
              g_string_append (b, "\">");
              pd_html_escape (b, line);
              g_string_append (b, "</a><br>");
            }
          else
            {
              pd_html_escape (b, line);
              g_string_append (b, "<br>");
            }
        }
      g_string_append (b, "</p></section><hr>\n");
    }

  for (guint i = 0; i < entries->len; i++)
    g_free (g_array_index (entries, OutboxEntry, i).path);

  page = pd_html_page (lang, pd_text (lang, PD_T_OUTBOX_TITLE), b->str);
  pd_respond_html (msg, SOUP_STATUS_OK, page);
}
