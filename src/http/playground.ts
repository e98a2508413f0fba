import type { FastifyInstance } from 'fastify';

/** Placeholder: replaced by the offline playground. */
export function registerPlayground(_fastify: FastifyInstance, _options: { endpoint: string }): void {}
