// The resource-server suite at unit level: through every adapter, against a local stand-in issuer over loopback HTTP.
import { startLocalIssuer } from '../support/local-issuer.js';
import { resourceServerContract } from './resource-server-contract.js';

resourceServerContract('latchkey/resource with a local issuer', { issuer: () => startLocalIssuer() });
