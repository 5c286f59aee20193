import { describe, expect, it } from 'vitest';
import { decodeStripeForm } from '../../../src/testing/stripe-emulator/form.js';

describe('decodeStripeForm', () => {
  it('decodes bracket syntax into nested objects and indexed arrays', () => {
    const body =
      'amount=100&metadata[order_bid]=o1&payment_method_types[0]=card&payment_method_types[1]=alipay' +
      '&line_items[0][price_data][unit_amount]=100&line_items[0][price_data][product_data][name]=A%20B&line_items[0][quantity]=1';
    expect(decodeStripeForm(body)).toEqual({
      amount: '100',
      metadata: { order_bid: 'o1' },
      payment_method_types: ['card', 'alipay'],
      line_items: [{ price_data: { unit_amount: '100', product_data: { name: 'A B' } }, quantity: '1' }],
    });
  });

  it('decodes percent-encoded brackets and expand[] appends', () => {
    expect(decodeStripeForm('expand%5B%5D=a&expand[]=b.c')).toEqual({ expand: ['a', 'b.c'] });
  });

  it('orders indexed arrays by index, not by arrival', () => {
    expect(decodeStripeForm('x[1]=b&x[0]=a')).toEqual({ x: ['a', 'b'] });
  });

  it('ignores keys that would pollute Object.prototype', () => {
    const decoded = decodeStripeForm('__proto__[polluted]=yes&a[constructor][prototype][p]=1&ok=1');
    expect(decoded).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
