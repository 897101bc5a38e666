import { resolve } from 'node:path';
import { z } from 'zod';

// Every setting Lianxin reads from the environment, validated once at start-up.
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LIANXIN_DATA_DIR: z.string().min(1).default('./data'),
  // 32 bytes, base64. When unset, a key file is created in the data directory.
  LIANXIN_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64')
    .optional(),
  LIANXIN_ADMIN_PASSWORD: z.string().optional(),
  LIANXIN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  LIANXIN_LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  LIANXIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  LIANXIN_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  // Rows one Excel export may have: office roles (admin, leadership, supervisor), unit accounts, cadres.
  LIANXIN_EXPORT_MAX_ROWS: z.coerce.number().int().min(1).default(200_000),
  LIANXIN_EXPORT_MAX_ROWS_UNIT: z.coerce.number().int().min(1).default(50_000),
  LIANXIN_EXPORT_MAX_ROWS_CADRE: z.coerce.number().int().min(1).default(5_000),
  // Set when behind a reverse proxy, so X-Forwarded-For gives the client address for the audit log.
  LIANXIN_TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LIANXIN_SECURE_COOKIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LIANXIN_PHOTO_MAX_BYTES: z.coerce.number().int().min(1024).default(15 * 1024 * 1024),
  // Integrity checks (防形式主义): thresholds for flagging, never for blocking.
  LIANXIN_INTEGRITY_MAX_DISTANCE_M: z.coerce.number().int().min(10).default(3000),
  LIANXIN_INTEGRITY_MAX_SPEED_KMH: z.coerce.number().min(1).default(80),
  LIANXIN_INTEGRITY_LATE_DAYS: z.coerce.number().int().min(1).default(7),
  LIANXIN_INTEGRITY_BURST_COUNT: z.coerce.number().int().min(2).default(5),
  LIANXIN_INTEGRITY_BURST_MINUTES: z.coerce.number().int().min(1).default(30),
  // How often the server checks new and changed records in the background; 0 = never (tests drain the queue themselves).
  LIANXIN_INTEGRITY_INTERVAL_MS: z.coerce.number().int().min(0).default(500),
  // How often the ticket supervision scheduler (督办) runs its pass; 0 = never (tests run passes themselves).
  LIANXIN_TICKET_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000).refine((v) => v === 0 || v >= 1000, 'must be 0 (off) or at least 1000'),
  // A resolved ticket nobody rated is closed as unrated after this many working days; 0 = never.
  LIANXIN_TICKET_UNRATED_CLOSE_DAYS: z.coerce.number().int().min(0).max(365).default(10),
  // How often each server process recounts the compliance that written records touched (and once a day refreshes open windows); 0 = never (tests drain themselves).
  LIANXIN_COMPLIANCE_INTERVAL_MS: z.coerce.number().int().min(0).default(500),
  // How often each server process tries to claim today's calendar digest (每日提醒); 0 = never (tests run it themselves).
  LIANXIN_CALENDAR_DIGEST_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000).refine((v) => v === 0 || v >= 1000, 'must be 0 (off) or at least 1000'),
  // The digest goes out at the first try after this hour, China time (0–23).
  LIANXIN_CALENDAR_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  // The digest names holiday visits whose window falls within this many days.
  LIANXIN_CALENDAR_HOLIDAY_DAYS: z.coerce.number().int().min(1).max(60).default(7),
  // 双评 inflation flags: more responses than this from one device (or one /24 network) in a round,
  // or this many identical all-满意 responses for one subject within the minutes given.
  LIANXIN_SURVEY_DEVICE_MAX: z.coerce.number().int().min(1).default(3),
  LIANXIN_SURVEY_NETWORK_MAX: z.coerce.number().int().min(1).default(20),
  LIANXIN_SURVEY_BURST_COUNT: z.coerce.number().int().min(2).default(5),
  LIANXIN_SURVEY_BURST_MINUTES: z.coerce.number().int().min(1).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  encryptionKey: string | undefined;
  adminPassword: string | undefined;
  sessionIdleMinutes: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
  uploadMaxBytes: number;
  exportMaxRows: number;
  /** Per role tier; see exportLimitFor in src/features/exports/stream.ts. */
  exportLimits: { office: number; unit: number; cadre: number };
  secureCookies: boolean;
  trustProxy: boolean;
  logLevel: string;
  photoMaxBytes: number;
  integrity: IntegrityThresholds;
  integrityIntervalMs: number;
  ticketSchedulerIntervalMs: number;
  ticketUnratedCloseDays: number;
  complianceIntervalMs: number;
  calendarDigestIntervalMs: number;
  calendarDigestHour: number;
  calendarHolidayDays: number;
  survey: SurveyThresholds;
};

