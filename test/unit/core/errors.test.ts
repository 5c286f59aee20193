import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  IndeterminateOutcomeError,
  isPaymentError,
  PaymentError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  RawBodyRequiredError,
  ValidationError,
} from '../../../src/index.js';
import type * as ErrorsModule from '../../../src/core/errors.js';

describe('errors', () => {
  it('classifies what the caller does next', () => {
    expect(new ProviderUnavailableError('x').retryable).toBe(true);
    expect(new IndeterminateOutcomeError('x').retryable).toBe(true);
    expect(new ProviderDeclinedError('x', { declineCode: 'insufficient_funds' }).declineCode).toBe(
      'insufficient_funds',
    );
    expect(new ValidationError('x').retryable).toBe(false);
    expect(new ValidationError('x', { field: 'amount' })).toMatchObject({ code: 'VALIDATION_ERROR', field: 'amount' });
    expect(new ConfigurationError('x').name).toBe('ConfigurationError');
  });

  it('keeps the cause and the provider', () => {
    const cause = new Error('socket hang up');
    const error = new ProviderUnavailableError('Stripe is unreachable.', { cause, provider: 'stripe' });
    expect(error.cause).toBe(cause);
    expect(error.provider).toBe('stripe');
    expect(error).toBeInstanceOf(PaymentError);
    expect(error).toBeInstanceOf(Error);
  });

  it('tells how to get the raw body in common frameworks', () => {
    const message = new RawBodyRequiredError().message;
    for (const framework of ['Express', 'Fastify', 'Next.js', 'Hono']) expect(message).toContain(framework);
  });

  it('recognises errors by brand, not by class identity', () => {
    expect(isPaymentError(new ValidationError('x'))).toBe(true);
    expect(isPaymentError(new ValidationError('x'), 'ValidationError')).toBe(true);
    expect(isPaymentError(new ValidationError('x'), 'ConfigurationError')).toBe(false);
    expect(isPaymentError(new Error('x'))).toBe(false);
    expect(isPaymentError({ name: 'ValidationError', code: 'VALIDATION_ERROR' })).toBe(false);
    expect(isPaymentError(null)).toBe(false);
  });

  it('recognises errors thrown by a second copy of the module', async () => {
    // A second module instance: query strings give vitest a separate copy, like a duplicated install.
    const specifier = '../../../src/core/errors.js?copy';
    const copy = (await import(specifier)) as typeof ErrorsModule;
    const foreign = new copy.ValidationError('from the other copy');
    expect(foreign).not.toBeInstanceOf(ValidationError);
    expect(isPaymentError(foreign, 'ValidationError')).toBe(true);
    expect(copy.isPaymentError(new ValidationError('x'))).toBe(true);
  });
});
