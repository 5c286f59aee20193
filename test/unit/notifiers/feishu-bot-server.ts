/**
 * A local stand-in for a Feishu custom bot: checks the signature the way Feishu documents it (computed here
 * independently of the notifier's signer) and answers like Feishu does, including HTTP 200 with a non-zero
 * `code` for a refused message.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  path: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

export type BotBehaviour = 'feishu' | 'http_500' | 'hang' | 'not_json';

export interface FeishuBotServer {
  url: string;
  /** The webhook address of a bot with this token. */
  hookUrl(token: string): string;
  received: ReceivedMessage[];
  /** What the next requests get; `feishu` (the default) verifies and answers like Feishu. */
  behaviour: BotBehaviour;
  close(): Promise<void>;
}

/** Starts the bot. With `secret`, every message must carry a valid `timestamp` + `sign`. */
export async function startFeishuBotServer(options: { secret?: string } = {}): Promise<FeishuBotServer> {
  const received: ReceivedMessage[] = [];
  const hanging: ServerResponse[] = [];
  const state: { behaviour: BotBehaviour } = { behaviour: 'feishu' };

  const server = createServer((req, res) => {
    void readJson(req).then((body) => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      const send = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      };
      switch (state.behaviour) {
        case 'hang':
          hanging.push(res);
          return;
        case 'http_500':
          send(500, { code: 9499, msg: 'internal error' });
          return;
        case 'not_json':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        case 'feishu':
          break;
      }
      if (options.secret !== undefined) {
        const timestamp = body.timestamp;
        const expected =
          typeof timestamp === 'string' || typeof timestamp === 'number'
            ? createHmac('sha256', `${timestamp}\n${options.secret}`).update(Buffer.alloc(0)).digest('base64')
            : null;
        if (expected === null || body.sign !== expected) {
          send(200, {
            code: 19021,
            data: {},
            msg: 'sign match fail or timestamp is not within one hour from current time',
          });
          return;
        }
      }
      if (body.msg_type !== 'text' && body.msg_type !== 'interactive' && body.msg_type !== 'post') {
        send(200, { code: 19002, data: {}, msg: 'params error, msg_type need' });
        return;
      }
      send(200, { code: 0, data: {}, msg: 'success' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    hookUrl: (token) => `${url}/open-apis/bot/v2/hook/${token}`,
    received,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value) {
      state.behaviour = value;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}
