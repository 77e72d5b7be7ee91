// The audit log's "from where" for an HTTP request (issue 9 item 8): the peer address and the user agent, as sent.
import type { FastifyRequest } from 'fastify';
import type { AuditContext } from '../protocol/audit/audit-event.js';

export function requestOrigin(request: FastifyRequest): Omit<AuditContext, 'actor'> {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, ...(typeof userAgent === 'string' && { userAgent }) };
}

export function auditContext(request: FastifyRequest, actor: string): AuditContext {
  return { actor, ...requestOrigin(request) };
}