export type SurveyThresholds = {
  /** More responses than this from one device in a round are flagged. */
  deviceMax: number;
  /** More responses than this from one /24 (IPv6 /64) network in a round are flagged. */
  networkMax: number;
  /** This many identical all-满意 responses for one subject within burstMinutes are flagged. */
  burstCount: number;
  burstMinutes: number;
};

export type IntegrityThresholds = {
  /** A GPS fix farther than this from the target's position is flagged. */
  maxDistanceMeters: number;
  /** Faster than this between two of one cadre's records is not a journey anyone made. */
  maxSpeedKmh: number;
  /** Entered more than this many days after it happened. */
  lateDays: number;
  /** This many back-dated records entered by one person within burstMinutes is a burst. */
  burstCount: number;
  burstMinutes: number;
};

export class ConfigError extends Error {}

/** Reads the whole environment and reports every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: resolve(e.LIANXIN_DATA_DIR),
    encryptionKey: e.LIANXIN_ENCRYPTION_KEY,
    adminPassword: e.LIANXIN_ADMIN_PASSWORD,
    sessionIdleMinutes: e.LIANXIN_SESSION_IDLE_MINUTES,
    lockoutAttempts: e.LIANXIN_LOCKOUT_ATTEMPTS,
    lockoutMinutes: e.LIANXIN_LOCKOUT_MINUTES,
    uploadMaxBytes: e.LIANXIN_UPLOAD_MAX_BYTES,
    exportMaxRows: e.LIANXIN_EXPORT_MAX_ROWS,
    exportLimits: { office: e.LIANXIN_EXPORT_MAX_ROWS, unit: e.LIANXIN_EXPORT_MAX_ROWS_UNIT, cadre: e.LIANXIN_EXPORT_MAX_ROWS_CADRE },
    secureCookies: e.LIANXIN_SECURE_COOKIES,
    trustProxy: e.LIANXIN_TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    photoMaxBytes: e.LIANXIN_PHOTO_MAX_BYTES,
    integrity: {
      maxDistanceMeters: e.LIANXIN_INTEGRITY_MAX_DISTANCE_M,
      maxSpeedKmh: e.LIANXIN_INTEGRITY_MAX_SPEED_KMH,
      lateDays: e.LIANXIN_INTEGRITY_LATE_DAYS,
      burstCount: e.LIANXIN_INTEGRITY_BURST_COUNT,
      burstMinutes: e.LIANXIN_INTEGRITY_BURST_MINUTES,
    },
    integrityIntervalMs: e.LIANXIN_INTEGRITY_INTERVAL_MS,
    ticketSchedulerIntervalMs: e.LIANXIN_TICKET_SCHEDULER_INTERVAL_MS,
    ticketUnratedCloseDays: e.LIANXIN_TICKET_UNRATED_CLOSE_DAYS,
    complianceIntervalMs: e.LIANXIN_COMPLIANCE_INTERVAL_MS,
    calendarDigestIntervalMs: e.LIANXIN_CALENDAR_DIGEST_INTERVAL_MS,
    calendarDigestHour: e.LIANXIN_CALENDAR_DIGEST_HOUR,
    calendarHolidayDays: e.LIANXIN_CALENDAR_HOLIDAY_DAYS,
    survey: {
      deviceMax: e.LIANXIN_SURVEY_DEVICE_MAX,
      networkMax: e.LIANXIN_SURVEY_NETWORK_MAX,
      burstCount: e.LIANXIN_SURVEY_BURST_COUNT,
      burstMinutes: e.LIANXIN_SURVEY_BURST_MINUTES,
    },
  };
}
