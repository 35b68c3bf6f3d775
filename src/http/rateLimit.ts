import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NuminfoError } from '../errors.js';
import { tokenOf } from './auth.js';

/**
 * Per-client request rate: a client is its API key when the request carries one (so many users
 * behind one NAT are not one client), else its address. Counters are per process; instances behind
 * a load balancer each count what they see. Health checks are never limited, so a load balancer
 * does not take a busy instance out of service.
 *
 * The refusal is a NuminfoError, so every dialect answers 429 RATE_LIMITED in its own envelope.
 */
export function registerRateLimit(app: FastifyInstance, perSecond: number): void {
  void app.register(rateLimit, {
    global: true,
    max: perSecond,
    timeWindow: 1000,
    keyGenerator: clientOf,
    allowList: (request) => request.url === '/healthz' || request.url.startsWith('/healthz?'),
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new NuminfoError(
          'RATE_LIMITED',
          `more than ${context.max} requests per second from this client; retry in ${context.after}`,
        ),
        // The plugin sends the status it finds here.
        { statusCode: 429 },
      ),
  });
}

function clientOf(request: FastifyRequest): string {
  const token = tokenOf(request);
  // Keyed by a hash, so the limiter's table never holds a usable token.
  return token === undefined
    ? `ip:${request.ip}`
    : `key:${createHash('sha256').update(token).digest('base64url')}`;
}
