import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registerActivityRoutes } from '../features/activities/routes.ts';
import { registerAuditRoutes } from '../features/audit/routes.ts';
import { registerAuthRoutes } from '../features/auth/routes.ts';
import { registerCadreRoutes } from '../features/cadres/routes.ts';
import { registerCampaignRoutes } from '../features/campaigns/routes.ts';
import { registerCoverageRoutes } from '../features/coverage/routes.ts';
import { registerIntegrityRoutes } from '../features/integrity/routes.ts';
import { registerPlannerRoutes } from '../features/planner/routes.ts';
import { registerPairingRoutes } from '../features/pairings/routes.ts';
import { registerRegionRoutes } from '../features/regions/routes.ts';
import { registerTargetRoutes } from '../features/targets/routes.ts';
import { registerUnitRoutes } from '../features/units/routes.ts';
import { registerDueRoutes } from '../features/due/routes.ts';
import { registerWritingRoutes } from '../features/writings/routes.ts';
import { registerMatterRoutes } from '../features/matters/routes.ts';
import { registerCommitmentRoutes } from '../features/commitments/routes.ts';
import { registerTicketRoutes } from '../features/tickets/routes.ts';
import { registerTicketExtraRoutes } from '../features/tickets/extra-routes.ts';
import { registerTicketScheduler } from '../features/tickets/scheduler.ts';
import { registerNotificationRoutes } from '../features/notifications/routes.ts';
import { registerCalendarRoutes } from '../features/calendar/routes.ts';
import { registerCalendarDigest } from '../features/calendar/digest.ts';
import { registerPhotoRoutes } from '../features/photos/routes.ts';
import { registerOpen311Routes } from '../features/open311/routes.ts';
import { registerSurveyRoutes } from '../features/surveys/routes.ts';
import { registerAssessmentRoutes } from '../features/assessments/routes.ts';
import { registerComplianceRoutes } from '../features/compliance/routes.ts';
import { registerExportRoutes } from '../features/exports/routes.ts';
import { registerDashboardRoutes } from '../features/statistics/dashboard-routes.ts';
import { registerStatisticsRoutes } from '../features/statistics/routes.ts';
import { registerBulletinRoutes } from '../features/bulletins/routes.ts';
import { registerComplianceScheduler } from '../features/compliance/scheduler.ts';
import { registerAuthHook } from './auth.ts';
import { errorHandler } from './errors.ts';
import type { App, AppDeps } from './types.ts';

const webDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The URL as the request log writes it: a phone number in the query string (the hotline's
 * duplicate search, `?phone=13957412345`) is masked, so the logs hold no personal data.
 */
export const logSafeUrl = (url: string) =>
  url.replace(/([?&]phone=)([^&#]*)/gi, (_m, key: string, value: string) => `${key}${value.length > 4 ? `****${value.slice(-4)}` : '****'}`);

/** Assembles the server. The list of features registered here is the architecture. */
export async function buildApp(deps: AppDeps, opts: { logger?: boolean } = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger === false ? false : {
      level: deps.config.logLevel,
      serializers: { req: (req) => ({ method: req.method, url: logSafeUrl(req.url), remoteAddress: req.ip }) },
    },
    bodyLimit: 1024 * 1024,
    trustProxy: deps.config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: deps.config.uploadMaxBytes, files: 1, fields: 10 }, throwFileSizeLimit: true });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Lianxin 连心 API', version: '1.0.0', description: '干部下基层、联系服务群众平台 API. Errors: { "error": { "code", "message", "details" } }.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'lx_session' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  registerAuthHook(app, deps.db, deps.config);

  app.get('/api/health', { config: { public: true }, schema: { tags: ['meta'], response: { 200: z.object({ status: z.literal('ok'), database: z.string() }) } } }, async () => {
    await deps.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
    return { status: 'ok' as const, database: deps.config.databaseUrl ? 'postgres' : 'pglite' };
  });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerAuthRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerRegionRoutes(app, deps);
  registerUnitRoutes(app, deps);
  registerCadreRoutes(app, deps);
  registerCampaignRoutes(app, deps);
  registerPairingRoutes(app, deps);
  registerTargetRoutes(app, deps);
  registerCoverageRoutes(app, deps);
  registerPlannerRoutes(app, deps);
  registerIntegrityRoutes(app, deps);
  registerActivityRoutes(app, deps);
  registerWritingRoutes(app, deps);
  registerDueRoutes(app, deps);
  registerPhotoRoutes(app, deps);
  registerMatterRoutes(app, deps);
  registerCommitmentRoutes(app, deps);
  registerOpen311Routes(app, deps);
  registerTicketRoutes(app, deps);
  registerTicketExtraRoutes(app, deps);
  registerTicketScheduler(app, deps);
  registerNotificationRoutes(app, deps);
  registerCalendarRoutes(app, deps);
  registerCalendarDigest(app, deps);
  registerSurveyRoutes(app, deps);
  registerAssessmentRoutes(app, deps);
  registerComplianceRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerStatisticsRoutes(app, deps);
  registerDashboardRoutes(app, deps);
  registerBulletinRoutes(app, deps);
  registerComplianceScheduler(app, deps);

  // The web app, built by Vite; any other non-API path is a client-side route.
  // Files are looked up per request (wildcard), so a rebuild of the web app needs no restart.
  const indexFile = `${webDist}index.html`;
  // The field view's service worker, its Workbox runtime and the manifest must be revalidated on
  // every load, or phones keep an old app shell after a deploy.
  const revalidate = /(?:^|[\\/])(?:sw\.js|workbox-[\w-]+\.js|manifest\.webmanifest|index\.html)$/;
  await app.register(fastifyStatic, {
    root: webDist, index: ['index.html'], wildcard: true, serve: existsSync(webDist),
    setHeaders: (reply, path) => {
      if (revalidate.test(path)) reply.header('cache-control', 'no-cache');
    },
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/') && existsSync(indexFile)) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(indexFile));
    }
    return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `没有这个地址：${request.method} ${request.url.split('?')[0]}` } });
  });
  return app;
}
