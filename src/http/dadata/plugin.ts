import type { FastifyPluginAsync } from 'fastify';
import type { NumberService } from '../../services/numberService.js';
import type { ApiKeySet } from '../apiKeys.js';

export interface DadataOptions {
  readonly service: NumberService;
  readonly keys: ApiKeySet;
}

/** DaData `POST /api/v1/clean/phone` dialect (being written). */
export const dadataPlugin: FastifyPluginAsync<DadataOptions> = async () => {};
