import type { FastifyPluginAsync } from 'fastify';
import type { NumberService } from '../../services/numberService.js';
import type { ApiKeySet } from '../apiKeys.js';

export interface AhunterOptions {
  readonly service: NumberService;
  readonly keys: ApiKeySet;
}

/** ahunter `GET /site/cleanse/phone` dialect (being written). */
export const ahunterPlugin: FastifyPluginAsync<AhunterOptions> = async () => {};
