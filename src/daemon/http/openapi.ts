/**
 * The OpenAPI 3.1 document at /api/openapi.json, generated from the route table and the
 * facade's function table, so that it cannot drift from what the server dispatches.
 */
import type { ApiFunctionTable, ParamType } from '../../api/types.js';
import { VERSION } from '../../version.js';
import type { Route } from './router.js';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          description: 'stable SENTRA_ERR_* code',
          example: 'SENTRA_ERR_INVALID_ARGUMENT',
        },
        message: { type: 'string' },
        details: { type: 'object' },
      },
    },
  },
};

function paramSchema(t: ParamType): Record<string, unknown> {
  switch (t) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'integer':
      return { type: 'integer' };
    case 'port':
      return { type: ['integer', 'string'], minimum: 0, maximum: 65535 };
    case 'boolean':
      return { type: 'boolean' };
    case 'map':
      return { type: 'object' };
    case 'array':
      return { type: 'array' };
    case 'string|number':
      return { type: ['string', 'number'] };
    default:
      return {};
  }
}

export function openApiDocument(
  routes: readonly Route[],
  functions: ApiFunctionTable,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errors = {
    '400': { $ref: '#/components/responses/Error' },
    '401': { $ref: '#/components/responses/Error' },
    '404': { $ref: '#/components/responses/Error' },
    '500': { $ref: '#/components/responses/Error' },
  };
  for (const r of routes) {
    if (r.path === '/api/functions/:name') continue;
    const p = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [
      ...[...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(r.doc.query ?? {}).map(([name, d]) => ({
        name,
        in: 'query',
        required: false,
        description: d.description,
        schema: { type: d.type, ...(d.enum ? { enum: d.enum } : {}) },
      })),
    ];
    paths[p] ??= {};
    paths[p][r.method.toLowerCase()] = {
      summary: r.doc.summary,
      tags: r.doc.tags,
      ...(r.auth === false ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.doc.body
        ? {
            requestBody: {
              required: true,
              content: { [r.doc.body.contentType ?? 'application/json']: { schema: r.doc.body.schema } },
            },
          }
        : {}),
      responses: {
        '200': {
          description: 'OK',
          content: {
            [r.path === '/api/events' ? 'text/event-stream' : 'application/json']: {
              schema: r.doc.response ?? { type: 'object' },
            },
          },
        },
        ...errors,
      },
    };
  }
  for (const [name, f] of Object.entries(functions)) {
    const properties: Record<string, unknown> = {};
    for (const prm of f.params) properties[prm.name] = { ...paramSchema(prm.type), description: prm.doc };
    paths[`/api/functions/${name}`] = {
      post: {
        summary: f.summary,
        description: `Returns: ${f.returns}. Arguments by name, or positional as {"args": [...]}.`,
        tags: ['functions'],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  {
                    type: 'object',
                    properties,
                    required: f.params.filter((x) => !x.optional).map((x) => x.name),
                    additionalProperties: false,
                  },
                  { type: 'object', properties: { args: { type: 'array' } }, required: ['args'] },
                ],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The function\'s result as {"result": ...}',
            content: { 'application/json': { schema: { type: 'object', properties: { result: {} } } } },
          },
          ...errors,
        },
      },
    };
  }
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['daemon'],
      responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sentra daemon API',
      version: VERSION,
      description:
        'The HTTP API of `sentra serve`. Send the access token as `Authorization: Bearer <token>`. Errors are JSON with a stable SENTRA_ERR_* code.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
      responses: {
        Error: {
          description: 'An error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    paths,
  };
}
