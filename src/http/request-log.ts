// Request logging: one line per request, when it completes. At info, only what an operator acts on (4xx, 5xx, slow
// responses); every other request at debug. Fastify's default writes two info lines per request ("incoming request"
// and "request completed"), which bench measured at about a third of a discovery request's CPU time.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** A response slower than this is logged at info whatever its status. */
export const SLOW_REQUEST_MS = 1000;

export class RequestLog extends LogController {
  /** `observe` sees every completed response (the metrics), so they need no hook of their own. */
  constructor(private readonly observe?: (request: FastifyRequest, reply: FastifyReply) => void) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.observe?.(request, reply);
    const responseTime = reply.elapsedTime;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored');
    } else if (reply.statusCode >= 400 || responseTime >= SLOW_REQUEST_MS) {
      reply.log.info({ req: request, res: reply, responseTime }, 'request completed');
    } else {
      reply.log.debug({ req: request, res: reply, responseTime }, 'request completed');
    }
  }
}
