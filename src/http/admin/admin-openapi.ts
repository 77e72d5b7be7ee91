// The OpenAPI 3.1 description of the admin API (served at /admin/openapi.json, committed as docs/admin-openapi.json).
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../../protocol/clients/validate-client-metadata.js';

const error = { $ref: '#/components/responses/Error' };
const clientId = { name: 'client_id', in: 'path', required: true, schema: { type: 'string' } };
const uriList = { type: 'array', items: { type: 'string', format: 'uri' } };

export const adminOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'Latchkey admin API',
    version: '1',
    description:
      'Client administration for Latchkey. Listens on its own port (LATCHKEY_ADMIN_PORT, loopback by default) and ' +
      'requires the admin token (LATCHKEY_ADMIN_TOKEN) as a Bearer token. Client secrets appear in a response only ' +
      'when they are issued (create, rotate-secret, or an update that needs a new secret).',
  },
  security: [{ adminToken: [] }],
  paths: {
    '/admin/clients': {
      get: {
        operationId: 'listClients',
        summary: 'List clients in client_id order',
        parameters: [
          { name: 'after', in: 'query', schema: { type: 'string' }, description: 'Return clients after this client_id (keyset pagination).' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': {
            description: 'A page of clients',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['clients'],
                  properties: {
                    clients: { type: 'array', items: { $ref: '#/components/schemas/Client' } },
                    next_after: { type: 'string', description: 'Present when there may be more: pass it as `after`.' },
                  },
                },
              },
            },
          },
          '401': error,
        },
      },
      post: {
        operationId: 'createClient',
        summary: 'Register a client',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ClientDocument' } } } },
        responses: { '201': { $ref: '#/components/responses/ClientWithSecret' }, '400': error, '401': error, '413': error, '415': error },
      },
    },
    '/admin/clients/{client_id}': {
      parameters: [clientId],
      get: {
        operationId: 'getClient',
        summary: 'Show a client',
        responses: { '200': { $ref: '#/components/responses/Client' }, '401': error, '404': error },
      },
      put: {
        operationId: 'updateClient',
        summary: 'Replace a client\'s metadata (and policy, when sent)',
        description: 'Omitted metadata fields are cleared (RFC 7592 §2.2). An omitted policy is kept.',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ClientDocument' } } } },
        responses: { '200': { $ref: '#/components/responses/ClientWithSecret' }, '400': error, '401': error, '404': error, '415': error },
      },
      delete: {
        operationId: 'deleteClient',
        summary: 'Delete a client',
        responses: { '204': { description: 'Deleted' }, '401': error, '404': error },
      },
    },
    '/admin/clients/{client_id}/rotate-secret': {
      parameters: [clientId],
      post: {
        operationId: 'rotateClientSecret',
        summary: 'Issue a new client secret',
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { grace_seconds: { type: 'integer', minimum: 0, maximum: 2592000, description: 'How long the previous secret keeps working (default: the server setting).' } },
              },
            },
          },
        },
        responses: { '200': { $ref: '#/components/responses/ClientWithSecret' }, '400': error, '401': error, '404': error },
      },
    },
    '/admin/registration-tokens': {
      post: {
        operationId: 'createRegistrationToken',
        summary: 'Create an initial access token for dynamic registration (RFC 7591 §3)',
        requestBody: {
          required: false,
          content: { 'application/json': { schema: { type: 'object', properties: { expires_in: { type: 'integer', minimum: 1, maximum: 31622400, default: 86400 } } } } },
        },
        responses: {
          '201': {
            description: 'The token, shown once',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['initial_access_token', 'expires_at'],
                  properties: { initial_access_token: { type: 'string' }, expires_at: { type: 'integer', description: 'Epoch seconds' } },
                },
              },
            },
          },
          '401': error,
        },
      },
    },
  },
  components: {
    securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'LATCHKEY_ADMIN_TOKEN' } },
    responses: {
      Error: { description: 'An error (RFC 6749 §5.2 shape)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      Client: { description: 'The client', content: { 'application/json': { schema: { $ref: '#/components/schemas/Client' } } } },
      ClientWithSecret: { description: 'The client, with client_secret when one was just issued', content: { 'application/json': { schema: { $ref: '#/components/schemas/Client' } } } },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string', examples: ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_token', 'not_found'] }, error_description: { type: 'string' } },
      },
      ClientMetadata: {
        type: 'object',
        description: 'RFC 7591 §2 client metadata and the OIDC Registration fields Latchkey uses. Unknown members are ignored.',
        properties: {
          redirect_uris: { ...uriList, maxItems: 20 },
          grant_types: { type: 'array', items: { type: 'string' }, default: ['authorization_code'] },
          response_types: { type: 'array', items: { type: 'string' }, default: ['code'] },
          token_endpoint_auth_method: { type: 'string', enum: [...TOKEN_ENDPOINT_AUTH_METHODS], default: 'client_secret_basic' },
          token_endpoint_auth_signing_alg: { type: 'string', enum: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] },
          client_name: { type: 'string', maxLength: 200 },
          client_uri: { type: 'string', format: 'uri' },
          logo_uri: { type: 'string', format: 'uri' },
          scope: { type: 'string' },
          contacts: { type: 'array', items: { type: 'string' }, maxItems: 10 },
          tos_uri: { type: 'string', format: 'uri' },
          policy_uri: { type: 'string', format: 'uri' },
          jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' }, maxItems: 10 } } },
          jwks_uri: { type: 'string', format: 'uri' },
          software_id: { type: 'string' },
          software_version: { type: 'string' },
          post_logout_redirect_uris: uriList,
          backchannel_logout_uri: { type: 'string', format: 'uri' },
          backchannel_logout_session_required: { type: 'boolean' },
          id_token_signed_response_alg: { type: 'string' },
          subject_type: { type: 'string', enum: ['public'] },
          default_max_age: { type: 'integer', minimum: 0 },
          require_auth_time: { type: 'boolean' },
          require_pushed_authorization_requests: { type: 'boolean' },
          dpop_bound_access_tokens: { type: 'boolean' },
        },
      },
      ClientPolicy: {
        type: 'object',
        additionalProperties: false,
        properties: {
          access_token_format: { type: 'string', enum: ['jwt', 'opaque'], default: 'jwt' },
          access_token_ttl_seconds: { type: 'integer', minimum: 1 },
          refresh_token_ttl_seconds: { type: 'integer', minimum: 1 },
          allowed_legacy_grants: { type: 'array', items: { type: 'string', enum: ['implicit', 'password'] }, default: [] },
          always_issue_refresh_token: { type: 'boolean' },
          skip_consent: { type: 'boolean' },
          token_exchange: {
            type: 'object',
            additionalProperties: false,
            required: ['audiences'],
            properties: {
              audiences: { type: 'array', items: { type: 'string', format: 'uri' } },
              scopes: { type: 'array', items: { type: 'string' } },
              allow_impersonation: { type: 'boolean' },
            },
          },
        },
      },
      ClientDocument: {
        allOf: [{ $ref: '#/components/schemas/ClientMetadata' }, { type: 'object', properties: { policy: { $ref: '#/components/schemas/ClientPolicy' } } }],
      },
      Client: {
        allOf: [
          { $ref: '#/components/schemas/ClientMetadata' },
          {
            type: 'object',
            required: ['client_id', 'client_id_issued_at', 'policy', 'updated_at', 'dynamically_registered'],
            properties: {
              client_id: { type: 'string' },
              client_secret: { type: 'string', description: 'Only when just issued.' },
              client_id_issued_at: { type: 'integer', description: 'Epoch seconds' },
              client_secret_expires_at: { type: 'integer', const: 0, description: 'Present for clients with a secret: it does not expire.' },
              previous_secret_expires_at: { type: 'integer', description: 'While a rotated-out secret still works (epoch seconds).' },
              updated_at: { type: 'integer', description: 'Epoch seconds' },
              dynamically_registered: { type: 'boolean' },
              policy: { $ref: '#/components/schemas/ClientPolicy' },
            },
          },
        ],
      },
    },
  },
} as const;
