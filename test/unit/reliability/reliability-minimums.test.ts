/** `npm run test:reliability` has no quick mode: a run asked to prove less than issue 11's floor is refused. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LOAD_ROUTES } from '../../reliability/load.js';
import {
  belowMinimums as belowFloor,
  type ReliabilityRoute,
  type ReliabilitySizes,
} from '../../reliability/minimums.js';

const belowMinimums = (
  sizes: ReliabilitySizes,
  env: NodeJS.ProcessEnv,
  routes: readonly ReliabilityRoute[] = LOAD_ROUTES,
) => belowFloor(sizes, env, routes);

const floor: ReliabilitySizes = { orders: 200, events: 2, copies: 5, workers: 4, mutations: 1000, kills: 1 };
const defaults: ReliabilitySizes = { orders: 200, events: 3, copies: 4, workers: 4, mutations: 1000, kills: 10 };

describe('belowMinimums', () => {
  it('accepts the defaults, the floor and anything larger', () => {
    expect(belowMinimums(defaults, {})).toEqual([]);
    expect(belowMinimums(floor, {})).toEqual([]);
    expect(belowMinimums({ ...defaults, orders: 1000, workers: 8 }, {})).toEqual([]);
  });

  it.each([
    [
      'orders',
      { orders: 199, copies: 10 },
      [/PF_RELIABILITY_ORDERS=199 is below the minimum 200/, /199 orders over 8 routes leave 24 orders on a route/],
    ],
    ['processes', { workers: 3 }, /PF_RELIABILITY_WORKERS=3 is below the minimum 4/],
    ['mutations', { mutations: 999 }, /PF_RELIABILITY_MUTATIONS=999 is below the minimum 1000/],
    ['kills', { kills: 0 }, /PF_RELIABILITY_KILLS=0 is below the minimum 1/],
    ['racing events', { events: 1, copies: 20 }, /PF_RELIABILITY_EVENTS=1 is below the minimum 2/],
    ['duplicates', { copies: 1, events: 20 }, /PF_RELIABILITY_COPIES=1 is below the minimum 2/],
    [
      'deliveries',
      { events: 2, copies: 4 },
      /200 orders × 2 events × 4 copies = 1600 deliveries .* below the minimum 2000/,
    ],
  ] as const)('refuses fewer %s', (_what, change, message) => {
    const refusals = belowMinimums({ ...defaults, ...change }, {});
    expect(refusals).toEqual([message].flat().map((m) => expect.stringMatching(m)));
  });

  it('refuses a load without one of the providers of issue 14', () => {
    const withoutWechatPay = LOAD_ROUTES.filter((r) => r.provider !== 'wechatpay');
    expect(belowMinimums(defaults, {}, withoutWechatPay)).toEqual([
      expect.stringMatching(/the load has no platform route for wechatpay/),
    ]);
  });

  it('refuses a load with fewer than two sellers’ Stripe accounts', () => {
    const oneSeller = LOAD_ROUTES.filter((r) => r.account !== 'acct_seller_b_stripe');
    expect(belowMinimums(defaults, {}, oneSeller)).toEqual([
      expect.stringMatching(/the load has 1 sellers' Stripe accounts, below the minimum 2/),
    ]);
    const platformOnly = LOAD_ROUTES.filter((r) => r.account === null);
    expect(belowMinimums(defaults, {}, platformOnly)).toEqual([expect.stringMatching(/has 0 sellers' Stripe/)]);
  });

  it('refuses too few orders on a route of the load', () => {
    const many = [...LOAD_ROUTES, ...LOAD_ROUTES];
    expect(belowMinimums({ ...defaults, orders: 400 }, {}, many)).toEqual([]);
    expect(belowMinimums(defaults, {}, many)).toEqual([
      expect.stringMatching(
        new RegExp(`200 orders over ${many.length} routes leave \\d+ orders on a route, below the minimum 25`),
      ),
    ]);
  });

  it('refuses the former dialect filter, which could leave out SQLite or a database whose URL is set', () => {
    expect(belowMinimums(defaults, { PF_RELIABILITY_DIALECTS: 'postgres' })).toEqual([
      expect.stringMatching(/PF_RELIABILITY_DIALECTS is not supported/),
    ]);
  });
});

describe('npm run test:reliability', () => {
  it('refuses a quick run before it starts anything: exit 2, the reasons, one last line', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/reliability/run.ts'], {
      env: { ...process.env, PF_RELIABILITY_ORDERS: '20', PF_RELIABILITY_MUTATIONS: '50' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('reliability: refused to run below the minimums issue 11 sets, see above');
    expect(run.stdout).toMatch(/PF_RELIABILITY_ORDERS=20 is below the minimum 200/);
    expect(run.stdout).toMatch(/PF_RELIABILITY_MUTATIONS=50 is below the minimum 1000/);
    expect(run.stdout).not.toMatch(/seed/);
  });
});
