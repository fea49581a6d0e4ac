// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#ifdef G_OS_UNIX
#include <sys/file.h>
#include <unistd.h>
#endif
#ifdef G_OS_WIN32
#include <io.h>
#include <windows.h>
/* Not inherited by child processes, as O_CLOEXEC on Unix. */
#define O_CLOEXEC O_NOINHERIT
#endif

#include "passport-refresh-lock.h"

#define GIVE_UP_SECONDS 15
#define POLL_MS 20

struct _PassportRefreshLock
{
  int fd;
};

void
passport_refresh_lock_release (PassportRefreshLock *lock)
{
  if (lock == NULL)
    return;
  /* Closing the descriptor drops the lock (flock, or LockFileEx's). */
  if (lock->fd >= 0)
    g_close (lock->fd, NULL);
  g_free (lock);
}

static char *
lock_path (const char *key)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strdup_printf ("refresh-%.32s.lock", hash);

  const char *flatpak_id = g_getenv ("FLATPAK_ID");

  /* Inside Flatpak each instance has a runtime directory of its own; only
   * the app's subdirectory is shared by its instances (the app and its
   * passportctl), so the lock is kept there. */
  if (flatpak_id != NULL && *flatpak_id != '\0' && strchr (flatpak_id, '/') == NULL &&
      !g_str_equal (flatpak_id, ".") && !g_str_equal (flatpak_id, ".."))
    return g_build_filename (g_get_user_runtime_dir (), "app", flatpak_id, "passport", name, NULL);
  return g_build_filename (g_get_user_runtime_dir (), "passport", name, NULL);
}

/* Takes the lock on @fd without waiting: TRUE when had; FALSE with *@busy
 * when another process holds it, FALSE alone when locking fails. */
static gboolean
try_lock (int       fd,
          gboolean *busy)
{
#ifdef G_OS_WIN32
  HANDLE handle = (HANDLE) _get_osfhandle (fd);
  OVERLAPPED overlapped = { 0 };

  if (LockFileEx (handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &overlapped))
    return TRUE;
  *busy = GetLastError () == ERROR_LOCK_VIOLATION;
  if (!*busy)
    g_debug ("refresh lock failed: LockFileEx error %lu", (unsigned long) GetLastError ());
  return FALSE;
#else
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    return TRUE;
  *busy = errno == EWOULDBLOCK || errno == EINTR;
  if (!*busy)
    g_debug ("refresh lock failed: %s", g_strerror (errno));
  return FALSE;
#endif
}

static void
acquire_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autofree char *path = lock_path (task_data);
  g_autofree char *dir = g_path_get_dirname (path);
  gint64 give_up = g_get_monotonic_time () + GIVE_UP_SECONDS * G_USEC_PER_SEC;
  PassportRefreshLock *lock;
  gboolean busy = FALSE;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      (fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      g_debug ("no refresh lock (%s): %s", path, g_strerror (errno));
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  while (!try_lock (fd, &busy))
    {
      if (!busy)
        {
          g_close (fd, NULL);
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
      if (g_task_return_error_if_cancelled (task))
        {
          g_close (fd, NULL);
          return;
        }
      if (g_get_monotonic_time () > give_up)
        {
          g_debug ("refresh lock held elsewhere for %d s; going on without it", GIVE_UP_SECONDS);
          g_close (fd, NULL);
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
      g_usleep (POLL_MS * 1000);
    }

  lock = g_new0 (PassportRefreshLock, 1);
  lock->fd = fd;
  g_task_return_pointer (task, lock, (GDestroyNotify) passport_refresh_lock_release);
}

void
passport_refresh_lock_acquire_async (const char          *key,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (key != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_refresh_lock_acquire_async);
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_task_run_in_thread (task, acquire_thread);
}

PassportRefreshLock *
passport_refresh_lock_acquire_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
