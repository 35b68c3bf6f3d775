import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NuminfoError } from '../../errors.js';
import { checkPeriod, checkQuota, type KeyService } from '../../services/keys/keyService.js';
import { keyView } from '../../services/keys/keyView.js';
import type { HttpAuth } from '../auth.js';

export interface KeysRoutesOptions {
  readonly auth: HttpAuth;
  readonly now?: () => number;
}

const CREATE_FIELDS = new Set(['name', 'role', 'quota', 'period']);
const QUOTA_FIELDS = new Set(['quota', 'period']);

function objectBody(
  request: FastifyRequest,
  fields: ReadonlySet<string>,
  shape: string,
): Record<string, unknown> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new NuminfoError('BAD_REQUEST', `body must be a JSON object: ${shape}`);
  for (const name of Object.keys(body))
    if (!fields.has(name))
      throw new NuminfoError('BAD_REQUEST', `unknown field "${name}"; expected ${shape}`);
  return body as Record<string, unknown>;
}

function idParam(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

/**
 * Key administration, admin keys only (or anyone in open mode, which the first key created ends):
 * `POST /v1/keys` answers the new key's token and secret, the only time they are shown;
 * `GET /v1/keys`, `GET|DELETE /v1/keys/{id}`, `PUT /v1/keys/{id}/quota`.
 */
export const keysPlugin: FastifyPluginAsync<KeysRoutesOptions> = async (app, { auth, now = Date.now }) => {
  const keys: KeyService = auth.keys;
  const admin = async (request: FastifyRequest): Promise<void> => {
    await auth.require(request, { role: 'admin' });
  };

  app.post('/v1/keys', async (request, reply) => {
    await admin(request);
    const shape = '{"name": "…", "role": "admin|client", "quota": N|null, "period": "none|day|month"}';
    const body = objectBody(request, CREATE_FIELDS, shape);
    const created = await keys.create({
      name: body.name as string,
      role: (body.role ?? 'client') as 'client',
      quota: checkQuota(body.quota ?? null),
      period: checkPeriod(body.period ?? 'none'),
    });
    return reply.status(201).send({
      id: created.id,
      token: created.token,
      secret: created.secret,
      key: keyView(created.record, now()),
    });
  });

  app.get('/v1/keys', async (request) => {
    await admin(request);
    const t = now();
    return { keys: (await keys.list()).map((r) => keyView(r, t)), config_keys: keys.configKeyCount };
  });

  app.get('/v1/keys/:id', async (request) => {
    await admin(request);
    return keyView(await keys.get(idParam(request)), now());
  });

  app.delete('/v1/keys/:id', async (request, reply) => {
    await admin(request);
    await keys.revoke(idParam(request));
    return reply.status(204).send();
  });

  app.put('/v1/keys/:id/quota', async (request) => {
    await admin(request);
    const id = idParam(request);
    const body = objectBody(request, QUOTA_FIELDS, '{"quota": N|null, "period": "none|day|month"}');
    if (!('quota' in body))
      throw new NuminfoError('MISSING_PARAMETER', 'quota: give a whole number, or null for unlimited');
    const quota = checkQuota(body.quota);
    // Without a period the key keeps its own.
    const period = body.period === undefined ? (await keys.get(id)).quota_period : checkPeriod(body.period);
    await keys.setQuota(id, quota, period);
    return keyView(await keys.get(id), now());
  });
};
