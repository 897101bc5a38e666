import type { ColumnType, Generated } from 'kysely';
import type { CalendarCadres, CalendarSchedule, CalendarTargets } from '../../contracts/calendar.ts';

// Kysely table types of migration 0009_calendar: the campaign calendar and notification channels.
type Json<T> = ColumnType<T, string, string>;

export interface CalendarEntriesTable {
  id: Generated<number>;
  campaign_id: number;
  name: string;
  kind: 'weekday' | 'month_day' | 'festival';
  schedule: Json<CalendarSchedule>;
  cadres: ColumnType<CalendarCadres, string | undefined, string>;
  targets: ColumnType<CalendarTargets | null, string | null | undefined, string | null>;
  description: Generated<string>;
  active: Generated<boolean>;
  sort: Generated<number>;
  version: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface NotificationChannelsTable {
  id: Generated<number>;
  kind: 'webhook';
  name: string;
  url: string;
  secret_enc: string;
  timeout_ms: Generated<number>;
  max_attempts: Generated<number>;
  active: Generated<boolean>;
  region_code: string | null;
  region_path: string | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface NotificationDeliveriesTable {
  id: Generated<string>;
  channel_id: number | null;
  channel_kind: string;
  event: string;
  dedupe_key: string | null;
  user_id: number | null;
  cadre_id: number | null;
  title: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: Generated<number>;
  http_status: number | null;
  error: string | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export interface CalendarTables {
  calendar_entries: CalendarEntriesTable;
  notification_channels: NotificationChannelsTable;
  notification_deliveries: NotificationDeliveriesTable;
}
