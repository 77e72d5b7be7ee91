import { describe, expect, it } from 'vitest';
import { buildProtectedResourceMetadata, protectedResourceMetadataPath, protectedResourceMetadataUrl } from './protected-resource-metadata.js';

describe('RFC 9728 §3.1: where the metadata lives', () => {
  it('puts the well-known suffix between host and path', () => {
    expect(protectedResourceMetadataUrl('https://api.example.com')).toBe('https://api.example.com/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('https://api.example.com/v1/')).toBe('https://api.example.com/.well-known/oauth-protected-resource/v1');
    expect(protectedResourceMetadataPath('https://api.example.com:8443/v1')).toBe('/.well-known/oauth-protected-resource/v1');
  });
});

describe('RFC 9728 §2: the metadata', () => {
  it('defaults bearer_methods_supported to the header, and leaves out what is not set', () => {
    expect(buildProtectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://as.example.com'] })).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://as.example.com'],
      bearer_methods_supported: ['header'],
    });
  });
});
