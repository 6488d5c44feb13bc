/** The inbound SMTP settings (src/config/config.ts) as an operator writes them, and what is refused. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';

describe('inbound SMTP settings', () => {
  it('are off unless a port is given', () => {
    expect(loadConfig({}).inboundSmtp).toBeUndefined();
    expect(loadConfig({ VULNSHARE_INBOUND_MAIL_DOMAIN: 'drills.cert.example' }).inboundSmtp).toBeUndefined();
  });

  it('take the port, the listen host (default 127.0.0.1) and the reply domain, lower-cased', () => {
    expect(
      loadConfig({
        VULNSHARE_INBOUND_SMTP_PORT: '2525',
        VULNSHARE_INBOUND_MAIL_DOMAIN: 'Drills.CERT.example',
      }).inboundSmtp,
    ).toEqual({ host: '127.0.0.1', port: 2525, domain: 'drills.cert.example' });
    expect(
      loadConfig({
        VULNSHARE_INBOUND_SMTP_PORT: '25',
        VULNSHARE_INBOUND_SMTP_HOST: '0.0.0.0',
        VULNSHARE_INBOUND_MAIL_DOMAIN: 'cert.example',
      }).inboundSmtp,
    ).toEqual({ host: '0.0.0.0', port: 25, domain: 'cert.example' });
  });

  it('refuse a port without a domain and a port out of range, naming both at once', () => {
    expect(() => loadConfig({ VULNSHARE_INBOUND_SMTP_PORT: '70000' })).toThrow(
      /VULNSHARE_INBOUND_SMTP_PORT must be an integer between 0 and 65535[\s\S]*VULNSHARE_INBOUND_MAIL_DOMAIN must be the domain/,
    );
    expect(() =>
      loadConfig({ VULNSHARE_INBOUND_SMTP_PORT: '2525', VULNSHARE_INBOUND_MAIL_DOMAIN: 'not a domain' }),
    ).toThrow(/VULNSHARE_INBOUND_MAIL_DOMAIN must be the domain of the reply addresses/);
  });
});
