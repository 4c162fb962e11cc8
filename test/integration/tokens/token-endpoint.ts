import http from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A vendor token endpoint over a real socket, with the behaviour the token service must survive:
 * refresh-token rotation (an old refresh token is dead once used), revocation, slowness. It counts
 * grants so tests can prove single-flight.
 */
export class TokenEndpoint {
  grants: Record<string, string>[] = [];
  /** The refresh token currently valid; rotation replaces it on every refresh. */
  validRefreshToken = 'r0';
  revoked = false;
  rotate = true;
  delayMs = 50;
  expiresIn: number | null = 1800;
  instanceUrl?: string;
  /** `hub_id` in token responses (HubSpot sends it only since 2025-08). */
  hubId?: number;
  /**
   * What `GET /oauth/v1/access-tokens/{token}` (HubSpot's access-token metadata) says of the tokens it
   * issued; null answers 404 as HubSpot does for a token it does not know.
   */
  tokenMetadata: { hub_id: number; app_id: number } | null = { hub_id: 62515, app_id: 54321 };
  /** Access tokens whose metadata was asked for. */
  metadataLookups: string[] = [];
  private server?: http.Server;
  private counter = 0;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const metadata = /^\/oauth\/v1\/access-tokens\/([^/?]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && metadata) {
        this.answerMetadata(decodeURIComponent(metadata[1]!), res);
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        this.grants.push(form);
        setTimeout(() => this.answer(form, res), this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private answer(form: Record<string, string>, res: http.ServerResponse): void {
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (
      form.grant_type === 'refresh_token' &&
      (this.revoked || form.refresh_token !== this.validRefreshToken)
    ) {
      json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
      return;
    }
    if (form.grant_type === 'authorization_code' && form.code !== 'good-code') {
      json(400, { error: 'invalid_grant', error_description: 'invalid authorization code' });
      return;
    }
    this.counter += 1;
    const payload: Record<string, unknown> = { access_token: `a${this.counter}`, token_type: 'bearer' };
    if (this.expiresIn !== null) payload.expires_in = this.expiresIn;
    if (this.instanceUrl) payload.instance_url = this.instanceUrl;
    if (this.hubId !== undefined) payload.hub_id = this.hubId;
    if (form.grant_type === 'authorization_code') payload.refresh_token = this.validRefreshToken;
    if (form.grant_type === 'refresh_token' && this.rotate) {
      this.validRefreshToken = `r${this.counter}`;
      payload.refresh_token = this.validRefreshToken;
    }
    json(200, payload);
  }

  private answerMetadata(token: string, res: http.ServerResponse): void {
    this.metadataLookups.push(token);
    const issued = /^a\d+$/.test(token) && Number(token.slice(1)) <= this.counter;
    const found = issued && this.tokenMetadata !== null;
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        found
          ? { token, ...this.tokenMetadata, scopes: ['oauth'], expires_in: 1700, token_type: 'access' }
          : { status: 'error', message: 'Token not found', category: 'OBJECT_NOT_FOUND' },
      ),
    );
  }

  refreshCount(): number {
    return this.grants.filter((g) => g.grant_type === 'refresh_token').length;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
