export * from './common.ts';
export * from './regions.ts';
export * from './units.ts';
export * from './cadres.ts';
export * from './auth.ts';
export * from './targets.ts';
export * from './campaigns.ts';
