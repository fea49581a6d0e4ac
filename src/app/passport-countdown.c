// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>

#include "passport-countdown.h"

struct _PassportCountdown
{
  GObject    parent_instance;

  GtkWidget *widget;        /* weak: ticks only while it is mapped */
  gint64     deadline;
  guint      seconds_left;
  guint      tick_id;
};

G_DEFINE_FINAL_TYPE (PassportCountdown, passport_countdown, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DEADLINE,
  PROP_SECONDS_LEFT,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint
passport_countdown_seconds_between (gint64 now,
                                    gint64 deadline)
{
  if (deadline <= 0 || deadline <= now)
    return 0;
  return (guint) MIN ((deadline - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, G_MAXUINT);
}

char *
passport_countdown_format_seconds (guint                  seconds,
                                   PassportCountdownStyle style)
{
  guint minutes = seconds / 60 + (seconds % 60 != 0);
  guint hours = seconds / 3600 + (seconds % 3600 != 0);

  if (style == PASSPORT_COUNTDOWN_CLOCK)
    {
      if (seconds >= 3600)
        return g_strdup_printf ("%u:%02u:%02u", seconds / 3600, seconds / 60 % 60, seconds % 60);
      return g_strdup_printf ("%u:%02u", seconds / 60, seconds % 60);
    }

  /* Larger units rounded up: the wait is never said to be shorter than it
   * is, and nobody counts 882 seconds (finding 13). */
  if (seconds < 60)
    {
      /* Translators: a wait, used after "in" ("Resend in %s"): in Russian the
       * accusative, as after "через" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds), seconds);
    }
  if (minutes < 60)
    {
      /* Translators: a wait, used after "in" ("Try again in %s"): in Russian
       * the accusative, as after "через" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", minutes), minutes);
    }
  /* Translators: a wait, used after "in" ("Try again in %s"): in Russian
   * the accusative, as after "через" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", hours), hours);
}

static gboolean tick_cb (gpointer data);

/* Takes the seconds left afresh, and ticks again when the rounded-up count
 * next drops, if the deadline is still ahead and the widget is shown. */
static void
refresh (PassportCountdown *self)
{
  gint64 now = g_get_monotonic_time ();
  guint left = passport_countdown_seconds_between (now, self->deadline);
  gboolean was_running = self->seconds_left > 0;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (left > 0 && self->widget != NULL && gtk_widget_get_mapped (self->widget))
    {
      /* In (0, 1 s]: the count drops once the deadline is left - 1 s away. */
      gint64 until = self->deadline - now - (gint64) (left - 1) * G_USEC_PER_SEC;

      self->tick_id = g_timeout_add ((guint) ((until + 999) / 1000), tick_cb, self);
    }

  if (self->seconds_left == left)
    return;
  self->seconds_left = left;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
  if (was_running != (left > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static gboolean
tick_cb (gpointer data)
{
  PassportCountdown *self = data;

  self->tick_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

PassportCountdown *
passport_countdown_new (GtkWidget *widget)
{
  PassportCountdown *self;

  g_return_val_if_fail (widget == NULL || GTK_IS_WIDGET (widget), NULL);

  self = g_object_new (PASSPORT_TYPE_COUNTDOWN, NULL);
  if (widget != NULL)
    {
      self->widget = widget;
      g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);
      /* Shown again: the count is taken afresh; hidden: no more ticks. */
      g_signal_connect_object (widget, "map", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (widget, "unmap", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
    }
  return self;
}

gint64
passport_countdown_get_deadline (PassportCountdown *self)
{
  g_return_val_if_fail (PASSPORT_IS_COUNTDOWN (self), 0);
  return self->deadline;
}

void
passport_countdown_set_deadline (PassportCountdown *self,
                                 gint64             deadline)
{
  g_return_if_fail (PASSPORT_IS_COUNTDOWN (self));

  deadline = MAX (deadline, 0);
  if (self->deadline == deadline)
    return;
  self->deadline = deadline;
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE]);
}

guint
passport_countdown_get_seconds_left (PassportCountdown *self)
{
  g_return_val_if_fail (PASSPORT_IS_COUNTDOWN (self), 0);
  return self->seconds_left;
}

gboolean
passport_countdown_get_running (PassportCountdown *self)
{
  g_return_val_if_fail (PASSPORT_IS_COUNTDOWN (self), FALSE);
  return self->seconds_left > 0;
}

char *
passport_countdown_format (PassportCountdown      *self,
                           PassportCountdownStyle  style)
{
  g_return_val_if_fail (PASSPORT_IS_COUNTDOWN (self), NULL);
  return passport_countdown_format_seconds (self->seconds_left, style);
}

static void
passport_countdown_dispose (GObject *object)
{
  PassportCountdown *self = PASSPORT_COUNTDOWN (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->widget != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->widget, self);
      g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
      self->widget = NULL;
    }

  G_OBJECT_CLASS (passport_countdown_parent_class)->dispose (object);
}

static void
passport_countdown_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PassportCountdown *self = PASSPORT_COUNTDOWN (object);

  switch (prop_id)
    {
    case PROP_DEADLINE:
      g_value_set_int64 (value, self->deadline);
      break;
    case PROP_SECONDS_LEFT:
      g_value_set_uint (value, self->seconds_left);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->seconds_left > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_countdown_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PassportCountdown *self = PASSPORT_COUNTDOWN (object);

  switch (prop_id)
    {
    case PROP_DEADLINE:
      passport_countdown_set_deadline (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_countdown_class_init (PassportCountdownClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = passport_countdown_dispose;
  object_class->get_property = passport_countdown_get_property;
  object_class->set_property = passport_countdown_set_property;

  properties[PROP_DEADLINE] = g_param_spec_int64 ("deadline", NULL, NULL, 0, G_MAXINT64, 0,
                                                  flags | G_PARAM_READWRITE);
  properties[PROP_SECONDS_LEFT] = g_param_spec_uint ("seconds-left", NULL, NULL, 0, G_MAXUINT, 0,
                                                     flags | G_PARAM_READABLE);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags | G_PARAM_READABLE);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_countdown_init (PassportCountdown *self)
{
}
